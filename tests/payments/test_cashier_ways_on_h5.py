"""The cashier once the payment is over: large buttons (weui-btn, 48 px tall on the H5
pages) back to what was paid for: my bills and the receipt for bills, the order's page
for a merchant order; "Refresh" only while the payment is awaited, as a button too."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from merchants.shop import ordering
from portal.payments.models import PaymentOrder
from services.billing import paying
from services.billing.receipts import Receipt
from tests.billing.owner_setup import billed  # noqa: F401  (fixture)
from tests.merchants.conftest import index_a, shop_a  # noqa: F401  (fixtures)
from tests.merchants.shop.factories import product

from .conftest import open_order

pytestmark = pytest.mark.django_db


def tag(page, element_id):
    """The opening tag of the element with this id, or None."""
    match = re.search(rf'<[^>]*\bid="{element_id}"[^>]*>', page)
    return match.group(0) if match else None


def pay_at_the_demo_cashier(client, order):
    client.post(reverse("payments:sandbox_pay", args=[order.out_trade_no]))
    order.refresh_from_db()
    assert order.is_paid


def test_paid_bills_lead_back_to_my_bills_and_to_the_receipt(client, billed,  # noqa: F811
                                                             house_a, resident):
    order = paying.pay_bills(resident, billed[house_a], idempotency_key="k1")
    client.force_login(resident)
    pay_at_the_demo_cashier(client, order)
    receipt = Receipt.objects.get(order=order)

    page = client.get(order.cashier_url).content.decode()

    assert 'id="paid"' in page
    back, to_receipt = tag(page, "back-to-purpose"), tag(page, "receipt")
    assert back and f'href="{reverse("my_bills:list")}"' in back
    assert "weui-btn" in back and "weui-btn_primary" in back
    assert to_receipt and \
        f'href="{reverse("my_bills:receipt", args=[receipt.number])}"' in to_receipt
    assert "weui-btn" in to_receipt
    assert receipt.number in page
    assert 'id="refresh"' not in page


def test_a_paid_merchant_order_leads_back_to_the_order(client, resident, house_a,
                                                       shop_a):  # noqa: F811
    noodles = product(shop_a)
    shop_order = ordering.place(buyer=resident, merchant=shop_a, house=house_a,
                                quantities={noodles.pk: 1}, payment_mode="online",
                                fulfilment="delivery")
    client.force_login(resident)
    pay_at_the_demo_cashier(client, shop_order.payment)

    page = client.get(shop_order.payment.cashier_url).content.decode()

    back = tag(page, "back-to-purpose")
    assert back and f'href="{shop_order.owner_url}"' in back and "weui-btn" in back
    assert tag(page, "receipt") is None
    assert reverse("my_bills:list") not in page


def test_while_awaiting_the_payment_refresh_is_a_button_and_nothing_else(
        client, billed, house_a, resident):  # noqa: F811
    order = paying.pay_bills(resident, billed[house_a], idempotency_key="k1")
    client.force_login(resident)

    page = client.get(order.cashier_url).content.decode()

    refresh = tag(page, "refresh")
    assert refresh and "weui-btn" in refresh and f'href="{order.cashier_url}"' in refresh
    assert 'id="ways-on"' not in page


def test_a_closed_or_expired_payment_of_bills_leads_back_to_my_bills(
        client, billed, house_a, resident):  # noqa: F811
    old, new = billed[house_a]
    closed = paying.pay_bills(resident, [old], idempotency_key="k1")
    closed.close()
    expired = paying.pay_bills(resident, [new], idempotency_key="k2")
    PaymentOrder.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1))
    client.force_login(resident)

    for order in (closed, expired):
        page = client.get(order.cashier_url).content.decode()
        back = tag(page, "back-to-purpose")
        assert back and f'href="{reverse("my_bills:list")}"' in back
        assert tag(page, "receipt") is None
        assert 'id="refresh"' not in page


def test_a_purpose_without_an_owner_page_shows_no_way_on(client, resident, purpose_log):
    order = open_order(resident)
    client.force_login(resident)
    pay_at_the_demo_cashier(client, order)

    page = client.get(order.cashier_url).content.decode()

    assert 'id="paid"' in page and 'id="ways-on"' not in page
