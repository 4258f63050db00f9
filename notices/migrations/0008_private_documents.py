"""Documents (files attached to notices, activities and the handbook) leave MEDIA_ROOT,
which the web server publishes, for PRIVATE_ROOT (portal.storage): files uploaded before
move from MEDIA_ROOT/documents/ to PRIVATE_ROOT/documents/. Their names, and so the
documents' rows, stay the same.

Safe to run again: a file already moved is not there to move, and a copy that an earlier
run left behind in both places is removed from the published one. A different file
already at the new place is never overwritten: it is logged and left for staff.
"""

import errno
import filecmp
import logging
import shutil
from pathlib import Path

from django.conf import settings
from django.db import migrations

FOLDER = "documents"

logger = logging.getLogger(__name__)


def move_folder(source_root, target_root):
    source_root, target_root = Path(source_root), Path(target_root)
    folder = source_root / FOLDER
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        target = target_root / path.relative_to(source_root)
        if target.exists():
            if filecmp.cmp(path, target, shallow=False):
                path.unlink()
            else:
                logger.warning("%s not moved: a different file is at %s", path, target)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            path.rename(target)
        except OSError as error:
            if error.errno != errno.EXDEV:
                raise
            # Another file system: copied under a temporary name and renamed, so a run
            # stopped halfway never leaves a partial file under the real name.
            partial = target.with_name(target.name + ".partial")
            shutil.copy2(path, partial)
            partial.replace(target)
            path.unlink()
    for directory in sorted((p for p in folder.rglob("*") if p.is_dir()), reverse=True):
        if not any(directory.iterdir()):
            directory.rmdir()
    if not any(folder.iterdir()):
        folder.rmdir()


def move_out_of_media_root(apps, schema_editor):
    move_folder(settings.MEDIA_ROOT, settings.PRIVATE_ROOT)


def move_back(apps, schema_editor):
    move_folder(settings.PRIVATE_ROOT, settings.MEDIA_ROOT)


class Migration(migrations.Migration):

    dependencies = [
        ("notices", "0007_personal_notices"),
    ]

    operations = [
        migrations.RunPython(move_out_of_media_root, move_back, elidable=True),
    ]
