"""A step taken twice (a double tap, a retried request) has its effect once, called one
after the other here; tests/services/test_tickets_races.py races them in threads on
PostgreSQL."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.translation import gettext

from portal.estates.errors import TransitionNotAllowed
from portal.notifications.models import InboxMessage
from services.models import Ticket
from tests.services.factories import submit

State = Ticket.State


@pytest.fixture
def order(ticket, worker_a, service_a):
    ticket.dispatch(worker_a.staff, by=service_a)
    return ticket


def told(resident, event):
    return InboxMessage.objects.filter(recipient=resident, event=event).count()


def test_on_my_way_twice_tells_the_owner_once(order, worker_a, resident):
    assert order.set_off(by=worker_a) is not None
    # The same step again, from a copy read before the first one (a second request).
    assert Ticket.objects.get(pk=order.pk).set_off(by=worker_a) is None
    assert order.set_off(by=worker_a) is None

    assert order.events.filter(action="on_the_way").count() == 1
    assert told(resident, "services.ticket.on_the_way") == 1


def test_on_my_way_twice_with_the_same_arrival_tells_the_owner_once(order, worker_a,
                                                                      resident):
    arrival = timezone.now() + timedelta(minutes=30)
    stale = Ticket.objects.get(pk=order.pk)
    order.set_off(by=worker_a, expected_arrival=arrival)
    stale.set_off(by=worker_a, expected_arrival=arrival)

    assert order.events.filter(action="on_the_way").count() == 1
    assert told(resident, "services.ticket.on_the_way") == 1


def test_a_new_arrival_time_is_told_to_the_owner(order, worker_a, resident):
    now = timezone.now()
    order.set_off(by=worker_a, expected_arrival=now + timedelta(minutes=30))
    order.set_off(by=worker_a, expected_arrival=now + timedelta(hours=2))

    order.refresh_from_db()
    assert order.expected_arrival == now + timedelta(hours=2)
    assert order.events.filter(action="on_the_way").count() == 2
    assert told(resident, "services.ticket.on_the_way") == 2


def test_after_a_reassignment_the_new_worker_sets_off_again(order, worker_a, service_a,
                                                             resident, company, community_a):
    from portal.estates import roles
    from tests import factories as f

    other = f.StaffFactory(company=company, user__groups=[roles.WORKER],
                           communities=[community_a])
    order.set_off(by=worker_a)
    order.reassign(other, by=service_a)
    assert order.set_off(by=other.user) is not None
    assert told(resident, "services.ticket.on_the_way") == 2


def test_someone_else_setting_off_is_still_refused(order, service_a):
    with pytest.raises(TransitionNotAllowed):
        order.set_off(by=service_a)
    assert not order.events.filter(action="on_the_way").exists()


@pytest.mark.parametrize("step, expected", [
    ("start", State.IN_PROGRESS), ("complete", State.COMPLETED)])
def test_worker_steps_twice_are_refused_the_second_time(order, worker_a, step, expected):
    stale = Ticket.objects.get(pk=order.pk)
    getattr(order, step)(by=worker_a)
    with pytest.raises(TransitionNotAllowed):
        getattr(stale, step)(by=worker_a)
    assert Ticket.objects.get(pk=order.pk).state == expected
    assert order.events.filter(action={"start": "started"}.get(step, "completed")).count() == 1


def test_take_this_order_twice_is_refused_the_second_time(order, worker_a):
    stale = Ticket.objects.get(pk=order.pk)
    order.acknowledge(by=worker_a)
    with pytest.raises(TransitionNotAllowed) as refused:
        stale.acknowledge(by=worker_a)
    assert str(refused.value) == gettext("You have already taken this order.")


def test_confirm_and_rate_twice_take_effect_once(order, worker_a, resident):
    order.complete(by=worker_a)
    stale = Ticket.objects.get(pk=order.pk)
    order.confirm(by=resident)
    with pytest.raises(TransitionNotAllowed):
        stale.confirm(by=resident)
    stale = Ticket.objects.get(pk=order.pk)
    order.rate(by=resident, speed=1, attitude=1, quality=1)
    with pytest.raises(TransitionNotAllowed):
        stale.rate(by=resident, speed=1, attitude=1, quality=1)
    assert order.events.filter(action="rated").count() == 1
    assert order.follow_ups.count() == 1


def test_a_low_rating_and_an_unhappy_revisit_open_one_follow_up(order, worker_a, resident,
                                                                service_a):
    order.complete(by=worker_a)
    order.rate(by=resident, speed=1, attitude=2, quality=1)
    Ticket.objects.get(pk=order.pk).record_revisit(by=service_a, satisfied=False)
    assert order.follow_ups.count() == 1


def test_a_revisit_checks_the_state_it_finds_in_the_database(order, worker_a, service_a):
    stale = Ticket.objects.get(pk=order.pk)
    order.complete(by=worker_a)
    # The copy was read before completion; the row says completed.
    stale.record_revisit(by=service_a, satisfied=True)
    assert order.revisits.count() == 1
    cancelled = Ticket.objects.get(pk=order.pk)
    Ticket.objects.filter(pk=order.pk).update(state=State.DISPATCHED)
    with pytest.raises(TransitionNotAllowed):
        cancelled.record_revisit(by=service_a, satisfied=True)


def test_merging_into_a_ticket_cancelled_meanwhile_is_refused(ticket, resident, house_a,
                                                              service_a):
    other = submit(resident, house=house_a, description="同一个漏水")
    stale_other = Ticket.objects.get(pk=other.pk)
    other.cancel(by=resident)
    with pytest.raises(TransitionNotAllowed) as refused:
        ticket.merge_into(stale_other, by=service_a)
    assert str(refused.value) == gettext("The ticket to merge into is already finished.")
    ticket.refresh_from_db()
    assert ticket.state == State.SUBMITTED and ticket.merged_into is None
