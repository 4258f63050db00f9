"""Benchmark (a): a logged-in resident's community home page on a 100,000-house estate,
against the trivial view /healthz served by the same server.

A fresh database (PostgreSQL when DATABASE_URL points at one, else a temporary SQLite
file) is migrated and seeded with `seed_demo --houses 100000`; gunicorn then serves it
with 2 workers and production settings (DEBUG off, static files collected) on
127.0.0.1 with Redis for sessions and the page cache (REDIS_URL, default database 14 of
the local Redis), and wrk loads it with 32 connections; the page is measured with the
per-session page cache on and off. Targets: the home page's p99 under
100 ms and at least half the trivial view's throughput.

Everything runs in child processes, so this module needs neither Django settings nor
the database itself; the server is stopped and the database dropped whatever happens.
"""

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARK = "home page"
HOUSES = 100_000
WORKERS = 2
CONNECTIONS = 32
THREADS = 2
DURATION = "15s"
WARM_UP = "3s"
RESIDENT_PHONE = "13800000001"  # the verified owner of seed_demo's printed logins
P99_TARGET_MS = 100
RATIO_TARGET = 0.5
SEED_TARGET_S = 60


def run():
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (Debian: apt-get install wrk)")
    with tempfile.TemporaryDirectory(prefix="bench-home-") as tmp, \
            _database(Path(tmp)) as (database_url, database):
        env = _environment(database_url, Path(tmp))
        _manage(env, "migrate", "--noinput")
        started = time.monotonic()
        # seed_demo publishes its password and so runs only with DEBUG on; the data is
        # the same, and the server below runs with DEBUG off.
        _manage({**env, "DEBUG": "1"}, "seed_demo", "--houses", str(HOUSES))
        seed_seconds = time.monotonic() - started
        _manage(env, "collectstatic", "--noinput")
        cookie = f"sessionid={_session_key(env)}"
        # The same page without the per-session page cache: what every first visit and
        # every visit after a change costs (and the page as it was before the cache).
        with _gunicorn({**env, "RESIDENT_PAGE_CACHE_SECONDS": "0"}, Path(tmp)) as base:
            page = _home_page(base, cookie)
            uncached = _wrk(f"{base}{page}", cookie)
        with _gunicorn(env, Path(tmp)) as base:
            trivial = _wrk(f"{base}/healthz", cookie)
            home = _wrk(f"{base}{page}", cookie)

    name = f"{BENCHMARK} ({database})"
    ratio = home["rps"] / trivial["rps"]
    return [
        _row(name, f"seed_demo --houses {HOUSES}", round(seed_seconds, 1), "s",
             f"< {SEED_TARGET_S} s", seed_seconds < SEED_TARGET_S),
        _row(name, "trivial view /healthz", round(trivial["rps"]), "req/s"),
        _row(name, "trivial view p50", trivial["p50"], "ms"),
        _row(name, "trivial view p99", trivial["p99"], "ms"),
        _row(name, f"home page {page}", round(home["rps"]), "req/s",
             "no errors", home["errors"] == 0),
        _row(name, "home page p50", home["p50"], "ms"),
        _row(name, "home page p99", home["p99"], "ms", f"< {P99_TARGET_MS} ms",
             home["p99"] < P99_TARGET_MS),
        _row(name, "home / trivial throughput", round(ratio * 100), "%",
             f">= {RATIO_TARGET * 100:.0f} %", ratio >= RATIO_TARGET),
        _row(name, "home page, page cache off", round(uncached["rps"]), "req/s",
             "no errors", uncached["errors"] == 0),
        _row(name, "home page, page cache off, p99", uncached["p99"], "ms"),
    ]


def _row(benchmark, case, value, unit, target="", ok=""):
    return {"benchmark": benchmark, "case": case, "value": value, "unit": unit,
            "target": target, "ok": ok}


@contextmanager
def _database(tmp, suffix="home"):
    """A fresh, empty database: yields its URL and a label for the report. On
    PostgreSQL it is `<name>_bench_<suffix>`, so that benchmarks do not share one."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp / 'bench.sqlite3'}", "SQLite"
        return
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'portal'}_bench_{suffix}"
    server = parts._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield parts._replace(path=f"/{name}").geturl(), "PostgreSQL"
    finally:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _environment(database_url, tmp):
    """Production settings, as a deployment sets them, but plain HTTP on 127.0.0.1."""
    env = {name: value for name, value in os.environ.items()
           if name not in ("PORTAL_TESTING", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DATABASE_URL=database_url,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        FIELD_ENCRYPTION_KEY=secrets.token_urlsafe(32),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        STATIC_ROOT=str(tmp / "static"),
        MEDIA_ROOT=str(tmp / "media"),
        LOG_LEVEL="WARNING",
        # No WeChat Pay here: payments, where a benchmark makes any, are demo ones (the
        # notification benchmark points WeChat Pay's settings at the local stub instead).
        PAYMENTS_SANDBOX="1",
    )
    # Production runs several processes on a shared Redis (sessions, the page cache); the
    # benchmark owns database 14 of the local Redis unless REDIS_URL says otherwise.
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
    _flush_redis(env["REDIS_URL"])
    return env


def _flush_redis(url):
    import redis

    redis.Redis.from_url(url).flushdb()


def _manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args, "-v", "0"], cwd=ROOT, env=env,
                   check=True, stdout=subprocess.DEVNULL)


def _session_key(env):
    """Log the demo resident in the way Django does (a session in the configured store:
    the database, or Redis when REDIS_URL is set) and return the session key."""
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.test import Client\n"
        "from portal.accounts.models import User\n"
        "client = Client()\n"
        f"client.force_login(User.find_by_phone({RESIDENT_PHONE!r}))\n"
        "print(client.cookies[settings.SESSION_COOKIE_NAME].value)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                            capture_output=True, text=True)
    return result.stdout.strip().splitlines()[-1]


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def _gunicorn(env, tmp, port=None):
    """gunicorn with WORKERS sync workers on ``port`` (a free one when not given)."""
    port = port or _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp / "gunicorn.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "portal.wsgi:application",
             "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}",
             "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(server, f"{base}/healthz", log)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_up(server, url, log, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer {url} within {timeout} s")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _home_page(base, cookie):
    """The path `/` sends the logged-in resident to (or `/` itself), checked to be a
    page that renders for them."""
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(f"{base}/", headers={"Cookie": cookie})
    try:
        with opener.open(request, timeout=10):
            path = "/"
    except urllib.error.HTTPError as response:
        if response.code not in (301, 302, 303, 307, 308):
            raise RuntimeError(f"GET / answered {response.code}") from response
        path = urllib.parse.urlsplit(response.headers["Location"]).path
    request = urllib.request.Request(f"{base}{path}", headers={"Cookie": cookie})
    with opener.open(request, timeout=10) as response:
        if response.status != 200:
            raise RuntimeError(f"GET {path} answered {response.status}")
    if path.startswith("/accounts/login"):
        raise RuntimeError("the resident's session was not accepted")
    return path


def _wrk(url, cookie):
    def load(duration):
        return subprocess.run(
            ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{duration}", "--latency",
             "-H", f"Cookie: {cookie}", url],
            check=True, capture_output=True, text=True, timeout=120).stdout

    load(WARM_UP)  # workers' first requests fill their caches and connections
    return parse_wrk(load(DURATION))


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def parse_wrk(output):
    """requests/s, p50 and p99 in ms, and the count of failed requests, from wrk's
    `--latency` report."""

    def latency(percentile):
        match = re.search(rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        return round(float(match[1]) * _UNITS_MS[match[2]], 1)

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                        r"timeout (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),
        "p50": latency(50),
        "p99": latency(99),
        "errors": (int(errors[1]) if errors else 0)
        + (sum(int(n) for n in sockets.groups()) if sockets else 0),
    }


if __name__ == "__main__":
    for row in run():
        print("  ".join(str(row[column]) for column in row))
