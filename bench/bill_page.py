"""Benchmark: an owner's bill page (/me/bills/) on an estate of 100,000 houses with a
month of bills for 3 fee items, on PostgreSQL and gunicorn, at 32 connections.

A fresh database is migrated and seeded with `seed_demo --houses 100000`; every
community gets the three fee items of the bill generation benchmark and
`generate_bills --period 2026-11` makes the month's bills. The demo owner is logged in
and wrk loads /me/bills/ (with the per-session page cache off, then on, as the home
page benchmark does) and, as the baseline in the same run, /healthz. Target: the bill
page's p99 under 100 ms.
"""

import tempfile
import urllib.request
from pathlib import Path

from bench.home_page import (
    _database,
    _environment,
    _gunicorn,
    _manage,
    _row,
    _session_key,
    _wrk,
)
from bench.ticket_data import child

BENCHMARK = "owner bill page"
HOUSES = 100_000
PERIODS = ["2026-10", "2026-11"]
PORT = 8730
P99_TARGET_MS = 100
PAGE = "/me/bills/"


def run():
    with tempfile.TemporaryDirectory(prefix="bench-bill-page-") as tmp, \
            _database(Path(tmp), "billpage") as (database_url, database):
        env = _environment(database_url, Path(tmp))
        _manage(env, "migrate", "--noinput")
        _manage({**env, "DEBUG": "1"}, "seed_demo", "--houses", str(HOUSES))
        child(env, "bench.bill_generation.set_up_fees", PERIODS[-1])
        for period in PERIODS:
            _manage(env, "generate_bills", "--period", period)
        bills = child(env, "bench.bill_page.prepare")
        _manage(env, "collectstatic", "--noinput")
        cookie = f"sessionid={_session_key(env)}"
        # Without the per-session page cache: every first visit and every visit after
        # a change (a payment, a bill run) costs this.
        with _gunicorn({**env, "RESIDENT_PAGE_CACHE_SECONDS": "0"}, Path(tmp),
                       port=PORT) as base:
            _check_page(base, cookie, bills)
            uncached = _wrk(f"{base}{PAGE}", cookie)
        with _gunicorn(env, Path(tmp), port=PORT) as base:
            trivial = _wrk(f"{base}/healthz", cookie)
            page = _wrk(f"{base}{PAGE}", cookie)

    name = f"{BENCHMARK} ({database})"
    return [
        _row(name, "houses; the owner's bills", f"{HOUSES}; {bills}", ""),
        _row(name, "trivial view /healthz", round(trivial["rps"]), "req/s"),
        _row(name, "trivial view p99", trivial["p99"], "ms"),
        _row(name, f"bill page {PAGE}", round(page["rps"]), "req/s", "no errors",
             page["errors"] == 0),
        _row(name, "bill page p50", page["p50"], "ms"),
        _row(name, "bill page p99", page["p99"], "ms", f"< {P99_TARGET_MS} ms",
             page["p99"] < P99_TARGET_MS),
        _row(name, "bill page, page cache off", round(uncached["rps"]), "req/s",
             "no errors", uncached["errors"] == 0),
        _row(name, "bill page, page cache off, p50", uncached["p50"], "ms"),
        _row(name, "bill page, page cache off, p99", uncached["p99"], "ms"),
    ]


def _check_page(base, cookie, bills):
    request = urllib.request.Request(f"{base}{PAGE}", headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read().decode()
        if response.status != 200 or response.url.rstrip("/").endswith("login"):
            raise RuntimeError(f"GET {PAGE} answered {response.status} at {response.url}")
    if body.count('class="bill') < bills:
        raise RuntimeError(f"the bill page does not list the owner's {bills} bills")


# --- run inside the child process -------------------------------------------------


def prepare():
    """Fresh planner statistics (as autovacuum gathers them after a bulk load); returns
    how many bills the demo owner's houses have."""
    from django.db import connection

    from bench.home_page import RESIDENT_PHONE
    from portal.accounts.models import User
    from services.billing.models import Bill

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return Bill.objects.visible_to(User.find_by_phone(RESIDENT_PHONE)).count()

if __name__ == "__main__":
    for row in run():
        print("  ".join(str(row[column]) for column in row))
