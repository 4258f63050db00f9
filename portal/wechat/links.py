"""Absolute links to a community's H5 pages, for the messages we send into WeChat.

A link in a WeChat message must be absolute. It is built on the host WeChat called us on
(the callback request), or on PORTAL_BASE_URL when there is no request. Page paths come
from Wagtail's cached site root paths, not from the request (which would cost a query
to find its Site). A service section
that does not exist yet in a community links to its home page, so a reply never carries a
dead link; a follower with no community gets the portal's front page.
"""

from functools import cached_property
from urllib.parse import urljoin

from django.conf import settings

from home import quick_links
from home.models import HomePage
from portal.estates.registration import registration_path

# The service sections a reply may link to, by their quick-link key.
SECTIONS = ("repairs", "complaints", "bills", "notices")
PLACEHOLDERS = ("home", "register", *SECTIONS)


def absolute_url(url, request=None):
    if request is not None:
        return request.build_absolute_uri(url)
    return urljoin(settings.WAGTAILADMIN_BASE_URL, url)


class CommunityLinks:
    """The links of one community, each looked up only when asked for.

    ``registered`` says the person already has a portal account: their "register" link
    is then their home page, since registering again would only tell them they have one.
    """

    def __init__(self, community, request=None, registered=False):
        self.community = community
        self.request = request
        self.registered = registered

    def __getitem__(self, key):
        """links["repairs"], links["home"]...: the link a placeholder stands for."""
        if key in SECTIONS:
            return self.section(key)
        if key in ("home", "register"):
            return getattr(self, key)
        raise KeyError(key)

    @cached_property
    def _home_page(self):
        if self.community is None:
            return None
        # Only what its URL and its children's lookup need.
        return (HomePage.objects.live().filter(community=self.community)
                .only("path", "depth", "url_path").first())

    @cached_property
    def home(self):
        if self._home_page is None:
            return absolute_url("/", self.request)
        return absolute_url(self._home_page.get_url() or "/", self.request)

    @cached_property
    def register(self):
        if self.registered or self.community is None or not self.community.registration_open:
            return self.home
        return absolute_url(registration_path(self.community), self.request)

    @cached_property
    def _sections(self):
        if self._home_page is None:
            return {}
        return {tile.key: tile.url for tile in quick_links.tiles_for(self._home_page, None)
                if tile.url}

    def section(self, key):
        url = self._sections.get(key)
        return self.home if url is None else absolute_url(url, self.request)


def fill_placeholders(text, links):
    """Replace {home}, {register}, {repairs}... with the links; other braces stay as
    the editor wrote them."""
    if "{" not in text:
        return text
    for key in PLACEHOLDERS:
        placeholder = "{" + key + "}"
        if placeholder in text:
            text = text.replace(placeholder, links[key])
    return text
