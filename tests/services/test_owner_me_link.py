"""The owner's "me" page leads to my tickets, with how many are still open, and to my
bills and payments."""

import re

from django.urls import reverse

from tests.services.factories import submit

ME = reverse("estates:me")


def badge(page):
    found = re.search(r'id="my-open-tickets"[^>]*>(\d+)<', page)
    return found and int(found.group(1))


def test_me_links_to_my_tickets_with_the_open_count(client, resident, house_a, neighbour,
                                                    house_a2):
    submit(resident, house=house_a)
    submit(resident, house=house_a, description="门锁坏了")
    submit(resident, house=house_a, description="灯不亮").cancel(by=resident)
    submit(neighbour, house=house_a2)  # someone else's
    client.force_login(resident)

    page = client.get(ME).content.decode()

    assert f'href="{reverse("services:ticket_list")}"' in page
    assert badge(page) == 2


def test_me_links_to_my_bills_and_payment_history(client, resident):
    client.force_login(resident)
    page = client.get(ME).content.decode()
    assert f'href="{reverse("my_bills:list")}"' in page
    assert f'href="{reverse("my_bills:history")}"' in page


def test_no_badge_when_nothing_is_open(client, resident):
    client.force_login(resident)
    page = client.get(ME).content.decode()
    assert 'id="my-tickets-link"' in page
    assert badge(page) is None


def test_the_count_is_one_query(client, resident, house_a, django_assert_max_num_queries):
    for n in range(3):
        submit(resident, house=house_a, description=f"漏水 {n}")
    client.force_login(resident)
    client.get(ME)  # warm up sessions and caches
    with django_assert_max_num_queries(20) as counted:
        client.get(ME)
    before = len(counted.captured_queries)
    for n in range(3):
        submit(resident, house=house_a, description=f"又漏水 {n}")
    with django_assert_max_num_queries(before) as counted:
        client.get(ME)
    assert sum("services_ticket" in q["sql"] for q in counted.captured_queries) == 1
