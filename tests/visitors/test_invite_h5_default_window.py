"""The invitation form's window starts now: a visitor already at the gate when the owner
invites them gets in at once (it used to start at the next half hour and the gate said
"not yet valid"). A start the owner chose a few minutes before sending is still "now"; a
window already over is refused."""

import re
from datetime import timedelta
from uuid import uuid4

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from services.visitors import gate
from services.visitors.models import VisitorPass, VisitorSetting

pytestmark = pytest.mark.django_db
FORMAT = "%Y-%m-%dT%H:%M"


def rendered_window(page):
    """The start and end the page's pickers show, as aware times."""
    values = {}
    for field in ("starts_at", "ends_at"):
        found = re.search(rf'<input[^>]*id="id_{field}"[^>]*>', page).group(0)
        value = re.search(r'value="([^"]+)"', found).group(1)
        values[field] = timezone.make_aware(timezone.datetime.strptime(value, FORMAT))
    return values["starts_at"], values["ends_at"]


def filled_in(page, house, **fields):
    """What the owner sends after filling in the visitor and keeping the window shown."""
    starts_at, ends_at = rendered_window(page)
    key = re.search(r'name="key" value="([0-9a-f]{32})"', page).group(1)
    return {"key": key, "house": house.pk, "visitor_name": "王五", "people": "1",
            "kind": "single", "starts_at": starts_at.strftime(FORMAT),
            "ends_at": ends_at.strftime(FORMAT), **fields}


def test_the_form_offers_a_window_from_this_minute(client, resident):
    client.force_login(resident)
    before = timezone.now()
    page = client.get(reverse("visitors:invite")).content.decode()
    starts_at, ends_at = rendered_window(page)
    assert starts_at <= timezone.now()  # valid at once
    assert before - starts_at < timedelta(minutes=1)  # rounded down to the minute only
    assert ends_at - starts_at == timedelta(hours=4)


def test_the_offered_window_lets_a_visitor_at_the_gate_in_at_once(client, resident,
                                                                   house_a, community_a):
    client.force_login(resident)
    page = client.get(reverse("visitors:invite")).content.decode()
    response = client.post(reverse("visitors:invite"), filled_in(page, house_a))
    assert response.status_code == 302
    visitor_pass = VisitorPass.objects.get()
    verdict = gate.inspect(community_a, visitor_pass.code)
    assert verdict.ok, verdict.reason


def test_the_offered_window_is_no_longer_than_the_community_allows(client, resident,
                                                                    house_a, community_a):
    VisitorSetting.objects.create(community=community_a, max_window_hours=2)
    client.force_login(resident)
    page = client.get(reverse("visitors:invite")).content.decode()
    starts_at, ends_at = rendered_window(page)
    assert ends_at - starts_at == timedelta(hours=2)
    response = client.post(reverse("visitors:invite"), filled_in(page, house_a))
    assert response.status_code == 302


def test_a_start_a_few_minutes_ago_is_still_now(client, resident, house_a, community_a):
    """The owner took a while to fill the form in: its start has just gone by."""
    client.force_login(resident)
    start = timezone.localtime() - timedelta(minutes=7)
    response = client.post(reverse("visitors:invite"), {
        "key": uuid4().hex, "house": house_a.pk, "visitor_name": "王五", "people": "1",
        "kind": "single", "starts_at": start.strftime(FORMAT),
        "ends_at": (start + timedelta(hours=2)).strftime(FORMAT)})
    assert response.status_code == 302
    assert gate.inspect(community_a, VisitorPass.objects.get().code).ok


def test_a_window_whose_end_has_gone_by_is_refused(client, resident, house_a):
    client.force_login(resident)
    start = timezone.localtime() - timedelta(minutes=8)
    response = client.post(reverse("visitors:invite"), {
        "key": uuid4().hex, "house": house_a.pk, "visitor_name": "王五", "people": "1",
        "kind": "single", "starts_at": start.strftime(FORMAT),
        "ends_at": (start + timedelta(minutes=5)).strftime(FORMAT)})
    assert response.status_code == 400
    assert response.context["form"].errors["ends_at"] == [
        gettext("This window is already over: choose a time to come.")]
    assert not VisitorPass.objects.exists()
