"""The SLA watch: overdue tickets (past the response deadline while waiting, past the
completion deadline while open) are escalated to the community manager once per
deadline, by the escalate_tickets command and the ticket_watch loop."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from portal.notifications.models import InboxMessage
from services.models import Ticket
from tests.services.factories import submit

OVERDUE = "services.ticket.overdue"


def past(**delta):
    return timezone.now() - timedelta(**delta)


def future(**delta):
    return timezone.now() + timedelta(**delta)


def deadlines(ticket, response, completion):
    Ticket.objects.filter(pk=ticket.pk).update(response_due=response, completion_due=completion)


def escalations(ticket):
    return list(ticket.events.filter(action="escalated").values_list("data", flat=True))


def told(user):
    return InboxMessage.objects.filter(recipient=user, event=OVERDUE).count()


def test_an_overdue_ticket_is_escalated_once(ticket, manager_a, manager_b, service_a):
    deadlines(ticket, response=past(minutes=5), completion=future(hours=40))

    call_command("escalate_tickets")
    call_command("escalate_tickets")

    assert escalations(ticket) == [{"deadline": "response"}]
    assert told(manager_a) == 1
    assert told(manager_b) == 0 and told(service_a) == 0
    ticket.refresh_from_db()
    assert ticket.escalated_at is not None
    message = InboxMessage.objects.get(recipient=manager_a, event=OVERDUE)
    assert ticket.reference in message.title
    assert message.url == ticket.admin_url


def test_a_ticket_within_its_deadlines_is_left_alone(ticket, manager_a):
    call_command("escalate_tickets")

    assert escalations(ticket) == []
    assert told(manager_a) == 0


def test_the_response_deadline_counts_only_while_the_ticket_waits(ticket, manager_a,
                                                                  service_a):
    ticket.accept(by=service_a)
    deadlines(ticket, response=past(minutes=5), completion=future(hours=40))

    call_command("escalate_tickets")

    assert escalations(ticket) == []
    assert told(manager_a) == 0


def test_the_completion_deadline_counts_while_the_ticket_is_open(ticket, manager_a,
                                                                 service_a, worker_a):
    ticket.dispatch(worker_a.staff, by=service_a)
    deadlines(ticket, response=past(hours=10), completion=past(minutes=1))

    call_command("escalate_tickets")

    assert escalations(ticket) == [{"deadline": "completion"}]
    assert told(manager_a) == 1


def test_a_late_response_and_then_a_late_completion_are_two_escalations(
        ticket, manager_a, service_a, worker_a):
    deadlines(ticket, response=past(minutes=5), completion=future(hours=1))
    call_command("escalate_tickets")
    ticket.dispatch(worker_a.staff, by=service_a)

    # Two hours later: the manager was told of the response, now the completion is late.
    Ticket.objects.filter(pk=ticket.pk).update(escalated_at=past(hours=2))
    deadlines(ticket, response=past(hours=2, minutes=5), completion=past(minutes=1))
    call_command("escalate_tickets")
    call_command("escalate_tickets")

    assert escalations(ticket) == [{"deadline": "response"}, {"deadline": "completion"}]
    assert told(manager_a) == 2


def test_a_completed_ticket_is_not_overdue(ticket, manager_a, service_a, worker_a):
    ticket.dispatch(worker_a.staff, by=service_a)
    ticket.complete(by=worker_a)
    deadlines(ticket, response=past(hours=10), completion=past(hours=1))

    call_command("escalate_tickets")

    assert escalations(ticket) == []


def test_the_watch_queues_the_escalation(ticket, manager_a, resident, house_a):
    deadlines(ticket, response=past(minutes=5), completion=future(hours=1))
    on_time = submit(resident, house=house_a)

    call_command("ticket_watch", once=True)

    assert escalations(ticket) == [{"deadline": "response"}]
    assert escalations(on_time) == []


def test_the_watch_refuses_a_zero_interval():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("ticket_watch", seconds=0, once=True)
