"""Page permissions within the communities a user serves.

Wagtail's page permissions are granted to role groups on the portal root (see
portal.estates.roles.PAGE_PERMISSIONS); a community's pages live under its home page.
These functions narrow them to the user's communities, as visible_to does for data.
"""

from portal.estates.models import Community


def community_id_of(page):
    return getattr(page.specific_deferred, "community_id", None)


def in_scope(page, user):
    if user.is_superuser:
        return True
    community_id = community_id_of(page)
    return (community_id is not None
            and Community.objects.visible_to(user).filter(pk=community_id).exists())


def pages_in_scope(pages, user):
    """Drop the pages under the home pages of communities the user does not serve."""
    from home.models import HomePage

    if user.is_superuser:
        return pages
    others = (HomePage.objects.exclude(community__in=Community.objects.visible_to(user))
              .values_list("path", flat=True))
    for path in others:
        pages = pages.exclude(path__startswith=path)
    return pages
