"""The custom menu in WeChat's terms: turned into the JSON of menu/create, and checked
against WeChat's documented limits before it is saved or pushed, so that the editor
learns which button is wrong instead of reading WeChat's error code.

WeChat's limits (menu/create): 1 to 3 buttons; a button with a sub-menu has 1 to 5
sub-buttons; a name has at most 16 bytes on a top-level button and 60 on a sub-button
(UTF-8: a Chinese character takes 3 bytes); a click key at most 128 bytes; a link at most
1024 bytes, http or https. A view button needs its link, a click button its key, a mini
program button its AppID, page path and fallback link.
"""

from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.blocks import StreamBlockValidationError, StructBlockValidationError
from wechatpy.exceptions import WeChatClientException

from .client import client_for

KEY_BYTES = 128
URL_BYTES = 1024


@dataclass(frozen=True)
class Level:
    max_buttons: int
    name_bytes: int


TOP_LEVEL = Level(max_buttons=3, name_bytes=16)
SUB_LEVEL = Level(max_buttons=5, name_bytes=60)

# The fields WeChat requires for each button type, besides the name.
REQUIRED_FIELDS = {
    "view": ("url",),
    "click": ("key",),
    "miniprogram": ("appid", "pagepath", "url"),
}
# WeChat's field names that differ from the blocks' (portal.wechat.menu_blocks).
BLOCK_FIELD_NAMES = {"sub_button": "sub_buttons"}


# -- blocks to WeChat's JSON ------------------------------------------------------------

def _leaf(child):
    button = {"type": child.block_type, "name": child.value["name"]}
    for field in REQUIRED_FIELDS[child.block_type]:
        button[field] = child.value[field] or ""
    return button


def to_wechat(buttons):
    """The body of menu/create for a menu's ``buttons`` (its StreamField value)."""
    result = []
    for child in buttons:
        if child.block_type == "submenu":
            result.append({"name": child.value["name"],
                           "sub_button": [_leaf(sub) for sub in child.value["sub_buttons"]]})
        else:
            result.append(_leaf(child))
    return {"button": result}


def from_wechat(menu):
    """Stream data for the blocks from WeChat's menu (the ``menu`` of menu/get), keeping
    the button types the blocks know and naming those they do not."""
    unknown = []

    def leaf(button):
        kind = button.get("type")
        if kind not in REQUIRED_FIELDS:
            unknown.append(button.get("name", ""))
            return None
        value = {"name": button.get("name", "")}
        value.update({field: button.get(field, "") for field in REQUIRED_FIELDS[kind]})
        return {"type": kind, "value": value}

    data = []
    for button in menu.get("button", []):
        subs = button.get("sub_button") or []
        if subs:
            sub_data = [item for item in map(leaf, subs) if item is not None]
            data.append({"type": "submenu",
                         "value": {"name": button.get("name", ""), "sub_buttons": sub_data}})
        elif (item := leaf(button)) is not None:
            data.append(item)
    return data, unknown


# -- WeChat's limits --------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    """One broken rule. ``path`` is () for the menu, (i,) for button i, (i, j) for
    sub-button j of button i; ``field`` is WeChat's field name ("sub_button" for the
    number of sub-buttons), or None for the button (or menu) as a whole."""

    path: tuple
    field: str | None
    message: str

    def __str__(self):
        if not self.path:
            return self.message
        where = _("Button %(number)d") % {"number": self.path[0] + 1}
        if len(self.path) > 1:
            where = _("%(button)s, sub-button %(number)d") % {
                "button": where, "number": self.path[1] + 1}
        return f"{where}: {self.message}"


def utf8_bytes(value):
    return len(str(value).encode())


TOO_LONG = {
    "name": gettext_lazy("The name is %(size)d bytes long; WeChat allows at most %(limit)d "
                         "bytes (a Chinese character takes 3)."),
    "key": gettext_lazy("The event key is %(size)d bytes long; WeChat allows at most "
                        "%(limit)d bytes (a Chinese character takes 3)."),
    "url": gettext_lazy("The link is %(size)d bytes long; WeChat allows at most %(limit)d "
                        "bytes."),
}


def _too_long(field, value, limit):
    return TOO_LONG[field] % {"size": utf8_bytes(value), "limit": limit}


def _count_problem(path, count, level):
    if count == 0:
        if not path:
            return _("Add at least one button.")
        return _("Add at least one button to the sub-menu.")
    if count > level.max_buttons:
        if not path:
            return _("WeChat allows at most %(limit)d buttons.") % {"limit": level.max_buttons}
        return _("A sub-menu has at most %(limit)d buttons.") % {"limit": level.max_buttons}
    return None


def _name_problem(name, level):
    if not name:
        return _("Give the button a name.")
    if utf8_bytes(name) > level.name_bytes:
        return _too_long("name", name, level.name_bytes)
    return None


def _url_problem(url):
    if not url:
        return _("Give the link.")
    if utf8_bytes(url) > URL_BYTES:
        return _too_long("url", url, URL_BYTES)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return _("The link must start with http:// or https://.")
    return None


def _field_problem(field, value):
    if field == "url":
        return _url_problem(value)
    if not value:
        return {
            "key": _("Give the event key."),
            "appid": _("Give the mini program's AppID."),
            "pagepath": _("Give the mini program's page path."),
        }[field]
    if field == "key" and utf8_bytes(value) > KEY_BYTES:
        return _too_long("key", value, KEY_BYTES)
    return None


def _leaf_problems(path, button, level):
    found = []
    if message := _name_problem(button.get("name", ""), level):
        found.append(Problem(path, "name", message))
    fields = REQUIRED_FIELDS.get(button.get("type"))
    if fields is None:
        found.append(Problem(path, None, _("WeChat does not know this type of button.")))
        return found
    for field in fields:
        if message := _field_problem(field, button.get(field, "")):
            found.append(Problem(path, field, message))
    return found


def problems(menu):
    """Every rule of WeChat's that ``menu`` (the body of menu/create) breaks."""
    buttons = menu.get("button", [])
    found = []
    if message := _count_problem((), len(buttons), TOP_LEVEL):
        found.append(Problem((), None, message))
    for index, button in enumerate(buttons):
        path = (index,)
        if "sub_button" not in button:
            found.extend(_leaf_problems(path, button, TOP_LEVEL))
            continue
        if message := _name_problem(button.get("name", ""), TOP_LEVEL):
            found.append(Problem(path, "name", message))
        subs = button["sub_button"]
        if message := _count_problem(path, len(subs), SUB_LEVEL):
            found.append(Problem(path, "sub_button", message))
        for sub_index, sub in enumerate(subs):
            found.extend(_leaf_problems((index, sub_index), sub, SUB_LEVEL))
    return found


# -- problems as errors on the blocks ---------------------------------------------------

def _button_errors(items, sub_buttons=None):
    """The StructBlockValidationError of one button: the first message per field."""
    fields = {}
    for problem in items:
        if problem.field is not None:
            name = BLOCK_FIELD_NAMES.get(problem.field, problem.field)
            fields.setdefault(name, ValidationError(problem.message))
    if sub_buttons is not None:
        fields["sub_buttons"] = sub_buttons
    return StructBlockValidationError(
        block_errors=fields,
        non_block_errors=[problem.message for problem in items if problem.field is None],
    )


def block_errors(found):
    """``found`` as the StreamBlockValidationError that shows each message on its block."""
    menu_messages = [problem.message for problem in found if not problem.path]
    by_button = defaultdict(list)
    for problem in found:
        if problem.path:
            by_button[problem.path[0]].append(problem)
    errors = {}
    for index, items in by_button.items():
        own = [p for p in items if len(p.path) == 1 and p.field != "sub_button"]
        sub_count = [p.message for p in items if p.field == "sub_button"]
        by_sub = defaultdict(list)
        for problem in items:
            if len(problem.path) == 2:
                by_sub[problem.path[1]].append(problem)
        sub_buttons = None
        if by_sub or sub_count:
            sub_buttons = StreamBlockValidationError(
                block_errors={sub: _button_errors(subs) for sub, subs in by_sub.items()},
                non_block_errors=sub_count,
            )
        errors[index] = _button_errors(own, sub_buttons)
    return StreamBlockValidationError(block_errors=errors, non_block_errors=menu_messages)


def check_blocks(buttons):
    """Raise the errors to show on the blocks if ``buttons`` break WeChat's limits."""
    found = problems(to_wechat(buttons))
    if found:
        raise block_errors(found)


# -- calling WeChat ----------------------------------------------------------------------

# What to do about WeChat's answers an editor can act on.
ERROR_HINTS = {
    40016: gettext_lazy("WeChat counts the buttons differently: check there are 1 to 3."),
    40018: gettext_lazy("A button's name is too long for WeChat."),
    40025: gettext_lazy("A sub-button's name is too long for WeChat."),
    40054: gettext_lazy("WeChat refuses the domain of a sub-button's link."),
    40055: gettext_lazy("WeChat refuses the domain of a button's link."),
    40125: gettext_lazy("The account's AppSecret is wrong: leadership can set it again."),
    40164: gettext_lazy("WeChat refuses calls from this server's IP address: add it to the "
                        "account's IP whitelist on the WeChat platform."),
    48001: gettext_lazy("The account may not use the menu API: it must be a verified service "
                        "account."),
}


@dataclass(frozen=True)
class Answer:
    """WeChat's answer to a menu call; ``errcode`` None when WeChat could not be reached."""

    errcode: int | None
    errmsg: str

    @property
    def ok(self):
        return self.errcode == 0

    @property
    def reached_wechat(self):
        return self.errcode is not None

    @property
    def summary(self):
        if self.errcode is None:
            return f"network error: {self.errmsg}"
        return f"{self.errcode} {self.errmsg}"

    def problem(self):
        """What went wrong, for the editor."""
        if not self.reached_wechat:
            return _("WeChat could not be reached; nothing changed there. Try again in a "
                     "moment.")
        text = _("WeChat answered with an error: %(errcode)s %(errmsg)s.") % {
            "errcode": self.errcode, "errmsg": self.errmsg}
        hint = ERROR_HINTS.get(self.errcode)
        return f"{text} {hint}" if hint else text


def _call(request):
    """(Answer, what WeChat returned). Never raises for WeChat's refusals or the network."""
    try:
        result = request()
    except WeChatClientException as error:
        if error.errcode is None:  # an HTTP error status, not WeChat's JSON
            return Answer(None, f"HTTP {getattr(error.response, 'status_code', '')}"), None
        return Answer(error.errcode, str(error.errmsg)), None
    except requests.RequestException as error:
        # Only the kind of failure: the message may hold the URL with the access_token.
        return Answer(None, type(error).__name__), None
    return Answer(0, "ok"), result


def send(account, body):
    """Call menu/create with ``body``; WeChat's Answer."""
    answer, _result = _call(lambda: client_for(account).menu.create(body))
    return answer


def fetch(account):
    """Call menu/get: (Answer, WeChat's menu, or None when the account has none)."""
    answer, result = _call(lambda: client_for(account).menu.get())
    return answer, (result or {}).get("menu")
