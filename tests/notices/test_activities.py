"""Activity sign-ups: the rules of ActivitySignup.sign_up, cancel and check_in, the
waitlist, and publishing an activity telling its residents once."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from wagtail.models import PageLogEntry

from notices.models import ActivityPage, ActivityPush, ActivitySignup
from portal.estates.errors import TransitionNotAllowed
from portal.notifications.models import InboxMessage
from tests import factories as f
from tests.notices import factories as nf

CONFIRMED = ActivitySignup.State.CONFIRMED
WAITLISTED = ActivitySignup.State.WAITLISTED
CANCELLED = ActivitySignup.State.CANCELLED
PHONE = "13912345678"


@pytest.fixture(autouse=True)
def english():
    # The refusals are matched by their source (English) words, whatever language an
    # earlier test left active.
    with translation.override("en"):
        yield


def sign_up(activity, user, **fields):
    fields.setdefault("phone", PHONE)
    return ActivitySignup.sign_up(activity, user.resident, **fields)


def another_resident(house):
    resident = f.ResidentFactory(community=house.community)
    f.OccupancyFactory(resident=resident, house=house, state="verified")
    return resident.user


def move(activity, **times):
    """Shift an activity's times in the database (as if time had passed)."""
    ActivityPage.objects.filter(pk=activity.pk).update(**times)
    activity.refresh_from_db()


@pytest.fixture
def activity(activities_a, house_a):
    return nf.activity(activities_a, targets=[house_a.building], capacity=4)


# -- signing up ------------------------------------------------------------------------------

def test_a_targeted_resident_signs_up_and_it_is_logged(activity, resident):
    signup = sign_up(activity, resident, people=2, note="带孩子")

    assert (signup.state, signup.people, signup.community_id) == (
        CONFIRMED, 2, activity.community_id)
    assert signup.house.number == "101"
    assert activity.remaining_places() == 2
    entry = PageLogEntry.objects.get(action="notices.activity.sign_up")
    assert entry.page_id == activity.pk
    assert entry.user_id == resident.pk
    assert PHONE not in str(entry.data)


def test_the_contact_phone_is_encrypted_at_rest_and_shown_masked(activity, resident):
    signup = sign_up(activity, resident)

    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM notices_activitysignup WHERE id = %s", [signup.pk])
        stored = cursor.fetchone()[0]
    assert PHONE not in stored
    assert ActivitySignup.objects.get().phone == PHONE
    assert signup.masked_phone == "139****5678"


def test_only_the_fields_the_activity_asks_for_are_kept(activities_a, community_a, resident):
    activity = nf.activity(activities_a, targets=[community_a], ask_people=False,
                           ask_phone=False, ask_note=False)

    signup = sign_up(activity, resident, people=3, note="x")

    assert (signup.people, signup.phone, signup.note) == (1, "", "")


def test_sign_up_after_the_deadline_is_refused(activity, resident):
    move(activity, signup_deadline=timezone.now() - datetime.timedelta(minutes=1))

    with pytest.raises(TransitionNotAllowed, match="closed"):
        sign_up(activity, resident)
    assert not ActivitySignup.objects.exists()


def test_a_resident_the_activity_is_not_for_is_refused(activity, neighbour, resident_b):
    for user in (neighbour, resident_b):
        with pytest.raises(TransitionNotAllowed, match="not for your building"):
            sign_up(activity, user)
    assert not ActivitySignup.objects.exists()


def test_signing_up_twice_is_refused(activity, resident):
    sign_up(activity, resident)

    with pytest.raises(TransitionNotAllowed, match="already signed up"):
        sign_up(activity, resident, people=3)
    assert ActivitySignup.objects.get().people == 1


def test_the_database_keeps_one_live_sign_up_per_resident(activity, resident):
    signup = sign_up(activity, resident)

    with pytest.raises(IntegrityError), transaction.atomic():
        ActivitySignup.objects.create(activity=activity, community_id=signup.community_id,
                                      resident=signup.resident)


def test_a_resident_may_sign_up_again_after_cancelling(activity, resident):
    sign_up(activity, resident).cancel(by=resident)

    again = sign_up(activity, resident)

    assert again.state == CONFIRMED
    assert ActivitySignup.objects.count() == 2


def test_an_unpublished_activity_takes_no_sign_ups(activity, resident):
    activity.unpublish()

    with pytest.raises(TransitionNotAllowed, match="not open"):
        sign_up(activity, resident)


@pytest.mark.parametrize("people", [0, 5])
def test_the_number_of_people_must_be_within_the_limit(activity, resident, people):
    with pytest.raises(ValidationError) as error:
        sign_up(activity, resident, people=people)
    assert "people" in error.value.message_dict
    assert not ActivitySignup.objects.exists()


def test_a_phone_is_required_when_the_activity_asks_for_one(activity, resident):
    with pytest.raises(ValidationError) as error:
        sign_up(activity, resident, phone="")
    assert "phone" in error.value.message_dict


def test_of_several_houses_the_one_the_activity_is_for_is_recorded(activities_a, resident,
                                                                   house_a, house_a2):
    f.OccupancyFactory(resident=resident.resident, house=house_a2, state="verified")
    activity = nf.activity(activities_a, targets=[house_a2.building])

    assert sign_up(activity, resident).house == house_a2


def test_a_house_that_is_not_the_residents_is_refused(activity, resident, house_a2):
    with pytest.raises(ValidationError) as error:
        sign_up(activity, resident, house=house_a2)
    assert "house" in error.value.message_dict


# -- capacity and the waitlist ---------------------------------------------------------------

def test_capacity_counts_people_and_the_rest_wait_in_line(activity, resident, house_a):
    first, second, third = (another_resident(house_a) for _ in range(3))
    sign_up(activity, resident, people=3)

    waiting = sign_up(activity, first, people=2)
    fits = sign_up(activity, second, people=1)
    also_waiting = sign_up(activity, third, people=1)

    assert (waiting.state, fits.state, also_waiting.state) == (WAITLISTED, CONFIRMED, WAITLISTED)
    assert (waiting.waitlist_place(), also_waiting.waitlist_place()) == (1, 2)
    assert activity.remaining_places() == 0


def test_a_full_activity_without_a_waitlist_refuses(activities_a, house_a, resident):
    activity = nf.activity(activities_a, targets=[house_a.building], capacity=2,
                           waitlist=False)
    sign_up(activity, resident, people=2)

    with pytest.raises(TransitionNotAllowed, match="full"):
        sign_up(activity, another_resident(house_a))
    assert ActivitySignup.objects.count() == 1


def test_without_a_waitlist_a_party_larger_than_the_places_left_is_told_how_many_are_left(
        activities_a, house_a, resident):
    activity = nf.activity(activities_a, targets=[house_a.building], capacity=3,
                           waitlist=False)
    sign_up(activity, resident, people=2)

    with pytest.raises(TransitionNotAllowed, match="Only 1 places are left"):
        sign_up(activity, another_resident(house_a), people=2)


def test_cancelling_moves_the_first_waitlisted_who_fits_up_and_tells_them(
        activity, resident, house_a):
    big, small = another_resident(house_a), another_resident(house_a)
    mine = sign_up(activity, resident, people=2)
    sign_up(activity, another_resident(house_a), people=2)
    big_signup = sign_up(activity, big, people=3)
    small_signup = sign_up(activity, small, people=2)

    promoted = mine.cancel(by=resident)

    assert promoted == [small_signup]
    big_signup.refresh_from_db()
    small_signup.refresh_from_db()
    assert (small_signup.state, small_signup.position) == (CONFIRMED, None)
    assert (big_signup.state, big_signup.waitlist_place()) == (WAITLISTED, 1)
    message = InboxMessage.objects.get(recipient=small)
    assert activity.title in message.title
    assert not InboxMessage.objects.filter(recipient=big).exists()
    assert PageLogEntry.objects.filter(action="notices.activity.promote").count() == 1


def test_cancelling_a_waitlisted_sign_up_promotes_nobody(activity, resident, house_a):
    sign_up(activity, resident, people=4)
    waiting = sign_up(activity, another_resident(house_a))

    assert waiting.cancel(by=waiting.resident.user) == []
    assert ActivitySignup.objects.filter(state=CONFIRMED).count() == 1


def test_cancelling_twice_is_refused(activity, resident):
    signup = sign_up(activity, resident)
    signup.cancel(by=resident)

    with pytest.raises(TransitionNotAllowed, match="already cancelled"):
        signup.cancel(by=resident)
    assert PageLogEntry.objects.filter(action="notices.activity.cancel").count() == 1


def test_a_sign_up_cannot_be_cancelled_once_the_activity_has_started(activity, resident):
    signup = sign_up(activity, resident)
    move(activity, starts_at=timezone.now() - datetime.timedelta(minutes=5))

    with pytest.raises(TransitionNotAllowed, match="started"):
        signup.cancel(by=resident)
    signup.refresh_from_db()
    assert signup.state == CONFIRMED


# -- check-in --------------------------------------------------------------------------------

def test_staff_check_people_in_on_the_day(activity, resident, service_a):
    signup = sign_up(activity, resident)
    move(activity, starts_at=timezone.now(), ends_at=timezone.now() + datetime.timedelta(hours=1))

    signup.check_in(by=service_a)

    signup.refresh_from_db()
    assert signup.checked_in_at is not None
    assert signup.checked_in_by == service_a
    assert PageLogEntry.objects.filter(action="notices.activity.check_in",
                                       user=service_a).exists()


def test_check_in_before_the_day_is_refused(activity, resident, service_a):
    signup = sign_up(activity, resident)

    with pytest.raises(TransitionNotAllowed, match="on the day"):
        signup.check_in(by=service_a)


def test_checking_in_twice_is_refused(activity, resident, service_a):
    signup = sign_up(activity, resident)
    move(activity, starts_at=timezone.now(), ends_at=timezone.now() + datetime.timedelta(hours=1))
    signup.check_in(by=service_a)

    with pytest.raises(TransitionNotAllowed, match="Already"):
        signup.check_in(by=service_a)


def test_only_confirmed_sign_ups_are_checked_in(activity, resident, house_a, service_a):
    sign_up(activity, resident, people=4)
    waiting = sign_up(activity, another_resident(house_a))
    move(activity, starts_at=timezone.now(), ends_at=timezone.now() + datetime.timedelta(hours=1))

    with pytest.raises(TransitionNotAllowed, match="confirmed"):
        waiting.check_in(by=service_a)


def test_residents_and_staff_of_another_community_cannot_check_in(activity, resident,
                                                                  manager_b):
    signup = sign_up(activity, resident)
    move(activity, starts_at=timezone.now(), ends_at=timezone.now() + datetime.timedelta(hours=1))

    for user in (resident, manager_b):
        with pytest.raises(TransitionNotAllowed, match="staff"):
            signup.check_in(by=user)
    signup.refresh_from_db()
    assert signup.checked_in_at is None


# -- who sees sign-ups -----------------------------------------------------------------------

def test_a_resident_sees_only_their_own_sign_ups(activity, resident, house_a):
    mine = sign_up(activity, resident)
    sign_up(activity, another_resident(house_a))

    assert list(ActivitySignup.objects.visible_to(resident)) == [mine]


def test_staff_see_the_sign_ups_of_their_communities_only(activity, resident, service_a,
                                                          manager_b, leadership, outsider):
    signup = sign_up(activity, resident)

    assert list(ActivitySignup.objects.visible_to(service_a)) == [signup]
    assert list(ActivitySignup.objects.visible_to(leadership)) == [signup]
    assert not ActivitySignup.objects.visible_to(manager_b).exists()
    assert not ActivitySignup.objects.visible_to(outsider).exists()


# -- publishing ------------------------------------------------------------------------------

def test_publishing_an_activity_tells_its_residents_once(activities_a, house_a, resident,
                                                          neighbour,
                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        activity = nf.activity(activities_a, targets=[house_a.building], title="亲子手工")
    with django_capture_on_commit_callbacks(execute=True):
        activity.save_revision().publish()

    assert InboxMessage.objects.filter(recipient=resident).count() == 1
    assert "亲子手工" in InboxMessage.objects.get(recipient=resident).title
    assert not InboxMessage.objects.filter(recipient=neighbour).exists()
    push = ActivityPush.objects.get()
    assert (push.round, push.recipients) == (1, 1)
