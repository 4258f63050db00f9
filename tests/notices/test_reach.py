"""Reach in the admin: targeted, read, rate; unread residents of an emergency notice with
masked numbers and a recorded "call" action; all within the staff's communities."""

import pytest
from django.urls import reverse
from wagtail.models import PageLogEntry

from notices import reach
from notices.models import NoticePage, NoticeRead, NoticeTarget
from tests.notices import factories as nf

EMERGENCY = NoticePage.Category.EMERGENCY


@pytest.fixture
def power_cut(index_a, community_a, resident, neighbour):
    notice = nf.notice(index_a, targets=[community_a], category=EMERGENCY, title="停电通知")
    NoticeRead.record(resident.resident, notice)
    return notice


def test_reach_counts_targeted_and_read_residents(power_cut, resident_b):
    figures = reach.reach_of(power_cut)

    assert (figures.targeted, figures.read, figures.rate) == (2, 1, 50.0)


def test_targeted_residents_follow_building_and_unit_targets(index_a, house_a, house_a2,
                                                             resident, neighbour):
    by_building = nf.notice(index_a, targets=[house_a.building])
    by_unit = nf.notice(index_a, targets=[house_a2.unit])
    whole = nf.notice(index_a, targets=["company"])

    assert reach.reach_of(by_building).targeted == 1
    assert list(reach.unread_residents(by_unit)) == [neighbour.resident]
    assert reach.reach_of(whole).targeted == 2


def test_disabled_accounts_are_not_counted(power_cut, neighbour):
    neighbour.resident.disable(by=None)

    assert reach.reach_of(power_cut).targeted == 1


def test_manager_sees_reach_of_their_notices(client, manager_a, power_cut, neighbour):
    client.force_login(manager_a)

    listing = client.get(reverse("notices_reach:index"))
    detail = client.get(reverse("notices_reach:detail", args=[power_cut.pk]))

    assert listing.context["rows"][0][1].rate == 50.0
    page = detail.content.decode()
    assert "50.0%" in page
    assert list(detail.context["unread"]) == [neighbour.resident]
    assert neighbour.phone not in page
    assert neighbour.resident.masked_phone in page


def test_call_shows_the_full_number_and_is_recorded(client, manager_a, power_cut, neighbour):
    client.force_login(manager_a)

    response = client.get(reverse("notices_reach:call",
                                  args=[power_cut.pk, neighbour.resident.pk]))

    assert f'href="tel:{neighbour.phone}"' in response.content.decode()
    entry = PageLogEntry.objects.get(action="notices.reach.call")
    assert entry.user == manager_a
    assert neighbour.phone not in str(entry.data)


def test_call_is_refused_for_a_resident_who_has_read_it(client, manager_a, power_cut, resident):
    client.force_login(manager_a)

    response = client.get(reverse("notices_reach:call", args=[power_cut.pk, resident.resident.pk]))

    assert response.status_code == 404


def test_staff_of_another_community_cannot_reach_a_notices_figures(client, manager_b, power_cut,
                                                                   neighbour):
    client.force_login(manager_b)

    listing = client.get(reverse("notices_reach:index"))
    detail = client.get(reverse("notices_reach:detail", args=[power_cut.pk]))
    call = client.get(reverse("notices_reach:call", args=[power_cut.pk, neighbour.resident.pk]))

    assert listing.context["rows"] == []
    assert detail.status_code == 404
    assert call.status_code == 404


def test_residents_and_outsiders_cannot_open_reach(client, resident, outsider):
    for user in (resident, outsider):
        client.force_login(user)
        assert client.get(reverse("notices_reach:index")).status_code in (302, 403)


def test_reads_are_scoped_to_the_staffs_communities(power_cut, manager_a, manager_b, resident):
    assert NoticeRead.objects.visible_to(manager_a).count() == 1
    assert NoticeRead.objects.visible_to(manager_b).count() == 0
    assert NoticeRead.objects.visible_to(resident).count() == 1


def test_targets_are_scoped_to_the_staffs_communities(power_cut, manager_a, manager_b,
                                                      leadership):
    assert NoticeTarget.objects.visible_to(manager_a).count() == 1
    assert NoticeTarget.objects.visible_to(manager_b).count() == 0
    assert NoticeTarget.objects.visible_to(leadership).count() == 1


def test_whole_company_targets_are_seen_by_leadership_only(index_a, manager_a, leadership):
    nf.notice(index_a, targets=["company"])

    assert NoticeTarget.objects.visible_to(manager_a).count() == 0
    assert NoticeTarget.objects.visible_to(leadership).count() == 1
