"""The URL WeChat's servers call: GET to verify the server, POST to deliver what followers
send, in plain, compatible or safe (AES) mode.

A request is refused before anything is processed when it is not WeChat's: unknown or
inactive account (404), bad signature or msg_signature, undecryptable body, or a
timestamp more than five minutes off (403); a body over 64 KiB (413); unreadable XML or
XML with a DOCTYPE or entity declarations (400). Each refusal writes one log line without
the follower's openid or what they wrote. Accepted messages are recorded once (WeChat
retries an unanswered message three times) and answered at once with the passive reply
or "success"; anything slow goes to a background task.
"""

import logging
import re
import struct
import time
import traceback
from xml.parsers.expat import ExpatError

import xmltodict
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseNotFound
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.utils import check_signature

from . import handlers, tasks
from .accounts import account_by_appid
from .models import OfficialAccount, ReceivedMessage

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
MAX_CLOCK_SKEW_SECONDS = 300
MAX_USER_NAME_LENGTH = 64  # openids and gh_ IDs are 28-ish characters
# A retry of a message whose answer came too late gets the same answer again.
REPLAY_SECONDS = 60
# WeChat never sends a document type; refusing it shuts out entity expansion
# ("billion laughs") and external entities before any parser sees them.
DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


class Refused(Exception):
    def __init__(self, status, reason):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _check_fresh(timestamp):
    try:
        skew = abs(time.time() - int(timestamp))
    except (TypeError, ValueError) as error:
        raise Refused(403, "missing or malformed timestamp") from error
    if skew > MAX_CLOCK_SKEW_SECONDS:
        raise Refused(403, f"timestamp {int(skew)} s off (replay?)")


def _check_signature(account, params):
    if not account.token:
        raise Refused(403, "the account has no token")
    try:
        check_signature(account.token, params.get("signature", ""), params.get("timestamp"),
                        params.get("nonce", ""))
    except InvalidSignatureException as error:
        raise Refused(403, "bad signature") from error


def _read_body(request):
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError as error:
        raise Refused(400, "malformed Content-Length") from error
    if length > MAX_BODY_BYTES:
        raise Refused(413, f"body of {length} bytes")
    body = request.body
    if not body:
        raise Refused(400, "empty body")
    return body


def _parse_xml(xml):
    """The <xml> element of a document as a dict, refusing declarations and garbage."""
    if isinstance(xml, str):
        xml = xml.encode()
    if DECLARATION.search(xml):
        raise Refused(400, "XML with a DOCTYPE or entity declaration")
    try:
        root = xmltodict.parse(xml)
    except (ExpatError, ValueError) as error:
        raise Refused(400, f"unreadable XML ({type(error).__name__})") from error
    if not isinstance(root, dict) or not isinstance(root.get("xml"), dict):
        raise Refused(400, "XML without an <xml> element")
    return root["xml"]


def _is_name(value):
    return isinstance(value, str) and 0 < len(value) <= MAX_USER_NAME_LENGTH


def parse(xml):
    """A wechatpy message from the plain XML, with the fields we rely on checked."""
    _parse_xml(xml)
    try:
        message = parse_message(xml)
        if not (_is_name(message.source) and _is_name(message.target)):
            raise Refused(400, "missing or malformed FromUserName / ToUserName")
        message.time  # noqa: B018  (converted on access: raises on a malformed CreateTime)
        message.id  # noqa: B018
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise Refused(400, f"malformed message ({type(error).__name__})") from error
    for name in ("content", "key", "scene_id"):
        value = getattr(message, name, None)
        if value is not None and not isinstance(value, str):
            raise Refused(400, f"malformed {name}")
    return message


def _crypto(account):
    try:
        return WeChatCrypto(account.token, account.encoding_aes_key, account.appid)
    except (ValueError, AssertionError) as error:
        raise Refused(403, "the account's EncodingAESKey is not a valid key") from error


def _decrypt(account, params, body):
    if not account.token or not account.encoding_aes_key:
        raise Refused(403, "encrypted message, but the account has no token or EncodingAESKey")
    envelope = _parse_xml(body)
    if not isinstance(envelope.get("Encrypt"), str):
        raise Refused(400, "encrypted message without <Encrypt>")
    crypto = _crypto(account)
    try:
        xml = crypto.decrypt_message(envelope, params.get("msg_signature", ""),
                                     params.get("timestamp"), params.get("nonce", ""))
    except InvalidSignatureException as error:
        raise Refused(403, "bad msg_signature") from error
    except (InvalidAppIdException, ValueError, TypeError, IndexError, struct.error) as error:
        raise Refused(403, f"cannot decrypt ({type(error).__name__}): wrong key?") from error
    return xml, crypto


def receive(account, request):
    """The message in a POST, and the crypto to answer it with (None in plain mode)."""
    params = request.GET
    _check_fresh(params.get("timestamp"))
    body = _read_body(request)
    if params.get("encrypt_type") == "aes":
        xml, crypto = _decrypt(account, params, body)
    elif account.message_mode == OfficialAccount.MessageMode.SAFE:
        raise Refused(403, "plain message for an account in safe mode")
    else:
        _check_signature(account, params)
        xml, crypto = body, None
    return parse(xml), crypto


def dedupe_key(message):
    if message.type != "event" and message.id:
        return f"msg:{message.id}"
    event = getattr(message, "event", message.type)
    return f"event:{message.source}:{message.time}:{event}"


def process(account, message, request):
    """Record the message once and handle it: the reply XML, or "" when there is none.
    A retry of a message already handled changes nothing and gets the same answer."""
    key = dedupe_key(message)
    replay_key = f"wechat:reply:{account.pk}:{key}"
    recorded = False
    try:
        # One transaction: if handling fails, the record goes too and WeChat's retry is
        # handled afresh. A concurrent retry waits on the record's unique key until this
        # commits, then finds the answer in the cache.
        with transaction.atomic():
            # bulk_create sends no post_save: the record changes nothing a page shows,
            # so it must not invalidate the resident page cache (portal.page_cache).
            ReceivedMessage.objects.bulk_create([ReceivedMessage(account=account,
                                                                 dedupe_key=key)])
            recorded = True
            reply = handlers.handle(handlers.Incoming(account, message, request))
            xml = reply.render() if reply is not None else ""
            cache.set(replay_key, xml, REPLAY_SECONDS)
            tasks.schedule_purge()
    except IntegrityError:
        if recorded:
            raise
        return cache.get(replay_key, "")
    return xml


def _answer(xml, crypto, request):
    if not xml:
        return HttpResponse("success", content_type="text/plain")
    if crypto is not None:
        xml = crypto.encrypt_message(xml, request.GET.get("nonce", ""), str(int(time.time())))
    return HttpResponse(xml, content_type="application/xml; charset=utf-8")


def _refuse(appid, refused):
    logger.warning("WeChat callback for %s refused with %s: %s", appid, refused.status,
                   refused.reason)
    return HttpResponse(status=refused.status)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def callback(request, appid):
    account = account_by_appid(appid)
    if account is None:
        logger.warning("WeChat callback for an unknown or inactive account %r", appid[:40])
        return HttpResponseNotFound()
    try:
        if request.method == "GET":
            _check_fresh(request.GET.get("timestamp"))
            _check_signature(account, request.GET)
            return HttpResponse(request.GET.get("echostr", ""), content_type="text/plain")
        message, crypto = receive(account, request)
    except Refused as refused:
        return _refuse(appid, refused)
    try:
        xml = process(account, message, request)
    except Exception as error:  # noqa: BLE001  never a 500 to WeChat, which would retry
        # The class and the stack, not the message: it may quote the follower's data.
        logger.error("Handling a WeChat message for %s failed (%s)\n%s", appid,
                     type(error).__name__, "".join(traceback.format_tb(error.__traceback__)))
        xml = ""
    return _answer(xml, crypto, request)
