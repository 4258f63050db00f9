"""The stub's WeChat-side messages are signed and encrypted exactly as WeChat documents:
checked against WeChat's published sample and against wechatpy, which the portal uses to
read them."""

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import check_signature

from portal.wechat.stub import messages

# WeChat's published sample for the message encryption scheme.
SAMPLE_TOKEN = "spamtest"
SAMPLE_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
SAMPLE_APPID = "wx2c2769f8efd9abc2"
SAMPLE_TIMESTAMP = "1409735669"
SAMPLE_NONCE = "1320562132"
SAMPLE_MSG_SIGNATURE = "5d197aaffba7e9b25a30732f161a50dee96bd5fa"
SAMPLE_ENCRYPT = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6"
    "F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T33"
    "2jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCg"
    "avjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6Oewp"
    "usjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
)

TOKEN = "portaltoken"
KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
APPID = "wxtestappid0001"
ACCOUNT = "gh_0123456789ab"


def test_msg_signature_matches_wechats_sample():
    assert messages.signature(SAMPLE_TOKEN, SAMPLE_TIMESTAMP, SAMPLE_NONCE,
                              SAMPLE_ENCRYPT) == SAMPLE_MSG_SIGNATURE


def test_decrypts_wechats_sample_message():
    plain = messages.decrypt(SAMPLE_ENCRYPT, SAMPLE_KEY, SAMPLE_APPID)
    assert "<Content><![CDATA[abcdteT]]></Content>" in plain


def test_decrypt_refuses_a_message_for_another_appid():
    with pytest.raises(ValueError):
        messages.decrypt(SAMPLE_ENCRYPT, SAMPLE_KEY, "wxsomeoneelse")


def test_encryption_matches_wechatpys_vector_given_the_same_random_bytes():
    # wechatpy's own test vector (its random part fixed to "1234567890123456").
    reply = (
        "<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n"
        "<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n"
        "<ToUserName><![CDATA[messense]]></ToUserName>\n<AgentID>1</AgentID>\n"
        "<CreateTime>1411525903</CreateTime>\n</xml>"
    )
    encrypted = messages.encrypt(reply, KEY, "wx49f0ab532d5d035a", b"1234567890123456")
    assert encrypted == (
        "9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYq"
        "xgNcBqGsL8GqxlhZgURnAtObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCF"
        "M2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2I"
        "EvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJz0nT"
        "YjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3"
    )
    assert messages.signature("123456", "1411525903", "461056294", encrypted) == (
        "407518b7649e86ef23978113f92d27afa9296533"
    )


@pytest.mark.parametrize("mode", ["compatible", "safe"])
def test_signed_push_is_read_by_wechatpy(mode):
    xml = messages.text(to_user=ACCOUNT, from_user="openid-1", content="报修")
    request = messages.sign(xml, token=TOKEN, mode=mode, encoding_aes_key=KEY, appid=APPID)
    query = request.query
    assert query["encrypt_type"] == "aes"
    assert query["openid"] == "openid-1"
    check_signature(TOKEN, query["signature"], query["timestamp"], query["nonce"])
    plain = WeChatCrypto(TOKEN, KEY, APPID).decrypt_message(
        request.body, query["msg_signature"], query["timestamp"], query["nonce"])
    message = parse_message(plain)
    assert (message.type, message.content, message.source) == ("text", "报修", "openid-1")


def test_safe_mode_body_holds_only_the_account_and_the_ciphertext():
    xml = messages.text(to_user=ACCOUNT, from_user="openid-1", content="secret")
    body = messages.sign(xml, token=TOKEN, mode="safe", encoding_aes_key=KEY,
                         appid=APPID).body.decode()
    assert "secret" not in body and "openid-1" not in body
    assert f"<ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>" in body


def test_compatible_mode_body_holds_plain_fields_and_the_ciphertext():
    xml = messages.text(to_user=ACCOUNT, from_user="openid-1", content="hello")
    body = messages.sign(xml, token=TOKEN, mode="compatible", encoding_aes_key=KEY,
                         appid=APPID).body.decode()
    assert "<Content><![CDATA[hello]]></Content>" in body
    assert "<Encrypt>" in body


def test_plain_mode_signs_token_timestamp_and_nonce():
    xml = messages.text(to_user=ACCOUNT, from_user="openid-1", content="hi")
    request = messages.sign(xml, token=TOKEN, timestamp=1409735669, nonce="1320562132")
    assert request.body == xml.encode()
    assert "msg_signature" not in request.query
    check_signature(TOKEN, request.query["signature"], "1409735669", "1320562132")


def test_decrypt_reply_reads_a_wechatpy_encrypted_reply():
    reply = "<xml><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[ok]]></Content></xml>"
    encrypted = WeChatCrypto(TOKEN, KEY, APPID).encrypt_message(reply, "123", "1411525903")
    assert messages.decrypt_reply(encrypted, TOKEN, KEY, APPID) == reply


def test_decrypt_reply_refuses_a_bad_signature():
    reply = "<xml><Content><![CDATA[ok]]></Content></xml>"
    encrypted = WeChatCrypto("another-token", KEY, APPID).encrypt_message(reply, "1", "2")
    with pytest.raises(messages.SignatureError):
        messages.decrypt_reply(encrypted, TOKEN, KEY, APPID)


def test_decrypt_reply_passes_success_through():
    assert messages.decrypt_reply(b"success", TOKEN, KEY, APPID) == "success"


@pytest.mark.parametrize(("xml", "expected"), [
    (messages.image(ACCOUNT, "o1", "http://img/x.jpg", "media-1"),
     {"type": "image", "image": "http://img/x.jpg", "media_id": "media-1"}),
    (messages.voice(ACCOUNT, "o1", "media-2", recognition="你好"),
     {"type": "voice", "format": "amr", "recognition": "你好"}),
    (messages.video(ACCOUNT, "o1", "media-3", "thumb-3"),
     {"type": "video", "thumb_media_id": "thumb-3"}),
    (messages.shortvideo(ACCOUNT, "o1", "media-4", "thumb-4"), {"type": "shortvideo"}),
    (messages.location(ACCOUNT, "o1", 23.134521, 113.358803, 20, "广州"),
     {"type": "location", "label": "广州", "scale": "20"}),
    (messages.link(ACCOUNT, "o1", "Title", "Desc", "http://example.com/a"),
     {"type": "link", "title": "Title", "url": "http://example.com/a"}),
    (messages.subscribe(ACCOUNT, "o1"), {"type": "event", "event": "subscribe"}),
    (messages.subscribe(ACCOUNT, "o1", scene="sunshine", ticket="TICKET"),
     {"event": "subscribe_scan", "scene_id": "sunshine", "ticket": "TICKET"}),
    (messages.unsubscribe(ACCOUNT, "o1"), {"event": "unsubscribe"}),
    (messages.scan(ACCOUNT, "o1", "sunshine", "TICKET"),
     {"event": "scan", "scene_id": "sunshine", "ticket": "TICKET"}),
    (messages.location_event(ACCOUNT, "o1", 23.137466, 113.352425, 119.385040),
     {"event": "location", "latitude": 23.137466, "precision": 119.38504}),
    (messages.click(ACCOUNT, "o1", "REPAIR"), {"event": "click", "key": "REPAIR"}),
    (messages.view(ACCOUNT, "o1", "http://example.com/p"),
     {"event": "view", "url": "http://example.com/p"}),
    (messages.template_send_job_finish(ACCOUNT, "o1", 200163836),
     {"event": "templatesendjobfinish", "id": 200163836, "status": "success"}),
])
def test_documented_message_shapes_are_read_by_wechatpy(xml, expected):
    message = parse_message(xml)
    assert message.source == "o1"
    assert message.target == ACCOUNT
    for name, value in expected.items():
        assert getattr(message, name) == value, name


def test_text_message_has_a_64_bit_msg_id_and_escapes_cdata_end():
    message = parse_message(messages.text(ACCOUNT, "o1", "a]]>b"))
    assert message.content == "a]]>b"
    assert 0 < message.id < 2**64


@pytest.fixture
def callback_server():
    """A bare HTTP server that records what WeChat's side posts and answers "success"."""
    received = []

    class Callback(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def answer(self, body):
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            length = int(self.headers["Content-Length"])
            received.append((self.path, self.headers["Content-Type"], self.rfile.read(length)))
            self.answer(b"success")

        def do_GET(self):
            received.append((self.path, None, b""))
            self.answer(parse_qs(urlsplit(self.path).query)["echostr"][0].encode())

    server = HTTPServer(("127.0.0.1", 0), Callback)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/wechat/callback/?account=1", received
    server.shutdown()
    server.server_close()


def test_push_posts_the_signed_xml_with_its_query(callback_server):
    url, received = callback_server
    xml = messages.click(ACCOUNT, "openid-1", "REPAIR")
    status, body = messages.push(url, xml, token=TOKEN, mode="safe", encoding_aes_key=KEY,
                                 appid=APPID, timestamp=1409735669, nonce="42")
    assert (status, body) == (200, b"success")
    path, content_type, posted = received[0]
    query = parse_qs(urlsplit(path).query)
    assert query["account"] == ["1"]
    assert query["timestamp"] == ["1409735669"] and query["openid"] == ["openid-1"]
    assert content_type == "text/xml"
    plain = WeChatCrypto(TOKEN, KEY, APPID).decrypt_message(
        posted, query["msg_signature"][0], "1409735669", "42")
    assert parse_message(plain).key == "REPAIR"


def test_verify_sends_a_signed_echostr(callback_server):
    url, received = callback_server
    assert messages.verify(url, TOKEN, echostr="12345") == (200, b"12345")
    query = parse_qs(urlsplit(received[0][0]).query)
    check_signature(TOKEN, query["signature"][0], query["timestamp"][0], query["nonce"][0])
