"""The callback URL: WeChat's server verification, messages in plain, compatible and safe
mode, and every kind of bad input refused before anything is processed."""

import io
import logging
import time

import pytest

from portal import page_cache
from portal.wechat.models import Follower, ReceivedMessage
from portal.wechat.replies import install_default_replies
from portal.wechat.stub import messages
from tests.wechat.conftest import APPID

from .factories import (
    AES_KEY,
    GH,
    OfficialAccountFactory,
    callback_url,
    push,
    reply_of,
    sign_for,
)

OPENID = "oFollowerOpenId000000000001"
MODES = ["plain", "compatible", "safe"]
OTHER_AES_KEY = "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut"


@pytest.fixture
def account(company):
    return OfficialAccountFactory(company=company, appid=APPID)


@pytest.fixture
def callback_log(caplog):
    caplog.set_level(logging.INFO, logger="portal.wechat")
    return caplog


def text(content="报修", **kwargs):
    return messages.text(to_user=GH, from_user=OPENID, content=content, **kwargs)


def assert_nothing_processed():
    assert not ReceivedMessage.objects.exists()
    assert not Follower.objects.exists()


def assert_logged_without_personal_data(caplog, reason):
    assert reason in caplog.text
    assert OPENID not in caplog.text
    assert "报修" not in caplog.text


# -- verification (GET) -------------------------------------------------------------------

def test_verification_answers_echostr_when_signed_with_the_token(client, account):
    timestamp, nonce = str(int(time.time())), "12345"
    response = client.get(callback_url(account), {
        "signature": messages.signature(account.token, timestamp, nonce),
        "timestamp": timestamp, "nonce": nonce, "echostr": "4321987654321",
    })
    assert response.status_code == 200
    assert response.content == b"4321987654321"


def test_verification_with_another_token_is_refused(client, account, callback_log):
    timestamp, nonce = str(int(time.time())), "12345"
    response = client.get(callback_url(account), {
        "signature": messages.signature("not-the-token", timestamp, nonce),
        "timestamp": timestamp, "nonce": nonce, "echostr": "4321987654321",
    })
    assert response.status_code == 403
    assert b"4321987654321" not in response.content
    assert "bad signature" in callback_log.text


def test_verification_with_an_old_timestamp_is_refused(client, account):
    timestamp, nonce = str(int(time.time()) - 301), "12345"
    response = client.get(callback_url(account), {
        "signature": messages.signature(account.token, timestamp, nonce),
        "timestamp": timestamp, "nonce": nonce, "echostr": "4321987654321",
    })
    assert response.status_code == 403


def test_unknown_account_is_not_found(client, db, callback_log):
    response = client.post("/wechat/callback/wxnosuchaccount/", data=b"<xml></xml>",
                           content_type="text/xml")
    assert response.status_code == 404
    assert "unknown or inactive account" in callback_log.text


def test_inactive_account_is_not_found(client, account):
    account.is_active = False
    account.save()
    assert push(client, account, text()).status_code == 404
    assert_nothing_processed()


def test_other_methods_are_not_allowed(client, account):
    assert client.put(callback_url(account)).status_code == 405


# -- messages in each mode ----------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_keyword_is_answered_in_each_mode(client, account, company, mode):
    account.message_mode = mode
    account.save()
    install_default_replies(company)
    response = push(client, account, text("报修"))
    reply = reply_of(response, account)
    assert reply["MsgType"] == "text"
    assert reply["ToUserName"] == OPENID
    assert reply["FromUserName"] == GH
    assert "在线报修" in reply["Content"]
    encrypted = b"<Encrypt>" in response.content
    assert encrypted == (mode != "plain")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("build", [
    lambda: messages.image(GH, OPENID, "https://example.com/a.jpg", "media-1"),
    lambda: messages.voice(GH, OPENID, "media-2", recognition="报修"),
    lambda: messages.video(GH, OPENID, "media-3", "thumb-3"),
    lambda: messages.shortvideo(GH, OPENID, "media-4", "thumb-4"),
    lambda: messages.location(GH, OPENID, 30.27, 120.15, label="西湖"),
    lambda: messages.link(GH, OPENID, "标题", "描述", "https://example.com/"),
    lambda: messages.location_event(GH, OPENID, 30.27, 120.15),
    lambda: messages.view(GH, OPENID, "https://example.com/menu", menu_id=1),
    lambda: messages.template_send_job_finish(GH, OPENID, 200163836),
    lambda: messages.event(GH, OPENID, "some_future_event", "key"),
    lambda: messages.build([("ToUserName", GH), ("FromUserName", OPENID),
                            ("CreateTime", int(time.time())), ("MsgType", "hologram"),
                            ("MsgId", 77)]),
], ids=["image", "voice", "video", "shortvideo", "location", "link", "location-event",
        "view", "templatesendjobfinish", "unknown-event", "unknown-msgtype"])
def test_messages_without_a_reply_get_success(client, account, company, mode, build):
    account.message_mode = mode
    account.save()
    install_default_replies(company)  # even with a default reply, these get none
    response = push(client, account, build())
    assert response.status_code == 200
    assert response.content == b"success"
    assert ReceivedMessage.objects.count() == 1


@pytest.mark.parametrize("mode", MODES)
def test_each_follow_event_is_accepted_in_each_mode(client, account, community_a, mode):
    account.message_mode = mode
    account.save()
    for xml in (messages.subscribe(GH, OPENID, scene="sunshine", ticket="t"),
                messages.scan(GH, OPENID, "sunshine", "t", create_time=time.time() + 1),
                messages.click(GH, OPENID, "contact", create_time=time.time() + 2),
                messages.unsubscribe(GH, OPENID, create_time=time.time() + 3)):
        assert push(client, account, xml).status_code == 200
    assert ReceivedMessage.objects.count() == 4


# -- bad input ----------------------------------------------------------------------------

def test_wrong_signature_is_refused_and_nothing_processed(client, account, callback_log):
    account.message_mode = "plain"
    account.save()
    response = push(client, account, text(), token="not-the-token")
    assert response.status_code == 403
    assert_nothing_processed()
    assert_logged_without_personal_data(callback_log, "bad signature")


def test_account_without_a_token_refuses_everything(client, account, callback_log):
    # A signature over an empty token is one anybody can compute.
    account.token = ""
    account.message_mode = "plain"
    account.save()
    response = push(client, account, text(), token="")
    assert response.status_code == 403
    assert_nothing_processed()
    assert "no token" in callback_log.text


@pytest.mark.parametrize("mode", ["compatible", "safe"])
def test_wrong_msg_signature_is_refused(client, account, mode, callback_log):
    response = push(client, account, text(), mode=mode, token="not-the-token")
    assert response.status_code == 403
    assert_nothing_processed()
    assert_logged_without_personal_data(callback_log, "bad msg_signature")


def test_message_encrypted_with_another_key_is_refused(client, account, callback_log):
    response = push(client, account, text(), encoding_aes_key=OTHER_AES_KEY)
    assert response.status_code == 403
    assert_nothing_processed()
    assert_logged_without_personal_data(callback_log, "cannot decrypt")


def test_message_encrypted_for_another_account_is_refused(client, account):
    response = push(client, account, text(), appid="wxsomeoneelse0001")
    assert response.status_code == 403
    assert_nothing_processed()


def test_account_with_a_broken_aes_key_refuses_encrypted_messages(client, account, callback_log):
    account.encoding_aes_key = "too-short"
    account.save()
    response = push(client, account, text(), encoding_aes_key=AES_KEY)
    assert response.status_code == 403
    assert "not a valid key" in callback_log.text


def test_plain_message_to_an_account_in_safe_mode_is_refused(client, account):
    assert account.message_mode == "safe"
    response = push(client, account, text(), mode="plain")
    assert response.status_code == 403
    assert_nothing_processed()


@pytest.mark.parametrize("mode", MODES)
# Well past the limit: the test's own run time must not bring the stamp back within it.
@pytest.mark.parametrize("offset", [-330, 330])
def test_timestamp_more_than_five_minutes_off_is_refused(client, account, mode, offset,
                                                         callback_log):
    response = push(client, account, text(), mode=mode, timestamp=int(time.time()) + offset)
    assert response.status_code == 403
    assert_nothing_processed()
    assert_logged_without_personal_data(callback_log, "replay")


def test_timestamp_within_five_minutes_is_accepted(client, account):
    response = push(client, account, text(), timestamp=int(time.time()) - 290)
    assert response.status_code == 200


def test_missing_timestamp_is_refused(client, account):
    signed = sign_for(account, text())
    del signed.query["timestamp"]
    response = client.post(signed.url(callback_url(account)), data=signed.body,
                           content_type="text/xml")
    assert response.status_code == 403


class UnreadableStream(io.RawIOBase):
    """A request body that must not be read."""

    def readable(self):
        return True

    def readinto(self, buffer):
        raise AssertionError("the oversized body was read")


def test_oversized_body_is_refused_without_reading_it(client, account, callback_log):
    signed = sign_for(account, text())
    response = client.post(signed.url(callback_url(account)), data=b"",
                           content_type="text/xml",
                           **{"wsgi.input": UnreadableStream(), "CONTENT_LENGTH": "65537"})
    assert response.status_code == 413
    assert_nothing_processed()
    assert "65537 bytes" in callback_log.text


def test_body_of_64_kib_is_read(client, account):
    padding = "x" * (64 * 1024 - len(text("").encode()) - 200)
    xml = text(padding)
    assert len(xml.encode()) <= 64 * 1024
    account.message_mode = "plain"
    account.save()
    response = push(client, account, xml)
    assert response.status_code == 200


def test_malformed_content_length_is_refused(client, account):
    signed = sign_for(account, text())
    response = client.post(signed.url(callback_url(account)), data=signed.body,
                           content_type="text/xml", CONTENT_LENGTH="lots")
    assert response.status_code == 400


GARBAGE = {
    "not-xml": "this is not xml at all",
    "truncated": "<xml><ToUserName><![CDATA[gh_portal0000001]]></ToUserName><From",
    "empty": "",
    "other-root": "<message><MsgType>text</MsgType></message>",
    "empty-root": "<xml/>",
    "no-msgtype": f"<xml><ToUserName>{GH}</ToUserName><FromUserName>{OPENID}</FromUserName>"
                  "<CreateTime>1</CreateTime></xml>",
    "no-sender": f"<xml><ToUserName>{GH}</ToUserName><CreateTime>1</CreateTime>"
                 "<MsgType>text</MsgType><Content>hi</Content><MsgId>1</MsgId></xml>",
    "nested-sender": f"<xml><ToUserName>{GH}</ToUserName><FromUserName><a>1</a><b>2</b>"
                     "</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType>"
                     "<MsgId>1</MsgId></xml>",
    "long-sender": f"<xml><ToUserName>{GH}</ToUserName><FromUserName>{'o' * 65}"
                   "</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType>"
                   "<MsgId>1</MsgId></xml>",
    "bad-createtime": f"<xml><ToUserName>{GH}</ToUserName><FromUserName>{OPENID}"
                      "</FromUserName><CreateTime>yesterday</CreateTime><MsgType>text"
                      "</MsgType><MsgId>1</MsgId></xml>",
    "bad-msgid": f"<xml><ToUserName>{GH}</ToUserName><FromUserName>{OPENID}</FromUserName>"
                 "<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>hi</Content>"
                 "<MsgId>first</MsgId></xml>",
    "nested-content": f"<xml><ToUserName>{GH}</ToUserName><FromUserName>{OPENID}"
                      "</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType>"
                      "<Content><a>1</a></Content><MsgId>1</MsgId></xml>",
    "nested-event": f"<xml><ToUserName>{GH}</ToUserName><FromUserName>{OPENID}"
                    "</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType>"
                    "<Event><a>1</a></Event></xml>",
    "not-utf8": "<xml><ToUserName>\udcff</ToUserName></xml>",
}


def _post_raw(client, account, body):
    """A correctly signed plain-mode request whose body is ``body``: in plain mode the
    signature does not cover the body."""
    signed = sign_for(account, text(), mode="plain")
    return client.post(signed.url(callback_url(account)), data=body, content_type="text/xml")


def _post_encrypted(client, account, inner):
    """A correctly signed and encrypted request whose decrypted content is ``inner``."""
    timestamp, nonce = str(int(time.time())), "7654321"
    encrypted = messages.encrypt(inner, account.encoding_aes_key, account.appid)
    query = {"signature": messages.signature(account.token, timestamp, nonce),
             "timestamp": timestamp, "nonce": nonce, "openid": OPENID, "encrypt_type": "aes",
             "msg_signature": messages.signature(account.token, timestamp, nonce, encrypted)}
    signed = messages.SignedRequest(
        query, messages.build([("ToUserName", GH), ("Encrypt", encrypted)]).encode())
    return client.post(signed.url(callback_url(account)), data=signed.body,
                       content_type="text/xml")


@pytest.mark.parametrize("garbage", GARBAGE.values(), ids=GARBAGE.keys())
def test_garbage_is_refused_with_400(client, account, garbage, callback_log):
    account.message_mode = "plain"
    account.save()
    body = garbage.encode("utf-8", "surrogateescape")
    response = _post_raw(client, account, body)
    assert response.status_code == 400
    assert_nothing_processed()
    assert "refused with 400" in callback_log.text


def test_garbage_inside_the_encryption_is_refused_with_400(client, account):
    response = _post_encrypted(client, account, "<xml><oops>")
    assert response.status_code == 400
    assert_nothing_processed()


def test_encrypted_envelope_without_encrypt_is_refused(client, account):
    signed = sign_for(account, text())
    response = client.post(signed.url(callback_url(account)),
                           data=f"<xml><ToUserName>{GH}</ToUserName></xml>",
                           content_type="text/xml")
    assert response.status_code == 400


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE xml [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<xml><ToUserName>gh_portal0000001</ToUserName><FromUserName>&lol9;</FromUserName>
<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&lol9;</Content><MsgId>1</MsgId></xml>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>gh_portal0000001</ToUserName><FromUserName>oFollower</FromUserName>
<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&secret;</Content><MsgId>1</MsgId></xml>
"""

EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE xml SYSTEM "http://127.0.0.1:9/evil.dtd">
<xml><ToUserName>gh_portal0000001</ToUserName><FromUserName>oFollower</FromUserName>
<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>hi</Content><MsgId>1</MsgId></xml>
"""


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
@pytest.mark.parametrize("attack", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD],
                         ids=["billion-laughs", "external-entity", "external-dtd"])
def test_document_type_declarations_are_refused(client, account, encrypted, attack,
                                               callback_log):
    if encrypted:
        response = _post_encrypted(client, account, attack)
    else:
        account.message_mode = "plain"
        account.save()
        response = _post_raw(client, account, attack.encode())
    assert response.status_code == 400
    assert_nothing_processed()
    assert "DOCTYPE or entity declaration" in callback_log.text


def test_recording_a_message_leaves_the_resident_page_cache_alone(client, account, company):
    # Each message is recorded, and nothing a page shows changes with it.
    Follower.objects.create(account=account, openid=OPENID, is_subscribed=True)
    install_default_replies(company)
    before = page_cache._generation()
    assert push(client, account, text("报修")).status_code == 200
    assert ReceivedMessage.objects.count() == 1
    assert page_cache._generation() == before
