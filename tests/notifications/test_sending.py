"""Sending deliveries: WeChat's answers, retries with backoff, and sending each once."""

import io
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from portal.notifications import notify, notify_many
from portal.notifications.models import Delivery
from portal.notifications.tasks import requeue_stale, send_deliveries
from portal.wechat.models import Follower
from tests import factories as f
from tests.notifications.conftest import APPID, RESIDENT_OPENID
from tests.notifications.factories import TemplateSettingFactory
from tests.wechat.factories import FollowerFactory

pytestmark = pytest.mark.django_db

TEMPLATE_SEND = "cgi-bin/message/template/send"
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _delivery(message):
    return message.deliveries.get()


def test_not_following_43004_is_not_retried_and_marks_the_follower_unsubscribed(
        resident, follower, template, wechat_stub, deliver):
    wechat_stub.unsubscribe(APPID, RESIDENT_OPENID)
    delivery = _delivery(deliver(notify, resident, "notifications.test"))

    assert (delivery.status, delivery.errcode, delivery.attempts) == (
        Delivery.Status.FAILED, 43004, 1)
    assert len(wechat_stub.calls_to(TEMPLATE_SEND)) == 1
    follower.refresh_from_db()
    assert not follower.is_subscribed
    assert follower.unsubscribed_at is not None


def test_invalid_openid_40003_is_not_retried(resident, account, template, wechat_stub,
                                             deliver):
    FollowerFactory(account=account, openid="o-unknown-to-wechat", user=resident)
    delivery = _delivery(deliver(notify, resident, "notifications.test"))

    assert (delivery.status, delivery.errcode, delivery.attempts) == (
        Delivery.Status.FAILED, 40003, 1)
    assert len(wechat_stub.calls_to(TEMPLATE_SEND)) == 1


@pytest.mark.parametrize("errcode", [-1, 45009])
def test_busy_and_rate_limited_are_retried_then_sent(errcode, resident, follower, template,
                                                      wechat_stub, deliver):
    wechat_stub.fail_next(TEMPLATE_SEND, errcode, times=2)
    delivery = _delivery(deliver(notify, resident, "notifications.test"))

    assert (delivery.status, delivery.attempts, delivery.errcode) == (
        Delivery.Status.SENT, 3, None)
    assert len(wechat_stub.calls_to(TEMPLATE_SEND)) == 3
    assert len(wechat_stub.sent_templates) == 1


def test_a_dropped_connection_is_retried_then_sent(resident, follower, template, wechat_stub,
                                                   deliver):
    wechat_stub.drop_next(TEMPLATE_SEND)
    delivery = _delivery(deliver(notify, resident, "notifications.test"))

    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENT, 2)
    assert len(wechat_stub.sent_templates) == 1


def test_retries_end_after_the_attempts_limit_with_wechats_error(
        resident, follower, template, wechat_stub, deliver, settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    wechat_stub.fail_next(TEMPLATE_SEND, -1, times=10)
    delivery = _delivery(deliver(notify, resident, "notifications.test"))

    assert (delivery.status, delivery.attempts, delivery.errcode) == (
        Delivery.Status.FAILED, 3, -1)
    assert delivery.errmsg == "system error"
    assert len(wechat_stub.calls_to(TEMPLATE_SEND)) == 3


def test_an_expired_token_is_refreshed_once_within_the_same_attempt(
        resident, follower, template, wechat_stub, deliver):
    deliver(notify, resident, "notifications.test")  # a token is now cached
    wechat_stub.expire_tokens(APPID)
    delivery = _delivery(deliver(notify, resident, "notifications.test"))

    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENT, 1)
    assert wechat_stub.token_requests == 2
    assert len(wechat_stub.sent_templates) == 2


def test_a_delivery_already_sent_is_not_sent_again_when_its_task_runs_twice(
        resident, follower, template, wechat_stub, deliver):
    delivery = _delivery(deliver(notify, resident, "notifications.test"))
    send_deliveries.call([delivery.pk])
    send_deliveries.enqueue([delivery.pk])

    assert len(wechat_stub.calls_to(TEMPLATE_SEND)) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENT, 1)


def test_a_delivery_claimed_by_one_worker_is_not_claimed_by_another(resident, follower,
                                                                    template, wechat_stub):
    message = notify(resident, "notifications.test")  # queued; the commit never comes
    ids = [_delivery(message).pk]

    first = Delivery.objects.claim(ids)
    second = Delivery.objects.claim(ids)

    assert [delivery.pk for delivery in first] == ids
    assert second == []


@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_batch_at_once_send_each_message_once(
        company, community_a, wechat_stub):
    from tests.wechat.factories import OfficialAccountFactory

    account = OfficialAccountFactory(company=company, appid=APPID, secret="test-secret")
    wechat_stub.add_template(APPID, "tpl-race")
    TemplateSettingFactory(account=account, template_id="tpl-race")
    users = []
    for number in range(40):
        user = f.ResidentFactory(community=community_a).user
        wechat_stub.add_follower(APPID, f"o-race-{number}")
        FollowerFactory(account=account, openid=f"o-race-{number}", user=user)
        users.append(user)
    notify_many(users, "notifications.test")  # committed: the immediate backend sent them
    ids = list(Delivery.objects.values_list("pk", flat=True))
    Delivery.objects.update(status=Delivery.Status.QUEUED, attempts=0)
    wechat_stub.sent_templates.clear()
    start = threading.Barrier(2)

    def worker():
        from django.db import connection

        start.wait()
        try:
            send_deliveries.call(ids)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    sent_to = [sent["touser"] for sent in wechat_stub.sent_templates]
    assert sorted(sent_to) == sorted(f"o-race-{number}" for number in range(40))
    assert set(Delivery.objects.values_list("status", "attempts")) == {
        (Delivery.Status.SENT, 1)}


def test_one_failing_delivery_does_not_stop_the_rest_of_its_batch(
        resident, neighbour, follower, account, template, wechat_stub, deliver):
    lost_user = f.ResidentFactory(community=resident.resident.community).user
    FollowerFactory(account=account, openid="o-not-at-wechat", user=lost_user)
    deliver(notify_many, [lost_user, neighbour, resident], "notifications.test")

    statuses = dict(Delivery.objects.values_list("message__recipient", "status"))
    assert statuses == {lost_user.pk: Delivery.Status.FAILED,
                        neighbour.pk: Delivery.Status.SKIPPED,
                        resident.pk: Delivery.Status.SENT}


def test_a_broken_sms_backend_is_recorded_and_retried_and_the_worker_lives(
        resident, account, deliver, settings):
    settings.SMS_BACKEND = "tests.notifications.sms_backends.BrokenBackend"
    delivery = _delivery(deliver(notify, resident, "estates.occupancy.verified",
                                 {"house": "1栋101"}))

    assert (delivery.channel, delivery.status) == (Delivery.Channel.SMS, Delivery.Status.FAILED)
    assert delivery.attempts == 5
    assert delivery.errmsg == "SMS backend error: ConnectionResetError"


def test_an_sms_the_provider_refuses_is_not_retried(resident, account, deliver, settings):
    settings.SMS_BACKEND = "tests.notifications.sms_backends.RefusingBackend"
    delivery = _delivery(deliver(notify, resident, "estates.occupancy.verified",
                                 {"house": "1栋101"}))

    assert (delivery.status, delivery.attempts, delivery.errcode) == (
        Delivery.Status.FAILED, 1, 1008)


@pytest.mark.django_db(transaction=True)
def test_with_a_queue_that_can_defer_a_retry_waits_for_its_backoff(
        resident, follower, template, wechat_stub, settings):
    settings.TASKS = DATABASE_TASKS
    settings.NOTIFICATIONS_RETRY_SECONDS = 30
    wechat_stub.fail_next(TEMPLATE_SEND, 45009)
    message = notify(resident, "notifications.test")
    work = ("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0")

    call_command(*work, verbosity=0)
    delivery = _delivery(message)
    assert (delivery.status, delivery.attempts, delivery.errcode) == (
        Delivery.Status.QUEUED, 1, 45009)
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.run_after == delivery.next_attempt_at
    assert timedelta(seconds=25) < delivery.next_attempt_at - timezone.now() <= timedelta(
        seconds=30)

    call_command(*work, verbosity=0)  # not yet due: nothing happens
    assert len(wechat_stub.calls_to(TEMPLATE_SEND)) == 1

    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())  # time passes
    call_command(*work, verbosity=0)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENT, 2)


def test_backoff_doubles_with_each_attempt(settings):
    from portal.notifications.tasks import backoff

    settings.NOTIFICATIONS_RETRY_SECONDS = 30
    assert [backoff(attempt) for attempt in (1, 2, 3, 4)] == [30, 60, 120, 240]


def test_deliveries_whose_task_was_lost_are_queued_again(resident, follower, template,
                                                         wechat_stub, deliver):
    message = notify(resident, "notifications.test")  # never committed: its task is lost
    Delivery.objects.update(created_at=timezone.now() - timedelta(hours=1))

    assert deliver(requeue_stale.call) == 1
    assert _delivery(message).status == Delivery.Status.SENT


def test_a_waiting_retry_is_not_mistaken_for_a_lost_delivery(resident, follower, template):
    message = notify(resident, "notifications.test")
    Delivery.objects.update(created_at=timezone.now() - timedelta(hours=1), attempts=1,
                            next_attempt_at=timezone.now() + timedelta(minutes=2))

    assert requeue_stale.call() == 0
    assert _delivery(message).status == Delivery.Status.QUEUED


def test_a_follower_who_comes_back_is_reached_again(resident, follower, template,
                                                    wechat_stub, deliver):
    wechat_stub.unsubscribe(APPID, RESIDENT_OPENID)
    deliver(notify, resident, "notifications.test")
    Follower.objects.filter(pk=follower.pk).update(is_subscribed=True)
    wechat_stub.add_follower(APPID, RESIDENT_OPENID)

    assert _delivery(deliver(notify, resident, "notifications.test")).status == "sent"


def test_the_requeue_command_sends_lost_deliveries(resident, follower, template, wechat_stub,
                                                   deliver):
    message = notify(resident, "notifications.test")  # never committed: its task is lost
    Delivery.objects.update(created_at=timezone.now() - timedelta(minutes=20))

    deliver(call_command, "requeue_deliveries", "--minutes", "10", stdout=io.StringIO())

    assert _delivery(message).status == Delivery.Status.SENT
