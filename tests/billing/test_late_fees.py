"""Late fees (滞纳金): a community's active rule adds one late-fee line to each overdue
bill, updated in place day by day (grace days, cap), twice a day changing nothing; a paid
bill stops accruing, a waived line stays waived; shown to the owner and in the admin."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils.translation import gettext

from portal.payments.models import PaymentOrder
from services.billing import paying
from services.billing.late_fees import charge_late_fees
from services.billing.models import Bill, BillEvent, BillLine, FeeItem, LateFeeRule, State

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def rule(community_a):
    return LateFeeRule.objects.create(community=community_a, daily_rate=D("0.001"),
                                      grace_days=5, cap=D("30.00"))


def late_line(bill):
    return BillLine.objects.filter(bill=bill, fee_item__kind=FeeItem.Kind.LATE_FEE).first()


def test_an_overdue_bill_gets_one_late_fee_line_updated_day_by_day(billed, house_a, rule):
    old, new = billed[house_a]
    owed = old.amount_owed
    first = old.due_date + timedelta(days=15)  # 10 days past the grace days

    assert charge_late_fees(on=old.due_date + timedelta(days=5)) == 0  # within grace
    assert charge_late_fees(on=first) == 2  # house A and A2; community B has no rule
    assert charge_late_fees(on=first) == 0  # the same day again: nothing

    line = late_line(old)
    fee = (owed * D("0.010")).quantize(D("0.01"))
    assert (line.amount_due, line.state) == (fee, State.DUE)
    old = Bill.objects.get(pk=old.pk)
    assert old.amount_due == owed + fee
    assert late_line(new) is None  # not yet due
    assert not BillLine.objects.filter(fee_item__kind=FeeItem.Kind.LATE_FEE).exclude(
        community_id=house_a.community_id).exists()

    assert charge_late_fees(on=first + timedelta(days=1)) == 2
    line = late_line(old)
    assert line.amount_due == (owed * D("0.011")).quantize(D("0.01"))
    assert BillLine.objects.filter(bill=old, fee_item__kind="late_fee").count() == 1
    events = BillEvent.objects.filter(bill=old, action="late_fee")
    assert [(e.amount_before, e.amount_after) for e in events] == [
        (D("0.00"), fee), (fee, line.amount_due)]

    charge_late_fees(on=first + timedelta(days=400))
    assert late_line(old).amount_due == D("30.00")  # the cap
    # Bill runs never charge the late-fee item.
    assert not FeeItem.objects.get(kind=FeeItem.Kind.LATE_FEE,
                                   community=house_a.community).active


def test_a_paid_bill_stops_accruing_and_a_waived_line_stays_waived(
        billed, house_a, house_a2, rule, resident, finance_a):
    old = billed[house_a][0]
    first = old.due_date + timedelta(days=15)
    charge_late_fees(on=first)
    order = paying.pay_bills(resident, [old], idempotency_key="k")
    order.settle(transaction_id=None, amount=order.amount, paid_at=None,
                 channel=PaymentOrder.Channel.SANDBOX)
    assert Bill.objects.get(pk=old.pk).state == State.PAID
    other = billed[house_a2][0]
    late_line(other).waive(by=finance_a, reason="首次逾期减免")

    assert charge_late_fees(on=first + timedelta(days=3)) == 0

    paid_line = late_line(old)
    assert paid_line.state == State.PAID and paid_line.amount_due == paid_line.amount_paid
    assert late_line(other).state == State.WAIVED
    assert late_line(other).amount_due == D("0.00")


def test_a_bill_in_a_payment_under_way_waits(billed, house_a, rule, resident):
    old = billed[house_a][0]
    paying.pay_bills(resident, [old], idempotency_key="k")

    charge_late_fees(on=old.due_date + timedelta(days=15))

    assert late_line(old) is None


def test_an_inactive_rule_charges_nothing(billed, rule):
    rule.active = False
    rule.save()
    assert charge_late_fees() == 0
    assert not BillLine.objects.filter(fee_item__kind=FeeItem.Kind.LATE_FEE).exists()


def test_the_billing_watch_charges_late_fees_and_pages_show_them(
        client, billed, house_a, rule, resident, finance_a):
    call_command("billing_watch", "--once")
    old = billed[house_a][0]
    assert late_line(old).amount_due == D("30.00")  # a year late: the cap
    call_command("billing_watch", "--once")
    assert BillEvent.objects.filter(bill=old, action="late_fee").count() == 1

    client.force_login(resident)
    page = client.get(reverse("my_bills:detail", args=[old.pk])).content.decode()
    assert gettext("Late fee") in page and "30.00" in page
    client.force_login(finance_a)
    admin = client.get(reverse("bills:inspect", args=[old.pk])).content.decode()
    assert gettext("Late fee") in admin and "30.00" in admin
