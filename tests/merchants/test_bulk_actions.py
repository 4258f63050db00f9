"""Wagtail's bulk actions (/admin/bulk/wagtailcore/page/<action>/?id=...) are a second way
to delete, unpublish, publish and move pages, beside the page views. They ask the same
page permission tester, so a merchant's login cannot use them on another merchant's page,
nor delete, move, unpublish or publish its own; and a manager cannot use them on the
merchants of a community they do not serve.

Each refused attempt is checked on the page afterwards (still there, live, same parent,
same live title, no draft published), and positive controls (a superuser, the merchant's
own community manager) prove that the very same requests do change the page when allowed.
"""

from urllib.parse import urlencode

import pytest
from django.urls import reverse
from wagtail.models import Page, PageLogEntry

from merchants.models import MerchantPage

ACTIONS = ["delete", "unpublish", "publish", "move"]


def _bulk_url(action, *pages, **params):
    query = [("id", page.pk) for page in pages] + list(params.items())
    return (reverse("wagtail_bulk_action", args=["wagtailcore", "page", action])
            + "?" + urlencode(query))


def _post_data(action, destination):
    """The confirmation form of each action, as Wagtail's templates post it."""
    if action == "move":
        return {"chooser": str(destination.pk)}
    if action in ("unpublish", "publish"):
        return {"include_descendants": ""}
    return {}


def _snapshot(page):
    """What a refused bulk action must leave alone."""
    current = Page.objects.filter(pk=page.pk).first()
    if current is None:
        return None
    return {"live": current.live, "parent": current.get_parent().pk, "title": current.title,
            "live_revision": current.live_revision_id, "path": current.path,
            "status": MerchantPage.objects.get(pk=page.pk).status}


def _with_draft(page, title):
    """Give ``page`` an unpublished draft: what a bulk 'publish' would put live."""
    page = MerchantPage.objects.get(pk=page.pk)
    page.title = title
    page.save_revision()
    assert Page.objects.get(pk=page.pk).has_unpublished_changes
    return page


def _attempt(client, action, page, destination):
    """Open the confirmation, then confirm it, as the admin's bulk action bar does."""
    confirm = client.get(_bulk_url(action, page))
    done = client.post(_bulk_url(action, page), _post_data(action, destination))
    return confirm, done


def _refused_on_confirmation(confirm, page, known=True):
    """The confirmation page offers nothing to act on. A page the user knows (their
    own) is listed among those they have no permission for; one out of their sight is
    not named at all."""
    assert confirm.status_code in (200, 403, 404)
    if confirm.status_code == 200:
        assert [item["item"].pk for item in confirm.context["items"]] == []
        named = [entry["item"].pk for entry in confirm.context.get("items_with_no_access", [])]
        assert (page.pk in named) is known


# --- a merchant and another merchant's page ------------------------------------------


@pytest.mark.parametrize("action", ACTIONS)
def test_merchant_cannot_bulk_act_on_another_merchants_page(client, merchant_a, shop_a,
                                                             shop_b, action):
    if action == "publish":
        _with_draft(shop_b, "被发布了")
    before = _snapshot(shop_b)
    client.force_login(merchant_a)

    confirm, done = _attempt(client, action, shop_b, destination=shop_a.get_parent())

    _refused_on_confirmation(confirm, shop_b, known=False)
    assert done.status_code in (302, 403, 404)
    assert _snapshot(shop_b) == before
    assert Page.objects.get(pk=shop_b.pk).title == "翠湖超市"
    assert not PageLogEntry.objects.filter(page_id=shop_b.pk, user=merchant_a).exists()


@pytest.mark.parametrize("action", ["delete", "unpublish"])
def test_merchant_cannot_bulk_act_on_every_page_of_another_merchants_index(
        client, merchant_a, shop_a, shop_b, action):
    # "Select all" in a listing posts id=all&childOf=<parent>: each page is still checked.
    before = _snapshot(shop_b)
    client.force_login(merchant_a)
    url = _bulk_url(action, id="all", childOf=shop_b.get_parent().pk)

    client.get(url)
    client.post(url, _post_data(action, None))

    assert _snapshot(shop_b) == before


def test_merchant_cannot_bulk_delete_another_merchants_page_alongside_its_own(
        client, merchant_a, shop_a, shop_b):
    before = (_snapshot(shop_a), _snapshot(shop_b))
    client.force_login(merchant_a)

    client.post(_bulk_url("delete", shop_a, shop_b), {})

    assert (_snapshot(shop_a), _snapshot(shop_b)) == before


def test_merchant_cannot_bulk_move_another_merchants_page_under_its_own_index(
        client, merchant_a, shop_a, shop_b):
    client.force_login(merchant_a)

    client.post(_bulk_url("move", shop_b), {"chooser": str(shop_a.get_parent().pk)})

    assert Page.objects.get(pk=shop_b.pk).get_parent().pk == shop_b.get_parent().pk
    assert not shop_a.get_parent().get_children().filter(pk=shop_b.pk).exists()


# --- a merchant and its own page ------------------------------------------------------


@pytest.mark.parametrize("action", ACTIONS)
def test_merchant_cannot_bulk_delete_move_unpublish_or_publish_its_own_page(
        client, merchant_a, shop_a, index_b, action):
    # merchants.permissions: merchants never delete or move their page (staff decide
    # whether a merchant is listed); they hold "change" only, so they neither unpublish
    # it nor publish their drafts (those go through the merchant review).
    if action == "publish":
        _with_draft(shop_a, "自己直接发布")
    before = _snapshot(shop_a)
    client.force_login(merchant_a)

    confirm, done = _attempt(client, action, shop_a, destination=index_b)

    _refused_on_confirmation(confirm, shop_a)
    assert _snapshot(shop_a) == before
    assert Page.objects.get(pk=shop_a.pk).title == "老王面馆"


def test_what_the_project_intends_for_a_merchants_own_page(merchant_a, shop_a, index_b):
    permissions = shop_a.permissions_for_user(merchant_a)

    assert permissions.can_edit()
    assert not any([permissions.can_delete(), permissions.can_delete(ignore_bulk=True),
                    permissions.can_move(), permissions.can_move_to(index_b),
                    permissions.can_unpublish(), permissions.can_publish()])


# --- staff of another community -------------------------------------------------------


def test_merchants_are_scoped_by_the_communities_they_serve(manager_a, manager_b, shop_a):
    assert MerchantPage.objects.visible_to(manager_a).filter(pk=shop_a.pk).exists()
    assert not MerchantPage.objects.visible_to(manager_b).filter(pk=shop_a.pk).exists()


@pytest.mark.parametrize("action", ACTIONS)
def test_manager_of_another_community_cannot_bulk_act_on_its_merchant(
        client, manager_b, shop_a, index_b, action):
    if action == "publish":
        _with_draft(shop_a, "别的小区发布")
    before = _snapshot(shop_a)
    client.force_login(manager_b)

    confirm, done = _attempt(client, action, shop_a, destination=index_b)

    _refused_on_confirmation(confirm, shop_a, known=False)
    assert _snapshot(shop_a) == before
    assert not PageLogEntry.objects.filter(page_id=shop_a.pk, user=manager_b).exists()


def test_manager_of_another_community_cannot_bulk_act_on_a_shared_index(
        client, manager_b, shop_a, shop_b):
    # Select all in community A's merchant index, seen from community B's manager.
    before = _snapshot(shop_a)
    client.force_login(manager_b)
    url = _bulk_url("unpublish", id="all", childOf=shop_a.get_parent().pk)

    client.post(url, {"include_descendants": ""})

    assert _snapshot(shop_a) == before


# --- positive controls: the same requests work when allowed ---------------------------


@pytest.mark.parametrize("action", ["unpublish", "delete"])
def test_the_communitys_own_manager_may_bulk_unpublish_or_delete_its_merchant(
        client, manager_a, shop_a, action):
    client.force_login(manager_a)

    confirm, done = _attempt(client, action, shop_a, destination=None)

    assert [item["item"].pk for item in confirm.context["items"]] == [shop_a.pk]
    assert done.status_code == 302
    after = _snapshot(shop_a)
    assert after is None if action == "delete" else after["live"] is False


@pytest.mark.parametrize("action", ACTIONS)
def test_a_superuser_bulk_action_does_change_the_page(client, shop_a, shop_b, action):
    from tests import factories as f

    admin = f.UserFactory(is_superuser=True, is_staff=True)
    if action == "publish":
        _with_draft(shop_b, "翠湖超市(新)")
    client.force_login(admin)

    client.post(_bulk_url(action, shop_b), _post_data(action, shop_a.get_parent()))

    after = _snapshot(shop_b)
    if action == "delete":
        assert after is None
    elif action == "unpublish":
        assert after["live"] is False
    elif action == "publish":
        assert after["title"] == "翠湖超市(新)"
    else:
        assert after["parent"] == shop_a.get_parent().pk


# --- what the confirmation page tells about pages out of reach ----------------------
# Wagtail lists the pages the user may not act on by title; portal/estates/page_reach.py
# keeps that list to the pages the explorer shows the user, as the rest of the admin does
# (test_admin_permissions: explorer, search, chooser, page views by URL).

def test_bulk_confirmation_does_not_name_another_merchant_by_guessed_id(
        client, merchant_a, shop_a, shop_b):
    client.force_login(merchant_a)

    response = client.get(_bulk_url("delete", shop_b))

    assert "翠湖超市" not in response.content.decode()


def test_bulk_select_all_does_not_list_every_page_of_the_site(client, merchant_a, shop_a,
                                                              shop_b):
    client.force_login(merchant_a)

    response = client.get(_bulk_url("unpublish", id="all"))

    assert "翠湖超市" not in response.content.decode()


def test_bulk_select_all_does_not_name_another_communitys_merchant_to_its_manager(
        client, manager_b, shop_a, shop_b):
    client.force_login(manager_b)

    response = client.get(_bulk_url("delete", id="all"))

    assert "老王面馆" not in response.content.decode()


def test_the_aging_pages_report_names_only_my_communitys_pages(client, manager_b, shop_a,
                                                               shop_b):
    client.force_login(manager_b)

    page = client.get(reverse("wagtailadmin_reports:aging_pages")).content.decode()

    assert "翠湖超市" in page
    assert "老王面馆" not in page
