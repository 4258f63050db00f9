"""Generating a community's bills for a period: every house gets one bill holding one
line per fee item that applies to it; what exists already is left alone.

Idempotent twice over: a run computes only the (house, fee item) pairs that have no line
for the period yet, and the database refuses a second line (or bill) for the same house,
fee item and period. Runs of one community are serialised by locking its row, so two
simultaneous runs cannot both insert: the second waits, then finds everything there.

Written for 100,000 houses: the directory, meters and readings are read once as plain
values, amounts computed in Python with Decimal, and the rows written in bulk (COPY on
PostgreSQL).
"""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Case, Exists, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal import page_cache
from portal.estates.models import House

from . import fees
from .models import (
    Bill,
    BillLine,
    BillRun,
    FeeItem,
    Meter,
    MeterReading,
    ParkingSpace,
    State,
    consumption,
)

UPDATE_BATCH = 5000
BATCH_SIZE = 1000
# Readings older than this before the period are not looked at for a baseline.
BASELINE_MONTHS = 24


def request(community, period, by):
    """A queued run, for the background task ``tasks.run_bill_run``."""
    return BillRun.objects.create(community=community, period_kind=period.kind,
                                  period_start=period.start, period_end=period.end,
                                  requested_by=by)


def check_no_overlap(community, period):
    """Refuse a period that overlaps bills of another period (a quarter after its months
    were billed): the houses would pay the same months twice."""
    # No period is longer than a year: the index on (community, period_start) is read
    # for the year before the period only.
    other = (Bill.objects.filter(community=community, period_start__lte=period.end,
                                 period_start__gt=period.start - timedelta(days=366),
                                 period_end__gte=period.start)
             .exclude(period_start=period.start, period_end=period.end).first())
    if other is not None:
        raise ValidationError(
            _("%(community)s already has bills for %(other)s, which overlaps %(period)s.")
            % {"community": community, "other": other.period, "period": period},
            code="overlap")


def generate(community, period, by=None, run=None):
    """Create the community's missing bills and lines for ``period``; returns the
    BillRun with its counts (a new one unless ``run`` is given)."""
    if run is None:
        run = request(community, period, by)
    BillRun.objects.filter(pk=run.pk).update(status=BillRun.Status.RUNNING)
    try:
        with transaction.atomic():
            community.hold_for_run()
            check_no_overlap(community, period)
            counts = _generate(community, period, run)
    except Exception as error:
        text = " ".join(error.messages) if isinstance(error, ValidationError) else repr(error)
        BillRun.objects.filter(pk=run.pk).update(status=BillRun.Status.FAILED,
                                                 error=text[:2000],
                                                 finished_at=timezone.now())
        raise
    run.status = BillRun.Status.DONE
    run.finished_at = timezone.now()
    run.houses, run.bills_created, run.lines_created = counts
    run.save(update_fields=["status", "finished_at", "houses", "bills_created",
                            "lines_created"])
    if run.bills_created or run.lines_created:
        _after_new_bills(community)
    return run


def _after_new_bills(community):
    """New bills: owners see them at once (COPY sends no save signals to clear the page
    cache), and houses with an advance balance pay them from it, in the background."""
    from .advance import draw_advance

    page_cache.bump_generation()
    transaction.on_commit(lambda: draw_advance.enqueue(community.pk), robust=True)


BILL_COLUMNS = ["house_id", "building_id", "community_id", "period_kind", "period_start",
                "period_end", "issued_at", "due_date", "state", "amount_due", "amount_paid",
                "run_id"]
LINE_COLUMNS = ["bill_id", "house_id", "community_id", "fee_item_id", "period_start",
                "period_end", "due_date", "state", "amount_paid", "description", "quantity",
                "unit_price", "amount", "amount_due"]


def _generate(community, period, run):
    items = [item for item in FeeItem.objects.filter(community=community, active=True)
             if item.kind != FeeItem.Kind.ONE_OFF
             or (item.charge_on and period.start <= item.charge_on <= period.end)]
    houses = list(House.objects.filter(community=community)
                  .values_list("id", "building_id", "area", "kind"))
    if not items or not houses:
        return len(houses), 0, 0
    in_period = {"community": community, "period_start": period.start,
                 "period_end": period.end}
    bills = dict(Bill.objects.filter(**in_period).values_list("house_id", "id"))
    done = set(BillLine.objects.filter(bill__community=community,
                                       bill__period_start=period.start,
                                       bill__period_end=period.end)
               .values_list("house_id", "fee_item_id")) if bills else set()

    lines = defaultdict(list)  # house id → [(line columns after house_id...)]
    for item in items:
        wanted = [house for house in houses if (house[0], item.pk) not in done]
        if not wanted:
            continue
        fixed = (community.pk, item.pk, period.start, period.end,
                 fees.due_date(period, item.due_days), State.DUE, fees.ZERO)
        for house_id, description, quantity, unit_price, amount in _lines(
                item, wanted, period, community):
            lines[house_id].append((*fixed, description, quantity, unit_price, amount,
                                    amount))
    if not lines:
        return len(houses), 0, 0

    now = timezone.now()
    buildings = {house[0]: house[1] for house in houses}
    due, amount = LINE_COLUMNS.index("due_date") - 2, LINE_COLUMNS.index("amount") - 2
    new_bills = [house_id for house_id in lines if house_id not in bills]
    touched = [bills[house_id] for house_id in lines if house_id in bills]
    totals = {house_id: sum(line[amount] for line in lines[house_id])
              for house_id in new_bills}
    # A bill of 0.00 lines only (a vacant house's water) has nothing to pay: paid.
    _write(Bill, BILL_COLUMNS, [
        (house_id, buildings[house_id], community.pk, period.kind, period.start, period.end,
         now, min(line[due] for line in lines[house_id]),
         State.DUE if totals[house_id] else State.PAID, totals[house_id], fees.ZERO, run.pk)
        for house_id in new_bills
    ])
    if new_bills:
        bills = dict(Bill.objects.filter(**in_period).values_list("house_id", "id"))
    rows = [(bills[house_id], house_id, *line)
            for house_id, house_lines in lines.items() for line in house_lines]
    _write(BillLine, LINE_COLUMNS, rows)
    _recompute(touched)
    return len(houses), len(new_bills), len(rows)


def _write(model, columns, rows):
    """Insert rows (tuples of the ``columns``' values). On PostgreSQL with COPY, each
    value adapted by psycopg: for 400,000 rows a model instance each would cost more than
    the rest of the run."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**dict(zip(columns, row, strict=True)))
                                   for row in rows], batch_size=BATCH_SIZE)
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(model._meta.get_field(name.removesuffix("_id")).column)
                      for name in columns)
    with connection.cursor() as cursor, cursor.copy(
            f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _recompute(bill_ids):
    """Bills that existed and got new lines: totals and state from their lines, by the
    rule of Bill.recompute (a line of 0.00 still due counts as settled)."""
    lines = BillLine.objects.filter(bill_id=OuterRef("pk"))
    counted = lines.exclude(state=State.DUE, amount_due=0)
    unsettled = Exists(counted.filter(state__in=[State.DUE, State.PARTLY_PAID]))
    not_waived = Exists(counted.exclude(state=State.WAIVED))
    for start in range(0, len(bill_ids), UPDATE_BATCH):
        Bill.objects.filter(pk__in=bill_ids[start:start + UPDATE_BATCH]).update(
            amount_due=Coalesce(Subquery(lines.values("bill_id").annotate(
                total=Sum("amount_due")).values("total")), Value(Decimal(0))),
            state=Case(When(~unsettled & ~not_waived & Exists(counted),
                            then=Value(State.WAIVED)),
                       When(~unsettled, then=Value(State.PAID)),
                       When(amount_paid__gt=0, then=Value(State.PARTLY_PAID)),
                       default=Value(State.DUE)),
        )


def _months(period):
    return ngettext("%(count)d month", "%(count)d months", period.months) % {
        "count": period.months}


def _lines(item, houses, period, community):
    """(house id, description, quantity, unit price, amount) of ``item`` for the houses
    it applies to. Texts are translated once per fee, not once per house."""
    kind = FeeItem.Kind
    months = period.months
    if item.kind == kind.AREA:
        prices = item.prices_by_kind()
        text = _("%(fee)s: %(area)s m² × %(price)s yuan × %(months)s")
        words = {"fee": item.name, "months": _months(period)}
        for house_id, _building, area, house_kind in houses:
            if not area or area <= 0:
                continue
            price = prices.get(house_kind, item.unit_price)
            yield (house_id, text % {**words, "area": area, "price": _price(price)}, area,
                   price, fees.to_fen(area * price * months))
    elif item.kind == kind.FIXED:
        amount = fees.to_fen(item.unit_price * months)
        text = _("%(fee)s: %(price)s yuan × %(months)s") % {
            "fee": item.name, "price": _price(item.unit_price), "months": _months(period)}
        for house in houses:
            yield house[0], text, Decimal(1), item.unit_price, amount
    elif item.kind == kind.ONE_OFF:
        amount = fees.to_fen(item.unit_price)
        for house in houses:
            yield house[0], item.name, Decimal(1), item.unit_price, amount
    elif item.kind == kind.PARKING:
        yield from _parking_lines(item, houses, period, community)
    elif item.kind == kind.METERED:
        yield from _metered_lines(item, houses, period, community)


def _price(price):
    return f"{price.normalize():f}"


def _parking_lines(item, houses, period, community):
    wanted = {house[0] for house in houses}
    spaces = defaultdict(list)
    for house_id, number, monthly_fee in (
            ParkingSpace.objects.filter(community=community, house__isnull=False)
            .order_by("number").values_list("house_id", "number", "monthly_fee")):
        if house_id in wanted:
            spaces[house_id].append((number, item.unit_price if monthly_fee is None
                                     else monthly_fee))
    text = _("%(fee)s: space %(spaces)s, %(price)s yuan a month × %(months)s")
    words = {"fee": item.name, "months": _months(period)}
    for house_id, held in spaces.items():
        monthly = sum(fee for _number, fee in held)
        yield (house_id,
               text % {**words, "spaces": ", ".join(number for number, _fee in held),
                       "price": _price(monthly)},
               Decimal(len(held)), (monthly / len(held)).quantize(Decimal("0.0001")),
               fees.to_fen(monthly * period.months))


class _Reading(NamedTuple):
    meter_id: int
    period: date
    reading: Decimal
    meter_change: bool
    start_reading: Decimal


def _metered_lines(item, houses, period, community):
    wanted = {house[0] for house in houses}
    meters = {meter_id: house_id for meter_id, house_id in
              Meter.objects.filter(community=community, utility=item.utility)
              .values_list("id", "house_id") if house_id in wanted}
    earliest = period.start.replace(year=period.start.year - BASELINE_MONTHS // 12)
    readings = defaultdict(list)
    for row in (MeterReading.objects
                .filter(community=community, meter__utility=item.utility,
                        period__gte=earliest, period__lte=period.end)
                .order_by("meter_id", "period")
                .values_list("meter_id", "period", "reading", "meter_change",
                             "start_reading")):
        if row[0] in meters:
            readings[row[0]].append(_Reading(*row))
    text = _("%(fee)s: %(used)s used")
    tiers = item.parsed_tiers()
    for meter_id, meter_readings in readings.items():
        used = consumption(meter_readings, period)
        if used is None:
            continue
        amount = (fees.tiered_amount(used, tiers, period.months) if tiers
                  else fees.to_fen(used * item.unit_price))
        yield (meters[meter_id], text % {"fee": item.name, "used": used}, used,
               (amount / used).quantize(Decimal("0.0001")) if used else item.unit_price,
               amount)
