"""Editing notices in the Wagtail admin: targets within the editor's communities, no
publishing without a target, and no reach into another community's pages."""

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from notices.forms import NO_TARGET
from notices.models import NoticePage
from portal.estates import roles
from tests import factories as f
from tests.notices import factories as nf


@pytest.fixture
def editor_a(company, community_a):
    return f.StaffFactory(company=company, user__groups=[roles.EDITOR],
                          communities=[community_a]).user


def _notice_form(targets, action="action-publish", title="停电通知"):
    data = nested_form_data({
        "title": title,
        "slug": "power-cut",
        "category": "emergency",
        "summary": "今晚8点停电。",
        "body": streamfield([]),
        "targets": inline_formset(targets),
    })
    data[action] = "1"
    return data


def _target(whole_company=False, community="", building="", unit=""):
    return {"whole_company": "on" if whole_company else "", "community": community,
            "building": building, "unit": unit}


def _add_url(parent):
    return reverse("wagtailadmin_pages:add", args=["notices", "noticepage", parent.pk])


def test_notice_without_a_target_cannot_be_published(client, manager_a, index_a):
    client.force_login(manager_a)

    response = client.post(_add_url(index_a), _notice_form([]))

    assert response.status_code == 200
    assert str(NO_TARGET) in response.content.decode()
    assert not NoticePage.objects.exists()


def test_notice_without_a_target_may_be_saved_as_a_draft(client, manager_a, index_a):
    client.force_login(manager_a)

    client.post(_add_url(index_a), _notice_form([], action="action-save"))

    assert NoticePage.objects.get().live is False


def test_manager_publishes_a_notice_for_a_building_of_their_community(
        client, manager_a, index_a, house_a):
    client.force_login(manager_a)

    response = client.post(_add_url(index_a),
                           _notice_form([_target(building=house_a.building.pk)]))

    assert response.status_code == 302
    notice = NoticePage.objects.get()
    assert notice.live
    target = notice.targets.get()
    assert (target.community_id, target.building_id) == (house_a.community_id,
                                                         house_a.building_id)


def test_editor_cannot_target_a_building_of_another_community(client, manager_a, index_a,
                                                              house_b):
    client.force_login(manager_a)

    response = client.post(_add_url(index_a),
                           _notice_form([_target(building=house_b.building.pk)]))

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not NoticePage.objects.exists()


def test_target_choices_offer_only_the_editors_communities(client, manager_a, index_a,
                                                           community_b, house_b):
    client.force_login(manager_a)

    page = client.get(_add_url(index_a)).content.decode()

    assert community_b.name not in page
    assert house_b.building.name not in page


def test_only_leadership_may_target_the_whole_company(client, manager_a, index_a):
    client.force_login(manager_a)

    client.post(_add_url(index_a), _notice_form([_target(whole_company=True)]))

    assert not NoticePage.objects.exists()


def test_building_must_belong_to_the_community_chosen(client, manager_a, index_a, house_a,
                                                      community_a, company):
    other = f.CommunityFactory(company=company)
    manager_a.staff.communities.add(other)
    client.force_login(manager_a)

    response = client.post(_add_url(index_a), _notice_form(
        [_target(community=other.pk, building=house_a.building.pk)]))

    assert "This building is not in the community chosen." in response.content.decode()
    assert not NoticePage.objects.exists()


def test_editor_may_draft_but_not_publish(client, editor_a, index_a, community_a):
    client.force_login(editor_a)

    client.post(_add_url(index_a), _notice_form([_target(community=community_a.pk)]))

    notice = NoticePage.objects.get()
    assert not notice.live


def test_manager_of_another_community_cannot_edit_or_add_pages_there(
        client, manager_b, index_a, community_a):
    notice = nf.notice(index_a, targets=[community_a])
    client.force_login(manager_b)

    edit = client.get(reverse("wagtailadmin_pages:edit", args=[notice.pk]))
    add = client.get(_add_url(index_a))
    explorer = client.get(reverse("wagtailadmin_explore", args=[index_a.get_parent().pk]))

    assert edit.status_code != 200
    assert add.status_code != 200
    assert index_a.title not in explorer.content.decode()


def test_manager_sees_their_communitys_pages_in_the_explorer(client, manager_a, index_a):
    client.force_login(manager_a)

    explorer = client.get(reverse("wagtailadmin_explore", args=[index_a.get_parent().pk]))

    assert index_a.title in explorer.content.decode()


def test_the_editor_page_reads_the_units_buildings_in_one_query(
        client, manager_a, index_a, community_a, django_assert_max_num_queries):
    """On a large estate the unit choices named each unit's building one query at a time."""
    client.force_login(manager_a)
    client.get(_add_url(index_a))  # warm Wagtail's own caches
    building = f.BuildingFactory(community=community_a, name="9栋")
    for number in range(1, 4):
        f.UnitFactory(building=building, name=f"{number}单元")
    with django_assert_max_num_queries(60) as few:
        client.get(_add_url(index_a))
    for number in range(4, 30):
        f.UnitFactory(building=building, name=f"{number}单元")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(_add_url(index_a))
    assert "9栋29单元" in response.content.decode()
