"""Steps that race, in real threads with their own connections and transactions: the
ticket's row lock makes a double tap on "take this order" and two SLA watches running at
once have their effect once."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext

from portal.estates import roles
from portal.estates.errors import TransitionNotAllowed
from portal.notifications.models import InboxMessage
from services.models import Ticket
from services.tickets.tasks import escalate_overdue

# Without serialized rollback, like the suite's other transactional tests (it clashes with
# the content types recreated after a flush); the roles are put back instead.
pytestmark = pytest.mark.django_db(transaction=True)

RACERS = 6


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        # SQLite has no row locks: its writers queue for the whole database instead.
        pytest.skip("row locking needs PostgreSQL")


@pytest.fixture(autouse=True)
def role_groups(postgresql_only):
    """An earlier transactional test's flush may have emptied the groups the migrations
    made; these tests need only their names."""
    from django.contrib.auth.models import Group

    for role in (roles.WORKER, roles.MANAGER, roles.CUSTOMER_SERVICE):
        Group.objects.get_or_create(name=role)


def race(step):
    """Run ``step`` in RACERS threads at the same moment; returns the outcomes."""
    start = threading.Barrier(RACERS)
    outcomes = []

    def run():
        start.wait()
        try:
            outcomes.append(step())
        except TransitionNotAllowed as error:
            outcomes.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_a_double_tap_on_take_this_order_takes_it_once(ticket, worker_a, service_a):
    ticket.dispatch(worker_a.staff, by=service_a)

    outcomes = race(lambda: Ticket.objects.get(pk=ticket.pk).acknowledge(by=worker_a))

    assert outcomes.count(gettext("You have already taken this order.")) == RACERS - 1
    assert ticket.events.filter(action="acknowledged").count() == 1


def test_sla_watches_running_at_once_escalate_a_ticket_once(ticket, manager_a):
    Ticket.objects.filter(pk=ticket.pk).update(
        response_due=timezone.now() - timedelta(minutes=5))

    outcomes = race(escalate_overdue.call)

    assert sum(outcomes) == 1
    assert ticket.events.filter(action="escalated").count() == 1
    assert InboxMessage.objects.filter(recipient=manager_a,
                                       event="services.ticket.overdue").count() == 1
