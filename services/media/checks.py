"""Upload checks by content: Pillow decides what a picture is, the ISO base media file's
``ftyp`` box what a video is, and FFmpeg (movie.py) whether it holds a picture to play and
for how long. Names and browser content types are what a user (or a renamed file) says,
so they decide nothing.

Limits are settings, with these defaults:
TICKET_PHOTO_MAX_BYTES, TICKET_VIDEO_MAX_BYTES, TICKET_PHOTO_MAX_PIXELS,
TICKET_VIDEO_MAX_SECONDS.
"""

import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from PIL import Image, UnidentifiedImageError

from .movie import Unplayable, read_length

DEFAULT_PHOTO_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_VIDEO_MAX_BYTES = 30 * 1024 * 1024
# A 48-megapixel phone photo passes; a small file that would expand into gigabytes of
# pixels (a decompression bomb) does not.
DEFAULT_PHOTO_MAX_PIXELS = 50_000_000
# A short video (短视频): enough to show a leak or a noise, not a film to store and watch.
DEFAULT_VIDEO_MAX_SECONDS = 60

# Pillow's format names. MPO is a JPEG with more pictures after the first (phones write
# them for portrait or 3D shots). HEIF only when a plugin (pillow-heif) taught Pillow to
# read it; in WeChat and iOS browsers photos arrive as JPEG anyway.
PHOTO_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "GIF"} | ({"HEIF"} & set(Image.OPEN))
# The extension a stored photo gets, from its format: never the name the phone sent.
PHOTO_EXTENSIONS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif",
                    "HEIF": "heic"}
# ftyp brands of MP4 (ISO base media, what Android phones record) and QuickTime (iPhone).
MP4_BRANDS = {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1",
              b"M4V ", b"mmp4", b"MSNV"}
QUICKTIME_BRAND = b"qt  "
FTYP_MAX_BYTES = 256

NOT_A_PICTURE = _("This file is not a picture. Please choose a JPEG, PNG, WebP or GIF photo.")
PHOTO_TOO_LARGE = _("This photo is too large (%(size)s); the limit is %(limit)s.")
TOO_MANY_PIXELS = _("This picture is too large to open: at most %(limit)s million pixels.")
NOT_A_VIDEO = _("This file is not a video. Please choose an MP4 or MOV video.")
VIDEO_TOO_LARGE = _("This video is too large (%(size)s); the limit is %(limit)s.")
VIDEO_UNPLAYABLE = _("This video cannot be played. Please record it again or choose "
                     "another video.")
VIDEO_TOO_LONG = ngettext_lazy("This video is too long (%(length)s); at most %(limit)d second.",
                               "This video is too long (%(length)s); at most %(limit)d seconds.",
                               "limit")


def photo_max_bytes():
    return getattr(settings, "TICKET_PHOTO_MAX_BYTES", DEFAULT_PHOTO_MAX_BYTES)


def video_max_bytes():
    return getattr(settings, "TICKET_VIDEO_MAX_BYTES", DEFAULT_VIDEO_MAX_BYTES)


def video_max_seconds():
    return getattr(settings, "TICKET_VIDEO_MAX_SECONDS", DEFAULT_VIDEO_MAX_SECONDS)


def photo_max_pixels():
    return getattr(settings, "TICKET_PHOTO_MAX_PIXELS", DEFAULT_PHOTO_MAX_PIXELS)


def _check_size(uploaded_file, limit, message):
    if uploaded_file.size > limit:
        raise ValidationError(message, code="too_large", params={
            "size": filesizeformat(uploaded_file.size), "limit": filesizeformat(limit)})


def check_photo(uploaded_file):
    """Refuse anything but a readable JPEG, PNG, WebP or GIF within the limits; return
    Pillow's name of its format ("JPEG", ...)."""
    _check_size(uploaded_file, photo_max_bytes(), PHOTO_TOO_LARGE)
    max_pixels = photo_max_pixels()
    uploaded_file.seek(0)
    try:
        # Opening reads the header only; the pixels are counted before anything is decoded.
        with Image.open(uploaded_file) as image:
            if image.format not in PHOTO_FORMATS:
                raise ValidationError(NOT_A_PICTURE, code="not_a_picture")
            if image.width * image.height > max_pixels:
                raise _too_many_pixels(max_pixels)
            image.verify()
            return image.format
    except Image.DecompressionBombError:
        # Pillow's own refusal, for pictures far beyond any limit we would set.
        raise _too_many_pixels(max_pixels) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        # verify() reports a damaged picture as any of these.
        raise ValidationError(NOT_A_PICTURE, code="not_a_picture") from None
    finally:
        uploaded_file.seek(0)


def _too_many_pixels(max_pixels):
    return ValidationError(TOO_MANY_PIXELS, code="too_many_pixels",
                           params={"limit": max_pixels // 1_000_000})


def video_kind(head):
    """"mp4", "mov" or None, from the first bytes of a file: an ISO base media file opens
    with its ftyp box (size, "ftyp", major brand, minor version, compatible brands)."""
    if len(head) < 16 or head[4:8] != b"ftyp":
        return None
    box_size = min(int.from_bytes(head[:4], "big"), len(head))
    major = head[8:12]
    brands = {major} | {head[i:i + 4] for i in range(16, box_size - 3, 4)}
    if major == QUICKTIME_BRAND:
        return "mov"
    if brands & MP4_BRANDS:
        return "mp4"
    if QUICKTIME_BRAND in brands:
        return "mov"
    return None


def check_video(uploaded_file):
    """Refuse anything but an MP4 or QuickTime video within the size limit; return
    "mp4" or "mov"."""
    _check_size(uploaded_file, video_max_bytes(), VIDEO_TOO_LARGE)
    uploaded_file.seek(0)
    head = uploaded_file.read(FTYP_MAX_BYTES)
    uploaded_file.seek(0)
    kind = video_kind(head)
    if kind is None:
        raise ValidationError(NOT_A_VIDEO, code="not_a_video")
    return kind


def minutes_and_seconds(seconds):
    """"0:12", "1:05": a video's length as players show it (from half a second up, a
    second more; a video of less than that shows 0:01, not 0:00)."""
    whole = math.floor(seconds + 0.5)
    if seconds > 0:
        whole = max(whole, 1)
    return f"{whole // 60}:{whole % 60:02d}"


def check_video_playable(uploaded_file):
    """Refuse a video (already past check_video) without a picture stream FFmpeg can
    decode, or longer than TICKET_VIDEO_MAX_SECONDS. Reads the container's headers
    only, not the pictures. Returns the length in seconds (None when not given)."""
    try:
        seconds = read_length(uploaded_file)
    except Unplayable:
        raise ValidationError(VIDEO_UNPLAYABLE, code="unplayable") from None
    limit = video_max_seconds()
    # Half a second of grace: a "60 s" recording is a few frames longer than 60 s.
    if seconds is not None and seconds > limit + 0.5:
        raise ValidationError(VIDEO_TOO_LONG, code="too_long", params={
            "length": minutes_and_seconds(seconds), "limit": limit})
    return seconds


def content_extension(uploaded_file, *, video=False):
    """The extension of a checked upload by what it holds ("jpg", "mp4", ...), so that
    it is stored, and later served, as what it is whatever its name says."""
    uploaded_file.seek(0)
    try:
        if video:
            return video_kind(uploaded_file.read(FTYP_MAX_BYTES)) or "bin"
        with Image.open(uploaded_file) as image:
            return PHOTO_EXTENSIONS.get(image.format, "bin")
    except (UnidentifiedImageError, OSError):
        return "bin"
    finally:
        uploaded_file.seek(0)
