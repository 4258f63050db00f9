"""A walk-in after the owner has answered: the guard who registered the visitor is told,
the gate's home and expected list show the walk-in's state, and a confirmed one has a
"record entry" button that goes through gate.admit once. A house with nobody to confirm
is refused at registration, the guard's input kept. The owner's second tap on confirm or
decline is the success it was the first time, and tells the gate once."""

import re
from uuid import uuid4

import pytest
from django.urls import reverse
from django.utils.translation import gettext

from portal.notifications.models import InboxMessage
from services.visitors.models import GateEntry, PassEvent, VisitorPass, VisitorSetting
from tests import factories as f

from .gate_setup import *  # noqa: F403 (the fixtures)
from .gate_setup import gate_url, make_pass

pytestmark = pytest.mark.django_db


def walk_in_data(house, **fields):
    return {"key": uuid4().hex, "building": house.building_id, "unit": house.unit_id,
            "house": house.pk, "visitor_name": "赵六", "visitor_phone": "", "people": "2",
            "plate": "", "purpose": "送货", **fields}


@pytest.fixture
def walk_in(client, guard_a, resident, house_a):
    client.force_login(guard_a)
    response = client.post(gate_url("walk_in"), walk_in_data(house_a))
    assert response.status_code == 302
    return VisitorPass.objects.get(source=VisitorPass.Source.WALK_IN)


def card(page, visitor_pass):
    """The pass's card on a gate page, or "" when the page does not list it."""
    found = re.search(rf'<li [^>]*id="pass-{visitor_pass.pk}".*?</li>', page, re.S)
    return found[0] if found else ""


def admit_form(page, visitor_pass):
    """The fields the card's "record entry" form posts."""
    form = re.search(rf'<form [^>]*id="admit-form-{visitor_pass.pk}".*?</form>',
                     page, re.S)[0]
    assert f'action="{gate_url("admit")}"' in form
    return dict(re.findall(r'<input type="hidden" name="(code|key)" value="([^"]+)"', form))


def test_a_walk_in_awaiting_the_owner_is_listed_without_an_entry_button(client, walk_in):
    for page_name in ("home", "expected"):
        shown = card(client.get(gate_url(page_name)).content.decode(), walk_in)
        assert gettext("Awaiting the owner's confirmation") in shown
        assert gettext("Registered at the gate") in shown
        assert "admit-form" not in shown


def test_a_confirmed_walk_in_is_let_in_from_the_gate_s_list_once(client, walk_in, resident,
                                                                 guard_a):
    walk_in.confirm_walk_in(by=resident)
    page = client.get(gate_url("home")).content.decode()
    assert 'data-state="active"' in card(page, walk_in)
    fields = admit_form(page, walk_in)
    assert fields["code"] == walk_in.token  # names this pass alone, not a typed code

    response = client.post(gate_url("admit"), fields)
    assert response.status_code == 302
    walk_in.refresh_from_db()
    assert walk_in.state == VisitorPass.State.USED
    entry = GateEntry.objects.get(visitor_pass=walk_in)
    assert (entry.result, entry.guard) == (GateEntry.Result.ADMITTED, guard_a)
    # A double tap records once; the used walk-in leaves the list.
    client.post(gate_url("admit"), fields)
    assert GateEntry.objects.filter(visitor_pass=walk_in).count() == 1
    assert not card(client.get(gate_url("home")).content.decode(), walk_in)


def test_the_expected_list_offers_the_entry_of_a_confirmed_walk_in(client, walk_in,
                                                                   resident):
    walk_in.confirm_walk_in(by=resident)
    page = client.get(gate_url("expected")).content.decode()
    assert admit_form(page, walk_in)["code"] == walk_in.token


def test_an_invited_pass_is_never_let_in_from_the_list(client, guard_a, resident, house_a):
    invited = make_pass(resident, house_a)
    client.force_login(guard_a)
    page = client.get(gate_url("expected")).content.decode()
    shown = card(page, invited)
    assert shown and "admit-form" not in shown
    assert invited.code not in page and invited.token not in page


def test_a_confirmed_walk_in_of_another_community_cannot_be_admitted(
        client, walk_in, resident, guard_b):
    walk_in.confirm_walk_in(by=resident)
    fields = admit_form(client.get(gate_url("home")).content.decode(), walk_in)
    client.force_login(guard_b)
    response = client.post(gate_url("admit"), fields)
    assert response.status_code == 409
    walk_in.refresh_from_db()
    assert walk_in.state == VisitorPass.State.ACTIVE


@pytest.mark.parametrize("verb, event, state", [
    ("confirm_walk_in", "visitors.walk_in.confirmed", "active"),
    ("decline_walk_in", "visitors.walk_in.declined", "declined")])
def test_the_guard_is_told_when_the_owner_answers(client, walk_in, resident, guard_a, verb,
                                                  event, state):
    getattr(walk_in, verb)(by=resident)
    message = InboxMessage.objects.get(recipient=guard_a)
    assert message.event == event and "赵六" in message.body
    assert message.url == f"{gate_url('home')}#pass-{walk_in.pk}"
    assert f'data-state="{state}"' in card(client.get(message.url).content.decode(), walk_in)


def test_a_declined_walk_in_shows_as_declined_with_no_way_in(client, walk_in, resident):
    walk_in.decline_walk_in(by=resident)
    shown = card(client.get(gate_url("home")).content.decode(), walk_in)
    assert gettext("Declined by the owner") in shown and "admit-form" not in shown


@pytest.mark.parametrize("action, state, event, done", [
    ("confirm", VisitorPass.State.ACTIVE, PassEvent.Action.CONFIRMED,
     "Your visitor may come in: the gate is told."),
    ("decline", VisitorPass.State.DECLINED, PassEvent.Action.DECLINED,
     "The visitor is declined: the gate is told.")])
def test_a_second_tap_of_the_owner_succeeds_and_tells_the_gate_once(
        client, walk_in, resident, guard_a, action, state, event, done):
    client.force_login(resident)
    url = reverse("visitors:action", args=[walk_in.pk, action])
    client.post(url)
    page = client.post(url, follow=True).content.decode()
    assert f'<p class="h5-message h5-message_success">{gettext(done)}</p>' in page
    assert "h5-message_error" not in page
    walk_in.refresh_from_db()
    assert walk_in.state == state
    assert walk_in.events.filter(action=event).count() == 1
    assert InboxMessage.objects.filter(recipient=guard_a).count() == 1


def test_confirming_an_invited_pass_is_still_refused(client, resident, house_a):
    invited = make_pass(resident, house_a)
    client.force_login(resident)
    page = client.post(reverse("visitors:action", args=[invited.pk, "confirm"]),
                       follow=True).content.decode()
    assert gettext("This pass is %(state)s; that cannot be done now.") % {
        "state": gettext("Valid")} in page


def test_a_walk_in_to_a_house_nobody_can_confirm_is_refused_with_the_input_kept(
        client, guard_a, resident, house_a):
    empty = f.HouseFactory(unit=house_a.unit, number="102")
    client.force_login(guard_a)
    response = client.post(gate_url("walk_in"), walk_in_data(empty, plate="粤B12345"))
    assert response.status_code == 400
    assert response.context["form"].errors["house"] == [gettext(
        "No verified occupant of this house can confirm the visitor. Call the "
        "management office before letting them in.")]
    page = response.content.decode()
    assert 'value="赵六"' in page and 'value="粤B12345"' in page
    assert not VisitorPass.objects.exists() and not GateEntry.objects.exists()
    # The key was given back: the corrected form registers.
    response = client.post(gate_url("walk_in"), {**walk_in_data(house_a),
                                                 "key": response.context["form"]["key"].value()})
    assert response.status_code == 302 and VisitorPass.objects.count() == 1


def test_where_walk_ins_need_no_confirmation_an_empty_house_still_lets_them_in(
        client, guard_a, house_a, community_a):
    VisitorSetting.objects.create(community=community_a, walk_ins_need_confirmation=False)
    empty = f.HouseFactory(unit=house_a.unit, number="102")
    client.force_login(guard_a)
    assert client.post(gate_url("walk_in"), walk_in_data(empty)).status_code == 302
    assert VisitorPass.objects.get().state == VisitorPass.State.USED
