"""Benchmark: a resident's notice list on a 100,000-house estate with 20,000 notices,
against the trivial view /healthz served by the same server.

Set up as bench.home_page does (a fresh database seeded with `seed_demo --houses
100000`, gunicorn with 2 workers and production settings, Redis, wrk with 32
connections); then 20,000 published notices are added under one community's notice
index, targeted at communities, buildings and units across the estate. The list is what
the demo owner opens from the home page (first page, no filter); target: p99 under
100 ms.
"""

import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.home_page import (
    CONNECTIONS,
    HOUSES,
    ROOT,
    _database,
    _environment,
    _gunicorn,
    _manage,
    _row,
    _session_key,
    _wrk,
)

BENCHMARK = "notice list"
NOTICES = 20_000
P99_TARGET_MS = 100


def run():
    with tempfile.TemporaryDirectory(prefix="bench-notices-") as tmp, \
            _database(Path(tmp)) as (database_url, database):
        env = _environment(database_url, Path(tmp))
        _manage(env, "migrate", "--noinput")
        _manage({**env, "DEBUG": "1"}, "seed_demo", "--houses", str(HOUSES))
        started = time.monotonic()
        path = subprocess.run(
            [sys.executable, "-c", "import django; django.setup()\n"
             f"from bench.notice_list import seed_notices; print(seed_notices({NOTICES}))"],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True,
        ).stdout.strip().splitlines()[-1]
        seed_seconds = time.monotonic() - started
        _manage(env, "collectstatic", "--noinput")
        cookie = f"sessionid={_session_key(env)}"
        with _gunicorn(env, Path(tmp)) as base:
            trivial = _wrk(f"{base}/healthz", cookie)
            listing = _wrk(f"{base}{path}", cookie)

    name = f"{BENCHMARK} ({database})"
    return [
        _row(name, f"{NOTICES} notices published", round(seed_seconds, 1), "s"),
        _row(name, "trivial view /healthz", round(trivial["rps"]), "req/s"),
        _row(name, "trivial view p99", trivial["p99"], "ms"),
        _row(name, f"notice list {path}, {CONNECTIONS} connections", round(listing["rps"]),
             "req/s", "no errors", listing["errors"] == 0),
        _row(name, "notice list p50", listing["p50"], "ms"),
        _row(name, "notice list p99", listing["p99"], "ms", f"< {P99_TARGET_MS} ms",
             listing["p99"] < P99_TARGET_MS),
    ]


def seed_notices(count):
    """Publish `count` notices under the demo owner's community; return the path of its
    notice list. Pages are written straight into the tree, without revisions, as an
    import would: it is the reading side that is measured."""
    from django.db import transaction
    from django.utils import timezone

    from home.pages import ensure_home_page
    from notices.models import NoticeIndexPage, NoticePage, NoticeTarget
    from portal.accounts.models import User
    from portal.estates.models import Building, Community, Unit

    from .home_page import RESIDENT_PHONE

    rng = random.Random(4)
    community = User.find_by_phone(RESIDENT_PHONE).resident.community
    home = ensure_home_page(community)
    index = NoticeIndexPage.objects.child_of(home).first()
    if index is None:
        index = NoticeIndexPage(title="通知公告", slug="notices")
        home.add_child(instance=index)
    communities = list(Community.objects.values_list("pk", "company_id"))
    buildings = list(Building.objects.values_list("pk", "community_id",
                                                  "community__company_id"))
    units = list(Unit.objects.values_list("pk", "building_id", "community_id",
                                          "community__company_id"))
    categories = [choice for choice, _label in NoticePage.Category.choices]
    now = timezone.now()
    first_step = index.numchild + 1
    targets = []
    with transaction.atomic():
        for number in range(count):
            slug = f"notice-{first_step + number}"
            page = NoticePage(
                title=f"通知 {number}", slug=slug, summary="测试通知摘要。",
                category=categories[number % len(categories)], pinned=number % 500 == 0,
                live=True, first_published_at=now, last_published_at=now,
                depth=index.depth + 1, numchild=0, url_path=f"{index.url_path}{slug}/",
                path=NoticePage._get_path(index.path, index.depth + 1, first_step + number),
                community_id=community.pk,
            )
            page.save(clean=False)
            targets.append(_random_target(rng, page, communities, buildings, units))
        NoticeTarget.objects.bulk_create(targets, batch_size=2000)
        type(index).objects.filter(pk=index.pk).update(numchild=index.numchild + count)
    return index.url


def _random_target(rng, page, communities, buildings, units):
    from notices.models import NoticeTarget

    kind = rng.random()
    if kind < 0.1:
        community_id, company_id = rng.choice(communities)
        return NoticeTarget(page=page, company_id=company_id, community_id=community_id)
    if kind < 0.7:
        building_id, community_id, company_id = rng.choice(buildings)
        return NoticeTarget(page=page, company_id=company_id, community_id=community_id,
                            building_id=building_id)
    unit_id, building_id, community_id, company_id = rng.choice(units)
    return NoticeTarget(page=page, company_id=company_id, community_id=community_id,
                        building_id=building_id, unit_id=unit_id)


if __name__ == "__main__":
    for row in run():
        print("  ".join(str(row[column]) for column in row))
