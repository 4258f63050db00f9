"""An attached photo that is stored as uploaded and cleaned by a background task.

A concrete model (a ticket's photo) inherits the mixin, adds its foreign key, and queues
a task that calls ``process()`` on commit. Until then the stored file is the original,
with its EXIF location: show ``thumbnail`` / ``file`` only once ``is_processed``.
"""

import posixpath
import uuid

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .images import process_photo


def upload_to(instance, filename):
    """<app>/<model>/<year>/<month>/<random>.<ext>: media is public, so names must not be
    guessable, and a resident's own file names say nothing to anyone."""
    extension = posixpath.splitext(filename)[1].lower()[:8]
    folder = f"{instance._meta.app_label}/{instance._meta.model_name}/{timezone.now():%Y/%m}"
    return f"{folder}/{uuid.uuid4().hex}{extension}"


class ProcessedImageMixin(models.Model):
    file = models.FileField(_("photo"), upload_to=upload_to, max_length=200)
    thumbnail = models.FileField(_("thumbnail"), upload_to=upload_to, max_length=200,
                                 blank=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True,
                                        editable=False)

    class Meta:
        abstract = True

    @property
    def is_processed(self):
        return self.processed_at is not None

    def process(self):
        """Replace the original by its cleaned copy and make the thumbnail; once only,
        so a task that runs twice (a retry, two workers) does the work once."""
        with transaction.atomic():
            photo = type(self).objects.select_for_update().get(pk=self.pk)
            if photo.is_processed:
                return False
            original = photo.file.name
            with photo.file.open("rb") as uploaded:
                result = process_photo(uploaded)
            photo.file.save(result.image.name, result.image, save=False)
            photo.thumbnail.save(result.thumbnail.name, result.thumbnail, save=False)
            photo.processed_at = timezone.now()
            photo.save(update_fields=["file", "thumbnail", "processed_at"])
            storage = photo.file.storage
            # The original (with its location) goes once the cleaned copy is recorded.
            transaction.on_commit(lambda: storage.delete(original))
        self.refresh_from_db(fields=["file", "thumbnail", "processed_at"])
        return True
