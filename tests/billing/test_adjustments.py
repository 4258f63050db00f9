"""Finance adjusts or waives a bill line: a reason is required, a paid line cannot
change, the amount is never below zero; each change writes an event and the bill's
totals follow."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from portal.estates.errors import TransitionNotAllowed
from services.billing.fees import Period
from services.billing.generation import generate
from services.billing.models import Bill, BillEvent, BillLine, FeeItem, State

from .factories import FeeItemFactory

D = Decimal


@pytest.fixture
def bill(house_a, finance_a):
    community = house_a.community
    FeeItemFactory(community=community, name="物业管理费", kind=FeeItem.Kind.AREA,
                   unit_price=D("2.00"))  # 179.00
    FeeItemFactory(community=community, name="垃圾清运费", kind=FeeItem.Kind.FIXED,
                   unit_price=D("12.00"))
    generate(community, Period.parse("2026-11"), by=finance_a)
    return Bill.objects.get(house=house_a)


def line_of(bill, name):
    return bill.lines.get(fee_item__name=name)


def test_adjusting_a_line_records_who_why_and_recomputes_the_bill(bill, finance_a):
    line = line_of(bill, "物业管理费")

    line.adjust("150.50", by=finance_a, reason="空置房八折")

    bill.refresh_from_db()
    assert (line.amount, line.amount_due, line.state) == (D("179.00"), D("150.50"), "due")
    assert bill.amount_due == D("162.50")
    event = BillEvent.objects.get()
    assert (event.action, event.actor, event.reason, event.amount_before,
            event.amount_after, event.line) == ("adjust", finance_a, "空置房八折",
                                                D("179.00"), D("150.50"), line)


def test_a_reason_is_required(bill, finance_a):
    line = line_of(bill, "物业管理费")

    with pytest.raises(ValidationError) as refused:
        line.adjust("100", by=finance_a, reason="  ")

    assert refused.value.messages == [gettext("Give the reason: it is kept with the bill.")]
    assert not BillEvent.objects.exists()
    assert BillLine.objects.get(pk=line.pk).amount_due == D("179.00")


@pytest.mark.parametrize("amount, code", [("-1", "negative"), ("abc", "amount"),
                                          ("10.005", "fen")])
def test_bad_amounts_are_refused(bill, finance_a, amount, code):
    with pytest.raises(ValidationError) as refused:
        line_of(bill, "物业管理费").adjust(amount, by=finance_a, reason="r")

    assert refused.value.code == code


def test_a_paid_line_cannot_be_adjusted_or_waived(bill, finance_a):
    line = line_of(bill, "垃圾清运费")
    BillLine.objects.filter(pk=line.pk).update(amount_paid=D("12.00"), state=State.PAID)
    line.refresh_from_db()

    with pytest.raises(TransitionNotAllowed) as refused:
        line.adjust("5", by=finance_a, reason="r")
    assert str(refused.value) == gettext("This line is paid: it cannot be changed.")
    with pytest.raises(TransitionNotAllowed):
        line.waive(by=finance_a, reason="r")
    assert not BillEvent.objects.exists()


def test_waiving_every_line_waives_the_bill(bill, finance_a):
    line_of(bill, "物业管理费").waive(by=finance_a, reason="困难户减免")
    bill.refresh_from_db()
    assert (bill.state, bill.amount_due) == ("due", D("12.00"))

    line_of(bill, "垃圾清运费").waive(by=finance_a, reason="困难户减免")

    bill.refresh_from_db()
    assert (bill.state, bill.amount_due) == ("waived", D("0.00"))
    with pytest.raises(TransitionNotAllowed):
        line_of(bill, "垃圾清运费").waive(by=finance_a, reason="again")
    assert BillEvent.objects.filter(action="waive").count() == 2


def test_waiving_a_whole_bill_waives_its_open_lines(bill, finance_a):
    bill.waive(by=finance_a, reason="开发商承担")

    assert bill.state == "waived"
    assert set(bill.lines.values_list("state", flat=True)) == {"waived"}
    with pytest.raises(TransitionNotAllowed):
        bill.waive(by=finance_a, reason="again")


def test_a_partly_paid_line_cannot_go_below_what_is_paid(bill, finance_a):
    line = line_of(bill, "物业管理费")
    BillLine.objects.filter(pk=line.pk).update(amount_paid=D("100.00"))
    line.refresh_from_db()

    with pytest.raises(TransitionNotAllowed):
        line.adjust("99.99", by=finance_a, reason="r")
    line.adjust("100.00", by=finance_a, reason="rounded down")

    line.refresh_from_db()
    assert line.state == "paid"
