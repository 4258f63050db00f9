"""The Simplified Chinese catalogue is complete and its compiled form is in step."""

from pathlib import Path

import polib
from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "portal" / "locale" / "zh_Hans" / "LC_MESSAGES"


def test_every_source_string_has_a_chinese_translation():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    missing = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert not missing, f"untranslated: {missing[:20]}"
    assert not fuzzy, f"fuzzy (needs review): {fuzzy[:20]}"


def test_compiled_catalogue_matches_the_source():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    mo = polib.mofile(str(CATALOGUE / "django.mo"))
    compiled = {(entry.msgctxt, entry.msgid): entry.msgstr for entry in mo}
    for entry in po.translated_entries():
        assert compiled.get((entry.msgctxt, entry.msgid)) == entry.msgstr, (
            f"{entry.msgid!r} is not compiled: run `make messages`"
        )


def test_pages_speak_chinese_by_default(client, db):
    response = client.get("/accounts/login/")
    assert response.headers["Content-Language"] == "zh-hans"
