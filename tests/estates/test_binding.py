"""A resident binds a house: building-unit, the number on the door, their role."""

import pytest
from django.test import Client
from django.urls import reverse

from portal.estates.models import Occupancy
from tests import factories as f

BIND = reverse("estates:bind_house")
ME = reverse("estates:me")


@pytest.fixture
def client():
    # The portal speaks Chinese by default; these tests read its source (English) strings.
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def newcomer(community_a):
    """A resident of community A who has not bound a house yet."""
    return f.ResidentFactory(community=community_a, user__phone="13700001111")


@pytest.fixture
def newcomer_client(client, newcomer):
    client.force_login(newcomer.user)
    return client


def test_bind_form_lists_only_units_of_the_residents_community(newcomer_client, house_a,
                                                               house_b):
    response = newcomer_client.get(BIND)

    units = list(response.context["form"].fields["unit"].queryset)
    assert units == [house_a.unit]


def test_binding_a_house_creates_a_pending_occupancy(newcomer_client, newcomer, house_a):
    response = newcomer_client.post(BIND, {"unit": house_a.unit_id, "number": "101",
                                           "role": "owner"})

    assert response["Location"] == ME
    occupancy = Occupancy.objects.get(resident=newcomer)
    assert (occupancy.house, occupancy.role, occupancy.state) == (house_a, "owner", "pending")


def test_full_width_digits_find_the_house(newcomer_client, newcomer, house_a):
    newcomer_client.post(BIND, {"unit": house_a.unit_id, "number": "１０１", "role": "tenant"})

    assert Occupancy.objects.get(resident=newcomer).house == house_a


def test_me_shows_the_new_binding_as_pending(newcomer_client, house_a):
    newcomer_client.post(BIND, {"unit": house_a.unit_id, "number": "101", "role": "owner"})

    page = newcomer_client.get(ME).content.decode()

    assert "1栋1单元101" in page
    assert "Pending verification" in page


def test_unknown_house_number_is_named_next_to_the_field_and_input_kept(newcomer_client,
                                                                       newcomer, house_a):
    response = newcomer_client.post(BIND, {"unit": house_a.unit_id, "number": "9909",
                                           "role": "family"})

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["number"]
    assert "There is no house 9909 in 1栋1单元" in errors["number"][0]
    page = response.content.decode()
    assert 'value="9909"' in page
    assert f'value="{house_a.unit_id}" selected' in page
    assert 'value="family" id="id_role_1" checked' in page or \
        ('value="family"' in page and "checked" in page)
    assert not Occupancy.objects.filter(resident=newcomer).exists()


def test_binding_the_same_house_twice_gets_a_clear_message(newcomer_client, newcomer,
                                                           house_a):
    data = {"unit": house_a.unit_id, "number": "101", "role": "owner"}
    newcomer_client.post(BIND, data)

    response = newcomer_client.post(BIND, data)

    assert "already bound this house" in str(response.context["form"].errors["number"])
    assert Occupancy.objects.filter(resident=newcomer).count() == 1


def test_unit_of_another_community_cannot_be_chosen(newcomer_client, newcomer, house_b):
    response = newcomer_client.post(BIND, {"unit": house_b.unit_id, "number": "801",
                                           "role": "owner"})

    assert "unit" in response.context["form"].errors
    assert not Occupancy.objects.filter(resident=newcomer).exists()


def test_binding_needs_a_login(client, db):
    response = client.get(BIND)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_staff_are_told_the_page_is_for_residents(client, service_a):
    client.force_login(service_a)

    response = client.get(BIND)

    assert response.status_code == 403
    assert "for residents" in response.content.decode()


def test_me_shows_the_masked_phone_not_the_full_number(newcomer_client):
    page = newcomer_client.get(ME).content.decode()

    assert "137****1111" in page
    assert "13700001111" not in page


def test_me_shows_a_rejection_with_its_reason(client, newcomer, house_a, records_a):
    occupancy = newcomer.request_occupancy(house_a, "owner")
    occupancy.reject(by=records_a, reason="Not on the owners' file")
    client.force_login(newcomer.user)

    page = client.get(ME).content.decode()

    assert "Rejected" in page
    assert "Not on the owners&#x27; file" in page


def test_me_shows_an_ended_binding(client, newcomer, house_a, records_a):
    newcomer.request_occupancy(house_a, "tenant").end(by=records_a)
    client.force_login(newcomer.user)

    page = client.get(ME).content.decode()

    assert "Ended" in page
