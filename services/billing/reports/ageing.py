"""Arrears ageing: what is overdue, by how long past its due date (0–30, 31–90, 91–180,
181–365 and over 365 days), per community."""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db.models import F, Q, Sum
from django.utils.translation import gettext_lazy as _

from .collection import money

ZERO = Decimal("0.00")
# (label, fewest days overdue, most days overdue or None)
BUCKETS = [
    (_("0–30 days"), 1, 30),
    (_("31–90 days"), 31, 90),
    (_("91–180 days"), 91, 180),
    (_("181–365 days"), 181, 365),
    (_("Over 365 days"), 366, None),
]


@dataclass
class AgeingRow:
    key: int
    label: str
    amounts: list = field(default_factory=list)

    @property
    def total(self):
        return sum(self.amounts, ZERO)

    @property
    def shares(self):
        """Each bucket's percent of the row's total (for the stacked bar)."""
        total = self.total
        return [float(amount * 100 / total) if total else 0.0 for amount in self.amounts]


def bucket_filter(on, fewest, most):
    condition = Q(due_date__lte=on - timedelta(days=fewest))
    if most is not None:
        condition &= Q(due_date__gte=on - timedelta(days=most))
    return condition


def by_community(bills, on, *, group="community_id", label="community__name"):
    """Overdue amounts per community (or per ``group``) and bucket, on day ``on``."""
    owed = F("amount_due") - F("amount_paid")
    sums = {f"b{index}": Sum(owed, filter=bucket_filter(on, fewest, most))
            for index, (_label, fewest, most) in enumerate(BUCKETS)}
    rows = (bills.overdue(on).order_by().values(group, label).annotate(**sums)
            .order_by(label))
    return [AgeingRow(key=row[group], label=row[label],
                      amounts=[money(row[f"b{index}"]) for index in range(len(BUCKETS))])
            for row in rows]


def by_building(bills, on, community):
    return by_community(bills.filter(community=community), on, group="building_id",
                        label="building__name")


def total(rows):
    return AgeingRow(key=0, label=str(_("Total")),
                     amounts=[sum((row.amounts[index] for row in rows), ZERO)
                              for index in range(len(BUCKETS))])


def labels():
    return [label for label, _fewest, _most in BUCKETS]
