"""Paying ahead (预缴): the house's advance balance is credited once when the order is
paid; open bills draw from it (never below zero), now and after the next generation."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext

from portal.payments.models import PaymentOrder
from services.billing import advance
from services.billing.advance import AdvanceAccount, AdvanceEntry
from services.billing.models import Bill, BillEvent, State
from services.billing.receipts import Receipt

from .owner_setup import bills_for, fee_items

pytestmark = pytest.mark.django_db
D = Decimal


def settle(order):
    order.settle(transaction_id=None, amount=order.amount, paid_at=None,
                 channel=PaymentOrder.Channel.SANDBOX)


def test_months_ahead_cost_the_monthly_fees(house_a, resident):
    fee_items(house_a.community)

    order = advance.prepay(resident, house_a, months=3, idempotency_key="a")

    assert advance.monthly_fees(house_a) == D("191.00")
    assert order.amount == D("573.00") and order.purpose == advance.PURPOSE


def test_a_free_amount_must_be_within_limits(house_a, resident):
    with pytest.raises(ValidationError) as refused:
        advance.prepay(resident, house_a, amount="0.50")
    assert refused.value.message_dict["amount"] == [gettext(
        "Pay ahead between %(min)s and %(max)s yuan.") % {"min": advance.MIN_AMOUNT,
                                                          "max": advance.MAX_AMOUNT}]
    with pytest.raises(ValidationError):
        advance.prepay(resident, house_a, amount="12.345")
    assert not PaymentOrder.objects.exists()


def test_paid_ahead_money_pays_open_bills_and_the_rest_stays(billed, house_a, resident):
    order = advance.prepay(resident, house_a, amount="500", idempotency_key="a")

    settle(order)
    settle(order)

    account = AdvanceAccount.objects.get(house=house_a)
    bills = Bill.objects.filter(house=house_a)
    assert set(bills.values_list("state", flat=True)) == {State.PAID}
    assert account.balance == D("500.00") - D("382.00")
    assert AdvanceEntry.objects.filter(kind="credit").count() == 1
    assert AdvanceEntry.objects.filter(kind="draw").count() == 2
    assert BillEvent.objects.filter(action="advance").count() == 2
    assert Receipt.objects.get(order=order).total == D("500.00")


def test_a_small_balance_pays_part_of_a_bill_and_never_goes_below_zero(
        billed, house_a, resident):
    settle(advance.prepay(resident, house_a, amount="100", idempotency_key="a"))

    old = Bill.objects.get(pk=billed[house_a][0].pk)
    assert (old.state, old.amount_paid) == (State.PARTLY_PAID, D("100.00"))
    assert AdvanceAccount.objects.get(house=house_a).balance == D("0.00")


def test_new_bills_draw_from_the_balance_after_generation(house_a, resident):
    fee_items(house_a.community)
    settle(advance.prepay(resident, house_a, amount="300", idempotency_key="a"))
    assert AdvanceAccount.objects.get(house=house_a).balance == D("300.00")

    bills_for(house_a.community, "2026-12")
    advance.draw_for_community(house_a.community_id)
    advance.draw_for_community(house_a.community_id)

    bill = Bill.objects.get(house=house_a)
    assert bill.state == State.PAID
    assert AdvanceAccount.objects.get(house=house_a).balance == D("109.00")


def test_the_prepay_page_opens_the_order_for_my_house_only(client, house_a, house_a2,
                                                          resident):
    fee_items(house_a.community)
    client.force_login(resident)

    refused = client.post(reverse("my_bills:prepay"), {"house": house_a2.pk, "months": "1"})
    response = client.post(reverse("my_bills:prepay"), {"house": house_a.pk, "months": "1",
                                                        "key": "t"})

    assert refused.status_code == 400 and not PaymentOrder.objects.filter(
        amount=D("191.00"), pk__lt=0).exists()
    order = PaymentOrder.objects.get()
    assert response.url == order.cashier_url and order.amount == D("191.00")


def test_the_draw_task_pays_new_bills_from_the_balance(house_a, resident):
    fee_items(house_a.community)
    settle(advance.prepay(resident, house_a, amount="191", idempotency_key="a"))
    bills_for(house_a.community, "2026-12")

    advance.draw_advance.enqueue(house_a.community_id)

    assert Bill.objects.get(house=house_a).state == State.PAID
    assert AdvanceAccount.objects.get(house=house_a).balance == D("0.00")


def test_a_bill_run_pays_its_new_bills_from_the_balance_once_committed(
        house_a, resident, django_capture_on_commit_callbacks):
    """Nobody has to run the draw by hand: the run queues it when it commits."""
    fee_items(house_a.community)
    settle(advance.prepay(resident, house_a, amount="191", idempotency_key="a"))

    with django_capture_on_commit_callbacks(execute=True):
        bills_for(house_a.community, "2026-12")

    assert Bill.objects.get(house=house_a).state == State.PAID
    assert AdvanceAccount.objects.get(house=house_a).balance == D("0.00")


@pytest.mark.parametrize("months", ["abc", "1.5", "３ months"])
def test_months_that_are_not_a_whole_number_are_refused(house_a, resident, months):
    fee_items(house_a.community)

    with pytest.raises(ValidationError) as refused:
        advance.prepay(resident, house_a, months=months, idempotency_key="a")

    assert refused.value.message_dict["months"] == [gettext(
        "Give the months as a whole number, e.g. 3.")]
    assert not PaymentOrder.objects.exists()


def test_the_prepay_page_shows_bad_months_with_the_house_kept(client, house_a, resident):
    fee_items(house_a.community)
    client.force_login(resident)

    response = client.post(reverse("my_bills:prepay"), {"house": house_a.pk,
                                                        "months": "abc", "key": "t"})

    assert response.status_code == 400
    assert response.context["errors"] == [gettext(
        "Give the months as a whole number, e.g. 3.")]
    assert response.context["form"]["house"] == str(house_a.pk)
    assert f'value="{house_a.pk}" selected' in response.content.decode()
    assert not PaymentOrder.objects.exists()
