"""Who should repair a ticket: the automatic rules, and the suggestions shown to
customer service when it dispatches by hand."""

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from portal.estates import roles
from portal.estates.models import Staff

from .models import OPEN_STATES, Ticket
from .roster import DispatchRule, DutyShift


def workers_of(community_id):
    return Staff.objects.filter(communities=community_id, user__is_active=True,
                                user__groups__name=roles.WORKER)


def with_load(workers):
    """Annotate each worker with the number of open tickets assigned to them: a
    correlated count per worker (an index lookup), not a join of every ticket a worker
    ever had, which over a million tickets took seconds to group."""
    open_tickets = (Ticket.objects.filter(assignee=OuterRef("pk"), state__in=OPEN_STATES)
                    .order_by().values("assignee").annotate(count=Count("pk")).values("count"))
    return workers.annotate(
        load=Coalesce(Subquery(open_tickets, output_field=IntegerField()), 0))


def suggest_workers(ticket, at=None):
    """Workers of the ticket's community, best first: those of the category's trade,
    then those on duty now, then the least busy."""
    at = at or timezone.now()
    on_duty = DutyShift.objects.on_duty(at).filter(community_id=ticket.community_id,
                                                   staff=OuterRef("pk"))
    trade = Staff.trades.through.objects.filter(staff=OuterRef("pk"),
                                                trade=ticket.category.trade_id)
    workers = with_load(workers_of(ticket.community_id)).annotate(
        has_trade=Exists(trade), on_duty=Exists(on_duty))
    return workers.order_by("-has_trade", "-on_duty", "load", "name")


def matching_rule(ticket):
    """The most specific active rule: building before community, category before
    'every category'."""
    rules = DispatchRule.objects.filter(
        Q(building=None) | Q(building_id=ticket.building_id),
        Q(category=None) | Q(category_id=ticket.category_id),
        community_id=ticket.community_id, active=True,
    ).select_related("worker__user", "team")
    ranked = sorted(rules, key=lambda r: (r.building_id is None, r.category_id is None, r.pk))
    return ranked[0] if ranked else None


def worker_for(rule, at=None, trade_id=None):
    """The rule's worker, or its team's best member on duty now: of the ticket's trade
    first (a team for every category has plumbers and carpenters), then the least busy;
    only workers who still serve the rule's community. A named worker whose shifts the
    community keeps in the duty calendar is sent only while on duty."""
    at = at or timezone.now()
    on_duty = DutyShift.objects.on_duty(at).filter(community_id=rule.community_id)
    if rule.worker_id:
        shifts = DutyShift.objects.filter(community_id=rule.community_id,
                                          staff_id=rule.worker_id)
        if shifts.exists() and not on_duty.filter(staff_id=rule.worker_id).exists():
            return None
        return workers_of(rule.community_id).filter(pk=rule.worker_id).first()
    members = workers_of(rule.community_id).filter(
        pk__in=rule.team.members.values("pk")).filter(
        pk__in=on_duty.values("staff_id"))
    trade = Staff.trades.through.objects.filter(staff=OuterRef("pk"), trade=trade_id)
    return (with_load(members).annotate(has_trade=Exists(trade))
            .order_by("-has_trade", "load", "name").first())


def dispatch_automatically(ticket_id):
    """Right after submission: send the worker a rule names, if any. A ticket no rule
    matches (or whose team has nobody on duty) stays in the queue. Returns the worker."""
    ticket = Ticket.objects.select_related("category").get(pk=ticket_id)
    if ticket.kind != Ticket.Kind.REPAIR or ticket.state != Ticket.State.SUBMITTED:
        return None
    rule = matching_rule(ticket)
    worker = worker_for(rule, trade_id=ticket.category.trade_id) if rule else None
    if worker is None:
        return None
    ticket.dispatch(worker, by=None, rule=rule)
    return worker
