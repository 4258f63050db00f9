"""The tiles on a community's home page, and the page types that fill them.

Every tile is shown from the start; it links to the home page's child page of the
registered type once one exists, and is a disabled "coming soon" tile until then. An app
that builds one of these sections registers its index page type from its
``AppConfig.ready()``::

    quick_links.register("repairs", "services.RepairIndexPage")

which also allows that page type under HomePage (HomePage.subpage_types is this list).
A section that is a view of the resident's own things rather than a page (their bills)
registers its URL name instead::

    quick_links.register_view("bills", "my_bills:list")
"""

from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page


@dataclass(frozen=True)
class QuickLink:
    key: str
    label: str


QUICK_LINKS = [
    QuickLink("repairs", _("Repairs")),
    QuickLink("phone_repair", _("Phone repair")),
    QuickLink("complaints", _("Complaints")),
    QuickLink("bills", _("Bills")),
    QuickLink("visitors", _("Visitors")),
    QuickLink("notices", _("Notices")),
    QuickLink("activities", _("Activities")),
    QuickLink("handbook", _("Handbook")),
    QuickLink("merchants", _("Merchants")),
    QuickLink("contacts", _("Contact numbers")),
]

_KEYS = {link.key for link in QUICK_LINKS}
_page_type_of = {}  # key -> "app_label.ModelName"
_view_of = {}  # key -> URL name

# HomePage.subpage_types is this very list, so registering a tile's page type also allows
# that page under a community's home page.
child_page_types = []


def register(key, page_type):
    if key not in _KEYS:
        raise ValueError(f"unknown quick link {key!r}; known: {sorted(_KEYS)}")
    _page_type_of[key] = page_type
    if page_type not in child_page_types:
        child_page_types.append(page_type)


def register_view(key, url_name):
    if key not in _KEYS:
        raise ValueError(f"unknown quick link {key!r}; known: {sorted(_KEYS)}")
    _view_of[key] = url_name


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    url: str | None  # None: that section is not there yet


def tiles_for(home_page, request):
    """The home page's tiles, in their fixed order, with one query for the child pages."""
    key_of_content_type = {}
    for key, page_type in _page_type_of.items():
        model = apps.get_model(page_type)
        key_of_content_type[ContentType.objects.get_for_model(model).pk] = key
    urls = {}
    if key_of_content_type:
        children = (Page.objects.child_of(home_page).live()
                    .filter(content_type_id__in=key_of_content_type)
                    .order_by("path"))
        for child in children:
            urls.setdefault(key_of_content_type[child.content_type_id], child.get_url(request))
    for key, url_name in _view_of.items():
        urls.setdefault(key, reverse(url_name))
    return [Tile(link.key, link.label, urls.get(link.key)) for link in QUICK_LINKS]
