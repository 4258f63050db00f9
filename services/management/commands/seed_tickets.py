"""Bulk-load realistic tickets into an estate (run seed_demo first), for the queue, submit
and report benchmarks: `manage.py seed_tickets --tickets 1000000`.

Tickets spread over the last months with the day and hour rhythm of real repair desks
(mornings and evenings, more at weekends), the categories' usual shares, states that
follow a ticket's age (old ones closed or rated, recent ones still open) and timestamps
that respect the order of the lifecycle. They are written straight to the table (COPY on
PostgreSQL, bulk_create elsewhere): no timeline events, notifications or dispatch tasks,
which neither the queue nor the report reads.
"""

import random
import time
from collections import defaultdict
from datetime import timedelta
from itertools import accumulate

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from portal.crypto import encrypt
from portal.estates import roles
from portal.estates.models import Building, Company, Occupancy, Staff
from services.models import Ticket, TicketCategory

State = Ticket.State
CHUNK = 50_000
PHONES = 500

# The share of each category among tickets (names are the default categories, data).
CATEGORY_SHARES = {
    ("repair", "水"): 26, ("repair", "电"): 18, ("repair", "门窗"): 12, ("repair", "燃气"): 4,
    ("repair", "电梯"): 6, ("repair", "公共设施"): 12, ("repair", "其他"): 6,
    ("complaint", "服务态度"): 3, ("complaint", "环境卫生"): 3, ("complaint", "噪音扰民"): 3,
    ("complaint", "停车秩序"): 2, ("complaint", "其他"): 1,
    ("suggestion", "服务建议"): 3, ("suggestion", "其他"): 1,
}
DESCRIPTIONS = {
    "水": ["厨房水龙头漏水", "卫生间下水道堵塞", "热水器不出热水", "水管爆裂,地面积水"],
    "电": ["客厅插座没电", "空开频繁跳闸", "楼道灯不亮", "卧室灯闪烁"],
    "门窗": ["入户门锁坏了", "窗户关不严,漏风", "阳台推拉门卡住"],
    "燃气": ["燃气灶打不着火", "闻到燃气味"],
    "电梯": ["电梯异响", "电梯按钮失灵", "电梯门关不上"],
    "公共设施": ["小区路灯坏了", "健身器材损坏", "单元门禁失灵"],
}
PUBLIC_AREAS = ["电梯厅", "楼道", "地下车库", "单元门口", "屋顶"]
# Submissions per hour of the day and per weekday (Monday first): relative weights.
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 8, 12, 11, 9, 7, 6, 6, 7, 7, 7, 8, 10, 12, 12, 9, 5, 2]
WEEKDAY_WEIGHTS = [10, 9, 9, 9, 10, 13, 13]
# States by age: (age in days up to, [(state, weight)]).
REPAIR_STATES = [
    (2, [(State.SUBMITTED, 20), (State.ACCEPTED, 10), (State.DISPATCHED, 25),
         (State.IN_PROGRESS, 15), (State.COMPLETED, 25), (State.CANCELLED, 5)]),
    (14, [(State.DISPATCHED, 3), (State.IN_PROGRESS, 4), (State.COMPLETED, 35),
          (State.CONFIRMED, 15), (State.RATED, 20), (State.CLOSED, 18), (State.CANCELLED, 5)]),
    (None, [(State.IN_PROGRESS, 0.2), (State.COMPLETED, 4), (State.CONFIRMED, 8),
            (State.RATED, 28), (State.CLOSED, 55), (State.CANCELLED, 5)]),
]
ANSWERED_STATES = [
    (2, [(State.SUBMITTED, 30), (State.ACCEPTED, 30), (State.COMPLETED, 40)]),
    (None, [(State.COMPLETED, 20), (State.RATED, 20), (State.CLOSED, 60)]),
]
AFTER_ACCEPT = {State.ACCEPTED, State.DISPATCHED, State.IN_PROGRESS, State.COMPLETED,
                State.CONFIRMED, State.RATED, State.CLOSED}
AFTER_DISPATCH = {State.DISPATCHED, State.IN_PROGRESS, State.COMPLETED, State.CONFIRMED,
                  State.RATED, State.CLOSED}
AFTER_COMPLETE = {State.COMPLETED, State.CONFIRMED, State.RATED, State.CLOSED}


class Command(BaseCommand):
    help = ("Bulk-load realistic tickets into the estate of seed_demo (for benchmarks): "
            "spread over the last months, states by age, no timeline events.")

    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int, default=10_000)
        parser.add_argument("--months", type=int, default=24,
                            help="Spread over this many months up to now (default 24).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed.")

    def handle(self, tickets, months, seed, **options):
        company = Company.objects.order_by("pk").first()
        if company is None or not Occupancy.objects.exists():
            raise CommandError("No estate: run seed_demo first.")
        started = time.monotonic()
        plan = TicketPlan(company, months, random.Random(seed))
        # Written in the order they were submitted, as a live desk writes them: a month's
        # tickets then lie together in the table, as they do in production.
        moments = sorted(plan.created_at() for _ in range(tickets))
        written = 0
        while written < tickets:
            rows = [plan.ticket(created) for created in moments[written:written + CHUNK]]
            _write(rows)
            written += len(rows)
            self.stdout.write(f"{written} tickets", ending="\r")
        if connection.vendor == "postgresql":
            # What autovacuum does after a bulk load: statistics for the planner and the
            # visibility map that lets counts read the indexes alone.
            # (Inside a transaction, as in tests, VACUUM cannot run: statistics only.)
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            with connection.cursor() as cursor:
                cursor.execute(f"{command} {Ticket._meta.db_table}")
        self.stdout.write(f"Created {written} tickets in {time.monotonic() - started:.1f} s.")


class TicketPlan:
    """Draws one ticket after another from the estate's people, buildings and staff."""

    def __init__(self, company, months, rng):
        self.rng = rng
        self.now = timezone.now()
        self.span_days = months * 30
        categories = {(c.kind, c.name): c for c in
                      TicketCategory.objects.filter(company=company, active=True)}
        shares = [(categories[key], weight) for key, weight in CATEGORY_SHARES.items()
                  if key in categories]
        self.categories, weights = zip(*shares, strict=True)
        self.category_weights = list(accumulate(weights))
        self.occupants = defaultdict(list)  # community → [(house, building, user, name)]
        for row in (Occupancy.objects.active()
                    .filter(house__community__company=company)
                    .values_list("house__community_id", "house_id", "house__building_id",
                                 "resident__user_id", "resident__name")):
            self.occupants[row[0]].append(row[1:])
        self.communities = list(self.occupants)
        self.community_weights = list(accumulate(len(self.occupants[c])
                                                 for c in self.communities))
        self.buildings = defaultdict(list)
        for community_id, building_id in Building.objects.filter(
                community_id__in=self.communities).values_list("community_id", "pk"):
            self.buildings[community_id].append(building_id)
        self.workers = self._staff(company, roles.WORKER)
        self.desk = self._staff(company, roles.CUSTOMER_SERVICE)
        self.phones = [f"139{rng.randrange(10**8):08d}" for _ in range(PHONES)]
        self.days = range(self.span_days)
        self.day_weights = list(accumulate(
            WEEKDAY_WEIGHTS[(self.now - timedelta(days=d)).weekday()] for d in self.days))
        self.hour_weights = list(accumulate(HOUR_WEIGHTS))

    def _staff(self, company, role):
        people = defaultdict(list)
        for community_id, staff_id in (Staff.objects.filter(company=company,
                                                            user__groups__name=role)
                                       .values_list("communities", "pk")):
            if community_id:
                people[community_id].append(staff_id)
        return people

    def created_at(self):
        rng = self.rng
        day = rng.choices(self.days, cum_weights=self.day_weights)[0]
        hour = rng.choices(range(24), cum_weights=self.hour_weights)[0]
        local_midnight = timezone.localtime(self.now - timedelta(days=day)).replace(
            hour=0, minute=0, second=0, microsecond=0)
        created = local_midnight + timedelta(hours=hour, seconds=rng.randrange(3600))
        return min(created, self.now - timedelta(minutes=1))

    def ticket(self, created):
        rng = self.rng
        category = rng.choices(self.categories, cum_weights=self.category_weights)[0]
        community = rng.choices(self.communities, cum_weights=self.community_weights)[0]
        house, building, user, name = rng.choice(self.occupants[community])
        urgent = category.kind == "repair" and rng.random() < 0.1
        urgency = Ticket.Urgency.URGENT if urgent else Ticket.Urgency.NORMAL
        response_due, completion_due = category.deadlines(urgency, created)
        row = {
            "kind": category.kind, "category_id": category.pk, "urgency": urgency,
            "community_id": community, "reporter_id": user, "contact_name": name,
            "contact_phone": rng.choice(self.phones),
            "description": rng.choice(DESCRIPTIONS.get(category.name, ["请尽快处理"])),
            "created_at": created, "response_due": response_due,
            "completion_due": completion_due,
            "anonymous": category.kind == "complaint" and rng.random() < 0.2,
        }
        if category.kind == "repair":
            if category.name in ("电梯", "公共设施") or rng.random() < 0.1:
                building = rng.choice(self.buildings[community])
                row.update(building_id=building, public_area=rng.choice(PUBLIC_AREAS))
            else:
                row.update(house_id=house, building_id=building)
        self._lifecycle(row, category.kind == "repair", community)
        return row

    def _later(self, moment, minutes):
        """A step so many minutes after the last, but not in the future."""
        return min(self.now, moment + timedelta(minutes=minutes))

    def _lifecycle(self, row, repair, community):
        rng = self.rng
        created = row["created_at"]
        age_days = (self.now - created).days
        table = REPAIR_STATES if repair else ANSWERED_STATES
        choices = next(c for limit, c in table if limit is None or age_days <= limit)
        state = rng.choices([s for s, _w in choices], [w for _s, w in choices])[0]
        moments = created
        if state in AFTER_ACCEPT:
            moments = self._later(moments, minutes=rng.expovariate(1 / 25))
            row["accepted_at"] = moments
            row["handler_id"] = _pick(rng, self.desk[community])
        if repair and state in AFTER_DISPATCH:
            moments = self._later(moments, minutes=rng.expovariate(1 / 10))
            row["dispatched_at"] = moments
            row["assignee_id"] = _pick(rng, self.workers[community])
            if state != State.DISPATCHED:
                moments = self._later(moments, minutes=30 + rng.expovariate(1 / 60))
                row["started_at"] = moments
        if state in AFTER_COMPLETE:
            hours = rng.expovariate(1 / 18) if repair else rng.expovariate(1 / 6)
            completed = max(moments, created + timedelta(hours=hours))
            if completed >= self.now:
                state = State.IN_PROGRESS if repair else State.ACCEPTED
            else:
                row["completed_at"] = completed
                if state in (State.RATED, State.CLOSED) and rng.random() < 0.6:
                    scores = [min(5, max(1, round(rng.gauss(4.4, 0.8)))) for _ in range(3)]
                    row.update(rating_speed=scores[0], rating_attitude=scores[1],
                               rating_quality=scores[2],
                               rated_at=min(self.now, completed + timedelta(hours=6)))
                if state == State.CLOSED:
                    row["closed_at"] = min(self.now, completed + timedelta(days=3))
        if state == State.CANCELLED:
            row["closed_at"] = self._later(created, minutes=rng.randrange(5, 120))
        row["state"] = state


_ENCRYPTED = {}


def _encrypted(phone):
    if phone not in _ENCRYPTED:
        _ENCRYPTED[phone] = encrypt(phone)
    return _ENCRYPTED[phone]


def _pick(rng, choices):
    return rng.choice(choices) if choices else None


def _columns():
    return [f for f in Ticket._meta.concrete_fields if not f.primary_key]


def _write(rows):
    fields = _columns()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _copy(rows, fields)
        else:
            Ticket.objects.bulk_create(
                [Ticket(**{f.attname: row.get(f.attname, f.get_default()) for f in fields})
                 for row in rows], batch_size=2000)


def _copy(rows, fields):
    """PostgreSQL's COPY: several times faster than INSERTs for a million rows. COPY
    takes what the database stores, so the phones go encrypted (each of the few
    distinct numbers once)."""
    defaults = {f.attname: f.get_default() for f in fields}
    rows = [{**row, "contact_phone": _encrypted(row["contact_phone"])} for row in rows]
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(Ticket._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            # The rows point only at rows read from the database a moment ago: skipping
            # the foreign-key triggers halves the load time (superusers only).
            cursor.execute("SET LOCAL session_replication_role = replica")
        raw = cursor.cursor
        with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row.get(f.attname, defaults[f.attname]) for f in fields])
