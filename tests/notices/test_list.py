"""A resident's notice list and the emergency banner on the community home page."""

import datetime

from django.utils import timezone

from notices.listing import NOTICES_PER_PAGE
from notices.models import NoticePage
from tests.factories import PASSWORD
from tests.notices import factories as nf

EMERGENCY = NoticePage.Category.EMERGENCY


def _login(client, user):
    client.login(username=user.username, password=PASSWORD)


def _listed(client, index, **params):
    return [notice.pk for notice in client.get(index.url, params).context["notices"]]


def test_emergency_then_pinned_then_newest_first(client, resident, index_a, community_a):
    older = nf.notice(index_a, targets=[community_a], title="旧通知")
    pinned = nf.notice(index_a, targets=[community_a], title="置顶", pinned=True)
    urgent = nf.notice(index_a, targets=[community_a], title="停水", category=EMERGENCY)
    newer = nf.notice(index_a, targets=[community_a], title="新通知")
    _login(client, resident)

    assert _listed(client, index_a) == [urgent.pk, pinned.pk, newer.pk, older.pk]


def test_expired_emergency_is_no_longer_listed_first(client, resident, index_a, community_a):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    expired = nf.notice(index_a, targets=[community_a], category=EMERGENCY,
                        valid_until=yesterday)
    newer = nf.notice(index_a, targets=[community_a])
    _login(client, resident)

    assert _listed(client, index_a) == [newer.pk, expired.pk]


def test_unread_notices_are_marked_until_opened(client, resident, index_a, community_a):
    notice = nf.notice(index_a, targets=[community_a])
    _login(client, resident)

    assert client.get(index_a.url).context["notices"][0].is_read is False
    assert 'class="h5-unread"' in client.get(index_a.url).content.decode()
    client.get(notice.url)

    assert client.get(index_a.url).context["notices"][0].is_read is True
    assert 'class="h5-unread"' not in client.get(index_a.url).content.decode()


def test_category_filter(client, resident, index_a, community_a):
    fee = nf.notice(index_a, targets=[community_a], category=NoticePage.Category.FEE)
    nf.notice(index_a, targets=[community_a], category=NoticePage.Category.GENERAL)
    _login(client, resident)

    assert _listed(client, index_a, category="fee") == [fee.pk]


def test_unknown_category_is_ignored_not_an_error(client, resident, index_a, community_a):
    nf.notice(index_a, targets=[community_a])
    _login(client, resident)

    response = client.get(index_a.url, {"category": "nonsense", "page": "x"})

    assert response.status_code == 200


def test_list_is_paginated(client, resident, index_a, community_a):
    for number in range(NOTICES_PER_PAGE + 1):
        nf.notice(index_a, targets=[community_a], title=f"通知{number}")
    _login(client, resident)

    first = client.get(index_a.url).context["notices"]
    second = client.get(index_a.url, {"page": 2}).context["notices"]

    assert len(first) == NOTICES_PER_PAGE
    assert len(second) == 1


def test_emergency_banner_shows_on_the_home_page_until_read(client, resident, home_a, index_a,
                                                            house_a):
    notice = nf.notice(index_a, targets=[house_a.building], category=EMERGENCY,
                       title="今晚停电")
    _login(client, resident)

    assert "今晚停电" in client.get(home_a.url).content.decode()
    client.get(notice.url)

    assert "今晚停电" not in client.get(home_a.url).content.decode()


def test_emergency_banner_disappears_once_expired(client, resident, home_a, index_a,
                                                  community_a):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    nf.notice(index_a, targets=[community_a], category=EMERGENCY, title="昨日停电",
              valid_until=yesterday)
    _login(client, resident)

    assert 'id="emergency-notices"' not in client.get(home_a.url).content.decode()


def test_emergency_banner_is_not_shown_to_other_buildings(client, resident, home_a, index_a,
                                                          house_a2):
    nf.notice(index_a, targets=[house_a2.building], category=EMERGENCY, title="2栋停电")
    _login(client, resident)

    assert "2栋停电" not in client.get(home_a.url).content.decode()


def test_visitor_sees_public_emergencies_on_the_home_page(client, home_a, index_a, community_a):
    nf.notice(index_a, targets=[community_a], category=EMERGENCY, title="台风预警", public=True)
    nf.notice(index_a, targets=[community_a], category=EMERGENCY, title="内部停水")

    page = client.get(home_a.url).content.decode()

    assert "台风预警" in page
    assert "内部停水" not in page
