"""Refunds by finance: through WeChat Pay for WeChat payments (settled by WeChat Pay's
refund notification or the watch's query), at once for demo and offline payments;
never more than was paid, never for an unpaid order."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.estates.errors import TransitionNotAllowed
from portal.payments.models import PaymentOrder, Refund

from .conftest import deliver, open_order

pytestmark = pytest.mark.django_db
State = PaymentOrder.State


@pytest.fixture
def paid(client, wechatpay, resident, purpose_log):
    order = open_order(resident, "100.00")
    order.prepay("o-payer-openid-1")
    wechatpay.pay(order.out_trade_no, notify=False)
    deliver(client, wechatpay.payment_notification(order.out_trade_no))
    order.refresh_from_db()
    assert order.state == State.PAID
    return order


def test_a_refund_is_asked_at_wechat_pay_and_settled_by_its_notification(
        client, wechatpay, paid, finance_a, purpose_log):
    refund = paid.refund(amount=Decimal("30.00"), reason="多收了", by=finance_a)

    assert refund.state == Refund.State.PROCESSING
    assert wechatpay.refunds[refund.out_refund_no].refund == 3000
    assert wechatpay.refunds[refund.out_refund_no].notify_url == \
        "http://testserver/payments/wechat/refund-notify/"

    wechatpay.complete_refund(refund.out_refund_no, notify=False)
    note = wechatpay.refund_notification(refund.out_refund_no)
    assert deliver(client, note).status_code == 204
    assert deliver(client, note).status_code == 204  # the same again: nothing more

    refund.refresh_from_db()
    paid.refresh_from_db()
    assert refund.state == Refund.State.SUCCESS
    assert refund.refund_id == wechatpay.refunds[refund.out_refund_no].refund_id
    assert paid.state == State.PARTLY_REFUNDED
    assert paid.refunded_amount == Decimal("30.00")
    assert purpose_log.refunded == [refund.out_refund_no]
    assert paid.events.filter(action="refunded").count() == 1


def test_refunding_the_rest_makes_the_order_refunded(client, wechatpay, paid, finance_a):
    for amount in ("30.00", "70.00"):
        refund = paid.refund(amount=Decimal(amount), reason="退费", by=finance_a)
        wechatpay.complete_refund(refund.out_refund_no, notify=False)
        deliver(client, wechatpay.refund_notification(refund.out_refund_no))
    paid.refresh_from_db()
    assert paid.state == State.REFUNDED
    assert paid.refunded_amount == Decimal("100.00")


def test_a_refund_over_what_is_left_is_refused_and_changes_nothing(wechatpay, paid,
                                                                   finance_a):
    paid.refund(amount=Decimal("60.00"), reason="退费", by=finance_a)
    with pytest.raises(ValidationError) as refused:
        paid.refund(amount=Decimal("40.01"), reason="退费", by=finance_a)
    assert "amount" in refused.value.error_dict
    assert Refund.objects.count() == 1
    assert len(wechatpay.refunds) == 1


def test_an_unpaid_order_cannot_be_refunded(wechatpay, resident, purpose_log, finance_a):
    order = open_order(resident, "100.00")
    with pytest.raises(TransitionNotAllowed):
        order.refund(amount=Decimal("1.00"), reason="退费", by=finance_a)
    assert not Refund.objects.exists()
    assert wechatpay.calls == []


def test_a_refund_needs_a_reason_and_a_positive_amount(paid, finance_a):
    with pytest.raises(ValidationError):
        paid.refund(amount=Decimal("1.00"), reason=" ", by=finance_a)
    with pytest.raises(ValidationError):
        paid.refund(amount=Decimal("0"), reason="退费", by=finance_a)
    assert not Refund.objects.exists()


def test_a_refund_wechat_pay_refuses_fails_and_can_be_asked_again(wechatpay, paid,
                                                                  finance_a):
    wechatpay.fail_next("/v3/refund/domestic/refunds", 403, "NOT_ENOUGH", "基本账户余额不足")
    with pytest.raises(TransitionNotAllowed) as refused:
        paid.refund(amount=Decimal("100.00"), reason="退费", by=finance_a)
    assert "基本账户余额不足" in str(refused.value)
    failed = Refund.objects.get()
    assert failed.state == Refund.State.CLOSED

    again = paid.refund(amount=Decimal("100.00"), reason="退费", by=finance_a)
    assert again.state == Refund.State.PROCESSING


def test_a_closed_refund_notification_frees_the_amount(client, wechatpay, paid, finance_a):
    refund = paid.refund(amount=Decimal("100.00"), reason="退费", by=finance_a)
    wechatpay.complete_refund(refund.out_refund_no, status="CLOSED", notify=False)
    deliver(client, wechatpay.refund_notification(refund.out_refund_no))

    refund.refresh_from_db()
    assert refund.state == Refund.State.CLOSED
    paid.refresh_from_db()
    assert paid.state == State.PAID
    assert paid.refundable_amount == Decimal("100.00")


def test_a_refund_notification_with_another_amount_is_refused(client, wechatpay, paid,
                                                              finance_a, purpose_log):
    refund = paid.refund(amount=Decimal("30.00"), reason="退费", by=finance_a)
    wechatpay.complete_refund(refund.out_refund_no, notify=False)
    note = wechatpay.refund_notification(
        refund.out_refund_no, amount={"total": 10000, "refund": 10000, "payer_total": 10000,
                                      "payer_refund": 10000})
    response = deliver(client, note)
    assert response.status_code == 400
    assert response.json()["code"] == "FAIL"
    refund.refresh_from_db()
    assert refund.state == Refund.State.PROCESSING
    assert purpose_log.refunded == []


def test_an_offline_payment_is_refunded_at_once(resident, purpose_log, finance_a):
    order = open_order(resident, "50.00")
    order.record_offline(method="cash", amount=Decimal("50.00"), by=finance_a)

    refund = order.refund(amount=Decimal("50.00"), reason="退现金", by=finance_a)

    assert refund.state == Refund.State.SUCCESS
    order.refresh_from_db()
    assert order.state == State.REFUNDED
    assert purpose_log.refunded == [refund.out_refund_no]


def test_refund_settle_is_a_no_op_the_second_time(resident, purpose_log, finance_a):
    order = open_order(resident, "50.00")
    order.settle(transaction_id=None, amount=Decimal("50.00"), paid_at=timezone.now(),
                 channel="sandbox")
    refund = order.refund(amount=Decimal("20.00"), reason="退费", by=finance_a)
    assert refund.settle(refund_id="", amount=Decimal("20.00"),
                         succeeded_at=timezone.now()) is False
    order.refresh_from_db()
    assert order.refunded_amount == Decimal("20.00")


def test_a_refund_whose_answer_is_lost_stays_processing_until_wechat_pay_tells(
        client, wechatpay, paid, finance_a, purpose_log):
    """WeChat Pay made the refund but its gateway timed out: freeing the amount would let
    finance give the money back twice."""
    wechatpay.lose_next_answer("/v3/refund/domestic/refunds")

    refund = paid.refund(amount=Decimal("100.00"), reason="退费", by=finance_a)

    assert refund.state == Refund.State.PROCESSING
    assert refund.out_refund_no in wechatpay.refunds  # it was made
    with pytest.raises(ValidationError):
        paid.refund(amount=Decimal("1.00"), reason="再退", by=finance_a)
    wechatpay.complete_refund(refund.out_refund_no, notify=False)
    assert deliver(client, wechatpay.refund_notification(refund.out_refund_no)).status_code == 204
    refund.refresh_from_db()
    assert refund.state == Refund.State.SUCCESS
    assert purpose_log.refunded == [refund.out_refund_no]


def test_the_watch_settles_a_refund_whose_answer_was_lost(wechatpay, paid, finance_a):
    wechatpay.lose_next_answer("/v3/refund/domestic/refunds")
    refund = paid.refund(amount=Decimal("100.00"), reason="退费", by=finance_a)
    wechatpay.complete_refund(refund.out_refund_no, notify=False)

    assert refund.sync_with_provider() is True

    refund.refresh_from_db()
    paid.refresh_from_db()
    assert refund.state == Refund.State.SUCCESS and paid.state == State.REFUNDED


def test_a_refund_lost_on_its_way_is_failed_by_the_watch_and_asked_again(wechatpay, paid,
                                                                         finance_a):
    wechatpay.fail_next("/v3/refund/domestic/refunds", 500, "SYSTEM_ERROR", "系统超时")
    refund = paid.refund(amount=Decimal("100.00"), reason="退费", by=finance_a)
    assert refund.state == Refund.State.PROCESSING
    assert refund.out_refund_no not in wechatpay.refunds

    refund.sync_with_provider()  # WeChat Pay: no such refund

    refund.refresh_from_db()
    assert refund.state == Refund.State.CLOSED
    again = paid.refund(amount=Decimal("100.00"), reason="退费", by=finance_a)
    assert again.state == Refund.State.PROCESSING
    assert wechatpay.refunds[again.out_refund_no].refund == 10000


def test_after_a_closed_refund_the_whole_amount_can_be_refunded_again(client, wechatpay, paid,
                                                                       finance_a):
    refund = paid.refund(amount=Decimal("100.00"), reason="退费", by=finance_a)
    wechatpay.complete_refund(refund.out_refund_no, status="CLOSED", notify=False)
    deliver(client, wechatpay.refund_notification(refund.out_refund_no))

    again = paid.refund(amount=Decimal("100.00"), reason="退费", by=finance_a)

    assert again.state == Refund.State.PROCESSING
    assert wechatpay.refunds[again.out_refund_no].refund == 10000


def test_a_refund_wechat_pay_refuses_for_its_signature_fails_at_once(wechatpay, paid, finance_a):
    """WeChat Pay's own SIGN_ERROR (401) is a clear refusal: nothing was refunded."""
    wechatpay.fail_next("/v3/refund/domestic/refunds", 401, "SIGN_ERROR", "签名错误")
    with pytest.raises(TransitionNotAllowed):
        paid.refund(amount=Decimal("100.00"), reason="退费", by=finance_a)

    assert Refund.objects.get().state == Refund.State.CLOSED


def test_any_server_error_of_wechat_pay_leaves_the_refund_processing(wechatpay, paid,
                                                                     finance_a):
    wechatpay.lose_next_answer("/v3/refund/domestic/refunds", 502, "BAD_GATEWAY", "网关错误")

    refund = paid.refund(amount=Decimal("100.00"), reason="退费", by=finance_a)

    assert refund.state == Refund.State.PROCESSING
