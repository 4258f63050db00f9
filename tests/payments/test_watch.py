"""The payment watch: late notifications looked up at WeChat Pay, expired orders closed,
late refunds looked up; running it twice does nothing more."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from portal.payments.models import PaymentOrder, Refund
from portal.payments.tasks import watch_payments

from .conftest import deliver, open_order

pytestmark = pytest.mark.django_db
State = PaymentOrder.State
OPENID = "o-payer-openid-1"


def age(order, *, prepaid_minutes_ago=10, expires_in_minutes=20):
    now = timezone.now()
    PaymentOrder.objects.filter(pk=order.pk).update(
        prepaid_at=now - timedelta(minutes=prepaid_minutes_ago),
        expires_at=now + timedelta(minutes=expires_in_minutes))


def test_a_paid_order_whose_notification_is_late_is_settled_by_the_query(
        wechatpay, resident, purpose_log):
    order = open_order(resident, "66.00")
    order.prepay(OPENID)
    wechatpay.pay(order.out_trade_no, notify=False)  # the notification never comes
    age(order)

    result = watch_payments.enqueue()

    assert result.return_value == {"settled": 1, "closed": 0, "refunds": 0}
    order.refresh_from_db()
    assert order.state == State.PAID
    assert order.transaction_id == wechatpay.orders[order.out_trade_no].transaction_id
    assert purpose_log.paid == [order.out_trade_no]
    assert watch_payments.enqueue().return_value == {"settled": 0, "closed": 0, "refunds": 0}
    assert purpose_log.paid == [order.out_trade_no]


def test_a_recent_or_unpaid_order_is_left_alone(wechatpay, resident, purpose_log):
    recent = open_order(resident)
    recent.prepay(OPENID)
    unpaid = open_order(resident)
    unpaid.prepay(OPENID)
    age(unpaid)

    watch_payments.enqueue()

    assert wechatpay.calls_to(f"out-trade-no/{recent.out_trade_no}?") == []
    assert len(wechatpay.calls_to(f"out-trade-no/{unpaid.out_trade_no}?")) == 1
    for order in (recent, unpaid):
        order.refresh_from_db()
        assert order.state == State.PENDING


def test_expired_orders_are_closed_here_and_at_wechat_pay(wechatpay, resident, purpose_log):
    order = open_order(resident)
    order.prepay(OPENID)
    never_prepaid = open_order(resident)
    for expired in (order, never_prepaid):
        age(expired, prepaid_minutes_ago=31, expires_in_minutes=-1)

    result = watch_payments.enqueue()

    assert result.return_value["closed"] == 2
    order.refresh_from_db()
    assert order.state == State.CLOSED
    assert wechatpay.orders[order.out_trade_no].trade_state == "CLOSED"
    assert sorted(purpose_log.closed) == sorted([order.out_trade_no,
                                                 never_prepaid.out_trade_no])


def test_an_expired_order_paid_at_the_last_moment_is_settled_not_closed(
        wechatpay, resident, purpose_log):
    order = open_order(resident)
    order.prepay(OPENID)
    wechatpay.pay(order.out_trade_no, notify=False)
    age(order, prepaid_minutes_ago=31, expires_in_minutes=-1)

    watch_payments.enqueue()

    order.refresh_from_db()
    assert order.state == State.PAID
    assert purpose_log.closed == []


def test_a_refund_whose_notification_is_late_is_settled_by_the_query(
        client, wechatpay, resident, purpose_log, finance_a):
    order = open_order(resident, "40.00")
    order.prepay(OPENID)
    wechatpay.pay(order.out_trade_no, notify=False)
    deliver(client, wechatpay.payment_notification(order.out_trade_no))
    refund = PaymentOrder.objects.get(pk=order.pk).refund(
        amount=Decimal("40.00"), reason="退费", by=finance_a)
    wechatpay.complete_refund(refund.out_refund_no, notify=False)
    Refund.objects.filter(pk=refund.pk).update(created_at=timezone.now() - timedelta(minutes=10))

    assert watch_payments.enqueue().return_value["refunds"] == 1

    refund.refresh_from_db()
    assert refund.state == Refund.State.SUCCESS
    assert PaymentOrder.objects.get(pk=order.pk).state == State.REFUNDED


def test_the_watch_command_queues_one_run(wechatpay, resident, purpose_log):
    order = open_order(resident)
    age(order, prepaid_minutes_ago=31, expires_in_minutes=-1)
    call_command("payments_watch", "--once", stdout=io.StringIO())
    order.refresh_from_db()
    assert order.state == State.CLOSED
