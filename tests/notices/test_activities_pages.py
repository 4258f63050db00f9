"""The activity pages residents use: the list, the page with its places and the
resident's sign-up, signing up and cancelling in place, and the clear refusals."""

import datetime

import pytest
from django.utils import timezone

from notices.models import ActivityPage, ActivitySignup
from tests import factories as f
from tests.notices import factories as nf

CONFIRMED = ActivitySignup.State.CONFIRMED


def another_resident(house):
    resident = f.ResidentFactory(community=house.community)
    f.OccupancyFactory(resident=resident, house=house, state="verified")
    return resident.user


def form(**fields):
    data = {"action": "sign_up", "people": "2", "phone": "13912345678", "note": "带孩子"}
    data.update(fields)
    return data


@pytest.fixture
def activity(activities_a, house_a):
    return nf.activity(activities_a, targets=[house_a.building], capacity=4, ask_note=True,
                       fee="20.00", title="中秋游园会")


@pytest.fixture
def resident_client(client, resident):
    client.force_login(resident)
    return client


def test_the_page_shows_places_left_the_fee_and_the_form(resident_client, activity):
    response = resident_client.get(activity.url)

    html = response.content.decode()
    assert response.status_code == 200
    assert "中秋游园会" in html
    assert "4 places" in html
    assert "¥20.00" in html
    assert 'id="signup-form"' in html
    assert 'value="13800' in html  # the resident's own number, to change if they like


def test_signing_up_in_place(resident_client, resident, activity):
    response = resident_client.post(activity.url, form(), follow=True)

    signup = ActivitySignup.objects.get()
    assert (signup.resident.user, signup.people, signup.note) == (resident, 2, "带孩子")
    html = response.content.decode()
    assert "You are signed up." in html
    assert "For 2 people." in html
    assert "2 places" in html
    assert 'id="cancel-signup"' in html
    assert 'id="signup-form"' not in html


def test_a_waitlisted_resident_sees_their_place_in_line(resident_client, activity, house_a):
    ActivitySignup.sign_up(activity, another_resident(house_a).resident, people=4,
                           phone="13900000000")

    response = resident_client.post(activity.url, form(people="1"), follow=True)

    html = response.content.decode()
    assert "number 1 on the waitlist" in html
    assert "You are number 1 in line" in html


def test_cancelling_in_place(resident_client, resident, activity):
    resident_client.post(activity.url, form())

    response = resident_client.post(activity.url, {"action": "cancel"}, follow=True)

    html = response.content.decode()
    assert ActivitySignup.objects.get().state == ActivitySignup.State.CANCELLED
    assert "Your sign-up is cancelled." in html
    assert "You cancelled your sign-up." in html
    assert 'id="signup-form"' in html  # they may sign up again


def _assert_refused(response, message):
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert "带孩子" in html  # what they typed is kept


def test_signing_up_after_the_deadline_is_refused_with_the_input_kept(resident_client,
                                                                      activity):
    ActivityPage.objects.filter(pk=activity.pk).update(
        signup_deadline=timezone.now() - datetime.timedelta(minutes=1))

    response = resident_client.post(activity.url, form())

    _assert_refused(response, "Sign-up for this activity has closed.")
    assert not ActivitySignup.objects.exists()


def test_a_full_activity_without_waitlist_refuses_with_the_input_kept(
        resident_client, activities_a, house_a):
    activity = nf.activity(activities_a, targets=[house_a.building], capacity=1,
                           waitlist=False, ask_note=True)
    ActivitySignup.sign_up(activity, another_resident(house_a).resident, phone="13900000000")

    response = resident_client.post(activity.url, form(people="1"))

    _assert_refused(response, "This activity is full.")
    assert ActivitySignup.objects.count() == 1


def test_a_second_sign_up_is_refused_and_the_first_stays(resident_client, activity):
    resident_client.post(activity.url, form())

    response = resident_client.post(activity.url, form(people="3"))

    _assert_refused(response, "You have already signed up for this activity.")
    assert list(ActivitySignup.objects.values_list("people", flat=True)) == [2]


@pytest.mark.parametrize(("fields", "message"), [
    ({"people": "9"}, "less than or equal to 4"),
    ({"phone": "12345"}, "11-digit"),
    ({"phone": ""}, "This field is required."),
])
def test_bad_fields_are_marked_next_to_them(resident_client, activity, fields, message):
    response = resident_client.post(activity.url, form(**fields))

    _assert_refused(response, message)
    assert 'class="h5-field__error"' in response.content.decode()
    assert not ActivitySignup.objects.exists()


def test_a_resident_the_activity_is_not_for_is_refused_on_reading_and_signing_up(
        client, neighbour, activity):
    client.force_login(neighbour)

    for response in (client.get(activity.url), client.post(activity.url, form())):
        assert response.status_code == 403
        assert "This activity is not for your building." in response.content.decode()
    assert not ActivitySignup.objects.exists()


def test_staff_read_the_page_without_a_form(client, service_a, activity):
    client.force_login(service_a)

    response = client.post(activity.url, form(), follow=True)

    assert "Only residents can sign up." in response.content.decode()
    assert not ActivitySignup.objects.exists()


def test_a_visitor_reads_a_public_activity_and_is_asked_to_log_in(client, activities_a,
                                                                  house_a):
    activity = nf.activity(activities_a, targets=[house_a.building], public=True)

    html = client.get(activity.url).content.decode()

    assert "Log in as a resident to sign up." in html
    assert 'id="signup-form"' not in html


def test_a_visitor_cannot_read_an_activity_that_is_not_public(client, activity):
    response = client.get(activity.url)

    assert response.status_code == 403
    assert "中秋游园会" not in response.content.decode()


# -- the list --------------------------------------------------------------------------------

def test_the_list_shows_coming_activities_soonest_first_then_past_ones(
        resident_client, activities_a, house_a, house_a2):
    later = nf.activity(activities_a, targets=[house_a.building], title="重阳登山",
                        starts_in_days=20)
    sooner = nf.activity(activities_a, targets=[house_a.building], title="中秋游园会")
    past = nf.activity(activities_a, targets=[house_a.building], title="端午包粽子")
    ActivityPage.objects.filter(pk=past.pk).update(
        starts_at=timezone.now() - datetime.timedelta(days=30),
        ends_at=timezone.now() - datetime.timedelta(days=30, hours=-2))
    nf.activity(activities_a, targets=[house_a2.building], title="2栋专场")

    response = resident_client.get(activities_a.url)

    upcoming = [a.title for a in response.context["upcoming"]]
    assert upcoming == [sooner.title, later.title]
    assert [a.title for a in response.context["past"]] == ["端午包粽子"]
    assert "2栋专场" not in response.content.decode()


def test_the_home_page_tile_leads_to_the_activities(resident_client, home_a, activities_a):
    tiles = {tile.key: tile.url for tile in resident_client.get(home_a.url).context["tiles"]}

    assert tiles["activities"] == activities_a.url


def test_search_finds_activities_for_the_residents_they_target(
        client, resident, neighbour, index_a, activities_a, house_a):
    nf.activity(activities_a, targets=[house_a.building], title="中秋游园会")

    client.force_login(resident)
    found = client.get(index_a.url, {"q": "游园"}).context["results"]
    client.force_login(neighbour)
    not_found = client.get(index_a.url, {"q": "游园"}).context["results"]

    assert [page.title for page in found] == ["中秋游园会"]
    assert not_found == []
