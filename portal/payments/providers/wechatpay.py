"""WeChat Pay v3 (直连商户, JSAPI), through the wechatpayv3 package in "WeChat Pay public
key" mode: responses and notifications are verified with the platform public key
configured here (微信支付公钥 and its id), no platform certificate is downloaded.

Amounts cross this boundary in fen (int); everything returned is Decimal yuan."""

import csv
import gzip
import hashlib
import json
import secrets
import time
from datetime import datetime
from decimal import Decimal, InvalidOperation

import requests
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone
from wechatpayv3 import WeChatPay, WeChatPayType

from ..money import from_fen, to_fen
from .base import AlreadyPaid, NotificationRejected, ProviderError, RefundResult, TradeResult

# A notification older (or newer) than this is refused: a replayed old message.
NOTIFICATION_MAX_AGE_SECONDS = 300
SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"

# Columns of the trade bill (交易账单, bill_type=ALL), by their Chinese headings.
BILL_COLUMNS = {
    "交易时间": "trade_time", "公众账号ID": "appid", "商户号": "mchid",
    "特约商户号": "sub_mchid", "设备号": "device_info", "微信订单号": "transaction_id",
    "商户订单号": "out_trade_no", "用户标识": "openid", "交易类型": "trade_type",
    "交易状态": "trade_state", "付款银行": "bank_type", "货币种类": "currency",
    "应结订单金额": "settlement_total", "代金券金额": "coupon_amount",
    "微信退款单号": "refund_id", "商户退款单号": "out_refund_no", "退款金额": "refund_amount",
    "充值券退款金额": "coupon_refund_amount", "退款类型": "refund_type",
    "退款状态": "refund_status", "商品名称": "description", "商户数据包": "attach",
    "手续费": "fee", "费率": "rate", "订单金额": "total", "申请退款金额": "refund_requested",
    "费率备注": "rate_note",
}
BILL_AMOUNTS = {"settlement_total", "coupon_amount", "refund_amount", "coupon_refund_amount",
                "fee", "total", "refund_requested"}
BILL_SUMMARY_HEADING = "总交易单数"


def _time(value):
    return datetime.fromisoformat(value) if value else None


def _rfc3339(moment):
    return timezone.localtime(moment).isoformat(timespec="seconds")


class WeChatPayProvider:
    name = "wechat"
    is_sandbox = False

    def __init__(self, *, mchid, appid, apiv3_key, private_key, cert_serial_no, public_key,
                 public_key_id, base_url, notify_base_url, timeout_seconds):
        if not notify_base_url:
            raise ImproperlyConfigured(
                "WECHATPAY_NOTIFY_BASE_URL must be the portal's public address: WeChat Pay "
                "sends its notifications there")
        self.mchid = mchid
        self.appid = appid
        self.public_key_id = public_key_id
        self.notify_base_url = notify_base_url.rstrip("/")
        self.client = WeChatPay(
            wechatpay_type=WeChatPayType.JSAPI, mchid=mchid, private_key=private_key,
            cert_serial_no=cert_serial_no, appid=appid, apiv3_key=apiv3_key,
            timeout=float(timeout_seconds), public_key=public_key,
            public_key_id=public_key_id)
        # wechatpayv3 hard-codes WeChat Pay's gateway; the tests and the demo point it at
        # the local stub (WECHATPAY_BASE_URL).
        self.client._core._gate_way = base_url.rstrip("/")

    # --- requests -------------------------------------------------------------------

    def _call(self, method, *args, **kwargs):
        try:
            status, body = method(*args, **kwargs)
        except requests.RequestException as error:
            raise ProviderError(f"WeChat Pay could not be reached ({type(error).__name__})",
                                code="NETWORK") from error
        except Exception as error:  # wechatpayv3 raises bare Exception on a bad signature
            raise ProviderError(str(error), code="ANSWER_UNVERIFIED") from error
        if 200 <= status < 300:
            if isinstance(body, bytes) or not body:
                return body
            return json.loads(body)
        try:
            data = json.loads(body)
        except (TypeError, ValueError):
            data = {}
        raise ProviderError(data.get("message") or f"HTTP {status}",
                            code=data.get("code", str(status)), status=status)

    def notify_url(self, name):
        return self.notify_base_url + reverse(name)

    def prepay(self, order, openid):
        data = self._call(
            self.client.pay, description=order.description, out_trade_no=order.out_trade_no,
            amount={"total": to_fen(order.amount), "currency": "CNY"},
            payer={"openid": openid}, time_expire=_rfc3339(order.expires_at),
            notify_url=self.notify_url("payments:wechat_notify"))
        return data["prepay_id"]

    def jsapi_params(self, prepay_id):
        """WeixinJSBridge.invoke('getBrandWCPayRequest', ...) parameters, signed with the
        merchant key over appId, timeStamp, nonceStr and package."""
        params = {"appId": self.appid, "timeStamp": str(int(time.time())),
                  "nonceStr": secrets.token_hex(16), "package": f"prepay_id={prepay_id}",
                  "signType": "RSA"}
        params["paySign"] = self.client.sign(
            [params["appId"], params["timeStamp"], params["nonceStr"], params["package"]])
        return params

    def query(self, order):
        try:
            data = self._call(self.client.query, out_trade_no=order.out_trade_no)
        except ProviderError as error:
            if error.code == "ORDER_NOT_EXIST":
                return None
            raise
        return self.trade_result(data)

    def close(self, order):
        try:
            self._call(self.client.close, out_trade_no=order.out_trade_no)
        except ProviderError as error:
            if error.code == "ORDERPAID":
                raise AlreadyPaid(str(error), code=error.code) from None
            raise

    def refund(self, refund):
        order = refund.order
        data = self._call(
            self.client.refund, out_refund_no=refund.out_refund_no,
            transaction_id=order.transaction_id, reason=refund.reason,
            amount={"refund": to_fen(refund.amount), "total": to_fen(order.amount),
                    "currency": "CNY"},
            notify_url=self.notify_url("payments:wechat_refund_notify"))
        return self.refund_result(data)

    def query_refund(self, refund):
        return self.refund_result(self._call(self.client.query_refund,
                                             out_refund_no=refund.out_refund_no))

    def download_trade_bill(self, date):
        """The day's trade bill (ALL), as rows of dicts with Decimal yuan amounts and the
        summary; the file's SHA1 is checked against what the application answered."""
        applied = self._call(self.client.trade_bill, bill_date=date.isoformat(),
                             bill_type="ALL", tar_type="GZIP")
        content = self._call(self.client.download_bill, applied["download_url"])
        if isinstance(content, str):
            content = content.encode()
        try:
            content = gzip.decompress(content)
        except OSError as error:
            raise ProviderError("the trade bill is not a gzip file", code="BILL") from error
        if applied.get("hash_type", "SHA1").upper() == "SHA1" and \
                hashlib.sha1(content).hexdigest() != applied.get("hash_value", "").lower():
            raise ProviderError("the trade bill does not match its hash", code="BILL")
        return parse_trade_bill(content.decode("utf-8-sig"))

    # --- answers ----------------------------------------------------------------------

    @staticmethod
    def trade_result(data):
        amount = data.get("amount") or {}
        return TradeResult(
            out_trade_no=data.get("out_trade_no", ""), trade_state=data.get("trade_state", ""),
            transaction_id=data.get("transaction_id", ""),
            amount=from_fen(amount.get("total", 0)), paid_at=_time(data.get("success_time")),
            mchid=data.get("mchid", ""), appid=data.get("appid", ""))

    @staticmethod
    def refund_result(data):
        amount = data.get("amount") or {}
        return RefundResult(
            out_refund_no=data.get("out_refund_no", ""),
            status=data.get("status") or data.get("refund_status", ""),
            refund_id=data.get("refund_id", ""), amount=from_fen(amount.get("refund", 0)),
            succeeded_at=_time(data.get("success_time")), mchid=data.get("mchid", ""))

    # --- notifications --------------------------------------------------------------

    def verify_notification(self, headers, body):
        """The notification's envelope with its resource decrypted, or
        NotificationRejected: signed by WeChat Pay's key, fresh, decryptable with our
        APIv3 key."""
        if headers.get("Wechatpay-Signature-Type", SIGNATURE_TYPE) != SIGNATURE_TYPE:
            raise NotificationRejected("unsupported signature type")
        if headers.get("Wechatpay-Serial") != self.public_key_id:
            raise NotificationRejected("signed with a key we do not know")
        try:
            sent_at = int(headers.get("Wechatpay-Timestamp", ""))
        except ValueError:
            raise NotificationRejected("no timestamp") from None
        if abs(time.time() - sent_at) > NOTIFICATION_MAX_AGE_SECONDS:
            raise NotificationRejected("stale timestamp")
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        try:
            data = self.client.callback(
                {"Wechatpay-Signature": headers.get("Wechatpay-Signature", ""),
                 "Wechatpay-Timestamp": str(sent_at),
                 "Wechatpay-Nonce": headers.get("Wechatpay-Nonce", ""),
                 "Wechatpay-Serial": headers.get("Wechatpay-Serial", ""),
                 "Wechatpay-Signature-Type": SIGNATURE_TYPE}, text)
        except Exception as error:  # wechatpayv3: bare Exception for malformed input
            raise NotificationRejected(f"unreadable notification ({error})") from None
        if not data or not isinstance(data.get("resource"), dict):
            raise NotificationRejected("bad signature or undecryptable resource")
        return data

    def check_ours(self, resource):
        if resource.get("mchid") != self.mchid:
            raise NotificationRejected("not our merchant id", status=400)
        if "appid" in resource and resource["appid"] != self.appid:
            raise NotificationRejected("not our appid", status=400)


def parse_trade_bill(text):
    """WeChat Pay's trade bill: a heading line, rows whose every field starts with a
    backquote (so spreadsheets keep long numbers as text), then the summary heading and
    its row. Returns {"rows": [...], "summary": {...}}."""
    lines = [line for line in text.splitlines() if line.strip()]
    rows, summary = [], {}
    if not lines:
        return {"rows": rows, "summary": summary}
    headings = [BILL_COLUMNS.get(h.strip(), h.strip()) for h in next(csv.reader([lines[0]]))]
    position = 1
    while position < len(lines) and not lines[position].startswith(BILL_SUMMARY_HEADING):
        values = [v.strip().lstrip("`") for v in next(csv.reader([lines[position]]))]
        rows.append({name: _bill_value(name, value)
                     for name, value in zip(headings, values, strict=False)})
        position += 1
    if position + 1 < len(lines):
        names = next(csv.reader([lines[position]]))
        values = [v.strip().lstrip("`") for v in next(csv.reader([lines[position + 1]]))]
        summary = dict(zip((n.strip() for n in names), values, strict=False))
        for name, value in summary.items():
            if "金额" in name:
                summary[name] = _decimal(value)
    return {"rows": rows, "summary": summary}


def _bill_value(name, value):
    return _decimal(value) if name in BILL_AMOUNTS else value


def _decimal(value):
    try:
        return Decimal(value)
    except InvalidOperation:
        return value

