"""A merchant's login edits its own page only, through moderation; it cannot edit,
publish, unpublish, move, delete, copy or read the revisions of another merchant's page,
by the admin UI or by URL, nor find it in the explorer, search or chooser."""

import json

import pytest
from django.urls import reverse
from wagtail.models import Page, WorkflowState

from merchants.models import MerchantPage
from tests.merchants import factories as mf

PAGE_VIEWS = ["edit", "delete", "move", "unpublish", "copy", "history", "revisions_index",
              "lock", "unlock"]


def _page_url(view, page):
    return reverse(f"wagtailadmin_pages:{view}", args=[page.pk])


@pytest.mark.parametrize("view", PAGE_VIEWS)
def test_merchant_cannot_open_another_merchants_page_views(client, merchant_a, shop_b, view):
    client.force_login(merchant_a)

    response = client.get(_page_url(view, shop_b), follow=True)

    assert response.status_code in (403, 404, 405) or (
        response.redirect_chain[-1][0] == reverse("wagtailadmin_home"))
    assert "翠湖超市" not in response.content.decode()


@pytest.mark.parametrize("view", ["edit", "delete", "unpublish", "lock"])
def test_merchant_cannot_change_another_merchants_page_by_post(client, merchant_a, shop_b,
                                                                view):
    client.force_login(merchant_a)
    data = mf.page_form(action="action-publish", title="被改了", slug="laowang",
                        tags=[shop_b.tags.first().pk], communities=[shop_b.communities.first().pk])

    client.post(_page_url(view, shop_b), data)

    shop_b = MerchantPage.objects.get(pk=shop_b.pk)
    assert shop_b.title == "翠湖超市" and shop_b.live and not shop_b.locked
    assert not WorkflowState.objects.filter(object_id=str(shop_b.pk)).exists()


def test_merchant_cannot_move_another_merchants_page(client, merchant_a, shop_a, shop_b):
    client.force_login(merchant_a)

    client.post(reverse("wagtailadmin_pages:move_confirm",
                        args=[shop_b.pk, shop_a.get_parent().pk]))

    assert MerchantPage.objects.get(pk=shop_b.pk).get_parent().pk == shop_b.get_parent().pk


def test_merchant_cannot_copy_another_merchants_page(client, merchant_a, shop_a, shop_b):
    client.force_login(merchant_a)

    client.post(_page_url("copy", shop_b), {"new_title": "副本", "new_slug": "copy",
                                            "new_parent_page": shop_a.get_parent().pk})

    assert not MerchantPage.objects.filter(title="副本").exists()


def test_merchant_may_edit_but_not_delete_move_or_copy_its_own_page(merchant_a, shop_a):
    permissions = shop_a.permissions_for_user(merchant_a)

    assert permissions.can_edit()
    assert not permissions.can_publish()
    assert not permissions.can_unpublish()
    assert not permissions.can_delete()
    assert not permissions.can_move()
    assert not permissions.can_copy()
    assert not permissions.can_lock()


@pytest.mark.parametrize("report", ["page-types-usage", "page-types-usage/results",
                                    "aging-pages", "workflow", "workflow_tasks"])
def test_admin_reports_do_not_name_another_merchant(client, merchant_a, shop_a, shop_b,
                                                    report):
    client.force_login(merchant_a)
    response = client.get(f"/admin/reports/{report}/")
    assert shop_b.title not in response.content.decode()


def test_merchants_explorer_starts_at_its_own_page(client, merchant_a, shop_a, shop_b):
    client.force_login(merchant_a)

    response = client.get(reverse("wagtailadmin_explore_root"))

    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_explore", args=[shop_a.pk])


def test_merchant_cannot_explore_another_merchants_page(client, merchant_a, shop_b):
    client.force_login(merchant_a)

    response = client.get(reverse("wagtailadmin_explore", args=[shop_b.pk]))

    assert response.status_code in (302, 403, 404)
    assert "翠湖超市" not in response.content.decode()


def test_admin_page_search_does_not_show_another_merchant(client, merchant_a, shop_a, shop_b):
    client.force_login(merchant_a)

    response = client.get(reverse("wagtailadmin_pages:search"), {"q": "翠湖超市"})

    assert response.status_code == 200
    assert f"/admin/pages/{shop_b.pk}/" not in response.content.decode()


def test_page_chooser_does_not_offer_another_merchant(client, merchant_a, shop_a, shop_b):
    client.force_login(merchant_a)

    browse = client.get(reverse("wagtailadmin_choose_page_child", args=[shop_b.get_parent().pk]))
    search = client.get(reverse("wagtailadmin_choose_page_search"), {"q": "翠湖超市"})

    for response in (browse, search):
        body = response.content.decode()
        assert "翠湖超市" not in (json.loads(body).get("html", "") if body.startswith("{")
                               else body)


def test_merchants_edit_waits_for_staff_approval(client, merchant_a, manager_a, shop_a):
    client.force_login(merchant_a)
    data = mf.page_form(title="老王面馆(新装修)", slug=shop_a.slug,
                        tags=[shop_a.tags.first().pk],
                        communities=[shop_a.communities.first().pk])

    response = client.post(_page_url("edit", shop_a), data)

    assert response.status_code == 302
    state = WorkflowState.objects.get(object_id=str(shop_a.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert Page.objects.get(pk=shop_a.pk).title == "老王面馆"  # not live yet

    client.force_login(manager_a)
    task_state = state.current_task_state
    client.post(reverse("wagtailadmin_pages:workflow_action",
                        args=[shop_a.pk, "approve", task_state.pk]), {"comment": ""})

    assert Page.objects.get(pk=shop_a.pk).title == "老王面馆(新装修)"
    assert MerchantPage.objects.get(pk=shop_a.pk).status == MerchantPage.Status.APPROVED


def test_merchant_cannot_publish_its_own_edit_directly(client, merchant_a, shop_a):
    client.force_login(merchant_a)
    data = mf.page_form(action="action-publish", title="直接发布", slug=shop_a.slug,
                        tags=[shop_a.tags.first().pk],
                        communities=[shop_a.communities.first().pk])

    client.post(_page_url("edit", shop_a), data)

    assert Page.objects.get(pk=shop_a.pk).title == "老王面馆"


def test_manager_of_another_community_cannot_approve_a_merchants_edit(
        client, merchant_a, manager_b, shop_a):
    client.force_login(merchant_a)
    client.post(_page_url("edit", shop_a), mf.page_form(
        title="改名", slug=shop_a.slug, tags=[shop_a.tags.first().pk],
        communities=[shop_a.communities.first().pk]))
    state = WorkflowState.objects.get(object_id=str(shop_a.pk))

    client.force_login(manager_b)
    client.post(reverse("wagtailadmin_pages:workflow_action",
                        args=[shop_a.pk, "approve", state.current_task_state.pk]),
                {"comment": ""})

    assert Page.objects.get(pk=shop_a.pk).title == "老王面馆"


def test_staff_of_another_community_cannot_edit_the_merchant_index(client, manager_b,
                                                                   manager_a, index_a):
    client.force_login(manager_b)

    response = client.get(_page_url("edit", index_a), follow=True)

    assert response.status_code == 403 or response.redirect_chain
    assert not index_a.permissions_for_user(manager_b).can_edit()
    assert index_a.permissions_for_user(manager_a).can_edit()
