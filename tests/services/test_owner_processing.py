"""A submission's photos after the background task: the EXIF location gone, a thumbnail
made, the original deleted; photos chosen in WeChat fetched through its media API."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from PIL import ExifTags, Image

from services.models import Ticket, TicketAttachment
from services.tickets.tasks import attach_wechat_photo
from tests.services.owner_helpers import (  # noqa: F401
    english,
    media_root,
    phone_photo,
    repair_data,
    service_pages,
)
from tests.wechat import conftest as wechat_conftest
from tests.wechat.conftest import APPID, SECRET
from tests.wechat.factories import OfficialAccountFactory

# The WeChat stub and its fixture, shared with the WeChat tests.
_wechat_stub_server = wechat_conftest._wechat_stub_server
wechat_stub = wechat_conftest.wechat_stub

MEDIA_ID = "k3v9QmT0Zr8yB2nX-media_id_chosen_with_wx_chooseImage_0123456789ab"

pytestmark = pytest.mark.usefixtures("english", "media_root")


@pytest.fixture
def repair_page(community_a):
    return service_pages(community_a)[0]


@pytest.fixture
def owner(client, resident):
    client.force_login(resident)
    return client


def stored_files(settings):
    return {p.relative_to(settings.MEDIA_ROOT).as_posix()
            for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()}


def test_submitted_photos_lose_their_location_and_get_a_thumbnail(
        owner, resident, house_a, repair_page, settings, django_capture_on_commit_callbacks):
    photos = [phone_photo(f"IMG_{n}.jpg", size=(640, 480)) for n in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        owner.post(repair_page.url, repair_data(resident, house_a, photos=photos))

    attachments = Ticket.objects.get().attachments.all()
    assert len(attachments) == 3
    for attachment in attachments:
        assert attachment.processed
        with Image.open(attachment.file.path) as cleaned:
            assert not cleaned.getexif().get_ifd(ExifTags.IFD.GPSInfo)
            assert not cleaned.getexif()
        with Image.open(attachment.thumbnail.path) as thumbnail:
            assert thumbnail.size == (240, 240)
    # Only the cleaned copies and their thumbnails are left: the originals are gone.
    assert stored_files(settings) == {
        name for a in attachments for name in (a.file.name, a.thumbnail.name)}


def test_the_request_stores_the_photos_and_leaves_the_work_to_the_task(
        owner, resident, house_a, repair_page, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        owner.post(repair_page.url, repair_data(resident, house_a, photos=[phone_photo()]))

    attachment = TicketAttachment.objects.get()
    assert not attachment.processed and not attachment.thumbnail
    for callback in queued:
        callback()
    attachment.refresh_from_db()
    assert attachment.processed and attachment.thumbnail


@pytest.fixture
def account(company, wechat_stub):
    return OfficialAccountFactory(appid=APPID, secret=SECRET, company=company)


def test_photos_chosen_in_wechat_are_fetched_in_the_background(
        owner, resident, house_a, repair_page, account, wechat_stub,
        django_capture_on_commit_callbacks):
    wechat_stub.add_media(APPID, MEDIA_ID)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.post(repair_page.url,
                              repair_data(resident, house_a, photos_wechat=[MEDIA_ID]))

    assert response.status_code == 302
    photo = Ticket.objects.get().attachments.get()
    assert photo.processed and photo.thumbnail
    assert photo.event.action == "submitted"
    assert MEDIA_ID not in photo.file.name
    assert [call.params["media_id"] for call in wechat_stub.calls_to("cgi-bin/media/get")] == [
        MEDIA_ID]


def test_an_expired_wechat_photo_does_not_lose_the_ticket(
        owner, resident, house_a, repair_page, account, wechat_stub,
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        owner.post(repair_page.url, repair_data(resident, house_a, photos_wechat=["gone-id"]))

    ticket = Ticket.objects.get()
    assert not ticket.attachments.exists()


def test_a_retried_wechat_fetch_attaches_the_photo_once(
        owner, resident, house_a, repair_page, account, wechat_stub, settings,
        django_capture_on_commit_callbacks):
    wechat_stub.add_media(APPID, MEDIA_ID)
    with django_capture_on_commit_callbacks(execute=True):
        owner.post(repair_page.url, repair_data(resident, house_a, photos_wechat=[MEDIA_ID]))
    ticket = Ticket.objects.get()
    first = ticket.attachments.get()

    # The task queue runs the same job again (a worker died before acknowledging it).
    with django_capture_on_commit_callbacks(execute=True):
        again = attach_wechat_photo.call(ticket.events.get().pk, MEDIA_ID, "report")

    assert again == first.pk
    assert ticket.attachments.count() == 1
    # Not even fetched again, and no second copy left in storage.
    assert len(wechat_stub.calls_to("cgi-bin/media/get")) == 1
    assert stored_files(settings) == {first.file.name, first.thumbnail.name}
    assert MEDIA_ID not in first.wechat_media_digest


def test_a_message_sent_twice_with_the_same_wechat_photo_attaches_it_once(
        owner, ticket, account, wechat_stub, django_capture_on_commit_callbacks):
    wechat_stub.add_media(APPID, MEDIA_ID)
    url = reverse("services:ticket_action", args=[ticket.pk, "message"])
    for key in ("form-key-1", "form-key-2"):  # two messages, the same photo
        with django_capture_on_commit_callbacks(execute=True):
            response = owner.post(url, {"text": "再看看这张照片", "photos_wechat": [MEDIA_ID],
                                        "idempotency_key": key})
        assert response.status_code == 302

    assert ticket.attachments.count() == 1
    assert ticket.attachments.get().stage == TicketAttachment.Stage.MESSAGE


def test_the_same_wechat_photo_may_go_with_two_tickets(
        owner, resident, house_a, repair_page, account, wechat_stub,
        django_capture_on_commit_callbacks):
    wechat_stub.add_media(APPID, MEDIA_ID)
    for key in ("form-key-1", "form-key-2"):
        with django_capture_on_commit_callbacks(execute=True):
            owner.post(repair_page.url, repair_data(resident, house_a, photos_wechat=[MEDIA_ID],
                                                    idempotency_key=key))

    assert [t.attachments.count() for t in Ticket.objects.all()] == [1, 1]


def test_the_database_refuses_a_second_copy_of_a_wechat_photo(ticket):
    digest = TicketAttachment.media_digest(MEDIA_ID)
    fields = {"ticket": ticket, "community_id": ticket.community_id, "file": "tickets/a.jpg",
              "wechat_media_digest": digest}
    TicketAttachment.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        TicketAttachment.objects.create(**fields)
    # Uploads without a media_id are not concerned.
    TicketAttachment.objects.create(**{**fields, "wechat_media_digest": ""})
    TicketAttachment.objects.create(**{**fields, "wechat_media_digest": ""})
