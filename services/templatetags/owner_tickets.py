"""Template tags for the owner's pages: the open-ticket count (on the "me" page) and
texts that must not wrap."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def open_ticket_count(user):
    """How many of the tickets ``user`` filed are still open (one counting query)."""
    from services.tickets.models import Ticket

    if not getattr(user, "is_authenticated", False):
        return 0
    return Ticket.objects.visible_to(user).filter(reporter=user).open().count()


@register.filter
def nowrap(value):
    """``value`` kept on one line: a phone number or a date ("2026-11-24", "0571-8888 6666")
    must not break at its hyphen or space on a narrow phone in large text."""
    return format_html('<span style="white-space:nowrap">{}</span>', value)
