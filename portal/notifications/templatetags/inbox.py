from django import template

from ..models import InboxMessage

register = template.Library()


@register.simple_tag
def unread_message_count(user):
    """How many of the user's messages are unread (0 for anyone not logged in)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return InboxMessage.objects.for_recipient(user).unread().count()
