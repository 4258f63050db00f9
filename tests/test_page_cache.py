"""The per-session cache of a resident's home page: fast on a hit, never stale or shared."""

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from portal import page_cache
from portal.estates import roles
from portal.estates.models import Occupancy
from services.visitors import gate
from services.visitors.models import GateEntry
from tests import factories as f
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

HOME = "/sunshine/"


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.RESIDENT_PAGE_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def pending_resident(resident):
    occupancy = Occupancy.objects.get(resident=resident.resident)
    occupancy.state = Occupancy.State.PENDING
    occupancy.save()
    return resident


def test_second_visit_is_answered_from_the_cache(client, resident, home_a,
                                                 django_assert_max_num_queries):
    client.force_login(resident)
    first = client.get(HOME)
    assert first.status_code == 200
    with django_assert_max_num_queries(1):  # the session, in the database session store
        second = client.get(HOME)
    assert second.content == first.content
    assert "private" in second["Cache-Control"]


def test_another_resident_never_gets_someone_elses_page(client, resident, neighbour, home_a,
                                                        house_a, house_a2):
    client.force_login(resident)
    mine = client.get(HOME).content.decode()
    client.force_login(neighbour)
    theirs = client.get(HOME).content.decode()
    assert house_a.label in mine and house_a.label not in theirs
    assert house_a2.label in theirs


def test_a_verified_binding_shows_at_once(client, pending_resident, records_a, home_a):
    client.force_login(pending_resident)
    assert "h5-badge_pending" in client.get(HOME).content.decode()
    Occupancy.objects.get(resident=pending_resident.resident).verify(by=records_a)
    page = client.get(HOME).content.decode()
    assert "h5-badge_verified" in page and "h5-badge_pending" not in page


def test_a_disabled_account_is_not_served_from_the_cache(client, resident, manager_a, home_a,
                                                         house_a):
    client.force_login(resident)
    assert house_a.label in client.get(HOME).content.decode()
    resident.resident.disable(by=manager_a, reason="test")
    assert house_a.label not in client.get(HOME).content.decode()


def test_after_logout_the_old_session_gets_nothing_cached(client, resident, home_a, house_a):
    client.force_login(resident)
    assert house_a.label in client.get(HOME).content.decode()
    old_session = client.cookies["sessionid"].value
    client.logout()
    client.cookies["sessionid"] = old_session
    assert house_a.label not in client.get(HOME).content.decode()


@pytest.mark.parametrize("storage", ["django.contrib.messages.storage.fallback.FallbackStorage",
                                     "django.contrib.messages.storage.session.SessionStorage"])
def test_one_time_messages_are_not_replayed(client, resident, home_a, settings, storage):
    settings.MESSAGE_STORAGE = storage
    # Logging in leaves a one-time "welcome" message for the next page.
    client.post("/accounts/login/", {"login": resident.phone, "password": PASSWORD})
    welcome = f"{resident.resident.name}"
    first = client.get(HOME).content.decode()
    assert "h5-messages" in first and welcome in first
    second = client.get(HOME).content.decode()
    assert welcome not in second


def test_off_without_a_shared_cache(client, resident, home_a, settings):
    settings.RESIDENT_PAGE_CACHE_SECONDS = 0
    client.force_login(resident)
    client.get(HOME)
    with CaptureQueriesContext(connection) as queries:
        client.get(HOME)
    assert len(queries) >= 3


def test_the_gate_log_leaves_residents_pages_cached(client, resident, home_a, company,
                                                    community_a):
    """Every refused scan writes a gate-log row; no cached page shows the gate log."""
    guard = f.StaffFactory(company=company, user__groups=[roles.GUARD],
                           communities=[community_a]).user
    client.force_login(resident)
    client.get(HOME)
    generation = cache.get(page_cache.GENERATION_KEY)

    verdict = gate.check(community_a, "00000000", guard)

    assert not verdict.ok
    assert GateEntry.objects.filter(community=community_a).exists()
    assert cache.get(page_cache.GENERATION_KEY) == generation


def _hooks_of_ours():
    return [func for _sids, func, _robust in connection.run_on_commit
            if func is page_cache._new_generation]


@pytest.mark.django_db(transaction=True)
def test_a_transaction_moves_the_generation_again_when_it_commits(resident):
    """A page rendered between a change and its commit read the old rows: it must not be
    served under the generation that change set. Once per transaction, though."""
    with transaction.atomic():
        resident.save()
        resident.resident.save()
        at_the_change = cache.get(page_cache.GENERATION_KEY)
        assert len(_hooks_of_ours()) == 1

    assert cache.get(page_cache.GENERATION_KEY) != at_the_change


@pytest.mark.django_db(transaction=True)
def test_a_change_after_a_savepoint_rolled_back_still_moves_the_generation_at_commit(
        resident):
    with transaction.atomic():
        try:
            with transaction.atomic():
                resident.save()
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        resident.resident.save()
        at_the_change = cache.get(page_cache.GENERATION_KEY)
        assert len(_hooks_of_ours()) == 1

    assert cache.get(page_cache.GENERATION_KEY) != at_the_change
