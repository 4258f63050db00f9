"""Moving pages between communities: the community follows the page's new home page,
and a notice whose targets lie outside the new community cannot move there."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail.models import Revision

from home.pages import ensure_home_page
from notices.models import HandbookPage, NoticeIndexPage, NoticePage
from tests import factories as f
from tests.notices import factories as nf


def _move(page, parent):
    page.move(parent, pos="last-child")


def test_a_moved_handbook_and_its_chapters_belong_to_the_new_community(
        home_a, home_b, community_b):
    handbook = nf.handbook(home_a)
    chapter = nf.handbook(handbook, title="装修管理", slug="renovation")

    _move(handbook, home_b)

    assert HandbookPage.objects.get(pk=handbook.pk).community == community_b
    assert HandbookPage.objects.get(pk=chapter.pk).community == community_b


def test_a_company_wide_notice_moves_to_another_communitys_list(index_a, index_b,
                                                                  community_b):
    notice = nf.notice(index_a, targets=["company"])

    _move(notice, index_b)

    notice = NoticePage.objects.get(pk=notice.pk)
    assert notice.community == community_b
    assert notice.get_parent().pk == index_b.pk


def test_a_notice_for_buildings_of_its_community_cannot_move_to_another(
        index_a, index_b, house_a, community_a):
    notice = nf.notice(index_a, targets=[house_a.building], title="1栋停水")

    with pytest.raises(ValidationError, match="1栋停水"):
        _move(notice, index_b)

    notice = NoticePage.objects.get(pk=notice.pk)
    assert notice.community == community_a
    assert notice.get_parent().pk == index_a.pk


def test_a_notice_list_with_a_community_notice_cannot_move(home_b, index_a, community_a):
    nf.notice(index_a, targets=[community_a])

    with pytest.raises(ValidationError):
        _move(index_a, home_b)

    assert NoticeIndexPage.objects.get(pk=index_a.pk).community == community_a
    assert NoticeIndexPage.objects.get(pk=index_a.pk).get_parent().pk != home_b.pk


def test_another_companys_home_page_does_not_take_a_company_wide_notice(index_a):
    other = f.CommunityFactory(company=f.CompanyFactory(name="安居物业"), code="elsewhere")
    other_index = nf.notice_index(ensure_home_page(other))
    notice = nf.notice(index_a, targets=["company"])

    with pytest.raises(ValidationError):
        _move(notice, other_index)


def test_a_revision_written_before_the_move_is_published_in_the_new_community(
        index_a, index_b, community_b):
    notice = nf.notice(index_a, targets=["company"])
    notice.summary = "改期到周五。"
    revision = notice.save_revision()

    _move(notice, index_b)
    Revision.objects.get(pk=revision.pk).publish()  # as the admin loads it, after the move

    notice = NoticePage.objects.get(pk=notice.pk)
    assert notice.summary == "改期到周五。"
    assert notice.community == community_b


def test_the_admin_explains_a_refused_move(client, index_a, index_b, house_a):
    notice = nf.notice(index_a, targets=[house_a.building], title="1栋停水")
    client.force_login(f.UserFactory(is_superuser=True, is_staff=True))

    response = client.post(
        reverse("wagtailadmin_pages:move_confirm", args=[notice.pk, index_b.pk]), follow=True)

    assert "1栋停水" in " ".join(str(message) for message in response.context["messages"])
    assert NoticePage.objects.get(pk=notice.pk).get_parent().pk == index_a.pk


def test_the_admin_moves_a_fitting_page(client, index_a, index_b, community_b):
    notice = nf.notice(index_a, targets=["company"])
    client.force_login(f.UserFactory(is_superuser=True, is_staff=True))

    client.post(reverse("wagtailadmin_pages:move_confirm", args=[notice.pk, index_b.pk]))

    notice = NoticePage.objects.get(pk=notice.pk)
    assert notice.get_parent().pk == index_b.pk
    assert notice.community == community_b
