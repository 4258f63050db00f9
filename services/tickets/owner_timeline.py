"""The owner's timeline of a ticket: each visible step said in words, with who did it."""

from django.utils.translation import gettext_lazy as _

from .models import TicketEvent

STEPS = {
    "submitted": _("Submitted"),
    "accepted": _("Accepted by customer service"),
    "dispatched": _("Worker assigned"),
    "reassigned": _("Another worker assigned"),
    "acknowledged": _("The worker took the order"),
    "on_the_way": _("The worker is on the way"),
    "started": _("Work started"),
    "completed": _("Completed"),
    "replied": _("Replied"),
    "cancelled": _("Cancelled"),
    "confirmed": _("Completion confirmed"),
    "reopened": _("Reopened"),
    "rated": _("Rated"),
    "closed": _("Closed"),
    "merged": _("Merged into another ticket"),
    "message": _("Message"),
}


def actor_name(event, ticket, viewer):
    """Who did it: "you", the staff member's name, or the property service for steps
    the system took (automatic dispatch)."""
    actor = event.actor
    if actor is None:
        return _("Property service")
    if actor.pk == viewer.pk:
        return _("You")
    staff = getattr(actor, "staff", None)
    if staff is not None:
        return staff.name
    return ticket.reporter_shown_to(viewer)


def timeline(ticket, viewer):
    """(event, step, who) for every event the viewer may see, oldest first, with the
    event's attachments prefetched."""
    events = (TicketEvent.objects.visible_to(viewer).filter(ticket=ticket)
              .select_related("actor__staff").prefetch_related("attachments"))
    return [(event, STEPS.get(event.action, event.action),
             actor_name(event, ticket, viewer))
            for event in events]
