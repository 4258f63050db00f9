"""What the three ticket benchmarks share: the 100,000-house demo estate with 1,000,000
tickets, production settings, and a server on a port of their own.

The database is PostgreSQL's `<name>_bench_tickets` (`<name>` from DATABASE_URL, as
bench.home_page names its databases) when DATABASE_URL points at a PostgreSQL server,
else a SQLite file; it is dropped afterwards unless
BENCH_TICKETS_KEEP_DB=1, which keeps it and lets the next ticket benchmark reuse it (the
seeding is most of a run's time). BENCH_TICKETS sets the number of tickets. Redis:
database 7 of the local one (BENCH_TICKETS_REDIS_URL), flushed first. The server listens
on 127.0.0.1:8670-8679, or on BENCH_TICKETS_PORT.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

from bench.home_page import HOUSES, ROOT, _environment, _gunicorn, _manage

TICKETS = int(os.environ.get("BENCH_TICKETS", 1_000_000))
KEEP = os.environ.get("BENCH_TICKETS_KEEP_DB") == "1"
_NAME = urllib.parse.urlsplit(os.environ.get("DATABASE_URL", "")).path.lstrip("/")
DATABASE = f"{_NAME or 'reports'}_bench_tickets"
REDIS_URL = os.environ.get("BENCH_TICKETS_REDIS_URL", "redis://127.0.0.1:6379/7")
PORT = int(os.environ.get("BENCH_TICKETS_PORT", 0)) or None
PORTS = range(8670, 8680)
SQLITE_KEPT = Path(os.environ.get("TMPDIR", "/tmp")) / f"{DATABASE}.sqlite3"
# A kept database's phones are encrypted and indexed with the keys it was seeded with.
KEYS_KEPT = Path(os.environ.get("TMPDIR", "/tmp")) / f"{DATABASE}.keys.json"


@contextmanager
def ticket_estate(tmp):
    """Yields (environment, database label, seconds spent seeding or None if reused)."""
    url = os.environ.get("DATABASE_URL", "")
    postgres = url.startswith(("postgres://", "postgresql://"))
    if postgres:
        parts = urllib.parse.urlsplit(url)
        server = parts._replace(path="/postgres").geturl()
        database_url = parts._replace(path=f"/{DATABASE}").geturl()
        label = "PostgreSQL"
    else:
        sqlite = SQLITE_KEPT if KEEP else tmp / "bench.sqlite3"
        database_url, label = f"sqlite:///{sqlite}", "SQLite"
    env = _environment_with_own_redis(database_url, tmp)
    reuse = KEEP and KEYS_KEPT.exists() and (_exists(server) if postgres else sqlite.exists())
    if reuse:
        env.update(json.loads(KEYS_KEPT.read_text()))
    elif KEEP:
        KEYS_KEPT.write_text(json.dumps({name: env[name] for name in
                                         ("SECRET_KEY", "FIELD_ENCRYPTION_KEY")}))
        KEYS_KEPT.chmod(0o600)
    try:
        if postgres and not reuse:
            _create(server)
        elif not postgres and not reuse and sqlite.exists():
            sqlite.unlink()  # seeded with other keys
        seconds = _seed(env)
        _manage(env, "collectstatic", "--noinput")  # the admin's pages need the manifest
        yield env, label, seconds
    finally:
        if postgres and not KEEP:
            _drop(server)


def _environment_with_own_redis(database_url, tmp):
    """home_page's production environment, with this benchmark's Redis database (which
    it flushes: and only that one)."""
    saved = os.environ.get("REDIS_URL")
    os.environ["REDIS_URL"] = REDIS_URL
    try:
        return _environment(database_url, tmp)
    finally:
        if saved is None:
            del os.environ["REDIS_URL"]
        else:
            os.environ["REDIS_URL"] = saved


def _exists(server):
    import psycopg

    with psycopg.connect(server, autocommit=True) as connection:
        return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                  [DATABASE]).fetchone() is not None


def _create(server):
    import psycopg

    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')


def _drop(server):
    import psycopg

    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def _seed(env):
    """migrate (always: cheap when nothing is new), then the estate and the tickets
    unless a kept database holds them already. Returns the seconds the tickets took."""
    _manage(env, "migrate", "--noinput")
    if child(env, "ticket_count") >= TICKETS:
        return None
    _manage({**env, "DEBUG": "1"}, "seed_demo", "--houses", str(HOUSES))
    started = time.monotonic()
    _manage(env, "seed_tickets", "--tickets", str(TICKETS - child(env, "ticket_count")))
    return time.monotonic() - started


def child(env, function, *args):
    """Run ``function`` (a name in this module, or "module.name") with ``args`` in a
    child process with Django set up, and return its result (through JSON)."""
    module, _dot, name = function.rpartition(".")
    code = ("import django, importlib, json; django.setup()\n"
            f"module = importlib.import_module({module or 'bench.ticket_data'!r})\n"
            f"print(json.dumps(getattr(module, {name!r})(*{list(args)!r})))\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                            capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- run inside the child process -------------------------------------------------


def ticket_count():
    from services.models import Ticket

    return Ticket.objects.count()


def session_key(username):
    """A real session of that user in the configured store (Redis)."""
    from django.conf import settings
    from django.test import Client

    from portal.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


# --- the server -----------------------------------------------------------------


def _free_port():
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def gunicorn(env, tmp):
    """home_page's gunicorn on one of this benchmark's ports."""
    return _gunicorn(env, tmp, port=PORT or _free_port())
