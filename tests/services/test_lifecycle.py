"""The ticket state machine: each verb, its guard, its event row, and nothing changed
when refused."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.estates.errors import TransitionNotAllowed
from portal.notifications.models import InboxMessage
from services.models import Ticket, TicketEvent
from tests.services.factories import category, submit

State = Ticket.State


def actions(ticket):
    return list(ticket.events.values_list("action", flat=True))


def test_submit_records_the_event_and_sla_deadlines(ticket):
    assert ticket.state == State.SUBMITTED
    assert actions(ticket) == ["submitted"]
    assert ticket.community_id == ticket.house.community_id
    assert ticket.building_id == ticket.house.building_id
    assert ticket.response_due - ticket.created_at == timedelta(minutes=30)
    assert ticket.completion_due - ticket.created_at == timedelta(hours=48)
    assert ticket.reference.startswith("BX")


def test_urgent_tickets_have_the_shorter_deadlines(resident, house_a):
    ticket = submit(resident, house=house_a, urgency=Ticket.Urgency.URGENT)
    assert ticket.completion_due - ticket.created_at == timedelta(hours=4)


def test_the_same_form_key_makes_one_ticket(resident, house_a):
    first = submit(resident, house=house_a, idempotency_key="k1")
    again = submit(resident, house=house_a, idempotency_key="k1")
    assert again.pk == first.pk
    assert Ticket.objects.count() == 1
    assert TicketEvent.objects.count() == 1


@pytest.mark.parametrize("fields, field", [
    ({"description": "  "}, "description"),
    ({"preferred_start": timezone.now() - timedelta(hours=3),
      "preferred_end": timezone.now() - timedelta(hours=1)}, "preferred_start"),
])
def test_bad_submissions_save_nothing(resident, house_a, fields, field):
    with pytest.raises(ValidationError) as refused:
        submit(resident, house=house_a, **fields)
    assert field in refused.value.message_dict
    assert not Ticket.objects.exists()


def test_a_house_that_is_not_mine_is_refused(resident, house_a2):
    with pytest.raises(ValidationError) as refused:
        submit(resident, house=house_a2)
    assert "house" in refused.value.message_dict
    assert not Ticket.objects.exists()


def test_full_repair_lifecycle(ticket, resident, service_a, worker_a):
    ticket.accept(by=service_a)
    ticket.dispatch(worker_a.staff, by=service_a,
                    expected_arrival=timezone.now() + timedelta(hours=1))
    ticket.set_off(by=worker_a)
    ticket.start(by=worker_a)
    ticket.complete(by=worker_a, materials="水龙头一个")
    ticket.confirm(by=resident)
    ticket.rate(by=resident, speed=5, attitude=5, quality=4, comment="很快")
    ticket.close(by=service_a)
    ticket.refresh_from_db()
    assert ticket.state == State.CLOSED
    assert actions(ticket) == ["submitted", "accepted", "dispatched", "on_the_way", "started",
                               "completed", "confirmed", "rated", "closed"]
    events = {e.action: e for e in ticket.events.all()}
    assert events["dispatched"].from_state == State.ACCEPTED
    assert events["dispatched"].to_state == State.DISPATCHED
    assert events["dispatched"].actor == service_a
    titles = list(InboxMessage.objects.filter(recipient=resident).values_list("event", flat=True))
    for step in ("accepted", "dispatched", "on_the_way", "completed"):
        assert f"services.ticket.{step}" in titles
    assert InboxMessage.objects.filter(recipient=worker_a,
                                       event="services.ticket.assigned").exists()


def test_rating_an_unfinished_ticket_changes_nothing(ticket, resident):
    with pytest.raises(TransitionNotAllowed):
        ticket.rate(by=resident, speed=5, attitude=5, quality=5)
    ticket.refresh_from_db()
    assert ticket.state == State.SUBMITTED and ticket.rating_speed is None
    assert actions(ticket) == ["submitted"]


def test_a_worker_cannot_complete_someone_elses_ticket(ticket, service_a, worker_a, company,
                                                       community_a):
    from portal.estates import roles
    from tests.conftest import _staff

    other = _staff(company, roles.WORKER, [community_a])
    ticket.dispatch(worker_a.staff, by=service_a)
    with pytest.raises(TransitionNotAllowed):
        ticket.complete(by=other)
    ticket.refresh_from_db()
    assert ticket.state == State.DISPATCHED
    assert "completed" not in actions(ticket)


def test_a_cancelled_ticket_cannot_be_dispatched(ticket, resident, service_a, worker_a):
    ticket.cancel(by=resident)
    with pytest.raises(TransitionNotAllowed):
        ticket.dispatch(worker_a.staff, by=service_a)
    ticket.refresh_from_db()
    assert ticket.state == State.CANCELLED and ticket.assignee is None


def test_the_owner_cannot_cancel_after_dispatch(ticket, resident, service_a, worker_a):
    ticket.dispatch(worker_a.staff, by=service_a)
    with pytest.raises(TransitionNotAllowed):
        ticket.cancel(by=resident)


def test_only_the_owner_cancels(ticket, neighbour):
    with pytest.raises(TransitionNotAllowed):
        ticket.cancel(by=neighbour)


def test_a_worker_of_another_community_cannot_be_dispatched(ticket, service_a, company,
                                                            community_b):
    from portal.estates import roles
    from tests.conftest import _staff

    stranger = _staff(company, roles.WORKER, [community_b])
    with pytest.raises(ValidationError):
        ticket.dispatch(stranger.staff, by=service_a)
    assert Ticket.objects.get(pk=ticket.pk).state == State.SUBMITTED


def _completed(ticket, service_a, worker_a):
    ticket.dispatch(worker_a.staff, by=service_a)
    ticket.start(by=worker_a)
    ticket.complete(by=worker_a)
    return ticket


def test_reopen_within_seven_days(ticket, resident, service_a, worker_a):
    _completed(ticket, service_a, worker_a)
    ticket.reopen(by=resident, reason="还在漏")
    ticket.refresh_from_db()
    assert ticket.state == State.REOPENED and ticket.completed_at is None
    ticket.dispatch(worker_a.staff, by=service_a)
    assert Ticket.objects.get(pk=ticket.pk).state == State.DISPATCHED


def test_no_reopen_after_seven_days(ticket, resident, service_a, worker_a):
    _completed(ticket, service_a, worker_a)
    Ticket.objects.filter(pk=ticket.pk).update(
        completed_at=timezone.now() - timedelta(days=8))
    ticket.refresh_from_db()
    with pytest.raises(TransitionNotAllowed):
        ticket.reopen(by=resident, reason="还在漏")
    assert Ticket.objects.get(pk=ticket.pk).state == State.COMPLETED


def test_a_low_rating_opens_a_follow_up(ticket, resident, service_a, worker_a):
    _completed(ticket, service_a, worker_a)
    ticket.rate(by=resident, speed=1, attitude=3, quality=2)
    follow_up = ticket.follow_ups.get()
    assert follow_up.state == State.SUBMITTED
    assert actions(follow_up) == ["follow_up"]


def test_bad_stars_are_refused(ticket, resident, service_a, worker_a):
    _completed(ticket, service_a, worker_a)
    with pytest.raises(ValidationError):
        ticket.rate(by=resident, speed=6, attitude=3, quality=2)
    assert Ticket.objects.get(pk=ticket.pk).state == State.COMPLETED


def test_unhappy_revisit_opens_a_follow_up(ticket, resident, service_a, worker_a):
    _completed(ticket, service_a, worker_a)
    ticket.record_revisit(by=service_a, satisfied=False, note="业主说还有异响")
    assert ticket.follow_ups.count() == 1
    assert ticket.revisits.get().satisfied is False


def test_complaints_are_replied_not_dispatched(resident, service_a, worker_a, manager_a):
    complaint = submit(resident, name="噪音扰民", kind=Ticket.Kind.COMPLAINT,
                       description="楼上夜里装修", anonymous=True)
    with pytest.raises(TransitionNotAllowed):
        complaint.dispatch(worker_a.staff, by=service_a)
    complaint.reply(by=service_a, text="已与楼上业主沟通")
    complaint.refresh_from_db()
    assert complaint.state == State.COMPLETED
    name = resident.resident.name
    assert complaint.reporter_shown_to(service_a) != name
    assert complaint.reporter_shown_to(manager_a) == name


def test_merge_closes_the_duplicate(ticket, resident, neighbour, house_a2, service_a):
    duplicate = submit(neighbour, house=house_a2, description="楼道水管漏水")
    duplicate.merge_into(ticket, by=service_a)
    duplicate.refresh_from_db()
    assert duplicate.state == State.CLOSED and duplicate.merged_into == ticket
    assert "merged_from" in actions(ticket)


def test_category_of_the_wrong_kind_is_refused(resident, house_a, company):
    with pytest.raises(ValidationError):
        Ticket.submit(reporter=resident, category=category(company, "噪音扰民",
                                                           Ticket.Kind.COMPLAINT),
                      kind=Ticket.Kind.REPAIR, house=house_a, description="x")
