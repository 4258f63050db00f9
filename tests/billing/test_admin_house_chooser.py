"""The house of a meter reading or a parking space is typed as its label and found among
the user's communities: no list of every house is rendered; a house of another community,
an unknown or an ambiguous label is refused with a clear message and the input kept."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext

from portal.estates import roles
from services.billing.admin_forms import find_house
from services.billing.models import MeterReading, ParkingSpace
from tests import factories as f
from tests.conftest import _staff

pytestmark = pytest.mark.django_db
D = Decimal


def reading_data(house):
    return {"house": house, "utility": "water", "period": "2026-11-03", "reading": "12.5",
            "start_reading": "0", "read_at": "2026-11-03"}


def no_house(text):
    return gettext("No house %(house)s in your communities. Type it as "
                   "building-unit-number, e.g. 3栋-2单元-1201.") % {"house": text}


def test_the_add_forms_render_no_list_of_houses(client, finance_a, house_a, house_a2):
    client.force_login(finance_a)
    for name in ("meter_readings:add", "parking_spaces:add"):
        page = client.get(reverse(name)).content.decode()
        assert 'name="house"' in page
        assert '<select name="house"' not in page
        assert f'<option value="{house_a2.pk}"' not in page


@pytest.mark.parametrize("label", ["1栋-1单元-101", "1栋 1单元 101", "1栋1单元101",
                                   " 1栋/1单元/101 "])
def test_a_reading_is_entered_for_the_house_typed(client, finance_a, house_a, house_a2,
                                                 label):
    client.force_login(finance_a)

    response = client.post(reverse("meter_readings:add"), reading_data(label))

    assert response.status_code == 302
    saved = MeterReading.objects.get()
    assert (saved.house, saved.reading) == (house_a, D("12.5"))


def test_a_house_of_another_community_or_unknown_is_refused_with_the_input_kept(
        client, finance_a, house_a, house_b):
    client.force_login(finance_a)
    for label in ("8栋-1单元-801", "1栋-1单元-999"):
        response = client.post(reverse("meter_readings:add"), reading_data(label))
        page = response.content.decode()
        assert response.status_code == 200
        assert no_house(label) in page
        assert f'value="{label}"' in page
    assert not MeterReading.objects.exists()


def test_a_label_in_two_of_my_communities_is_ambiguous_unless_the_community_is_chosen(
        client, company, community_a, community_b, house_a):
    twin = f.HouseFactory(unit=f.UnitFactory(
        building=f.BuildingFactory(community=community_b, name="1栋"), name="1单元"),
        number="101")
    both = _staff(company, roles.FINANCE, [community_a, community_b])
    client.force_login(both)

    response = client.post(reverse("meter_readings:add"), reading_data("1栋-1单元-101"))
    with pytest.raises(ValidationError) as ambiguous:
        find_house("1栋-1单元-101", both)
    assert ambiguous.value.code == "ambiguous"
    assert response.status_code == 200
    assert escape(ambiguous.value.messages[0]) in response.content.decode()
    assert str(community_b) in ambiguous.value.messages[0]
    assert not MeterReading.objects.exists()

    response = client.post(reverse("parking_spaces:add"), {
        "community": community_b.pk, "number": "B1", "house": "1栋-1单元-101"})
    assert response.status_code == 302
    assert ParkingSpace.objects.get().house == twin


def test_a_parking_space_takes_the_typed_house_and_shows_it_when_edited(
        client, finance_a, house_a, house_b):
    client.force_login(finance_a)
    refused = client.post(reverse("parking_spaces:add"), {
        "community": house_a.community.pk, "number": "A1", "house": "8栋-1单元-801"})
    assert refused.status_code == 200
    assert no_house("8栋-1单元-801") in refused.content.decode()
    assert not ParkingSpace.objects.exists()

    assert client.post(reverse("parking_spaces:add"), {
        "community": house_a.community.pk, "number": "A1", "house": "1栋-1单元-101"}
    ).status_code == 302
    space = ParkingSpace.objects.get()
    assert space.house == house_a
    edit = client.get(reverse("parking_spaces:edit", args=[space.pk])).content.decode()
    assert 'value="1栋-1单元-101"' in edit

    assert client.post(reverse("parking_spaces:edit", args=[space.pk]), {
        "community": house_a.community.pk, "number": "A1", "house": ""}).status_code == 302
    space.refresh_from_db()
    assert space.house is None
