"""A ticket's short video at upload: FFmpeg must find a picture to play in it, and it must
be short (TICKET_VIDEO_MAX_SECONDS); read from the container's headers, real videos made
by PyAV. A refused video is named next to its field, the rest of the form kept, nothing
saved."""

import struct

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile

from services.media.checks import check_video_playable
from services.media.fields import VideoField
from services.models import Ticket
from tests.services.owner_helpers import (  # noqa: F401
    english,
    media_root,
    phone_photo,
    repair_data,
    service_pages,
)
from tests.services.video_helpers import video_bytes, video_upload, with_garbled_pictures

NOT_A_VIDEO = "This file is not a video. Please choose an MP4 or MOV video."
UNPLAYABLE = "This video cannot be played. Please record it again or choose another video."
FTYP = struct.pack(">I4s", 24, b"ftyp") + b"isom\x00\x00\x02\x00isomiso2"

pytestmark = pytest.mark.usefixtures("english")


class VideoForm(forms.Form):
    video = VideoField()


def video_errors(upload):
    form = VideoForm(files={"video": upload})
    assert not form.is_valid()
    return form.errors["video"]


def box(kind, payload):
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


@pytest.mark.parametrize("container", ["mp4", "mov"])
def test_a_real_short_video_passes_with_its_length(container):
    upload = video_upload(f"clip.{container}", container=container)
    form = VideoForm(files={"video": upload})
    assert form.is_valid(), form.errors
    assert check_video_playable(form.cleaned_data["video"]) == pytest.approx(2.0, abs=0.1)


@pytest.mark.parametrize("upload", [
    phone_photo("clip.mp4"),
    SimpleUploadedFile("clip.mp4", "厨房漏水，请尽快来修".encode() * 20),
], ids=["jpeg", "text"])
def test_a_renamed_photo_or_text_is_not_a_video(upload):
    assert video_errors(upload) == [NOT_A_VIDEO]


def test_ftyp_followed_by_garbage_is_refused():
    garbage = bytes((n * 31 + 7) % 256 for n in range(4000))
    assert video_errors(SimpleUploadedFile("clip.mp4", FTYP + garbage))


def test_boxes_that_add_up_around_garbage_cannot_be_played():
    # Past the box parser (every size right, no location to remove): only FFmpeg sees
    # that nothing in it is a movie.
    garbage = bytes((n * 31 + 7) % 256 for n in range(4000))
    upload = SimpleUploadedFile("clip.mp4", FTYP + box(b"free", b"") + box(b"mdat", garbage))
    assert video_errors(upload) == [UNPLAYABLE]


def test_a_video_whose_pictures_are_noise_cannot_be_played():
    upload = SimpleUploadedFile("clip.mp4", with_garbled_pictures(video_bytes()))
    assert video_errors(upload) == [UNPLAYABLE]


def test_sound_without_pictures_cannot_be_played():
    upload = SimpleUploadedFile("voice.mp4", video_bytes(audio_only=True))
    assert video_errors(upload) == [UNPLAYABLE]


def test_a_video_longer_than_a_minute_is_refused():
    # One frame a second keeps a long video cheap to make.
    upload = video_upload(seconds=75, rate=1, size=(32, 32))
    assert video_errors(upload) == ["This video is too long (1:15); at most 60 seconds."]


def test_the_length_limit_is_a_setting(settings):
    settings.TICKET_VIDEO_MAX_SECONDS = 1
    assert video_errors(video_upload(seconds=2)) == [
        "This video is too long (0:02); at most 1 second."]
    settings.TICKET_VIDEO_MAX_SECONDS = 5
    assert VideoForm(files={"video": video_upload(seconds=2)}).is_valid()


def test_the_field_tells_the_limit_before_anyone_records(settings):
    assert VideoForm()["video"].help_text == "At most 60 seconds."
    settings.TICKET_VIDEO_MAX_SECONDS = 30
    assert VideoForm()["video"].help_text == "At most 30 seconds."


@pytest.mark.usefixtures("media_root")
def test_a_too_long_video_on_the_repair_form_keeps_the_rest_and_saves_nothing(
        client, resident, house_a, settings):
    repair_page = service_pages(resident.resident.community)[0]
    client.force_login(resident)
    data = repair_data(resident, house_a, description="楼上漏水到我家厨房",
                       video=video_upload(seconds=75, rate=1, size=(32, 32)))

    response = client.post(repair_page.url, data)

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["video"] == ["This video is too long (1:15); at most 60 seconds."]
    assert "This video is too long (1:15)" in response.content.decode()
    assert form["description"].value() == "楼上漏水到我家厨房"
    assert form["location"].value() == f"house-{house_a.pk}"
    assert not Ticket.objects.exists()
    assert not [p for p in settings.PRIVATE_ROOT.rglob("*") if p.is_file()]
