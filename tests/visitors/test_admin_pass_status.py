"""The admin's passes read as the gate reads them: a pass past its window is stored as valid
but is listed, exported, shown and filtered as expired."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils.translation import gettext

from .gate_setup import *  # noqa: F403 (the fixtures)
from .gate_setup import make_pass
from .test_admin import exported_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def expired(resident, house_a):
    return make_pass(resident, house_a, visitor_name="过期", starts_in=timedelta(days=-2),
                     hours=2)


@pytest.fixture
def valid(resident, house_a):
    return make_pass(resident, house_a, visitor_name="有效期内")


def _row_text(page, visitor_pass):
    row = page[page.find(f"/{visitor_pass.pk}/"):]
    return re.sub(r"<[^>]+>", " ", row[:row.find("</tr>")])


def test_the_list_says_expired_for_a_pass_past_its_window(client, manager_a, expired, valid):
    client.force_login(manager_a)
    page = client.get(reverse("visitor_passes:index")).content.decode()
    assert gettext("Expired") in _row_text(page, expired)
    assert gettext("Valid") not in _row_text(page, expired)
    assert gettext("Valid") in _row_text(page, valid)


def test_the_export_says_expired_for_a_pass_past_its_window(client, manager_a, expired,
                                                            valid):
    rows = exported_rows(client, manager_a, "visitor_passes:index")
    by_name = {row[2]: row for row in rows[1:]}
    assert by_name["过期"][-1] == gettext("Expired")
    assert by_name["有效期内"][-1] == gettext("Valid")


def test_the_detail_says_expired_for_a_pass_past_its_window(client, manager_a, expired):
    client.force_login(manager_a)
    page = client.get(reverse("visitor_passes:inspect", args=[expired.pk])).content.decode()
    assert gettext("Expired") in page


@pytest.mark.parametrize("status, shown", [("expired", "过期"), ("active", "有效期内")])
def test_the_state_filter_tells_expired_passes_from_valid_ones(client, manager_a, expired,
                                                                valid, status, shown):
    client.force_login(manager_a)
    response = client.get(reverse("visitor_passes:index"), {"state": status})
    assert [p.visitor_name for p in response.context["object_list"]] == [shown]
