"""Sign-ups racing for the last places, in real threads with their own database
connections and transactions: the activity's row lock lets them count one at a time, so
an activity is never overbooked."""

import pytest
from django.utils.translation import gettext

from notices.models import ActivitySignup
from portal.estates.errors import TransitionNotAllowed
from tests import factories as f
from tests.notices import factories as nf
from tests.races import page_tree, postgresql_only, race  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("postgresql_only", "page_tree")]

RACERS = 8


def sign_up_together(activity, residents):
    """Every resident signs up at the same moment; returns the outcomes."""
    states, errors = race(lambda index: ActivitySignup.sign_up(
        activity, residents[index], phone="13900000000").state, len(residents))
    assert all(isinstance(error, TransitionNotAllowed) for error in errors), errors
    return states + [str(error) for error in errors]


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

    outcomes = sign_up_together(activity, building_residents)

    assert outcomes.count(ActivitySignup.State.CONFIRMED) == 1
    assert outcomes.count(gettext("This activity is full.")) == RACERS - 1
    assert ActivitySignup.objects.count() == 1


def test_racers_past_the_places_line_up_on_the_waitlist_in_distinct_places(
        activities_a, house_a, building_residents):
    activity = nf.activity(activities_a, targets=[house_a.building], capacity=3)

    sign_up_together(activity, building_residents)

    assert activity.confirmed_people() == 3
    waiting = ActivitySignup.objects.filter(state=ActivitySignup.State.WAITLISTED)
    assert sorted(waiting.values_list("position", flat=True)) == list(range(1, RACERS - 2))


def test_a_double_submit_at_the_same_moment_signs_up_once(activities_a, house_a,
                                                          building_residents):
    activity = nf.activity(activities_a, targets=[house_a.building], capacity=10)
    resident = building_residents[0]

    outcomes = sign_up_together(activity, [resident, resident, resident])

    assert outcomes.count(ActivitySignup.State.CONFIRMED) == 1
    assert ActivitySignup.objects.filter(resident=resident).count() == 1
