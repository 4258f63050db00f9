"""notify_many(): one notification to many people, written in bulk, sent in batches."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from portal.accounts.models import User
from portal.notifications import notify_many
from portal.notifications.models import Delivery, InboxMessage
from tests import factories as f
from tests.notifications.conftest import APPID
from tests.wechat.factories import FollowerFactory

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _followers(account, community, wechat_stub, count, prefix="o-many"):
    users = []
    for number in range(count):
        user = f.ResidentFactory(community=community).user
        openid = f"{prefix}-{number}"
        wechat_stub.add_follower(APPID, openid)
        FollowerFactory(account=account, openid=openid, user=user)
        users.append(user)
    return users


def test_everyone_gets_the_inbox_message_and_followers_the_template_message(
        account, template, community_a, resident, wechat_stub, deliver):
    followers = _followers(account, community_a, wechat_stub, 5)

    told = deliver(notify_many, User.objects.filter(resident__community=community_a),
                   "notifications.test")

    assert told == 6
    assert InboxMessage.objects.count() == 6
    assert len(wechat_stub.sent_templates) == 5
    statuses = dict(Delivery.objects.values_list("message__recipient", "status"))
    assert statuses == {**{user.pk: "sent" for user in followers}, resident.pk: "skipped"}


def test_a_recipient_given_twice_is_told_once(resident, deliver):
    assert deliver(notify_many, [resident, resident.pk, resident], "notifications.test") == 1
    assert InboxMessage.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_deliveries_are_sent_in_batches_of_the_configured_size(
        account, template, community_a, wechat_stub, settings):
    settings.TASKS = DATABASE_TASKS
    settings.NOTIFICATIONS_BATCH_SIZE = 3
    users = _followers(account, community_a, wechat_stub, 7)

    notify_many(users, "notifications.test")

    batches = [task.args_kwargs["args"][0] for task in DBTaskResult.objects.filter(
        task_path="portal.notifications.tasks.send_deliveries")]
    assert sorted(len(batch) for batch in batches) == [1, 3, 3]
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0",
                 verbosity=0)
    assert Delivery.objects.filter(status="sent").count() == 7
    assert len(wechat_stub.sent_templates) == 7


def test_writing_for_more_people_takes_no_more_queries(account, template, community_a,
                                                       wechat_stub):
    few = _followers(account, community_a, wechat_stub, 3, prefix="o-few")
    many = _followers(account, community_a, wechat_stub, 30, prefix="o-lots")

    with CaptureQueriesContext(connection) as for_few:
        notify_many(few, "notifications.test")
    with CaptureQueriesContext(connection) as for_many:
        notify_many(many, "notifications.test")

    assert len(for_many) == len(for_few)


def test_the_context_is_checked_before_anything_is_written(resident, neighbour):
    with pytest.raises(ValueError):
        notify_many([resident, neighbour], "estates.occupancy.verified", {})
    assert not InboxMessage.objects.exists()


def test_nobody_to_tell_writes_nothing(deliver):
    assert deliver(notify_many, User.objects.none(), "notifications.test") == 0
