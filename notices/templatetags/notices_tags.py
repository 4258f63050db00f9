from django import template

from notices.listing import unread_emergencies

register = template.Library()


@register.inclusion_tag("notices/emergency_banner.html", takes_context=True)
def emergency_banner(context, community):
    """Urgent notices at the top of a community's home page, until read or expired."""
    request = context["request"]
    return {"notices": list(unread_emergencies(request.user, community)[:3])}
