"""The owner's bill page stays cheap: its queries do not grow with the bills."""

import pytest
from django.urls import reverse

from .owner_setup import bills_for

pytestmark = pytest.mark.django_db


def test_the_bill_list_makes_the_same_queries_for_two_or_ten_bills(
        client, billed, house_a, resident, django_assert_max_num_queries):
    client.force_login(resident)
    client.get(reverse("my_bills:list"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as two:
        client.get(reverse("my_bills:list"))
    bills_for(house_a.community, *[f"2024-{month:02d}" for month in range(1, 9)])

    with django_assert_max_num_queries(len(two)):
        response = client.get(reverse("my_bills:list"))
    assert len(response.context["due"]) == 9
    assert len(two) <= 12
