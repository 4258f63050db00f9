"""The worker's workbench: who may open it, my orders in their order, each step in place,
completing with photos and materials, and calling the owner."""

import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from PIL import Image
from wagtail.models import ModelLogEntry

from portal.estates import roles
from portal.notifications.models import InboxMessage
from services.models import Ticket, TicketAttachment
from tests import factories as f
from tests.services.factories import submit

State = Ticket.State
WORKBENCH = "/work/"


@pytest.fixture
def other_worker(company, community_a):
    return f.StaffFactory(company=company, user__groups=[roles.WORKER],
                          communities=[community_a]).user


@pytest.fixture
def order(ticket, worker_a, service_a):
    """The resident's ticket, dispatched to worker_a."""
    ticket.dispatch(worker_a.staff, by=service_a)
    return ticket


def photo(name="after.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (20, 120, 220)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def url(name, ticket):
    return reverse(f"services:{name}", args=[ticket.pk])


@pytest.mark.parametrize("persona", ["resident", "service_a", "manager_a", "leadership",
                                     "outsider"])
def test_only_workers_may_open_the_workbench(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(WORKBENCH)
    assert response.status_code == 403
    assert gettext("This page is for repair workers") in response.content.decode()


def test_a_worker_can_log_out_from_the_header(client, worker_a, resident):
    client.force_login(worker_a)
    assert 'id="header-logout"' in client.get(WORKBENCH).content.decode()
    client.force_login(resident)  # residents log out from their me page instead
    assert 'id="header-logout"' not in client.get("/me/").content.decode()


def test_the_workbench_asks_anonymous_visitors_to_log_in(client):
    response = client.get(WORKBENCH)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_worker_sees_only_the_orders_assigned_to_them(client, order, worker_a, other_worker,
                                                        resident, house_a, service_a):
    theirs = submit(resident, house=house_a, description="门锁坏了")
    theirs.dispatch(other_worker.staff, by=service_a)
    waiting = submit(resident, house=house_a, description="灯不亮")
    client.force_login(worker_a)

    response = client.get(WORKBENCH)

    assert [t.pk for t in response.context["tickets"]] == [order.pk]
    page = response.content.decode()
    assert order.description in page
    assert theirs.description not in page and waiting.description not in page


def test_overdue_and_urgent_orders_come_first(client, worker_a, resident, house_a, service_a):
    normal = submit(resident, house=house_a, description="普通")
    urgent = submit(resident, house=house_a, urgency=Ticket.Urgency.URGENT,
                    description="紧急")
    late = submit(resident, house=house_a, description="超时")
    for ticket in (normal, urgent, late):
        ticket.dispatch(worker_a.staff, by=service_a)
    Ticket.objects.filter(pk=late.pk).update(
        completion_due=timezone.now() - timedelta(hours=1))
    client.force_login(worker_a)

    response = client.get(WORKBENCH)

    assert [t.pk for t in response.context["tickets"]] == [late.pk, urgent.pk, normal.pk]
    assert gettext("Overdue") in response.content.decode()


def test_the_card_shows_the_owner_with_the_phone_masked(client, order, worker_a, resident):
    phone = order.contact_phone
    client.force_login(worker_a)

    page = client.get(WORKBENCH).content.decode()

    assert order.contact_name in page
    assert order.masked_contact_phone in page
    assert phone not in page
    assert url("workbench_call", order) in page
    assert "水" in page and order.location in page


def test_the_owners_photos_show_as_thumbnails_once_processed(client, order, worker_a, resident):
    attachment = TicketAttachment.objects.create(
        ticket=order, community_id=order.community_id, file=photo("report.jpg"),
        uploaded_by=resident)
    client.force_login(worker_a)
    assert gettext("Processing…") in client.get(WORKBENCH).content.decode()

    from services.tickets.tasks import process_attachment
    process_attachment.call(attachment.pk)
    attachment.refresh_from_db()

    page = client.get(WORKBENCH).content.decode()
    assert attachment.thumbnail.url in page


def test_calling_the_owner_dials_and_is_recorded(client, order, worker_a):
    client.force_login(worker_a)

    response = client.get(url("workbench_call", order))

    assert response.status_code == 302
    assert response["Location"] == f"tel:{order.contact_phone}"
    entry = ModelLogEntry.objects.get(action="services.ticket.call")
    assert entry.user_id == worker_a.pk and entry.object_id == str(order.pk)
    assert order.contact_phone not in str(entry.data)


def test_a_worker_cannot_call_the_owner_of_someone_elses_order(client, order, other_worker):
    client.force_login(other_worker)

    response = client.get(url("workbench_call", order))

    assert response.status_code == 404
    assert not ModelLogEntry.objects.filter(action="services.ticket.call").exists()


def test_taking_an_order_records_it_once(client, order, worker_a):
    client.force_login(worker_a)

    client.post(url("workbench_take", order))
    again = client.post(url("workbench_take", order), follow=True)

    assert list(order.events.filter(action="acknowledged").values_list("actor", flat=True)) \
        == [worker_a.pk]
    assert gettext("You have already taken this order.") in again.content.decode()
    order.refresh_from_db()
    assert order.state == State.DISPATCHED
    # The "Take this order" button (its translation is part of "Taken"'s).
    assert 'name="take"' not in client.get(WORKBENCH).content.decode()


def test_on_the_way_tells_the_owner_the_expected_arrival(client, order, worker_a, resident):
    client.force_login(worker_a)
    before = timezone.now()

    response = client.post(url("workbench_set_off", order), {"arrive_in": "30"})

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.expected_arrival - before >= timedelta(minutes=30)
    assert order.expected_arrival - before < timedelta(minutes=36)
    assert order.events.filter(action="on_the_way").count() == 1
    assert InboxMessage.objects.filter(recipient=resident,
                                       event="services.ticket.on_the_way").count() == 1
    card = client.get(WORKBENCH).content.decode()
    assert f'data-state="dispatched">{gettext("On the way")}<' in card


def test_a_double_tap_on_the_way_tells_the_owner_once(client, order, worker_a, resident):
    client.force_login(worker_a)

    client.post(url("workbench_set_off", order), {"arrive_in": "60"})
    client.post(url("workbench_set_off", order), {"arrive_in": "60"})

    assert order.events.filter(action="on_the_way").count() == 1
    assert InboxMessage.objects.filter(recipient=resident,
                                       event="services.ticket.on_the_way").count() == 1


def test_start_then_complete_with_photos_and_materials(client, order, worker_a, resident,
                                                       django_capture_on_commit_callbacks):
    client.force_login(worker_a)
    client.post(url("workbench_start", order))
    order.refresh_from_db()
    assert order.state == State.IN_PROGRESS

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("workbench_complete", order), {
            "materials": "水龙头阀芯 1 个", "note": "更换阀芯", "photos": [photo(), photo()]})

    assert response.status_code == 302
    assert response["Location"] == WORKBENCH
    order.refresh_from_db()
    assert order.state == State.COMPLETED
    assert order.materials == "水龙头阀芯 1 个"
    completed = order.events.get(action="completed")
    assert completed.note == "更换阀芯"
    after = completed.attachments.all()
    assert len(after) == 2
    assert all(a.stage == TicketAttachment.Stage.AFTER and a.processed and a.thumbnail
               for a in after)
    assert all("after" not in a.file.name for a in after)
    assert InboxMessage.objects.filter(recipient=resident,
                                       event="services.ticket.completed").exists()


def test_completing_without_a_photo_is_refused_next_to_the_field(client, order, worker_a):
    client.force_login(worker_a)

    response = client.post(url("workbench_complete", order), {"materials": "生料带"})

    assert response.status_code == 200
    page = response.content.decode()
    assert gettext("Add at least one photo of the finished work.") in page
    assert "生料带" in page
    order.refresh_from_db()
    assert order.state == State.DISPATCHED
    assert not order.attachments.exists()


def test_a_renamed_non_image_is_refused_and_nothing_changes(client, order, worker_a):
    client.force_login(worker_a)
    fake = SimpleUploadedFile("after.jpg", b"%PDF-1.4 not a picture")

    response = client.post(url("workbench_complete", order), {"photos": [fake]})

    assert gettext("This file is not a picture. Please choose a JPEG, PNG, WebP or GIF photo.") \
        in response.content.decode()
    order.refresh_from_db()
    assert order.state == State.DISPATCHED


def test_a_worker_completing_someone_elses_order_is_refused(client, order, other_worker):
    client.force_login(other_worker)

    response = client.post(url("workbench_complete", order),
                           {"materials": "x", "photos": [photo()]})

    assert response.status_code == 404
    assert gettext("This order is not yours") in response.content.decode()
    order.refresh_from_db()
    assert order.state == State.DISPATCHED
    assert not order.attachments.exists()
    assert not order.events.filter(action="completed").exists()


@pytest.mark.parametrize("step", ["workbench_take", "workbench_set_off", "workbench_start"])
def test_no_step_on_someone_elses_order(client, order, other_worker, step):
    client.force_login(other_worker)
    events = order.events.count()

    response = client.post(url(step, order), {"arrive_in": "30"})

    assert response.status_code == 404
    assert order.events.count() == events


def test_the_model_refuses_a_worker_completing_someone_elses_order(order, other_worker):
    from portal.estates.errors import TransitionNotAllowed

    with pytest.raises(TransitionNotAllowed,
                       match=re.escape(gettext("This ticket is assigned to someone else."))):
        order.complete(by=other_worker, materials="x")
    order.refresh_from_db()
    assert order.state == State.DISPATCHED


def test_a_step_in_the_wrong_state_is_said_and_changes_nothing(client, order, worker_a):
    client.force_login(worker_a)
    client.post(url("workbench_start", order))

    response = client.post(url("workbench_set_off", order), {"arrive_in": "30"},
                           follow=True)

    refusal = gettext("This ticket is %(state)s; that cannot be done now.") % {
        "state": State.IN_PROGRESS.label}
    assert refusal in response.content.decode()
    order.refresh_from_db()
    assert order.state == State.IN_PROGRESS
    assert not order.events.filter(action="on_the_way").exists()


def test_steps_are_posts_only(client, order, worker_a):
    client.force_login(worker_a)
    assert client.get(url("workbench_start", order)).status_code == 405
    order.refresh_from_db()
    assert order.state == State.DISPATCHED


def test_completed_orders_of_the_last_week_are_in_the_second_tab(client, order, worker_a,
                                                                  resident, house_a,
                                                                  service_a):
    order.complete(by=worker_a, materials="生料带")
    old = submit(resident, house=house_a, description="上个月的")
    old.dispatch(worker_a.staff, by=service_a)
    old.complete(by=worker_a)
    Ticket.objects.filter(pk=old.pk).update(completed_at=timezone.now() - timedelta(days=8))
    client.force_login(worker_a)

    assert client.get(WORKBENCH).context["tickets"] == []
    response = client.get(reverse("services:workbench_done"))

    assert [t.pk for t in response.context["tickets"]] == [order.pk]
    assert "生料带" in response.content.decode()


def test_the_order_page_shows_the_history_and_the_complete_form(client, order, worker_a):
    client.force_login(worker_a)

    page = client.get(url("workbench_order", order)).content.decode()

    assert 'id="complete"' in page
    assert gettext("Dispatched") in page and gettext("Reported") in page
    assert 'enctype="multipart/form-data"' in page


def test_an_order_of_another_community_cannot_be_reached_by_a_guessed_id(
        client, worker_a, resident_b, house_b, company, community_b):
    worker_b = f.StaffFactory(company=company, user__groups=[roles.WORKER],
                              communities=[community_b])
    ticket_b = submit(resident_b, house=house_b)
    manager_b = f.StaffFactory(company=company, user__groups=[roles.MANAGER],
                               communities=[community_b]).user
    ticket_b.dispatch(worker_b, by=manager_b)
    client.force_login(worker_a)

    assert client.get(url("workbench_order", ticket_b)).status_code == 404
    assert client.get(url("workbench_call", ticket_b)).status_code == 404
    assert client.post(url("workbench_start", ticket_b)).status_code == 404
    ticket_b.refresh_from_db()
    assert ticket_b.state == State.DISPATCHED


def test_the_workers_messages_link_to_the_order_on_the_workbench(order, worker_a, resident):
    assigned = InboxMessage.objects.get(recipient=worker_a, event="services.ticket.assigned")
    assert assigned.url == url("workbench_order", order)

    order.add_message(by=resident, text="下午六点后在家")

    message = InboxMessage.objects.get(recipient=worker_a, event="services.ticket.message")
    assert message.url == url("workbench_order", order)


@pytest.mark.parametrize("now, expected", [
    ("10:07:33", "10:40:00"), ("10:10:00", "10:40:00"), ("10:10:01", "10:45:00"),
    ("10:34:59", "11:05:00"),
])
def test_the_expected_arrival_is_rounded_up_to_five_minutes(now, expected):
    from datetime import datetime

    from services.tickets.workbench_forms import SetOffForm

    form = SetOffForm({"arrive_in": "30"})
    assert form.is_valid()
    at = form.expected_arrival(datetime.fromisoformat(f"2026-11-23T{now}+08:00"))
    assert at == datetime.fromisoformat(f"2026-11-23T{expected}+08:00")
