"""Storing ticket photos: names nobody can guess, and the cleaned copy in place of the
original once a background task has made it."""

import posixpath
import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.deconstruct import deconstructible

from .images import THUMBNAIL_SIZE, process_photo


@deconstructible
class RandomFileName:
    """``upload_to`` for files published under MEDIA_URL: ``<folder>/<random>.<ext>``, the
    folder formatted with strftime. A resident's own file name may hold their name or
    address, and a guessable name would let anyone fetch the photo."""

    def __init__(self, folder):
        self.folder = folder

    def __call__(self, instance, filename):
        extension = posixpath.splitext(filename)[1].lower()[:8]
        return posixpath.join(timezone.now().strftime(self.folder), uuid.uuid4().hex + extension)

    def __eq__(self, other):
        return isinstance(other, RandomFileName) and other.folder == self.folder


def store_processed_photo(photo, thumbnail, thumbnail_size=THUMBNAIL_SIZE):
    """Put the cleaned copy of the photo in ``photo`` (a model's FieldFile) in place of the
    original, and its thumbnail in ``thumbnail``; the model instance is not saved, so the
    caller saves it together with its own "processed" mark. The original, which still
    holds the EXIF location, is deleted from storage once that transaction commits."""
    original, storage = photo.name, photo.storage
    with photo.open("rb") as uploaded:
        result = process_photo(uploaded, thumbnail_size)
    photo.save(result.image.name, result.image, save=False)
    thumbnail.save(result.thumbnail.name, result.thumbnail, save=False)
    transaction.on_commit(lambda: storage.delete(original))
