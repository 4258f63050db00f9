"""Money rules: Decimal to the fen, half up; tiers; periods; late fees."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from services.billing import fees

D = Decimal


def test_amounts_round_to_the_fen_half_up():
    assert fees.to_fen(D("1.005")) == D("1.01")
    assert fees.to_fen(D("1.004")) == D("1.00")
    assert fees.to_fen(D("2.675")) == D("2.68")  # a float would give 2.67


def test_floats_are_refused_as_money():
    with pytest.raises(TypeError):
        fees.to_fen(2.675)


def test_tiers_charge_each_band_at_its_price():
    tiers = fees.parse_tiers([{"up_to": "10", "price": "3.00"},
                              {"up_to": "20", "price": "4.00"},
                              {"up_to": None, "price": "5.50"}])
    assert fees.tiered_amount(D("8"), tiers) == D("24.00")
    assert fees.tiered_amount(D("15"), tiers) == D("50.00")
    assert fees.tiered_amount(D("25.5"), tiers) == D("100.25")


def test_tier_bounds_scale_with_the_months_of_the_period():
    tiers = fees.parse_tiers([{"up_to": "10", "price": "3"}, {"up_to": None, "price": "4"}])
    # A quarter: the first 30 units at the first price.
    assert fees.tiered_amount(D("35"), tiers, months=3) == D("110.00")


@pytest.mark.parametrize("raw", [
    [{"up_to": "10", "price": "3"}],  # not open-ended
    [{"up_to": "10", "price": "3"}, {"up_to": "5", "price": "4"},
     {"up_to": None, "price": "5"}],  # falling bounds
    [{"up_to": None, "price": "3"}, {"up_to": None, "price": "4"}],
    [{"up_to": "10", "price": "-1"}, {"up_to": None, "price": "4"}],
    [{"up_to": "abc", "price": "1"}, {"up_to": None, "price": "4"}],
    {"price": "1"},
])
def test_bad_tiers_are_refused(raw):
    with pytest.raises(ValidationError):
        fees.parse_tiers(raw)


def test_periods_parse_months_quarters_and_years():
    month = fees.Period.parse("2026-02")
    assert (month.kind, month.start, month.end, month.months) == (
        "month", date(2026, 2, 1), date(2026, 2, 28), 1)
    quarter = fees.Period.parse("2026-Q4")
    assert (quarter.start, quarter.end, quarter.months) == (date(2026, 10, 1),
                                                            date(2026, 12, 31), 3)
    year = fees.Period.parse("2027")
    assert (year.start, year.end, year.months) == (date(2027, 1, 1), date(2027, 12, 31), 12)
    assert str(quarter) == "2026-Q4"


@pytest.mark.parametrize("text", ["2026-13", "26-01", "2026-Q5", "", "November"])
def test_bad_periods_are_refused(text):
    with pytest.raises(ValidationError):
        fees.Period.parse(text)


def test_late_fee_counts_days_after_the_grace_days_up_to_the_cap():
    due = date(2026, 11, 15)
    kwargs = {"daily_rate": D("0.0005"), "grace_days": 5, "cap": D("10.00")}
    assert fees.late_fee(D("300.00"), due, date(2026, 11, 20), **kwargs) == D("0.00")
    assert fees.late_fee(D("300.00"), due, date(2026, 11, 30), **kwargs) == D("1.50")
    assert fees.late_fee(D("300.00"), due, date(2027, 11, 30), **kwargs) == D("10.00")
    assert fees.late_fee(D("0"), due, date(2027, 11, 30), **kwargs) == D("0.00")


def test_a_fixed_late_fee_applies_once_the_grace_days_are_over():
    due = date(2026, 11, 15)
    assert fees.late_fee(D("80"), due, date(2026, 11, 16), fixed=D("20")) == D("20.00")
    assert fees.late_fee(D("80"), due, date(2026, 11, 15), fixed=D("20")) == D("0.00")
