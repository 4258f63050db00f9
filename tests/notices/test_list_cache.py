"""A resident's notice list from the per-session page cache: answered without rendering
on a second visit, and never stale: opening a notice, or a new notice, shows at once."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import PASSWORD
from tests.notices import factories as nf
from tests.test_page_cache import page_cache_on  # noqa: F401 (autouse: the cache is on)

UNREAD = "h5-unread"


def _unread(client, index):
    return client.get(index.url).content.decode().count(UNREAD)


def test_second_visit_is_answered_from_the_cache(client, resident, index_a, community_a,
                                                 django_assert_max_num_queries):
    nf.notice(index_a, targets=[community_a])
    client.login(username=resident.username, password=PASSWORD)
    first = client.get(index_a.url)

    with django_assert_max_num_queries(1):  # the session, in the database session store
        second = client.get(index_a.url)

    assert second.content == first.content
    assert "private" in second["Cache-Control"]


def test_reading_a_notice_removes_its_unread_marker_at_once(client, resident, index_a,
                                                            community_a):
    notice = nf.notice(index_a, targets=[community_a])
    client.login(username=resident.username, password=PASSWORD)
    before = _unread(client, index_a)

    client.get(notice.url)

    assert _unread(client, index_a) == before - 1


def test_a_new_notice_shows_at_once(client, resident, index_a, community_a):
    client.login(username=resident.username, password=PASSWORD)
    client.get(index_a.url)

    nf.notice(index_a, targets=[community_a], title="电梯检修")

    assert "电梯检修" in client.get(index_a.url).content.decode()


def test_staff_lists_are_not_kept(client, manager_a, index_a, community_a):
    nf.notice(index_a, targets=[community_a])
    client.force_login(manager_a)
    client.get(index_a.url)

    with CaptureQueriesContext(connection) as queries:
        client.get(index_a.url)

    assert len(queries) > 1  # rendered again, not only the session read
