"""Benchmark: a month's bills for 100,000 houses × 3 fee items, on PostgreSQL.

A fresh database is migrated and seeded with `seed_demo --houses 100000`; every
community gets three fee items (the management fee by floor area, a flat monthly
sanitation fee, and water by meter reading, with a water meter in every house and its
readings of the month and the month before). Then `manage.py generate_bills --period
2026-11` runs in a child process with production settings, timed from start to exit
(Django's start-up included), and runs again. Targets: the first run under 30 s, the
second under 10 s and creating nothing.
"""

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.home_page import ROOT, _database, _environment, _manage, _row
from bench.ticket_data import child

BENCHMARK = "bill generation"
HOUSES = 100_000
FEE_ITEMS = 3
PERIOD = "2026-11"
FIRST_TARGET_S = 30
AGAIN_TARGET_S = 10


def run():
    with tempfile.TemporaryDirectory(prefix="bench-bills-") as tmp, \
            _database(Path(tmp), "bills") as (database_url, database):
        env = _environment(database_url, Path(tmp))
        _manage(env, "migrate", "--noinput")
        _manage({**env, "DEBUG": "1"}, "seed_demo", "--houses", str(HOUSES))
        houses = child(env, "bench.bill_generation.set_up_fees", PERIOD)
        first = _generate(env)
        after_first = child(env, "bench.bill_generation.counts")
        again = _generate(env)
        after_again = child(env, "bench.bill_generation.counts")

    name = f"{BENCHMARK} ({database})"
    expected = {"bills": houses, "lines": houses * FEE_ITEMS}
    return [
        _row(name, "houses", houses, "houses"),
        _row(name, f"first run: bills, lines ({FEE_ITEMS} fee items)",
             f"{after_first['bills']}, {after_first['lines']}", "rows", "one per house",
             after_first == expected),
        _row(name, f"first run, generate_bills --period {PERIOD}", round(first, 1), "s",
             f"< {FIRST_TARGET_S} s", first < FIRST_TARGET_S),
        _row(name, "second run", round(again, 1), "s", f"< {AGAIN_TARGET_S} s",
             again < AGAIN_TARGET_S),
        _row(name, "second run: rows created", after_again["bills"] - after_first["bills"]
             + after_again["lines"] - after_first["lines"], "rows", "0",
             after_again == after_first),
    ]


def _generate(env):
    started = time.monotonic()
    subprocess.run([sys.executable, "manage.py", "generate_bills", "--period", PERIOD],
                   cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - started


# --- run inside the child process -------------------------------------------------


def set_up_fees(period):
    """Three fee items per community and a water meter with two readings per house;
    returns the number of houses."""
    from decimal import Decimal

    from portal.estates.models import Community, House
    from portal.notifications import bulk
    from services.billing.fees import Period
    from services.billing.models import FeeItem, Meter, MeterReading

    month = Period.parse(period).start
    before = month.replace(year=month.year - 1, month=12) if month.month == 1 else \
        month.replace(month=month.month - 1)
    for community in Community.objects.all():
        FeeItem.objects.create(community=community, name="物业管理费", kind=FeeItem.Kind.AREA,
                               unit_price=Decimal("2.35"), kind_prices={"shop": "4.10"})
        FeeItem.objects.create(community=community, name="垃圾清运费", kind=FeeItem.Kind.FIXED,
                               unit_price=Decimal("12.00"))
        FeeItem.objects.create(community=community, name="水费", kind=FeeItem.Kind.METERED,
                               utility="water", unit_price=Decimal("3.45"),
                               tiers=[{"up_to": "15", "price": "3.45"},
                                      {"up_to": None, "price": "4.83"}])
    houses = list(House.objects.values_list("pk", "community_id"))
    meters = bulk.insert(Meter, [{"house_id": pk, "community_id": community,
                                  "utility": "water", "serial": ""}
                                 for pk, community in houses])
    readings = []
    for meter, (pk, community) in zip(meters, houses, strict=True):
        start = Decimal(pk % 900)
        for period_start, value in ((before, start), (month, start + Decimal(pk % 37))):
            readings.append({"meter_id": meter, "house_id": pk, "community_id": community,
                             "period": period_start, "reading": value})
    bulk.insert(MeterReading, readings)
    return len(houses)


def counts():
    from services.billing.models import Bill, BillLine

    return {"bills": Bill.objects.count(), "lines": BillLine.objects.count()}


if __name__ == "__main__":
    for row in run():
        print("  ".join(str(row[column]) for column in row))
