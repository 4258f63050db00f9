"""The day's trade bill, applied for and downloaded from WeChat Pay, checked against its
hash and read into rows with Decimal yuan amounts (for reconciliation reports)."""

from decimal import Decimal

import pytest
from django.utils import timezone

from portal.payments.providers import ProviderError, get_provider

from .conftest import deliver, open_order

pytestmark = pytest.mark.django_db


def test_the_trade_bill_lists_the_days_payments(client, wechatpay, resident, purpose_log):
    orders = [open_order(resident, amount) for amount in ("88.50", "0.01")]
    for order in orders:
        order.prepay("o-payer-openid-1")
        wechatpay.pay(order.out_trade_no, notify=False)
        deliver(client, wechatpay.payment_notification(order.out_trade_no))

    bill = get_provider().download_trade_bill(timezone.localdate())

    rows = {row["out_trade_no"]: row for row in bill["rows"]}
    assert set(rows) == {order.out_trade_no for order in orders}
    first = rows[orders[0].out_trade_no]
    assert first["total"] == Decimal("88.50")
    assert first["fee"] == Decimal("0.53")
    assert first["trade_state"] == "SUCCESS"
    assert first["transaction_id"] == wechatpay.orders[orders[0].out_trade_no].transaction_id
    assert bill["summary"]["总交易单数"] == "2"
    assert bill["summary"]["订单总金额"] == Decimal("88.51")


def test_the_trade_bill_lists_the_days_refunds(client, wechatpay, resident, purpose_log,
                                                finance_a):
    order = open_order(resident, "100.00")
    order.prepay("o-payer-openid-1")
    wechatpay.pay(order.out_trade_no, notify=False)
    deliver(client, wechatpay.payment_notification(order.out_trade_no))
    order.refresh_from_db()
    refund = order.refund(amount=Decimal("40.00"), reason="退费", by=finance_a)
    wechatpay.complete_refund(refund.out_refund_no, notify=False)

    bill = get_provider().download_trade_bill(timezone.localdate())

    refunds = [row for row in bill["rows"] if row["trade_state"] == "REFUND"]
    assert len(refunds) == 1
    assert refunds[0]["out_refund_no"] == refund.out_refund_no
    assert refunds[0]["out_trade_no"] == order.out_trade_no
    assert refunds[0]["refund_amount"] == Decimal("40.00")
    assert refunds[0]["refund_status"] == "SUCCESS"
    assert bill["summary"]["退款总金额"] == Decimal("40.00")


def test_a_day_without_payments_has_an_empty_bill(wechatpay):
    bill = get_provider().download_trade_bill(timezone.localdate())
    assert bill["rows"] == []


def test_a_refused_application_is_an_error(wechatpay):
    wechatpay.fail_next("/v3/bill/tradebill", 400, "NO_STATEMENT_EXIST", "账单文件不存在")
    with pytest.raises(ProviderError) as refused:
        get_provider().download_trade_bill(timezone.localdate())
    assert refused.value.code == "NO_STATEMENT_EXIST"
