"""A reading entered late (for a month before readings already on file): the next month's
use now counts from it, so the line already billed from the next reading is re-priced,
or the entry is refused when that bill is paid or being paid or the line was changed by
hand. The same for a month's spreadsheet imported late, all or nothing. Water is never
charged twice."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from portal.estates.errors import TransitionNotAllowed
from services.billing import reading_import as rules
from services.billing.fees import Period
from services.billing.generation import generate
from services.billing.models import Bill, BillEvent, BillLine, FeeItem, Meter, MeterReading
from services.billing.paying import pay_bills

from .factories import FeeItemFactory, MeterFactory, reading
from .test_reading_import import sheet

pytestmark = pytest.mark.django_db
D = Decimal
OCTOBER = date(2026, 10, 1)


@pytest.fixture
def meter(house_a, finance_a):
    """September read (100), October billed without a water line (not read yet),
    November read (300) and billed: 200 units."""
    community = house_a.community
    FeeItemFactory(community=community, name="物业费", kind=FeeItem.Kind.FIXED,
                   unit_price=D("50.00"), sort_order=1)
    FeeItemFactory(community=community, name="水费", kind=FeeItem.Kind.METERED,
                   utility="water", unit_price=D("3.00"), sort_order=2)
    meter = MeterFactory(house=house_a)
    reading(meter, "2026-09", "100")
    generate(community, Period.parse("2026-10"), by=finance_a)
    reading(meter, "2026-11", "300")
    generate(community, Period.parse("2026-11"), by=finance_a)
    assert water(11).quantity == D("200.00")
    return meter


def water(month):
    return BillLine.objects.get(fee_item__name="水费", period_start__month=month)


def november_bill():
    return Bill.objects.get(period_start__month=11)


def snapshot():
    return (list(MeterReading.objects.order_by("pk").values_list("pk", "period", "reading")),
            list(BillLine.objects.order_by("pk").values_list("pk", "quantity", "amount_due")),
            list(Bill.objects.order_by("pk").values_list("pk", "amount_due", "state")),
            BillEvent.objects.count())


def test_a_late_reading_reprices_the_next_months_line_and_nothing_is_charged_twice(
        meter, house_a, finance_a):
    reading(meter, "2026-10", "250", by=finance_a)

    # November now counts from October's 250: 50 units.
    line = water(11)
    assert (line.quantity, line.amount, line.amount_due) == (D("50.00"), D("150.00"),
                                                            D("150.00"))
    assert november_bill().amount_due == D("200.00")
    event = BillEvent.objects.get(line=line)
    assert (event.action, event.actor, event.amount_before, event.amount_after) == (
        "adjust", finance_a, D("600.00"), D("150.00"))
    assert event.reason == gettext(
        "The %(meter)s reading of %(month)s, %(reading)s, was entered after %(next)s was "
        "billed.") % {"meter": meter.get_utility_display(), "month": "2026-10",
                      "reading": "250.00", "next": "2026-11"}

    generate(house_a.community, Period.parse("2026-10"), by=finance_a)
    assert water(10).quantity == D("150.00")
    assert sum(line.quantity for line in BillLine.objects.filter(fee_item__name="水费")) \
        == D("200.00")


def test_a_late_reading_is_refused_when_the_next_bill_is_being_paid(meter, house_a,
                                                                    resident, finance_a):
    pay_bills(resident, [november_bill()], idempotency_key="k")
    before = snapshot()

    with pytest.raises(TransitionNotAllowed) as refused:
        reading(meter, "2026-10", "250", by=finance_a)

    assert str(refused.value) == gettext(
        "The bill %(bill)s is paid, partly paid or being paid, so the usage it charged "
        "cannot change. Leave the reading as it is and record an adjustment or a charge on "
        "a bill instead.") % {"bill": november_bill()}
    assert snapshot() == before


def test_a_late_reading_is_refused_when_the_next_bill_is_paid(meter, resident, finance_a):
    order = pay_bills(resident, [november_bill()], idempotency_key="k")
    order.record_offline(method="cash", amount=order.amount, by=finance_a)
    before = snapshot()

    with pytest.raises(TransitionNotAllowed):
        reading(meter, "2026-10", "250", by=finance_a)

    assert snapshot() == before


def test_a_late_reading_is_refused_when_the_line_was_adjusted_by_hand(meter, finance_a):
    water(11).adjust("500.00", by=finance_a, reason="核实后减免")
    before = snapshot()

    with pytest.raises(TransitionNotAllowed):
        reading(meter, "2026-10", "250", by=finance_a)

    assert snapshot() == before


def test_a_late_import_reprices_the_next_months_line(tmp_path, meter, house_a, finance_a):
    path = sheet(tmp_path, [["1栋", "1单元", "101", "水", 250, "否", None]])
    plan = rules.plan_import(path, house_a.community, OCTOBER)
    assert plan.is_valid, plan.errors

    assert rules.import_plan(plan, finance_a) == 1

    assert (water(11).quantity, water(11).amount_due) == (D("50.00"), D("150.00"))
    assert BillEvent.objects.get(line=water(11)).actor == finance_a


def test_a_late_import_is_refused_whole_when_a_next_bill_is_paid(
        tmp_path, meter, house_a, house_a2, resident, finance_a):
    order = pay_bills(resident, [november_bill()], idempotency_key="k")
    order.record_offline(method="cash", amount=order.amount, by=finance_a)
    path = sheet(tmp_path, [["2栋", "1单元", "201", "电", 10, "否", None],
                            ["1栋", "1单元", "101", "水", 250, "否", None]])
    plan = rules.plan_import(path, house_a.community, OCTOBER)
    assert plan.is_valid, plan.errors
    before = snapshot(), Meter.objects.count()

    with pytest.raises(ValidationError) as refused:
        rules.import_plan(plan, finance_a)

    message = refused.value.messages[0]
    assert message.startswith(gettext("Row %(row)s (%(house)s, %(utility)s): %(reason)s "
                                      "Nothing was imported.").split("%(reason)s")[0] % {
        "row": 3, "house": "1栋1单元101", "utility": gettext("Water")})
    assert str(november_bill()) in message
    assert (snapshot(), Meter.objects.count()) == before
