"""WeChat Pay's notifications: a payment succeeded, a refund ended.

Each is verified (signature with WeChat Pay's public key, freshness, decryption with our
APIv3 key), checked against our records (merchant id, appid, amount in fen) and then
acted on once: the notification's id goes into a unique log in the same transaction as
the settlement, and the settlement locks the order's row, so the same notification
arriving many times, or at the same moment, settles once. A repeat is answered with
success and changes nothing."""

import logging

from django.db import transaction

from .models import AmountMismatch, Channel, PaymentOrder, ReceivedNotification, Refund
from .providers import NotificationRejected, get_provider

logger = logging.getLogger(__name__)
# The fields a notification's checks read before anything is locked.
REPEAT_CHECK_FIELDS = ("out_trade_no", "community_id", "amount", "state", "transaction_id")


def _verified(headers, body):
    provider = get_provider()
    if provider.is_sandbox:
        raise NotificationRejected("WeChat Pay is not configured", status=404)
    data = provider.verify_notification(headers, body)
    provider.check_ours(data["resource"])
    if not data.get("id"):
        raise NotificationRejected("notification without id", status=400)
    return provider, data


def payment_notified(headers, body):
    """TRANSACTION.SUCCESS. Returns True when it settled the order."""
    provider, data = _verified(headers, body)
    if data.get("event_type") != "TRANSACTION.SUCCESS":
        return False
    result = provider.trade_result(data["resource"])
    if result.trade_state != "SUCCESS":
        return False
    try:
        # Only what the checks below read; settle() locks and reads the whole row.
        order = PaymentOrder.objects.only(*REPEAT_CHECK_FIELDS).get(
            out_trade_no=result.out_trade_no)
    except PaymentOrder.DoesNotExist:
        raise NotificationRejected("unknown order", status=404) from None
    if result.amount != order.amount:
        logger.error("payment notification for order %s: amount %s, order asks %s",
                     order.out_trade_no, result.amount, order.amount)
        raise NotificationRejected("amount does not match the order", status=400)
    if order.is_paid and order.transaction_id == result.transaction_id:
        return False  # a repeat of a payment already settled: nothing to lock or log
    # The notification is logged in settle()'s own transaction.
    return order.settle(transaction_id=result.transaction_id, amount=result.amount,
                        paid_at=result.paid_at, channel=Channel.WECHAT,
                        notification=(data["id"], data.get("event_type", "")))


def refund_notified(headers, body):
    """REFUND.SUCCESS / REFUND.CLOSED / REFUND.ABNORMAL. True when it changed the refund."""
    provider, data = _verified(headers, body)
    if not str(data.get("event_type", "")).startswith("REFUND."):
        return False
    result = provider.refund_result(data["resource"])
    refund = Refund.objects.select_related("order").filter(
        out_refund_no=result.out_refund_no).first()
    if refund is None:
        raise NotificationRejected("unknown refund", status=404)
    if result.status == "SUCCESS" and result.amount != refund.amount:
        logger.error("refund notification for %s: amount %s, refund asks %s",
                     refund.out_refund_no, result.amount, refund.amount)
        raise NotificationRejected("amount does not match the refund", status=400)
    try:
        with transaction.atomic():
            if not ReceivedNotification.first_time(data["id"], data.get("event_type", ""),
                                                   order=refund.order):
                return False
            return refund.apply_result(result)
    except AmountMismatch as error:
        raise NotificationRejected(str(error), status=400) from None
