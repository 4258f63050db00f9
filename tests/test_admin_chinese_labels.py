"""Staff read the admin in Chinese (the site's default language): no English field
labels on inspect views, no Python True/False in yes/no columns, and no secret-derived
digest shown at all."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from services.visitors.models import GateEntry
from tests.merchants import factories as mf
from tests.merchants.shop import factories as sf

pytestmark = pytest.mark.django_db

def _page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _read_out(html):
    """The screen-reader texts of the page's icons."""
    return set(re.findall(r'class="w-sr-only">\s*(.*?)\s*</span>', html))


def _python_booleans(html):
    """Cells and screen-reader texts that say True/False, however they are spaced."""
    squeezed = "".join(html.split())
    return [text for text in (">True<", ">False<") if text in squeezed]


# Yes/no columns -------------------------------------------------------------------------

def test_community_listing_says_yes_or_no_in_chinese(client, leadership, community_a,
                                                     community_b):
    community_a.registration_open = False
    community_a.save()
    html = _page(client, leadership, reverse("community:index"))
    assert not _python_booleans(html)
    assert {"是", "否"} <= _read_out(html)


def test_resident_listing_says_yes_or_no_in_chinese(client, records_a, resident):
    html = _page(client, records_a, reverse("resident:index"))
    assert not _python_booleans(html)
    assert "是" in _read_out(html)


def test_merchant_listing_says_published_in_chinese(client, manager_a, home_a):
    mf.merchant(mf.merchant_index(home_a), approve_by=manager_a)
    html = _page(client, manager_a, reverse("merchants:index"))
    assert not _python_booleans(html)


def test_product_listing_says_on_sale_in_chinese(client, manager_a, home_a):
    shop = mf.merchant(mf.merchant_index(home_a), approve_by=manager_a)
    sf.product(shop, name="牛肉面")
    sf.product(shop, name="凉皮", active=False)
    html = _page(client, manager_a, reverse("shop_products:index"))
    assert "牛肉面" in html
    assert not _python_booleans(html)
    assert {"是", "否"} <= _read_out(html)


def test_visitor_settings_listing_says_yes_or_no_in_chinese(client, manager_a, community_a):
    from services.visitors.models import VisitorSetting

    VisitorSetting.objects.get_or_create(community=community_a)
    html = _page(client, manager_a, reverse("visitor_settings:index"))
    assert not _python_booleans(html)


# Inspect views ----------------------------------------------------------------------------

def test_community_inspect_labels_are_chinese(client, manager_a, community_a):
    """The label Django derived from the field's name is replaced by a translatable one
    (Chinese once the catalogue has it: test_translations.py asks for that)."""
    html = _page(client, manager_a, reverse("community:inspect", args=[community_a.pk]))
    assert "Registration version" not in html
    label = "".join(gettext("Registration code version").split())
    assert f"<dt>{label}</dt>" in "".join(html.split())


def test_unit_inspect_labels_are_chinese(client, manager_a, house_a):
    html = _page(client, manager_a, reverse("unit:inspect", args=[house_a.unit.pk]))
    assert "Community" not in html


def test_house_inspect_labels_are_chinese(client, manager_a, house_a):
    html = _page(client, manager_a, reverse("house:inspect", args=[house_a.pk]))
    assert "Building" not in html
    assert "Community" not in html


def test_gate_log_inspect_shows_no_code_digest(client, manager_a, community_a):
    digest = "d1g3st" * 10
    entry = GateEntry.objects.create(community=community_a, result=GateEntry.Result.REFUSED,
                                     reason=GateEntry.Reason.UNKNOWN, code_digest=digest)
    html = _page(client, manager_a, reverse("visitor_log:inspect", args=[entry.pk]))
    assert "Code digest" not in html
    assert digest not in html


def test_inspect_labels_of_the_estate_directory_have_no_english(client, manager_a, house_a):
    """Every label of the directory's inspect views that show all of a model's fields
    (the community's, with its one label awaiting the catalogue, is tested above)."""
    client.force_login(manager_a)
    building = house_a.building
    for url in (reverse("building:inspect", args=[building.pk]),
                reverse("unit:inspect", args=[house_a.unit.pk]),
                reverse("house:inspect", args=[house_a.pk])):
        html = client.get(url).content.decode()
        labels = re.findall(r"<dt[^>]*>\s*(.*?)\s*</dt>", html, re.S)
        assert labels, url
        english = [label for label in labels if re.search(r"[A-Za-z]{3,}", label)]
        assert not english, (url, english)


# Relative times ---------------------------------------------------------------------------

def test_wagtail_s_relative_times_are_chinese():
    """Wagtail's naturaltime filter (workflow status "now", "a minute ago") is Django's
    humanize, whose Chinese catalogue loads only when the app is installed."""
    from datetime import timedelta

    from django.template import Context, Template

    template = Template("{% load wagtailadmin_tags %}{{ now|naturaltime }}|{{ then|naturaltime }}")
    now = timezone.now()
    rendered = template.render(Context({"now": now, "then": now - timedelta(seconds=70)}))
    assert "now" not in rendered
    assert "ago" not in rendered
    assert rendered.startswith("现在|") and "分钟" in rendered


def test_exports_say_yes_or_no_not_true_or_false(client, leadership, community_a):
    client.force_login(leadership)
    response = client.get(reverse("community:index"), {"export": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig") \
        if response.streaming else response.content.decode("utf-8-sig")
    assert community_a.name in text
    assert "True" not in text and "False" not in text
    assert "是" in text or "否" in text
