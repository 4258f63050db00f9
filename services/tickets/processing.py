"""A ticket's photos and videos from a request: stored at once, cleaned in the background.

The request only writes the checked uploads as TicketAttachment rows (under random
names) and queues their processing on commit (services.tickets.tasks: a photo's EXIF
location removed and its thumbnail made, a video's poster and length read; photos chosen
in WeChat fetched from its media API), so a submission with several photos stays quick.
"""

import uuid

from django.db import transaction

from services.media.checks import content_extension

from .models import TicketAttachment


def _random_name(uploaded_file, kind):
    """The stored name is random, never the resident's file name (which may hold their
    name or address); its extension says what the content is, as the checks read it."""
    extension = content_extension(uploaded_file, video=kind == TicketAttachment.Kind.VIDEO)
    return f"{uuid.uuid4().hex}.{extension}"


def attach_uploads(event, *, stage, photos=(), video=None, wechat_media_ids=()):
    """Store the uploads with the event's ticket (inside the caller's transaction) and
    queue their processing. Returns the stored file names, so that a caller whose
    transaction fails afterwards can remove them; fails leaving none behind."""
    from .tasks import attach_wechat_photo, process_attachment

    ticket = event.ticket
    uploads = [(TicketAttachment.Kind.PHOTO, photo) for photo in photos]
    if video:
        uploads.append((TicketAttachment.Kind.VIDEO, video))
    stored, attachment_ids = [], []
    try:
        for kind, uploaded_file in uploads:
            attachment = TicketAttachment(
                ticket=ticket, community_id=ticket.community_id, event=event, stage=stage,
                kind=kind, uploaded_by_id=event.actor_id)
            attachment.file.save(_random_name(uploaded_file, kind), uploaded_file, save=False)
            stored.append(attachment.file.name)
            attachment.save()
            attachment_ids.append(attachment.pk)
    except BaseException:
        delete_stored(stored)
        raise

    def queue():
        for pk in attachment_ids:
            process_attachment.enqueue(pk)
        for media_id in wechat_media_ids:
            attach_wechat_photo.enqueue(event.pk, media_id, stage)

    transaction.on_commit(queue, robust=True)
    return stored


def delete_stored(names):
    storage = TicketAttachment._meta.get_field("file").storage
    for name in names:
        storage.delete(name)
