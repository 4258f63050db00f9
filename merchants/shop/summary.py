"""The merchant's daily summary: per day, the orders placed (not cancelled or closed
unpaid), the items in them and the takings by payment mode, online takings net of the
after-sale refunds given back (counted on the day of the order). Given orders already
scoped by ``visible_to(user)``."""

import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext

from .aftersale import AfterSale
from .models import OrderLine, PaymentMode, State

ZERO = Decimal("0.00")


@dataclass
class Day:
    day: object
    orders: int = 0
    items: int = 0
    takings: dict = field(default_factory=dict)  # payment mode → yuan
    refunded: Decimal = ZERO  # after-sale refunds of online payments

    @property
    def cod(self):
        return self.takings.get(PaymentMode.COD, ZERO)

    @property
    def online(self):
        return self.takings.get(PaymentMode.ONLINE, ZERO) - self.refunded

    @property
    def total(self):
        return self.cod + self.online


def daily(orders, start, end):
    """[Day], newest first, for start ≤ day ≤ end."""
    tz = timezone.get_current_timezone()
    kept = (orders.exclude(state__in=[State.CANCELLED, State.CLOSED, State.AWAITING_PAYMENT])
            .filter(created_at__date__gte=start, created_at__date__lte=end))
    days = {}
    for row in (kept.annotate(day=TruncDate("created_at", tzinfo=tz))
                .values("day", "payment_mode").annotate(n=Count("pk"), yuan=Sum("total"))):
        day = days.setdefault(row["day"], Day(row["day"]))
        day.orders += row["n"]
        day.takings[row["payment_mode"]] = row["yuan"] or ZERO
    for row in (OrderLine.objects.filter(order__in=kept.values("pk"))
                .annotate(day=TruncDate("order__created_at", tzinfo=tz))
                .values("day").annotate(items=Sum("quantity"))):
        days.setdefault(row["day"], Day(row["day"])).items = row["items"] or 0
    for row in (AfterSale.objects.filter(order__in=kept.values("pk"),
                                         state=AfterSale.State.REFUNDED)
                .annotate(day=TruncDate("order__created_at", tzinfo=tz))
                .values("day").annotate(yuan=Sum("amount"))):
        days.setdefault(row["day"], Day(row["day"])).refunded = row["yuan"] or ZERO
    return sorted(days.values(), key=lambda d: d.day, reverse=True)


def totals(days):
    total = Day(None)
    for day in days:
        total.orders += day.orders
        total.items += day.items
        total.refunded += day.refunded
        for mode, yuan in day.takings.items():
            total.takings[mode] = total.takings.get(mode, ZERO) + yuan
    return total


def workbook(days):
    """The days as an .xlsx workbook (amounts as numbers)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(gettext("Daily order summary"))
    sheet.append([gettext("Day"), gettext("Orders"), gettext("Items"),
                  gettext("Cash on delivery (yuan)"), gettext("Online payment (yuan)"),
                  gettext("Total (yuan)"), gettext("Refunded (yuan)")])
    for day in days:
        sheet.append([day.day.isoformat(), day.orders, day.items, day.cod, day.online,
                      day.total, day.refunded])
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()
