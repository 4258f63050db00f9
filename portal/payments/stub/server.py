"""A local stand-in for WeChat Pay v3 (api.mch.weixin.qq.com) for the tests and the demo.

It speaks the documented protocol: it checks each request's Authorization header
(WECHATPAY2-SHA256-RSA2048, signed with the merchant's private key, verified with the
merchant public key it is given), signs every answer with a platform key pair of its
own (the "WeChat Pay public key" mode: the portal is given its public key and id), keeps
orders and refunds in memory, and sends real notifications: a JSON envelope whose
resource is AES-256-GCM encrypted with the APIv3 key, signed in the Wechatpay-* headers.

Standard library plus cryptography (which wechatpayv3 needs anyway), so it runs in a
test process or as its own (``python -m portal.payments.stub``).
"""

import base64
import gzip
import hashlib
import http.client
import json
import re
import secrets
import string
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
CHINA = timezone(timedelta(hours=8))
AUTH_PATTERN = re.compile(r'(\w+)="([^"]*)"')
REQUEST_MAX_AGE_SECONDS = 300

BILL_HEADINGS = ("交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,"
                 "交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,"
                 "商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,"
                 "手续费,费率,订单金额,申请退款金额,费率备注")
BILL_SUMMARY = ("总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,"
                "申请退款总金额")
FEE_RATE = Decimal("0.006")


def new_key_pair():
    """(private key PEM, public key PEM) of a fresh 2048-bit RSA key, as text."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


def rsa_sign(private_key, message):
    signature = private_key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode()


def rsa_verify(public_key, message, signature):
    try:
        public_key.verify(base64.b64decode(signature), message.encode(), padding.PKCS1v15(),
                          hashes.SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


def _nonce(length=32):
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _now():
    return datetime.now(CHINA).replace(microsecond=0)


def _yuan(fen):
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


class StubError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass
class Order:
    out_trade_no: str
    appid: str
    description: str
    total: int
    openid: str
    notify_url: str
    prepay_id: str
    time_expire: str = ""
    trade_state: str = "NOTPAY"
    transaction_id: str = ""
    success_time: str = ""
    refunded: int = 0


@dataclass
class RefundRecord:
    out_refund_no: str
    out_trade_no: str
    refund: int
    reason: str
    notify_url: str
    refund_id: str
    status: str = "PROCESSING"
    create_time: str = ""
    success_time: str = ""


@dataclass
class Notification:
    """A notification ready to send: tests may alter any part before posting it."""

    url: str
    headers: dict
    body: bytes
    resource: dict = field(default_factory=dict)

    def post(self, timeout=10):
        return post(self.url, self.headers, self.body, timeout=timeout)


def post(url, headers, body, timeout=10, attempts=3):
    """POST and return (status, text): the way WeChat Pay's notifier reads our answer.
    A connection the server dropped before reading it (a full listen queue) is tried
    again, as WeChat Pay does."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    for attempt in range(attempts):
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()
        except (ConnectionError, http.client.RemoteDisconnected, urllib.error.URLError):
            if attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


class WeChatPayStub:
    """One merchant (mchid, appid, APIv3 key) at WeChat Pay."""

    def __init__(self, host="127.0.0.1", port=0, *, mchid="1900000109",
                 appid="wxpaytestappid01", apiv3_key=None, merchant_public_key=None,
                 merchant_serial_no=""):
        self.host, self.port = host, port
        self.mchid, self.appid = mchid, appid
        self.apiv3_key = apiv3_key or _nonce(32)
        private_pem, self.platform_public_key = new_key_pair()
        self._platform_key = serialization.load_pem_private_key(private_pem.encode(), None)
        self.public_key_id = "PUB_KEY_ID_" + secrets.token_hex(12).upper()
        self.set_merchant(merchant_public_key, merchant_serial_no)
        self._lock = threading.Lock()
        self._server = None
        self._thread = None
        self.reset()

    # --- set-up ---------------------------------------------------------------------

    def set_merchant(self, public_key_pem, serial_no):
        """The merchant's API certificate: requests must be signed with its key."""
        self.merchant_serial_no = serial_no
        self._merchant_key = (serialization.load_pem_public_key(public_key_pem.encode())
                              if public_key_pem else None)

    def reset(self):
        with getattr(self, "_lock", threading.Lock()):
            self.orders = {}
            self.refunds = {}
            self.bills = {}
            self.calls = []
            self._failures = []
            self._lost_answers = []

    def fail_next(self, path_part, status, code, message="error"):
        """The next request whose path contains ``path_part`` gets this error."""
        self._failures.append((path_part, StubError(status, code, message)))

    def lose_next_answer(self, path_part, status=500, code="SYSTEM_ERROR", message="系统超时"):
        """The next request whose path contains ``path_part`` is carried out, but answered
        with this error: WeChat Pay's gateway timing out after the refund was made."""
        self._lost_answers.append((path_part, StubError(status, code, message)))

    def calls_to(self, path_part):
        return [call for call in self.calls if path_part in call]

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    def bind(self):
        handler = type("Handler", (_Handler,), {"stub": self})
        self._server = ThreadingHTTPServer((self.host, self.port), handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]

    def serve_forever(self):
        self._server.serve_forever(poll_interval=0.1)

    def start(self):
        self.bind()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # --- signing ----------------------------------------------------------------------

    def signed_headers(self, body, *, timestamp=None, key=None, serial=None):
        timestamp = str(int(time.time()) if timestamp is None else timestamp)
        nonce = _nonce()
        text = body.decode() if isinstance(body, bytes) else body
        signature = rsa_sign(key or self._platform_key, f"{timestamp}\n{nonce}\n{text}\n")
        return {"Wechatpay-Timestamp": timestamp, "Wechatpay-Nonce": nonce,
                "Wechatpay-Signature": signature,
                "Wechatpay-Serial": serial or self.public_key_id,
                "Wechatpay-Signature-Type": SIGNATURE_TYPE}

    def encrypt(self, resource, associated_data, apiv3_key=None):
        nonce = _nonce(12)
        ciphertext = AESGCM((apiv3_key or self.apiv3_key).encode()).encrypt(
            nonce.encode(), json.dumps(resource, ensure_ascii=False).encode(),
            associated_data.encode())
        return {"algorithm": "AEAD_AES_256_GCM", "ciphertext": base64.b64encode(ciphertext)
                .decode(), "associated_data": associated_data, "nonce": nonce}

    def _check_authorization(self, method, target, body, header):
        if self._merchant_key is None:
            return
        scheme, _, rest = (header or "").partition(" ")
        fields = dict(AUTH_PATTERN.findall(rest))
        if scheme != SIGNATURE_TYPE or not {"mchid", "nonce_str", "signature", "timestamp",
                                             "serial_no"} <= fields.keys():
            raise StubError(401, "SIGN_ERROR", "Authorization 格式错误")
        if fields["mchid"] != self.mchid:
            raise StubError(401, "SIGN_ERROR", "商户号不匹配")
        if fields["serial_no"] != self.merchant_serial_no:
            raise StubError(401, "SIGN_ERROR", "商户证书序列号有误")
        if abs(time.time() - int(fields["timestamp"])) > REQUEST_MAX_AGE_SECONDS:
            raise StubError(401, "SIGN_ERROR", "请求时间戳已过期")
        message = f"{method}\n{target}\n{fields['timestamp']}\n{fields['nonce_str']}\n{body}\n"
        if not rsa_verify(self._merchant_key, message, fields["signature"]):
            raise StubError(401, "SIGN_ERROR", "签名错误")

    # --- what the payer and WeChat Pay do ----------------------------------------------

    def pay(self, out_trade_no, *, times=1, concurrently=False, distinct_ids=False,
            notify=True):
        """The payer pays: the order becomes SUCCESS and its notification is sent
        ``times`` times (at once with ``concurrently``; each with its own notification
        id with ``distinct_ids``, as when WeChat Pay's retries overlap). Returns the
        answers as (status, text)."""
        with self._lock:
            order = self._order(out_trade_no)
            if order.trade_state == "NOTPAY":
                order.trade_state = "SUCCESS"
                order.transaction_id = "4200" + "".join(secrets.choice(string.digits)
                                                        for _ in range(24))
                order.success_time = _now().isoformat()
        if not notify:
            return []
        first = self.payment_notification(out_trade_no)
        notes = [self.payment_notification(out_trade_no) if distinct_ids and number else first
                 for number in range(times)]
        return send_all(notes, concurrently=concurrently)

    def payment_resource(self, out_trade_no):
        order = self.orders[out_trade_no]
        return {
            "mchid": self.mchid, "appid": order.appid, "out_trade_no": order.out_trade_no,
            "transaction_id": order.transaction_id, "trade_type": "JSAPI",
            "trade_state": order.trade_state, "trade_state_desc": "支付成功",
            "bank_type": "OTHERS", "attach": "", "success_time": order.success_time,
            "payer": {"openid": order.openid},
            "amount": {"total": order.total, "payer_total": order.total, "currency": "CNY",
                       "payer_currency": "CNY"},
        }

    def payment_notification(self, number, /, **changes):
        """The TRANSACTION.SUCCESS notification of a paid order; ``changes`` alter the
        resource before it is encrypted (a wrong mchid, amount, out_trade_no...)."""
        order = self.orders[number]
        resource = {**self.payment_resource(number), **changes}
        return self.notification(order.notify_url, "TRANSACTION.SUCCESS", "支付成功",
                                 resource, "transaction")

    def notification(self, url, event_type, summary, resource, original_type, *,
                     notification_id=None, timestamp=None, key=None, apiv3_key=None):
        envelope = {
            "id": notification_id or str(uuid.uuid4()), "create_time": _now().isoformat(),
            "resource_type": "encrypt-resource", "event_type": event_type,
            "summary": summary,
            "resource": {"original_type": original_type,
                         **self.encrypt(resource, original_type, apiv3_key)},
        }
        body = json.dumps(envelope, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json",
                   **self.signed_headers(body, timestamp=timestamp, key=key)}
        return Notification(url, headers, body, resource)

    def complete_refund(self, out_refund_no, *, status="SUCCESS", notify=True, times=1,
                        concurrently=False):
        """WeChat Pay finishes a refund (SUCCESS, CLOSED or ABNORMAL) and tells us."""
        with self._lock:
            refund = self.refunds[out_refund_no]
            refund.status = status
            if status == "SUCCESS":
                refund.success_time = _now().isoformat()
            if status == "CLOSED":  # nothing went back: the amount can be refunded again
                order = self.orders[refund.out_trade_no]
                order.refunded -= refund.refund
                if not order.refunded:
                    order.trade_state = "SUCCESS"
        if not notify:
            return []
        note = self.refund_notification(out_refund_no)
        return send_all([note] * times, concurrently=concurrently)

    def refund_resource(self, out_refund_no):
        refund = self.refunds[out_refund_no]
        order = self.orders[refund.out_trade_no]
        return {
            "mchid": self.mchid, "transaction_id": order.transaction_id,
            "out_trade_no": order.out_trade_no, "refund_id": refund.refund_id,
            "out_refund_no": refund.out_refund_no, "refund_status": refund.status,
            "success_time": refund.success_time, "user_received_account": "支付用户零钱",
            "amount": {"total": order.total, "refund": refund.refund,
                       "payer_total": order.total, "payer_refund": refund.refund},
        }

    def refund_notification(self, number, /, **changes):
        refund = self.refunds[number]
        resource = {**self.refund_resource(number), **changes}
        summary = {"SUCCESS": "退款成功", "CLOSED": "退款关闭"}.get(refund.status, "退款异常")
        return self.notification(refund.notify_url, f"REFUND.{refund.status}", summary,
                                 resource, "refund")

    # --- the API ------------------------------------------------------------------------

    def _order(self, out_trade_no):
        order = self.orders.get(out_trade_no)
        if order is None:
            raise StubError(404, "ORDER_NOT_EXIST", "订单不存在")
        return order

    def handle(self, method, target, body, authorization):
        self.calls.append(f"{method} {target}")
        for number, (part, error) in enumerate(self._failures):
            if part in target:
                del self._failures[number]
                raise error
        answer = self._carry_out(method, target, body, authorization)
        for number, (part, error) in enumerate(self._lost_answers):
            if part in target:
                del self._lost_answers[number]
                raise error
        return answer

    def _carry_out(self, method, target, body, authorization):
        self._check_authorization(method, target, body, authorization)
        split = urlsplit(target)
        path, query = split.path, {k: v[0] for k, v in parse_qs(split.query).items()}
        data = json.loads(body) if body else {}
        with self._lock:
            if method == "POST" and path == "/v3/pay/transactions/jsapi":
                return 200, self._jsapi(data)
            match = re.fullmatch(r"/v3/pay/transactions/out-trade-no/([^/]+)", path)
            if method == "GET" and match:
                if query.get("mchid") != self.mchid:
                    raise StubError(400, "PARAM_ERROR", "mchid 与请求的商户号不一致")
                order = self._order(match[1])
                resource = self.payment_resource(order.out_trade_no)
                if order.trade_state != "SUCCESS":
                    for key in ("transaction_id", "success_time", "bank_type"):
                        resource.pop(key)
                    resource["trade_state_desc"] = {"NOTPAY": "订单未支付",
                                                    "CLOSED": "订单已关闭"}.get(
                        order.trade_state, order.trade_state)
                return 200, resource
            match = re.fullmatch(r"/v3/pay/transactions/out-trade-no/([^/]+)/close", path)
            if method == "POST" and match:
                return self._close(match[1], data)
            if method == "POST" and path == "/v3/refund/domestic/refunds":
                return 200, self._refund(data)
            match = re.fullmatch(r"/v3/refund/domestic/refunds/([^/]+)", path)
            if method == "GET" and match:
                if match[1] not in self.refunds:
                    raise StubError(404, "RESOURCE_NOT_EXISTS", "退款单不存在")
                return 200, self._refund_answer(self.refunds[match[1]])
            if method == "GET" and path == "/v3/bill/tradebill":
                return 200, self._trade_bill(query)
            if method == "GET" and path == "/v3/billdownload/file":
                content = self.bills.get(query.get("token"))
                if content is None:
                    raise StubError(400, "NO_STATEMENT_EXIST", "账单文件不存在")
                return 200, gzip.compress(content)
        raise StubError(404, "NOT_FOUND", "not found")

    def _jsapi(self, data):
        for name in ("appid", "mchid", "description", "out_trade_no", "notify_url", "amount",
                     "payer"):
            if not data.get(name):
                raise StubError(400, "PARAM_ERROR", f"输入源“/body/{name}”映射到字段失败")
        if data["mchid"] != self.mchid or data["appid"] != self.appid:
            raise StubError(400, "INVALID_REQUEST", "appid和mch_id不匹配")
        total = data["amount"].get("total")
        if not isinstance(total, int) or total <= 0:
            raise StubError(400, "PARAM_ERROR", "订单金额必须是大于零的整数")
        if len(data["description"]) > 127 or len(data["out_trade_no"]) > 32:
            raise StubError(400, "PARAM_ERROR", "参数长度有误")
        existing = self.orders.get(data["out_trade_no"])
        if existing is not None:
            if existing.trade_state == "SUCCESS":
                raise StubError(400, "ORDERPAID", "该订单已支付")
            if existing.trade_state == "CLOSED":
                raise StubError(400, "ORDER_CLOSED", "订单已关闭")
            if existing.total != total or existing.description != data["description"]:
                raise StubError(400, "INVALID_REQUEST", "201 商户订单号重复")
            return {"prepay_id": existing.prepay_id}
        order = Order(out_trade_no=data["out_trade_no"], appid=data["appid"],
                      description=data["description"], total=total,
                      openid=data["payer"].get("openid", ""), notify_url=data["notify_url"],
                      prepay_id="wx" + secrets.token_hex(16), time_expire=data.get(
                          "time_expire", ""))
        self.orders[order.out_trade_no] = order
        return {"prepay_id": order.prepay_id}

    def _close(self, out_trade_no, data):
        if data.get("mchid") != self.mchid:
            raise StubError(400, "PARAM_ERROR", "mchid 有误")
        order = self._order(out_trade_no)
        if order.trade_state == "SUCCESS":
            raise StubError(400, "ORDERPAID", "订单已支付")
        order.trade_state = "CLOSED"
        return 204, None

    def _refund(self, data):
        existing = self.refunds.get(data.get("out_refund_no"))
        if existing is not None:
            return self._refund_answer(existing)
        order = next((o for o in self.orders.values()
                      if data.get("transaction_id") and o.transaction_id == data["transaction_id"]
                      or data.get("out_trade_no") == o.out_trade_no), None)
        if order is None:
            raise StubError(404, "RESOURCE_NOT_EXISTS", "订单不存在")
        if order.trade_state not in ("SUCCESS", "REFUND"):
            raise StubError(400, "INVALID_REQUEST", "订单未支付，不能退款")
        amount = data.get("amount") or {}
        refund = amount.get("refund")
        if amount.get("total") != order.total:
            raise StubError(400, "PARAM_ERROR", "订单金额与原订单金额不一致")
        if not isinstance(refund, int) or refund <= 0 or order.refunded + refund > order.total:
            raise StubError(400, "INVALID_REQUEST", "申请退款金额超过订单可退金额")
        order.refunded += refund
        order.trade_state = "REFUND"
        record = RefundRecord(out_refund_no=data["out_refund_no"], out_trade_no=order.out_trade_no,
                              refund=refund, reason=data.get("reason", ""),
                              notify_url=data.get("notify_url", ""),
                              refund_id="5030" + "".join(secrets.choice(string.digits)
                                                         for _ in range(25)),
                              create_time=_now().isoformat())
        self.refunds[record.out_refund_no] = record
        return self._refund_answer(record)

    def _refund_answer(self, record):
        order = self.orders[record.out_trade_no]
        answer = {
            "refund_id": record.refund_id, "out_refund_no": record.out_refund_no,
            "transaction_id": order.transaction_id, "out_trade_no": order.out_trade_no,
            "channel": "ORIGINAL", "user_received_account": "支付用户零钱",
            "create_time": record.create_time, "status": record.status,
            "amount": {"total": order.total, "refund": record.refund,
                       "payer_total": order.total, "payer_refund": record.refund,
                       "currency": "CNY"},
        }
        if record.success_time:
            answer["success_time"] = record.success_time
        return answer

    def _trade_bill(self, query):
        """The day's ALL bill: a row per payment (交易状态 SUCCESS) and per successful
        refund (REFUND, the fee given back negative), then the summary."""
        day = query.get("bill_date", "")
        rows = []
        for order in self.orders.values():
            if order.success_time[:10] == day:
                total = _yuan(order.total)
                rows.append(self._bill_row(order, order.success_time, "SUCCESS", total,
                                           _fee(total)))
        for refund in self.refunds.values():
            if refund.status == "SUCCESS" and refund.success_time[:10] == day:
                order = self.orders[refund.out_trade_no]
                amount = _yuan(refund.refund)
                rows.append(self._bill_row(
                    order, refund.success_time, "REFUND", Decimal("0.00"), -_fee(amount),
                    refund_id=refund.refund_id, out_refund_no=refund.out_refund_no,
                    refund=amount))
        settled = sum((row[12] for row in rows), Decimal("0.00"))
        refunded = sum((row[16] for row in rows), Decimal("0.00"))
        fees = sum((row[22] for row in rows), Decimal("0.00"))
        lines = [BILL_HEADINGS]
        lines += [",".join(f"`{value}" for value in row) for row in rows]
        lines += [BILL_SUMMARY,
                  f"`{len(rows)},`{settled},`{refunded},`0.00,`{fees},`{settled},`{refunded}"]
        content = ("\r\n".join(lines) + "\r\n").encode()
        token = secrets.token_urlsafe(16)
        self.bills[token] = content
        return {"hash_type": "SHA1", "hash_value": hashlib.sha1(content).hexdigest(),
                "download_url": f"{self.url}/v3/billdownload/file?token={token}"}

    def _bill_row(self, order, at, state, total, fee, *, refund_id="0", out_refund_no="0",
                  refund=Decimal("0.00")):
        refunding = state == "REFUND"
        return [at.replace("T", " ")[:19], order.appid, self.mchid, "0", "",
                order.transaction_id, order.out_trade_no, order.openid, "JSAPI", state,
                "OTHERS", "CNY", total, "0.00", refund_id, out_refund_no, refund, "0.00",
                "ORIGINAL" if refunding else "", "SUCCESS" if refunding else "",
                order.description, "", fee, "0.60%", total, refund, ""]


def _fee(amount):
    return (amount * FEE_RATE).quantize(Decimal("0.01"), ROUND_HALF_UP)


def send_all(notes, *, concurrently=False):
    if not concurrently:
        return [note.post() for note in notes]
    start = threading.Barrier(len(notes))

    def send(note):
        start.wait()
        return note.post()

    with ThreadPoolExecutor(max_workers=len(notes)) as pool:
        return list(pool.map(send, notes))


class _Handler(BaseHTTPRequestHandler):
    stub = None
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def _serve(self, method):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        try:
            status, data = self.stub.handle(method, self.path, body,
                                            self.headers.get("Authorization"))
        except StubError as error:
            status, data = error.status, {"code": error.code, "message": error.message}
        except (ValueError, KeyError):
            status, data = 400, {"code": "PARAM_ERROR", "message": "请求体格式错误"}
        if isinstance(data, bytes):
            payload, content_type = data, "application/octet-stream"
        elif data is None:
            payload, content_type = b"", "application/json; charset=utf-8"
        else:
            payload = json.dumps(data, ensure_ascii=False).encode()
            content_type = "application/json; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Request-ID", str(uuid.uuid4()))
        if 200 <= status < 300 and not isinstance(data, bytes):
            for name, value in self.stub.signed_headers(payload).items():
                self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")
