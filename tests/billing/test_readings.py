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
