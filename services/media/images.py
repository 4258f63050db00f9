"""The copy of a photo the portal keeps, and its thumbnail.

Phones write where a photo was taken (EXIF GPS) into the file, and store it sideways with
an orientation tag. The kept copy is turned upright and re-encoded from its pixels alone,
so no EXIF, XMP or comment survives; only the colour profile is carried over. Photos
become JPEG; pictures with transparency stay PNG so it is not lost.

These run in a background task: decoding a phone photo takes longer than a request should.
"""

import io
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from PIL import Image, ImageOps

DEFAULT_PHOTO_MAX_SIDE = 2560
THUMBNAIL_SIZE = (240, 240)
JPEG_QUALITY = 85


@dataclass(frozen=True)
class ProcessedPhoto:
    image: ContentFile
    thumbnail: ContentFile


def photo_max_side():
    """Longer sides are scaled down: plenty to see a leak or a crack, far fewer bytes."""
    return getattr(settings, "TICKET_PHOTO_MAX_SIDE", DEFAULT_PHOTO_MAX_SIDE)


def open_upright(uploaded_file, draft_size=None):
    """The picture decoded and turned as its EXIF orientation says (first frame of an
    animation). ``draft_size``: let a JPEG decode at a reduced scale when only that much
    is needed (much faster for thumbnails)."""
    uploaded_file.seek(0)
    with Image.open(uploaded_file) as image:
        if draft_size:
            image.draft("RGB", draft_size)
        upright = ImageOps.exif_transpose(image)
        upright.load()
    uploaded_file.seek(0)
    return upright


def has_alpha(image):
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info)


def encode(image, name_stem, icc_profile=None):
    """A ContentFile of the pixels only: JPEG, or PNG for pictures with transparency."""
    if has_alpha(image):
        image, fmt, ext, options = image.convert("RGBA"), "PNG", "png", {"optimize": True}
    else:
        image, fmt, ext = image.convert("RGB"), "JPEG", "jpg"
        options = {"quality": JPEG_QUALITY, "optimize": True, "progressive": True}
    # Everything Pillow read from the original (EXIF, XMP, comments) stays behind.
    image.info = {}
    if icc_profile:
        options["icc_profile"] = icc_profile
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return ContentFile(buffer.getvalue(), name=f"{name_stem}.{ext}")


def random_stem():
    """A fresh random name: stored photos are published under MEDIA_URL, so their names
    must not be guessable (nor carry the resident's own file name)."""
    return uuid.uuid4().hex


def _cleaned(image):
    side = photo_max_side()
    if max(image.size) > side:
        image = image.copy()
        image.thumbnail((side, side), Image.Resampling.LANCZOS)
    return image


def _thumbnail(image, size):
    return ImageOps.fit(image, size, Image.Resampling.LANCZOS)


def clean_photo(uploaded_file):
    """The photo upright, at most TICKET_PHOTO_MAX_SIDE pixels a side, without metadata."""
    image = open_upright(uploaded_file)
    return encode(_cleaned(image), random_stem(), image.info.get("icc_profile"))


def make_thumbnail(uploaded_file, size=THUMBNAIL_SIZE):
    """A square thumbnail of exactly ``size``, the picture's centre filling it (as the
    tiles of WeUI's uploader show photos)."""
    image = open_upright(uploaded_file, draft_size=(size[0] * 2, size[1] * 2))
    return encode(_thumbnail(image, size), random_stem() + "_thumb",
                  image.info.get("icc_profile"))


def make_poster(image, size=THUMBNAIL_SIZE):
    """A video's poster from one of its frames (a Pillow image): the same square as a
    photo's thumbnail, so the tiles line up."""
    return encode(_thumbnail(image, size), random_stem() + "_poster")


def process_photo(uploaded_file, thumbnail_size=THUMBNAIL_SIZE):
    """Both at once, decoding the photo once."""
    image = open_upright(uploaded_file)
    icc_profile = image.info.get("icc_profile")
    stem = random_stem()
    return ProcessedPhoto(
        image=encode(_cleaned(image), stem, icc_profile),
        thumbnail=encode(_thumbnail(image, thumbnail_size), stem + "_thumb", icc_profile),
    )
