"""A bill whose payment was started but not finished (支付中), on the owner's H5 pages: its
row and its page lead straight back to that payment's cashier (继续支付) or cancel it so
the bills can be paid again; the total and the pay button count only the bills that can
be ticked, and with none to tick there is no pay button to tap in vain."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.payments.models import PaymentOrder
from services.billing.models import Bill, State
from tests.conftest import _resident_of

from .owner_setup import bills_for, month_of

pytestmark = pytest.mark.django_db


def start_paying(client, bills, key="tap-1"):
    """The owner taps pay, reaches the cashier, and comes back without paying."""
    response = client.post(reverse("my_bills:pay"), {"bill": [b.pk for b in bills],
                                                      "key": key})
    order = PaymentOrder.objects.get(idempotency_key=key)
    assert response.url == order.cashier_url
    return order


def cancel_url(order):
    return reverse("my_bills:cancel_payment", args=[order.out_trade_no])


def tag(page, element_id):
    """The opening tag of the element with this id."""
    match = re.search(rf'<[^>]*\bid="{element_id}"[^>]*>', page)
    assert match, f"no #{element_id}"
    return match.group(0)


def test_when_every_bill_is_being_paid_the_list_offers_continue_not_a_dead_pay_button(
        client, billed, house_a, resident):
    client.force_login(resident)
    old, new = billed[house_a]
    order = start_paying(client, [old, new])

    response = client.get(reverse("my_bills:list"))
    page = response.content.decode()

    assert 'id="pay-selected"' not in page
    assert 'id="pay-form"' not in page
    assert 'id="nothing-to-tick"' in page
    assert 'id="due-total"' not in page
    for bill in (old, new):
        assert f'href="{order.cashier_url}" data-continue="{bill.pk}"' in page
        assert f'data-cancel="{bill.pk}"' in page
    assert page.count(f'action="{cancel_url(order)}"') == 2


def test_the_total_due_leaves_out_a_bill_in_a_payment(client, billed, house_a, resident):
    today = date.today()
    bills_for(house_a.community, month_of(date(today.year - 2, today.month, 1)))
    due = list(Bill.objects.filter(house=house_a, due_date__lte=today)
               .order_by("period_start"))
    assert len(due) == 2
    client.force_login(resident)
    order = start_paying(client, [due[0]])

    response = client.get(reverse("my_bills:list"))
    page = response.content.decode()

    assert response.context["due_total"] == due[1].amount_owed
    assert f'id="due-total">¥{due[1].amount_owed}<' in page
    # The other bills can still be ticked and paid.
    assert 'id="pay-selected"' in page
    assert f'name="bill" value="{due[1].pk}"' in page
    assert f'name="bill" value="{due[0].pk}"' not in page
    assert f'href="{order.cashier_url}" data-continue="{due[0].pk}"' in page


def test_the_bill_page_links_to_the_cashier_and_can_cancel(client, billed, house_a,
                                                          resident):
    client.force_login(resident)
    bill = billed[house_a][0]
    order = start_paying(client, [bill])

    page = client.get(reverse("my_bills:detail", args=[bill.pk])).content.decode()

    assert 'id="in-payment"' in page
    assert f'href="{order.cashier_url}"' in tag(page, "continue-payment")
    assert "weui-btn" in tag(page, "continue-payment")
    assert f'action="{cancel_url(order)}"' in page
    assert 'id="cancel-payment"' in page
    assert 'id="pay-bill"' not in page


def test_cancelling_frees_the_bills_to_be_paid_again(client, billed, house_a, resident):
    client.force_login(resident)
    old, new = billed[house_a]
    order = start_paying(client, [old, new])

    response = client.post(cancel_url(order), {"back": str(old.pk)})

    assert response.status_code == 302
    assert response.url == reverse("my_bills:detail", args=[old.pk])
    order.refresh_from_db()
    assert order.state == PaymentOrder.State.CLOSED
    page = client.get(response.url).content.decode()
    assert 'id="pay-bill"' in page and 'id="in-payment"' not in page
    page = client.get(reverse("my_bills:list")).content.decode()
    assert 'id="pay-selected"' in page and "data-continue" not in page
    again = start_paying(client, [old, new], key="tap-2")
    assert again.pk != order.pk
    # A second tap on the cancel button is harmless.
    assert client.post(cancel_url(order)).url == reverse("my_bills:list")


def test_an_expired_payment_can_only_be_cancelled(client, billed, house_a, resident):
    client.force_login(resident)
    bill = billed[house_a][0]
    order = start_paying(client, [bill])
    PaymentOrder.objects.filter(pk=order.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1))

    page = client.get(reverse("my_bills:detail", args=[bill.pk])).content.decode()

    assert 'id="continue-payment"' not in page
    assert 'id="cancel-payment"' in page
    page = client.get(reverse("my_bills:list")).content.decode()
    assert "data-continue" not in page
    assert f'data-cancel="{bill.pk}"' in page


def test_a_paid_payment_is_not_cancelled(client, billed, house_a, resident):
    client.force_login(resident)
    bill = billed[house_a][0]
    order = start_paying(client, [bill])
    client.post(reverse("payments:sandbox_pay", args=[order.out_trade_no]))

    client.post(cancel_url(order), {"back": str(bill.pk)})

    order.refresh_from_db()
    assert order.state == PaymentOrder.State.PAID
    bill.refresh_from_db()
    assert bill.state == State.PAID


def test_another_occupants_payment_is_neither_continued_nor_cancelled_by_me(
        client, billed, house_a, resident):
    spouse = _resident_of(house_a)
    client.force_login(spouse)
    bill = billed[house_a][0]
    order = start_paying(client, [bill])
    client.force_login(resident)

    detail = client.get(reverse("my_bills:detail", args=[bill.pk])).content.decode()
    listing = client.get(reverse("my_bills:list")).content.decode()

    assert 'id="in-payment"' in detail
    assert order.cashier_url not in detail and order.cashier_url not in listing
    assert cancel_url(order) not in detail and cancel_url(order) not in listing
    assert client.post(cancel_url(order)).status_code == 404
    order.refresh_from_db()
    assert order.state == PaymentOrder.State.PENDING
