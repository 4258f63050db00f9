"""Activity sign-ups in the admin: the list and head-count, check-in, the .xlsx export,
the link from the page, and staff of another community kept out."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from notices.models import ActivityPage, ActivitySignup
from tests import factories as f
from tests.notices import factories as nf

PHONE = "13912345678"


def another_resident(house, name):
    resident = f.ResidentFactory(community=house.community, name=name)
    f.OccupancyFactory(resident=resident, house=house, state="verified")
    return resident


@pytest.fixture
def activity(activities_a, house_a):
    return nf.activity(activities_a, targets=[house_a.building], capacity=3, ask_note=True)


@pytest.fixture
def signups(activity, house_a):
    confirmed = ActivitySignup.sign_up(activity, another_resident(house_a, "王芳"), people=3,
                                       phone=PHONE, note="坐轮椅")
    waiting = ActivitySignup.sign_up(activity, another_resident(house_a, "李雷"), people=2,
                                     phone="13700001111")
    return confirmed, waiting


def on_the_day(activity):
    now = timezone.now()
    ActivityPage.objects.filter(pk=activity.pk).update(
        starts_at=now, ends_at=now + datetime.timedelta(hours=1))


def url(name, *args):
    return reverse(f"notices_activities:{name}", args=args)


def test_staff_see_the_sign_ups_with_the_head_count_and_masked_phones(client, service_a,
                                                                      activity, signups):
    client.force_login(service_a)

    response = client.get(url("signups", activity.pk))

    html = response.content.decode()
    assert response.status_code == 200
    count = response.context["head_count"]
    assert (count.confirmed_people, count.confirmed_signups) == (3, 1)
    assert (count.waitlisted_people, count.waitlisted_signups) == (2, 1)
    assert "王芳" in html and "李雷" in html and "坐轮椅" in html
    assert "139****5678" in html
    assert PHONE not in html


def test_the_index_lists_the_activities_of_my_communities(client, service_a, manager_b,
                                                          activity, signups, activities_b,
                                                          house_b):
    other = nf.activity(activities_b, targets=[house_b.building], title="翠湖音乐会")
    client.force_login(service_a)

    html = client.get(url("index")).content.decode()

    assert activity.title in html
    assert other.title not in html


def test_staff_check_people_in_on_the_day(client, service_a, activity, signups):
    confirmed, _waiting = signups
    on_the_day(activity)
    client.force_login(service_a)

    page = client.get(url("signups", activity.pk)).content.decode()
    response = client.post(url("check_in", activity.pk, confirmed.pk), follow=True)

    assert url("check_in", activity.pk, confirmed.pk) in page
    confirmed.refresh_from_db()
    assert confirmed.checked_in_by == service_a
    assert "王芳 checked in." in response.content.decode()
    assert response.context["head_count"].checked_in_people == 3


def test_check_in_before_the_day_is_refused_with_a_message(client, service_a, activity,
                                                           signups):
    confirmed, _waiting = signups
    client.force_login(service_a)

    page = client.get(url("signups", activity.pk)).content.decode()
    response = client.post(url("check_in", activity.pk, confirmed.pk), follow=True)

    assert url("check_in", activity.pk, confirmed.pk) not in page
    assert "Check-in is on the day of the activity." in response.content.decode()
    confirmed.refresh_from_db()
    assert confirmed.checked_in_at is None


def test_the_export_is_a_sheet_with_masked_phones(client, service_a, activity, signups):
    client.force_login(service_a)

    response = client.get(url("export", activity.pk))

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f"activity-{activity.pk}-signups.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Name", "House", "People", "Contact phone")
    assert [(row[0], row[2], row[3], row[6]) for row in rows[1:]] == [
        ("王芳", 3, "139****5678", None), ("李雷", 2, "137****1111", 1)]
    assert PHONE not in str(rows)


def test_the_activitys_admin_pages_link_to_its_sign_ups(client, manager_a, activity,
                                                        activities_a):
    client.force_login(manager_a)

    edit = client.get(reverse("wagtailadmin_pages:edit", args=[activity.pk]))
    explorer = client.get(reverse("wagtailadmin_explore", args=[activities_a.pk]))

    assert url("signups", activity.pk) in edit.content.decode()
    assert url("signups", activity.pk) in explorer.content.decode()


# -- data permission -------------------------------------------------------------------------

def test_staff_of_another_community_cannot_reach_the_sign_ups(client, manager_b, activity,
                                                              signups, activities_b, house_b):
    confirmed, _waiting = signups
    on_the_day(activity)
    their_activity = nf.activity(activities_b, targets=[house_b.building], title="翠湖音乐会")
    client.force_login(manager_b)

    assert activity.title not in client.get(url("index")).content.decode()
    assert client.get(url("signups", activity.pk)).status_code == 404
    assert client.get(url("export", activity.pk)).status_code == 404
    assert client.post(url("check_in", activity.pk, confirmed.pk)).status_code == 404
    # A guessed sign-up id under an activity of their own.
    assert client.post(url("check_in", their_activity.pk, confirmed.pk)).status_code == 404
    confirmed.refresh_from_db()
    assert confirmed.checked_in_at is None


def test_residents_and_outsiders_cannot_open_the_sign_ups(client, activity, signups,
                                                          resident, outsider):
    for user in (resident, outsider):
        client.force_login(user)
        for response in (client.get(url("index")), client.get(url("signups", activity.pk)),
                         client.get(url("export", activity.pk))):
            assert response.status_code in (302, 403)
