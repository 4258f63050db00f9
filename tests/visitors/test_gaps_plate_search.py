"""The desk's search of the visitor passes in the admin: plates are stored written one
way (粤B12345), and a clerk typing one with a space, a dot or in lower case finds it all
the same, among their own community's passes only. Names and parts of plates are still
searched as typed."""

import pytest
from django.urls import reverse

from .gate_setup import make_pass

pytestmark = pytest.mark.django_db


def listed(client, user, query):
    client.force_login(user)
    response = client.get(reverse("visitor_passes:index"), {"q": query})
    assert response.status_code == 200
    return list(response.context["object_list"])


@pytest.mark.parametrize("query", ["粤b 12345", " 粤B 123·45 "])
def test_desk_staff_find_a_pass_by_its_plate_typed_loosely(client, service_a, resident,
                                                          house_a, resident_b, house_b,
                                                          query):
    ours = make_pass(resident, house_a, plate="粤B12345")
    make_pass(resident_b, house_b, plate="粤B12345")  # the same car, at community B
    assert listed(client, service_a, query) == [ours]


def test_names_and_parts_of_plates_are_still_searched(client, service_a, resident,
                                                      house_a):
    ours = make_pass(resident, house_a, visitor_name="李四", plate="粤B12345")
    make_pass(resident, house_a, visitor_name="王五", plate="粤A88888")
    assert listed(client, service_a, "李四") == [ours]
    assert listed(client, service_a, "12345") == [ours]
