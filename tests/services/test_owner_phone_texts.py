"""What an owner reads on a phone: the rating button in Chinese says "submit my rating"
(not the admin's "read rate" that shares its English word), and phone numbers and dates
do not break across lines."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, pgettext

from tests.services.factories import submit
from tests.services.owner_helpers import service_pages


@pytest.fixture
def chinese(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    with translation.override("zh-hans"):
        yield


@pytest.mark.usefixtures("chinese")
def test_the_rating_button_is_not_the_admins_read_rate(client, resident, house_a, service_a,
                                                       worker_a):
    ticket = submit(resident, house=house_a)
    ticket.dispatch(worker_a.staff, by=service_a)
    ticket.complete(by=worker_a)
    client.force_login(resident)

    page = client.get(reverse("services:ticket_detail", args=[ticket.pk])).content.decode()

    label = pgettext("ticket rating button", "Rate")
    assert label != "Rate" and label != gettext("Rate")
    assert f">{label}</button>" in page
    assert gettext("Rate") not in page


def test_dates_on_my_tickets_and_the_desk_number_stay_on_one_line(client, resident, house_a,
                                                                  community_a):
    ticket = submit(resident, house=house_a)
    community_a.service_phone = "0571-8888 6666"
    community_a.save()
    _repair, phone_page, _complaint = service_pages(community_a)
    client.force_login(resident)

    listing = client.get(reverse("services:ticket_list")).content.decode()
    phone = client.get(phone_page.url).content.decode()

    nowrap = '<span style="white-space:nowrap">{}</span>'
    assert nowrap.format(ticket.reference) in listing
    assert nowrap.format("0571-8888 6666") in phone
    assert 'href="tel:0571-88886666"' in phone
