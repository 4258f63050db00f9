"""A short video loses the location the phone wrote into it: the ``udta`` (with its ``©xyz``
atom) and location ``meta`` boxes leave ``moov`` and its tracks, the sizes add up again,
and the chunk offsets still point at the same media data (box trees built here; real
videos made with PyAV for the form, which FFmpeg must still play once cleaned)."""

import io
import struct

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext

from services.media.checks import NOT_A_VIDEO, check_video
from services.media.fields import VideoField
from services.media.movie import read_still
from services.media.video import (
    chunk_offsets,
    clean_video_file,
    iter_boxes,
    strip_video_location,
)
from services.models import Ticket, TicketAttachment
from tests.services.owner_helpers import (  # noqa: F401
    english,
    media_root,
    repair_data,
    service_pages,
)
from tests.services.video_helpers import video_bytes

LOCATION = b"+31.2304+121.4737+004.000/"
APPLE_KEY = b"com.apple.quicktime.location.ISO6709"
# What the chunks hold: each recognisable, so that an offset pointing elsewhere shows.
CHUNKS = [b"VIDEO-CHUNK-%02d" % n * 4 for n in range(3)] + [b"AUDIO-CHUNK-%02d" % n * 2
                                                            for n in range(2)]


def box(kind, *children, payload=b""):
    body = payload + b"".join(children)
    return struct.pack(">I4s", 8 + len(body), kind) + body


def large_box(kind, *children):
    body = b"".join(children)
    return struct.pack(">I4sQ", 1, kind, 16 + len(body)) + body


def full_box(kind, payload=b"", version=0):
    return box(kind, payload=bytes([version, 0, 0, 0]) + payload)


def chunk_table(offsets, wide):
    width = ">Q" if wide else ">I"
    entries = b"".join(struct.pack(width, offset) for offset in offsets)
    return full_box(b"co64" if wide else b"stco", struct.pack(">I", len(offsets)) + entries)


def location_udta():
    # ©xyz as Android and iPhones write it: a 16-bit length, a language, the ISO 6709 text.
    return box(b"udta", box(b"\xa9xyz", payload=struct.pack(">HH", len(LOCATION), 0x15C7)
                            + LOCATION))


def apple_meta():
    keys = full_box(b"keys", struct.pack(">I", 1) + box(b"mdta", payload=APPLE_KEY))
    item = box(b"\x00\x00\x00\x01", box(b"data", payload=b"\x00\x00\x00\x01\x00\x00\x00\x00"
                                        + LOCATION))
    return box(b"meta", full_box(b"hdlr", b"\x00" * 4 + b"mdta" + b"\x00" * 13), keys,
               box(b"ilst", item))


def track(kind, offsets, wide, with_udta):
    stbl = box(b"stbl", full_box(b"stsd", struct.pack(">I", 0)),
               chunk_table(offsets, wide))
    parts = [full_box(b"tkhd", b"\x00" * 80),
             box(b"mdia", full_box(b"mdhd", b"\x00" * 20),
                 full_box(b"hdlr", b"\x00" * 4 + kind + b"\x00" * 13),
                 box(b"minf", stbl))]
    if with_udta:
        parts.append(location_udta())
    return box(b"trak", *parts)


def mp4(moov_first=True, wide=False, apple=True, fragmented=False, large_moov=False):
    """A small phone video: ftyp, moov (two tracks with their chunk offsets, the
    location in udta and meta) and mdat, moov before or after the media data."""
    ftyp = box(b"ftyp", payload=b"isom\x00\x00\x02\x00isomiso2avc1mp41")

    def build_moov(mdat_start):
        first = mdat_start + 8
        starts, pos = [], first
        for chunk in CHUNKS:
            starts.append(pos)
            pos += len(chunk)
        children = [full_box(b"mvhd", b"\x00" * 96),
                    track(b"vide", starts[:3], wide, with_udta=True),
                    track(b"soun", starts[3:], wide, with_udta=False),
                    location_udta()]
        if apple:
            children.append(apple_meta())
        return (large_box if large_moov else box)(b"moov", *children)

    mdat = box(b"mdat", payload=b"".join(CHUNKS))
    tail = box(b"moof", full_box(b"mfhd", b"\x00\x00\x00\x01")) if fragmented else b""
    if moov_first:
        moov_length = len(build_moov(0))
        return ftyp + build_moov(len(ftyp) + moov_length) + mdat + tail
    return ftyp + mdat + build_moov(len(ftyp)) + tail


def cleaned(data):
    target = io.BytesIO()
    removed = clean_video_file(io.BytesIO(data), target)
    return target.getvalue(), removed


def tree(data, start=0, end=None, depth=0):
    """Every box, walking into the containers, as (depth, kind); raises when a size is
    wrong (a box overrunning its parent)."""
    result = []
    for found in iter_boxes(data, start, end):
        result.append((depth, found.kind))
        if found.kind in (b"moov", b"trak", b"mdia", b"minf", b"stbl", b"udta"):
            result += tree(data, found.payload_start, found.end, depth + 1)
    return result


def moov_of(data):
    found = next(b for b in iter_boxes(data) if b.kind == b"moov")
    return data[found.start:found.end]


def chunks_at(data):
    """What the chunk offsets point at, as long as each chunk."""
    return [data[offset:offset + len(chunk)]
            for offset, chunk in zip(chunk_offsets(moov_of(data)), CHUNKS, strict=True)]


def test_the_builder_makes_a_file_whose_offsets_point_at_the_chunks():
    for moov_first in (True, False):
        original = mp4(moov_first=moov_first)
        assert chunks_at(original) == CHUNKS
        assert check_video(SimpleUploadedFile("clip.mp4", original)) == "mp4"


@pytest.mark.parametrize("wide", [False, True], ids=["stco", "co64"])
@pytest.mark.parametrize("large_moov", [False, True], ids=["moov", "moov-64-bit-size"])
def test_location_leaves_a_fast_start_video_and_the_offsets_follow(wide, large_moov):
    original = mp4(moov_first=True, wide=wide, large_moov=large_moov)

    result, removed = cleaned(original)

    assert removed > 0 and len(result) == len(original) - removed
    assert b"\xa9xyz" not in result and LOCATION not in result and APPLE_KEY not in result
    kinds = tree(result)  # every size adds up
    assert (1, b"udta") not in kinds and (2, b"udta") not in kinds
    assert [kind for depth, kind in kinds if depth == 0] == [b"ftyp", b"moov", b"mdat"]
    assert kinds.count((1, b"trak")) == 2 and (1, b"mvhd") in kinds
    # moov got shorter, so the media data moved forward: the offsets moved with it.
    assert chunks_at(result) == CHUNKS
    assert chunk_offsets(moov_of(result)) == [
        offset - removed for offset in chunk_offsets(moov_of(original))]
    assert result.endswith(box(b"mdat", payload=b"".join(CHUNKS)))


def test_when_the_media_data_comes_first_the_offsets_stay():
    original = mp4(moov_first=False)

    result, removed = cleaned(original)

    assert removed > 0 and b"\xa9xyz" not in result and LOCATION not in result
    assert chunk_offsets(moov_of(result)) == chunk_offsets(moov_of(original))
    assert chunks_at(result) == CHUNKS
    tree(result)


def test_a_meta_box_without_a_location_stays():
    original = mp4(apple=False, moov_first=False)
    plain_meta = box(b"meta", full_box(b"hdlr", b"\x00" * 4 + b"mdir" + b"\x00" * 13))
    moov = moov_of(original)
    # moov comes last: growing it moves no chunk.
    original = original.replace(moov, box(b"moov", moov[8:] + plain_meta))
    result, _removed = cleaned(original)

    assert plain_meta in result and b"\xa9xyz" not in result
    assert chunks_at(result) == CHUNKS


def test_a_fragmented_video_keeps_its_layout_with_the_location_zeroed():
    original = mp4(fragmented=True)

    result, removed = cleaned(original)

    assert removed == 0 and len(result) == len(original)
    assert b"\xa9xyz" not in result and LOCATION not in result
    assert (1, b"free") in tree(result)
    assert chunks_at(result) == CHUNKS


def test_location_at_the_top_level_is_zeroed_in_place():
    original = mp4(apple=False) + location_udta()

    result, _removed = cleaned(original)

    assert b"\xa9xyz" not in result
    assert [kind for depth, kind in tree(result) if depth == 0] == [
        b"ftyp", b"moov", b"mdat", b"free"]
    assert chunks_at(result) == CHUNKS


def test_a_video_without_location_is_kept_as_it_came():
    original = mp4()
    bare, _removed = cleaned(original)
    upload = SimpleUploadedFile("clip.mp4", bare)
    assert strip_video_location(upload) is upload


def test_a_video_whose_boxes_do_not_add_up_is_refused():
    original = bytearray(mp4())
    moov_at = original.index(b"moov") - 4
    # moov claims more bytes than the file has.
    struct.pack_into(">I", original, moov_at, len(original))
    with pytest.raises(ValidationError) as refused:
        strip_video_location(SimpleUploadedFile("clip.mp4", bytes(original)))
    assert refused.value.messages == [gettext(NOT_A_VIDEO)]


def plays(data):
    """FFmpeg finds the pictures where the moved offsets say they are."""
    still = read_still(io.BytesIO(data))
    return still.image is not None and still.seconds == pytest.approx(2.0, abs=0.1)


@pytest.mark.parametrize("container", ["mp4", "mov"])
def test_the_video_field_gives_the_cleaned_copy(container):
    class Form(forms.Form):
        video = VideoField()

    original = video_bytes(container=container, location=LOCATION.decode())
    assert LOCATION in original
    form = Form(files={"video": SimpleUploadedFile(f"VID_0001.{container}", original)})
    assert form.is_valid(), form.errors
    video = form.cleaned_data["video"]
    video.seek(0)
    kept = video.read()
    assert LOCATION not in kept and b"\xa9xyz" not in kept and plays(kept)
    assert len(kept) < len(original)
    assert video.name == f"VID_0001.{container}" and video.size == len(kept)


@pytest.mark.usefixtures("english", "media_root")
def test_a_submitted_video_is_stored_without_its_location(client, resident, house_a):
    repair_page = service_pages(resident.resident.community)[0]
    client.force_login(resident)
    original = video_bytes(container="mov", location=LOCATION.decode())
    response = client.post(repair_page.url, repair_data(
        resident, house_a, video=SimpleUploadedFile("IMG_0001.MOV", original,
                                                    content_type="video/quicktime")))

    assert response.status_code == 302
    video = Ticket.objects.get().attachments.get(kind=TicketAttachment.Kind.VIDEO)
    with video.file.open("rb") as stored:
        kept = stored.read()
    assert b"\xa9xyz" not in kept and LOCATION not in kept and plays(kept)
