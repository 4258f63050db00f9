"""Generating a period's bills: one bill per house, one line per fee item, computed in
Decimal; running it again creates nothing; a new house or fee item later gets only
what is missing."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from services.billing.fees import Period
from services.billing.generation import generate
from services.billing.models import Bill, BillLine, BillRun, FeeItem
from tests import factories as f

from .factories import FeeItemFactory, MeterFactory, ParkingSpaceFactory, reading

D = Decimal
NOVEMBER = Period.parse("2026-11")


@pytest.fixture
def fee_items(community_a):
    return [
        FeeItemFactory(community=community_a, name="物业管理费", kind=FeeItem.Kind.AREA,
                       unit_price=D("2.35"), kind_prices={"shop": "4.10"}, due_days=20),
        FeeItemFactory(community=community_a, name="垃圾清运费", kind=FeeItem.Kind.FIXED,
                       unit_price=D("12.00"), due_days=10),
        FeeItemFactory(community=community_a, name="停车费", kind=FeeItem.Kind.PARKING,
                       unit_price=D("150.00")),
    ]


def test_every_house_gets_a_bill_with_a_line_per_fee(house_a, house_a2, fee_items,
                                                      finance_a):
    shop = f.HouseFactory(unit=house_a.unit, number="S1", area="40.25", kind="shop")
    ParkingSpaceFactory(community=house_a.community, house=house_a)
    ParkingSpaceFactory(community=house_a.community, house=house_a, monthly_fee=D("80"))

    run = generate(house_a.community, NOVEMBER, by=finance_a)

    assert (run.status, run.houses, run.bills_created, run.lines_created) == (
        BillRun.Status.DONE, 3, 3, 7)
    bill = Bill.objects.get(house=house_a)
    amounts = {line.fee_item.name: line.amount for line in bill.lines.all()}
    assert amounts == {"物业管理费": D("210.33"),  # 89.50 × 2.35 = 210.325 → half up
                       "垃圾清运费": D("12.00"), "停车费": D("230.00")}
    assert bill.amount_due == D("452.33")
    assert (bill.state, bill.due_date, bill.period_kind) == ("due", date(2026, 11, 11),
                                                             "month")
    assert Bill.objects.get(house=shop).lines.get(fee_item__name="物业管理费").amount == D(
        "165.03")  # 40.25 × 4.10 = 165.025


def test_running_again_creates_nothing(house_a, house_a2, fee_items, finance_a):
    generate(house_a.community, NOVEMBER, by=finance_a)
    before = list(BillLine.objects.values_list("pk", "amount_due"))

    run = generate(house_a.community, NOVEMBER, by=finance_a)

    assert (run.bills_created, run.lines_created) == (0, 0)
    assert list(BillLine.objects.values_list("pk", "amount_due")) == before
    assert BillRun.objects.count() == 2


def test_a_new_house_later_gets_only_its_own_bill(house_a, fee_items, finance_a):
    generate(house_a.community, NOVEMBER, by=finance_a)
    newcomer = f.HouseFactory(unit=house_a.unit, number="999")

    run = generate(house_a.community, NOVEMBER, by=finance_a)

    assert (run.bills_created, run.lines_created) == (1, 2)
    assert Bill.objects.filter(house=newcomer).count() == 1
    assert Bill.objects.count() == 2


def test_a_fee_item_added_later_is_added_to_the_existing_bill(house_a, fee_items,
                                                              finance_a):
    generate(house_a.community, NOVEMBER, by=finance_a)
    FeeItemFactory(community=house_a.community, name="电梯费", kind=FeeItem.Kind.FIXED,
                   unit_price=D("30"))

    run = generate(house_a.community, NOVEMBER, by=finance_a)

    assert (run.bills_created, run.lines_created) == (0, 1)
    bill = Bill.objects.get(house=house_a)
    assert bill.amount_due == D("252.33")
    assert bill.lines.count() == 3


def test_a_quarter_charges_three_months(house_a, fee_items, finance_a):
    generate(house_a.community, Period.parse("2026-Q4"), by=finance_a)

    line = BillLine.objects.get(fee_item__name="物业管理费")
    assert line.amount == D("630.98")  # 89.50 × 2.35 × 3 = 630.975
    assert (line.period_start, line.period_end) == (date(2026, 10, 1), date(2026, 12, 31))


def test_a_year_charges_twelve_months_and_is_billed_once(house_a, fee_items, finance_a):
    generate(house_a.community, Period.parse("2027"), by=finance_a)
    generate(house_a.community, Period.parse("2027"), by=finance_a)

    line = BillLine.objects.get(fee_item__name="物业管理费")
    assert line.amount == D("2523.90")  # 89.50 × 2.35 × 12
    assert (line.period_start, line.period_end) == (date(2027, 1, 1), date(2027, 12, 31))
    assert BillLine.objects.get(fee_item__name="垃圾清运费").amount == D("144.00")
    assert Bill.objects.count() == 1


def test_inactive_fees_houses_without_area_and_other_periods_one_offs_are_skipped(
        house_a, community_a, finance_a):
    FeeItemFactory(community=community_a, kind=FeeItem.Kind.FIXED, active=False)
    FeeItemFactory(community=community_a, name="门禁卡", kind=FeeItem.Kind.ONE_OFF,
                   unit_price=D("20"), charge_on=date(2026, 12, 5))
    FeeItemFactory(community=community_a, name="物业费", kind=FeeItem.Kind.AREA)
    f.HouseFactory(unit=house_a.unit, number="X", area=None)

    run = generate(community_a, NOVEMBER, by=finance_a)

    assert (run.bills_created, run.lines_created) == (1, 1)
    december = generate(community_a, Period.parse("2026-12"), by=finance_a)
    assert december.lines_created == 3  # the one-off goes to the house without area too
    assert {line.amount for line in BillLine.objects.filter(fee_item__name="门禁卡")} == {
        D("20.00")}


def test_metered_fees_charge_the_month_s_consumption_over_tiers(house_a, house_a2,
                                                                community_a, finance_a):
    FeeItemFactory(community=community_a, name="水费", kind=FeeItem.Kind.METERED,
                   utility="water", unit_price=D("0"),
                   tiers=[{"up_to": "10", "price": "3.00"}, {"up_to": None, "price": "4.50"}])
    meter = MeterFactory(house=house_a)
    reading(meter, "2026-10", "100.00")
    reading(meter, "2026-11", "115.30")
    changed = MeterFactory(house=house_a2)
    reading(changed, "2026-10", "900.00")
    reading(changed, "2026-11", "6.00", meter_change=True, start_reading=D("1.00"))
    first = MeterFactory(house=f.HouseFactory(unit=house_a.unit, number="777"))
    reading(first, "2026-11", "50.00")  # no baseline yet: nothing to charge

    run = generate(community_a, NOVEMBER, by=finance_a)

    assert run.lines_created == 2
    line = BillLine.objects.get(house=house_a)
    assert (line.quantity, line.amount) == (D("15.30"), D("53.85"))  # 30 + 5.3 × 4.5
    assert BillLine.objects.get(house=house_a2).amount == D("15.00")


def test_other_communities_are_not_billed(house_a, house_b, fee_items, finance_a):
    generate(house_a.community, NOVEMBER, by=finance_a)

    assert not Bill.objects.filter(house=house_b).exists()


def test_a_quarter_overlapping_billed_months_is_refused(house_a, fee_items, finance_a):
    generate(house_a.community, NOVEMBER, by=finance_a)

    with pytest.raises(ValidationError) as refused:
        generate(house_a.community, Period.parse("2026-Q4"), by=finance_a)

    assert refused.value.code == "overlap"
    assert Bill.objects.count() == 1
    assert BillRun.objects.order_by("pk").last().status == BillRun.Status.FAILED


def test_the_command_bills_every_community_once(house_a, house_b, fee_items, finance_a):
    from io import StringIO

    from django.core.management import CommandError, call_command

    FeeItemFactory(community=house_b.community, kind=FeeItem.Kind.FIXED)
    out = StringIO()
    call_command("generate_bills", "--period", "2026-11", stdout=out)
    call_command("generate_bills", "--period", "2026-11", stdout=out)

    assert Bill.objects.count() == 2
    assert BillRun.objects.filter(status=BillRun.Status.DONE).count() == 4
    with pytest.raises(CommandError):
        call_command("generate_bills", "--period", "2026-Q4", stdout=out)
    with pytest.raises(CommandError):
        call_command("generate_bills", "--period", "2026-11", "--community", "nowhere",
                     stdout=out)
