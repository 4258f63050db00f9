"""The demo's repair crews, so `make run` shows automatic dispatch: in each community with
workers, a team of them, a duty calendar (two day workers, one on nights) and a rule that
sends every repair to the team's least busy member on duty. Running it again creates
nothing."""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from portal.estates import roles
from portal.estates.models import Staff

from .roster import DispatchRule, DutyShift, WorkerTeam

TEAM = "维修班"
DAYS = 90
DAY_SHIFT = (time(8), time(20))


def seed(company, days=DAYS):
    """Returns {label: how many created}."""
    created = {"worker teams": 0, "duty shifts": 0, "dispatch rules": 0}
    with transaction.atomic():
        for community in company.communities.order_by("pk"):
            workers = list(Staff.objects.filter(
                communities=community, user__groups__name=roles.WORKER).order_by("pk"))
            if not workers:
                continue
            team, new = WorkerTeam.objects.get_or_create(community=community, name=TEAM)
            if new:
                team.members.set(workers)
                created["worker teams"] += 1
            for index, worker in enumerate(workers):
                if not DutyShift.objects.filter(community=community, staff=worker).exists():
                    DutyShift.objects.bulk_create(
                        _shifts(community, worker, night=index == 1, days=days))
                    created["duty shifts"] += days
            _, new = DispatchRule.objects.get_or_create(community=community, building=None,
                                                        category=None, defaults={"team": team})
            created["dispatch rules"] += new
    return created


def _shifts(community, worker, night, days):
    """From yesterday on: 8:00-20:00, or 20:00-8:00 the next morning for the night worker."""
    first = timezone.localdate() - timedelta(days=1)
    for offset in range(days):
        day = first + timedelta(days=offset)
        starts, ends = (DAY_SHIFT[1], DAY_SHIFT[0]) if night else DAY_SHIFT
        ends_on = day + timedelta(days=1) if night else day
        yield DutyShift(community=community, staff=worker,
                        starts_at=timezone.make_aware(datetime.combine(day, starts)),
                        ends_at=timezone.make_aware(datetime.combine(ends_on, ends)))
