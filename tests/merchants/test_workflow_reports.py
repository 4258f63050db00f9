"""Wagtail's workflow reports ("Workflows", "Workflow tasks") name only what the user may
see: a merchant page in review is listed for its community's staff, not for another
community's manager, who is not offered its requester in the filter either."""

import pytest
from django.urls import reverse

from merchants.models import MerchantPage

REPORTS = ["workflow", "workflow_tasks"]


@pytest.fixture
def in_review(merchant_a, shop_a):
    page = MerchantPage.objects.get(pk=shop_a.pk)
    page.opening_hours = "08:00-22:00"
    page.save_revision(user=merchant_a)
    page.get_workflow().start(page, merchant_a)
    return page


def report(client, user, name):
    client.force_login(user)
    response = client.get(reverse(f"wagtailadmin_reports:{name}"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("name", REPORTS)
def test_the_community_s_manager_finds_the_page_in_review(client, manager_a, in_review, name):
    assert in_review.title in report(client, manager_a, name)


@pytest.mark.parametrize("name", REPORTS)
def test_another_community_s_manager_does_not(client, manager_b, in_review, shop_b, name):
    assert in_review.title not in report(client, manager_b, name)


def test_the_requester_filter_names_only_requesters_of_what_i_see(client, manager_a,
                                                                  manager_b, merchant_a,
                                                                  in_review):
    option = f'<option value="{merchant_a.pk}">{merchant_a}</option>'
    assert option in report(client, manager_a, "workflow")
    assert option not in report(client, manager_b, "workflow")
