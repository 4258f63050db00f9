"""Generating a community's bills for a period: every house gets one bill holding one
line per fee item that applies to it; what exists already is left alone.

Idempotent twice over: a run computes only the (house, fee item) pairs that have no line
for the period yet, and the database refuses a second line (or bill) for the same house,
fee item and period. Runs of one community are serialised by locking its row, so two
simultaneous runs cannot both insert: the second waits, then finds everything there.

Written for 100,000 houses: the directory, meters and readings are read once as plain
values, amounts computed in Python with Decimal, and the rows written in bulk (COPY on
PostgreSQL, through portal.notifications.bulk).
"""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Case, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.estates.models import Community, House
from portal.notifications import bulk

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
# Readings older than this before the period are not looked at for a baseline.
BASELINE_MONTHS = 24


def request(community, period, by):
    """A queued run, for the background task ``tasks.run_bill_run``."""
    return BillRun.objects.create(community=community, period_kind=period.kind,
                                  period_start=period.start, period_end=period.end,
                                  requested_by=by)


def generate(community, period, by=None, run=None):
    """Create the community's missing bills and lines for ``period``; returns the
    BillRun with its counts (a new one unless ``run`` is given)."""
    if run is None:
        run = request(community, period, by)
    BillRun.objects.filter(pk=run.pk).update(status=BillRun.Status.RUNNING)
    try:
        with transaction.atomic():
            Community.objects.select_for_update().get(pk=community.pk)
            counts = _generate(community, period, run)
    except Exception as error:
        BillRun.objects.filter(pk=run.pk).update(status=BillRun.Status.FAILED,
                                                 error=repr(error)[:2000],
                                                 finished_at=timezone.now())
        raise
    run.status = BillRun.Status.DONE
    run.finished_at = timezone.now()
    run.houses, run.bills_created, run.lines_created = counts
    run.save(update_fields=["status", "finished_at", "houses", "bills_created",
                            "lines_created"])
    return run


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
    done = set(BillLine.objects.filter(**in_period).values_list("house_id", "fee_item_id"))

    lines = defaultdict(list)  # house id → line rows
    for item in items:
        wanted = [house for house in houses if (house[0], item.pk) not in done]
        if not wanted:
            continue
        due = fees.due_date(period, item.due_days)
        for house_id, line in _lines(item, wanted, period, community):
            line.update(house_id=house_id, community_id=community.pk, fee_item_id=item.pk,
                        period_start=period.start, period_end=period.end, due_date=due,
                        amount_due=line["amount"], amount_paid=fees.ZERO,
                        state=State.DUE)
            lines[house_id].append(line)
    if not lines:
        return len(houses), 0, 0

    now = timezone.now()
    buildings = {house[0]: house[1] for house in houses}
    new_bills = [house_id for house_id in lines if house_id not in bills]
    ids = _insert(Bill, [
        {"house_id": house_id, "building_id": buildings[house_id],
         "community_id": community.pk, "period_kind": period.kind,
         "period_start": period.start, "period_end": period.end, "issued_at": now,
         "due_date": min(line["due_date"] for line in lines[house_id]),
         "state": State.DUE, "amount_due": sum(line["amount"] for line in lines[house_id]),
         "amount_paid": fees.ZERO, "run_id": run.pk}
        for house_id in new_bills
    ])
    touched = [bills[house_id] for house_id in lines if house_id in bills]
    bills.update(zip(new_bills, ids, strict=True))
    rows = []
    for house_id, house_lines in lines.items():
        for line in house_lines:
            line["bill_id"] = bills[house_id]
            rows.append(line)
    _insert(BillLine, rows)
    _recompute(touched)
    return len(houses), len(new_bills), len(rows)


def _insert(model, rows):
    """bulk.insert with Decimals as text: its cache of values' texts takes Decimal("8.00")
    and the id 8 for one value (they are equal), and would write "8.00" as an id."""
    return bulk.insert(model, [
        {name: str(value) if isinstance(value, Decimal) else value
         for name, value in row.items()} for row in rows])


def _recompute(bill_ids):
    """Bills that existed and got new lines: totals from their lines, open again."""
    lines = BillLine.objects.filter(bill_id=OuterRef("pk")).values("bill_id")
    for start in range(0, len(bill_ids), UPDATE_BATCH):
        Bill.objects.filter(pk__in=bill_ids[start:start + UPDATE_BATCH]).update(
            amount_due=Coalesce(Subquery(lines.annotate(total=Sum("amount_due"))
                                         .values("total")), Value(Decimal(0))),
            state=Case(When(amount_paid__gt=0, then=Value(State.PARTLY_PAID)),
                       default=Value(State.DUE)),
        )


def _months(period):
    return ngettext("%(count)d month", "%(count)d months", period.months) % {
        "count": period.months}


def _lines(item, houses, period, community):
    """(house id, line row) of ``item`` for the houses it applies to."""
    kind = FeeItem.Kind
    months = period.months
    if item.kind == kind.AREA:
        prices = item.prices_by_kind()
        for house_id, _building, area, house_kind in houses:
            if not area or area <= 0:
                continue
            price = prices.get(house_kind, item.unit_price)
            yield house_id, {
                "description": _("%(fee)s: %(area)s m² × %(price)s yuan × %(months)s") % {
                    "fee": item.name, "area": area, "price": _price(price),
                    "months": _months(period)},
                "quantity": area, "unit_price": price,
                "amount": fees.to_fen(area * price * months)}
    elif item.kind == kind.FIXED:
        amount = fees.to_fen(item.unit_price * months)
        text = _("%(fee)s: %(price)s yuan × %(months)s") % {
            "fee": item.name, "price": _price(item.unit_price), "months": _months(period)}
        for house in houses:
            yield house[0], {"description": text, "quantity": Decimal(1),
                             "unit_price": item.unit_price, "amount": amount}
    elif item.kind == kind.ONE_OFF:
        for house in houses:
            yield house[0], {"description": item.name, "quantity": Decimal(1),
                             "unit_price": item.unit_price,
                             "amount": fees.to_fen(item.unit_price)}
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
    for house_id, held in spaces.items():
        monthly = sum(fee for _number, fee in held)
        yield house_id, {
            "description": _("%(fee)s: space %(spaces)s, %(price)s yuan a month × %(months)s")
            % {"fee": item.name, "spaces": ", ".join(number for number, _fee in held),
               "price": _price(monthly), "months": _months(period)},
            "quantity": Decimal(len(held)),
            "unit_price": (monthly / len(held)).quantize(Decimal("0.0001")),
            "amount": fees.to_fen(monthly * period.months)}


def _metered_lines(item, houses, period, community):
    wanted = {house[0] for house in houses}
    meters = {meter_id: house_id for meter_id, house_id in
              Meter.objects.filter(community=community, utility=item.utility)
              .values_list("id", "house_id") if house_id in wanted}
    earliest = period.start.replace(year=period.start.year - BASELINE_MONTHS // 12)
    readings = defaultdict(list)
    for reading in (MeterReading.objects
                    .filter(community=community, meter__utility=item.utility,
                            period__gte=earliest, period__lte=period.end)
                    .order_by("meter_id", "period")
                    .only("meter_id", "period", "reading", "meter_change", "start_reading")):
        if reading.meter_id in meters:
            readings[reading.meter_id].append(reading)
    for meter_id, meter_readings in readings.items():
        used = consumption(meter_readings, period)
        if used is None:
            continue
        amount = item.metered_amount(used, period.months)
        yield meters[meter_id], {
            "description": _("%(fee)s: %(used)s used") % {"fee": item.name, "used": used},
            "quantity": used,
            "unit_price": (amount / used).quantize(Decimal("0.0001")) if used else
            item.unit_price,
            "amount": amount}
