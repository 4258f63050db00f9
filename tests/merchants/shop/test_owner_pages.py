"""The owner's pages: the products on the merchant's page, the checkout (cash on delivery
to the order page, online to the cashier), my orders, the cancel button only when
allowed, and refusals shown with the input kept."""

import pytest
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from merchants.shop.models import Order, Product

from . import factories as sf

pytestmark = pytest.mark.django_db


def _checkout(client, product, quantity, **fields):
    data = {f"qty_{product.pk}": str(quantity), "fulfilment": "delivery",
            "payment_mode": "cod", "key": "tap-1", **fields}
    return client.post(reverse("my_orders:checkout", args=[product.merchant_id]), data)


def test_the_merchant_page_lists_the_products_with_an_order_button(client, resident, shop_a,
                                                                   noodles):
    client.force_login(resident)

    page = client.get(shop_a.url).content.decode()

    assert "牛肉面" in page and f'name="qty_{noodles.pk}"' in page
    assert 'id="order-button"' in page


def test_the_checkout_shows_what_was_chosen(client, resident, house_a, noodles):
    client.force_login(resident)

    response = client.get(reverse("my_orders:checkout", args=[noodles.merchant_id]),
                          {f"qty_{noodles.pk}": "2"})

    assert response.status_code == 200
    assert response.context["total"] == 36
    assert "¥36.00" in response.content.decode()


def test_a_cash_on_delivery_order_goes_to_its_page(client, resident, house_a, noodles):
    client.force_login(resident)

    response = _checkout(client, noodles, 2, house=house_a.pk)

    order = Order.objects.get()
    assert response.url == reverse("my_orders:detail", args=[order.pk])
    assert order.state == Order.State.AWAITING_DELIVERY
    page = client.get(response.url).content.decode()
    assert 'id="cancel-order"' in page


def test_a_double_tap_on_the_checkout_places_one_order(client, resident, house_a, noodles):
    client.force_login(resident)

    first = _checkout(client, noodles, 2, house=house_a.pk)
    second = _checkout(client, noodles, 2, house=house_a.pk)

    assert first.url == second.url
    assert Order.objects.count() == 1


def test_an_online_order_goes_to_the_cashier(client, resident, house_a, noodles):
    client.force_login(resident)

    response = _checkout(client, noodles, 1, house=house_a.pk, payment_mode="online")

    order = Order.objects.get()
    assert response.url == order.payment.cashier_url


def test_ordering_too_many_shows_how_many_are_left_and_keeps_the_input(
        client, resident, house_a, noodles):
    client.force_login(resident)

    response = _checkout(client, noodles, 12, house=house_a.pk, note="放门口")

    assert response.status_code == 400
    page = response.content.decode()
    assert ngettext("Only %(left)s of %(product)s is left.",
                    "Only %(left)s of %(product)s are left.", 10) % {
        "left": 10, "product": "牛肉面"} in page
    assert 'value="放门口"' in page and f'name="qty_{noodles.pk}" value="12"' in page
    assert not Order.objects.exists()
    assert Product.objects.get(pk=noodles.pk).stock == 10


def test_a_paid_online_order_shows_no_cancel_button(client, resident, noodles):
    order = sf.order(resident, noodles, mode="online")
    client.force_login(resident)
    client.post(reverse("payments:sandbox_pay", args=[order.payment.out_trade_no]))

    page = client.get(order.owner_url).content.decode()

    assert 'id="cancel-order"' not in page and 'id="ask-refund"' in page
    response = client.post(reverse("my_orders:cancel", args=[order.pk]), follow=True)
    assert gettext("This order was paid online, so it can no longer be cancelled. Ask for an "
                   "after-sale refund instead.") in response.content.decode()
    order.refresh_from_db()
    assert order.state == Order.State.AWAITING_DELIVERY


def test_my_orders_lists_only_mine(client, resident, neighbour, noodles):
    mine = sf.order(resident, noodles)
    theirs = sf.order(neighbour, noodles)
    client.force_login(resident)

    page = client.get(reverse("my_orders:list")).content.decode()

    assert f'id="order-{mine.pk}"' in page and f'id="order-{theirs.pk}"' not in page


def test_the_me_page_links_to_my_orders(client, resident):
    client.force_login(resident)

    page = client.get(reverse("estates:me")).content.decode()

    assert reverse("my_orders:list") in page


def test_ordering_from_a_merchant_suspended_meanwhile_says_so(client, resident, house_a,
                                                               shop_a, noodles, manager_a):
    client.force_login(resident)
    shop_a.suspend(by=manager_a, reason="卫生检查")

    response = _checkout(client, noodles, 1, house=house_a.pk)

    assert response.status_code == 400
    assert gettext("This merchant is suspended and takes no orders.") in (
        response.content.decode())
    assert not Order.objects.exists()
    assert Product.objects.get(pk=noodles.pk).stock == 10


def test_a_merchant_not_serving_my_community_is_not_found(client, resident_b, noodles):
    client.force_login(resident_b)

    response = client.get(reverse("my_orders:checkout", args=[noodles.merchant_id]))

    assert response.status_code == 404
