"""The ticket report's figures, each computed by the database over a base queryset.

The base queryset is ``Ticket.objects.visible_to(user)`` (optionally narrowed to one
community): the report never sees a ticket its reader could not open. A ticket belongs to
the period in which it was submitted. Every figure is grouped by community, so that
leadership can read the communities side by side; the "all" column is added up from the
same numerators and denominators, never averaged from averages.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, DurationField, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.utils import timezone

from portal.estates.models import Community

from ..tickets.categories import TicketKind
from ..tickets.models import State, Ticket

REPEAT_DAYS = 30
SATISFIED_SCORE = 4
TOP_BUILDINGS = 10
ALL = "all"


@dataclass(frozen=True)
class Period:
    """From the first to the last day, both included, in the local time zone."""

    first: date
    last: date

    @classmethod
    def month_of(cls, day):
        first = day.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return cls(first, following - timedelta(days=1))

    @property
    def start(self):
        return timezone.make_aware(datetime.combine(self.first, time.min))

    @property
    def end(self):
        return timezone.make_aware(datetime.combine(self.last + timedelta(days=1), time.min))


def submitted_in(tickets, period):
    return tickets.filter(created_at__gte=period.start, created_at__lt=period.end)


@dataclass
class Figures:
    """One column of the report: one community, or all of them together."""

    tickets: int = 0
    by_category: dict = field(default_factory=dict)
    by_state: dict = field(default_factory=dict)
    accepted: int = 0
    response_seconds: float = 0.0
    completed: int = 0
    completion_seconds: float = 0.0
    due: int = 0
    on_time: int = 0
    rated: int = 0
    satisfied: int = 0
    repairs: int = 0
    repeats: int = 0

    @property
    def average_response_minutes(self):
        return _ratio(self.response_seconds / 60, self.accepted)

    @property
    def average_completion_hours(self):
        return _ratio(self.completion_seconds / 3600, self.completed)

    @property
    def on_time_rate(self):
        return _percent(self.on_time, self.due)

    @property
    def satisfaction_rate(self):
        return _percent(self.satisfied, self.rated)

    @property
    def repeat_rate(self):
        return _percent(self.repeats, self.repairs)

    def add(self, other):
        for name in ("tickets", "accepted", "response_seconds", "completed",
                     "completion_seconds", "due", "on_time", "rated", "satisfied",
                     "repairs", "repeats"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for mine, theirs in ((self.by_category, other.by_category),
                             (self.by_state, other.by_state)):
            for key, count in theirs.items():
                mine[key] = mine.get(key, 0) + count


def _ratio(total, count):
    return round(total / count, 1) if count else None


def _percent(part, whole):
    return round(100 * part / whole, 1) if whole else None


def _seconds(duration):
    return duration.total_seconds() if duration else 0.0


def figures_by_community(tickets, period):
    """{community_id: Figures, ALL: Figures} for the tickets submitted in the period."""
    in_period = submitted_in(tickets, period)
    columns = {}

    def column(community_id):
        return columns.setdefault(community_id, Figures())

    for row in in_period.values("community_id", "category_id").annotate(n=Count("pk")):
        column(row["community_id"]).by_category[row["category_id"]] = row["n"]
    for row in in_period.values("community_id", "state").annotate(n=Count("pk")):
        column(row["community_id"]).by_state[row["state"]] = row["n"]
    for row in in_period.values("community_id").annotate(**_time_and_rate_counts()):
        figures = column(row.pop("community_id"))
        figures.response_seconds = _seconds(row.pop("response_time"))
        figures.completion_seconds = _seconds(row.pop("completion_time"))
        for name, value in row.items():
            setattr(figures, name, value)
    for row in (repeat_candidates(tickets, period).values("community_id")
                .annotate(repairs=Count("pk"), repeats=Count("pk", filter=Q(is_repeat=True)))):
        figures = column(row["community_id"])
        figures.repairs, figures.repeats = row["repairs"], row["repeats"]

    total = Figures()
    for figures in columns.values():
        total.add(figures)
    columns[ALL] = total
    return columns


def _time_and_rate_counts():
    """Response time runs from submission to acceptance (or dispatch, which accepts),
    completion time from submission to completion; on time means completed no later
    than the completion deadline; satisfied means all three scores SATISFIED_SCORE or
    more."""
    done = Q(completed_at__isnull=False)
    satisfied = Q(rating_speed__gte=SATISFIED_SCORE, rating_attitude__gte=SATISFIED_SCORE,
                  rating_quality__gte=SATISFIED_SCORE)
    return {
        "tickets": Count("pk"),
        "accepted": Count("pk", filter=Q(accepted_at__isnull=False)),
        "response_time": Sum(F("accepted_at") - F("created_at"),
                             output_field=DurationField()),
        "completed": Count("pk", filter=done),
        "completion_time": Sum(F("completed_at") - F("created_at"),
                               output_field=DurationField()),
        "due": Count("pk", filter=done & Q(completion_due__isnull=False)),
        "on_time": Count("pk", filter=done & Q(completed_at__lte=F("completion_due"))),
        "rated": Count("pk", filter=Q(rated_at__isnull=False)),
        "satisfied": Count("pk", filter=Q(rated_at__isnull=False) & satisfied),
    }


def genuine_repairs(tickets):
    """The repairs that count as faults: not cancelled, not a duplicate merged into
    another ticket, not a follow-up the system opened after a low rating."""
    return tickets.filter(kind=TicketKind.REPAIR, merged_into__isnull=True,
                          follow_up_of__isnull=True).exclude(state=State.CANCELLED)


def counted_repairs(tickets):
    """The repairs the repeat rate counts: genuine repairs of a house."""
    return genuine_repairs(tickets).filter(house__isnull=False)


def repeat_candidates(tickets, period):
    """The counted repairs submitted in the period, each annotated ``is_repeat``: another
    counted repair of the same house and category was submitted in the REPEAT_DAYS days
    before it (possibly before the period)."""
    # A house's history is what it is, whoever reads the report: the earlier repair is
    # looked up among all tickets (they are of the same house, so of the same community).
    earlier = counted_repairs(Ticket.objects.all()).filter(
        house_id=OuterRef("house_id"), category_id=OuterRef("category_id"),
        created_at__gte=OuterRef("created_at") - timedelta(days=REPEAT_DAYS),
    ).filter(Q(created_at__lt=OuterRef("created_at"))
             | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk")))
    return submitted_in(counted_repairs(tickets), period).annotate(is_repeat=Exists(earlier))


def peak_hours(tickets, period):
    """Submissions per ISO weekday (1 = Monday) and hour in the local time zone:
    {(weekday, hour): count}."""
    zone = timezone.get_default_timezone()
    rows = (submitted_in(tickets, period)
            .annotate(weekday=ExtractIsoWeekDay("created_at", tzinfo=zone),
                      hour=ExtractHour("created_at", tzinfo=zone))
            .values("weekday", "hour").annotate(n=Count("pk")).order_by())
    return {(row["weekday"], row["hour"]): row["n"] for row in rows}


def top_buildings(tickets, period, limit=TOP_BUILDINGS):
    """Per repair category, the buildings with the most genuine repairs in the period,
    most first: {category_id: [(building_id, count), ...]}."""
    rows = (submitted_in(genuine_repairs(tickets), period).filter(building__isnull=False)
            .values("category_id", "building_id").annotate(n=Count("pk"))
            .order_by("category_id", "-n", "building_id"))
    top = {}
    for row in rows:
        buildings = top.setdefault(row["category_id"], [])
        if len(buildings) < limit:
            buildings.append((row["building_id"], row["n"]))
    return top


def tickets_for_report(user, community=None):
    """The report's base queryset: what the user may see, of one community or all."""
    communities = Community.objects.visible_to(user)
    if community is not None:
        communities = communities.filter(pk=community.pk)
    # The communities' ids rather than a join on the company: the planner then reads each
    # community's month through its (community, created_at) index, not the whole table.
    ids = list(communities.values_list("pk", flat=True))
    return Ticket.objects.visible_to(user).filter(community_id__in=ids)
