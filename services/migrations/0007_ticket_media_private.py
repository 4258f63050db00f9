"""Tickets' photos and videos leave MEDIA_ROOT (published by the web server) for
PRIVATE_ROOT, and are served by a view that checks who may see the ticket; the view finds
an attachment by its file's name, hence the two indexes."""

import shutil
from pathlib import Path

from django.conf import settings
from django.db import migrations, models

import services.media.storage

FOLDER = "tickets"


def move_out_of_media_root(apps, schema_editor):
    """Files uploaded before: from MEDIA_ROOT/tickets/ to PRIVATE_ROOT/tickets/ (names,
    and so the rows, stay the same)."""
    public = Path(settings.MEDIA_ROOT) / FOLDER
    if not public.is_dir():
        return
    private = Path(settings.PRIVATE_ROOT)
    for path in public.rglob("*"):
        if path.is_file():
            target = private / path.relative_to(settings.MEDIA_ROOT)
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(path, target)


def move_back(apps, schema_editor):
    private = Path(settings.PRIVATE_ROOT) / FOLDER
    if not private.is_dir():
        return
    for path in private.rglob("*"):
        if path.is_file():
            target = Path(settings.MEDIA_ROOT) / path.relative_to(settings.PRIVATE_ROOT)
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(path, target)


class Migration(migrations.Migration):

    dependencies = [
        ("services", "0006_attachment_wechat_media_once"),
    ]

    operations = [
        migrations.AlterField(
            model_name="ticketattachment",
            name="file",
            field=models.FileField(storage=services.media.storage.ticket_media_storage,
                                   upload_to="tickets/%Y/%m/"),
        ),
        migrations.AlterField(
            model_name="ticketattachment",
            name="thumbnail",
            field=models.ImageField(blank=True,
                                    storage=services.media.storage.ticket_media_storage,
                                    upload_to="tickets/thumbs/%Y/%m/"),
        ),
        migrations.AddIndex(
            model_name="ticketattachment",
            index=models.Index(fields=["file"], name="services_ti_file_499250_idx"),
        ),
        migrations.AddIndex(
            model_name="ticketattachment",
            index=models.Index(fields=["thumbnail"], name="services_ti_thumbna_497cf3_idx"),
        ),
        migrations.RunPython(move_out_of_media_root, move_back, elidable=True),
    ]
