"""Text stored for people to read later (a system note on a timeline) is written in the
site's language, whichever request or task wrote it: staff read it in the admin long
after, and a task runs with no language of its own."""

from django.conf import settings
from django.utils import translation


def in_site_language(text):
    """``text`` (usually a lazy translation) as a plain string in LANGUAGE_CODE."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)
