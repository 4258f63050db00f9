"""Importing a month's meter readings from a spreadsheet: all or nothing, row errors
with their row numbers, the file judged by its content, importing again creates
nothing."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.utils.translation import gettext

from portal.estates.directory_import import SheetRefused
from services.billing import reading_import as rules
from services.billing.models import Meter, MeterReading
from tests import factories as f

from .factories import MeterFactory, reading

NOVEMBER = date(2026, 11, 1)


def sheet(tmp_path, rows, headers=rules.HEADERS, name="readings.xlsx"):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(headers)
    for row in rows:
        workbook.active.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


@pytest.fixture
def houses(house_a):
    """1栋1单元101 and 1栋1单元102."""
    return house_a, f.HouseFactory(unit=house_a.unit, number="102")


def test_a_good_file_creates_meters_and_readings(tmp_path, houses, finance_a):
    MeterFactory(house=houses[0], utility="water")
    reading(Meter.objects.get(), "2026-10", "100")
    path = sheet(tmp_path, [["1栋", "1单元", "101", "水", 112.5, "否", None],
                            ["1栋", "1单元", 102, "电", "33.30", None, None],
                            ["1栋", "1单元", "102", "水表", 2, "是", 0]])

    plan = rules.plan_import(path, houses[0].community, NOVEMBER)
    assert plan.is_valid, plan.errors
    created = rules.import_plan(plan, finance_a)

    assert created == 3
    assert Meter.objects.count() == 3
    readings = {(r.house.number, r.meter.utility): (r.reading, r.meter_change, r.entered_by)
                for r in MeterReading.objects.filter(period=NOVEMBER)}
    assert readings == {("101", "water"): (Decimal("112.50"), False, finance_a),
                        ("102", "electricity"): (Decimal("33.30"), False, finance_a),
                        ("102", "water"): (Decimal("2.00"), True, finance_a)}


def test_importing_the_same_file_again_creates_nothing(tmp_path, houses, finance_a):
    path = sheet(tmp_path, [["1栋", "1单元", "101", "水", 10, "", None]])
    rules.import_plan(rules.plan_import(path, houses[0].community, NOVEMBER), finance_a)

    again = rules.plan_import(path, houses[0].community, NOVEMBER)

    assert again.is_valid and again.on_file == 1
    assert rules.import_plan(again, finance_a) == 0
    assert MeterReading.objects.count() == 1


def test_another_reading_for_a_month_already_read_is_refused(tmp_path, houses, finance_a):
    path = sheet(tmp_path, [["1栋", "1单元", "101", "水", 10, "", None]])
    rules.import_plan(rules.plan_import(path, houses[0].community, NOVEMBER), finance_a)

    changed = sheet(tmp_path, [["1栋", "1单元", "101", "水", 11, "", None]], name="b.xlsx")
    plan = rules.plan_import(changed, houses[0].community, NOVEMBER)

    assert not plan.is_valid
    assert [(e.row, e.column) for e in plan.errors] == [(2, rules.READING)]


def test_bad_rows_are_listed_and_nothing_is_imported(tmp_path, houses, finance_a):
    meter = MeterFactory(house=houses[0], utility="water")
    reading(meter, "2026-10", "100")
    path = sheet(tmp_path, [
        ["1栋", "1单元", "101", "水", 99, "否", None],  # lower than October's 100
        ["1栋", "1单元", "909", "水", 1, "", None],  # no such house
        ["1栋", "1单元", "102", "暖气", 1, "", None],  # no such meter kind
        ["1栋", "1单元", "102", "电", -3, "", None],
        ["1栋", "1单元", "102", "电", "abc", "也许", None],
        ["1栋", "1单元", "102", "燃气", 5, "", None],  # good, but the file has errors
        ["1栋", "1单元", "102", "燃气", 6, "", None],  # the same meter twice
    ])

    plan = rules.plan_import(path, houses[0].community, NOVEMBER)

    assert not plan.is_valid
    assert [(e.row, e.column) for e in plan.errors] == [
        (2, rules.READING), (3, rules.NUMBER), (4, rules.UTILITY), (5, rules.READING),
        (6, rules.READING), (6, rules.METER_CHANGE), (8, rules.UTILITY)]
    lower = gettext("The reading %(reading)s is lower than the last one (%(last)s in "
                    "%(month)s). If the meter was changed, mark the reading as a meter "
                    "change.")
    assert plan.errors[0].message == lower % {
        "reading": "99.00", "last": "100.00", "month": "2026-10"}
    assert MeterReading.objects.count() == 1


def test_an_absurd_use_is_a_row_error_unless_the_sheet_says_it_was_checked(
        tmp_path, houses, finance_a):
    water = MeterFactory(house=houses[0], utility="water")
    reading(water, "2026-10", "100")
    gas = MeterFactory(house=houses[1], utility="gas")
    reading(gas, "2026-10", "10")
    path = sheet(tmp_path, [["1栋", "1单元", "101", "水", 10100, "否", None, ""],
                            ["1栋", "1单元", "102", "燃气", 9000, "否", None, "是"]])

    plan = rules.plan_import(path, houses[0].community, NOVEMBER)

    assert [(e.row, e.column) for e in plan.errors] == [(2, rules.READING)]
    assert "10000.00" in plan.errors[0].message

    path = sheet(tmp_path, [["1栋", "1单元", "101", "水", 10100, "否", None, "是"],
                            ["1栋", "1单元", "102", "燃气", 9000, "否", None, "是"]])
    plan = rules.plan_import(path, houses[0].community, NOVEMBER)
    assert plan.is_valid, plan.errors
    assert rules.import_plan(plan, finance_a) == 2
    assert set(MeterReading.objects.filter(period=NOVEMBER).values_list(
        "high_use_confirmed", flat=True)) == {True}


def test_a_file_that_is_not_xlsx_is_refused_whatever_its_name(tmp_path, house_a):
    text = tmp_path / "readings.xlsx"
    text.write_text("楼栋,单元,房号\n1栋,1单元,101\n")
    with pytest.raises(SheetRefused) as refused:
        rules.plan_import(text, house_a.community, NOVEMBER)
    assert refused.value.message == gettext("This is not an Excel .xlsx file.")

    import zipfile

    other_zip = tmp_path / "other.xlsx"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(SheetRefused) as refused:
        rules.plan_import(other_zip, house_a.community, NOVEMBER)
    assert refused.value.message == gettext(
        "This file cannot be opened as an Excel .xlsx file.")


def test_a_sheet_without_the_needed_columns_is_refused(tmp_path, house_a):
    path = sheet(tmp_path, [["1栋", "1单元", "101"]], headers=["楼栋", "单元", "房号"])

    with pytest.raises(SheetRefused):
        rules.plan_import(path, house_a.community, NOVEMBER)


def test_houses_of_another_community_are_not_found(tmp_path, house_a, house_b, finance_a):
    path = sheet(tmp_path, [["8栋", "1单元", "801", "水", 1, "", None]])

    plan = rules.plan_import(path, house_a.community, NOVEMBER)

    assert [(e.row, e.column) for e in plan.errors] == [(2, rules.NUMBER)]


def test_the_template_opens_with_the_headers():
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(rules.template_workbook()))
    assert [cell.value for cell in workbook.active[1]] == rules.HEADERS
