"""A ticket's file is served as a picture or video only when its stored extension says
so, and anything else as a download: never as a page of the portal, where a script
hidden in it would run for the staff who open it. (Uploads are stored with the
extension their content gives: tests/services/test_media_serving.py.)"""

import pytest
from django.core.files.base import ContentFile

from services.models import TicketAttachment
from tests.services.factories import submit

# A GIF that is also an HTML page: browsers show the text and run the script.
POLYGLOT = b"GIF89a<html><script>document.title='pwned'</script></html>"


@pytest.fixture
def ticket(settings, tmp_path, resident, house_a):
    settings.PRIVATE_ROOT = tmp_path
    return submit(resident, house=house_a)


def attach(ticket, name):
    return TicketAttachment.objects.create(
        ticket=ticket, community_id=ticket.community_id, event=ticket.events.first(),
        file=ContentFile(POLYGLOT, name=name))


@pytest.mark.parametrize("name", ["clip.html", "clip.svg", "clip.xhtml", "clip"])
def test_a_file_named_as_a_page_is_sent_as_a_download(client, ticket, service_a, name):
    attachment = attach(ticket, name)
    client.force_login(service_a)

    response = client.get(attachment.file.url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize(("name", "content_type"), [
    ("photo.JPG", "image/jpeg"), ("photo.png", "image/png"), ("photo.webp", "image/webp"),
    ("clip.mp4", "video/mp4"), ("clip.MOV", "video/quicktime")])
def test_pictures_and_videos_are_shown(client, ticket, resident, name, content_type):
    attachment = attach(ticket, name)
    client.force_login(resident)

    response = client.get(attachment.file.url)

    assert response["Content-Type"] == content_type
    assert "attachment" not in response.get("Content-Disposition", "")
