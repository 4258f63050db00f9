"""Benchmark (b): importing a 20,000-row estate directory spreadsheet, through the same
functions the admin's preview and confirm steps call, against reading the sheet with
openpyxl alone.

A fresh database (as for the home-page benchmark: PostgreSQL when DATABASE_URL points at
one, else a temporary SQLite file) is migrated; a child process with production settings
then writes a deterministic sheet (16,000 houses in 20 buildings, one owner each and a
second owner for every fourth house) and times each step. Target: the confirm step
(checking the sheet again and importing it) under 30 s.
"""

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.home_page import ROOT, _database, _environment, _manage, _row

BENCHMARK = "directory import"
BUILDINGS, UNITS, FLOORS, PER_FLOOR = 20, 4, 50, 4  # 16,000 houses
SECOND_OWNER_EVERY = 4  # 4,000 more rows: 20,000 in all
IMPORT_TARGET_S = 30


def run():
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp, \
            _database(Path(tmp)) as (database_url, database):
        env = _environment(database_url, Path(tmp))
        _manage(env, "migrate", "--noinput")
        result = subprocess.run([sys.executable, "-m", "bench.directory_import", "--child", tmp],
                                cwd=ROOT, env=env, check=True, capture_output=True, text=True)
        timings = json.loads(result.stdout.strip().splitlines()[-1])

    name = f"{BENCHMARK} ({database})"
    rows = timings.pop("rows")
    confirm = timings["plan"] + timings["import"]
    return [
        _row(name, f"openpyxl alone: read {rows} rows (baseline)", timings["read"], "s"),
        _row(name, "parse + validate (preview)", timings["plan"], "s"),
        _row(name, f"bulk import of {timings['houses']} houses, {timings['owners']} owners",
             timings["import"], "s"),
        _row(name, "confirm: validate again + import", round(confirm, 2), "s",
             f"< {IMPORT_TARGET_S} s", confirm < IMPORT_TARGET_S),
        _row(name, "re-import the same sheet (creates nothing)", timings["reimport"], "s",
             "nothing new", timings["reimport_created"] == 0),
    ]


def write_sheet(path):
    """The deterministic sheet: returns its number of rows."""
    from openpyxl import Workbook

    from portal.estates import directory_import as rules

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(rules.HEADERS)
    count = serial = 0
    kinds = ["住宅", "住宅", "住宅", "商铺"]
    for building in range(1, BUILDINGS + 1):
        for unit in range(1, UNITS + 1):
            for floor in range(1, FLOORS + 1):
                for door in range(1, PER_FLOOR + 1):
                    serial += 1
                    house = [f"{building}栋", f"{unit}单元", f"{floor}{door:02d}", floor,
                             round(60 + (serial % 90) + (serial % 4) / 4, 2),
                             kinds[serial % 4]]
                    sheet.append([*house, f"业主{serial}", f"139{serial:08d}",
                                  _id_number(serial)])
                    count += 1
                    if serial % SECOND_OWNER_EVERY == 0:
                        sheet.append([*house, f"家属{serial}", f"137{serial:08d}", ""])
                        count += 1
    workbook.save(path)
    return count


def _id_number(serial):
    from portal.estates.directory_import import ID_CHECK, ID_WEIGHTS

    body = f"110105{19500101 + serial % 20000:08d}{serial % 1000:03d}"
    total = sum(int(digit) * weight for digit, weight in zip(body, ID_WEIGHTS, strict=True))
    return body + ID_CHECK[total % 11]


def _child(tmp):
    """Runs in a child process with the benchmark database's settings."""
    import django

    django.setup()
    from openpyxl import load_workbook

    from portal.estates import directory_import as rules
    from portal.estates.models import Community, Company, House, OwnerRecord

    path = Path(tmp) / "directory.xlsx"
    rows = write_sheet(path)
    company = Company.objects.create(name="基准物业")
    community = Community.objects.create(company=company, name="基准小区", code="bench")

    def timed(step):
        started = time.perf_counter()
        value = step()
        return round(time.perf_counter() - started, 2), value

    def read_only():
        workbook = load_workbook(path, read_only=True, data_only=True)
        for _ in workbook.worksheets[0].iter_rows(values_only=True):
            pass
        workbook.close()

    read, _ = timed(read_only)
    plan_seconds, plan = timed(lambda: rules.plan_import(path, community))
    if not plan.is_valid:
        raise RuntimeError(f"the benchmark sheet has errors: {plan.errors[:5]}")
    import_seconds, _ = timed(lambda: rules.import_plan(plan, None))
    again = rules.plan_import(path, community)
    reimport, created = timed(lambda: rules.import_plan(again, None))
    print(json.dumps({
        "rows": rows, "read": read, "plan": plan_seconds, "import": import_seconds,
        "houses": House.objects.filter(community=community).count(),
        "owners": OwnerRecord.objects.filter(community=community).count(),
        "reimport": reimport,
        "reimport_created": created["houses"] + created["owners"] + created["buildings"],
    }))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(sys.argv[2])
    else:
        for row in run():
            print("  ".join(str(row[column]) for column in row))
