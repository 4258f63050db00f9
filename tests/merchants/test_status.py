"""A merchant's status changes only through approve / suspend / reinstate, each with
its event; owners may order only from an approved, live merchant."""

import pytest
from django.utils.translation import gettext

from merchants.models import MerchantEvent, MerchantPage
from portal.estates.errors import TransitionNotAllowed
from tests.merchants import factories as mf


def test_new_merchant_awaits_approval_and_takes_no_orders(index_a):
    shop = mf.merchant(index_a)
    assert shop.status == MerchantPage.Status.PENDING
    assert not shop.accepts_orders
    assert shop.refusal_reason() == gettext(
        "This merchant is not approved yet and takes no orders.")


def test_approve_writes_event_and_opens_orders(index_a, manager_a):
    shop = mf.merchant(index_a)
    shop.approve(by=manager_a)
    shop.refresh_from_db()
    assert shop.status == MerchantPage.Status.APPROVED
    assert shop.accepts_orders and shop.refusal_reason() is None
    event = MerchantEvent.objects.get(merchant=shop)
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "approved", "pending", "approved", manager_a)


def test_suspended_merchant_refuses_orders_with_clear_message(shop_a, manager_a):
    shop_a.suspend(by=manager_a, reason="卫生检查不合格")
    shop_a.refresh_from_db()
    assert not shop_a.accepts_orders
    assert shop_a.refusal_reason() == gettext("This merchant is suspended and takes no orders.")
    assert shop_a.events.last().reason == "卫生检查不合格"
    shop_a.reinstate(by=manager_a)
    shop_a.refresh_from_db()
    assert shop_a.accepts_orders
    assert list(shop_a.events.values_list("action", flat=True)) == [
        "approved", "suspended", "reinstated"]


def test_unpublished_merchant_takes_no_orders(shop_a):
    shop_a.unpublish()
    shop_a.refresh_from_db()
    assert shop_a.refusal_reason() == gettext(
        "This merchant is not published and takes no orders.")


def test_illegal_transitions_change_nothing(shop_a, manager_a):
    with pytest.raises(TransitionNotAllowed):
        shop_a.approve(by=manager_a)
    with pytest.raises(TransitionNotAllowed):
        shop_a.reinstate(by=manager_a)
    with pytest.raises(TransitionNotAllowed, match=gettext(
            "Give a reason for suspending the merchant.")):
        shop_a.suspend(by=manager_a, reason="  ")
    shop_a.refresh_from_db()
    assert shop_a.status == MerchantPage.Status.APPROVED
    assert shop_a.events.count() == 1


def test_publishing_an_old_revision_does_not_lift_a_suspension(shop_a, manager_a):
    old = shop_a.latest_revision
    shop_a.suspend(by=manager_a, reason="投诉核查中")
    old.publish()
    shop_a.refresh_from_db()
    assert shop_a.status == MerchantPage.Status.SUSPENDED
