"""Sign-ups racing for the last places, in real threads with their own database
connections and transactions: the activity's row lock lets them count one at a time, so
an activity is never overbooked."""

import importlib
import threading

import pytest
from django.apps import apps
from django.db import connection
from django.utils.translation import gettext
from wagtail.models import Locale, Page

from notices.models import ActivitySignup
from portal.estates.errors import TransitionNotAllowed
from tests import factories as f
from tests.notices import factories as nf

# Not serialized_rollback: restoring the serialized database brings back rows that point
# at content types the flush recreated, which breaks the transactional tests after it.
pytestmark = pytest.mark.django_db(transaction=True)

RACERS = 8


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        # SQLite has no row locks: its writers queue for the whole database instead.
        pytest.skip("row locking needs PostgreSQL")


@pytest.fixture(autouse=True)
def page_tree(postgresql_only, settings):
    """After an earlier transactional test the database is flushed: plant the page tree
    the migrations made (Wagtail's root, the portal root and its Site)."""
    if not Page.objects.filter(depth=1).exists():
        locale, _ = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    migration = importlib.import_module("home.migrations.0002_portal_root_page")
    migration.create_portal_root(apps, None)


def race(activity, residents):
    """Every resident signs up at the same moment; returns the outcomes."""
    start = threading.Barrier(len(residents))
    outcomes = []

    def sign_up(resident):
        start.wait()
        try:
            signup = ActivitySignup.sign_up(activity, resident, phone="13900000000")
            outcomes.append(signup.state)
        except TransitionNotAllowed as error:
            outcomes.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=[resident]) for resident in residents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.fixture
def building_residents(activities_a, house_a):
    residents = []
    for _ in range(RACERS):
        resident = f.ResidentFactory(community=house_a.community)
        f.OccupancyFactory(resident=resident, house=house_a, state="verified")
        residents.append(resident)
    return residents


def test_the_last_place_goes_to_exactly_one_of_many_at_once(activities_a, house_a,
                                                            building_residents):
    activity = nf.activity(activities_a, targets=[house_a.building], capacity=1,
                           waitlist=False)

    outcomes = race(activity, building_residents)

    assert outcomes.count(ActivitySignup.State.CONFIRMED) == 1
    assert outcomes.count(gettext("This activity is full.")) == RACERS - 1
    assert ActivitySignup.objects.count() == 1


def test_racers_past_the_places_line_up_on_the_waitlist_in_distinct_places(
        activities_a, house_a, building_residents):
    activity = nf.activity(activities_a, targets=[house_a.building], capacity=3)

    race(activity, building_residents)

    assert activity.confirmed_people() == 3
    waiting = ActivitySignup.objects.filter(state=ActivitySignup.State.WAITLISTED)
    assert sorted(waiting.values_list("position", flat=True)) == list(range(1, RACERS - 2))


def test_a_double_submit_at_the_same_moment_signs_up_once(activities_a, house_a,
                                                          building_residents):
    activity = nf.activity(activities_a, targets=[house_a.building], capacity=10)
    resident = building_residents[0]

    outcomes = race(activity, [resident, resident, resident])

    assert outcomes.count(ActivitySignup.State.CONFIRMED) == 1
    assert ActivitySignup.objects.filter(resident=resident).count() == 1
