"""Template tags for the owner's pages outside services (the "me" page)."""

from django import template

register = template.Library()


@register.simple_tag
def open_ticket_count(user):
    """How many of the tickets ``user`` filed are still open (one counting query)."""
    from services.tickets.models import Ticket

    if not getattr(user, "is_authenticated", False):
        return 0
    return Ticket.objects.visible_to(user).filter(reporter=user).open().count()
