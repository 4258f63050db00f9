"""Gaps in the order tests: the merchant's side of the notifications (each step of an
order told to the merchant's people, and only to them), the owner told when an after-sale
request is answered, and the daily summary counting a paid online order's takings apart
from cash on delivery."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone

from merchants import accounts
from merchants.shop.aftersale import AfterSale
from merchants.shop.models import Order
from portal.estates.errors import TransitionNotAllowed
from portal.notifications.models import InboxMessage
from portal.payments.models import PaymentOrder
from portal.payments.tasks import close_expired_orders
from tests.merchants import factories as mf

from . import factories as sf

pytestmark = pytest.mark.django_db


def _events(user):
    return list(InboxMessage.objects.filter(recipient=user).order_by("pk")
                .values_list("event", flat=True))


def _pay(client, order):
    """Pay at the demo cashier, as the owner does (the payments app's own settle())."""
    client.force_login(order.buyer)
    client.post(reverse("payments:sandbox_pay", args=[order.payment.out_trade_no]))
    order.refresh_from_db()
    assert order.state == Order.State.AWAITING_DELIVERY and order.paid_at
    assert order.payment.state == PaymentOrder.State.PAID


# --- the merchant is told each step ---------------------------------------------------


def test_the_merchant_is_told_each_step_of_a_cash_on_delivery_order(
        resident, noodles, seller_a, seller_b):
    order = sf.order(resident, noodles, 2)
    assert _events(seller_a) == ["shop.merchant.placed"]

    order.start_delivery(by=seller_a)
    assert _events(seller_a) == ["shop.merchant.placed", "shop.merchant.delivering"]

    order.complete(by=seller_a)
    assert _events(seller_a) == ["shop.merchant.placed", "shop.merchant.delivering",
                                 "shop.merchant.done"]

    inspect = reverse("shop_orders:inspect", args=[order.pk])
    for message in InboxMessage.objects.filter(recipient=seller_a):
        assert message.url == inspect
        assert order.number in message.title + message.body
    # The other merchant hears nothing; each side gets only its own kind of message.
    assert _events(seller_b) == []
    assert all(event.startswith("shop.owner.") for event in _events(resident))


def test_the_merchant_is_told_when_an_online_order_is_placed_paid_delivered_and_done(
        client, resident, noodles, seller_a):
    order = sf.order(resident, noodles, mode="online")
    assert _events(seller_a) == ["shop.merchant.placed"]

    _pay(client, order)
    order.start_delivery(by=seller_a)
    order.complete(by=seller_a)

    assert _events(seller_a) == ["shop.merchant.placed", "shop.merchant.paid",
                                 "shop.merchant.delivering", "shop.merchant.done"]


def test_the_merchant_is_told_when_staff_take_the_steps(resident, noodles, seller_a,
                                                        service_a):
    # Customer service of the community handles the order: the merchant still hears.
    order = sf.order(resident, noodles)

    order.cancel(by=service_a, reason="缺货")

    assert _events(seller_a) == ["shop.merchant.placed", "shop.merchant.cancelled"]
    assert _events(service_a) == []


def test_the_merchant_is_told_when_the_owner_cancels_an_unpaid_online_order(
        resident, noodles, seller_a):
    order = sf.order(resident, noodles, mode="online")

    order.cancel(by=resident)

    assert _events(seller_a) == ["shop.merchant.placed", "shop.merchant.cancelled"]


def test_the_merchant_is_told_when_an_unpaid_online_order_closes(resident, noodles,
                                                                 seller_a):
    order = sf.order(resident, noodles, 3, mode="online")
    PaymentOrder.objects.filter(pk=order.payment_id).update(
        expires_at=timezone.now() - timedelta(minutes=1))

    assert close_expired_orders() == 1

    # The staff timeline's system note is in the site's language, not the code's English.
    assert order.payment.events.filter(action="closed").get().note == "超时未支付"
    assert _events(seller_a) == ["shop.merchant.placed", "shop.merchant.closed"]
    message = InboxMessage.objects.get(recipient=seller_a, event="shop.merchant.closed")
    assert message.url == reverse("shop_orders:inspect", args=[order.pk])


def test_every_account_of_the_merchant_is_told_but_not_a_removed_one(
        resident, noodles, shop_a, seller_a, manager_a):
    colleague = mf.account(shop_a, "shop-a-2", by=manager_a)
    sf.order(resident, noodles)
    assert _events(seller_a) == _events(colleague) == ["shop.merchant.placed"]

    accounts.remove_account(colleague.merchant_account, by=manager_a)
    sf.order(resident, noodles)

    assert _events(seller_a) == ["shop.merchant.placed", "shop.merchant.placed"]
    assert _events(colleague) == ["shop.merchant.placed"]


# --- after-sale answers -----------------------------------------------------------------


@pytest.fixture
def paid(client, resident, noodles):
    order = sf.order(resident, noodles, 2, mode="online")
    _pay(client, order)
    return order


@pytest.mark.parametrize("who", ["seller_a", "service_a"])
def test_the_owner_is_told_when_the_after_sale_request_is_rejected(
        request, paid, resident, seller_a, who):
    after_sale = AfterSale.ask(paid, by=resident, reason="面是凉的")
    assert "shop.owner.aftersale_requested" in _events(resident)

    after_sale.reject(by=request.getfixturevalue(who), answer="送达时是热的")

    message = InboxMessage.objects.get(recipient=resident, event="shop.owner.aftersale_rejected")
    assert message.url == paid.owner_url
    assert paid.number in message.title + message.body
    assert _events(resident)[-1] == "shop.owner.aftersale_rejected"
    assert "shop.owner.refunded" not in _events(resident)
    # And the merchant's people know the request was answered.
    assert _events(seller_a)[-1] == "shop.merchant.aftersale_rejected"


def test_a_refused_rejection_tells_nobody(
        paid, resident, seller_a):
    # A rejection with no answer is refused: nobody is told anything.
    after_sale = AfterSale.ask(paid, by=resident, reason="太慢")
    told = (_events(resident), _events(seller_a))

    with pytest.raises(TransitionNotAllowed):
        after_sale.reject(by=seller_a, answer="  ")

    assert (_events(resident), _events(seller_a)) == told


def test_the_owner_is_told_when_the_after_sale_request_is_approved_and_refunded(
        paid, resident, seller_a):
    after_sale = AfterSale.ask(paid, by=resident, reason="少了一碗")

    after_sale.approve(by=seller_a, answer="抱歉")

    assert _events(resident)[-2:] == ["shop.owner.aftersale_approved", "shop.owner.refunded"]
    assert _events(seller_a)[-2:] == ["shop.merchant.aftersale_approved",
                                      "shop.merchant.refunded"]


# --- the daily summary ------------------------------------------------------------------


def _summary(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("shop_daily_summary"), params)
    assert response.status_code == 200
    return response


def test_the_daily_summary_counts_a_paid_online_order_apart_from_cash_on_delivery(
        client, resident, noodles, seller_a, seller_b):
    sf.order(resident, noodles, 2)                      # cash on delivery: 36
    online = sf.order(resident, noodles, 3, mode="online")  # 54, not paid yet

    (day,) = _summary(client, seller_a).context["days"]
    assert (day.orders, day.items, day.cod, day.online, day.total) == (1, 2, 36, 0, 36)

    _pay(client, online)

    response = _summary(client, seller_a)
    (day,) = response.context["days"]
    assert (day.orders, day.items) == (2, 5)
    assert (day.cod, day.online, day.total) == (Decimal("36.00"), Decimal("54.00"),
                                                Decimal("90.00"))
    total = response.context["total"]
    assert (total.orders, total.items, total.cod, total.online) == (2, 5, 36, 54)
    # Another merchant's summary has none of it.
    assert _summary(client, seller_b).context["days"] == []


def test_a_paid_online_order_stays_in_the_takings_through_delivery(
        client, resident, noodles, seller_a):
    online = sf.order(resident, noodles, 1, mode="online")
    _pay(client, online)
    online.start_delivery(by=seller_a)
    online.complete(by=seller_a)

    (day,) = _summary(client, seller_a).context["days"]

    assert (day.orders, day.items, day.cod, day.online) == (1, 1, 0, Decimal("18.00"))


def test_the_summary_export_has_the_online_takings_in_their_own_column(
        client, resident, noodles, seller_a):
    from openpyxl import load_workbook

    sf.order(resident, noodles, 2)
    online = sf.order(resident, noodles, 3, mode="online")
    _pay(client, online)

    export = _summary(client, seller_a, export="xlsx")

    rows = list(load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2
    day, orders, items, cod, online_yuan, total, refunded = rows[1]
    assert day == timezone.localdate().isoformat()
    assert (orders, items) == (2, 5)
    assert (Decimal(str(cod)), Decimal(str(online_yuan)), Decimal(str(total)),
            Decimal(str(refunded))) == (Decimal("36"), Decimal("54"), Decimal("90"), 0)


def test_a_refunded_online_order_is_not_counted_as_takings(client, paid, resident,
                                                           seller_a):
    AfterSale.ask(paid, by=resident, reason="少了一碗").approve(by=seller_a, answer="抱歉")
    paid.payment.refresh_from_db()
    assert paid.payment.state == PaymentOrder.State.REFUNDED

    days = _summary(client, seller_a).context["days"]

    assert sum((day.online for day in days), Decimal("0")) == 0
    assert sum((day.refunded for day in days), Decimal("0")) == paid.total
