"""Benchmark: a resident's notice list on a 100,000-house estate with 20,000 notices,
against the trivial view /healthz served by the same server.

Set up as bench.home_page does (a fresh database seeded with `seed_demo --houses
100000`, gunicorn with 2 workers and production settings, Redis, wrk with 32
connections); then 20,000 published notices are spread over the ten communities'
notice lists, targeted at the whole company, communities, buildings and units, and the
older ones read (see seed_notices). The list is what the demo owner opens from the home
page (first page, no filter), measured with the per-session page cache off (a first
visit, or the first after any change) and on. Target: p99 under 100 ms.
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
            _database(Path(tmp), "notices") as (database_url, database):
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
        with _gunicorn({**env, "RESIDENT_PAGE_CACHE_SECONDS": "0"}, Path(tmp)) as base:
            uncached = _wrk(f"{base}{path}", cookie)
        with _gunicorn(env, Path(tmp)) as base:
            trivial = _wrk(f"{base}/healthz", cookie)
            listing = _wrk(f"{base}{path}", cookie)

    name = f"{BENCHMARK} ({database})"
    return [
        _row(name, f"{NOTICES} notices published and read", round(seed_seconds, 1), "s"),
        _row(name, "trivial view /healthz", round(trivial["rps"]), "req/s"),
        _row(name, "trivial view p99", trivial["p99"], "ms"),
        _row(name, f"notice list {path}, {CONNECTIONS} connections", round(listing["rps"]),
             "req/s", "no errors", listing["errors"] == 0),
        _row(name, "notice list p50", listing["p50"], "ms"),
        _row(name, "notice list p99", listing["p99"], "ms", f"< {P99_TARGET_MS} ms",
             listing["p99"] < P99_TARGET_MS),
        _row(name, "notice list, page cache off", round(uncached["rps"]), "req/s",
             "no errors", uncached["errors"] == 0),
        _row(name, "notice list, page cache off, p50", uncached["p50"], "ms"),
        _row(name, "notice list, page cache off, p99", uncached["p99"], "ms"),
    ]


def seed_notices(count):
    """Publish ``count`` notices across the estate and return the path of the demo
    owner's notice list.

    Each community's index gets its share, targeted the way editors target: a few at the
    whole company, some at their community, most at one building or one unit of it. Older
    notices have been read: by the demo owner (most of those meant for them) and by about
    ten residents of the community each. Pages are written in bulk straight into the
    tree, without revisions or search entries, as an import would: it is the reading side
    that is measured.
    """
    from django.db import transaction

    from home.pages import ensure_home_page
    from portal.accounts.models import User
    from portal.estates.models import Community

    from .home_page import RESIDENT_PHONE

    rng = random.Random(4)
    resident = User.find_by_phone(RESIDENT_PHONE).resident
    communities = list(Community.objects.order_by("pk"))
    with transaction.atomic():
        written = []
        for number, community in enumerate(communities):
            share = count // len(communities) + (number < count % len(communities))
            index = _notice_index(ensure_home_page(community))
            written += _write_notices(rng, index, community, share, start=len(written))
        _write_reads(rng, written, resident)
    _analyze()
    return _notice_index(ensure_home_page(resident.community)).url


def _analyze():
    """Fresh statistics for the query planner, as autovacuum would gather them after a
    bulk import (without them PostgreSQL plans for empty tables)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# Of every hundred notices: targeted at the whole company, the community, a building, a
# unit.
SPREAD = (("company", 2), ("community", 18), ("building", 50), ("unit", 30))
CATEGORIES = (("general", 50), ("reminder", 20), ("fee", 10), ("festival", 10),
              ("emergency", 10))
READERS_PER_NOTICE = 10
DEMO_OWNER_READS = 0.8  # of the notices meant for them, all but the newest


def _notice_index(home):
    from notices.models import NoticeIndexPage

    index = NoticeIndexPage.objects.child_of(home).first()
    if index is None:
        index = NoticeIndexPage(title="通知公告", slug="notices")
        home.add_child(instance=index)
        index.save_revision(log_action=False).publish(log_action=False)
    return index


def _weighted(rng, table):
    return rng.choices([value for value, _weight in table],
                       weights=[weight for _value, weight in table])[0]


def _write_notices(rng, index, community, count, start):
    """``count`` live NoticePages under ``index`` with their targets; returns
    (page id, community id, target) of each, newest last."""
    from datetime import timedelta

    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone
    from wagtail.models import Page

    from notices.models import NoticePage, NoticeTarget
    from portal.estates.models import Building, Unit

    buildings = list(Building.objects.filter(community=community).values_list("pk", flat=True))
    units = list(Unit.objects.filter(community=community).values_list("pk", "building_id"))
    content_type = ContentType.objects.get_for_model(NoticePage)
    now = timezone.now()
    first_step = index.numchild + 1
    pages = []
    for number in range(count):
        slug = f"notice-{first_step + number}"
        # One notice every few hours over the years, the newest last.
        published = now - timedelta(hours=3 * (count - number), minutes=rng.randrange(180))
        pages.append(Page(
            title=f"通知 {start + number}", draft_title=f"通知 {start + number}", slug=slug,
            content_type=content_type, live=True, has_unpublished_changes=False,
            first_published_at=published, last_published_at=published,
            path=Page._get_path(index.path, index.depth + 1, first_step + number),
            depth=index.depth + 1, numchild=0, url_path=f"{index.url_path}{slug}/",
            locale_id=index.locale_id,
        ))
    Page.objects.bulk_create(pages, batch_size=2000)
    notices = []
    targets = []
    written = []
    for number, page in enumerate(pages):
        category = _weighted(rng, CATEGORIES)
        # Most emergencies (water or power cuts) are over; the last few still hold.
        valid_until = (page.first_published_at + timedelta(days=2)).date() \
            if category == "emergency" else None
        notices.append(NoticePage(
            page_ptr_id=page.pk, community_id=community.pk, category=category,
            summary="测试通知摘要。", pinned=number % 500 == 0, valid_until=valid_until))
        target = _target(rng, page.pk, community, buildings, units)
        targets.append(target)
        written.append((page.pk, community.pk, target))
    # Django does not bulk-create multi-table children; their own table is filled with
    # the fields NoticePage declares itself (the pages above are their parents).
    NoticePage.objects.all()._batched_insert(notices, NoticePage._meta.local_concrete_fields,
                                       batch_size=2000)
    NoticeTarget.objects.bulk_create(targets, batch_size=2000)
    type(index).objects.filter(pk=index.pk).update(numchild=index.numchild + count)
    return written


def _target(rng, page_id, community, buildings, units):
    from notices.models import NoticeTarget

    kind = _weighted(rng, SPREAD)
    target = NoticeTarget(page_id=page_id, company_id=community.company_id)
    if kind == "company":
        target.whole_company = True
    elif kind == "community":
        target.community_id = community.pk
    elif kind == "building":
        target.community_id = community.pk
        target.building_id = rng.choice(buildings)
    else:
        target.community_id = community.pk
        target.unit_id, target.building_id = rng.choice(units)
    return target


def _write_reads(rng, written, resident):
    """Reads of the older notices: the demo owner's, and a few residents' of each."""
    from collections import defaultdict

    from notices import targeting
    from notices.models import NoticePage, NoticeRead
    from portal.estates.models import Resident

    residents = defaultdict(list)
    for pk, community_id in Resident.objects.values_list("pk", "community_id"):
        residents[community_id].append(pk)
    reads = []
    for page_id, community_id, _target in written:
        for reader in rng.sample(residents[community_id], READERS_PER_NOTICE):
            reads.append(NoticeRead(page_id=page_id, resident_id=reader,
                                    community_id=community_id))
    mine = list(NoticePage.objects.filter(targeting.pages_for_resident(resident))
                .order_by("first_published_at").values_list("pk", flat=True))
    reads += [NoticeRead(page_id=pk, resident=resident, community_id=resident.community_id)
              for pk in mine[:int(len(mine) * DEMO_OWNER_READS)]]
    NoticeRead.objects.bulk_create(reads, batch_size=5000, ignore_conflicts=True)


if __name__ == "__main__":
    for row in run():
        print("  ".join(str(row[column]) for column in row))
