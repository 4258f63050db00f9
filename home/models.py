"""The page tree residents see: one portal root, and a home page per community under it.

PortalRootPage (the Site root)
└── HomePage (one per community: the landing page behind the WeChat menu)
    └── the sections registered in home.quick_links (repairs, notices, ...)
"""

from django.db import models
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page

from portal import page_cache
from portal.estates.models import Community, Occupancy

from . import quick_links


class PortalRootPage(Page):
    """The site's front door: a resident goes straight to their community's home page;
    anyone else sees the communities and a way to log in."""

    max_count = 1
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["home.HomePage"]

    class Meta:
        verbose_name = _("portal root page")

    def serve(self, request, *args, **kwargs):
        resident = getattr(request.user, "resident", None)
        if resident is not None:
            home = HomePage.objects.live().filter(community_id=resident.community_id).first()
            if home is not None:
                return redirect(home.get_url(request))
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["home_pages"] = HomePage.objects.child_of(self).live().order_by("title")
        return context


class HomePage(Page):
    """A community's landing page: its name, emergency notices, the section tiles, the
    service phone, and for its residents their own houses."""

    community = models.OneToOneField(Community, on_delete=models.PROTECT,
                                     related_name="home_page", verbose_name=_("community"))

    content_panels = [*Page.content_panels, FieldPanel("community")]

    parent_page_types = ["home.PortalRootPage"]
    subpage_types = quick_links.child_page_types

    class Meta:
        verbose_name = _("community home page")

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        resident = getattr(request.user, "resident", None)
        if resident is not None and resident.community_id == self.community_id:
            # The page residents open most; see portal.page_cache for what keeps it right.
            page_cache.cache_for_this_session(response)
        return response

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        user = request.user
        resident = getattr(user, "resident", None) if user.is_authenticated else None
        is_resident_here = resident is not None and resident.community_id == self.community_id
        context.update({
            # A resident's community came with their user: no second query for it.
            "community": resident.community if is_resident_here else self.community,
            "resident": resident if is_resident_here else None,
            "other_community_resident": resident is not None and not is_resident_here,
        })
        if resident is not None and not is_resident_here:
            # Nothing of this community's resident content; point them to their own.
            context["own_home_page"] = (HomePage.objects.live()
                                        .filter(community_id=resident.community_id).first())
            return context
        context["tiles"] = quick_links.tiles_for(self, request)
        if is_resident_here:
            context["occupancies"] = (
                Occupancy.objects.visible_to(user)
                .exclude(state=Occupancy.State.ENDED)
                .select_related("house__unit__building")
                .order_by("-created_at")
            )
        return context
