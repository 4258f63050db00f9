"""A ticket's video after the background task: a poster (a frame about a second in, the
same square as a photo's thumbnail) and its length; a video whose pictures cannot be
decoded stays playable without one. The poster is shown with a play mark and the length
on the owner's page and in the admin, and served only to those who may see the ticket."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from portal.estates import roles
from services.models import Ticket, TicketAttachment
from services.tickets.tasks import process_attachment
from tests import factories as f
from tests.services.owner_helpers import (  # noqa: F401
    english,
    media_root,
    repair_data,
    service_pages,
)
from tests.services.video_helpers import (
    BLUE,
    RED,
    recorded_upright,
    video_bytes,
    video_upload,
    with_garbled_pictures,
)

pytestmark = pytest.mark.usefixtures("english", "media_root")


def colour_at_centre(path):
    with Image.open(path) as image:
        return image.convert("RGB").getpixel((image.width // 2, image.height // 2))


def near(colour, expected, tolerance=40):
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected, strict=True))


def attach_video(ticket, data):
    return TicketAttachment.objects.create(
        ticket=ticket, community_id=ticket.community_id, event=ticket.events.first(),
        kind=TicketAttachment.Kind.VIDEO, file=ContentFile(data, name="clip.mp4"))


def test_a_submitted_video_gets_a_poster_and_its_length(
        client, resident, house_a, django_capture_on_commit_callbacks):
    repair_page = service_pages(resident.resident.community)[0]
    client.force_login(resident)
    # Red for the first second, blue after: the poster is the picture a second in.
    upload = video_upload(seconds=3, size=(160, 90), colours=(RED, BLUE))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(repair_page.url, repair_data(resident, house_a, video=upload))

    assert response.status_code == 302
    video = Ticket.objects.get().attachments.get(kind=TicketAttachment.Kind.VIDEO)
    assert video.processed
    with Image.open(video.thumbnail.path) as poster:
        assert (poster.format, poster.size) == ("JPEG", (240, 240))
    assert near(colour_at_centre(video.thumbnail.path), BLUE)
    assert video.duration.total_seconds() == pytest.approx(3.0, abs=0.1)
    assert video.duration_label == "0:03"


def test_the_request_leaves_the_poster_to_the_task(
        client, resident, house_a, django_capture_on_commit_callbacks):
    repair_page = service_pages(resident.resident.community)[0]
    client.force_login(resident)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.post(repair_page.url, repair_data(resident, house_a, video=video_upload()))

    video = TicketAttachment.objects.get()
    assert not video.processed and not video.thumbnail and video.duration is None
    for callback in queued:
        callback()
    video.refresh_from_db()
    assert video.processed and video.thumbnail and video.duration


def test_a_video_shorter_than_a_second_shows_its_first_picture(ticket):
    video = attach_video(ticket, video_bytes(seconds=0.5, colours=(BLUE,)))

    assert process_attachment.call(video.pk)

    video.refresh_from_db()
    assert near(colour_at_centre(video.thumbnail.path), BLUE)
    assert video.duration_label == "0:01"  # half a second, rounded as players do


def test_a_video_recorded_upright_gets_an_upright_poster(ticket):
    # Stored sideways: red on the left, blue on the right; shown a quarter turn clockwise,
    # red is on top.
    sideways = Image.new("RGB", (64, 48), BLUE)
    sideways.paste(RED, (0, 0, 32, 48))
    video = attach_video(ticket, recorded_upright(video_bytes(picture=sideways)))

    process_attachment.call(video.pk)

    video.refresh_from_db()
    with Image.open(video.thumbnail.path) as poster:
        poster = poster.convert("RGB")
        assert near(poster.getpixel((120, 20)), RED)
        assert near(poster.getpixel((120, 220)), BLUE)


def test_a_video_whose_pictures_cannot_be_decoded_stays_without_a_poster(ticket):
    video = attach_video(ticket, with_garbled_pictures(video_bytes()))

    assert process_attachment.call(video.pk)

    video.refresh_from_db()
    assert video.processed and not video.thumbnail
    # The file is left as it was, to be played (or downloaded) as sent.
    with video.file.open("rb") as kept:
        assert kept.read() == with_garbled_pictures(video_bytes())


def test_processing_a_video_twice_does_the_work_once(ticket, settings):
    video = attach_video(ticket, video_bytes())
    assert process_attachment.call(video.pk)
    video.refresh_from_db()
    poster = video.thumbnail.name

    assert not process_attachment.call(video.pk)

    video.refresh_from_db()
    assert video.thumbnail.name == poster
    assert len([p for p in settings.PRIVATE_ROOT.rglob("*_poster.jpg")]) == 1


@pytest.fixture
def processed_video(ticket):
    video = attach_video(ticket, video_bytes(seconds=12, rate=2))
    process_attachment.call(video.pk)
    video.refresh_from_db()
    return video


def test_the_owner_sees_the_poster_with_a_play_mark_and_the_length(
        client, resident, ticket, processed_video):
    client.force_login(resident)
    page = client.get(reverse("services:ticket_detail", args=[ticket.pk])).content.decode()

    assert f'href="{processed_video.file.url}" class="ticket-photos__poster"' in page
    assert f'src="{processed_video.thumbnail.url}"' in page
    assert 'class="ticket-photos__play"' in page
    assert '<span class="ticket-photos__duration" aria-hidden="true">0:12</span>' in page


def test_without_a_poster_the_video_keeps_its_plain_tile(client, resident, ticket):
    video = attach_video(ticket, with_garbled_pictures(video_bytes()))
    process_attachment.call(video.pk)
    client.force_login(resident)
    page = client.get(reverse("services:ticket_detail", args=[ticket.pk])).content.decode()

    assert f'<a href="{video.file.url}" class="ticket-photos__video">Video' in page
    assert "ticket-photos__poster" not in page


def test_the_admin_shows_the_poster_and_the_length(client, service_a, ticket, processed_video):
    client.force_login(service_a)
    page = client.get(ticket.admin_url).content.decode()

    assert f'src="{processed_video.thumbnail.url}"' in page
    assert f'href="{processed_video.file.url}" aria-label="Play the video 0:12"' in page


@pytest.fixture
def outsider_worker(company, community_a):
    return f.StaffFactory(company=company, user__groups=[roles.WORKER],
                          communities=[community_a]).user


@pytest.mark.parametrize("persona", ["resident", "service_a", "manager_a", "leadership"])
def test_those_who_see_the_ticket_get_the_poster(client, request, processed_video, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(processed_video.thumbnail.url)

    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    with processed_video.thumbnail.open("rb") as poster:
        assert b"".join(response.streaming_content) == poster.read()


@pytest.mark.parametrize("persona", ["neighbour", "resident_b", "manager_b", "outsider_worker",
                                     "outsider", "merchant"])
def test_nobody_else_gets_the_poster(client, request, processed_video, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(processed_video.thumbnail.url).status_code == 404


def test_anonymous_visitors_get_no_poster(client, processed_video):
    assert client.get(processed_video.thumbnail.url).status_code == 404


def test_the_worker_sees_the_owners_video_on_the_order_card(client, ticket, processed_video,
                                                           worker_a, service_a):
    ticket.dispatch(worker_a.staff, by=service_a)
    client.force_login(worker_a)
    page = client.get("/work/").content.decode()

    assert f'href="{processed_video.file.url}" class="ticket-photos__poster"' in page
    assert f'src="{processed_video.thumbnail.url}"' in page
    assert '<span class="ticket-photos__duration" aria-hidden="true">0:12</span>' in page


def test_a_worker_gets_the_poster_of_their_order_only(client, ticket, processed_video,
                                                     worker_a, service_a, outsider_worker):
    client.force_login(worker_a)
    assert client.get(processed_video.thumbnail.url).status_code == 404
    ticket.dispatch(worker_a.staff, by=service_a)
    assert client.get(processed_video.thumbnail.url).status_code == 200


def test_videos_from_before_posters_get_them_from_the_backfill_command(
        ticket, django_capture_on_commit_callbacks):
    """Before posters, the task marked a video processed and left it; the command queues
    those once (a video whose pictures cannot be decoded has its length already)."""
    from io import StringIO

    from django.core.management import call_command

    old = attach_video(ticket, video_bytes(seconds=2))
    TicketAttachment.objects.filter(pk=old.pk).update(processed=True)
    done = attach_video(ticket, video_bytes())
    process_attachment.call(done.pk)
    done.refresh_from_db()
    poster = done.thumbnail.name

    output = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("make_video_posters", stdout=output)

    old.refresh_from_db()
    done.refresh_from_db()
    assert old.processed and old.thumbnail and old.duration_label == "0:02"
    assert done.thumbnail.name == poster
    assert output.getvalue().startswith("1 video(s)")
    again = StringIO()
    call_command("make_video_posters", stdout=again)
    assert again.getvalue().startswith("0 video(s)")
