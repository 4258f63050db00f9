"""Calling the owner from the workbench: the page shows the number masked, the link
dials it, and every call is recorded (who, which ticket; never the number)."""

from django.db import transaction
from wagtail.log_actions import log

CALL_ACTION = "services.ticket.call"


def reveal_owner_phone(ticket, by):
    """The full number behind the "call the owner" link, recorded as a call."""
    if not ticket.contact_phone:
        return ""
    with transaction.atomic():
        log(ticket, CALL_ACTION, user=by, data={"ticket": ticket.reference})
    return ticket.contact_phone
