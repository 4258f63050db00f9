"""seed_demo: the demo estate a newcomer logs in to, and the large estate of the benchmarks."""

import re
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.test import override_settings
from wagtail.models import ModelLogEntry

from portal.accounts.models import User
from portal.estates import demo, roles
from portal.estates.models import (
    Building,
    Community,
    Company,
    House,
    Occupancy,
    OwnerRecord,
    Resident,
    Staff,
    Trade,
    Unit,
)
from tests import factories as f

pytestmark = pytest.mark.django_db


def seed_demo(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def output():
    return seed_demo()


def test_demo_estate_is_one_company_with_two_communities_and_a_thousand_houses(output):
    assert Company.objects.get().name == demo.COMPANY
    assert Community.objects.count() == 2
    assert 10 <= Building.objects.count() <= 14
    assert House.objects.count() == 1000


def test_demo_estate_has_flats_shops_parking_spaces_and_storage_rooms(output):
    kinds = set(House.objects.values_list("kind", flat=True))
    assert kinds == set(House.Kind.values)


def test_house_numbers_read_floor_then_position(output):
    house = House.objects.get(community__code="jinxiu", building__name="1栋",
                              unit__name="1单元", number="1201")
    assert house.floor == 12
    assert house.label == "1栋1单元1201"


def test_bulk_created_rows_carry_their_denormalised_community(output):
    assert not House.objects.exclude(community=F("unit__community")).exists()
    assert not House.objects.exclude(building=F("unit__building")).exists()
    assert not Unit.objects.exclude(community=F("building__community")).exists()
    assert not OwnerRecord.objects.exclude(community=F("house__community")).exists()
    assert not Occupancy.objects.exclude(community=F("house__community")).exists()


def test_most_houses_have_an_owner_on_file(output):
    assert OwnerRecord.objects.values("house").distinct().count() > 0.75 * House.objects.count()


def test_owner_phone_numbers_are_encrypted_at_rest_and_found_by_their_index(output):
    record = OwnerRecord.objects.filter(house__number="1201", house__unit__name="1单元",
                                        house__building__name="1栋",
                                        community__code="jinxiu").get()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT phone FROM {OwnerRecord._meta.db_table} WHERE id = %s",
                       [record.pk])
        stored = cursor.fetchone()[0]
    assert record.phone == "13800000001"
    assert "13800000001" not in stored
    assert User.find_by_phone(record.phone).resident.name == record.name


def test_generated_residents_log_in_by_their_phone(output):
    occupancy = Occupancy.objects.filter(resident__user__username__startswith="r-demo-",
                                         state=Occupancy.State.VERIFIED).first()
    assert User.find_by_phone(occupancy.resident.phone) == occupancy.resident.user
    assert occupancy.resident.user.check_password(demo.PASSWORD)


def test_residents_hold_every_state_and_every_role(output):
    assert set(Occupancy.objects.values_list("state", flat=True)) == set(
        Occupancy.State.values)
    assert set(Occupancy.objects.values_list("role", flat=True)) == set(Occupancy.Role.values)


def test_exactly_one_resident_account_is_disabled(output):
    assert Resident.objects.filter(user__is_active=False).count() == 1


def test_every_role_has_a_demo_account(output):
    for role in roles.ROLE_PERMISSIONS:
        assert Group.objects.get(name=role).user_set.exists(), role


def test_staff_are_bound_to_a_community_and_leadership_to_none(output):
    leadership = Staff.objects.get(user__groups__name=roles.LEADERSHIP)
    assert not leadership.communities.exists()
    assert Community.objects.visible_to(leadership.user).count() == 2
    others = Staff.objects.exclude(pk=leadership.pk)
    assert all(staff.communities.count() == 1 for staff in others)


def test_workers_cover_every_trade(output):
    covered = set(Trade.objects.filter(workers__isnull=False).values_list("code", flat=True))
    assert covered == set(Trade.objects.values_list("code", flat=True))


def test_demo_personas_history_is_in_the_audit_log(output):
    resident = User.find_by_phone("13800000005").resident
    occupancy = resident.occupancies.get()
    assert occupancy.state == Occupancy.State.REJECTED
    assert ModelLogEntry.objects.for_instance(occupancy).filter(
        action="estates.occupancy.reject").exists()


def test_verified_demo_owner_matches_the_owner_on_file(output):
    occupancy = User.find_by_phone("13800000001").resident.occupancies.get()
    assert occupancy.state == Occupancy.State.VERIFIED
    assert occupancy.matches_owner_record()


def test_printed_resident_login_works_at_the_login_page(output, client):
    assert re.search(r"resident: owner, verified\s+13800000001\s+demo1234\s+锦绣苑", output)
    response = client.post("/accounts/login/",
                           {"login": "13800000001", "password": demo.PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.find_by_phone("13800000001").pk)


def test_printed_staff_login_opens_the_admin(output, client):
    assert re.search(r"jinxiu-records\s+demo1234\s+锦绣苑", output)
    assert client.login(username="jinxiu-records", password=demo.PASSWORD)
    assert client.get("/admin/").status_code == 200


def test_running_again_creates_and_changes_nothing(output):
    models = [Company, Community, Building, Unit, House, OwnerRecord, Resident, Occupancy,
              Staff, User, ModelLogEntry]
    before = {model: sorted(model.objects.values_list("pk", flat=True)) for model in models}
    states = list(Occupancy.objects.order_by("pk").values_list("state", "decided_at"))

    again = seed_demo()

    assert {model: sorted(model.objects.values_list("pk", flat=True))
            for model in models} == before
    assert list(Occupancy.objects.order_by("pk").values_list("state", "decided_at")) == states
    assert "Created nothing" in again
    assert "13800000001" in again


def test_if_empty_does_nothing_once_a_company_exists():
    f.CompanyFactory(name="另一家物业")
    out = seed_demo("--if-empty")
    assert "already holds a company" in out
    assert not Community.objects.exists()


def test_if_empty_loads_the_demo_into_an_empty_database():
    seed_demo("--if-empty")
    assert House.objects.count() == 1000


def test_houses_option_builds_that_many_houses_and_prints_the_time():
    out = seed_demo("--houses", "2000")
    assert House.objects.count() == 2000
    assert re.search(r"2000 houses.* in \d+\.\d s", out)


def test_a_larger_estate_completes_the_demo_without_duplicating_it(output):
    seed_demo("--houses", "2500")
    assert House.objects.count() == 2500
    assert User.objects.filter(username="demo-resident-1").count() == 1


def test_refuses_to_run_without_debug():
    with override_settings(DEBUG=False, TESTING=False), pytest.raises(CommandError):
        seed_demo()
    assert not Company.objects.exists()


def test_refuses_fewer_houses_than_the_demo_needs():
    with pytest.raises(CommandError):
        seed_demo("--houses", "50")


def test_each_demo_community_has_notices_an_activity_a_handbook_and_contacts(output):
    from notices.models import ActivityPage, ContactPage, HandbookPage, NoticePage

    for community in Community.objects.all():
        notices = NoticePage.objects.live().filter(community=community)
        assert notices.count() == 3
        assert notices.filter(category=NoticePage.Category.EMERGENCY).exists()
        assert all(notice.targets.exists() for notice in notices)
        for model in (ActivityPage, HandbookPage, ContactPage):
            assert model.objects.live().filter(community=community).count() == 1


def test_seeding_again_adds_no_second_set_of_pages(output):
    from notices.models import NoticePage

    before = NoticePage.objects.count()
    seed_demo()
    assert NoticePage.objects.count() == before
