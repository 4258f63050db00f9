"""How a ticket's files are stored and sent: under a random name whose extension comes
from the content (a real picture named "x.html" is stored as .png), and a video in the
byte ranges a phone's player asks for (Safari and WeChat on iPhones play an MP4 only
from a server that answers 206)."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from services.media.ranges import ranged_file_response, requested_range
from services.models import TicketAttachment
from services.tickets.processing import attach_uploads
from tests.services.factories import submit
from tests.services.video_helpers import video_bytes

CONTENT = bytes(range(256)) * 40  # 10,240 bytes, each position telling its place


@pytest.fixture
def ticket(settings, tmp_path, resident, house_a):
    settings.PRIVATE_ROOT = tmp_path
    return submit(resident, house=house_a)


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(buffer, "PNG")
    return buffer.getvalue()


def test_uploads_are_stored_with_the_extension_of_their_content(
        ticket, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        stored = attach_uploads(ticket.events.first(), stage=TicketAttachment.Stage.REPORT,
                                photos=[SimpleUploadedFile("page.html", png())],
                                video=SimpleUploadedFile("clip.jpg", video_bytes()))

    assert [name.rsplit(".", 1)[1] for name in stored] == ["png", "mp4"]
    assert "page" not in stored[0] and "clip" not in stored[1]


@pytest.fixture
def video(ticket):
    return TicketAttachment.objects.create(
        ticket=ticket, community_id=ticket.community_id, event=ticket.events.first(),
        kind=TicketAttachment.Kind.VIDEO, file=ContentFile(CONTENT, name="clip.mp4"))


def fetch(client, attachment, **headers):
    response = client.get(attachment.file.url, headers=headers)
    return response, b"".join(response.streaming_content) if response.streaming else b""


def test_without_a_range_the_whole_video_comes_and_ranges_are_offered(client, resident, video):
    client.force_login(resident)
    response, body = fetch(client, video)

    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert body == CONTENT


@pytest.mark.parametrize(("header", "first", "last"), [
    ("bytes=0-1", 0, 1),            # what iOS asks first
    ("bytes=100-199", 100, 199),
    ("bytes=10000-", 10000, 10239),  # to the end
    ("bytes=-40", 10200, 10239),     # the last 40 bytes
    ("bytes=10200-99999", 10200, 10239),  # past the end: up to the end
])
def test_a_range_answers_206_with_those_bytes(client, resident, video, header, first, last):
    client.force_login(resident)
    response, body = fetch(client, video, Range=header)

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {first}-{last}/{len(CONTENT)}"
    assert response["Content-Length"] == str(last - first + 1)
    assert response["Content-Type"] == "video/mp4"
    assert body == CONTENT[first:last + 1]


def test_a_range_past_the_end_answers_416(client, resident, video):
    client.force_login(resident)
    response, _body = fetch(client, video, Range="bytes=20000-")

    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(CONTENT)}"


@pytest.mark.parametrize("header", ["bytes=0-1,5-9", "items=0-1", "bytes=9-2", "bytes=-"])
def test_ranges_not_understood_get_the_whole_file(client, resident, video, header):
    client.force_login(resident)
    response, body = fetch(client, video, Range=header)

    assert response.status_code == 200 and body == CONTENT


def test_a_conditional_range_gets_the_whole_file(client, resident, video):
    client.force_login(resident)
    response, body = fetch(client, video, Range="bytes=0-1",
                           If_Range="Wed, 21 Oct 2015 07:28:00 GMT")

    assert response.status_code == 200 and body == CONTENT


def test_a_range_of_someone_elses_video_is_not_found(client, video, community_b):
    from tests import factories as f

    outsider = f.ResidentFactory(community=community_b).user
    client.force_login(outsider)

    assert client.get(video.file.url, headers={"Range": "bytes=0-1"}).status_code == 404


def test_requested_range_reads_one_range():
    assert requested_range(None, 100) is None
    assert requested_range("bytes=0-0", 100) == (0, 0)
    assert requested_range("bytes=-0", 100) is False
    assert requested_range("bytes=-500", 100) == (0, 99)
    assert requested_range("bytes=100-", 100) is False


def test_a_range_not_read_closes_the_file_with_the_response(rf, db):
    """A HEAD, or a player that hangs up before reading: the file is closed all the same."""
    handle = io.BytesIO(CONTENT)
    response = ranged_file_response(rf.head("/", headers={"Range": "bytes=0-99"}), handle,
                                    len(CONTENT), "video/mp4")
    assert response.status_code == 206

    response.close()

    assert handle.closed


def test_an_empty_file_has_no_range_to_give():
    assert requested_range("bytes=-500", 0) is False
    assert requested_range("bytes=0-", 0) is False
