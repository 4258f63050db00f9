"""Placing an order: cash on delivery awaits delivery at once, online payment awaits its
payment order; the stock is taken; a double tap places one order; every refusal has a
clear message and changes nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext, ngettext

from merchants.shop import ordering
from merchants.shop.models import Order, OrderEvent, Product
from portal.notifications.models import InboxMessage
from portal.payments.models import PaymentOrder

from . import factories as sf

pytestmark = pytest.mark.django_db


def test_a_cash_on_delivery_order_awaits_delivery_as_soon_as_it_is_placed(
        resident, house_a, noodles, seller_a):
    order = sf.order(resident, noodles, 3)

    assert order.state == Order.State.AWAITING_DELIVERY
    assert order.payment is None
    assert order.total == Decimal("54.00")
    assert order.community_id == house_a.community_id and order.house == house_a
    line = order.lines.get()
    assert (line.name, line.unit_price, line.quantity, line.amount) == (
        "牛肉面", Decimal("18.00"), 3, Decimal("54.00"))
    noodles.refresh_from_db()
    assert noodles.stock == 7
    assert list(order.events.values_list("action", "to_state")) == [
        ("placed", "awaiting_delivery")]
    assert InboxMessage.objects.filter(recipient=resident, event="shop.owner.placed").exists()
    assert InboxMessage.objects.filter(recipient=seller_a, event="shop.merchant.placed").exists()


def test_an_online_order_awaits_its_payment_order(resident, noodles):
    order = sf.order(resident, noodles, 2, mode="online")

    assert order.state == Order.State.AWAITING_PAYMENT
    payment = order.payment
    assert payment.purpose == ordering.PURPOSE
    assert payment.amount == Decimal("36.00") and payment.payer == resident
    assert payment.state == PaymentOrder.State.PENDING
    noodles.refresh_from_db()
    assert noodles.stock == 8  # reserved while it is being paid


def test_the_price_is_kept_on_the_line_when_the_product_changes_later(resident, noodles):
    order = sf.order(resident, noodles, 1)
    Product.objects.filter(pk=noodles.pk).update(price=Decimal("25.00"))

    assert order.lines.get().unit_price == Decimal("18.00")


def test_a_double_tap_places_one_order(resident, noodles):
    first = sf.order(resident, noodles, 2, key="tap-1")
    second = sf.order(resident, noodles, 2, key="tap-1")

    assert first.pk == second.pk
    assert Order.objects.count() == 1
    noodles.refresh_from_db()
    assert noodles.stock == 8


def test_pick_up_is_ordered_for_one_of_my_houses_too(resident, house_a, noodles):
    order = sf.order(resident, noodles, fulfilment="pickup")

    assert order.fulfilment == Order.Fulfilment.PICKUP and order.house == house_a


def _refused(message, **kwargs):
    before = (Order.objects.count(), OrderEvent.objects.count(), PaymentOrder.objects.count(),
              list(Product.objects.order_by("pk").values_list("stock", flat=True)))
    with pytest.raises(ValidationError) as refused:
        ordering.place(**kwargs)
    assert message in refused.value.messages
    after = (Order.objects.count(), OrderEvent.objects.count(), PaymentOrder.objects.count(),
             list(Product.objects.order_by("pk").values_list("stock", flat=True)))
    assert after == before


def _asking(resident, product, quantity=1, **overrides):
    kwargs = {"buyer": resident, "merchant": product.merchant,
              "house": ordering.my_houses(resident).first(),
              "quantities": {product.pk: quantity}, "payment_mode": "cod",
              "fulfilment": "delivery"}
    kwargs.update(overrides)
    return kwargs


def test_ordering_more_than_the_stock_is_refused_saying_how_many_are_left(resident, noodles):
    message = ngettext("Only %(left)s of %(product)s is left.",
                       "Only %(left)s of %(product)s are left.", 10) % {
        "left": 10, "product": "牛肉面"}
    _refused(message, **_asking(resident, noodles, 11))


def test_ordering_a_sold_out_product_is_refused(resident, noodles):
    Product.objects.filter(pk=noodles.pk).update(stock=0)

    _refused(gettext("%(product)s is sold out.") % {"product": "牛肉面"},
             **_asking(resident, noodles, 1))


def test_a_line_sold_out_refuses_the_whole_order_and_keeps_the_other_stock(
        resident, shop_a, noodles):
    dumplings = sf.product(shop_a, name="饺子", stock=0)

    _refused(gettext("%(product)s is sold out.") % {"product": "饺子"},
             **_asking(resident, noodles, quantities={noodles.pk: 2, dumplings.pk: 1}))


def test_ordering_from_a_suspended_merchant_is_refused(resident, shop_a, noodles, manager_a):
    shop_a.suspend(by=manager_a, reason="卫生检查")

    _refused(gettext("This merchant is suspended and takes no orders."),
             **_asking(resident, noodles, merchant=shop_a))


def test_ordering_for_a_house_that_is_not_mine_is_refused(resident, house_a2, noodles):
    _refused(gettext("Choose one of your verified houses."),
             **_asking(resident, noodles, house=house_a2))


def test_ordering_from_a_merchant_not_serving_my_community_is_refused(resident_b, noodles):
    _refused(gettext("This merchant does not serve your community."),
             **_asking(resident_b, noodles))


def test_ordering_another_merchants_product_is_refused(resident, shop_a, groceries):
    _refused(gettext("Some of these products are not on sale any more."),
             **_asking(resident, groceries, merchant=shop_a))


def test_ordering_a_product_switched_off_is_refused(resident, noodles):
    Product.objects.filter(pk=noodles.pk).update(active=False)

    _refused(gettext("Some of these products are not on sale any more."),
             **_asking(resident, noodles))


def test_products_handed_over_count_only_if_they_are_this_merchants_and_on_sale(
        resident, shop_a, noodles, groceries):
    # The checkout hands over what it read; place() checks those rows itself.
    _refused(gettext("Some of these products are not on sale any more."),
             **_asking(resident, groceries, merchant=shop_a), products=[groceries])
    noodles.active = False
    _refused(gettext("Some of these products are not on sale any more."),
             **_asking(resident, noodles), products=[noodles])


def test_products_handed_over_are_placed_at_their_price_with_their_stock_taken(
        resident, noodles):
    order = ordering.place(**_asking(resident, noodles, 2), products=[noodles])

    assert order.lines.get().amount == Decimal("36.00")
    noodles.refresh_from_db()
    assert noodles.stock == 8


@pytest.mark.parametrize("quantity", [-1, 100])
def test_a_quantity_out_of_range_is_refused(resident, noodles, quantity):
    _refused(gettext("A quantity is from 1 to %(max)s.") % {"max": 99},
             **_asking(resident, noodles, quantity))


def test_a_quantity_that_is_not_a_number_is_refused(resident, noodles):
    _refused(gettext("A quantity is a whole number."),
             **_asking(resident, noodles, quantities={noodles.pk: "two"}))


def test_an_empty_order_is_refused(resident, noodles):
    _refused(gettext("Choose at least one product."),
             **_asking(resident, noodles, quantities={noodles.pk: 0}))


@pytest.mark.parametrize("price", ["0", "-1.00"])
def test_a_price_of_zero_or_below_is_refused_with_a_clear_message(shop_a, price):
    item = Product(merchant=shop_a, name="白送", price=Decimal(price), stock=1)

    with pytest.raises(ValidationError) as refused:
        item.full_clean()

    assert refused.value.message_dict["price"] == [gettext("The price must be more than zero.")]
    with pytest.raises(IntegrityError), transaction.atomic():
        item.save()
    assert not Product.objects.filter(name="白送").exists()
