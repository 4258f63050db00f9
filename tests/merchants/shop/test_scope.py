"""Data permission: an order, its after-sale request and a product reach the owner who
ordered, the merchant's own accounts, the staff of the order's community and leadership;
never merchant B, staff of community B or another owner — not by list, detail, export,
search or a guessed id."""

import pytest
from django.urls import reverse

from merchants.shop.aftersale import AfterSale
from merchants.shop.models import Order, OrderEvent, Product

from . import factories as sf

pytestmark = pytest.mark.django_db

SEES = ["resident", "seller_a", "service_a", "manager_a", "leadership"]
BLIND = ["seller_b", "service_b", "manager_b", "neighbour", "resident_b", "outsider"]


@pytest.fixture
def order(resident, noodles):
    return sf.order(resident, noodles, 2)


@pytest.mark.parametrize("who", SEES)
def test_the_order_is_visible_to_its_people(request, order, who):
    user = request.getfixturevalue(who)

    assert list(Order.objects.visible_to(user)) == [order]
    assert OrderEvent.objects.visible_to(user).filter(order=order).exists()


@pytest.mark.parametrize("who", BLIND)
def test_the_order_is_invisible_to_everyone_else(request, order, groceries, seller_b, who):
    user = request.getfixturevalue(who)

    assert not Order.objects.visible_to(user).filter(pk=order.pk).exists()
    assert not OrderEvent.objects.visible_to(user).filter(order=order).exists()


@pytest.mark.parametrize("who", ["seller_b", "service_b", "manager_b"])
def test_the_admin_answers_404_for_a_guessed_order_and_leaves_it_out_of_lists_and_exports(
        client, request, order, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(reverse("shop_orders:inspect", args=[order.pk])).status_code == 404
    listing = client.get(reverse("shop_orders:index"), {"q": order.number})
    assert reverse("shop_orders:inspect", args=[order.pk]) not in listing.content.decode()
    export = client.get(reverse("shop_orders:index"), {"export": "csv"})
    assert export.status_code == 200
    assert order.number not in b"".join(export.streaming_content).decode()
    step = client.post(reverse("shop_orders:inspect", args=[order.pk]),
                       {"step": "start_delivery"})
    assert step.status_code == 404
    order.refresh_from_db()
    assert order.state == Order.State.AWAITING_DELIVERY


@pytest.mark.parametrize("who", ["seller_a", "service_a", "leadership"])
def test_the_merchant_and_staff_of_the_community_find_it_and_export_it(
        client, request, order, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(reverse("shop_orders:inspect", args=[order.pk])).status_code == 200
    export = client.get(reverse("shop_orders:index"), {"export": "csv"})
    assert order.number in b"".join(export.streaming_content).decode()


def test_another_owner_guessing_an_order_id_gets_404(client, order, neighbour):
    client.force_login(neighbour)

    assert client.get(reverse("my_orders:detail", args=[order.pk])).status_code == 404
    assert client.post(reverse("my_orders:cancel", args=[order.pk])).status_code == 404
    order.refresh_from_db()
    assert order.state == Order.State.AWAITING_DELIVERY


def test_merchant_b_cannot_open_or_edit_merchant_as_product(client, noodles, seller_b):
    client.force_login(seller_b)

    assert client.get(reverse("shop_products:edit", args=[noodles.pk])).status_code == 404
    response = client.post(reverse("shop_products:edit", args=[noodles.pk]),
                           {"name": "改了", "price": "1.00", "stock": "1"})
    assert response.status_code == 404
    assert Product.objects.get(pk=noodles.pk).name == "牛肉面"
    assert not Product.objects.visible_to(seller_b).filter(pk=noodles.pk).exists()


def test_staff_of_another_community_do_not_see_the_products(noodles, service_b, resident_b):
    assert not Product.objects.visible_to(service_b).exists()
    assert not Product.objects.visible_to(resident_b).exists()


def test_after_sale_requests_follow_their_order(client, resident, noodles, seller_a,
                                                seller_b, service_b):
    order = sf.order(resident, noodles, mode="online")
    client.force_login(resident)
    client.post(reverse("payments:sandbox_pay", args=[order.payment.out_trade_no]))
    order.refresh_from_db()
    request = AfterSale.ask(order, by=resident, reason="坏了")

    assert list(AfterSale.objects.visible_to(seller_a)) == [request]
    assert list(AfterSale.objects.visible_to(resident)) == [request]
    for user in (seller_b, service_b):
        assert not AfterSale.objects.visible_to(user).exists()
        client.force_login(user)
        assert client.get(reverse("shop_after_sales:inspect",
                                  args=[request.pk])).status_code == 404
