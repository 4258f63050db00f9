"""Staff reach the merchants serving their communities only: by list, detail, search,
status actions and guessed ids; leadership all; a merchant its own; residents the open
merchants of their community."""

import pytest
from django.urls import reverse

from merchants.models import MerchantAccount, MerchantEvent, MerchantPage
from tests.merchants import factories as mf


def test_visible_to_each_persona(shop_a, shop_b, manager_a, manager_b, leadership, merchant_a,
                                 resident, resident_b, outsider, index_b):
    mf.merchant(index_b, title="两边都送",
                communities=[shop_a.communities.get(), shop_b.communities.get()])

    def seen(user):
        return set(MerchantPage.objects.visible_to(user).values_list("title", flat=True))

    assert seen(manager_a) == {"老王面馆", "两边都送"}
    assert seen(manager_b) == {"翠湖超市", "两边都送"}
    assert seen(leadership) == {"老王面馆", "翠湖超市", "两边都送"}
    assert seen(merchant_a) == {"老王面馆"}
    assert seen(resident) == {"老王面馆"}  # 两边都送 awaits approval
    assert seen(resident_b) == {"翠湖超市"}
    assert seen(outsider) == set()
    assert seen(None) == set()


def test_managed_by_is_only_the_merchants_own_accounts(shop_a, merchant_a, manager_a,
                                                       resident):
    assert list(MerchantPage.objects.managed_by(merchant_a)) == [shop_a]
    assert not MerchantPage.objects.managed_by(manager_a).exists()
    assert not MerchantPage.objects.managed_by(resident).exists()


def test_events_and_accounts_follow_the_merchants_scope(shop_a, merchant_a, manager_b,
                                                        manager_a):
    assert MerchantEvent.objects.visible_to(manager_a).count() == 1
    assert not MerchantEvent.objects.visible_to(manager_b).exists()
    assert MerchantAccount.objects.visible_to(manager_a).count() == 1
    assert not MerchantAccount.objects.visible_to(manager_b).exists()


def test_staff_of_another_community_cannot_list_or_search_the_merchant(client, manager_b,
                                                                       shop_a, shop_b):
    client.force_login(manager_b)

    listing = client.get(reverse("merchants:index")).content.decode()
    search = client.get(reverse("merchants:index"), {"q": "老王"}).content.decode()

    assert "翠湖超市" in listing
    assert "老王面馆" not in listing and "老王面馆" not in search


@pytest.mark.parametrize("view", ["inspect", "approve", "suspend", "reinstate"])
def test_staff_of_another_community_cannot_reach_the_merchant_by_guessed_id(
        client, manager_b, shop_a, view):
    client.force_login(manager_b)

    response = client.get(reverse(f"merchants:{view}", args=[shop_a.pk]))
    posted = client.post(reverse(f"merchants:{view}", args=[shop_a.pk]), {"reason": "试探"})

    assert response.status_code == 404 and posted.status_code == 404
    assert MerchantPage.objects.get(pk=shop_a.pk).status == MerchantPage.Status.APPROVED


@pytest.mark.parametrize("view", ["edit", "delete", "unpublish", "history"])
def test_staff_of_another_community_cannot_open_the_merchants_page_in_the_editor(
        client, manager_b, shop_a, view):
    client.force_login(manager_b)

    response = client.get(reverse(f"wagtailadmin_pages:{view}", args=[shop_a.pk]))

    assert response.status_code in (302, 403)
    assert not shop_a.permissions_for_user(manager_b).can_edit()


def test_manager_suspends_and_reinstates_through_the_admin(client, manager_a, shop_a):
    client.force_login(manager_a)

    refused = client.post(reverse("merchants:suspend", args=[shop_a.pk]), {"reason": ""})
    assert refused.status_code == 200  # the reason is required: nothing changed
    assert MerchantPage.objects.get(pk=shop_a.pk).status == MerchantPage.Status.APPROVED

    client.post(reverse("merchants:suspend", args=[shop_a.pk]), {"reason": "食品安全投诉"})
    assert MerchantPage.objects.get(pk=shop_a.pk).status == MerchantPage.Status.SUSPENDED
    client.post(reverse("merchants:reinstate", args=[shop_a.pk]), {"reason": ""})
    assert MerchantPage.objects.get(pk=shop_a.pk).status == MerchantPage.Status.APPROVED
    assert list(shop_a.events.values_list("action", "actor")) == [
        ("approved", manager_a.pk), ("suspended", manager_a.pk), ("reinstated", manager_a.pk)]


def test_merchant_cannot_approve_or_suspend_itself(client, merchant_a, shop_a):
    client.force_login(merchant_a)

    response = client.post(reverse("merchants:suspend", args=[shop_a.pk]), {"reason": "x"})

    assert response.status_code in (302, 403)
    assert MerchantPage.objects.get(pk=shop_a.pk).status == MerchantPage.Status.APPROVED


def test_manager_inspects_a_merchant_with_its_history_and_actions(client, manager_a, shop_a,
                                                                  merchant_a):
    client.force_login(manager_a)

    response = client.get(reverse("merchants:inspect", args=[shop_a.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert str(MerchantPage.Status.APPROVED.label) in body and "shop-a" in body
    assert reverse("merchants:suspend", args=[shop_a.pk]) in body
    assert reverse("merchants:approve", args=[shop_a.pk]) not in body
