"""WeChat retries a message it got no answer to within five seconds, up to three times:
each message has its effect once, however often and however concurrently it comes."""

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from portal.wechat import tasks
from portal.wechat.models import Follower, ReceivedMessage
from portal.wechat.stub import messages
from tests.wechat.conftest import APPID

from .factories import (
    GH,
    AutoReplyFactory,
    FollowerFactory,
    OfficialAccountFactory,
    callback_url,
    push,
    reply_of,
)

OPENID = "oRetriedFollower00000000001"


@pytest.fixture
def account(company):
    return OfficialAccountFactory(company=company, appid=APPID)


def test_a_retried_follow_arriving_after_the_unfollow_does_not_follow_again(client, account):
    now = int(time.time())
    follow = messages.subscribe(GH, OPENID, create_time=now)
    push(client, account, follow)
    push(client, account, messages.unsubscribe(GH, OPENID, create_time=now + 1))
    response = push(client, account, follow)  # WeChat's late retry of the follow
    assert response.status_code == 200
    follower = Follower.objects.get(openid=OPENID)
    assert not follower.is_subscribed


def test_a_retried_keyword_is_recorded_once_and_answered_the_same(client, account, company):
    FollowerFactory(account=account, openid=OPENID)
    AutoReplyFactory(company=company, keyword="报修", text="报修请点击 {home}")
    xml = messages.text(GH, OPENID, "报修", msg_id=6054768590064713728)
    first = reply_of(push(client, account, xml), account)
    retries = [reply_of(push(client, account, xml), account) for _ in range(3)]
    assert ReceivedMessage.objects.filter(dedupe_key="msg:6054768590064713728").count() == 1
    assert all(retry["Content"] == first["Content"] for retry in retries)


def test_a_retried_first_message_asks_wechat_about_the_follower_once(
        client, account, wechat_stub, django_capture_on_commit_callbacks):
    wechat_stub.add_follower(APPID, OPENID, unionid="union-1")
    xml = messages.text(GH, OPENID, "你好")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            push(client, account, xml)
    assert len(wechat_stub.calls_to("cgi-bin/user/info")) == 1


def test_events_of_one_follower_in_the_same_second_are_told_apart(client, account):
    now = int(time.time())
    push(client, account, messages.subscribe(GH, OPENID, create_time=now))
    push(client, account, messages.click(GH, OPENID, "CONTACT", create_time=now))
    assert ReceivedMessage.objects.count() == 2


def test_the_same_message_id_for_two_accounts_is_two_messages(client, account, company):
    other = OfficialAccountFactory(company=company)
    xml = messages.text(GH, OPENID, "你好", msg_id=42)
    push(client, account, xml)
    push(client, other, xml)
    assert ReceivedMessage.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_have_their_effect_once(live_server, company, wechat_stub):
    """Real HTTP, real transactions: the retries race for the same row."""
    if connection.vendor != "postgresql":
        # SQLite's test database is one in-memory database shared by the live server's
        # threads, which lock each other out ("database table is locked") under load.
        pytest.skip("concurrent writers need PostgreSQL")
    account = OfficialAccountFactory(company=company, appid=APPID,
                                     message_mode="plain")
    AutoReplyFactory(company=company, match="subscribe", keyword="", text="欢迎 {register}")
    wechat_stub.add_follower(APPID, OPENID, unionid="union-1")
    url = live_server.url + callback_url(account)
    xml = messages.subscribe(GH, OPENID)
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(
            lambda _: messages.push(url, xml, token=account.token, mode="plain"), range(4)))
    assert [status for status, _ in answers] == [200] * 4
    assert ReceivedMessage.objects.count() == 1
    assert Follower.objects.get(openid=OPENID).unionid == "union-1"
    assert len(wechat_stub.calls_to("cgi-bin/user/info")) == 1
    # The retries waited for the first to commit, then got its answer.
    assert all(b"<Content>" in body for _, body in answers), answers


# -- housekeeping ----------------------------------------------------------------------------

def test_received_messages_older_than_a_day_are_purged(account):
    old = ReceivedMessage.objects.create(account=account, dedupe_key="msg:1",
                                         received_at=timezone.now() - timedelta(days=1, hours=1))
    recent = ReceivedMessage.objects.create(account=account, dedupe_key="msg:2",
                                            received_at=timezone.now() - timedelta(hours=23))
    result = tasks.purge_received_messages.enqueue()
    assert result.return_value == 1
    assert not ReceivedMessage.objects.filter(pk=old.pk).exists()
    assert ReceivedMessage.objects.filter(pk=recent.pk).exists()


def test_the_purge_is_queued_at_most_once_an_hour(client, account,
                                                  django_capture_on_commit_callbacks):
    from django.core.cache import cache

    cache.delete("wechat:received-purge-scheduled")
    ReceivedMessage.objects.create(account=account, dedupe_key="msg:old",
                                   received_at=timezone.now() - timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        push(client, account, messages.text(GH, OPENID, "一"))
    assert not ReceivedMessage.objects.filter(dedupe_key="msg:old").exists()
    ReceivedMessage.objects.create(account=account, dedupe_key="msg:old",
                                   received_at=timezone.now() - timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        push(client, account, messages.text(GH, OPENID, "二"))
    assert ReceivedMessage.objects.filter(dedupe_key="msg:old").exists()
