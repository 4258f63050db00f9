"""A product's reviewed change published while owners order it, in real threads with
their own connections (PostgreSQL): the publish writes the new price but never the stock,
so every item the orders took stays taken."""

import importlib

import pytest
from django.apps import apps

from merchants.shop import ordering
from merchants.shop.models import OrderLine, Product
from tests.races import page_tree, postgresql_only, race  # noqa: F401 (fixtures)

from . import factories as sf

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("postgresql_only", "page_tree")]

ORDERS = 20


@pytest.fixture
def merchant_review(manager_a):
    """A transactional test before this one ended with a flush, which emptied the
    merchant review the migrations made: plant it again (after manager_a's group)."""
    for module, function in (("merchants.migrations.0003_merchant_review", "create_workflow"),
                             ("merchants.shop.migrations.0004_product_review",
                              "review_products")):
        getattr(importlib.import_module(module), function)(apps, None)


def test_publishing_a_change_while_owners_order_keeps_the_stock_they_took(
        resident, shop_a, seller_a, manager_a, merchant_review):
    noodles = sf.product(shop_a, stock=50)
    noodles.price = "25.00"
    noodles.save_revision(user=seller_a)
    noodles.get_workflow().start(noodles, seller_a)
    task_state = Product.objects.get(pk=noodles.pk).current_workflow_task_state
    house = ordering.my_houses(resident).first()

    def work(index):
        if index == 0:
            return task_state.specific.approve(user=manager_a)
        return ordering.place(buyer=resident, merchant=shop_a, house=house,
                              quantities={noodles.pk: 1}, payment_mode="cod",
                              fulfilment="delivery", idempotency_key=f"tap-{index}")

    _done, errors = race(work, ORDERS + 1)

    assert errors == []
    live = Product.objects.get(pk=noodles.pk)
    assert str(live.price) == "25.00" and live.live
    assert live.stock == 50 - sum(OrderLine.objects.values_list("quantity", flat=True))
    assert OrderLine.objects.count() == ORDERS
