"""The order's state machine, exactly as the requirements say: a cash-on-delivery order
may be cancelled by the owner or the admin until delivery; an online order awaits
delivery only once paid, and once paid nobody may cancel it; awaiting delivery →
delivering → done; an unpaid online order closes when its payment expires. Every illegal
step is refused with a message and changes nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from merchants.shop.models import Order, Product
from portal.estates.errors import TransitionNotAllowed
from portal.notifications.models import InboxMessage
from portal.payments.models import PaymentOrder
from portal.payments.tasks import close_expired_orders
from tests.payments.conftest import (  # noqa: F401  (fixtures)
    _wechatpay_server,
    deliver,
    follower_of,
    merchant_keys,
    wechatpay,
)

from . import factories as sf

pytestmark = pytest.mark.django_db

PAID_ONLINE = ("This order was paid online, so it can no longer be cancelled. Ask for an "
               "after-sale refund instead.")


def _stock(product):
    return Product.objects.get(pk=product.pk).stock


def _pay(client, order):
    client.force_login(order.buyer)
    client.post(reverse("payments:sandbox_pay", args=[order.payment.out_trade_no]))
    order.refresh_from_db()


def _refused(order, step, message, **kwargs):
    before = (order.state, order.events.count(), _stock(order.lines.get().product))
    with pytest.raises(TransitionNotAllowed) as refused:
        getattr(order, step)(**kwargs)
    assert str(refused.value) == message
    order.refresh_from_db()
    assert (order.state, order.events.count(), _stock(order.lines.get().product)) == before


@pytest.mark.parametrize("who", ["resident", "seller_a", "service_a", "manager_a"])
def test_a_cash_on_delivery_order_is_cancelled_by_the_owner_or_the_admin_before_delivery(
        request, resident, noodles, seller_a, who):
    order = sf.order(resident, noodles, 4)
    by = request.getfixturevalue(who)

    order.cancel(by=by)

    assert order.state == Order.State.CANCELLED and order.ended_at
    assert _stock(noodles) == 10
    assert order.events.last().action == "cancelled" and order.events.last().actor == by
    assert InboxMessage.objects.filter(recipient=resident, event="shop.owner.cancelled").exists()
    assert InboxMessage.objects.filter(recipient=seller_a,
                                       event="shop.merchant.cancelled").exists()


def test_cod_order_goes_delivering_then_done(resident, noodles, seller_a):
    order = sf.order(resident, noodles)

    order.start_delivery(by=seller_a)
    assert order.state == Order.State.DELIVERING and order.delivering_at
    order.complete(by=seller_a)

    assert order.state == Order.State.DONE and order.done_at
    assert list(order.events.values_list("action", flat=True)) == [
        "placed", "delivering", "done"]
    assert set(InboxMessage.objects.filter(recipient=resident).values_list(
        "event", flat=True)) == {"shop.owner.placed", "shop.owner.delivering",
                                 "shop.owner.done"}


def test_a_delivering_order_can_no_longer_be_cancelled(resident, noodles, seller_a):
    order = sf.order(resident, noodles)
    order.start_delivery(by=seller_a)

    message = gettext("This order is %(state)s; it can no longer be cancelled.") % {
        "state": Order.State.DELIVERING.label}
    _refused(order, "cancel", message, by=resident)
    _refused(order, "cancel", message, by=seller_a)


def test_a_done_or_cancelled_order_cannot_be_cancelled_again(resident, noodles, seller_a):
    order = sf.order(resident, noodles)
    order.cancel(by=resident)

    _refused(order, "cancel", gettext("This order is %(state)s; it can no longer be "
                                      "cancelled.") % {"state": Order.State.CANCELLED.label},
             by=resident)


@pytest.mark.parametrize("step,state", [
    ("complete", "awaiting_delivery"),   # not delivering yet
    ("start_delivery", "done"),
    ("complete", "done"),
    ("start_delivery", "cancelled"),
    ("complete", "cancelled"),
])
def test_steps_out_of_order_are_refused(resident, noodles, seller_a, step, state):
    order = sf.order(resident, noodles)
    if state == "done":
        order.start_delivery(by=seller_a)
        order.complete(by=seller_a)
    if state == "cancelled":
        order.cancel(by=resident)

    _refused(order, step, gettext("This order is %(state)s; this step cannot be taken now.")
             % {"state": Order.State(state).label}, by=seller_a)


def test_an_unpaid_online_order_cannot_be_delivered(resident, noodles, seller_a):
    order = sf.order(resident, noodles, mode="online")

    _refused(order, "start_delivery", gettext(
        "This order is %(state)s; this step cannot be taken now.") % {
        "state": Order.State.AWAITING_PAYMENT.label}, by=seller_a)


@pytest.mark.parametrize("who", ["resident", "seller_b", "service_b", "outsider"])
def test_only_the_merchant_or_its_communitys_staff_deliver(
        request, resident, noodles, seller_b, who):
    order = sf.order(resident, noodles)

    _refused(order, "start_delivery", gettext("Only the merchant or property staff may do "
                                              "this."), by=request.getfixturevalue(who))


@pytest.mark.parametrize("who", ["neighbour", "seller_b", "service_b", "outsider"])
def test_nobody_else_may_cancel_an_owners_order(request, resident, noodles, who):
    order = sf.order(resident, noodles)

    _refused(order, "cancel", gettext("Only the owner who ordered, the merchant or property "
                                      "staff may cancel this order."),
             by=request.getfixturevalue(who))


def test_an_online_order_awaits_delivery_once_paid_at_the_demo_cashier(
        client, resident, noodles, seller_a):
    order = sf.order(resident, noodles, 2, mode="online")

    _pay(client, order)

    assert order.state == Order.State.AWAITING_DELIVERY and order.paid_at
    assert order.payment.state == PaymentOrder.State.PAID
    assert list(order.events.values_list("action", flat=True)) == ["placed", "paid"]
    assert InboxMessage.objects.filter(recipient=seller_a, event="shop.merchant.paid").exists()
    assert _stock(noodles) == 8


def test_wechat_pays_an_online_order_once_though_notified_three_times(
        client, wechatpay, resident, noodles):  # noqa: F811 (fixture)
    follower_of(resident)
    order = sf.order(resident, noodles, 2, mode="online")
    order.payment.prepay("o-payer-openid-1")
    wechatpay.pay(order.payment.out_trade_no, notify=False)
    note = wechatpay.payment_notification(order.payment.out_trade_no)

    answers = [deliver(client, note).status_code for _ in range(3)]

    assert answers == [204, 204, 204]
    order.refresh_from_db()
    assert order.state == Order.State.AWAITING_DELIVERY
    assert order.events.filter(action="paid").count() == 1


@pytest.mark.parametrize("who", ["resident", "seller_a", "manager_a"])
def test_a_paid_online_order_cannot_be_cancelled_by_the_owner_or_the_admin(
        client, request, resident, noodles, seller_a, who):
    order = sf.order(resident, noodles, mode="online")
    _pay(client, order)

    _refused(order, "cancel", gettext(PAID_ONLINE), by=request.getfixturevalue(who))
    assert order.payment.state == PaymentOrder.State.PAID


def test_an_unpaid_online_order_cancelled_by_the_owner_closes_its_payment(resident, noodles):
    order = sf.order(resident, noodles, 3, mode="online")

    order.cancel(by=resident)

    assert order.state == Order.State.CANCELLED
    order.payment.refresh_from_db()
    assert order.payment.state == PaymentOrder.State.CLOSED
    assert _stock(noodles) == 10
    assert list(order.events.values_list("action", flat=True)) == ["placed", "cancelled"]


def test_an_unpaid_online_order_closes_when_its_payment_expires(resident, noodles, seller_a):
    order = sf.order(resident, noodles, 3, mode="online")
    PaymentOrder.objects.filter(pk=order.payment_id).update(
        expires_at=timezone.now() - timedelta(minutes=1))

    assert close_expired_orders() == 1

    order.refresh_from_db()
    assert order.state == Order.State.CLOSED
    assert _stock(noodles) == 10
    assert InboxMessage.objects.filter(recipient=resident, event="shop.owner.closed").exists()
    # Closed for good: the payment cannot be made any more, nor the order delivered.
    _refused(order, "start_delivery", gettext(
        "This order is %(state)s; this step cannot be taken now.") % {
        "state": Order.State.CLOSED.label}, by=seller_a)


def test_an_online_order_closed_unpaid_cannot_be_paid_afterwards(client, resident, noodles):
    order = sf.order(resident, noodles, mode="online")
    order.cancel(by=resident)

    _pay(client, order)

    assert order.state == Order.State.CANCELLED and order.paid_at is None
