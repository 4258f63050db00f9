"""Products go live through the merchant review (商家审核), as the merchant's page does:
a merchant's change of name, description, picture or price is a draft it submits; the
row owners see and checkout reads keeps the published values until community staff
approve; a new product reaches owners only once approved. Stock and on/off change at
once, and a publish never puts back stock an order took meanwhile. Another merchant, or
staff of another community, can neither see nor act on the product by any URL."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from merchants.models import MerchantApprovalTask
from merchants.shop.models import Product
from portal.estates.errors import TransitionNotAllowed

from . import factories as sf

pytestmark = pytest.mark.django_db


def _form(product, **fields):
    return {"merchant": product.merchant_id, "name": product.name,
            "description": product.description, "price": str(product.price),
            "sort_order": str(product.sort_order), **fields}


def _live(product):
    return Product.objects.get(pk=product.pk)


def _submit(client, seller, product, **fields):
    client.force_login(seller)
    return client.post(reverse("shop_products:edit", args=[product.pk]),
                       {**_form(product, **fields), "action-submit": "1"})


def _decide(client, user, product, action="approve"):
    state = _live(product).current_workflow_task_state
    client.force_login(user)
    return client.post(reverse("shop_products:workflow_action",
                               args=[product.pk, action, state.pk]), {"comment": ""})


def test_a_price_change_waits_for_approval_and_checkout_keeps_the_live_price(
        client, noodles, seller_a, manager_a, resident):
    assert _submit(client, seller_a, noodles, price="25.00").status_code == 302

    assert _live(noodles).price == Decimal("18.00")
    assert _live(noodles).workflow_in_progress
    assert sf.order(resident, noodles).total == Decimal("18.00")

    _decide(client, manager_a, noodles)

    assert _live(noodles).price == Decimal("25.00")
    assert not _live(noodles).workflow_in_progress
    assert sf.order(resident, noodles).total == Decimal("25.00")


def test_a_new_product_reaches_owners_only_once_approved(client, shop_a, seller_a, manager_a,
                                                         resident):
    client.force_login(seller_a)
    client.post(reverse("shop_products:add"),
                {"merchant": shop_a.pk, "name": "酸辣粉", "description": "", "price": "12.00",
                 "sort_order": "0", "action-submit": "1"})
    new = Product.objects.get(name="酸辣粉")
    Product.objects.filter(pk=new.pk).update(stock=5)

    assert not new.live
    assert not Product.objects.visible_to(resident).filter(pk=new.pk).exists()
    with pytest.raises(ValidationError):
        sf.order(resident, new)

    _decide(client, manager_a, new)

    assert Product.objects.visible_to(resident).filter(pk=new.pk).exists()
    assert sf.order(resident, new).total == Decimal("12.00")


def test_the_merchant_cannot_publish_or_approve_its_own_change(client, noodles, seller_a):
    client.force_login(seller_a)
    client.post(reverse("shop_products:edit", args=[noodles.pk]),
                {**_form(noodles, price="1.00"), "action-publish": "1"})
    assert _live(noodles).price == Decimal("18.00")

    _submit(client, seller_a, noodles, price="1.00")
    _decide(client, seller_a, noodles)

    assert _live(noodles).price == Decimal("18.00")
    assert _live(noodles).workflow_in_progress


@pytest.mark.parametrize("who", ["seller_b", "manager_b"])
def test_another_merchant_or_community_cannot_reach_the_product(client, request, noodles,
                                                               seller_a, who):
    _submit(Client(), seller_a, noodles, price="25.00")
    state = _live(noodles).current_workflow_task_state
    client.force_login(request.getfixturevalue(who))

    for name in ("edit", "history", "stock"):
        assert client.get(reverse(f"shop_products:{name}", args=[noodles.pk])).status_code \
            == 404
    response = client.post(reverse("shop_products:workflow_action",
                                   args=[noodles.pk, "approve", state.pk]), {"comment": ""})
    assert response.status_code == 404
    assert "牛肉面" not in client.get(reverse("shop_products:list")).content.decode()
    assert _live(noodles).price == Decimal("18.00")


def test_products_are_not_counted_in_wagtails_snippets_index(client, noodles, merchant_b):
    client.force_login(merchant_b)

    response = client.get(reverse("wagtailsnippets:index"))

    assert reverse("shop_products:list") not in response.content.decode().split("<main")[-1]


def test_stock_and_on_off_change_at_once_and_a_publish_keeps_them(client, noodles, seller_a,
                                                                  manager_a, resident):
    _submit(client, seller_a, noodles, price="25.00")
    sf.order(resident, noodles, 2)  # stock 10 → 8, while the change waits

    client.post(reverse("shop_products:stock", args=[noodles.pk]),
                {"stock": "6", "seen_stock": "8"})

    assert (_live(noodles).stock, _live(noodles).active) == (6, False)
    _decide(client, manager_a, noodles)
    live = _live(noodles)
    assert (live.price, live.stock, live.active) == (Decimal("25.00"), 6, False)


def test_only_community_staff_are_asked_to_review_the_product(client, noodles, seller_a,
                                                              manager_a, manager_b):
    _submit(client, seller_a, noodles, price="25.00")
    state = _live(noodles).current_workflow_task_state
    task = MerchantApprovalTask.objects.get()

    assert state in task.get_task_states_user_can_moderate(manager_a)
    assert state not in task.get_task_states_user_can_moderate(manager_b)


def test_staff_cannot_change_a_merchants_stock(noodles, manager_a):
    with pytest.raises(TransitionNotAllowed):
        noodles.set_stock(0, by=manager_a)
    with pytest.raises(TransitionNotAllowed):
        noodles.switch(False, by=manager_a)
    assert (_live(noodles).stock, _live(noodles).active) == (10, True)


def test_the_merchant_sees_its_editor_submit_button_and_stock_page(client, noodles, seller_a):
    client.force_login(seller_a)

    editor = client.get(reverse("shop_products:edit", args=[noodles.pk])).content.decode()
    assert 'name="action-submit"' in editor and 'name="action-publish"' not in editor
    stock = client.get(reverse("shop_products:stock", args=[noodles.pk]))
    assert stock.status_code == 200 and 'id="stock-form"' in stock.content.decode()
    listing = client.get(reverse("shop_products:list")).content.decode()
    assert reverse("shop_products:stock", args=[noodles.pk]) in listing


@pytest.mark.parametrize("report", ["workflow", "workflow_tasks"])
def test_another_merchant_does_not_find_the_product_in_the_workflow_reports(
        client, noodles, seller_a, merchant_b, report):
    _submit(Client(), seller_a, noodles, price="25.00")
    client.force_login(merchant_b)

    response = client.get(reverse(f"wagtailadmin_reports:{report}"))

    assert "牛肉面" not in response.content.decode()


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_an_approver_cannot_act_on_another_community_s_product_through_their_own(
        client, noodles, groceries, seller_a, seller_b, manager_b, action):
    """Wagtail's action view takes the task state from the URL: the one of shop A's
    product, put in the address of manager B's own product under review."""
    _submit(Client(), seller_a, noodles, price="25.00")
    _submit(Client(), seller_b, groceries, price="99.00")
    foreign = _live(noodles).current_workflow_task_state
    client.force_login(manager_b)

    response = client.post(reverse("shop_products:workflow_action",
                                   args=[groceries.pk, action, foreign.pk]), {"comment": "x"})

    assert (response.status_code, response["Location"]) == (302, "/admin/")  # refused
    assert _live(noodles).price == Decimal("18.00")
    assert _live(noodles).current_workflow_task_state == foreign


def test_the_stock_page_never_puts_back_what_an_order_took(client, noodles, seller_a,
                                                           resident):
    """The page showed 10; an owner orders 2 while it is open."""
    client.force_login(seller_a)
    page = client.get(reverse("shop_products:stock", args=[noodles.pk])).content.decode()
    assert 'name="seen_stock" value="10"' in page
    sf.order(resident, noodles, 2)
    url = reverse("shop_products:stock", args=[noodles.pk])

    # Only switching it off: the stock is not written.
    client.post(url, {"stock": "10", "seen_stock": "10"})
    assert (_live(noodles).stock, _live(noodles).active) == (8, False)

    # A count typed over what the page showed is refused, with the stock as it is now.
    response = client.post(url, {"stock": "12", "seen_stock": "10", "active": "on"},
                           follow=True)
    assert _live(noodles).stock == 8
    refusals = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert len(refusals) == 1 and "8" in refusals[0]
