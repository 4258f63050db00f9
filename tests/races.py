"""Running the same work in real threads at the same moment, each with its own database
connection: what row-locking tests on PostgreSQL need. Use ``pytestmark =
pytest.mark.django_db(transaction=True)`` with the ``postgresql_only`` fixture, and
``page_tree`` where the test needs pages."""

import importlib
import threading

import pytest
from django.apps import apps
from django.db import connection
from django.utils import translation

# The test database is shared with other runs: never hold more connections than this.
MAX_CONNECTIONS = 30


@pytest.fixture
def postgresql_only():
    if connection.vendor != "postgresql":
        # SQLite has no row locks: its writers queue for the whole database instead.
        pytest.skip("row locking needs PostgreSQL")


@pytest.fixture
def page_tree(postgresql_only, settings):
    """Transactional tests run last and each ends with a flush, which empties the page
    tree the migrations made: plant it again (Wagtail's root, the portal root, its Site).
    Not serialized_rollback: restoring the serialized database brings back content types
    the flush has already recreated."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Locale, Page

    # The flush recreated the content types under new ids.
    ContentType.objects.clear_cache()
    if not Page.objects.filter(depth=1).exists():
        locale, _ = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    migration = importlib.import_module("home.migrations.0002_portal_root_page")
    migration.create_portal_root(apps, None)


def race(work, racers, at_most=MAX_CONNECTIONS):
    """Call ``work(index)`` in ``racers`` threads released together, at most ``at_most``
    inside ``work`` at once, in the caller's language (messages compare with its
    gettext); returns the results and the exceptions raised."""
    language = translation.get_language()
    start = threading.Barrier(racers)
    gate = threading.BoundedSemaphore(at_most)
    lock = threading.Lock()
    results, errors = [], []

    def run(index):
        start.wait()
        with gate, translation.override(language):
            try:
                result = work(index)
                with lock:
                    results.append(result)
            except Exception as error:  # the caller asserts on errors
                with lock:
                    errors.append(error)
            finally:
                connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors
