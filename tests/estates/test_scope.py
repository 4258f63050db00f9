"""visible_to(user): the data-permission choke point, model by model."""

import pytest

from portal.estates.models import (
    Building,
    Community,
    House,
    Occupancy,
    OwnerRecord,
    Resident,
    Staff,
    Unit,
)
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(house_a, house_b, resident, resident_b):
    return {
        "a": {"community": house_a.community, "house": house_a,
              "owner_record": f.OwnerRecordFactory(house=house_a),
              "resident": resident.resident},
        "b": {"community": house_b.community, "house": house_b,
              "owner_record": f.OwnerRecordFactory(house=house_b),
              "resident": resident_b.resident},
    }


def rows_of(community):
    return {
        Community: Community.objects.filter(pk=community.pk),
        Building: Building.objects.filter(community=community),
        Unit: Unit.objects.filter(community=community),
        House: House.objects.filter(community=community),
        OwnerRecord: OwnerRecord.objects.filter(community=community),
        Resident: Resident.objects.filter(community=community),
        Occupancy: Occupancy.objects.filter(community=community),
    }


@pytest.mark.parametrize("model", [Community, Building, Unit, House, OwnerRecord, Resident,
                                   Occupancy])
def test_staff_of_community_a_see_a_and_nothing_of_b(directory, service_a, model):
    visible = set(model.objects.visible_to(service_a).values_list("pk", flat=True))
    assert set(rows_of(directory["a"]["community"])[model].values_list("pk", flat=True)) <= visible
    assert not visible & set(rows_of(directory["b"]["community"])[model].values_list("pk",
                                                                                    flat=True))


@pytest.mark.parametrize("model", [Community, Building, Unit, House, OwnerRecord, Resident,
                                   Occupancy])
def test_leadership_sees_every_community(directory, leadership, model):
    visible = set(model.objects.visible_to(leadership).values_list("pk", flat=True))
    for side in ("a", "b"):
        assert set(rows_of(directory[side]["community"])[model].values_list("pk",
                                                                            flat=True)) <= visible


def test_resident_sees_only_their_own_records(directory, resident, neighbour):
    me = resident.resident
    assert list(Resident.objects.visible_to(resident)) == [me]
    assert set(Occupancy.objects.visible_to(resident)) == set(me.occupancies.all())
    assert list(House.objects.visible_to(resident)) == [directory["a"]["house"]]
    assert not OwnerRecord.objects.visible_to(resident).exists()
    assert not Staff.objects.visible_to(resident).exists()
    assert list(Community.objects.visible_to(resident)) == [directory["a"]["community"]]


def test_outsiders_and_anonymous_see_nothing(directory, outsider, merchant):
    from django.contrib.auth.models import AnonymousUser

    for user in (outsider, merchant, AnonymousUser()):
        for model in (Community, Building, House, OwnerRecord, Resident, Occupancy, Staff):
            assert not model.objects.visible_to(user).exists(), (user, model)


def test_disabled_staff_see_nothing(directory, service_a):
    service_a.is_active = False
    service_a.save()
    assert not House.objects.visible_to(service_a).exists()


def test_staff_see_colleagues_of_their_communities_only(service_a, manager_a, manager_b):
    visible = set(Staff.objects.visible_to(service_a))
    assert manager_a.staff in visible
    assert manager_b.staff not in visible
