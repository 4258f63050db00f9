"""Creating the community home pages (used by the demo seeder and the admin side)."""

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from wagtail.models import Site

from .models import HomePage, PortalRootPage


def portal_root():
    """The PortalRootPage that the default Site serves (made by home's data migration)."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is not None and isinstance(site.root_page.specific, PortalRootPage):
        return site.root_page.specific
    root = PortalRootPage.objects.first()
    if root is None:
        raise ImproperlyConfigured("No portal root page: run the migrations.")
    return root


def ensure_home_page(community):
    """The community's home page, created and published under the portal root if it
    does not exist yet. Safe to call again."""
    with transaction.atomic():
        existing = HomePage.objects.filter(community=community).first()
        if existing is not None:
            return existing
        page = HomePage(title=community.name, slug=community.code, community=community)
        portal_root().add_child(instance=page)
        page.save_revision(log_action=False).publish(log_action=False)
        return page
