"""WeChat's side of incoming messages: the XML WeChat's server pushes to an Official
Account's callback URL, signed (and in compatible or safe mode encrypted) as WeChat does,
and the check WeChat makes of an encrypted reply.

Written from WeChat's documentation (message formats and the message encryption scheme),
independently of the library the portal uses to read them, so each checks the other.

    xml = messages.text(to_user="gh_account", from_user="openid", content="hello")
    request = messages.sign(xml, token=TOKEN, mode="safe", encoding_aes_key=KEY, appid=APPID)
    status, body = messages.push(callback_url, xml, token=TOKEN, mode="safe", ...)
    reply = messages.decrypt_reply(body, TOKEN, KEY, APPID)
"""

import base64
import hashlib
import hmac
import secrets
import struct
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit
from xml.etree import ElementTree

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

MODES = ("plain", "compatible", "safe")
# WeChat pads to a multiple of 32 bytes (PKCS#7 with a 32-byte block), not AES's 16.
PAD_BLOCK = 32
PUSH_TIMEOUT_SECONDS = 5


class SignatureError(ValueError):
    """A reply's MsgSignature does not match its content."""


@dataclass(frozen=True)
class SignedRequest:
    """What WeChat's server sends: the query string and the POST body."""

    query: dict
    body: bytes

    @property
    def query_string(self):
        return urlencode(self.query)

    def url(self, callback_url):
        parts = urlsplit(callback_url)
        query = "&".join(filter(None, [parts.query, self.query_string]))
        return urlunsplit(parts._replace(query=query))


# -- message XML ------------------------------------------------------------------------

def cdata(value):
    # "]]>" cannot appear inside one CDATA section: split it across two.
    return "<![CDATA[" + str(value).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def element(name, value):
    text = str(value) if isinstance(value, int | float) else cdata(value)
    return f"<{name}>{text}</{name}>"


def build(fields):
    """``fields``: (name, value) pairs in WeChat's order; strings go in CDATA, numbers not."""
    return "<xml>" + "\n".join(element(name, value) for name, value in fields) + "</xml>"


def new_msg_id():
    return secrets.randbits(63) or 1


def _message(msg_type, to_user, from_user, fields, msg_id, create_time):
    head = [("ToUserName", to_user), ("FromUserName", from_user),
            ("CreateTime", int(create_time or time.time())), ("MsgType", msg_type)]
    return build(head + fields + [("MsgId", msg_id or new_msg_id())])


def text(to_user, from_user, content, msg_id=None, create_time=None):
    return _message("text", to_user, from_user, [("Content", content)], msg_id, create_time)


def image(to_user, from_user, pic_url, media_id, msg_id=None, create_time=None):
    fields = [("PicUrl", pic_url), ("MediaId", media_id)]
    return _message("image", to_user, from_user, fields, msg_id, create_time)


def voice(to_user, from_user, media_id, format="amr", recognition=None, msg_id=None,
          create_time=None):
    """``recognition``: the speech-to-text WeChat adds when the account turned it on."""
    fields = [("MediaId", media_id), ("Format", format)]
    if recognition is not None:
        fields.append(("Recognition", recognition))
    return _message("voice", to_user, from_user, fields, msg_id, create_time)


def video(to_user, from_user, media_id, thumb_media_id, msg_id=None, create_time=None,
          msg_type="video"):
    fields = [("MediaId", media_id), ("ThumbMediaId", thumb_media_id)]
    return _message(msg_type, to_user, from_user, fields, msg_id, create_time)


def shortvideo(to_user, from_user, media_id, thumb_media_id, msg_id=None, create_time=None):
    return video(to_user, from_user, media_id, thumb_media_id, msg_id, create_time,
                 msg_type="shortvideo")


def location(to_user, from_user, latitude, longitude, scale=15, label="", msg_id=None,
             create_time=None):
    fields = [("Location_X", float(latitude)), ("Location_Y", float(longitude)),
              ("Scale", int(scale)), ("Label", label)]
    return _message("location", to_user, from_user, fields, msg_id, create_time)


def link(to_user, from_user, title, description, url, msg_id=None, create_time=None):
    fields = [("Title", title), ("Description", description), ("Url", url)]
    return _message("link", to_user, from_user, fields, msg_id, create_time)


def event(to_user, from_user, event, event_key=None, ticket=None, create_time=None,
          fields=()):
    """Any event push; ``fields``: further (name, value) pairs after EventKey and Ticket."""
    head = [("ToUserName", to_user), ("FromUserName", from_user),
            ("CreateTime", int(create_time or time.time())), ("MsgType", "event"),
            ("Event", event)]
    if event_key is not None:
        head.append(("EventKey", event_key))
    if ticket is not None:
        head.append(("Ticket", ticket))
    return build(head + list(fields))


def subscribe(to_user, from_user, scene=None, ticket=None, create_time=None):
    """A follow; with ``scene`` (and ``ticket``) a follow by scanning a parametric QR code,
    whose EventKey WeChat prefixes with "qrscene_"."""
    if scene is None:
        return event(to_user, from_user, "subscribe", create_time=create_time)
    return event(to_user, from_user, "subscribe", f"qrscene_{scene}", ticket or "",
                 create_time)


def unsubscribe(to_user, from_user, create_time=None):
    return event(to_user, from_user, "unsubscribe", create_time=create_time)


def scan(to_user, from_user, scene, ticket, create_time=None):
    """A follower scanned a parametric QR code (EventKey is the bare scene value)."""
    return event(to_user, from_user, "SCAN", str(scene), ticket, create_time)


def location_event(to_user, from_user, latitude, longitude, precision=30.0,
                   create_time=None):
    fields = [("Latitude", float(latitude)), ("Longitude", float(longitude)),
              ("Precision", float(precision))]
    return event(to_user, from_user, "LOCATION", create_time=create_time, fields=fields)


def click(to_user, from_user, key, create_time=None):
    return event(to_user, from_user, "CLICK", key, create_time=create_time)


def view(to_user, from_user, url, menu_id=None, create_time=None):
    fields = [] if menu_id is None else [("MenuId", int(menu_id))]
    return event(to_user, from_user, "VIEW", url, create_time=create_time, fields=fields)


def template_send_job_finish(to_user, from_user, msg_id, status="success",
                             create_time=None):
    """``status``: "success", "failed:user block" or "failed: system failed"."""
    fields = [("MsgID", int(msg_id)), ("Status", status)]
    return event(to_user, from_user, "TEMPLATESENDJOBFINISH", create_time=create_time,
                 fields=fields)


# -- signing and encryption -------------------------------------------------------------

def signature(*parts):
    """WeChat's signature: SHA-1 of the parts sorted as strings and joined."""
    return hashlib.sha1("".join(sorted(str(part) for part in parts)).encode()).hexdigest()


def _cipher(encoding_aes_key):
    key = base64.b64decode(encoding_aes_key + "=")
    if len(key) != 32:
        raise ValueError("EncodingAESKey must be 43 characters of base64")
    return Cipher(algorithms.AES(key), modes.CBC(key[:16]))


def encrypt(message, encoding_aes_key, appid, random_bytes=None):
    """base64(AES-256-CBC(16 random bytes + 4-byte length + message + appid, padded))."""
    message = message.encode() if isinstance(message, str) else message
    random_bytes = secrets.token_bytes(16) if random_bytes is None else random_bytes
    plain = random_bytes + struct.pack(">I", len(message)) + message + appid.encode()
    pad = PAD_BLOCK - len(plain) % PAD_BLOCK
    plain += bytes([pad]) * pad
    encryptor = _cipher(encoding_aes_key).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def decrypt(encrypted, encoding_aes_key, appid):
    """The message inside ``encrypted``; ValueError unless it was made for ``appid``."""
    decryptor = _cipher(encoding_aes_key).decryptor()
    plain = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
    pad = plain[-1] if plain else 0
    if not 1 <= pad <= PAD_BLOCK or plain[-pad:] != bytes([pad]) * pad:
        raise ValueError("bad padding")
    plain = plain[:-pad]
    (length,) = struct.unpack(">I", plain[16:20])
    message, sender = plain[20:20 + length], plain[20 + length:]
    if sender.decode() != appid:
        raise ValueError(f"encrypted for {sender.decode()!r}, not {appid!r}")
    return message.decode()


def _field(root, name):
    found = root.find(name)
    return "" if found is None or found.text is None else found.text


def sign(xml, token, mode="plain", encoding_aes_key=None, appid=None, timestamp=None,
         nonce=None, openid=None, random_bytes=None):
    """The request WeChat's server makes for ``xml`` in the account's message mode.

    plain: the XML as is. compatible: the XML with <Encrypt> added. safe: only
    <ToUserName> and <Encrypt>. The query always has signature, timestamp, nonce and
    openid; compatible and safe add encrypt_type=aes and msg_signature.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    timestamp = str(timestamp or int(time.time()))
    nonce = str(nonce or secrets.randbelow(10**10))
    root = ElementTree.fromstring(xml)
    query = {
        "signature": signature(token, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
        "openid": openid or _field(root, "FromUserName"),
    }
    if mode == "plain":
        return SignedRequest(query, xml.encode())
    if not (encoding_aes_key and appid):
        raise ValueError(f"{mode} mode needs encoding_aes_key and appid")
    encrypted = encrypt(xml, encoding_aes_key, appid, random_bytes)
    query["encrypt_type"] = "aes"
    query["msg_signature"] = signature(token, timestamp, nonce, encrypted)
    if mode == "compatible":
        body = xml.rstrip()[: -len("</xml>")] + "\n" + element("Encrypt", encrypted) + "</xml>"
    else:
        body = build([("ToUserName", _field(root, "ToUserName")), ("Encrypt", encrypted)])
    return SignedRequest(query, body.encode())


def decrypt_reply(body, token, encoding_aes_key, appid):
    """The reply XML inside an encrypted passive reply, checked as WeChat checks it.

    An empty body or "success" (the documented "no reply") is returned as is. Raises
    SignatureError when MsgSignature does not match, ValueError when it is not encrypted
    for ``appid``.
    """
    body = body.decode() if isinstance(body, bytes) else body
    if body.strip() in ("", "success"):
        return body
    root = ElementTree.fromstring(body)
    encrypted = _field(root, "Encrypt")
    if not encrypted:
        raise ValueError("the reply is not encrypted")
    expected = signature(token, _field(root, "TimeStamp"), _field(root, "Nonce"), encrypted)
    if not hmac.compare_digest(expected, _field(root, "MsgSignature")):
        raise SignatureError("MsgSignature does not match the reply")
    return decrypt(encrypted, encoding_aes_key, appid)


# -- HTTP -------------------------------------------------------------------------------

def _request(url, data=None):
    headers = {"Content-Type": "text/xml"} if data is not None else {}
    request = urllib.request.Request(url, data=data, headers=headers,
                                     method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=PUSH_TIMEOUT_SECONDS) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def push(callback_url, xml, **sign_kwargs):
    """POST ``xml`` to the callback URL as WeChat's server does; returns (status, body)."""
    request = sign(xml, **sign_kwargs)
    return _request(request.url(callback_url), request.body)


def verify(callback_url, token, echostr=None, timestamp=None, nonce=None):
    """WeChat's check of a newly configured callback URL: a signed GET whose answer must be
    ``echostr``. Returns (status, body)."""
    timestamp = str(timestamp or int(time.time()))
    nonce = str(nonce or secrets.randbelow(10**10))
    query = {
        "signature": signature(token, timestamp, nonce),
        "echostr": echostr or str(secrets.randbits(63)),
        "timestamp": timestamp,
        "nonce": nonce,
    }
    return _request(SignedRequest(query, b"").url(callback_url))
