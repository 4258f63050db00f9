"""Every refusal of an invitation shows at once, each next to its field with the input
kept: a bad phone no longer hides a bad plate or a bad window until the next send."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils.translation import gettext

from services.visitors.models import VisitorPass, VisitorSetting

from .passes_setup import form

pytestmark = pytest.mark.django_db



def test_a_bad_phone_a_bad_plate_and_a_past_window_are_all_shown(client, resident, house_a):
    client.force_login(resident)
    response = client.post(reverse("visitors:invite"), form(
        house_a, visitor_phone="123", plate="QWERTYUIOP", starts_in=timedelta(hours=-3),
        hours=2))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"visitor_phone", "plate", "starts_at"}
    assert errors["starts_at"] == [
        gettext("The start is in the past: choose a time from now on.")]
    assert "粤B12345" in errors["plate"][0]
    page = response.content.decode()
    for field in ("visitor_phone", "plate", "starts_at"):
        assert f'id="id_{field}_error"' in page  # next to its field
    for kept in ('value="123"', 'value="QWERTYUIOP"', 'value="王五"', 'value="探亲"'):
        assert kept in page
    assert not VisitorPass.objects.exists()


def test_a_bad_phone_does_not_hide_the_communitys_rules(client, resident, house_a,
                                                        community_a):
    VisitorSetting.objects.create(community=community_a, max_window_hours=2,
                                  allow_multi_entry=False)
    client.force_login(resident)
    response = client.post(reverse("visitors:invite"), form(
        house_a, visitor_phone="123", hours=3, kind="multi"))
    errors = response.context["form"].errors
    assert set(errors) == {"visitor_phone", "ends_at", "kind"}
    assert errors["ends_at"] == [gettext("A pass lasts at most %(hours)s hours.")
                                 % {"hours": 2}]
    assert errors["kind"] == [gettext("This community does not allow this kind of pass.")]


def test_a_field_the_form_refused_shows_one_message(client, resident, house_a):
    client.force_login(resident)
    response = client.post(reverse("visitors:invite"), form(
        house_a, visitor_name=" ", people="0", plate="ABC"))
    errors = response.context["form"].errors
    assert set(errors) == {"visitor_name", "people", "plate"}
    assert len(errors["visitor_name"]) == len(errors["people"]) == 1


def test_a_good_form_still_makes_the_pass_with_the_plate_written_one_way(client, resident,
                                                                         house_a):
    client.force_login(resident)
    response = client.post(reverse("visitors:invite"), form(house_a, plate="粤b 123·45"))
    assert response.status_code == 302
    assert VisitorPass.objects.get().plate == "粤B12345"
