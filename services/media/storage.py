"""Storing ticket photos and videos: names nobody can guess, the cleaned copy of a photo in
place of the original and a video's poster once a background task has made them, and a
storage that is not published."""

import os
import posixpath
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property

from .images import THUMBNAIL_SIZE, make_poster, process_photo
from .movie import read_still


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


def store_video_poster(video, thumbnail, thumbnail_size=THUMBNAIL_SIZE):
    """Put a poster of the video in ``video`` (a FieldFile) in ``thumbnail``, from a frame
    about a second in; return the video's length (a timedelta, None when unknown). A video
    whose pictures cannot be decoded gets no poster: it stays playable as it is."""
    with video.open("rb") as kept:
        still = read_still(kept)
    if still.image is not None:
        poster = make_poster(still.image, thumbnail_size)
        thumbnail.save(poster.name, poster, save=False)
    return None if still.seconds is None else timedelta(seconds=still.seconds)


class TicketMediaStorage(FileSystemStorage):
    """Where tickets' photos and videos are kept: under PRIVATE_ROOT, which the web server
    does not publish. Their URLs lead to a view that lets through only the people who may
    see the ticket (services.tickets.owner_views.ticket_media), so the templates of the
    H5 pages, the workbench and the admin keep using ``file.url`` / ``thumbnail.url``."""

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_ROOT)

    @cached_property
    def location(self):
        return os.path.abspath(self.base_location)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        from django.urls import reverse

        return reverse("services:ticket_media", args=[name])


_ticket_media_storage = TicketMediaStorage()


def ticket_media_storage():
    """The storage of TicketAttachment's files (a callable, so migrations name it)."""
    return _ticket_media_storage
