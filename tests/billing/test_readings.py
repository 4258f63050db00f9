"""Meter readings: one per meter and month, never lower than the last one unless the
meter was changed."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from services.billing.models import MeterReading

from .factories import MeterFactory, reading


@pytest.fixture
def meter(house_a):
    return MeterFactory(house=house_a)


def test_a_reading_lower_than_the_last_is_refused(meter, finance_a):
    reading(meter, "2026-10", "120.5")

    with pytest.raises(ValidationError) as refused:
        reading(meter, "2026-11", "119", by=finance_a)

    assert refused.value.code == "lower"
    lower = gettext("The reading %(reading)s is lower than the last one (%(last)s in "
                    "%(month)s). If the meter was changed, mark the reading as a meter "
                    "change.")
    assert refused.value.messages[0] == lower % {
        "reading": "119", "last": "120.50", "month": "2026-10"}
    assert MeterReading.objects.count() == 1


def test_a_lower_reading_marked_as_a_meter_change_is_taken(meter, finance_a):
    reading(meter, "2026-10", "120.5")

    taken = reading(meter, "2026-11", "3", by=finance_a, meter_change=True)

    assert (taken.reading, taken.meter_change, taken.entered_by) == (Decimal("3"), True,
                                                                    finance_a)
    assert (taken.house, taken.community) == (meter.house, meter.house.community)


def test_a_second_reading_for_the_same_month_is_refused(meter):
    reading(meter, "2026-11", "10")

    with pytest.raises(ValidationError) as refused:
        reading(meter, "2026-11", "12")

    assert refused.value.code == "duplicate"


def test_a_late_reading_higher_than_the_next_month_is_refused(meter):
    reading(meter, "2026-11", "50")

    with pytest.raises(ValidationError) as refused:
        reading(meter, "2026-10", "60")

    assert refused.value.code == "higher_than_next"


def test_the_admin_form_checks_the_same_rules(meter):
    reading(meter, "2026-10", "50")
    edited = MeterReading(meter=meter, period=date(2026, 11, 9), reading=Decimal("40"))

    with pytest.raises(ValidationError):
        edited.full_clean()
    edited.meter_change = True
    edited.full_clean()
    assert edited.period == date(2026, 11, 1)


def test_a_use_no_home_has_is_refused_until_someone_checks_it(meter, finance_a):
    """A digit too many (1,234 → 12,345 m³ of water in a month) would bill thousands of
    yuan: refused, nothing saved, until the reading is marked as checked on site."""
    reading(meter, "2026-10", "1234")

    with pytest.raises(ValidationError) as refused:
        reading(meter, "2026-11", "12345", by=finance_a)

    assert refused.value.code == "implausible"
    assert refused.value.messages[0] == gettext(
        "The use since the last reading, %(used)s, is more than a home uses in %(months)s "
        "month(s) (at most %(ceiling)s a month). Check the reading; if it is right (a leak, "
        "a shop), tick \"high use checked\".") % {
        "used": Decimal("11111.00"), "months": 1, "ceiling": Decimal(150)}
    assert MeterReading.objects.count() == 1

    checked = reading(meter, "2026-11", "12345", by=finance_a, high_use_confirmed=True)
    assert (checked.reading, checked.high_use_confirmed) == (Decimal("12345"), True)


def test_the_ceiling_grows_with_the_months_since_the_last_reading(meter):
    reading(meter, "2026-08", "100")

    # Three months at 140 m³ each: high, but a home can use it.
    assert reading(meter, "2026-11", "520").reading == Decimal("520")


def test_a_new_meter_counts_its_use_from_its_start_reading(meter):
    reading(meter, "2026-10", "100")

    with pytest.raises(ValidationError) as refused:
        reading(meter, "2026-11", "900", meter_change=True, start_reading=Decimal("10"))
    assert refused.value.code == "implausible"
    assert reading(meter, "2026-11", "60", meter_change=True,
                   start_reading=Decimal("10")).reading == Decimal("60")


def test_a_correction_that_makes_the_next_use_absurd_is_refused(meter, finance_a):
    october = reading(meter, "2026-10", "1000")
    reading(meter, "2026-11", "1010")

    with pytest.raises(ValidationError) as refused:
        october.correct(by=finance_a, reading=Decimal("100"))

    assert refused.value.code == "implausible_next"
    october.refresh_from_db()
    assert october.reading == Decimal("1000")


def test_each_utility_has_its_ceiling_and_a_deployment_may_set_its_own(house_a, settings):
    electricity = MeterFactory(house=house_a, utility="electricity")
    reading(electricity, "2026-10", "0")
    assert reading(electricity, "2026-11", "4000").reading == Decimal("4000")

    settings.METER_MONTHLY_USE_CEILINGS = {"electricity": 3000}
    with pytest.raises(ValidationError) as refused:
        reading(electricity, "2026-12", "8000")
    assert refused.value.code == "implausible"
