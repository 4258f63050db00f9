"""Who may read a notice: enforced in serve(), the list, search and the home banner."""

import pytest

from notices import targeting
from notices.models import NoticePage, NoticeRead
from tests.factories import PASSWORD
from tests.notices import factories as nf


def _login(client, user):
    client.login(username=user.username, password=PASSWORD)


@pytest.fixture
def building_2_notice(index_a, house_a2):
    return nf.notice(index_a, targets=[house_a2.building], title="2栋电梯检修")


def test_resident_of_another_building_gets_a_clear_not_for_your_building_page(
        client, resident, building_2_notice):
    _login(client, resident)

    response = client.get(building_2_notice.url)

    assert response.status_code == 403
    assert "This notice is not for your building." in response.content.decode()
    assert "2栋电梯检修" not in response.content.decode()


def test_resident_of_another_community_is_told_it_is_another_communitys_page(
        client, resident_b, building_2_notice):
    _login(client, resident_b)

    response = client.get(building_2_notice.url)

    assert response.status_code == 403
    assert "This page is for the residents of another community." in response.content.decode()
    assert "building" not in response.content.decode()


def test_resident_of_the_targeted_building_reads_the_notice(client, neighbour, building_2_notice):
    _login(client, neighbour)

    response = client.get(building_2_notice.url)

    assert response.status_code == 200
    assert "2栋电梯检修" in response.content.decode()


@pytest.mark.parametrize("target", ["unit", "building", "community", "company"])
def test_each_target_level_reaches_the_residents_under_it(index_a, resident, house_a, target):
    chosen = {"unit": house_a.unit, "building": house_a.building,
              "community": house_a.community, "company": "company"}[target]
    notice = nf.notice(index_a, targets=[chosen])

    assert notice.is_visible_to(resident)


def test_targets_of_other_levels_do_not_reach_the_resident(index_a, index_b, resident, house_a2,
                                                           community_b):
    other_building = nf.notice(index_a, targets=[house_a2.building])
    other_unit = nf.notice(index_a, targets=[house_a2.unit])
    other_community = nf.notice(index_b, targets=[community_b])

    for notice in (other_building, other_unit, other_community):
        assert not notice.is_visible_to(resident)


def test_ended_binding_no_longer_brings_the_buildings_notices(index_a, resident, house_a):
    notice = nf.notice(index_a, targets=[house_a.building])
    resident.resident.occupancies.get().end(by=None)

    assert not notice.is_visible_to(resident)


def test_anonymous_visitor_reads_only_public_notices(client, index_a, community_a):
    public = nf.notice(index_a, targets=[community_a], public=True, title="小区开放日")
    private = nf.notice(index_a, targets=[community_a], title="业主大会")

    assert client.get(public.url).status_code == 200
    refused = client.get(private.url)
    assert refused.status_code == 403
    assert "Log in" in refused.content.decode()
    listed = [n.pk for n in client.get(index_a.url).context["notices"]]
    assert listed == [public.pk]


def test_list_shows_only_the_residents_notices(client, resident, index_a, house_a, house_a2):
    mine = nf.notice(index_a, targets=[house_a.building], title="1栋停水")
    nf.notice(index_a, targets=[house_a2.building], title="2栋停水")
    _login(client, resident)

    listed = [n.pk for n in client.get(index_a.url).context["notices"]]

    assert listed == [mine.pk]


def test_pages_for_resident_filters_a_queryset(index_a, resident, house_a, house_a2):
    mine = nf.notice(index_a, targets=[house_a.unit])
    nf.notice(index_a, targets=[house_a2.unit])

    found = NoticePage.objects.filter(targeting.pages_for_resident(resident.resident))

    assert list(found) == [mine]


def test_search_finds_only_notices_for_the_reader(client, resident, index_a, house_a, house_a2,
                                                  home_a):
    mine = nf.notice(index_a, targets=[house_a.building], title="1栋停水通知")
    nf.notice(index_a, targets=[house_a2.building], title="2栋停水通知")
    handbook = nf.handbook(home_a, title="停水应急指南")
    _login(client, resident)

    results = client.get(index_a.url, {"q": "停水"}).context["results"]

    assert {page.pk for page in results} == {mine.pk, handbook.pk}


def test_anonymous_search_finds_only_public_pages(client, index_a, community_a, home_a):
    nf.notice(index_a, targets=[community_a], title="停水通知")
    public = nf.notice(index_a, targets=[community_a], title="停水公告", public=True)
    nf.handbook(home_a, title="停水指南")

    results = client.get(index_a.url, {"q": "停水"}).context["results"]

    assert [page.pk for page in results] == [public.pk]


def test_handbook_is_for_residents_of_its_community_only(client, resident_b, home_a):
    handbook = nf.handbook(home_a)
    _login(client, resident_b)

    response = client.get(handbook.url)

    assert response.status_code == 403
    assert "another community" in response.content.decode()


def test_opening_a_notice_records_one_read_per_resident(client, resident, index_a, community_a):
    notice = nf.notice(index_a, targets=[community_a])
    _login(client, resident)

    client.get(notice.url)
    client.get(notice.url)

    assert NoticeRead.objects.filter(page=notice).count() == 1


def test_staff_opening_a_notice_records_no_read(client, manager_a, index_a, community_a):
    notice = nf.notice(index_a, targets=[community_a])
    _login(client, manager_a)

    assert client.get(notice.url).status_code == 200
    assert not NoticeRead.objects.exists()


def test_staff_of_another_community_cannot_open_a_notice(client, manager_b, index_a, community_a):
    notice = nf.notice(index_a, targets=[community_a])
    _login(client, manager_b)

    assert client.get(notice.url).status_code == 403
