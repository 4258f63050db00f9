"""Chinese car plates, written one way: the gate compares plates as text, and a plate
typed with a stray space or a dash is a known cause of a barrier that does not open."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
LETTER = "A-HJ-NP-Z"  # I and O are not used on plates
CHAR = f"[{LETTER}0-9]"
PLATE = re.compile(
    rf"^[{PROVINCES}][{LETTER}]"
    rf"(?:{CHAR}{{5}}"                          # ordinary: 粤B12345
    rf"|{CHAR}{{4}}[警学挂港澳]"                 # police, driving school, trailer...
    rf"|[DF]{CHAR}\d{{4}}|\d{{5}}[DF])$"         # new energy: 粤BD12345, 粤B12345D
)
NOISE = re.compile(r"[\s.\-·•_]")


class InvalidPlate(ValidationError, ValueError):
    """A plate that is not a plate: a ValueError for callers that parse, a
    ValidationError for forms and verbs."""


def normalise_plate(text):
    """粤b 123·45 → 粤B12345. Raises InvalidPlate for anything that is not a plate."""
    plate = NOISE.sub("", text or "").upper()
    if not PLATE.match(plate):
        raise InvalidPlate(
            _("%(plate)s is not a car plate: write it like 粤B12345 (new energy: "
              "粤BD12345 or 粤B12345D).") % {"plate": (text or "").strip()[:20]},
            code="invalid_plate")
    return plate
