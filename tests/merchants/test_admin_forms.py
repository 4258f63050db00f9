"""Staff add merchants in the page editor: the required attributes say what is missing and
nothing is saved; merchant accounts are created by staff with an encrypted phone."""

import pytest
from django.urls import reverse
from django.utils.translation import gettext

from merchants.models import MerchantAccount, MerchantPage
from portal.accounts.models import User
from portal.crypto import blind_index
from tests.merchants import factories as mf


def _add_url(index):
    return reverse("wagtailadmin_pages:add", args=["merchants", "merchantpage", index.pk])


@pytest.mark.parametrize("field", ["title", "contact_name", "address", "tags", "communities"])
def test_required_attribute_missing_is_refused_with_a_message(client, manager_a, index_a,
                                                               field):
    client.force_login(manager_a)
    data = mf.page_form(action="action-publish", tags=[mf.tag().pk],
                        communities=[index_a.community.pk])
    data.pop(field, None)
    if field in data:
        data[field] = ""

    response = client.post(_add_url(index_a), data)

    assert response.status_code == 200
    assert not MerchantPage.objects.exists()
    errors = response.context["form"].errors
    assert errors[field] == [gettext("This field is required.")]
    assert "王师傅" in response.content.decode() or field == "contact_name"  # input kept


def test_manager_adds_a_merchant_that_awaits_approval(client, manager_a, index_a):
    client.force_login(manager_a)

    client.post(_add_url(index_a), mf.page_form(action="action-publish", tags=[mf.tag().pk],
                                                communities=[index_a.community.pk]))

    shop = MerchantPage.objects.get()
    assert shop.live and shop.status == MerchantPage.Status.PENDING
    assert not shop.accepts_orders


def test_names_may_repeat(index_a, manager_a):
    mf.merchant(index_a, title="便利店", slug="shop-1")
    mf.merchant(index_a, title="便利店", slug="shop-2")

    assert MerchantPage.objects.filter(title="便利店").count() == 2


def test_manager_creates_a_merchant_account_with_an_encrypted_phone(client, manager_a, shop_a):
    client.force_login(manager_a)

    response = client.post(reverse("merchant_accounts:add"), {
        "merchant": shop_a.pk, "name": "王小二", "phone": "139 2222 3333",
        "username": "wang-shop", "password": "x-Secret-42"})

    assert response.status_code == 302
    account = MerchantAccount.objects.get()
    assert account.merchant.pk == shop_a.pk
    assert User.objects.get(username="wang-shop").phone_index == blind_index("13922223333")
    assert MerchantPage.objects.managed_by(account.user).get().pk == shop_a.pk
    assert shop_a.permissions_for_user(account.user).can_edit()


def test_manager_of_another_community_cannot_create_an_account_for_the_merchant(
        client, manager_b, shop_a):
    client.force_login(manager_b)

    response = client.post(reverse("merchant_accounts:add"), {
        "merchant": shop_a.pk, "name": "冒充", "phone": "", "username": "fake",
        "password": "x-Secret-42"})

    assert response.status_code == 200
    assert "merchant" in response.context["form"].errors
    assert not MerchantAccount.objects.exists()


def test_removed_account_loses_the_page_at_once(client, manager_a, merchant_a, shop_a):
    account = merchant_a.merchant_account
    client.force_login(manager_a)

    client.post(reverse("merchant_accounts:remove", args=[account.pk]), {"reason": ""})

    merchant_a.refresh_from_db()
    assert not merchant_a.is_active and not merchant_a.groups.exists()
    assert not MerchantAccount.objects.exists()


def test_repeated_name_gets_a_free_address_instead_of_an_error(client, manager_a, index_a,
                                                               shop_a):
    client.force_login(manager_a)

    client.post(_add_url(index_a), mf.page_form(
        action="action-publish", slug=shop_a.slug, tags=[mf.tag().pk],
        communities=[index_a.community.pk]))

    assert sorted(MerchantPage.objects.values_list("slug", flat=True)) == [
        shop_a.slug, f"{shop_a.slug}-2"]


def test_merchant_cannot_change_where_it_is_listed(client, merchant_a, shop_a, community_b):
    client.force_login(merchant_a)

    client.post(reverse("wagtailadmin_pages:edit", args=[shop_a.pk]), mf.page_form(
        slug=shop_a.slug, tags=[shop_a.tags.first().pk], communities=[community_b.pk]))

    latest = MerchantPage.objects.get(pk=shop_a.pk).get_latest_revision_as_object()
    assert list(latest.communities.all()) == [shop_a.communities.get()]


def test_staff_edit_keeps_the_communities_they_do_not_serve(client, manager_a, index_a,
                                                            community_a, community_b):
    shop = mf.merchant(index_a, title="两边都送", communities=[community_a, community_b])
    client.force_login(manager_a)

    client.post(reverse("wagtailadmin_pages:edit", args=[shop.pk]), mf.page_form(
        action="action-publish", title="两边都送", slug=shop.slug,
        tags=[shop.tags.first().pk], communities=[community_a.pk]))

    assert set(MerchantPage.objects.get(pk=shop.pk).communities.all()) == {community_a,
                                                                           community_b}
