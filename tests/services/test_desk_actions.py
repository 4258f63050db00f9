"""The ticket page in the admin: facts, timeline, the logged call, and each action of
customer service; a refused action shows its message and changes nothing."""

from datetime import timedelta

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from wagtail.models import ModelLogEntry

from portal.estates import roles
from portal.notifications.models import InboxMessage
from services.models import DutyShift, Ticket
from tests import factories as f
from tests.services.factories import submit

pytestmark = pytest.mark.django_db
State = Ticket.State


def _post(client, ticket, action, **fields):
    data = {"action": action, **{f"{action}-{name}": value for name, value in fields.items()}}
    return client.post(ticket.admin_url, data)


def _messages(response, level):
    return [str(message) for message in get_messages(response.wsgi_request)
            if message.level == level]


def _state(ticket):
    ticket.refresh_from_db()
    return ticket.state


@pytest.fixture
def desk(client, service_a):
    client.force_login(service_a)
    return client


@pytest.fixture
def complaint(resident):
    return submit(resident, kind=Ticket.Kind.COMPLAINT, name="噪音扰民",
                  description="楼上装修太吵")


@pytest.fixture
def completed(ticket, worker_a, service_a):
    ticket.dispatch(worker_a.staff, by=service_a)
    ticket.complete(by=worker_a)
    return ticket


def test_the_ticket_page_shows_facts_masked_phone_and_timeline(desk, ticket, service_a):
    ticket.add_message(by=service_a, text="内部备注", visible=False)
    content = desk.get(ticket.admin_url).content.decode()
    assert ticket.reference in content
    assert ticket.description in content
    assert ticket.masked_contact_phone in content
    assert ticket.contact_phone not in content
    assert "内部备注" in content
    assert reverse("tickets:call", args=[ticket.pk]) in content


def test_an_anonymous_complaint_hides_the_reporter_from_customer_service(desk, resident):
    anonymous = submit(resident, kind=Ticket.Kind.COMPLAINT, name="噪音扰民", anonymous=True)
    content = desk.get(anonymous.admin_url).content.decode()
    assert anonymous.contact_name not in content
    assert anonymous.masked_contact_phone not in content
    for send in (desk.get, desk.post):
        response = send(reverse("tickets:call", args=[anonymous.pk]))
        assert response.status_code == 302
    assert not ModelLogEntry.objects.filter(action="services.ticket.call").exists()


def test_the_manager_sees_who_filed_an_anonymous_complaint(client, manager_a, resident):
    anonymous = submit(resident, kind=Ticket.Kind.COMPLAINT, name="噪音扰民", anonymous=True)
    client.force_login(manager_a)
    assert anonymous.contact_name in client.get(anonymous.admin_url).content.decode()


def test_opening_the_call_page_asks_first_and_records_nothing(desk, ticket):
    page = desk.get(reverse("tickets:call", args=[ticket.pk])).content.decode()
    assert 'id="reveal"' in page
    assert ticket.contact_phone not in page
    assert not ModelLogEntry.objects.filter(action="services.ticket.call").exists()


def test_calling_the_owner_shows_the_number_and_logs_it(desk, ticket, service_a):
    response = desk.post(reverse("tickets:call", args=[ticket.pk]))
    assert f"tel:{ticket.contact_phone}" in response.content.decode()
    entry = ModelLogEntry.objects.get(action="services.ticket.call")
    assert entry.user == service_a
    assert entry.object_id == str(ticket.pk)
    assert ticket.contact_phone not in str(entry.data)
    assert service_a.staff.name in desk.get(ticket.admin_url).content.decode()


def test_accept(desk, ticket, service_a):
    response = _post(desk, ticket, "accept")
    assert response.status_code == 302
    assert _state(ticket) == State.ACCEPTED
    assert ticket.handler == service_a.staff


def test_accepting_twice_shows_the_refusal_and_changes_nothing(desk, ticket):
    _post(desk, ticket, "accept")
    events = ticket.events.count()
    response = _post(desk, ticket, "accept")
    assert _messages(response, messages.ERROR)
    assert ticket.events.count() == events


def test_dispatch_offers_workers_best_first_and_sends_the_chosen(desk, ticket, worker_a,
                                                                company, community_a):
    other = f.StaffFactory(company=company, name="张师傅", user__groups=[roles.WORKER],
                           communities=[community_a]).user
    DutyShift.objects.create(community=community_a, staff=other.staff,
                             starts_at=timezone.now() - timedelta(hours=1),
                             ends_at=timezone.now() + timedelta(hours=1))
    response = desk.get(ticket.admin_url)
    choices = list(response.context["action_forms"][1].fields["worker"].queryset)
    assert choices[0] == other.staff
    assert "张师傅" in response.content.decode()
    _post(desk, ticket, "dispatch", worker=worker_a.staff.pk)
    assert _state(ticket) == State.DISPATCHED
    assert ticket.assignee == worker_a.staff


def test_dispatching_straight_from_the_queue_makes_the_clerk_the_handler(
        desk, ticket, worker_a, service_a, resident):
    _post(desk, ticket, "dispatch", worker=worker_a.staff.pk)

    ticket.refresh_from_db()
    assert (ticket.state, ticket.handler) == (State.DISPATCHED, service_a.staff)
    ticket.add_message(by=resident, text="几点到？")
    assert InboxMessage.objects.filter(recipient=service_a,
                                       event="services.ticket.message").exists()


def test_dispatch_to_a_worker_of_another_community_is_refused(desk, ticket, company,
                                                              community_b):
    stranger = f.StaffFactory(company=company, user__groups=[roles.WORKER],
                              communities=[community_b])
    response = _post(desk, ticket, "dispatch", worker=stranger.pk)
    assert response.status_code == 200
    assert response.context["action_forms"]
    assert _state(ticket) == State.SUBMITTED


def test_dispatching_a_complaint_shows_the_message(desk, complaint, worker_a):
    response = _post(desk, complaint, "dispatch", worker=worker_a.staff.pk)
    assert _messages(response, messages.ERROR)
    assert _state(complaint) == State.SUBMITTED


def test_reassign(desk, ticket, worker_a, service_a, company, community_a):
    ticket.dispatch(worker_a.staff, by=service_a)
    other = f.StaffFactory(company=company, user__groups=[roles.WORKER],
                           communities=[community_a])
    _post(desk, ticket, "reassign", worker=other.pk, note="换人")
    ticket.refresh_from_db()
    assert ticket.assignee == other
    assert ticket.events.last().action == "reassigned"


def test_merge_into_another_ticket_by_its_number(desk, ticket, resident, house_a):
    original = submit(resident, house=house_a, description="同一个漏水")
    _post(desk, ticket, "merge", reference=original.reference)
    ticket.refresh_from_db()
    assert ticket.state == State.CLOSED
    assert ticket.merged_into == original


def test_merge_into_a_ticket_of_another_community_is_refused(desk, ticket, resident_b,
                                                             house_b):
    theirs = submit(resident_b, house=house_b)
    response = _post(desk, ticket, "merge", reference=theirs.reference)
    assert response.status_code == 200
    assert gettext("No ticket of this community has this number.") in response.content.decode()
    assert _state(ticket) == State.SUBMITTED


def test_reply_to_a_complaint(desk, complaint):
    _post(desk, complaint, "reply", text="已联系楼上住户")
    assert _state(complaint) == State.COMPLETED
    assert complaint.events.last().note == "已联系楼上住户"


def test_an_empty_reply_keeps_the_form_and_changes_nothing(desk, complaint):
    response = _post(desk, complaint, "reply", text="   ")
    assert response.status_code == 200
    assert _state(complaint) == State.SUBMITTED


def test_replying_to_a_repair_shows_the_message(desk, ticket):
    response = _post(desk, ticket, "reply", text="好的")
    assert _messages(response, messages.ERROR)
    assert _state(ticket) == State.SUBMITTED


def test_close_a_completed_ticket(desk, completed):
    _post(desk, completed, "close", note="完结")
    assert _state(completed) == State.CLOSED


def test_closing_an_open_ticket_shows_the_message(desk, ticket):
    response = _post(desk, ticket, "close")
    refusal = gettext("This ticket is %(state)s; that cannot be done now.") % {
        "state": State.SUBMITTED.label}
    assert refusal in " ".join(_messages(response, messages.ERROR))
    assert _state(ticket) == State.SUBMITTED


def test_a_satisfied_revisit_is_recorded(desk, completed):
    _post(desk, completed, "revisit", satisfied="yes", note="满意")
    assert completed.revisits.get().satisfied is True
    assert not completed.follow_ups.exists()


def test_an_unhappy_revisit_opens_a_follow_up(desk, completed):
    _post(desk, completed, "revisit", satisfied="no", note="还在漏")
    assert completed.revisits.get().satisfied is False
    assert completed.follow_ups.exists()


def test_a_revisit_before_completion_is_refused(desk, ticket):
    response = _post(desk, ticket, "revisit", satisfied="yes")
    assert _messages(response, messages.ERROR)
    assert not ticket.revisits.exists()


@pytest.mark.parametrize("visible", [True, False])
def test_a_message_is_internal_unless_ticked(desk, ticket, visible):
    fields = {"text": "我们明天上门"}
    if visible:
        fields["visible_to_owner"] = "on"
    _post(desk, ticket, "message", **fields)
    event = ticket.events.last()
    assert event.action == "message"
    assert event.visible_to_owner is visible


def test_an_internal_note_does_not_reach_the_owner(ticket, service_a, resident):
    before = InboxMessage.objects.filter(recipient=resident).count()
    ticket.add_message(by=service_a, text="内部", visible=False)
    assert InboxMessage.objects.filter(recipient=resident).count() == before


def test_leadership_may_look_but_not_act(client, leadership, ticket):
    client.force_login(leadership)
    response = client.get(ticket.admin_url)
    assert response.status_code == 200
    assert not response.context["action_forms"]
    # Wagtail turns the refusal into a redirect to the dashboard.
    assert _post(client, ticket, "accept").status_code in (302, 403)
    assert _state(ticket) == State.SUBMITTED


def test_a_message_sent_twice_is_added_once(desk, ticket):
    form = desk.get(ticket.admin_url).context["action_forms"][-1]
    once = form["once"].value()
    for _attempt in range(2):
        _post(desk, ticket, "message", text="请保持电话畅通", once=once)
    assert ticket.events.filter(action="message").count() == 1


def test_a_refused_form_may_be_sent_again_with_the_same_key(desk, complaint):
    _post(desk, complaint, "reply", text="  ", once="k1")
    _post(desk, complaint, "reply", text="已处理", once="k1")
    assert _state(complaint) == State.COMPLETED
