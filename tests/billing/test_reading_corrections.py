"""A meter reading corrected after its usage was billed: the unpaid lines charged from it
(its month's and the next month's) are re-priced at the same tiers with an event naming
the change; a paid or partly paid bill refuses the change and nothing moves."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext

from portal.estates.errors import TransitionNotAllowed
from services.billing.fees import Period
from services.billing.generation import generate
from services.billing.models import Bill, BillEvent, BillLine, FeeItem, MeterReading
from services.billing.paying import apply_to_bill, pay_bills

from .factories import FeeItemFactory, MeterFactory, reading

D = Decimal
PAID_MESSAGE = ("The bill %(bill)s is paid, partly paid or being paid, so the usage it charged "
                "cannot change. Leave the reading as it is and record an adjustment or a "
                "charge on a bill instead.")


@pytest.fixture
def meter(house_a, finance_a):
    community = house_a.community
    FeeItemFactory(community=community, name="水费", kind=FeeItem.Kind.METERED,
                   utility="water", unit_price=D("0"),
                   tiers=[{"up_to": "10", "price": "3.00"}, {"up_to": None, "price": "4.50"}])
    FeeItemFactory(community=community, name="垃圾清运费", kind=FeeItem.Kind.FIXED,
                   unit_price=D("12.00"))
    meter = MeterFactory(house=house_a)
    reading(meter, "2026-10", "100.00")
    reading(meter, "2026-11", "115.30")  # November: 15.30 → 30 + 5.30 × 4.50 = 53.85
    reading(meter, "2026-12", "130.00")  # December: 14.70 → 30 + 4.70 × 4.50 = 51.15
    for month in ("2026-11", "2026-12"):
        generate(community, Period.parse(month), by=finance_a)
    return meter


def november(meter):
    return MeterReading.objects.get(meter=meter, period__month=11)


def water(month):
    return BillLine.objects.get(fee_item__name="水费", period_start__month=month)


def bill_of(month):
    return Bill.objects.get(period_start__month=month)


def snapshot():
    return (list(MeterReading.objects.values_list("pk", "reading", "meter_change")),
            list(BillLine.objects.values_list("pk", "quantity", "amount", "amount_due")),
            list(Bill.objects.values_list("pk", "amount_due", "state")),
            BillEvent.objects.count())


def test_correcting_a_billed_reading_reprices_its_month_and_the_next(meter, finance_a):
    november(meter).correct(by=finance_a, reading=D("120.00"))

    # November: 20 → 30 + 10 × 4.50; December: 10 → 30, both at the generation's tiers.
    assert (water(11).quantity, water(11).amount, water(11).amount_due) == (
        D("20.00"), D("75.00"), D("75.00"))
    assert (water(12).quantity, water(12).amount_due) == (D("10.00"), D("30.00"))
    assert (bill_of(11).amount_due, bill_of(12).amount_due) == (D("87.00"), D("42.00"))
    assert BillLine.objects.get(fee_item__name="垃圾清运费", period_start__month=11) \
        .amount_due == D("12.00")
    events = list(BillEvent.objects.order_by("bill__period_start"))
    assert [(e.action, e.actor, e.line, e.amount_before, e.amount_after) for e in events] == [
        ("adjust", finance_a, water(11), D("53.85"), D("75.00")),
        ("adjust", finance_a, water(12), D("51.15"), D("30.00"))]
    assert events[0].reason == gettext(
        "The %(meter)s reading of %(month)s was corrected from %(before)s to %(after)s.") % {
        "meter": meter.get_utility_display(), "month": "2026-11", "before": "115.30",
        "after": "120.00"}


def test_a_meter_change_flag_set_afterwards_counts_from_the_new_meter(meter, finance_a):
    november(meter).correct(by=finance_a, reading=D("5.00"), meter_change=True,
                            start_reading=D("0"))

    assert (water(11).quantity, water(11).amount_due) == (D("5.00"), D("15.00"))
    assert (water(12).quantity, water(12).amount_due) == (D("125.00"), D("547.50"))


def refused_correction(meter, by, value="120.00", error=TransitionNotAllowed):
    """Correct November's reading expecting a refusal that leaves everything as it was;
    returns the refusal."""
    before = snapshot()
    with pytest.raises(error) as refused:
        november(meter).correct(by=by, reading=D(value))
    assert snapshot() == before
    return refused.value


def test_a_partly_paid_bill_refuses_the_correction_and_nothing_changes(meter, finance_a):
    apply_to_bill(bill_of(11), D("10.00"), action="pay")

    refused = refused_correction(meter, finance_a)

    assert str(refused) == gettext(PAID_MESSAGE) % {"bill": bill_of(11)}


def test_a_paid_next_bill_refuses_the_whole_correction(meter, finance_a):
    apply_to_bill(bill_of(12), bill_of(12).amount_due, action="pay")

    # November's unpaid line is not re-priced either.
    assert str(refused_correction(meter, finance_a)) == gettext(PAID_MESSAGE) % {
        "bill": bill_of(12)}


def test_a_bill_the_owner_is_paying_now_refuses_the_correction(meter, finance_a, resident):
    pay_bills(resident, [bill_of(11)], idempotency_key="k1")

    assert str(refused_correction(meter, finance_a)) == gettext(PAID_MESSAGE) % {
        "bill": bill_of(11)}


def test_a_line_adjusted_by_hand_refuses_the_correction(meter, finance_a):
    water(11).adjust("40.00", by=finance_a, reason="漏水减免")

    assert str(refused_correction(meter, finance_a)) == gettext(
        "The line “%(line)s” of the bill %(bill)s was adjusted or waived by hand, so the "
        "usage it charged cannot change. Leave the reading as it is and adjust the line "
        "instead.") % {"line": water(11), "bill": bill_of(11)}


def test_prices_changed_since_the_bill_refuse_the_correction(meter, finance_a):
    FeeItem.objects.filter(name="水费").update(tiers=[])

    assert str(refused_correction(meter, finance_a)) == gettext(
        "The prices of %(fee)s changed after the bill %(bill)s was made, so it cannot be "
        "re-priced. Leave the reading as it is and adjust the line instead.") % {
        "fee": "水费", "bill": bill_of(11)}


@pytest.mark.parametrize("value, code", [("90.00", "lower"), ("140.00", "higher_than_next")])
def test_the_corrected_value_is_checked_against_both_neighbours(meter, finance_a, value,
                                                                code):
    assert refused_correction(meter, finance_a, value, ValidationError).code == code


def test_an_unbilled_reading_is_corrected_without_events(meter, finance_a):
    january = reading(meter, "2027-01", "140.00")

    january.correct(by=finance_a, reading=D("141.00"))

    assert MeterReading.objects.get(pk=january.pk).reading == D("141.00")
    assert not BillEvent.objects.exists()


DELETE_MESSAGE = ("The %(month)s reading is charged on a bill, so it cannot be deleted. "
                  "Correct the figure instead: the unpaid bill lines are re-priced.")


@pytest.mark.parametrize("month", ["2026-10", "2026-11", "2026-12"])
def test_a_reading_a_bill_counts_from_cannot_be_deleted(meter, month):
    # October's reading is where November's usage starts counting.
    row = MeterReading.objects.get(meter=meter, period=Period.parse(month).start)
    before = snapshot()

    with pytest.raises(TransitionNotAllowed) as refused:
        row.delete()

    assert str(refused.value) == gettext(DELETE_MESSAGE) % {"month": month}
    assert snapshot() == before


def test_a_reading_no_bill_counts_from_is_deleted(meter):
    january = reading(meter, "2027-01", "140.00")

    january.delete()

    assert not MeterReading.objects.filter(pk=january.pk).exists()


# --- Through the admin ------------------------------------------------------------------

def edit(client, row, value):
    return client.post(reverse("meter_readings:edit", args=[row.pk]), {
        "reading": value, "start_reading": "0", "read_at": "2026-11-30"})


def test_finance_corrects_a_reading_in_the_admin_and_the_bill_follows(client, finance_a,
                                                                      meter):
    client.force_login(finance_a)

    assert edit(client, november(meter), "120").status_code == 302

    assert november(meter).reading == D("120.00")
    assert bill_of(11).amount_due == D("87.00")


def test_a_refused_correction_keeps_the_input_and_says_why(client, finance_a, meter):
    apply_to_bill(bill_of(11), D("10.00"), action="pay")
    before = snapshot()
    client.force_login(finance_a)

    response = edit(client, november(meter), "121.5")

    assert response.status_code == 200
    content = response.content.decode()
    assert escape(gettext(PAID_MESSAGE) % {"bill": bill_of(11)}) in content
    assert 'value="121.5"' in content
    assert snapshot() == before


def test_deleting_a_billed_reading_in_the_admin_says_why_and_keeps_it(client, finance_a,
                                                                     meter):
    before = snapshot()
    client.force_login(finance_a)
    row = november(meter)

    response = client.post(reverse("meter_readings:delete", args=[row.pk]), follow=True)

    assert escape(gettext(DELETE_MESSAGE) % {"month": "2026-11"}) in (
        response.content.decode())
    assert snapshot() == before


def test_finance_of_another_community_cannot_correct_the_reading(client, finance_b, meter):
    before = snapshot()
    client.force_login(finance_b)

    assert client.get(reverse("meter_readings:edit", args=[november(meter).pk])) \
        .status_code == 404
    assert edit(client, november(meter), "120").status_code == 404
    assert snapshot() == before
