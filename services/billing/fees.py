"""Money rules of fee items, free of the database: rounding to the fen, tiered prices,
billing periods and late fees.

Amounts are Decimal yuan. A line's amount is rounded once, to the fen, half up
(四舍五入), after multiplying; unit prices may carry more places (0.0125 yuan/kWh)."""

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


def to_fen(amount):
    """Round a Decimal amount to the fen, half up."""
    if isinstance(amount, float):
        raise TypeError("money is never a float")
    return Decimal(amount).quantize(FEN, rounding=ROUND_HALF_UP)


def decimal_or_none(value):
    if value is None or value == "":
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


@dataclass(frozen=True)
class Tier:
    """Consumption up to ``up_to`` (per month; None: no upper bound) at ``price``."""

    up_to: Decimal | None
    price: Decimal


def parse_tiers(raw):
    """Tiers from their JSON form ([{"up_to": "10", "price": "3.50"}, {"up_to": null,
    "price": "4.20"}]); raises ValidationError with a message for the fee item form."""
    if raw in (None, "", []):
        return []
    if not isinstance(raw, list):
        raise ValidationError(_("Tiers must be a list of bounds and prices."))
    tiers = []
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or "price" not in item:
            raise ValidationError(_("Tier %(number)d needs a price.") % {"number": number})
        price = decimal_or_none(item.get("price"))
        if price is None or price < 0:
            raise ValidationError(
                _("Tier %(number)d: the price must be a number not below zero.")
                % {"number": number})
        up_to = item.get("up_to")
        if up_to in (None, ""):
            up_to = None
        else:
            up_to = decimal_or_none(up_to)
            if up_to is None or up_to <= 0:
                raise ValidationError(
                    _("Tier %(number)d: the upper bound must be a number above zero.")
                    % {"number": number})
        if tiers and (tiers[-1].up_to is None or (up_to is not None
                                                   and up_to <= tiers[-1].up_to)):
            raise ValidationError(_("Tier bounds must rise, and only the last tier may be "
                                    "open-ended."))
        tiers.append(Tier(up_to, price))
    if tiers[-1].up_to is not None:
        raise ValidationError(_("The last tier must be open-ended (no upper bound)."))
    return tiers


def tiered_amount(quantity, tiers, months=1):
    """The price of ``quantity`` units over tiers whose bounds are per month (a quarter's
    bill has three months' worth of each tier), rounded to the fen."""
    total = Decimal(0)
    lower = Decimal(0)
    for tier in tiers:
        upper = None if tier.up_to is None else tier.up_to * months
        in_tier = quantity - lower if upper is None else min(quantity, upper) - lower
        if in_tier <= 0:
            break
        total += in_tier * tier.price
        if upper is None:
            break
        lower = upper
    return to_fen(total)


class Period:
    """A billing period: a calendar month, quarter or year."""

    MONTH, QUARTER, YEAR = "month", "quarter", "year"
    PATTERNS = [
        (re.compile(r"^(\d{4})-(\d{1,2})$"), MONTH),
        (re.compile(r"^(\d{4})-[Qq]([1-4])$"), QUARTER),
        (re.compile(r"^(\d{4})$"), YEAR),
    ]

    def __init__(self, kind, start):
        self.kind = kind
        self.start = start
        months = {self.MONTH: 1, self.QUARTER: 3, self.YEAR: 12}[kind]
        last_month = start.month + months - 1
        self.end = date(start.year, last_month, calendar.monthrange(start.year,
                                                                     last_month)[1])
        self.months = months

    @classmethod
    def parse(cls, text):
        """'2026-11' (a month), '2026-Q4' (a quarter) or '2026' (a year)."""
        text = (text or "").strip()
        for pattern, kind in cls.PATTERNS:
            match = pattern.match(text)
            if not match:
                continue
            year = int(match.group(1))
            if kind == cls.MONTH:
                month = int(match.group(2))
                if not 1 <= month <= 12:
                    break
            elif kind == cls.QUARTER:
                month = 3 * int(match.group(2)) - 2
            else:
                month = 1
            if not 2000 <= year <= 2100:
                break
            return cls(kind, date(year, month, 1))
        raise ValidationError(_("Give the period as 2026-11 (a month), 2026-Q4 (a quarter) "
                                "or 2026 (a year)."), code="period")

    @classmethod
    def of(cls, kind, start):
        return cls(kind, start)

    def __eq__(self, other):
        return isinstance(other, Period) and (self.kind, self.start) == (other.kind,
                                                                         other.start)

    def __hash__(self):
        return hash((self.kind, self.start))

    def __str__(self):
        if self.kind == self.MONTH:
            return f"{self.start:%Y-%m}"
        if self.kind == self.QUARTER:
            return f"{self.start.year}-Q{(self.start.month + 2) // 3}"
        return str(self.start.year)

    def __repr__(self):
        return f"Period({self})"

    def month_starts(self):
        return [date(self.start.year, self.start.month + n, 1) for n in range(self.months)]


def late_fee(amount_owed, due_date, on, *, daily_rate=None, fixed=None, grace_days=0,
             cap=None):
    """The late fee (滞纳金) on ``amount_owed`` unpaid since ``due_date``, as of ``on``:
    a daily rate on the amount for every day past the grace days, or a fixed sum once
    the grace days are over; never above ``cap`` (when given), rounded to the fen."""
    if amount_owed <= 0:
        return ZERO
    days_late = (on - due_date).days - grace_days
    if days_late <= 0:
        return ZERO
    fee = Decimal(0)
    if daily_rate:
        fee += amount_owed * daily_rate * days_late
    if fixed:
        fee += fixed
    fee = to_fen(fee)
    if cap is not None and fee > cap:
        fee = to_fen(cap)
    return fee


def due_date(period, due_days):
    """Due ``due_days`` days after the period starts (0: on its first day)."""
    return period.start + timedelta(days=due_days)
