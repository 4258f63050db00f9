"""Tickets' photos and videos are not published under MEDIA_URL: they are kept under
PRIVATE_ROOT and served by a view that lets through only those who may see the ticket
(its owner, the staff of its community, its worker, leadership); to anyone else, and for
a guessed name, the answer is the same 404."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from portal.estates import roles
from services.models import TicketAttachment
from tests import factories as f
from tests.services.factories import submit

PHOTO = b"\xff\xd8\xff\xe0 a photo"
THUMB = b"\xff\xd8\xff\xe0 its thumbnail"


@pytest.fixture
def folders(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_ROOT = tmp_path / "private"
    return settings


@pytest.fixture
def order(resident, house_a, worker_a, service_a):
    ticket = submit(resident, house=house_a)
    ticket.dispatch(worker_a.staff, by=service_a)
    return ticket


def attach(ticket, event=None, stem="leak"):
    return TicketAttachment.objects.create(
        ticket=ticket, community_id=ticket.community_id, event=event or ticket.events.first(),
        file=ContentFile(PHOTO, name=f"{stem}.jpg"),
        thumbnail=ContentFile(THUMB, name=f"{stem}_thumb.jpg"), processed=True)


@pytest.fixture
def photo(folders, order):
    return attach(order)


@pytest.fixture
def other_worker(company, community_a):
    return f.StaffFactory(company=company, user__groups=[roles.WORKER],
                          communities=[community_a]).user


def fetch(client, url):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.status_code == 200 else b""
    return response.status_code, body


def test_files_are_kept_outside_the_published_media_root(photo, folders):
    assert photo.file.path.startswith(str(folders.PRIVATE_ROOT))
    assert not list(folders.MEDIA_ROOT.rglob("*"))
    assert not photo.file.url.startswith(folders.MEDIA_URL)
    assert photo.file.url == reverse("services:ticket_media", args=[photo.file.name])


@pytest.mark.parametrize("persona", ["resident", "service_a", "manager_a", "worker_a",
                                     "leadership"])
def test_those_who_see_the_ticket_get_the_photo_and_thumbnail(client, request, photo,
                                                              persona):
    client.force_login(request.getfixturevalue(persona))

    assert fetch(client, photo.file.url) == (200, PHOTO)
    response = client.get(photo.thumbnail.url)
    assert b"".join(response.streaming_content) == THUMB
    assert response["Content-Type"] == "image/jpeg"
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize("persona", ["neighbour", "resident_b", "manager_b", "other_worker",
                                     "outsider", "merchant"])
def test_nobody_else_gets_it(client, request, photo, persona):
    client.force_login(request.getfixturevalue(persona))
    assert fetch(client, photo.file.url)[0] == 404
    assert fetch(client, photo.thumbnail.url)[0] == 404


def test_anonymous_visitors_get_nothing(client, photo):
    assert fetch(client, photo.file.url)[0] == 404


def test_a_guessed_name_is_not_found(client, resident, photo):
    client.force_login(resident)
    guessed = reverse("services:ticket_media", args=["tickets/2026/11/guessed.jpg"])
    assert fetch(client, guessed)[0] == 404
    outside = reverse("services:ticket_media", args=["../../etc/passwd"])
    assert fetch(client, outside)[0] == 404


def test_a_worker_loses_the_photos_when_the_order_goes_to_someone_else(
        client, photo, order, worker_a, other_worker, service_a):
    order.reassign(other_worker.staff, by=service_a)
    client.force_login(worker_a)
    assert fetch(client, photo.file.url)[0] == 404
    client.force_login(other_worker)
    assert fetch(client, photo.file.url)[0] == 200


def test_photos_of_an_internal_note_are_not_the_owners(client, folders, order, resident,
                                                       service_a):
    note = order.add_message(by=service_a, text="业主家里有狗，注意", visible=False)
    internal = attach(order, event=note, stem="internal")
    client.force_login(resident)
    assert fetch(client, internal.file.url)[0] == 404
    client.force_login(service_a)
    assert fetch(client, internal.file.url)[0] == 200


def test_the_pages_show_thumbnails_through_the_view(client, photo, order, resident, worker_a):
    client.force_login(resident)
    page = client.get(reverse("services:ticket_detail", args=[order.pk])).content.decode()
    assert f'src="{photo.thumbnail.url}"' in page
    assert photo.thumbnail.url.startswith("/ticket-media/")
