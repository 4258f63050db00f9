"""Wagtail emails the approvers when a merchant's change waits for review: the managers
of the communities the merchant serves, not those of another community, who belong to
the same approving group."""

import pytest
from django.core import mail

from merchants.models import MerchantPage


@pytest.fixture
def with_emails(manager_a, manager_b):
    for user, address in ((manager_a, "a@example.com"), (manager_b, "b@example.com")):
        user.email = address
        user.save(update_fields=["email"])


def test_only_the_merchant_s_community_hears_of_its_change(merchant_a, shop_a, shop_b,
                                                            with_emails):
    page = MerchantPage.objects.get(pk=shop_a.pk)
    page.opening_hours = "08:00-22:00"
    page.save_revision(user=merchant_a)
    mail.outbox.clear()

    page.get_workflow().start(page, merchant_a)

    recipients = {address for message in mail.outbox for address in message.to}
    assert "a@example.com" in recipients
    assert "b@example.com" not in recipients
