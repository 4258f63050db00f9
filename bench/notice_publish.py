"""Benchmark: an editor publishes an emergency notice for the whole company (about
52,000 residents on a 100,000-house estate) from the Wagtail admin; against the same
for one building, in the same run.

1. A fresh database as in bench.home_page, `migrate`, `seed_demo --houses 100000`.
2. A child process writes two draft notices under 锦绣苑's notice list, one targeted at
   the whole company, one at a building, as the admin's "save draft" leaves them (a
   revision, not live), and logs the superuser `admin` in (a session in Redis).
3. gunicorn with 2 workers and production settings (as in bench.home_page) and one
   `manage.py db_worker`.
4. For each draft: the admin's edit view is POSTed the notice's form with "publish"
   (the session cookie and a CSRF token, as a browser sends them), timed to its answer;
   then the notice's push is watched in the database until its task has written every
   inbox message and delivery (the push's `sent_at`, set in the same transaction).

Targets: the editor's request under 1 s, everything queued under 5 s from the POST.
Checks: as many inbox messages and deliveries as targeted residents.

    python -m bench.notice_publish [--houses N]     # default 100,000
"""

import argparse
import json
import os
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import closing
from pathlib import Path

from bench.home_page import (
    HOUSES,
    ROOT,
    _database,
    _environment,
    _gunicorn,
    _manage,
    _NoRedirect,
    _row,
)
from bench.notification_fanout import _worker

BENCHMARK = "notice publish"
EDITOR = "admin"  # seed_demo's superuser: only leadership may address the whole company
REQUEST_TARGET_S = 1.0
QUEUED_TARGET_S = 5.0
POLL_SECONDS = 0.05
TIMEOUT_S = 300


def run(houses=HOUSES):
    with tempfile.TemporaryDirectory(prefix="bench-publish-") as tmp, \
            _database(Path(tmp), "publish") as (database_url, database):
        env = _environment(database_url, Path(tmp))
        _manage(env, "migrate", "--noinput")
        _manage({**env, "DEBUG": "1"}, "seed_demo", "--houses", str(houses))
        _manage(env, "collectstatic", "--noinput")
        drafts = _child(env, "prepare")
        with _gunicorn(env, Path(tmp)) as base, _worker(env, Path(tmp), 0):
            log = Path(tmp) / "gunicorn.log"
            _warm_up(base, drafts, log)
            _wait_until_idle(database_url)  # seed_demo's search and reference index updates
            building = _publish(base, database_url, drafts["session"], drafts["building"], log)
            _wait_until_idle(database_url)
            company = _publish(base, database_url, drafts["session"], drafts["company"], log)

    name = f"{BENCHMARK} ({database})"
    rows = []
    for label, result in (("one building", building), ("whole company", company)):
        complete = (result["inbox"] == result["deliveries"] == result["recipients"]
                    == result["expected"])
        rows += [
            _row(name, f"{label}: residents targeted", result["expected"], ""),
            _row(name, f"{label}: editor's publish request", result["request"], "s",
                 f"< {REQUEST_TARGET_S:g} s", result["request"] < REQUEST_TARGET_S),
            _row(name, f"{label}: all pushes queued, from the POST", result["queued"], "s",
                 f"< {QUEUED_TARGET_S:g} s", result["queued"] < QUEUED_TARGET_S),
            _row(name, f"{label}: inbox messages / deliveries",
                 f"{result['inbox']}/{result['deliveries']}", "", "= residents", complete),
        ]
    return rows


def _child(env, step):
    answer = subprocess.run(
        [sys.executable, "-m", "bench.notice_publish", "--child", step],
        cwd=ROOT, env={**env, "DEBUG": "1"}, check=True, capture_output=True, text=True)
    return json.loads(answer.stdout.strip().splitlines()[-1])


def _publish(base, database_url, session, draft, log):
    """POST the draft's edit form with "publish"; time the answer, then the push."""
    started = time.monotonic()
    _post(base, session, draft, log)
    answered = time.monotonic() - started
    with closing(_connect(database_url)) as connection:
        while True:
            recipients = _one(connection, "SELECT recipients FROM notices_noticepush "
                              "WHERE page_id = %s AND sent_at IS NOT NULL", draft["page"])
            if recipients is not None:
                queued = time.monotonic() - started
                break
            if time.monotonic() - started > TIMEOUT_S:
                raise RuntimeError("the push was not written in time")
            time.sleep(POLL_SECONDS)
        inbox = _one(connection, "SELECT count(*) FROM notifications_inboxmessage "
                     "WHERE url = %s", draft["url"])
        deliveries = _one(connection, "SELECT count(*) FROM notifications_delivery d "
                          "JOIN notifications_inboxmessage m ON m.id = d.message_id "
                          "WHERE m.url = %s", draft["url"])
    return {"request": round(answered, 2), "queued": round(queued, 2),
            "recipients": recipients, "inbox": inbox, "deliveries": deliveries,
            "expected": draft["residents"]}


def _post(base, session, draft, log):
    """The edit form as the browser posts it (session cookie, CSRF token); the view
    answers a valid form with a redirect."""
    token = secrets.token_hex(16)  # an unmasked CSRF secret, as Django accepts it
    body = urllib.parse.urlencode({**draft["form"], "csrfmiddlewaretoken": token}).encode()
    request = urllib.request.Request(
        f"{base}{draft['edit_url']}", data=body, method="POST",
        headers={"Cookie": f"sessionid={session}; csrftoken={token}",
                 "Content-Type": "application/x-www-form-urlencoded"})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=60) as response:
            raise RuntimeError(f"the edit view answered {response.status}, not a "
                               "redirect: the form was refused")
    except urllib.error.HTTPError as response:
        if response.code != 302:
            raise RuntimeError(f"the edit view answered {response.code}:\n"
                               f"{log.read_text()[-3000:]}") from response


def _warm_up(base, drafts, log, times=4):
    """A third draft saved a few times through the same edit view: each server worker
    has loaded the admin and its forms before the measured POSTs. (Not the edit page
    itself: for a superuser it lists every building and unit of the estate.)"""
    for _ in range(times):
        _post(base, drafts["session"], drafts["warm_up"], log)


def _wait_until_idle(database_url, quiet_polls=4):
    """Until the worker has run every task that is due (seed_demo's search and reference
    index updates, the first notice's sending), so that a measurement does not wait
    behind them. Retries set for later do not count."""
    now = "now()" if not database_url.startswith("sqlite") else \
        "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    deadline = time.monotonic() + TIMEOUT_S
    with closing(_connect(database_url)) as connection:
        quiet = 0
        while quiet < quiet_polls:
            due = _one(connection, "SELECT count(*) FROM django_tasks_database_dbtaskresult"
                       " WHERE status = 'RUNNING' OR (status = 'READY' AND run_after <= "
                       f"{now})")
            quiet = quiet + 1 if due == 0 else 0
            if time.monotonic() > deadline:
                raise RuntimeError(f"{due} tasks still due")
            time.sleep(0.25)


def _connect(database_url):
    if database_url.startswith("sqlite:///"):
        return sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=30,
                               isolation_level=None)
    import psycopg

    return psycopg.connect(database_url, autocommit=True)


def _one(connection, sql, *params):
    if isinstance(connection, sqlite3.Connection):
        sql = sql.replace("%s", "?")
    row = connection.execute(sql, params).fetchone()
    return row[0] if row else None


# -- in the child process, with Django set up -------------------------------------------


def prepare():
    """The two drafts, their edit forms as the admin's editor posts them, and the
    editor's session key."""
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from bench.notice_list import _notice_index
    from home.pages import ensure_home_page
    from portal.accounts.models import User
    from portal.estates.models import Building

    from .home_page import RESIDENT_PHONE

    community = User.find_by_phone(RESIDENT_PHONE).resident.community
    index = _notice_index(ensure_home_page(community))
    building = Building.objects.filter(community=community).order_by("pk").first()
    client = Client()
    client.force_login(User.objects.get(username=EDITOR))
    drafts = {"session": client.cookies[settings.SESSION_COOKIE_NAME].value}
    for key, target in (("building", {"building": building}),
                        ("company", {"whole_company": True,
                                     "company_id": community.company_id}),
                        ("warm_up", {"building": building})):
        page = _draft(index, key, target)
        drafts[key] = {"page": page.pk, "url": page.url,
                       "form": _form(page, publish=key != "warm_up"),
                       "edit_url": reverse("wagtailadmin_pages:edit", args=[page.pk]),
                       "residents": _residents(page)}
    return drafts


def _draft(index, key, target):
    from notices.models import NoticePage, NoticeTarget

    page = NoticePage(title=f"停水通知 ({key})", slug=f"water-cut-{key}", live=False,
                      category=NoticePage.Category.EMERGENCY,
                      summary="明天9:00至13:00停水，请提前储水。")
    page.targets.add(NoticeTarget(**target))
    index.add_child(instance=page)
    page.save_revision(log_action=False)
    return page


def _form(page, publish=True):
    """The edit form's fields as the editor's browser posts them, with "publish" (or
    "save draft")."""
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

    target = page.targets.get()
    data = nested_form_data({
        "title": page.title, "slug": page.slug, "category": page.category,
        "summary": page.summary, "valid_until": "", "body": streamfield([]),
        "targets": inline_formset([{
            "id": target.pk, "whole_company": "on" if target.whole_company else "",
            "community": target.community_id or "", "building": target.building_id or "",
            "unit": target.unit_id or "", "ORDER": 1}], initial=1),
    })
    if publish:
        data["action-publish"] = "action-publish"
    return data


def _residents(page):
    from notices import targeting

    return targeting.targeted_residents(page).count()


def _main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.notice_publish")
    parser.add_argument("--houses", type=int, default=HOUSES)
    parser.add_argument("--child", choices=["prepare"])
    args = parser.parse_args(argv)
    if args.child:
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
        django.setup()
        print(json.dumps({"prepare": prepare}[args.child]()))
        return 0
    for row in run(args.houses):
        print("  ".join(str(row[column]) for column in row))
    return 0


if __name__ == "__main__":
    sys.exit(_main())
