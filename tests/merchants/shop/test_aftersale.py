"""After-sale requests: the owner of a paid online order asks with a reason; the merchant
or staff approve (the payment is refunded through portal.payments) or reject with an
answer. Refunds of merchant orders go only this way."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext

from merchants.shop.aftersale import AfterSale
from merchants.shop.models import Order
from portal.estates.errors import TransitionNotAllowed
from portal.notifications.models import InboxMessage
from portal.payments.models import PaymentOrder

from . import factories as sf

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(client, resident, noodles):
    order = sf.order(resident, noodles, 2, mode="online")
    client.force_login(resident)
    client.post(reverse("payments:sandbox_pay", args=[order.payment.out_trade_no]))
    order.refresh_from_db()
    assert order.state == Order.State.AWAITING_DELIVERY
    return order


def test_an_approved_request_refunds_the_payment(paid, resident, seller_a):
    request = AfterSale.ask(paid, by=resident, reason="面是凉的")
    assert InboxMessage.objects.filter(recipient=seller_a,
                                       event="shop.merchant.aftersale_requested").exists()

    request.approve(by=seller_a, answer="抱歉")

    request.refresh_from_db()
    assert request.state == AfterSale.State.REFUNDED and request.refund is not None
    paid.payment.refresh_from_db()
    assert paid.payment.state == PaymentOrder.State.REFUNDED
    assert list(paid.events.values_list("action", flat=True)) == [
        "placed", "paid", "aftersale_requested", "aftersale_approved", "refunded"]
    assert InboxMessage.objects.filter(recipient=resident, event="shop.owner.refunded").exists()


def test_a_rejected_request_needs_an_answer_and_refunds_nothing(paid, resident, service_a):
    request = AfterSale.ask(paid, by=resident, reason="太慢")

    with pytest.raises(TransitionNotAllowed):
        request.reject(by=service_a, answer=" ")
    request.reject(by=service_a, answer="配送时间正常")

    request.refresh_from_db()
    assert request.state == AfterSale.State.REJECTED
    paid.payment.refresh_from_db()
    assert paid.payment.state == PaymentOrder.State.PAID


def test_one_open_request_per_order(paid, resident):
    AfterSale.ask(paid, by=resident, reason="少了一碗")

    with pytest.raises(TransitionNotAllowed) as refused:
        AfterSale.ask(paid, by=resident, reason="again")
    assert str(refused.value) == gettext("An after-sale request for this order is already open.")
    assert AfterSale.objects.count() == 1


def test_a_cash_on_delivery_order_has_no_after_sale_refund(resident, noodles):
    order = sf.order(resident, noodles)

    with pytest.raises(TransitionNotAllowed):
        AfterSale.ask(order, by=resident, reason="不想要了")
    assert not AfterSale.objects.exists()


def test_another_merchant_cannot_decide(paid, resident, seller_b):
    request = AfterSale.ask(paid, by=resident, reason="面是凉的")

    with pytest.raises(TransitionNotAllowed):
        request.approve(by=seller_b)
    request.refresh_from_db()
    assert request.state == AfterSale.State.REQUESTED


def test_finance_cannot_refund_a_merchant_order_around_the_after_sale_request(
        paid, manager_a):
    with pytest.raises(ValidationError) as refused:
        paid.payment.refund(amount=paid.total, reason="直接退", by=manager_a)

    assert refused.value.message_dict["amount"] == [gettext(
        "Merchant orders are refunded by approving the owner's after-sale request.")]
    paid.payment.refresh_from_db()
    assert paid.payment.state == PaymentOrder.State.PAID


def test_the_owner_asks_on_the_order_page_and_the_merchant_approves_in_the_admin(
        client, paid, resident, seller_a):
    client.force_login(resident)
    response = client.post(reverse("my_orders:after_sale", args=[paid.pk]),
                           {"reason": "面是凉的"})
    assert response.status_code == 302
    request = AfterSale.objects.get()

    client.force_login(seller_a)
    response = client.post(reverse("shop_after_sales:inspect", args=[request.pk]),
                           {"decision": "approve", "answer": ""})

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == AfterSale.State.REFUNDED


@pytest.mark.parametrize("decision", [None, "", "delete"])
def test_a_post_without_a_decision_the_page_offers_changes_nothing(client, paid, resident,
                                                                    seller_a, decision):
    request = AfterSale.ask(paid, by=resident, reason="面是凉的")
    client.force_login(seller_a)
    data = {"answer": "不行"} if decision is None else {"decision": decision, "answer": "不行"}

    response = client.post(reverse("shop_after_sales:inspect", args=[request.pk]), data)

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == AfterSale.State.REQUESTED
