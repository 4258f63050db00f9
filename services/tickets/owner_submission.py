"""A resident's repair or complaint form becomes a ticket with its photos, or nothing.

Ticket.submit checks the rules; its ValidationError goes next to the form's fields. The
ticket, its attachments and the queued processing are one transaction: when anything
fails, no ticket is left and the files already written are removed.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Ticket, TicketAttachment
from .processing import attach_uploads, delete_stored


def submit_from_form(form, user):
    """The ticket (a new one, or the one this form's key already made), or None with the
    errors added to ``form``."""
    data = form.cleaned_data
    photos = data.get("photos")
    stored = []
    try:
        with transaction.atomic():
            ticket, created = Ticket.submit(reporter=user, **form.ticket_fields())
            if created:
                stored = attach_uploads(
                    ticket.events.first(), stage=TicketAttachment.Stage.REPORT,
                    photos=photos.files if photos else (),
                    video=data.get("video"),
                    wechat_media_ids=photos.wechat_media_ids if photos else ())
    except ValidationError as error:
        form.add_model_errors(error)
        return None
    except BaseException:
        delete_stored(stored)
        raise
    return ticket
