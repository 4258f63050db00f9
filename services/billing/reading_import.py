"""Meter readings of a month imported from a spreadsheet: read, check, import.

One row per house and utility: building, unit, house number, utility, reading, and
whether the meter was changed (with the new meter's start reading). Checking never
writes and lists every bad cell with its row number; the import is all or nothing.

Importing the same file again for the same month creates nothing: a row whose meter
already has that very reading for the month is counted as "already on file"; a row with
another reading for a month already read is an error (correct it in the admin instead).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.estates.errors import TransitionNotAllowed
from portal.estates.models import House
from portal.spreadsheet_import import PREVIEW_ROWS, CellError, cell_text, read_sheet, workbook_bytes

from .fees import decimal_or_none
from .models import Meter, MeterReading, Utility, check_reading

# The sheet's own words: data for the company's clerks, in Chinese.
BUILDING, UNIT, NUMBER, UTILITY, READING = "楼栋", "单元", "房号", "表类", "读数"
METER_CHANGE, START_READING = "换表", "新表起始读数"
HIGH_USE_CHECKED = "高用量已核实"
HEADERS = [BUILDING, UNIT, NUMBER, UTILITY, READING, METER_CHANGE, START_READING,
           HIGH_USE_CHECKED]
REQUIRED = [BUILDING, UNIT, NUMBER, UTILITY, READING]
UTILITIES = {"水": Utility.WATER, "水表": Utility.WATER, "water": Utility.WATER,
             "电": Utility.ELECTRICITY, "电表": Utility.ELECTRICITY,
             "electricity": Utility.ELECTRICITY,
             "燃气": Utility.GAS, "气": Utility.GAS, "燃气表": Utility.GAS, "gas": Utility.GAS}
YES = {"是", "y", "yes", "1", "true", "换表", "已核实"}
NO = {"", "否", "n", "no", "0", "false"}
READING_LIMIT = Decimal("10000000000")


@dataclass
class Row:
    number: int
    house_id: int
    house_label: str
    utility: str
    reading: Decimal
    meter_change: bool
    start_reading: Decimal
    high_use_confirmed: bool = False
    on_file: bool = False

    @property
    def utility_label(self):
        return Utility(self.utility).label


@dataclass
class Plan:
    community: object
    period: object  # the month's first day
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    @property
    def is_valid(self):
        return not self.errors and bool(self.rows)

    @property
    def new_rows(self):
        return [row for row in self.rows if not row.on_file]

    @property
    def on_file(self):
        return sum(row.on_file for row in self.rows)

    @property
    def preview(self):
        return self.rows[:PREVIEW_ROWS]


def template_workbook():
    """The sheet to fill in, as bytes."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "抄表"
    sheet.append(HEADERS)
    sheet.append(["1栋", "1单元", "101", "水", 123.4, "否", None, "否"])
    sheet.append(["1栋", "1单元", "101", "电", 5.2, "是", 0, "否"])
    return workbook_bytes(workbook)


def plan_import(path, community, period):
    """Check every row against the rules, the directory and the readings on file."""
    period = period.replace(day=1)
    plan = Plan(community=community, period=period)
    houses = {(building, unit, number): (pk, f"{building}{unit}{number}")
              for pk, building, unit, number in House.objects.filter(community=community)
              .values_list("pk", "building__name", "unit__name", "number")}
    seen = {}
    for number, values in read_sheet(path, HEADERS, REQUIRED):
        row = _parse_row(number, values, houses, plan.errors)
        if row is None:
            continue
        key = (row.house_id, row.utility)
        if key in seen:
            plan.errors.append(CellError(number, UTILITY, str(
                _("The same house and meter are also in row %(row)s.") % {"row": seen[key]})))
            continue
        seen[key] = number
        plan.rows.append(row)
    _check_against_file(plan)
    return plan


def _parse_row(number, values, houses, errors):
    def error(column, message):
        errors.append(CellError(number, column, str(message)))

    before = len(errors)
    key = tuple(cell_text(values.get(name)) for name in (BUILDING, UNIT, NUMBER))
    house = houses.get(key)
    if not all(key):
        error(NUMBER, _("Give the building, unit and house number."))
    elif house is None:
        error(NUMBER, _("No house %(house)s in this community.") % {"house": "".join(key)})
    utility = UTILITIES.get(cell_text(values.get(UTILITY)).lower())
    if utility is None:
        error(UTILITY, _("Give the meter as 水, 电 or 燃气."))
    reading = _reading(values.get(READING))
    if reading is None:
        error(READING, _("The reading must be a number not below zero, with at most two "
                         "decimals."))
    change = cell_text(values.get(METER_CHANGE)).lower()
    if change not in YES | NO:
        error(METER_CHANGE, _("Write 是 or 否 (or leave it empty)."))
    checked = cell_text(values.get(HIGH_USE_CHECKED)).lower()
    if checked not in YES | NO:
        error(HIGH_USE_CHECKED, _("Write 是 or 否 (or leave it empty)."))
    start = Decimal(0)
    if cell_text(values.get(START_READING)):
        start = _reading(values.get(START_READING))
        if start is None:
            error(START_READING, _("The start reading must be a number not below zero."))
    if len(errors) > before:
        return None
    return Row(number=number, house_id=house[0], house_label=house[1], utility=utility,
               reading=reading, meter_change=change in YES, start_reading=start,
               high_use_confirmed=checked in YES)


def _reading(value):
    if isinstance(value, bool):
        return None
    number = decimal_or_none(value)
    if number is None or number < 0 or number >= READING_LIMIT \
            or number.as_tuple().exponent < -2:
        return None
    return number.quantize(Decimal("0.01"))


def _check_against_file(plan):
    """Each row against the meter's readings on file: the month's own (the same value is
    "on file", another is an error), the last one before and the first one after."""
    meters = {(house_id, utility): pk for pk, house_id, utility in
              Meter.objects.filter(community=plan.community).values_list("pk", "house_id",
                                                                         "utility")}
    wanted = {meters[key] for row in plan.rows
              if (key := (row.house_id, row.utility)) in meters}
    by_meter = {}
    for reading in (MeterReading.objects.filter(meter_id__in=wanted).order_by("period")
                    .only("meter_id", "period", "reading", "meter_change",
                          "high_use_confirmed")):
        by_meter.setdefault(reading.meter_id, []).append(reading)
    for row in plan.rows:
        readings = by_meter.get(meters.get((row.house_id, row.utility)), [])
        same = next((r for r in readings if r.period == plan.period), None)
        if same is not None:
            if same.reading == row.reading and same.meter_change == row.meter_change:
                row.on_file = True
            else:
                plan.errors.append(CellError(row.number, READING, str(
                    _("This meter already has the reading %(reading)s for this month; change "
                      "it in the admin if it is wrong.") % {"reading": same.reading})))
            continue
        previous = [r for r in readings if r.period < plan.period]
        following = [r for r in readings if r.period > plan.period]
        try:
            check_reading(None, plan.period, row.reading, row.meter_change,
                          row.start_reading, previous=previous[-1] if previous else None,
                          following=following[0] if following else None,
                          high_use_confirmed=row.high_use_confirmed, utility=row.utility)
        except ValidationError as error:
            plan.errors.append(CellError(row.number, READING, error.messages[0]))
    plan.errors.sort(key=lambda error: error.row)


def import_plan(plan, user):
    """Create the meters and readings of a valid plan, all or nothing; returns the
    number of readings created. A reading of a month before readings on file re-prices
    the bill lines already charged from the next one (as an entry in the admin does).
    Raises ValidationError when someone else entered a reading of the month meanwhile,
    or when such a line cannot be re-priced (its bill paid or being paid, the line
    changed by hand)."""
    rows = plan.new_rows
    now = timezone.now()
    try:
        with transaction.atomic():
            Meter.objects.bulk_create(
                [Meter(house_id=row.house_id, community=plan.community, utility=row.utility)
                 for row in rows], ignore_conflicts=True)
            meters = {(house_id, utility): (pk, house_id) for pk, house_id, utility in
                      Meter.objects.filter(community=plan.community,
                                           house_id__in={row.house_id for row in rows})
                      .values_list("pk", "house_id", "utility")}
            MeterReading.objects.bulk_create([
                MeterReading(meter_id=meters[(row.house_id, row.utility)][0],
                             house_id=row.house_id, community=plan.community,
                             period=plan.period, reading=row.reading,
                             meter_change=row.meter_change, start_reading=row.start_reading,
                             high_use_confirmed=row.high_use_confirmed,
                             read_at=timezone.localdate(), entered_by=user, entered_at=now)
                for row in rows
            ], batch_size=1000)
            _reprice_after_late_entries(plan, rows, {key: pk for key, (pk, _house)
                                                     in meters.items()}, user)
    except IntegrityError as error:
        raise ValidationError(_("Someone entered readings of this month meanwhile; upload "
                                "the file again to see them.")) from error
    return len(rows)


def _reprice_after_late_entries(plan, rows, meters, user):
    """The imported readings with a later reading on file re-price the lines billed from
    it, under their meters' locks; the first line that cannot be re-priced refuses the
    whole import, naming its row."""
    row_of = {meters[(row.house_id, row.utility)]: row for row in rows}
    later = set(MeterReading.objects.filter(meter_id__in=row_of, period__gt=plan.period)
                .values_list("meter_id", flat=True))
    if not later:
        return
    locked = Meter.objects.select_for_update().filter(pk__in=later).order_by("pk")
    readings = {reading.meter_id: reading for reading in MeterReading.objects.filter(
        meter_id__in=later, period=plan.period)}
    for meter in locked:
        row = row_of[meter.pk]
        try:
            readings[meter.pk].reprice_after_late_entry(meter, by=user)
        except TransitionNotAllowed as error:
            raise ValidationError(
                _("Row %(row)s (%(house)s, %(utility)s): %(reason)s Nothing was imported.")
                % {"row": row.number, "house": row.house_label,
                   "utility": row.utility_label, "reason": error}) from None
