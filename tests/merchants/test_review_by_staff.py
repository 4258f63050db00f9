"""The merchant review (商家审核) through the admin: a merchant's change waits for the
community's managers and editors, either of whom approves it from the edit page, and it
goes live; staff of another community are not asked and cannot approve."""

import pytest
from django.urls import reverse
from wagtail.models import Page

from merchants.models import MerchantPage
from portal.estates import roles
from tests import factories as f


@pytest.fixture
def editor_a(company, community_a):
    return f.StaffFactory(company=company, user__groups=[roles.EDITOR],
                          communities=[community_a]).user


@pytest.fixture
def submitted(client, merchant_a, shop_a):
    """The merchant changes its opening hours and submits them for review."""
    page = MerchantPage.objects.get(pk=shop_a.pk)
    page.opening_hours = "08:00-22:00"
    revision = page.save_revision(user=merchant_a)
    page.get_workflow().start(page, merchant_a)
    return revision


def _task_state(page):
    return Page.objects.get(pk=page.pk).specific.current_workflow_task_state


@pytest.mark.parametrize("persona", ["manager_a", "editor_a"])
def test_community_staff_approve_and_the_change_goes_live(client, request, shop_a, submitted,
                                                         persona):
    state = _task_state(shop_a)
    client.force_login(request.getfixturevalue(persona))

    response = client.post(reverse("wagtailadmin_pages:workflow_action",
                                   args=[shop_a.pk, "approve", state.pk]), {"comment": ""})

    assert response.status_code in (200, 302)
    live = MerchantPage.objects.get(pk=shop_a.pk)
    assert live.opening_hours == "08:00-22:00"
    assert not live.workflow_in_progress


def test_staff_of_another_community_cannot_approve(client, manager_b, shop_a, submitted):
    state = _task_state(shop_a)
    client.force_login(manager_b)

    client.post(reverse("wagtailadmin_pages:workflow_action",
                        args=[shop_a.pk, "approve", state.pk]), {"comment": ""})

    page = MerchantPage.objects.get(pk=shop_a.pk)
    assert page.opening_hours == "07:00-21:00"
    assert page.workflow_in_progress


def test_the_merchant_cannot_approve_its_own_change(client, merchant_a, shop_a, submitted):
    state = _task_state(shop_a)
    client.force_login(merchant_a)

    client.post(reverse("wagtailadmin_pages:workflow_action",
                        args=[shop_a.pk, "approve", state.pk]), {"comment": ""})

    assert MerchantPage.objects.get(pk=shop_a.pk).opening_hours == "07:00-21:00"
