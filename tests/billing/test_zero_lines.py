"""A line of 0.00 (a vacant house's water) has nothing to pay: a bill whose other lines
are paid is paid, a bill of such lines only is paid from the start, and the collection
report counts them as collected."""

from datetime import date
from decimal import Decimal

import pytest

from services.billing import paying
from services.billing.fees import Period
from services.billing.generation import generate
from services.billing.models import Bill, FeeItem, State
from services.billing.reports import collection

from .factories import FeeItemFactory, MeterFactory, reading

pytestmark = pytest.mark.django_db
D = Decimal
OCTOBER = Period.parse("2026-10")


@pytest.fixture
def water(house_a):
    item = FeeItemFactory(community=house_a.community, name="水费",
                          kind=FeeItem.Kind.METERED, utility="water", unit_price=D("3.00"),
                          sort_order=2)
    meter = MeterFactory(house=house_a)
    reading(meter, "2026-09", "100")
    reading(meter, "2026-10", "100")  # vacant: no use
    return item


@pytest.fixture
def fixed(house_a):
    return FeeItemFactory(community=house_a.community, name="物业费",
                          kind=FeeItem.Kind.FIXED, unit_price=D("50.00"), sort_order=1)


def test_paying_a_bill_with_a_zero_line_leaves_it_paid(water, fixed, house_a, resident,
                                                       finance_a):
    generate(house_a.community, OCTOBER)
    bill = Bill.objects.get(house=house_a)
    assert (bill.state, bill.amount_due) == (State.DUE, D("50.00"))

    order = paying.pay_bills(resident, [bill], idempotency_key="z")
    order.record_offline(method="cash", amount=order.amount, by=finance_a)

    bill.refresh_from_db()
    assert (bill.state, bill.amount_paid) == (State.PAID, D("50.00"))
    assert not Bill.objects.visible_to(resident).open().exists()


def test_a_bill_of_zero_lines_only_is_paid_from_the_start(water, house_a, resident):
    generate(house_a.community, OCTOBER)

    bill = Bill.objects.get(house=house_a)
    assert (bill.state, bill.amount_due, bill.amount_paid) == (State.PAID, D("0.00"),
                                                               D("0.00"))
    assert not Bill.objects.visible_to(resident).open().exists()


def test_a_zero_line_added_to_a_paid_bill_leaves_it_paid(water, fixed, house_a, resident,
                                                         finance_a):
    water.active = False
    water.save()
    generate(house_a.community, OCTOBER)
    bill = Bill.objects.get(house=house_a)
    order = paying.pay_bills(resident, [bill], idempotency_key="z")
    order.record_offline(method="cash", amount=order.amount, by=finance_a)
    water.active = True
    water.save()

    generate(house_a.community, OCTOBER)  # the water line comes later: 0.00

    bill.refresh_from_db()
    assert bill.lines.count() == 2
    assert (bill.state, bill.amount_due, bill.amount_paid) == (State.PAID, D("50.00"),
                                                               D("50.00"))


def test_a_reading_corrected_on_a_bill_of_zero_lines_reprices_it(water, house_a,
                                                                 finance_a):
    generate(house_a.community, OCTOBER)
    october = water.lines.get().bill
    assert october.state == State.PAID

    october_reading = house_a.meters.get().readings.get(period=date(2026, 10, 1))
    october_reading.correct(by=finance_a, reading=D("110"))

    october.refresh_from_db()
    assert (october.state, october.amount_due) == (State.DUE, D("30.00"))


def test_the_collection_report_counts_bills_with_zero_lines_as_paid(water, fixed, house_a,
                                                                    house_a2, resident,
                                                                    finance_a):
    generate(house_a.community, OCTOBER)  # house A: 50.00 and 0.00; house A2: 50.00
    bill = Bill.objects.get(house=house_a)
    order = paying.pay_bills(resident, [bill], idempotency_key="z")
    order.record_offline(method="cash", amount=order.amount, by=finance_a)

    [row] = collection.by_community(Bill.objects.visible_to(finance_a),
                                    collection.ReportPeriod.parse("2026-10"))

    assert (row.bills, row.paid_bills, row.billed, row.collected, row.rate) == (
        2, 1, D("100.00"), D("50.00"), D("50.0"))
