"""Publishing a notice tells every targeted resident, exactly once per page, from a
background task; an editor may push again explicitly."""

import datetime

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from wagtail.models import Revision
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from notices.models import NoticePage, NoticePush
from notices.tasks import send_notice_push
from portal.estates import roles
from portal.notifications.models import InboxMessage
from tests import factories as f
from tests.notices import factories as nf

EMERGENCY = NoticePage.Category.EMERGENCY
QUEUED_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _told(user):
    return InboxMessage.objects.filter(recipient=user).count()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what is queued "on commit" at the end of the block, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_publishing_tells_every_targeted_resident_once(index_a, house_a, resident, neighbour,
                                                       resident_b, committed):
    with committed():
        notice = nf.notice(index_a, targets=[house_a.building], category=EMERGENCY,
                           title="停水")

    assert (_told(resident), _told(neighbour), _told(resident_b)) == (1, 0, 0)
    message = InboxMessage.objects.get(recipient=resident)
    assert "停水" in message.title
    assert message.url == notice.url
    push = NoticePush.objects.get()
    assert (push.round, push.recipients) == (1, 1)
    assert push.sent_at is not None


def test_publishing_a_new_revision_does_not_tell_again(index_a, community_a, resident,
                                                        committed):
    with committed():
        notice = nf.notice(index_a, targets=[community_a])
    with committed():
        notice.summary = "时间有调整。"
        notice.save_revision().publish()
        notice.save_revision().publish()

    assert _told(resident) == 1
    assert NoticePush.objects.count() == 1


def test_unpublishing_and_publishing_again_does_not_tell_again(index_a, community_a, resident,
                                                                committed):
    with committed():
        notice = nf.notice(index_a, targets=[community_a])
    with committed():
        notice.unpublish()
        notice.save_revision().publish()

    assert _told(resident) == 1


def test_scheduled_notice_is_pushed_when_it_goes_live(index_a, community_a, resident,
                                                      committed):
    go_live = timezone.now() + datetime.timedelta(hours=1)
    with committed():
        notice = nf.notice(index_a, targets=[community_a], publish=False, go_live_at=go_live)
        notice.get_latest_revision().publish()  # approved for later, not live yet
    assert _told(resident) == 0

    # The go-live time comes.
    past = timezone.now() - datetime.timedelta(minutes=1)
    revision = Revision.objects.get(approved_go_live_at__isnull=False, object_id=str(notice.pk))
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save()
    with committed():
        call_command("publish_scheduled", verbosity=0)

    assert NoticePage.objects.get(pk=notice.pk).live
    assert _told(resident) == 1


@override_settings(TASKS=QUEUED_TASKS)
def test_the_editors_request_only_queues_the_push(client, manager_a, index_a, community_a,
                                                  resident, committed):
    client.force_login(manager_a)
    data = nested_form_data({
        "title": "停电通知", "slug": "power", "category": "emergency", "summary": "今晚停电。",
        "body": streamfield([]),
        "targets": inline_formset([{"community": community_a.pk, "building": "", "unit": "",
                                    "whole_company": ""}]),
    })
    data["action-publish"] = "1"

    with committed():
        client.post(reverse("wagtailadmin_pages:add",
                            args=["notices", "noticepage", index_a.pk]), data)

    assert NoticePage.objects.get().live
    assert _told(resident) == 0
    assert DBTaskResult.objects.filter(task_path="notices.tasks.send_notice_push").count() == 1


def test_push_again_tells_everyone_once_more(client, manager_a, index_a, community_a, resident,
                                             committed):
    with committed():
        notice = nf.notice(index_a, targets=[community_a])
    client.force_login(manager_a)

    with committed():
        client.post(reverse("notices_reach:push_again", args=[notice.pk]))

    assert _told(resident) == 2
    assert list(NoticePush.objects.values_list("round", flat=True)) == [1, 2]


def test_the_push_task_sends_a_push_only_once(index_a, community_a, resident, committed):
    with committed():
        nf.notice(index_a, targets=[community_a])
    with committed():
        send_notice_push.call(NoticePush.objects.get().pk)

    assert _told(resident) == 1


def test_editor_without_publish_permission_cannot_push_again(client, index_a, community_a,
                                                             company):
    editor = f.StaffFactory(company=company, user__groups=[roles.EDITOR],
                            communities=[community_a]).user
    notice = nf.notice(index_a, targets=[community_a])
    client.force_login(editor)

    response = client.post(reverse("notices_reach:push_again", args=[notice.pk]))

    assert response.status_code in (302, 403)
    assert NoticePush.objects.count() == 1


def test_manager_of_another_community_cannot_push_again(client, manager_b, index_a, community_a):
    notice = nf.notice(index_a, targets=[community_a])
    client.force_login(manager_b)

    response = client.post(reverse("notices_reach:push_again", args=[notice.pk]))

    assert response.status_code == 404
    assert NoticePush.objects.count() == 1


@pytest.mark.parametrize("user", ["manager_a", "manager_b", "resident"])
def test_pushes_are_scoped(request, user, index_a, community_a):
    nf.notice(index_a, targets=[community_a])
    viewer = request.getfixturevalue(user)

    expected = {"manager_a": 1, "manager_b": 0, "resident": 0}[user]
    assert NoticePush.objects.visible_to(viewer).count() == expected
