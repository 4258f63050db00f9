"""A short-lived cache of the pages a logged-in resident opens most (their community's
home page), answered before Wagtail routes the request.

Correctness first:
- Only pages that opt in are stored (``cache_for_this_session(response)``), and only
  for a request whose session is live and logged in.
- An entry belongs to one session (its key holds the session key), one path, the font
  size and the language. Another browser, or the same one after logging out or in,
  never sees it.
- Any change to the database (any model saved or deleted, outside sessions and the
  task queue) moves a generation number that is part of every key, so the next request
  renders afresh: a binding verified in the admin shows at once. A transaction moves it
  again when it commits (a page rendered before read the old rows). Entries expire
  anyway.
- A page that showed one-time messages, set a cookie or failed is never stored.

It is on only with a cache that all app processes share (REDIS_URL): with per-process
memory caches one process would not see another's invalidation.
"""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.utils.cache import patch_cache_control

from portal.context_processors import LARGE_FONT_COOKIE

GENERATION_KEY = "page-cache:generation"
# Models whose rows change without changing what a page shows: sessions, the task
# queue, and the gate log, which a guard's every refused scan writes (an admission that
# a resident is told of saves their message, which does move the generation). A payment
# event is written with a change of its order or refund, which moves the generation
# itself; WeChat Pay's notification log is shown nowhere.
UNTRACKED_APPS = {"sessions", "django_tasks_database", "contenttypes"}
UNTRACKED_MODELS = {"visitors.gateentry", "payments.paymentevent",
                    "payments.receivednotification"}
KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary", "Cache-Control",
                "X-Frame-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy",
                "X-Content-Type-Options")


def cache_for_this_session(response):
    """Called by a page's view: this response may be stored for the session."""
    response.cacheable_for_session = True
    patch_cache_control(response, private=True)
    return response


def enabled():
    return settings.RESIDENT_PAGE_CACHE_SECONDS > 0


def _generation():
    return cache.get_or_set(GENERATION_KEY, 1, timeout=None)


def bump_generation(**kwargs):
    sender = kwargs.get("sender")
    if sender is not None and (sender._meta.app_label in UNTRACKED_APPS
                               or sender._meta.label_lower in UNTRACKED_MODELS):
        return
    _new_generation()
    connection = transaction.get_connection(kwargs.get("using") or DEFAULT_DB_ALIAS)
    if connection.in_atomic_block and getattr(
            connection, "_page_cache_queued_in", None) is not connection.run_on_commit:
        # Again when the change is committed: a page rendered in between read the old
        # rows. Once per transaction, however many rows it changes: Django starts a new
        # list of commit hooks after a commit or a rollback (of a savepoint too), and
        # the list our hook went into is remembered by identity (a lookup in it would
        # cost a transaction of n saves n² steps).
        connection._page_cache_queued_in = connection.run_on_commit
        transaction.on_commit(_new_generation, using=connection.alias, robust=True)


def _new_generation():
    # A new random number rather than an increment: one write to the cache (an increment
    # is two with Django's Redis backend), and never a number an older page was stored
    # under, even after the key was evicted.
    cache.set(GENERATION_KEY, secrets.randbits(63), timeout=None)


def _key(request):
    parts = [
        request.session.session_key,
        request.get_full_path(),
        request.COOKIES.get(LARGE_FONT_COOKIE, ""),
        request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, ""),
        request.headers.get("Accept-Language", ""),
        str(_generation()),
    ]
    return "page-cache:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _has_live_login(request):
    session = getattr(request, "session", None)
    return session is not None and session.session_key and session.get(SESSION_KEY)


class SessionPageCacheMiddleware:
    """Sits right after SessionMiddleware: a hit skips authentication, routing and
    rendering; a miss goes on as usual and may be stored on the way out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not enabled() or request.method != "GET" or not _has_live_login(request):
            return self.get_response(request)
        key = _key(request)
        stored = cache.get(key)
        if stored is not None:
            content, headers = stored
            return HttpResponse(content, headers=headers)
        response = self.get_response(request)
        if self._storable(request, response):
            headers = {name: response[name] for name in KEPT_HEADERS if name in response}
            cache.set(key, (response.content, headers), settings.RESIDENT_PAGE_CACHE_SECONDS)
        return response

    @staticmethod
    def _storable(request, response):
        return (
            getattr(response, "cacheable_for_session", False)
            and response.status_code == 200
            # Django renews the CSRF cookie (same value) whenever a page holds a token.
            and set(response.cookies) <= {settings.CSRF_COOKIE_NAME}
            and not getattr(response, "streaming", False)
            and not len(getattr(request, "_messages", ()))
            and getattr(request, "user", None) is not None
            and request.user.is_authenticated
        )


def connect_signals():
    post_save.connect(bump_generation, dispatch_uid="page_cache_save")
    post_delete.connect(bump_generation, dispatch_uid="page_cache_delete")
