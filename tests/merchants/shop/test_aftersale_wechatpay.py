"""After-sale refunds of orders paid with WeChat Pay, end to end over real HTTP at the
local WeChat Pay stub: approved in the admin → the refund asked at the stub → its signed,
encrypted refund notification posted to our endpoint → the request refunded, the order's
timeline and the owner told, once however often the notification comes. A refund the
stub refuses, or closes later, leaves the request marked for a retry, counted once."""

from decimal import Decimal

import pytest
from django.urls import reverse

from merchants.shop.aftersale import AfterSale
from merchants.shop.models import Order
from portal.estates.errors import TransitionNotAllowed
from portal.notifications.models import InboxMessage
from portal.payments.models import PaymentEvent, PaymentOrder, Refund
from tests.payments.conftest import (  # noqa: F401 (fixtures)
    _wechatpay_server,
    deliver,
    merchant_keys,
    wechatpay,
)

from . import factories as sf

pytestmark = pytest.mark.django_db
REFUNDS = "/v3/refund/domestic/refunds"


@pytest.fixture
def paid(client, wechatpay, resident, noodles):  # noqa: F811
    """Two bowls (36.00 yuan) paid at WeChat Pay, settled by its notification."""
    order = sf.order(resident, noodles, 2, mode="online")
    order.payment.prepay("o-payer-openid-1")
    wechatpay.pay(order.payment.out_trade_no, notify=False)
    assert deliver(client, wechatpay.payment_notification(
        order.payment.out_trade_no)).status_code == 204
    order.refresh_from_db()
    assert order.state == Order.State.AWAITING_DELIVERY
    return order


@pytest.fixture
def asked(paid, resident):
    return AfterSale.ask(paid, by=resident, reason="面是凉的")


def _decide(client, user, request, decision):
    client.force_login(user)
    return client.post(reverse("shop_after_sales:inspect", args=[request.pk]),
                       {"decision": decision, "answer": ""})


def _settle(wechatpay, refund, status="SUCCESS"):  # noqa: F811
    wechatpay.complete_refund(refund.out_refund_no, status=status, notify=False)
    return wechatpay.refund_notification(refund.out_refund_no)


def _told(user, event):
    return InboxMessage.objects.filter(recipient=user, event=event).count()


def test_an_approved_request_is_refunded_at_wechat_pay_and_settled_by_its_notification(
        client, wechatpay, paid, asked, resident, seller_a):  # noqa: F811
    assert _decide(client, seller_a, asked, "approve").status_code == 302

    asked.refresh_from_db()
    assert asked.state == AfterSale.State.APPROVED
    refund = asked.refund
    assert refund.state == Refund.State.PROCESSING
    at_stub = wechatpay.refunds[refund.out_refund_no]
    assert at_stub.refund == 3600
    assert at_stub.notify_url == "http://testserver/payments/wechat/refund-notify/"
    assert _told(resident, "shop.owner.refunded") == 0

    note = _settle(wechatpay, refund)
    assert deliver(client, note).status_code == 204
    assert deliver(client, note).status_code == 204  # WeChat Pay's retry: nothing more

    asked.refresh_from_db()
    assert asked.state == AfterSale.State.REFUNDED
    payment = PaymentOrder.objects.get(pk=paid.payment_id)
    assert payment.state == PaymentOrder.State.REFUNDED
    assert payment.refunded_amount == Decimal("36.00")
    assert list(paid.events.values_list("action", flat=True)) == [
        "placed", "paid", "aftersale_requested", "aftersale_approved", "refunded"]
    assert _told(resident, "shop.owner.refunded") == 1
    assert PaymentEvent.objects.filter(order=payment, action="refunded").count() == 1


def test_a_refund_the_stub_refuses_is_marked_failed_and_retried_once_fixed(
        client, wechatpay, paid, asked, resident, seller_a, service_a):  # noqa: F811
    wechatpay.fail_next(REFUNDS, 403, "NOT_ENOUGH", "基本账户余额不足")

    response = _decide(client, seller_a, asked, "approve")

    assert response.status_code == 200
    page = response.content.decode()
    assert "基本账户余额不足" in page and 'id="retry-refund"' in page
    asked.refresh_from_db()
    assert asked.state == AfterSale.State.REFUND_FAILED
    assert "基本账户余额不足" in asked.failure and asked.refund is None
    payment = PaymentOrder.objects.get(pk=paid.payment_id)
    assert payment.state == PaymentOrder.State.PAID
    assert payment.refundable_amount == Decimal("36.00")
    assert Refund.objects.get().state == Refund.State.CLOSED
    assert wechatpay.refunds == {}
    assert list(paid.events.values_list("action", flat=True))[-2:] == [
        "aftersale_approved", "refund_failed"]
    assert _told(seller_a, "shop.merchant.refund_failed") == 1
    assert _told(resident, "shop.owner.refund_failed") == 0
    # The failed request is still open: the owner cannot ask a second time.
    with pytest.raises(TransitionNotAllowed):
        AfterSale.ask(paid, by=resident, reason="again")

    # Property staff retry it once the merchant's account is topped up.
    assert _decide(client, service_a, asked, "retry").status_code == 302
    asked.refresh_from_db()
    assert asked.state == AfterSale.State.APPROVED and asked.failure == ""
    assert list(wechatpay.refunds) == [asked.refund.out_refund_no]
    deliver(client, _settle(wechatpay, asked.refund))

    asked.refresh_from_db()
    assert asked.state == AfterSale.State.REFUNDED
    payment.refresh_from_db()
    assert payment.refunded_amount == Decimal("36.00")
    assert payment.state == PaymentOrder.State.REFUNDED
    assert Refund.objects.filter(state=Refund.State.SUCCESS).count() == 1
    assert paid.events.filter(action="refunded").count() == 1
    assert _told(resident, "shop.owner.refunded") == 1


def test_a_refund_wechat_pay_closes_later_is_shown_and_asked_again(
        client, wechatpay, paid, asked, seller_a):  # noqa: F811
    asked.approve(by=seller_a)
    first = asked.refund
    assert deliver(client, _settle(wechatpay, first, "CLOSED")).status_code == 204

    asked.refresh_from_db()
    assert asked.state == AfterSale.State.REFUND_FAILED and asked.can_retry
    assert _told(seller_a, "shop.merchant.refund_failed") == 1
    client.force_login(seller_a)
    page = client.get(reverse("shop_after_sales:inspect", args=[asked.pk])).content.decode()
    assert 'id="retry-refund"' in page and first.out_refund_no in page

    asked.retry_refund(by=seller_a)

    again = Refund.objects.exclude(pk=first.pk).get()
    assert again.out_refund_no != first.out_refund_no
    assert len(wechatpay.calls_to(REFUNDS)) == 2
    deliver(client, _settle(wechatpay, again))
    asked.refresh_from_db()
    assert asked.state == AfterSale.State.REFUNDED
    first.refresh_from_db()
    assert first.state == Refund.State.CLOSED
    # The closed refund gave nothing back; the second gave the whole order back, once.
    assert PaymentOrder.objects.get(pk=paid.payment_id).refunded_amount == Decimal("36.00")
    assert "refund_retried" in paid.events.values_list("action", flat=True)


def test_a_refund_under_way_is_not_asked_again(wechatpay, asked, seller_a):  # noqa: F811
    asked.approve(by=seller_a)

    with pytest.raises(TransitionNotAllowed):
        asked.retry_refund(by=seller_a)
    assert len(wechatpay.refunds) == 1
    asked.refresh_from_db()
    assert asked.state == AfterSale.State.APPROVED


def test_another_merchant_can_neither_see_nor_retry_a_failed_refund(
        client, wechatpay, asked, seller_a, seller_b):  # noqa: F811
    wechatpay.fail_next(REFUNDS, 403, "NOT_ENOUGH", "基本账户余额不足")
    with pytest.raises(TransitionNotAllowed):
        asked.approve(by=seller_a)

    assert _decide(client, seller_b, asked, "retry").status_code == 404
    with pytest.raises(TransitionNotAllowed):
        asked.retry_refund(by=seller_b)
    asked.refresh_from_db()
    assert asked.state == AfterSale.State.REFUND_FAILED
    assert wechatpay.refunds == {}


def test_an_abnormal_refund_is_left_to_staff_not_offered_a_retry(
        client, wechatpay, paid, asked, seller_a):  # noqa: F811
    """ABNORMAL: the money left but could not reach the payer's account; asking again
    would be refused (nothing is free to refund) and staff settle it with WeChat Pay."""
    asked.approve(by=seller_a)
    assert deliver(client, _settle(wechatpay, asked.refund, "ABNORMAL")).status_code == 204

    asked.refresh_from_db()
    assert asked.refund.state == Refund.State.ABNORMAL
    assert asked.state == AfterSale.State.APPROVED and not asked.can_retry
    assert _told(seller_a, "shop.merchant.refund_failed") == 0
