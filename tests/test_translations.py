"""The Simplified Chinese catalogues are complete and their compiled forms in step: our
own strings, and the libraries' strings that staff see but whose zh_Hans catalogues lack
(Wagtail ships about 400 admin strings untranslated, django-filter has only zh_CN)."""

import ast
import json
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext, override, trans_real

from tests.services.factories import submit

OURS = Path(settings.BASE_DIR) / "portal" / "locale" / "zh_Hans" / "LC_MESSAGES"
LIBRARIES = Path(settings.BASE_DIR) / "portal" / "library_locale" / "zh_Hans" / "LC_MESSAGES"
CATALOGUES = [OURS / "django.po", LIBRARIES / "django.po", LIBRARIES / "djangojs.po"]


def _relative(path):
    return str(path.relative_to(settings.BASE_DIR))


@pytest.mark.parametrize("source", CATALOGUES, ids=_relative)
def test_every_source_string_has_a_chinese_translation(source):
    po = polib.pofile(str(source))
    missing = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert not missing, f"untranslated: {missing[:20]}"
    assert not fuzzy, f"fuzzy (needs review): {fuzzy[:20]}"


# The project's Python packages; makemessages must reach every one of them (an ignore
# pattern such as "media/*" once skipped services/media, whose messages stayed English).
PACKAGES = ["portal", "home", "notices", "services", "merchants"]
MARKERS = {"_": 0, "gettext": 0, "gettext_lazy": 0, "gettext_noop": 0, "ngettext": 0,
           "ngettext_lazy": 0, "pgettext": 1, "pgettext_lazy": 1}
# Names makemessages does not know as gettext: a string marked with one is never extracted.
UNKNOWN_MARKERS = {"_lazy", "_t", "gettext_lazy_", "lazy_gettext"}


def _marked_strings(path):
    """(context, msgid) of every call to a gettext function with literal text."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            continue
        index = MARKERS.get(node.func.id)
        if index is None or len(node.args) <= index:
            continue
        texts = [arg.value if isinstance(arg, ast.Constant) else None
                 for arg in node.args[:index + 1]]
        if all(isinstance(text, str) for text in texts):
            yield (texts[0] if index else None), texts[index]


def test_strings_are_marked_only_with_names_makemessages_knows():
    misnamed = [
        f"{path.relative_to(settings.BASE_DIR)}:{node.lineno}"
        for package in PACKAGES
        for path in sorted((Path(settings.BASE_DIR) / package).rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        and node.func.id in UNKNOWN_MARKERS
    ]
    assert not misnamed, f"import gettext_lazy as _ (or call gettext_lazy): {misnamed}"


def test_every_string_marked_in_the_code_is_in_the_catalogue():
    known = {(entry.msgctxt, entry.msgid) for entry in polib.pofile(str(OURS / "django.po"))}
    missing = [
        f"{path.relative_to(settings.BASE_DIR)}: {msgid!r}"
        for package in PACKAGES
        for path in sorted((Path(settings.BASE_DIR) / package).rglob("*.py"))
        if "migrations" not in path.parts
        for context, msgid in _marked_strings(path)
        if (context, msgid) not in known
    ]
    assert not missing, f"not in the catalogue (run `make messages`): {missing[:20]}"


def _translation(entry):
    return entry.msgstr_plural[0] if entry.msgid_plural else entry.msgstr


@pytest.mark.parametrize("source", CATALOGUES, ids=_relative)
def test_compiled_catalogue_matches_the_source(source):
    po = polib.pofile(str(source))
    mo = polib.mofile(str(source.with_suffix(".mo")))
    compiled = {(entry.msgctxt, entry.msgid): _translation(entry) for entry in mo}
    for entry in po.translated_entries():
        assert compiled.get((entry.msgctxt, entry.msgid)) == _translation(entry), (
            f"{entry.msgid!r} is not compiled: run `make messages`"
        )


def _library_catalogues():
    """(app, domain, source catalogue) of every installed library: its English
    catalogue, or its fullest one where it ships none (django-filter)."""
    for app in apps.get_app_configs():
        locale = Path(app.path) / "locale"
        if "site-packages" not in locale.parts:
            continue
        for domain in ("django", "djangojs"):
            english = locale / "en" / "LC_MESSAGES" / f"{domain}.po"
            paths = [english] if english.exists() else locale.glob(f"*/LC_MESSAGES/{domain}.po")
            source = max((polib.pofile(str(path)) for path in paths), key=len, default=None)
            if source is not None:
                yield app.name, domain, source


def _speaks_chinese(catalogue, entry):
    if entry.msgid_plural:
        if entry.msgctxt:
            said = catalogue.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 2)
        else:
            said = catalogue.ngettext(entry.msgid, entry.msgid_plural, 2)
        return said not in (entry.msgid, entry.msgid_plural)
    if entry.msgctxt:
        return catalogue.pgettext(entry.msgctxt, entry.msgid) != entry.msgid
    return catalogue.gettext(entry.msgid) != entry.msgid


def test_every_library_string_speaks_chinese():
    """A library upgrade that brings new untranslated strings fails here, naming them:
    translate them in portal/library_locale, then `make messages`."""
    supplied = {
        (source.stem, entry.msgctxt, entry.msgid)
        for source in CATALOGUES[1:]
        for entry in polib.pofile(str(source)).translated_entries()
    }
    catalogues = {
        "django": trans_real.translation("zh-hans"),
        "djangojs": trans_real.DjangoTranslation("zh-hans", domain="djangojs"),
    }
    missing = [
        f"{app} ({domain}): {entry.msgid[:80]!r}"
        for app, domain, po in _library_catalogues()
        for entry in po
        if not entry.obsolete
        and (domain, entry.msgctxt, entry.msgid) not in supplied
        and not _speaks_chinese(catalogues[domain], entry)
    ]
    assert not missing, f"{len(missing)} library strings in English: {missing[:20]}"


def test_pages_speak_chinese_by_default(client, db):
    response = client.get("/accounts/login/")
    assert response.headers["Content-Language"] == "zh-hans"


def test_admin_listings_speak_chinese_where_wagtail_does_not(client, service_a, resident,
                                                            house_a):
    """Wagtail's zh_Hans lacks the sort titles of every listing header and the counts
    and messages around them; staff read them in Chinese."""
    submit(resident, house=house_a, description="厨房漏水")
    client.force_login(service_a)
    with override("zh-hans"):
        page = client.get(reverse("tickets:index")).content.decode()
        scripts = client.get(reverse("wagtailadmin_javascript_catalog")).content.decode()
    assert "升序排序" in page
    assert "in ascending order" not in page
    assert json.dumps("此菜单中有")[1:-1] in scripts or "此菜单中有" in scripts


@pytest.mark.parametrize("msgid, chinese", [
    ("%(label)s and Publish", "%(label)s并发布"), ("Sign in to Wagtail", "登录管理后台"),
])
def test_wagtails_awkward_wordings_are_corrected(msgid, chinese):
    with override("zh-hans"):
        assert gettext(msgid) == chinese


@pytest.mark.parametrize("msgid, wagtails", [
    ("Pages", "页面"), ("Publish", "发布"), ("Published", "已发布"), ("Owner", "所有者"),
    ("Comment", "评论"), ("Name", "名字"), ("Description", "描述"),
])
def test_our_words_do_not_replace_wagtails_in_the_admin(msgid, wagtails):
    """Our catalogue comes first, so a plain msgid of ours also speaks for Wagtail's
    sidebar and buttons: our own senses (分页, 公示, 业主, 评价内容, 姓名, 问题描述) carry
    a context instead."""
    with override("zh-hans"):
        assert gettext(msgid) == wagtails
