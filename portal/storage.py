"""The default file storage: MEDIA_ROOT, which the web server publishes under MEDIA_URL,
except for the folders named private, which are kept under PRIVATE_ROOT instead.

Wagtail's documents (files attached to notices, activities and the handbook) are saved by
Wagtail's own model in the default storage, in its "documents" folder; that model has no
setting for another storage. Keeping the folder private here leaves the model, its
migrations and the names in the database as Wagtail made them, and the files are served
only by Wagtail's document view, which asks notices.document_access who may have them.
"""

import posixpath

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property


@deconstructible(path="portal.storage.MediaStorage")
class MediaStorage(FileSystemStorage):
    def __init__(self, *args, private_folders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.private_folders = tuple(private_folders)

    @cached_property
    def private_storage(self):
        return FileSystemStorage(location=settings.PRIVATE_ROOT, base_url=None)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_ROOT":
            self.__dict__.pop("private_storage", None)

    def is_private(self, name):
        # Normalised first, so that "./documents/x" or "a/../documents/x" is private too.
        folder = posixpath.normpath(str(name).replace("\\", "/")).lstrip("/").split("/")[0]
        return folder in self.private_folders

    # FileSystemStorage reaches its files through path() (open, exists, delete, size,
    # listdir, times) and _save(); a private name is the private storage's.

    def path(self, name):
        if self.is_private(name):
            return self.private_storage.path(name)
        return super().path(name)

    def _save(self, name, content):
        if self.is_private(name):
            return self.private_storage._save(name, content)
        return super()._save(name, content)

    def url(self, name):
        if self.is_private(name):
            # Nothing under MEDIA_URL: a document's link is its serve view (Document.url).
            raise NotImplementedError(f"{name} is private and has no public address")
        return super().url(name)
