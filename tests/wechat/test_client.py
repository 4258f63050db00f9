"""The WeChat API client (portal/wechat/client.py) against the stub: the access_token in
the shared cache, one refresher at a time, one refresh per call when WeChat refuses it."""

import threading
import time

import pytest
import requests
from django.core.cache import cache
from wechatpy.exceptions import WeChatClientException

from portal.wechat.client import client_for
from tests.wechat.conftest import APPID, SECRET
from tests.wechat.factories import OfficialAccountFactory

pytestmark = pytest.mark.django_db

OPENID = "o-client-test"
TEMPLATE = "tpl-client-test"
TEMPLATE_SEND = "cgi-bin/message/template/send"


@pytest.fixture
def account(wechat_stub):
    wechat_stub.add_follower(APPID, OPENID)
    wechat_stub.add_template(APPID, TEMPLATE)
    return OfficialAccountFactory(appid=APPID, secret=SECRET)


def send(account):
    return client_for(account).message.send_template(OPENID, TEMPLATE,
                                                     {"thing1": {"value": "测试"}})


def test_a_template_message_reaches_wechat_through_the_configured_base_url(account,
                                                                           wechat_stub):
    answer = send(account)

    assert answer["errcode"] == 0
    [sent] = wechat_stub.sent_templates
    assert (sent["touser"], sent["template_id"], sent["msgid"]) == (OPENID, TEMPLATE,
                                                                    answer["msgid"])


def test_the_token_is_kept_in_the_shared_cache_for_every_client(account, wechat_stub):
    send(account)
    send(account)  # another client object, as in another process

    assert wechat_stub.token_requests == 1
    assert cache.get(f"wechat:{APPID}_access_token")


@pytest.mark.parametrize("refuse", ["invalidate_tokens", "expire_tokens"])
def test_a_refused_token_is_replaced_once_and_the_call_repeated(refuse, account, wechat_stub):
    send(account)
    getattr(wechat_stub, refuse)(APPID)  # 40001 invalid credential / 42001 expired

    assert send(account)["errcode"] == 0
    assert wechat_stub.token_requests == 2
    assert len(wechat_stub.calls_to(TEMPLATE_SEND)) == 3
    assert len(wechat_stub.sent_templates) == 2


def test_a_token_wechat_keeps_refusing_is_refreshed_only_once_per_call(account, wechat_stub):
    send(account)
    wechat_stub.fail_next(TEMPLATE_SEND, 40001, times=5)

    with pytest.raises(WeChatClientException) as refused:
        send(account)
    assert refused.value.errcode == 40001
    assert wechat_stub.token_requests == 2
    assert len(wechat_stub.calls_to(TEMPLATE_SEND)) == 3  # the first send, then two tries


def test_ten_workers_with_an_empty_cache_fetch_one_token(account, wechat_stub):
    wechat_stub.token_latency = 0.3
    start = threading.Barrier(10)
    answers = []

    def worker():
        start.wait()
        answers.append(send(account)["errcode"])

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == [0] * 10
    assert wechat_stub.token_requests == 1


def test_a_token_endpoint_that_does_not_answer_times_out(account, wechat_stub, settings):
    settings.WECHAT_TIMEOUT_SECONDS = 0.3
    wechat_stub.token_latency = 3

    started = time.monotonic()
    with pytest.raises(requests.Timeout):
        send(account)
    assert time.monotonic() - started < 2


def test_a_dropped_connection_is_raised_for_the_caller_to_retry(account, wechat_stub):
    send(account)
    wechat_stub.drop_next(TEMPLATE_SEND)

    with pytest.raises(requests.ConnectionError):
        send(account)


def test_a_client_uses_the_replacement_token_for_its_next_calls(account, wechat_stub):
    client = client_for(account)
    message = (OPENID, TEMPLATE, {"thing1": {"value": "测试"}})
    client.message.send_template(*message)
    wechat_stub.invalidate_tokens(APPID)

    client.message.send_template(*message)  # refused, replaced, repeated
    client.message.send_template(*message)

    assert wechat_stub.token_requests == 2
    assert len(wechat_stub.calls_to(TEMPLATE_SEND)) == 4
