"""The estate directory imported from a company's spreadsheet: read, check, import.

A sheet lists one house per row (building, unit, number, floor, area, kind), with an
optional owner on file; a house with several owners takes several rows. Checking never
writes: it says which buildings, units and houses are new or already on file and lists
every bad cell with its row number. The import is all or nothing, in one transaction.

Re-importing a sheet creates nothing new: buildings and units are matched by name, an
existing house (same unit and number) is left as it is, and an owner is added only if
the house has no owner on file with the same mobile number.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from portal import spreadsheet_import as sheets
from portal.accounts.phone import normalise_mobile
from portal.crypto import blind_index, mask_id_number, mask_phone

# The shared sheet rules are these rules too: the file's limits and the error report.
from portal.spreadsheet_import import (  # noqa: F401
    MAX_BYTES,
    MAX_ROWS,
    PREVIEW_ROWS,
    ZIP_MAGIC,
    CellError,
    SheetRefused,
    cell_text,
    error_report,
    workbook_bytes,
)

from .models import Building, House, OwnerRecord, Unit

# The sheet's own words: data for the company's clerks, in Chinese.
BUILDING, UNIT, NUMBER, FLOOR, AREA, KIND = "楼栋", "单元", "房号", "楼层", "面积(㎡)", "类型"
OWNER_NAME, OWNER_PHONE, OWNER_ID = "业主姓名", "业主手机", "身份证号"
HEADERS = [BUILDING, UNIT, NUMBER, FLOOR, AREA, KIND, OWNER_NAME, OWNER_PHONE, OWNER_ID]
KINDS = {"住宅": House.Kind.RESIDENCE, "商铺": House.Kind.SHOP, "车位": House.Kind.PARKING,
         "储藏室": House.Kind.STORAGE}
EXAMPLE_ROW = ["1栋", "1单元", "101", 1, 89.5, "住宅", "张三", "13800138000",
               "11010519491231002X"]

BATCH_SIZE = 1000
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"
MAX_LENGTHS = {BUILDING: 50, UNIT: 50, NUMBER: 20, OWNER_NAME: 50}


@dataclass
class Row:
    number: int  # the spreadsheet's row number, as the clerk sees it
    building: str
    unit: str
    house: str
    floor: int | None
    area: Decimal | None
    kind: str
    owner_name: str
    phone: str
    id_number: str

    @property
    def house_key(self):
        return (self.building, self.unit, self.house)

    @property
    def kind_label(self):
        return House.Kind(self.kind).label

    @property
    def masked_phone(self):
        return mask_phone(self.phone)

    @property
    def masked_id_number(self):
        return mask_id_number(self.id_number)


@dataclass
class Plan:
    """What an import of the sheet into the community would do."""

    community: object
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    # Row numbers of houses on file whose floor, area or kind the sheet gives otherwise:
    # the import leaves such houses as they are, and the preview says so.
    differs_from_file: list = field(default_factory=list)

    @property
    def is_valid(self):
        return not self.errors

    @property
    def preview(self):
        return self.rows[:PREVIEW_ROWS]


def template_workbook():
    """The sheet to fill in: the header, an example row and instructions, as bytes."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    # Sheet names and instructions in the clerk's language; the header row is the
    # file format and stays as it is.
    sheet = workbook.create_sheet(str(_("Houses and owners")))
    sheet.append(HEADERS)
    sheet.append(EXAMPLE_ROW)
    notes = workbook.create_sheet(str(_("Instructions")))
    notes.append([str(_("Column")), str(_("How to fill it in"))])
    for column, text in [
        (BUILDING, _("Required, e.g. 1栋. A building already on file is matched by its "
                     "name.")),
        (UNIT, _("Required, e.g. 1单元. A unit already on file is matched by its name.")),
        (NUMBER, _("Required, e.g. 1201. A house already on file in the same unit is left "
                   "as it is.")),
        (FLOOR, _("Optional, a whole number, e.g. 12; negative below ground.")),
        (AREA, _("Optional, a positive number with at most 2 decimals, e.g. 89.50.")),
        (KIND, _("Optional, one of %(kinds)s; residence when empty.")
         % {"kinds": ", ".join(KINDS)}),
        (OWNER_NAME, _("Optional. A house with several owners takes one row per owner, "
                       "with the house repeated.")),
        (OWNER_PHONE, _("Optional, an 11-digit mobile number. An owner whose number is "
                        "already on file for the house is not added again.")),
        (OWNER_ID, _("Optional, an 18-character ID number; the last may be X.")),
        (_("Other"), _("Keep the first row (the header) as it is. At most %(limit)s rows "
                       "and 10 MB. Nothing is imported unless every row passes the checks.")
         % {"limit": MAX_ROWS}),
    ]:
        notes.append([str(column), str(text)])
    return workbook_bytes(workbook)


def read_sheet(path):
    """(row number, values by header) of every non-empty row; SheetRefused for a file
    that is not a sheet of houses."""
    return sheets.read_sheet(path, HEADERS)


def plan_import(path, community):
    """Check every row of the sheet against the rules and the community's directory."""
    plan = Plan(community=community)
    houses = {}  # house key → first Row, to catch conflicting duplicates
    owners = set()
    for number, values in read_sheet(path):
        row, errors = _parse_row(number, values)
        plan.errors.extend(errors)
        if errors:
            continue
        first = houses.setdefault(row.house_key, row)
        if first is not row and (first.floor, first.area, first.kind) != (
                row.floor, row.area, row.kind):
            plan.errors.append(CellError(number, NUMBER, _(
                "House %(house)s is also on row %(row)s with a different floor, area or "
                "kind.") % {"house": "".join(row.house_key), "row": first.number}))
            continue
        owner_key = (row.house_key, row.phone or row.owner_name)
        if row.owner_name and owner_key in owners:
            row.owner_name = ""  # the same owner twice in the sheet: added once
        owners.add(owner_key)
        plan.rows.append(row)
    directory = _Directory(community)
    plan.counts = _counts(plan.rows, directory)
    seen = set()
    for row in plan.rows:
        facts = directory.house_facts.get(row.house_key)
        if facts is not None and row.house_key not in seen \
                and facts != (row.floor, row.area, row.kind):
            plan.differs_from_file.append(row.number)
        seen.add(row.house_key)
    return plan


@transaction.atomic
def import_plan(plan, user):
    """Write a checked plan in one transaction; return the counts of what was created."""
    if not plan.is_valid:
        raise ValueError("a plan with errors cannot be imported")
    community = plan.community
    # Two confirms of one upload run one after the other: the second finds everything
    # on file and creates nothing.
    community.hold_for_run()
    directory = _Directory(community)
    counts = _counts(plan.rows, directory)

    start = (Building.objects.filter(community=community).aggregate(Max("sort_order"))
             ["sort_order__max"] or 0)
    new_buildings = _unique(row.building for row in plan.rows
                            if row.building not in directory.buildings)
    Building.objects.bulk_create(
        [Building(community=community, name=name, sort_order=start + i)
         for i, name in enumerate(new_buildings, start=1)], batch_size=BATCH_SIZE)
    directory.load_buildings()

    new_units = _unique((row.building, row.unit) for row in plan.rows
                        if (row.building, row.unit) not in directory.units)
    Unit.objects.bulk_create(
        [Unit(building_id=directory.buildings[building], community=community, name=unit)
         for building, unit in new_units], batch_size=BATCH_SIZE)
    directory.load_units()

    new_houses = {}
    for row in plan.rows:
        if row.house_key not in directory.houses:
            new_houses.setdefault(row.house_key, row)
    House.objects.bulk_create(
        [House(unit_id=directory.units[(row.building, row.unit)],
               building_id=directory.buildings[row.building], community=community,
               number=row.house, floor=row.floor, area=row.area, kind=row.kind)
         for row in new_houses.values()], batch_size=BATCH_SIZE)
    directory.load_houses()

    records = []
    for row in plan.rows:
        if not row.owner_name:
            continue
        house_id = directory.houses[row.house_key]
        index = blind_index(row.phone) if row.phone else ""
        key = _owner_key(house_id, index, row.owner_name)
        if key in directory.owners:
            continue
        directory.owners.add(key)
        # bulk_create skips save() but not the field's get_prep_value: the values
        # are given clear and stored encrypted.
        records.append(OwnerRecord(house_id=house_id, community=community,
                                   name=row.owner_name, phone=row.phone, phone_index=index,
                                   id_number=row.id_number))
    OwnerRecord.objects.bulk_create(records, batch_size=BATCH_SIZE)

    created = {"rows": len(plan.rows), "buildings": counts["buildings_new"],
               "units": counts["units_new"], "houses": counts["houses_new"],
               "houses_existing": counts["houses_existing"], "owners": len(records)}
    log(community, "estates.directory.import", user=user, data=created)
    return created


class _Directory:
    """The community's buildings, units, houses and owners on file, by natural key."""

    def __init__(self, community):
        self.community = community
        self.load_buildings()
        self.load_units()
        self.load_houses()
        self.owners = {_owner_key(house_id, index, name) for house_id, index, name in
                       OwnerRecord.objects.filter(community=community)
                       .values_list("house_id", "phone_index", "name")}

    def load_buildings(self):
        self.buildings = dict(Building.objects.filter(community=self.community)
                              .values_list("name", "pk"))

    def load_units(self):
        self.units = {(building, name): pk for building, name, pk in
                      Unit.objects.filter(community=self.community)
                      .values_list("building__name", "name", "pk")}

    def load_houses(self):
        self.houses, self.house_facts = {}, {}
        for building, unit, number, pk, *facts in (
                House.objects.filter(community=self.community)
                .values_list("building__name", "unit__name", "number", "pk",
                             "floor", "area", "kind")):
            self.houses[(building, unit, number)] = pk
            self.house_facts[(building, unit, number)] = tuple(facts)


def _counts(rows, directory):
    buildings = {row.building for row in rows}
    units = {(row.building, row.unit) for row in rows}
    houses = {row.house_key for row in rows}
    existing_houses = {key for key in houses if key in directory.houses}
    owners_new = owners_existing = 0
    for row in rows:
        if not row.owner_name:
            continue
        house_id = directory.houses.get(row.house_key)
        index = blind_index(row.phone) if row.phone else ""
        if _owner_key(house_id, index, row.owner_name) in directory.owners:
            owners_existing += 1
        else:
            owners_new += 1
    existing_buildings = len([b for b in buildings if b in directory.buildings])
    existing_units = len([u for u in units if u in directory.units])
    return {
        "rows": len(rows),
        "buildings_new": len(buildings) - existing_buildings,
        "buildings_existing": existing_buildings,
        "units_new": len(units) - existing_units,
        "units_existing": existing_units,
        "houses_new": len(houses) - len(existing_houses),
        "houses_existing": len(existing_houses),
        "owners_new": owners_new,
        "owners_existing": owners_existing,
    }


def _owner_key(house_id, phone_index, name):
    """An owner on file is the same person if the house and mobile number match; an
    owner without a number, if the house and name match."""
    return (house_id, phone_index) if phone_index else (house_id, "", name)


def _parse_row(number, values):
    errors = []

    def error(column, message):
        errors.append(CellError(number, column, message))

    texts = {name: cell_text(values[name]) for name in HEADERS}
    for column, message in [(BUILDING, _("The building is missing.")),
                            (UNIT, _("The unit is missing.")),
                            (NUMBER, _("The house number is missing."))]:
        if not texts[column]:
            error(column, message)
    for column, limit in MAX_LENGTHS.items():
        if len(texts[column]) > limit:
            error(column, _("Longer than %(limit)s characters.") % {"limit": limit})

    floor = None
    if texts[FLOOR]:
        try:
            floor = _integer(values[FLOOR])
        except ValueError:
            error(FLOOR, _("The floor must be a whole number, such as 12 or -1."))
        else:
            if not -32768 <= floor <= 32767:
                error(FLOOR, _("The floor is out of range."))

    area = None
    if texts[AREA]:
        area = _area(values[AREA])
        if area is None:
            error(AREA, _("The area must be a positive number with at most 2 decimals, "
                          "such as 89.50."))

    kind = House.Kind.RESIDENCE
    if texts[KIND]:
        kind = KINDS.get(texts[KIND])
        if kind is None:
            error(KIND, _("Unknown kind “%(kind)s”: use one of %(kinds)s.")
                  % {"kind": texts[KIND], "kinds": ", ".join(KINDS)})

    phone = ""
    if texts[OWNER_PHONE]:
        try:
            phone = normalise_mobile(texts[OWNER_PHONE])
        except ValidationError:
            error(OWNER_PHONE, _("Invalid mobile number: 11 digits expected, such as "
                                 "13800138000."))
    id_number = texts[OWNER_ID].upper()
    if id_number and not is_valid_id_number(id_number):
        error(OWNER_ID, _("Invalid ID number: 18 characters whose last one (a digit or X) "
                          "matches the check digit."))
    if (phone or id_number) and not texts[OWNER_NAME]:
        error(OWNER_NAME, _("The owner's name is missing."))

    if errors:
        return None, errors
    return Row(number=number, building=texts[BUILDING], unit=texts[UNIT],
               house=texts[NUMBER], floor=floor, area=area, kind=kind,
               owner_name=texts[OWNER_NAME], phone=phone, id_number=id_number), []


def is_valid_id_number(value):
    """A mainland resident ID number (GB 11643): 17 digits and an ISO 7064 check
    character."""
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(value[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11] == value[-1]


def _integer(value):
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(value)
        return int(value)
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not re.fullmatch(r"[+-]?\d+", text):
        raise ValueError(value)
    return int(text)


def _area(value):
    if isinstance(value, bool):
        return None
    try:
        # str() of a float is its shortest form: 89.55, not 89.5499999...
        area = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if not area.is_finite() or area <= 0 or area.as_tuple().exponent < -2 \
            or area >= Decimal("10000000"):
        return None
    return area.quantize(Decimal("0.01"))


def _unique(items):
    return list(dict.fromkeys(items))
