"""A short video without where it was taken.

Phones write the recording's location into MP4 and QuickTime files: Android as a ``©xyz``
atom in ``moov/udta``, iPhones as ``com.apple.quicktime.location.ISO6709`` in the
``moov/meta`` keys (and a ``©xyz`` in ``udta`` too). Without a video tool on the server,
the box tree of the ISO base media file is read here in plain Python and those boxes are
left out of the copy that is kept:

- ``udta`` (user data: location, make, model, software) under ``moov`` and ``moov/trak``;
- ``meta`` holding location keys under ``moov`` and ``moov/trak``;
- the same boxes at the top level of the file.

Leaving bytes out of ``moov`` changes its size (and its parents' sizes, which are
rewritten). When ``moov`` comes before the media data (a "fast start" file, as phones and
WeChat write them), every chunk offset in ``stco`` / ``co64`` that points behind ``moov``
moves forward by the bytes removed. Fragmented files (``moof``) and boxes outside ``moov``
keep their sizes instead: the dropped box becomes a ``free`` box of zeros, so no offset
anywhere changes.

Only ``moov`` is read into memory; the media data is copied through.
"""

import struct
import tempfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from .checks import NOT_A_VIDEO

LOCATION_MARKERS = (b"\xa9xyz", b"location")
# A moov of more than this is no phone's short video.
MOOV_MAX_BYTES = 64 * 1024 * 1024
COPY_CHUNK = 1024 * 1024
SPOOL_BYTES = 4 * 1024 * 1024


class MalformedVideo(ValueError):
    """The boxes do not add up: not a video this module can clean."""


@dataclass(frozen=True)
class Box:
    kind: bytes
    start: int
    header: int
    size: int

    @property
    def end(self):
        return self.start + self.size

    @property
    def payload_start(self):
        return self.start + self.header


def _box_at(read, pos, end):
    """The box whose header starts at ``pos``; ``read(offset, n)`` gives the bytes."""
    if end - pos < 8:
        raise MalformedVideo("truncated box header")
    size, kind = struct.unpack(">I4s", read(pos, 8))
    header = 8
    if size == 1:
        if end - pos < 16:
            raise MalformedVideo("truncated large size")
        size = struct.unpack(">Q", read(pos + 8, 8))[0]
        header = 16
    elif size == 0:
        size = end - pos  # the box runs to the end of its parent (the file)
    if size < header or pos + size > end:
        raise MalformedVideo(f"box {kind!r} overruns its parent")
    return Box(kind, pos, header, size)


def iter_boxes(data, start=0, end=None):
    """The boxes of ``data`` (bytes) between ``start`` and ``end``."""
    end = len(data) if end is None else end
    pos = start

    def read(offset, n):
        return bytes(data[offset:offset + n])

    while pos < end:
        box = _box_at(read, pos, end)
        yield box
        pos = box.end


def _file_boxes(file, length):
    def read(offset, n):
        file.seek(offset)
        return file.read(n)

    pos = 0
    boxes = []
    while pos < length:
        try:
            box = _box_at(read, pos, length)
        except MalformedVideo:
            if not boxes or length - pos >= 8:
                raise
            # A few trailing bytes that are no box (padding some writers leave): kept.
            box = Box(b"", pos, 0, length - pos)
        boxes.append(box)
        pos = box.end
    return boxes


def _payload(data, box):
    return data[box.payload_start:box.end]


def _has_location(data, box):
    payload = _payload(data, box)
    return any(marker in payload for marker in LOCATION_MARKERS)


def _dropped(data, box):
    return box.kind == b"udta" or (box.kind == b"meta" and _has_location(data, box))


def _header(kind, header_length, payload_length):
    if header_length == 16:
        return struct.pack(">I4sQ", 1, kind, 16 + payload_length)
    if 8 + payload_length > 0xFFFFFFFF:
        raise MalformedVideo("box too large for its header")
    return struct.pack(">I4s", 8 + payload_length, kind)


def _free(size):
    """A ``free`` box of zeros taking exactly ``size`` bytes (at least 8)."""
    return struct.pack(">I4s", size, b"free") + bytes(size - 8)


def _clean_children(data, box, blank):
    """The payload of ``moov`` or ``trak`` without its location boxes; with ``blank``
    they become ``free`` boxes of the same size."""
    parts = []
    for child in iter_boxes(data, box.payload_start, box.end):
        if _dropped(data, child):
            if blank:
                parts.append(_free(child.size))
            continue
        if child.kind == b"trak" and box.kind == b"moov":
            parts.append(_rebuilt(data, child, blank))
        else:
            parts.append(bytes(data[child.start:child.end]))
    return b"".join(parts)


def _rebuilt(data, box, blank):
    payload = _clean_children(data, box, blank)
    return _header(box.kind, box.header, len(payload)) + payload


def _descend(data, start, end, path):
    """The boxes at ``path`` (a tuple of kinds) under the span ``start``-``end``."""
    for box in iter_boxes(data, start, end):
        if box.kind == path[0]:
            if len(path) == 1:
                yield box
            else:
                yield from _descend(data, box.payload_start, box.end, path[1:])


def chunk_offset_tables(moov):
    """The ``stco`` and ``co64`` boxes of every track of ``moov`` (bytes of the box)."""
    first = next(iter_boxes(moov))
    for table in ("stco", "co64"):
        path = (b"trak", b"mdia", b"minf", b"stbl", table.encode())
        yield from _descend(moov, first.payload_start, first.end, path)


def chunk_offsets(moov):
    """All chunk offsets of ``moov``, track by track, as the file gives them."""
    offsets = []
    for table in chunk_offset_tables(moov):
        offsets += _read_offsets(moov, table)
    return offsets


def _read_offsets(moov, table):
    width = 8 if table.kind == b"co64" else 4
    count = struct.unpack_from(">I", moov, table.payload_start + 4)[0]
    first = table.payload_start + 8
    if first + count * width > table.end:
        raise MalformedVideo("chunk offset table overruns its box")
    fmt = ">Q" if width == 8 else ">I"
    return [struct.unpack_from(fmt, moov, first + i * width)[0] for i in range(count)]


def _shift_offsets(moov, behind, removed):
    """Move every chunk offset at or after ``behind`` forward by ``removed`` bytes."""
    moov = bytearray(moov)
    for table in list(chunk_offset_tables(moov)):
        width = 8 if table.kind == b"co64" else 4
        fmt = ">Q" if width == 8 else ">I"
        first = table.payload_start + 8
        for i, offset in enumerate(_read_offsets(moov, table)):
            if offset >= behind:
                struct.pack_into(fmt, moov, first + i * width, offset - removed)
    return bytes(moov)


def clean_video_file(source, target):
    """Copy the MP4/QuickTime file ``source`` into ``target`` (binary file objects)
    without its location boxes. Returns the bytes left out (0: an identical copy was
    not needed and nothing was written). Raises MalformedVideo."""
    source.seek(0, 2)
    length = source.tell()
    boxes = _file_boxes(source, length)
    moovs = [box for box in boxes if box.kind == b"moov"]
    if len(moovs) > 1:
        raise MalformedVideo("a video has one moov box")
    if not moovs:
        # No movie header (a cut-off upload): no player shows it, and there is nothing in
        # moov to remove; boxes at the top level are still cleaned.
        return _clean_top_level(source, target, boxes, None, b"")
    moov_box = moovs[0]
    if moov_box.size > MOOV_MAX_BYTES:
        raise MalformedVideo("moov too large")
    fragmented = any(box.kind == b"moof" for box in boxes)
    source.seek(moov_box.start)
    moov = source.read(moov_box.size)
    local = Box(moov_box.kind, 0, moov_box.header, moov_box.size)
    new_moov = _rebuilt(moov, local, blank=fragmented)
    removed = len(moov) - len(new_moov)
    if removed:
        new_moov = _shift_offsets(new_moov, behind=moov_box.end, removed=removed)
    if not removed and new_moov == moov:
        return _clean_top_level(source, target, boxes, None, b"")
    _clean_top_level(source, target, boxes, moov_box, new_moov)
    return removed


def _clean_top_level(source, target, boxes, moov_box, new_moov):
    """Write the file with ``new_moov`` in place of ``moov_box`` and the location boxes of
    the top level made ``free``; when neither changes anything, write nothing."""
    blanked = {box.start for box in boxes if _dropped_top(source, box)}
    if moov_box is None and not blanked:
        return 0
    for box in boxes:
        if box is moov_box:
            target.write(new_moov)
        elif box.start in blanked:
            target.write(_free(box.size))
        else:
            _copy(source, target, box.start, box.size)
    target.flush()
    return 0


def _dropped_top(source, box):
    if box.kind not in (b"udta", b"meta"):
        return False
    if box.kind == b"udta" or box.size > MOOV_MAX_BYTES:
        return True
    source.seek(box.start)
    data = source.read(box.size)
    local = Box(box.kind, 0, box.header, box.size)
    return _has_location(data, local)


def _copy(source, target, start, size):
    source.seek(start)
    remaining = size
    while remaining:
        chunk = source.read(min(COPY_CHUNK, remaining))
        if not chunk:
            raise MalformedVideo("file ended early")
        target.write(chunk)
        remaining -= len(chunk)


def strip_video_location(uploaded_file):
    """The upload as it will be kept: a new file without the location boxes, or the same
    file when it had none. A file whose boxes do not add up is refused as not a video
    (its location could not be removed)."""
    # In memory up to a few megabytes, then a temporary file that removes itself.
    buffer = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    try:
        uploaded_file.seek(0)
        clean_video_file(uploaded_file, buffer)
        written = buffer.tell()
    except MalformedVideo:
        buffer.close()
        raise ValidationError(NOT_A_VIDEO, code="not_a_video") from None
    finally:
        uploaded_file.seek(0)
    if not written:
        buffer.close()
        return uploaded_file
    buffer.seek(0)
    return UploadedFile(buffer, name=uploaded_file.name, size=written,
                        content_type=getattr(uploaded_file, "content_type", None))
