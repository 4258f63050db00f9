"""Orders racing for the last items, in real threads with their own connections and
transactions: 100 orders for the last 10 → exactly 10 placed, the others told "sold
out", the stock 0 and never below; ten taps of one order form place one order."""

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from merchants.shop import ordering
from merchants.shop.models import Order, OrderLine, Product
from tests.races import page_tree, postgresql_only, race  # noqa: F401 (fixtures)

from . import factories as sf

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("postgresql_only", "page_tree")]

ORDERS = 100
LEFT = 10


def _order_together(resident, product, keys):
    """One cash-on-delivery order of one item per key, all at the same moment; returns
    the orders placed and the messages of those refused."""
    house = ordering.my_houses(resident).first()
    placed, errors = race(lambda index: ordering.place(
        buyer=resident, merchant=product.merchant, house=house,
        quantities={product.pk: 1}, payment_mode="cod", fulfilment="delivery",
        idempotency_key=keys[index]), len(keys))
    assert all(isinstance(error, ValidationError) for error in errors), errors
    return placed, [error.messages for error in errors]


def test_a_hundred_orders_for_the_last_ten_items_place_exactly_ten(resident, shop_a):
    noodles = sf.product(shop_a, stock=LEFT)

    placed, refused = _order_together(resident, noodles, [f"tap-{n}" for n in range(ORDERS)])

    assert len(placed) == LEFT
    assert refused == [[gettext("%(product)s is sold out.") % {"product": "牛肉面"}]] * (
        ORDERS - LEFT)
    assert Product.objects.get(pk=noodles.pk).stock == 0
    assert Order.objects.count() == LEFT
    assert sum(OrderLine.objects.values_list("quantity", flat=True)) == LEFT


def test_ten_taps_of_one_order_form_place_one_order(resident, shop_a):
    noodles = sf.product(shop_a, stock=LEFT)

    placed, refused = _order_together(resident, noodles, ["same-tap"] * 10)

    assert refused == []
    assert {order.pk for order in placed} == {Order.objects.get().pk}
    assert Product.objects.get(pk=noodles.pk).stock == LEFT - 1
