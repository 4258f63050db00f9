"""Steps that race, in real threads with their own connections and transactions: the
ticket's row lock makes a double tap on "take this order" and two SLA watches running at
once have their effect once."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.translation import gettext

from portal.estates import roles
from portal.estates.errors import TransitionNotAllowed
from portal.notifications.models import InboxMessage
from services.models import Ticket
from services.tickets.tasks import escalate_overdue
from tests.races import postgresql_only, race  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("postgresql_only")]

RACERS = 6


@pytest.fixture(autouse=True)
def role_groups():
    """An earlier transactional test's flush may have emptied the groups the migrations
    made; these tests need only their names."""
    from django.contrib.auth.models import Group

    for role in (roles.WORKER, roles.MANAGER, roles.CUSTOMER_SERVICE):
        Group.objects.get_or_create(name=role)


def race_steps(step):
    """Run ``step`` in RACERS threads at the same moment; returns the outcomes."""
    results, errors = race(lambda index: step(), RACERS)
    assert all(isinstance(error, TransitionNotAllowed) for error in errors), errors
    return results + [str(error) for error in errors]


def test_a_double_tap_on_take_this_order_takes_it_once(ticket, worker_a, service_a):
    ticket.dispatch(worker_a.staff, by=service_a)

    outcomes = race_steps(lambda: Ticket.objects.get(pk=ticket.pk).acknowledge(by=worker_a))

    assert outcomes.count(gettext("You have already taken this order.")) == RACERS - 1
    assert ticket.events.filter(action="acknowledged").count() == 1


def test_sla_watches_running_at_once_escalate_a_ticket_once(ticket, manager_a):
    Ticket.objects.filter(pk=ticket.pk).update(
        response_due=timezone.now() - timedelta(minutes=5))

    outcomes = race_steps(escalate_overdue.call)

    assert sum(outcomes) == 1
    assert ticket.events.filter(action="escalated").count() == 1
    assert InboxMessage.objects.filter(recipient=manager_a,
                                       event="services.ticket.overdue").count() == 1
