"""Benchmark (c): one notification to 100,000 WeChat followers, sent by two task workers
through the WeChat stub.

1. A fresh PostgreSQL database (DATABASE_URL must point at a PostgreSQL server; the
   benchmark creates and drops its own database there), migrated and seeded with
   `seed_demo --houses` twice the followers wanted (about one resident per two houses).
2. A child process with production settings: a company-wide official account, the first
   N residents following it (openids demo-openid-0..N-1, as the stub knows them) and a
   template message for the test event.
3. The stub on its own (`python -m portal.wechat.stub --followers N`), and two
   `manage.py db_worker` processes, with Redis as the shared cache (the access_token).
4. `notify_many()` to everyone following, timed (the inbox messages and deliveries are
   written and the sending tasks queued); then the deliveries are watched until none is
   queued or sending.

Rows: the write, the sending rate from the first delivery sent to the last (target
>= 500 messages/s), the rate from the call to the last delivery, and the check that every
message is logged: N inbox messages, N deliveries sent, N template messages at the stub.

    python -m bench.notification_fanout [--followers N]     # default 100,000
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path

from bench.home_page import ROOT, _database, _environment, _free_port, _manage, _row

BENCHMARK = "notification fan-out"
FOLLOWERS = 100_000
WORKERS = 2
RATE_TARGET = 500  # messages/s
EVENT = "notifications.test"
POLL_SECONDS = 1
# The deliveries of the fan-out's event (seed_demo's people have messages of their own).
FANNED_OUT = ("notifications_delivery d JOIN notifications_inboxmessage m "
              "ON m.id = d.message_id AND m.event = %s")


def run(followers=None):
    followers = followers or int(os.environ.get("BENCH_FANOUT_FOLLOWERS", FOLLOWERS))
    with tempfile.TemporaryDirectory(prefix="bench-fanout-") as tmp, \
            _database(Path(tmp)) as (database_url, database):
        if database != "PostgreSQL":
            return [_row(BENCHMARK, "needs PostgreSQL (DATABASE_URL=postgres://...)", "-", "",
                         "skipped", "")]
        env = _environment(database_url, Path(tmp))
        _manage(env, "migrate", "--noinput")
        started = time.monotonic()
        _manage({**env, "DEBUG": "1"}, "seed_demo", "--houses", str(followers * 2))
        seed_seconds = time.monotonic() - started
        prepared = _child(env, "setup", followers)
        with ExitStack() as stack:
            stub_url = stack.enter_context(_stub(prepared["stub_app"], followers, Path(tmp)))
            env = {**env, "WECHAT_API_BASE_URL": stub_url, "WECHAT_MP_BASE_URL": stub_url,
                   "WECHAT_OPEN_BASE_URL": stub_url}
            for number in range(WORKERS):
                stack.enter_context(_worker(env, Path(tmp), number))
            written = _child(env, "notify", followers)
            result = _wait_for_deliveries(database_url, written["told"])
            result["stub_sent"] = _stub_stats(stub_url)["sent_templates"]

    told = written["told"]
    rate = result["sent"] / max(result["first_to_last"], 0.001)
    overall = result["sent"] / max(result["last"] - written["called_at"], 0.001)
    all_logged = (result["inbox"] == told == followers and result["sent"] == told
                  and result["stub_sent"] == told)
    name = f"{BENCHMARK} ({database}, {WORKERS} workers)"
    return [
        _row(name, f"seed_demo --houses {followers * 2}", round(seed_seconds, 1), "s"),
        _row(name, f"notify_many to {told} followers: write + queue", round(written["seconds"],
                                                                             1), "s"),
        _row(name, "sending, first to last delivery", round(rate), "messages/s",
             f">= {RATE_TARGET}", rate >= RATE_TARGET),
        _row(name, "from the call to the last delivery", round(overall), "messages/s"),
        _row(name, "inbox / sent / at the stub / failed",
             f"{result['inbox']}/{result['sent']}/{result['stub_sent']}/{result['failed']}", "",
             "all logged", all_logged),
    ]


def _child(env, step, followers):
    answer = subprocess.run(
        [sys.executable, "-m", "bench.notification_fanout", "--child", step,
         "--followers", str(followers)],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return json.loads(answer.stdout.strip().splitlines()[-1])


@contextmanager
def _stub(app, followers, tmp):
    port = _free_port()
    log = tmp / "stub.log"
    with open(log, "wb") as output:
        stub = subprocess.Popen(
            [sys.executable, "-m", "portal.wechat.stub", "--port", str(port),
             "--app", app, "--followers", str(followers)],
            cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _stub_stats(url)
                break
            except OSError:
                if stub.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the stub did not start:\n{log.read_text()}") from None
                time.sleep(0.2)
        yield url
    finally:
        _stop(stub)


def _stub_stats(url):
    with urllib.request.urlopen(f"{url}_stub/stats", timeout=5) as answer:
        return json.load(answer)


@contextmanager
def _worker(env, tmp, number):
    log = tmp / f"worker-{number}.log"
    with open(log, "wb") as output:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay",
             "--interval", "0.2", "--worker-id", f"bench-{number}", "-v", "0"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        time.sleep(0.5)
        if worker.poll() is not None:
            raise RuntimeError(f"worker {number} exited:\n{log.read_text()[-2000:]}")
        yield worker
    finally:
        _stop(worker)


def _stop(process):
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _wait_for_deliveries(database_url, told):
    """Poll until no delivery is queued or sending; returns the counts and the times of
    the first and the last delivery sent."""
    import psycopg

    deadline = time.monotonic() + 120 + told / 50
    with psycopg.connect(database_url, autocommit=True) as connection:
        while True:
            pending = connection.execute(
                f"SELECT count(*) FROM {FANNED_OUT} WHERE d.status IN ('queued', 'sending')",
                (EVENT,)).fetchone()[0]
            if pending == 0:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{pending} deliveries still pending")
            time.sleep(POLL_SECONDS)
        sent, failed, first, last = connection.execute(
            "SELECT count(*) FILTER (WHERE d.status = 'sent'), "
            "count(*) FILTER (WHERE d.status = 'failed'), "
            "extract(epoch FROM min(d.sent_at)), extract(epoch FROM max(d.sent_at)) "
            f"FROM {FANNED_OUT}", (EVENT,)).fetchone()
        inbox = connection.execute(
            "SELECT count(*) FROM notifications_inboxmessage WHERE event = %s", (EVENT,)
        ).fetchone()[0]
    first, last = float(first or 0), float(last or 0)
    return {"sent": sent, "failed": failed, "inbox": inbox, "first_to_last": last - first,
            "last": last}


# -- in the child process, with Django set up -------------------------------------------


def setup(followers):
    """The demo official account that seed_demo created (company-wide, five residents
    following it as demo-openid-0..4, a template message for every event): more residents
    follow it, up to ``followers``. Returns the stub's --app argument for the account."""
    from django.utils import timezone

    from portal.estates.models import Resident
    from portal.wechat import demo
    from portal.wechat.models import Follower, OfficialAccount

    account = OfficialAccount.objects.get(appid=demo.APPID)
    following = set(account.followers.values_list("user_id", flat=True))
    people = list(Resident.objects.exclude(user_id__in=following).order_by("pk")
                  .values_list("user_id", "community_id")[:followers - len(following)])
    if len(people) + len(following) < followers:
        raise RuntimeError(f"only {len(people) + len(following)} residents for {followers} "
                           "followers")
    now = timezone.now()
    Follower.objects.bulk_create(
        [Follower(account=account, openid=f"demo-openid-{number}", user_id=user_id,
                  community_id=community_id, is_subscribed=True, subscribed_at=now)
         for number, (user_id, community_id) in enumerate(people, start=len(following))],
        batch_size=5000)
    return {"followers": account.followers.count(), "stub_app": demo.stub_app_argument()}


def notify(followers):
    from portal.accounts.models import User
    from portal.notifications import notify_many
    from portal.wechat import demo

    recipients = User.objects.filter(wechat_followers__account__appid=demo.APPID,
                                     wechat_followers__is_subscribed=True)
    called_at = time.time()
    started = time.monotonic()
    told = notify_many(recipients, EVENT)
    return {"told": told, "seconds": time.monotonic() - started, "called_at": called_at}


def _main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.notification_fanout")
    parser.add_argument("--followers", type=int, default=None)
    parser.add_argument("--child", choices=["setup", "notify"])
    args = parser.parse_args(argv)
    if args.child:
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
        django.setup()
        step = {"setup": setup, "notify": notify}[args.child]
        print(json.dumps(step(args.followers)))
        return 0
    for row in run(args.followers):
        print("  ".join(str(row[column]) for column in row))
    return 0


if __name__ == "__main__":
    sys.exit(_main())
