"""seed_tickets, the benchmarks' data generator: tickets of the estate's residents with
timestamps in lifecycle order (COPY on PostgreSQL, bulk_create elsewhere)."""

from django.core.management import call_command
from django.utils import timezone

from services.models import Ticket

State = Ticket.State


def test_seed_tickets_makes_consistent_tickets(resident, neighbour, resident_b, worker_a,
                                               service_a):
    call_command("seed_tickets", tickets=300, months=3, stdout=_Null())
    tickets = list(Ticket.objects.select_related("house"))
    assert len(tickets) == 300
    now = timezone.now()
    for ticket in tickets:
        steps = [t for t in (ticket.created_at, ticket.accepted_at, ticket.dispatched_at,
                             ticket.started_at, ticket.completed_at) if t is not None]
        assert steps == sorted(steps) and steps[-1] <= now
        assert ticket.contact_phone.startswith("139")  # stored encrypted, read back clear
        if ticket.house is not None:
            assert ticket.house.community_id == ticket.community_id
            assert ticket.building_id == ticket.house.building_id
        if ticket.rated_at is not None:
            assert ticket.completed_at and 1 <= ticket.rating_quality <= 5
        if ticket.state in (State.COMPLETED, State.CONFIRMED, State.RATED, State.CLOSED) \
                and ticket.kind == Ticket.Kind.REPAIR:
            assert ticket.completed_at and ticket.assignee_id in (None, worker_a.staff.pk)
    states = {t.state for t in tickets}
    assert State.CLOSED in states and State.CANCELLED in states and len(states) >= 4


class _Null:
    def write(self, *args, **kwargs):
        pass

    def flush(self):
        pass
