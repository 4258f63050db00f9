"""Benchmark: the customer-service queue (the admin's ticket list, `tickets:index`) over
1,000,000 tickets, filtered by state and category and paginated, against the trivial
view /healthz served by the same server.

The estate and tickets of bench.ticket_data; gunicorn with 2 workers and production
settings; the demo customer-service clerk of 锦绣苑 (a 10,000-house community, about
100,000 of the tickets) logged in; wrk with 32 connections as in bench.home_page. Two
lists: the new repairs waiting in one category (the clerk's everyday view: few rows), and
page 2 of the closed ones in the same category (thousands of rows to count and skip).
Then each list over one connection: what a request costs when it waits behind no other,
and in-process (a child with the same settings, Django's test client): the CPU time of one
page and its SQL, the figures that stay comparable on a shared machine.

Target: p99 under 150 ms for each list over one connection. The issue names no
concurrency for the queue (it does for the bill page and the gate): one connection,
requests back to back, is a clerk clicking without pause, more pages a second than a
desk of clerks asks for. The 32-connection rows show the server saturated, for
comparison with the other pages' benchmarks; they have no target.
"""

import subprocess
import tempfile
import urllib.request
from pathlib import Path

from bench.home_page import CONNECTIONS, DURATION, THREADS, WARM_UP, _row, _wrk, parse_wrk
from bench.ticket_data import TICKETS, child, gunicorn, ticket_estate

BENCHMARK = "ticket queue"
CLERK = "jinxiu-service"
P99_TARGET_MS = 150


def run():
    with tempfile.TemporaryDirectory(prefix="bench-queue-") as tmp, \
            ticket_estate(Path(tmp)) as (env, database, seed_seconds):
        cookie = f"sessionid={child(env, 'session_key', CLERK)}"
        lists = child(env, "bench.ticket_queue.queue_urls", CLERK)
        costs = {name: child(env, "bench.ticket_queue.render_cost", CLERK, path)
                 for name, path in lists.items()}
        with gunicorn(env, Path(tmp)) as base:
            for path in lists.values():
                _check(f"{base}{path}", cookie)
            # First what one request costs when it waits behind no other: a sync worker
            # finishes the requests wrk abandons, so nothing may run before this.
            alone = {name: _load(f"{base}{path}", cookie, 1) for name, path in lists.items()}
            trivial = _wrk(f"{base}/healthz", cookie)
            results = {name: _load(f"{base}{path}", cookie, CONNECTIONS)
                       for name, path in lists.items()}

    name = f"{BENCHMARK} ({database})"
    rows = []
    if seed_seconds is not None:
        rows.append(_row(name, f"seed_tickets --tickets {TICKETS}", round(seed_seconds, 1),
                         "s"))
    rows += [_row(name, "trivial view /healthz", round(trivial["rps"]), "req/s"),
             _row(name, "trivial view p99", trivial["p99"], "ms")]
    for label, result in results.items():
        # wrk leaves timed-out requests out of its latencies, and a run in which none
        # finished shows latencies of 0: a run with errors or without answers fails.
        answered = result["errors"] == 0 and result["rps"] > 0
        one = alone[label]
        rows += [
            _row(name, f"{label}, one connection", round(one["rps"], 1), "req/s",
                 "answers, no errors", one["errors"] == 0 and one["rps"] > 0),
            _row(name, f"{label}, one connection, p50", one["p50"], "ms"),
            _row(name, f"{label}, one connection, p99", one["p99"], "ms",
                 f"< {P99_TARGET_MS} ms", one["rps"] > 0 and one["p99"] < P99_TARGET_MS),
            _row(name, f"{label}, {CONNECTIONS} connections", round(result["rps"], 1),
                 "req/s", "answers, no errors", answered),
            _row(name, f"{label}, {CONNECTIONS} connections, p50", result["p50"], "ms"),
            _row(name, f"{label}, {CONNECTIONS} connections, p99", result["p99"], "ms"),
            _row(name, f"{label}, in-process CPU per page, median", costs[label]["cpu_ms"],
                 "ms"),
            _row(name, f"{label}, SQL per page ({costs[label]['queries']} queries)",
                 costs[label]["sql_ms"], "ms"),
        ]
    return rows


def _load(url, cookie, connections):
    """wrk as bench.home_page runs it, but with a 30 s timeout: wrk leaves requests that
    time out (2 s by default) out of its latencies, and a slow page would show none."""
    def load(duration):
        return subprocess.run(
            ["wrk", f"-t{min(THREADS, connections)}", f"-c{connections}", f"-d{duration}",
             "--latency", "--timeout", "30s", "-H", f"Cookie: {cookie}", url],
            check=True, capture_output=True, text=True, timeout=180).stdout

    load(WARM_UP)
    return parse_wrk(load(DURATION))


def _check(url, cookie):
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=30) as response:
        page = response.read().decode()
        if response.status != 200 or "/admin/login/" in response.url:
            raise RuntimeError(f"{url} answered {response.status} at {response.url}")
    if "<table" not in page:
        raise RuntimeError(f"{url} shows no listing")


def render_cost(username, path, rounds=20):
    """Run in the child: the median CPU time of rendering ``path`` for the user (after
    three warm-up pages), and the number and time of its SQL queries."""
    import statistics
    import time

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from portal.accounts.models import User

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(User.objects.get(username=username))
    for _round in range(3):
        client.get(path)
    cpu = []
    for _round in range(rounds):
        started = time.process_time()
        response = client.get(path)
        cpu.append((time.process_time() - started) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    return {"cpu_ms": round(statistics.median(cpu), 1), "queries": len(queries),
            "sql_ms": round(sum(float(query["time"]) for query in queries) * 1000, 1)}


def queue_urls(username):
    """Run in the child: the two filtered lists, as paths (category 水, repairs)."""
    from django.urls import reverse

    from portal.accounts.models import User
    from services.models import Ticket, TicketCategory

    user = User.objects.get(username=username)
    water = TicketCategory.objects.get(company=user.staff.company, kind="repair", name="水")
    index = reverse("tickets:index")
    return {
        "new repairs of one category": f"{index}?state={Ticket.State.SUBMITTED}"
                                       f"&category={water.pk}",
        "closed, page 2": f"{index}?state={Ticket.State.CLOSED}&category={water.pk}&p=2",
    }


if __name__ == "__main__":
    for row in run():
        print("  ".join(str(row[column]) for column in row))
