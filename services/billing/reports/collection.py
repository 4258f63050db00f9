"""Collection rate (收缴率): of what the bills of a period asked for, how much is paid.

A bill belongs to the period its own period starts in; waived lines count for nothing
(their amount due is zero). Rows are per community, or per building of one community.
"""

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from ..models import State

ZERO = Decimal("0.00")


def money(value):
    """A sum as yuan with fen (SQLite's sums of decimals lose the trailing zeros)."""
    return (value or ZERO).quantize(ZERO)


@dataclass(frozen=True)
class ReportPeriod:
    """A report's span: a month (2026-11), a quarter (2026-Q4) or a year (2026)."""

    kind: str
    first: date
    last: date
    label: str

    @classmethod
    def parse(cls, text):
        from ..fees import Period

        period = Period.parse(text)
        return cls(period.kind, period.start, period.end, str(period))

    @classmethod
    def month_of(cls, day):
        last = date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
        return cls("month", day.replace(day=1), last, f"{day:%Y-%m}")


@dataclass
class CollectionRow:
    key: int
    label: str
    bills: int
    billed: Decimal
    collected: Decimal
    paid_bills: int

    @property
    def owed(self):
        return self.billed - self.collected

    @property
    def rate(self):
        """Percent collected, one decimal; None when nothing was billed."""
        if not self.billed:
            return None
        return (self.collected * 100 / self.billed).quantize(Decimal("0.1"))

    @property
    def bar(self):
        return float(min(self.rate or 0, 100))


def _rows(bills, period, group, label):
    figures = (bills.filter(period_start__gte=period.first, period_start__lte=period.last)
               .order_by().values(group, label)
               .annotate(bills=Count("pk"), billed=Sum("amount_due"),
                         collected=Sum("amount_paid"),
                         paid_bills=Count("pk", filter=Q(state__in=[State.PAID, State.WAIVED])))
               .order_by(label))
    return [CollectionRow(key=row[group], label=row[label], bills=row["bills"],
                          billed=money(row["billed"]), collected=money(row["collected"]),
                          paid_bills=row["paid_bills"]) for row in figures]


def by_community(bills, period):
    return _rows(bills, period, "community_id", "community__name")


def by_building(bills, period, community):
    return _rows(bills.filter(community=community), period, "building_id", "building__name")


def total(rows, label=None):
    return CollectionRow(key=0, label=str(label or _("Total")),
                         bills=sum(r.bills for r in rows),
                         billed=sum((r.billed for r in rows), ZERO),
                         collected=sum((r.collected for r in rows), ZERO),
                         paid_bills=sum(r.paid_bills for r in rows))
