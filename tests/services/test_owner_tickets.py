"""My tickets: the list, a ticket's page with its timeline, each owner action (and its
refusal), who may see a ticket, and what the owner is told at each step."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.notifications.models import InboxMessage
from services.models import Ticket, TicketAttachment
from services.tickets.owner_views import PER_PAGE
from tests.services.factories import submit
from tests.services.owner_helpers import english, media_root, phone_photo  # noqa: F401

State = Ticket.State

pytestmark = pytest.mark.usefixtures("english", "media_root")


@pytest.fixture
def owner(client, resident):
    client.force_login(resident)
    return client


def detail_url(ticket):
    return reverse("services:ticket_detail", args=[ticket.pk])


def action_url(ticket, action):
    return reverse("services:ticket_action", args=[ticket.pk, action])


def dispatched(ticket, service_a, worker_a):
    worker_a.phone = "13900001111"
    worker_a.save()
    ticket.accept(by=service_a)
    ticket.dispatch(worker_a.staff, by=service_a,
                    expected_arrival=timezone.now() + timedelta(hours=1))
    return ticket


def completed(ticket, service_a, worker_a):
    dispatched(ticket, service_a, worker_a)
    ticket.complete(by=worker_a)
    return ticket


# --- the list and the page -----------------------------------------------------------------

def test_my_tickets_lists_mine_newest_first_with_their_state(owner, resident, house_a,
                                                             neighbour):
    older = submit(resident, house=house_a, description="旧的")
    newer = submit(resident, house=house_a, description="新的")
    older.cancel(by=resident)
    submit(neighbour, description="邻居的", public_area="2栋大堂")

    response = owner.get(reverse("services:ticket_list"))

    assert list(response.context["tickets"]) == [newer, older]
    page = response.content.decode()
    assert "ticket-state_cancelled" in page and "ticket-state_submitted" in page
    assert "邻居的" not in page


def test_my_tickets_is_paginated(owner, resident, house_a):
    for n in range(PER_PAGE + 1):
        submit(resident, house=house_a, description=f"问题{n}")
    first = owner.get(reverse("services:ticket_list"))
    second = owner.get(reverse("services:ticket_list") + "?page=2")
    assert len(first.context["tickets"]) == PER_PAGE
    assert len(second.context["tickets"]) == 1


def test_the_ticket_page_shows_the_timeline_with_who_and_when(owner, ticket, service_a,
                                                              worker_a):
    dispatched(ticket, service_a, worker_a)

    response = owner.get(detail_url(ticket))

    steps = [(event.action, who) for event, _step, who in response.context["timeline"]]
    assert steps == [("submitted", "You"), ("accepted", service_a.staff.name),
                     ("dispatched", service_a.staff.name)]
    page = response.content.decode()
    assert 'href="tel:13900001111"' in page and worker_a.staff.name in page
    assert 'id="ticket-worker"' in page and "Expected arrival" in page


def test_the_worker_shows_only_once_dispatched(owner, ticket, service_a):
    ticket.accept(by=service_a)
    assert 'id="ticket-worker"' not in owner.get(detail_url(ticket)).content.decode()


def test_internal_events_are_not_on_the_owners_timeline(owner, ticket, service_a):
    ticket.add_message(by=service_a, text="内部备注", visible=False)
    response = owner.get(detail_url(ticket))
    assert "内部备注" not in response.content.decode()


def test_processed_photos_show_as_thumbnails(owner, resident, ticket,
                                             django_capture_on_commit_callbacks):
    from services.tickets.processing import attach_uploads

    with django_capture_on_commit_callbacks(execute=True):
        attach_uploads(ticket.events.get(), stage=TicketAttachment.Stage.REPORT,
                       photos=[phone_photo()])

    page = owner.get(detail_url(ticket)).content.decode()
    thumbnail = ticket.attachments.get().thumbnail
    assert f'src="{thumbnail.url}"' in page


# --- who may see a ticket ------------------------------------------------------------------

@pytest.mark.parametrize("persona", ["neighbour", "resident_b", "manager_b", "outsider"])
def test_others_cannot_reach_my_ticket(client, ticket, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert ticket.description not in client.get(reverse("services:ticket_list")).content.decode()
    assert client.get(detail_url(ticket)).status_code == 404
    assert client.post(action_url(ticket, "cancel")).status_code == 404
    ticket.refresh_from_db()
    assert ticket.state == State.SUBMITTED


def test_a_guessed_id_is_not_found(owner, ticket):
    assert owner.get(reverse("services:ticket_detail", args=[ticket.pk + 1000])).status_code == 404


def test_staff_of_the_community_see_the_ticket_but_cannot_act_for_the_owner(client, ticket,
                                                                            service_a):
    client.force_login(service_a)
    response = client.get(detail_url(ticket))
    assert response.status_code == 200 and response.context["actions"] == set()
    client.post(action_url(ticket, "message"), {"text": "冒充业主"})
    assert not ticket.events.filter(action="message").exists()


def test_anonymous_visitors_are_sent_to_log_in(client, ticket):
    response = client.get(detail_url(ticket))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- the owner's actions -------------------------------------------------------------------

def test_add_a_message_with_photos(owner, ticket, service_a,
                                   django_capture_on_commit_callbacks):
    ticket.accept(by=service_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.post(action_url(ticket, "message"),
                              {"text": "漏得更厉害了", "photos": [phone_photo()],
                               "idempotency_key": "k1"})

    assert response.status_code == 302
    event = ticket.events.get(action="message")
    assert event.note == "漏得更厉害了"
    photo = event.attachments.get()
    assert photo.stage == TicketAttachment.Stage.MESSAGE and photo.processed
    assert InboxMessage.objects.filter(recipient=service_a,
                                       event="services.ticket.message").exists()


def test_a_message_form_posted_twice_adds_its_text_and_photo_once(owner, ticket, service_a,
                                                                 django_capture_on_commit_callbacks):
    ticket.accept(by=service_a)
    page = owner.get(detail_url(ticket))
    key = page.context["message_form"].initial["idempotency_key"]
    assert f'name="idempotency_key" value="{key}"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            response = owner.post(action_url(ticket, "message"),
                                  {"text": "漏得更厉害了", "photos": [phone_photo()],
                                   "idempotency_key": key})
            assert response.status_code == 302
        owner.post(action_url(ticket, "message"),
                   {"text": "另一条", "idempotency_key": "another-form"})

    assert [e.note for e in ticket.events.filter(action="message")] == ["漏得更厉害了", "另一条"]
    assert TicketAttachment.objects.count() == 1
    assert InboxMessage.objects.filter(recipient=service_a,
                                       event="services.ticket.message").count() == 2


def test_a_message_with_neither_words_nor_photos_is_refused(owner, ticket):
    response = owner.post(action_url(ticket, "message"), {"text": " ", "idempotency_key": "k"})
    assert response.status_code == 400
    assert "Write a message or add a photo." in response.content.decode()
    assert not ticket.events.filter(action="message").exists()


def test_a_photo_alone_is_a_message(owner, ticket, service_a):
    ticket.accept(by=service_a)
    response = owner.post(action_url(ticket, "message"),
                          {"text": "", "photos": [phone_photo()], "idempotency_key": "k"})
    assert response.status_code == 302
    message = ticket.events.get(action="message")
    assert message.note == ""
    assert list(TicketAttachment.objects.values_list("event", flat=True)) == [message.pk]
    assert InboxMessage.objects.filter(recipient=service_a,
                                       event="services.ticket.message").exists()


def test_cancel_before_dispatch(owner, ticket):
    owner.post(action_url(ticket, "cancel"), {"reason": "自己修好了"})
    ticket.refresh_from_db()
    assert ticket.state == State.CANCELLED


def test_cancel_after_dispatch_is_refused_with_a_message(owner, ticket, service_a, worker_a):
    dispatched(ticket, service_a, worker_a)
    response = owner.post(action_url(ticket, "cancel"), follow=True)
    ticket.refresh_from_db()
    assert ticket.state == State.DISPATCHED
    assert "that cannot be done now" in response.content.decode()


def test_confirm_completion(owner, ticket, service_a, worker_a):
    completed(ticket, service_a, worker_a)
    assert "action-confirm" in owner.get(detail_url(ticket)).content.decode()
    owner.post(action_url(ticket, "confirm"))
    ticket.refresh_from_db()
    assert ticket.state == State.CONFIRMED


def test_confirm_before_completion_is_refused(owner, ticket):
    response = owner.post(action_url(ticket, "confirm"), follow=True)
    ticket.refresh_from_db()
    assert ticket.state == State.SUBMITTED
    assert "that cannot be done now" in response.content.decode()


def test_reopen_within_seven_days(owner, ticket, service_a, worker_a):
    completed(ticket, service_a, worker_a)
    owner.post(action_url(ticket, "reopen"), {"reason": "还在漏"})
    ticket.refresh_from_db()
    assert ticket.state == State.REOPENED
    assert ticket.events.get(action="reopened").note == "还在漏"


def test_a_rated_ticket_can_still_be_reopened_within_the_week(owner, ticket, service_a,
                                                              worker_a, resident):
    completed(ticket, service_a, worker_a)
    ticket.rate(by=resident, speed=5, attitude=5, quality=5)
    assert "reopen" in owner.get(detail_url(ticket)).context["actions"]

    owner.post(action_url(ticket, "reopen"), {"reason": "又漏了"})

    ticket.refresh_from_db()
    assert ticket.state == State.REOPENED
    assert ticket.events.filter(action="reopened", from_state=State.RATED).exists()


def test_reopen_needs_a_reason(owner, ticket, service_a, worker_a):
    completed(ticket, service_a, worker_a)
    response = owner.post(action_url(ticket, "reopen"), {"reason": ""})
    assert response.status_code == 400
    assert "Say what is still wrong." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.state == State.COMPLETED


def test_reopen_after_seven_days_is_refused(owner, ticket, service_a, worker_a):
    completed(ticket, service_a, worker_a)
    Ticket.objects.filter(pk=ticket.pk).update(completed_at=timezone.now() - timedelta(days=8))
    assert "action-reopen" not in owner.get(detail_url(ticket)).content.decode()
    response = owner.post(action_url(ticket, "reopen"), {"reason": "还在漏"}, follow=True)
    ticket.refresh_from_db()
    assert ticket.state == State.COMPLETED
    assert "within 7 days" in response.content.decode()


def test_rate_speed_attitude_and_quality(owner, ticket, service_a, worker_a):
    completed(ticket, service_a, worker_a)
    owner.post(action_url(ticket, "rate"),
               {"speed": "5", "attitude": "4", "quality": "5", "comment": "师傅很专业"})
    ticket.refresh_from_db()
    assert (ticket.state, ticket.rating_speed, ticket.rating_attitude,
            ticket.rating_quality, ticket.rating_comment) == (State.RATED, 5, 4, 5, "师傅很专业")
    assert "师傅很专业" in owner.get(detail_url(ticket)).content.decode()


def test_stars_out_of_range_are_refused(owner, ticket, service_a, worker_a):
    completed(ticket, service_a, worker_a)
    response = owner.post(action_url(ticket, "rate"),
                          {"speed": "6", "attitude": "4", "quality": "5", "comment": "好"})
    assert response.status_code == 400
    assert response.context["rating_form"].errors["speed"]
    assert response.context["rating_form"]["comment"].value() == "好"
    ticket.refresh_from_db()
    assert ticket.state == State.COMPLETED


def test_rating_an_unfinished_ticket_is_refused(owner, ticket):
    response = owner.post(action_url(ticket, "rate"),
                          {"speed": "5", "attitude": "5", "quality": "5"}, follow=True)
    ticket.refresh_from_db()
    assert ticket.state == State.SUBMITTED and ticket.rated_at is None
    assert "that cannot be done now" in response.content.decode()


def test_an_unknown_action_is_not_found(owner, ticket):
    assert owner.post(action_url(ticket, "close")).status_code == 404


def test_actions_need_post(owner, ticket):
    assert owner.get(action_url(ticket, "cancel")).status_code == 405


# --- what the owner is told ----------------------------------------------------------------

def test_the_owner_is_told_at_each_step(ticket, resident, service_a, worker_a, manager_a):
    dispatched(ticket, service_a, worker_a)
    ticket.set_off(by=worker_a)
    ticket.complete(by=worker_a)
    messages = {m.event: m for m in InboxMessage.objects.filter(recipient=resident)}

    assert service_a.staff.name in messages["services.ticket.accepted"].body
    dispatch = messages["services.ticket.dispatched"].body
    arrival = timezone.localtime(ticket.expected_arrival)
    assert worker_a.staff.name in dispatch and "13900001111" in dispatch
    assert f"预计到达：{arrival:%m-%d %H:%M}" in dispatch
    assert "services.ticket.on_the_way" in messages
    assert "services.ticket.completed" in messages
    assert all(m.url == ticket.owner_url for m in messages.values())


def test_the_owner_is_told_of_a_reply(resident, service_a):
    complaint = submit(resident, name="噪音扰民", kind=Ticket.Kind.COMPLAINT)
    complaint.reply(by=service_a, text="已联系楼上住户")
    reply = InboxMessage.objects.get(recipient=resident, event="services.ticket.replied")
    assert "已联系楼上住户" in reply.body


@pytest.mark.parametrize("window, expected", [
    (None, "预计到达：待约定"),
    ((9, 12), "预计到达：{start:%m-%d} 09:00–12:00"),
])
def test_without_an_arrival_time_the_owner_reads_their_window_or_to_be_arranged(
        resident, house_a, service_a, worker_a, window, expected):
    start = None
    if window:
        start = timezone.localtime().replace(hour=window[0], minute=0, second=0,
                                             microsecond=0) + timedelta(days=1)
        ticket = submit(resident, house=house_a, preferred_start=start,
                        preferred_end=start.replace(hour=window[1]))
    else:
        ticket = submit(resident, house=house_a)
    ticket.dispatch(worker_a.staff, by=None)

    body = InboxMessage.objects.get(recipient=resident,
                                    event="services.ticket.dispatched").body
    assert expected.format(start=start) in body


def test_a_reopened_ticket_waiting_for_a_worker_can_be_cancelled(owner, ticket, service_a,
                                                                worker_a, resident):
    completed(ticket, service_a, worker_a)
    ticket.reopen(by=resident, reason="还在漏")
    assert "cancel" in owner.get(detail_url(ticket)).context["actions"]

    owner.post(action_url(ticket, "cancel"), {"reason": "自己修好了"})
    ticket.refresh_from_db()
    assert ticket.state == State.CANCELLED
    assert ticket.events.filter(action="cancelled", from_state=State.REOPENED).exists()
