"""A visitor without a pass, registered by the guard: the house chosen building → unit →
house within the gate's community, the plate written one way, the input kept when
something is wrong, the owner asked to confirm (or told, where the community lets
walk-ins in at once), and a double tap registering once."""

from uuid import uuid4

import pytest
from django.utils.translation import gettext

from portal.notifications.models import InboxMessage
from services.visitors.models import VisitorPass, VisitorSetting
from services.visitors.plates import normalise_plate
from tests import factories as f

from .gate_setup import *  # noqa: F403 (the fixtures)
from .gate_setup import gate_url

pytestmark = pytest.mark.django_db


def form_data(chosen, **fields):
    return {"key": uuid4().hex, "building": chosen.building_id, "unit": chosen.unit_id,
            "house": chosen.pk, "visitor_name": "张师傅", "visitor_phone": "",
            "people": "1", "plate": "粤b 123·45", "purpose": "送家具", **fields}


def test_the_walk_in_form_offers_the_gate_s_buildings_only(client, guard_a, house_a,
                                                           house_b):
    client.force_login(guard_a)
    form = client.get(gate_url("walk_in")).context["form"]
    assert list(form.fields["building"].queryset) == [house_a.building]
    assert not form.fields["unit"].queryset.exists()


def test_choosing_a_building_fills_in_its_units_and_keeps_the_input(client, guard_a,
                                                                    house_a):
    client.force_login(guard_a)
    response = client.post(gate_url("walk_in"), {
        "refresh": "1", "building": house_a.building_id, "visitor_name": "张师傅"})
    form = response.context["form"]
    assert list(form.fields["unit"].queryset) == [house_a.unit]
    assert 'value="张师傅"' in response.content.decode()
    assert not VisitorPass.objects.exists()


def test_a_walk_in_waits_for_the_owner_s_confirmation(client, guard_a, resident, house_a,
                                                      django_capture_on_commit_callbacks):
    client.force_login(guard_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(gate_url("walk_in"), form_data(house_a))
    assert response.status_code == 302
    visitor_pass = VisitorPass.objects.get()
    assert visitor_pass.source == VisitorPass.Source.WALK_IN
    assert visitor_pass.state == VisitorPass.State.AWAITING_CONFIRMATION
    assert visitor_pass.plate == "粤B12345"
    assert InboxMessage.objects.filter(recipient=resident).exists()


def test_a_community_may_let_walk_ins_in_without_confirmation(
        client, guard_a, resident, house_a, community_a, django_capture_on_commit_callbacks):
    VisitorSetting.objects.create(community=community_a, walk_ins_need_confirmation=False)
    client.force_login(guard_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(gate_url("walk_in"), form_data(house_a))
    visitor_pass = VisitorPass.objects.get()
    assert visitor_pass.state != VisitorPass.State.AWAITING_CONFIRMATION
    assert InboxMessage.objects.filter(recipient=resident).exists()


def test_a_double_tapped_walk_in_registers_once(client, guard_a, resident, house_a):
    client.force_login(guard_a)
    data = form_data(house_a)
    client.post(gate_url("walk_in"), data)
    response = client.post(gate_url("walk_in"), data)
    assert response.status_code == 302
    assert VisitorPass.objects.count() == 1


def test_a_wrong_plate_is_explained_and_the_input_kept(client, guard_a, resident, house_a):
    client.force_login(guard_a)
    response = client.post(gate_url("walk_in"), form_data(house_a, plate="ABC"))
    assert response.status_code == 400
    errors = response.context["form"].errors["plate"]
    with pytest.raises(Exception) as refused:
        normalise_plate("ABC")
    assert errors == refused.value.messages
    page = response.content.decode()
    assert 'value="张师傅"' in page and 'value="ABC"' in page
    assert not VisitorPass.objects.exists()


def test_a_house_of_another_community_cannot_be_posted(client, guard_a, house_a, house_b):
    client.force_login(guard_a)
    response = client.post(gate_url("walk_in"), form_data(house_b))
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not VisitorPass.objects.exists()


def test_a_house_outside_the_chosen_unit_is_refused(client, guard_a, house_a, community_a):
    other = f.HouseFactory(unit=f.UnitFactory(building=house_a.building, name="2单元"),
                           number="102")
    client.force_login(guard_a)
    response = client.post(gate_url("walk_in"), form_data(house_a, house=other.pk))
    assert response.status_code == 400
    assert response.context["form"].errors["house"]
    assert not VisitorPass.objects.exists()


def test_the_visitor_s_phone_is_checked(client, guard_a, house_a):
    client.force_login(guard_a)
    response = client.post(gate_url("walk_in"), form_data(house_a, visitor_phone="12345"))
    assert response.context["form"].errors["visitor_phone"] == [
        gettext("Enter an 11-digit mainland mobile number, such as 13800138000.")]
