"""Benchmark: the guard checking a visitor's pass at the gate, on an estate with
1,000,000 passes, against the trivial view /healthz served by the same server.

A fresh database (`<name>_bench_visitors` on PostgreSQL, as bench.home_page names its
databases; a temporary SQLite file otherwise) is migrated and seeded with `seed_demo
--houses 100000`; then 1,000,000 passes are written straight to the table (COPY on
PostgreSQL, through portal.notifications.bulk) over the houses of every community: visits
of the last 60 days and the coming 7, single and multi-entry, invitations and walk-ins,
some revoked and used, each with the code the model gives a new pass. The demo guard of
锦绣苑 (jinxiu-guard, bound to that community alone) is logged in and gunicorn (2 workers,
production settings, Redis) serves the gate; wrk with 32 connections then:

- checks typed codes (GET /gate/check/?code=...), a different pass of the guard's
  community each request, valid, expired, used and unknown ones mixed, as guards type
  them; nothing is recorded;
- the same with one request in ADMIT_EVERY recording an entry (POST /gate/admit/ with its
  own one-time key) of a multi-entry pass valid now, which locks the pass's row and
  writes the gate log.

Target: p99 under 50 ms at 32 connections. BENCH_VISITOR_PASSES and BENCH_VISITOR_HOUSES
make it smaller for a quick run. Everything runs in child processes; the server is
stopped and the database dropped whatever happens.
"""

import os
import re
import subprocess
import tempfile
from pathlib import Path

from bench.home_page import (
    CONNECTIONS,
    DURATION,
    THREADS,
    WARM_UP,
    _database,
    _environment,
    _gunicorn,
    _manage,
    _row,
    _wrk,
    parse_wrk,
)
from bench.ticket_data import child

BENCHMARK = "gate: verifying a visitor pass"
PASSES = int(os.environ.get("BENCH_VISITOR_PASSES", 1_000_000))
HOUSES = int(os.environ.get("BENCH_VISITOR_HOUSES", 100_000))
GUARD = "jinxiu-guard"
PORT = 8740
P99_TARGET_MS = 50
ADMIT_EVERY = 10
SAMPLE_CODES = 5000
CSRF = "b" * 32  # any 32 letters: the cookie and the form field only have to agree

# Each thread walks the sample of codes from its own offset; every ADMIT_EVERY-th
# request of the mixed run records an entry with a fresh one-time key.
LUA = """
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
local function lines_of(path)
  local lines = {}
  for line in io.lines(path) do table.insert(lines, line) end
  return lines
end
function init(args)
  checks = lines_of(args[1])
  admits = lines_of(args[2])
  admit_every = tonumber(args[3])
  counter = id * 7919
  unexpected = 0
  math.randomseed(os.time() + id)
  -- wrk.format replaces the command line's headers (the session cookie) when given some
  post_headers = {["Content-Type"] = "application/x-www-form-urlencoded"}
  for name, value in pairs(wrk.headers) do post_headers[name] = value end
end
-- A check answers its page; an entry goes back to the gate. A redirect elsewhere (the
-- login page) or anything else is counted.
function response(status, headers, body)
  if status ~= 200 and not (status == 302 and headers["Location"] == "/gate/") then
    unexpected = unexpected + 1
  end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("unexpected") end
  io.write(string.format("Unexpected answers: %d\\n", total))
end
local function key()
  local digits = {}
  for i = 1, 32 do digits[i] = string.format("%x", math.random(0, 15)) end
  return table.concat(digits)
end
function request()
  counter = counter + 1
  if admit_every > 0 and counter % admit_every == 0 then
    local code = admits[counter % #admits + 1]
    local body = "csrfmiddlewaretoken=" .. CSRF .. "&code=" .. code .. "&key=" .. key()
    return wrk.format("POST", "/gate/admit/", post_headers, body)
  end
  return wrk.format("GET", "/gate/check/?code=" .. checks[counter % #checks + 1])
end
""".replace("CSRF", f'"{CSRF}"')


def run():
    with tempfile.TemporaryDirectory(prefix="bench-visitors-") as tmp, \
            _database(Path(tmp), "visitors") as (database_url, database):
        tmp = Path(tmp)
        env = _environment(database_url, tmp)
        _manage(env, "migrate", "--noinput")
        _manage({**env, "DEBUG": "1"}, "seed_demo", "--houses", str(HOUSES))
        seeded = child(env, "bench.visitor_verify.seed_passes", PASSES)
        sample = child(env, "bench.visitor_verify.sample", GUARD, str(tmp))
        _manage(env, "collectstatic", "--noinput")
        cookie = f"sessionid={child(env, 'session_key', GUARD)}; csrftoken={CSRF}"
        script = tmp / "gate.lua"
        script.write_text(LUA)
        args = [sample["checks"], sample["admits"]]
        with _gunicorn(env, tmp, port=PORT) as base:
            trivial = _wrk(f"{base}/healthz", cookie)
            checks = _load(base, cookie, script, [*args, "0"])
            mixed = _load(base, cookie, script, [*args, str(ADMIT_EVERY)])
        recorded = child(env, "bench.visitor_verify.entries")

    name = f"{BENCHMARK} ({database})"
    return [
        _row(name, "passes; seconds to write them", f"{PASSES}; {seeded['seconds']}", ""),
        _row(name, "passes of the guard's community", sample["community_passes"], ""),
        _row(name, "trivial view /healthz", round(trivial["rps"]), "req/s"),
        _row(name, "trivial view p99", trivial["p99"], "ms"),
        _row(name, "check a typed code", round(checks["rps"]), "req/s", "no errors",
             checks["errors"] == 0 and checks["rps"] > 0),
        _row(name, "check p50", checks["p50"], "ms"),
        _row(name, "check p99", checks["p99"], "ms", f"< {P99_TARGET_MS} ms",
             checks["p99"] < P99_TARGET_MS),
        _row(name, f"check, 1 in {ADMIT_EVERY} recording an entry", round(mixed["rps"]),
             "req/s", "no errors", mixed["errors"] == 0 and mixed["rps"] > 0),
        _row(name, "check + entry p50", mixed["p50"], "ms"),
        _row(name, "check + entry p99", mixed["p99"], "ms", f"< {P99_TARGET_MS} ms",
             mixed["p99"] < P99_TARGET_MS),
        _row(name, "gate log rows written", recorded, "", "> 0", recorded > 0),
    ]


def _load(base, cookie, script, args):
    def load(duration):
        return subprocess.run(
            ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{duration}", "--latency",
             "--timeout", "30s", "-H", f"Cookie: {cookie}", "-s", str(script), base, "--",
             *args],
            check=True, capture_output=True, text=True, timeout=180).stdout

    load(WARM_UP)
    output = load(DURATION)
    result = parse_wrk(output)
    result["errors"] += int(re.search(r"Unexpected answers: (\d+)", output)[1])
    return result


# --- run inside the child process -------------------------------------------------


def seed_passes(count):
    """Write ``count`` passes over every house of the estate; returns the seconds."""
    import random
    import time

    from django.db import connection, transaction
    from django.utils import timezone

    from portal.crypto import encrypt
    from portal.estates.models import House
    from portal.notifications import bulk
    from services.visitors.models import VisitorPass

    started = time.monotonic()
    rng = random.Random(8)
    houses = list(House.objects.values_list("pk", "community_id"))
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    taken = {}  # community -> codes given: a code is unique among a community's passes
    # Written as stored: COPY takes the ciphertext as it is.
    phones = [encrypt(f"139{number:08d}") for number in range(50)]
    chunk = 50_000
    with transaction.atomic():
        for first in range(0, count, chunk):
            rows = [_pass_row(rng, houses, now, taken, phones)
                    for _ in range(min(chunk, count - first))]
            bulk.insert(VisitorPass, rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"seconds": round(time.monotonic() - started, 1)}


NAMES = ["王先生", "李女士", "张师傅", "刘阿姨", "陈同学", "快递员", "搬家公司"]
PURPOSES = ["探亲", "访友", "送货", "装修", "家政"]


def _pass_row(rng, houses, now, taken, phones):
    """A pass of a random house: a visit between 60 days ago and 7 days ahead; old
    single-entry ones mostly used, a few revoked, a fifth multi-entry."""
    from datetime import timedelta

    from services.visitors.models import CODE_DIGITS, VisitorPass

    house, community = rng.choice(houses)
    starts = now + timedelta(hours=rng.randint(-60 * 24, 7 * 24))
    kind = VisitorPass.Kind.MULTI if rng.random() < 0.2 else VisitorPass.Kind.SINGLE
    state = VisitorPass.State.ACTIVE
    if kind == VisitorPass.Kind.SINGLE and starts < now - timedelta(days=1) \
            and rng.random() < 0.7:
        state = VisitorPass.State.USED
    elif rng.random() < 0.03:
        state = VisitorPass.State.REVOKED
    codes = taken.setdefault(community, set())
    code = f"{rng.randrange(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    while code in codes:
        code = f"{rng.randrange(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    codes.add(code)
    return {"community_id": community, "house_id": house,
            "visitor_name": rng.choice(NAMES),
            "visitor_phone": rng.choice(phones), "people": rng.randint(1, 4),
            "purpose": rng.choice(PURPOSES), "starts_at": starts,
            "ends_at": starts + timedelta(hours=rng.choice([4, 12, 24])),
            "kind": kind, "state": state, "code": code,
            "nonce": f"{rng.getrandbits(128):032x}", "created_at": starts,
            "used_at": starts if state == VisitorPass.State.USED else None}


def sample(username, directory):
    """Files of codes for wrk: typed codes of the guard's community (every kind of
    verdict, plus a few that match nothing) and codes of its multi-entry passes valid
    now, for the recorded entries."""
    from django.utils import timezone

    from portal.accounts.models import User
    from services.visitors.models import VisitorPass

    guard = User.objects.get(username=username)
    community = guard.staff.communities.get()
    passes = VisitorPass.objects.filter(community=community)
    now = timezone.now()
    codes = list(passes.order_by("?").values_list("code", flat=True)[:SAMPLE_CODES])
    codes += [f"{n:07d}" for n in range(SAMPLE_CODES // 50)]  # typos, a digit short
    admits = list(passes.filter(kind=VisitorPass.Kind.MULTI, state=VisitorPass.State.ACTIVE,
                                starts_at__lte=now, ends_at__gt=now)
                  .values_list("code", flat=True)[:SAMPLE_CODES])
    checks_path = Path(directory) / "checks.txt"
    admits_path = Path(directory) / "admits.txt"
    checks_path.write_text("\n".join(codes) + "\n")
    admits_path.write_text("\n".join(admits) + "\n")
    return {"checks": str(checks_path), "admits": str(admits_path),
            "community_passes": passes.count()}


def entries():
    from services.visitors.models import GateEntry

    return GateEntry.objects.count()


if __name__ == "__main__":
    for row in run():
        print("  ".join(str(row[column]) for column in row))
