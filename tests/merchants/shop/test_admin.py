"""The shop in the admin: a merchant keeps its own products (a price of zero refused with
a message), takes its orders through delivery on the order's page, cancels a cash on
delivery order, and reads its daily summary; staff read products but do not edit them."""

import pytest
from django.urls import reverse
from django.utils.translation import gettext

from merchants.shop.models import Order, Product

from . import factories as sf

pytestmark = pytest.mark.django_db


def _product_form(merchant, **fields):
    return {"merchant": merchant.pk, "name": "酸辣粉", "description": "", "price": "12.00",
            "sort_order": "0", **fields}


def test_a_merchant_adds_a_product_to_its_own_shop(client, shop_a, seller_a):
    client.force_login(seller_a)

    response = client.post(reverse("shop_products:add"), _product_form(shop_a))

    assert response.status_code == 302
    assert Product.objects.get(name="酸辣粉").merchant == shop_a


@pytest.mark.parametrize("price", ["0", "-3"])
def test_a_price_of_zero_or_below_is_refused_in_the_form(client, shop_a, seller_a, price):
    client.force_login(seller_a)

    response = client.post(reverse("shop_products:add"), _product_form(shop_a, price=price))

    assert response.status_code == 200
    assert gettext("The price must be more than zero.") in response.content.decode()
    assert not Product.objects.exists()


def test_a_merchant_cannot_add_a_product_to_another_shop(client, shop_b, seller_a):
    client.force_login(seller_a)

    response = client.post(reverse("shop_products:add"), _product_form(shop_b))

    assert response.status_code == 200
    assert not Product.objects.exists()


def test_staff_read_the_products_but_do_not_edit_them(client, noodles, manager_a):
    client.force_login(manager_a)

    assert "牛肉面" in client.get(reverse("shop_products:list")).content.decode()
    edit = reverse("shop_products:edit", args=[noodles.pk])
    assert client.get(edit).status_code == 302  # Wagtail's "no permission" redirect
    client.post(edit, _product_form(noodles.merchant, name="改了"))
    assert Product.objects.get(pk=noodles.pk).name == "牛肉面"


def test_the_merchant_delivers_and_completes_an_order_on_its_page(client, resident, noodles,
                                                                  seller_a):
    order = sf.order(resident, noodles)
    client.force_login(seller_a)
    url = reverse("shop_orders:inspect", args=[order.pk])

    assert 'id="step-start_delivery"' in client.get(url).content.decode()
    client.post(url, {"step": "start_delivery"})
    client.post(url, {"step": "complete"})

    order.refresh_from_db()
    assert order.state == Order.State.DONE


def test_a_step_refused_shows_why(client, resident, noodles, seller_a):
    order = sf.order(resident, noodles)
    client.force_login(seller_a)
    url = reverse("shop_orders:inspect", args=[order.pk])

    response = client.post(url, {"step": "complete"}, follow=True)

    assert gettext("This order is %(state)s; this step cannot be taken now.") % {
        "state": Order.State.AWAITING_DELIVERY.label} in response.content.decode()
    order.refresh_from_db()
    assert order.state == Order.State.AWAITING_DELIVERY


def test_customer_service_cancels_a_cash_on_delivery_order(client, resident, noodles,
                                                           service_a):
    order = sf.order(resident, noodles, 3)
    client.force_login(service_a)

    client.post(reverse("shop_orders:inspect", args=[order.pk]), {"step": "cancel"})

    order.refresh_from_db()
    assert order.state == Order.State.CANCELLED
    assert Product.objects.get(pk=noodles.pk).stock == 10


def test_the_orders_list_filters_by_state_and_payment(client, resident, noodles, seller_a):
    cod = sf.order(resident, noodles)
    online = sf.order(resident, noodles, mode="online")
    client.force_login(seller_a)

    page = client.get(reverse("shop_orders:index"), {"payment_mode": "online"}).content.decode()

    assert online.number in page and cod.number not in page


def test_the_daily_summary_counts_orders_items_and_takings_by_payment(
        client, resident, noodles, seller_a, seller_b):
    sf.order(resident, noodles, 2)
    sf.order(resident, noodles, 1).cancel(by=resident)
    sf.order(resident, noodles, 3, mode="online")  # unpaid: not takings
    client.force_login(seller_a)

    response = client.get(reverse("shop_daily_summary"))

    (day,) = response.context["days"]
    assert (day.orders, day.items, day.cod, day.online) == (1, 2, 36, 0)
    export = client.get(reverse("shop_daily_summary"), {"export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    client.force_login(seller_b)
    assert client.get(reverse("shop_daily_summary")).context["days"] == []
