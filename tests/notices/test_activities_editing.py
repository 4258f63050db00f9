"""Creating an activity in the Wagtail admin: targets required for publishing, times
that make sense, and the residents told once it is published."""

import datetime

from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from notices.models import ActivityPage
from portal.notifications.models import InboxMessage

NO_TARGET = "Choose who the activity is for (at least one target) before publishing it."


def _when(days, hours=0):
    moment = timezone.localtime() + datetime.timedelta(days=days, hours=hours)
    return moment.strftime("%Y-%m-%d %H:%M")


def _activity_form(targets, **fields):
    data = {
        "title": "中秋游园会", "slug": "mid-autumn", "summary": "猜灯谜、做月饼。",
        "place": "中心广场", "starts_at": _when(7), "ends_at": _when(7, 2),
        "signup_deadline": _when(6), "capacity": "30", "waitlist": "on",
        "ask_people": "on", "max_people": "4", "ask_phone": "on", "fee": "",
        "body": streamfield([]), "targets": inline_formset(targets),
    }
    data.update(fields)
    form = nested_form_data(data)
    form["action-publish"] = "1"
    return form


def _add_url(parent):
    return reverse("wagtailadmin_pages:add", args=["notices", "activitypage", parent.pk])


def _building(house):
    return {"whole_company": "", "community": "", "building": house.building_id, "unit": ""}


def test_a_manager_publishes_an_activity_and_its_residents_are_told(
        client, manager_a, activities_a, house_a, resident, neighbour,
        django_capture_on_commit_callbacks):
    client.force_login(manager_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_add_url(activities_a), _activity_form([_building(house_a)]))

    assert response.status_code == 302
    activity = ActivityPage.objects.get()
    assert activity.live and activity.capacity == 30
    assert InboxMessage.objects.filter(recipient=resident).count() == 1
    assert not InboxMessage.objects.filter(recipient=neighbour).exists()


def test_an_activity_without_a_target_cannot_be_published(client, manager_a, activities_a):
    client.force_login(manager_a)

    response = client.post(_add_url(activities_a), _activity_form([]))

    assert response.status_code == 200
    assert NO_TARGET in response.content.decode()
    assert not ActivityPage.objects.exists()


def test_times_that_do_not_fit_together_are_refused(client, manager_a, activities_a, house_a):
    client.force_login(manager_a)

    response = client.post(_add_url(activities_a), _activity_form(
        [_building(house_a)], ends_at=_when(6), signup_deadline=_when(8)))

    html = response.content.decode()
    assert "The activity must end after it starts." in html
    assert "Sign-up must close before the activity starts." in html
    assert not ActivityPage.objects.exists()


def test_an_editor_cannot_add_an_activity_in_another_community(client, manager_b,
                                                               activities_a, house_a):
    client.force_login(manager_b)

    response = client.post(_add_url(activities_a), _activity_form([_building(house_a)]))

    assert response.status_code in (302, 403)
    assert not ActivityPage.objects.exists()
