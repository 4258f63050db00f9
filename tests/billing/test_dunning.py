"""Dunning notices: finance picks houses on the arrears list and sends each a notice (an
inbox message to its occupants and a PDF letter), recorded with the bills it named;
the same request sent twice writes each notice once; clear messages for nothing chosen
and for a house owing nothing; letters one by one or as one PDF; scoped."""

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from portal.notifications.models import InboxMessage
from services.billing.arrears import DunningNotice, NothingOwed, letters_pdf
from services.billing.models import State
from services.billing.reminders import BillReminder

from .test_reminders import make_bill

pytestmark = pytest.mark.django_db


def days_ago(days):
    return timezone.localdate() - timedelta(days=days)


@pytest.fixture
def owing(house_a, resident):
    make_bill(house_a, "2026-08", due=days_ago(70), amount="100.00")
    make_bill(house_a, "2026-09", due=days_ago(40), amount="250.00", paid="50.00",
              state=State.PARTLY_PAID)
    return house_a


def send(client, houses, key="k1"):
    return client.post(reverse("billing_arrears:dun"),
                       {"house": [h.pk for h in houses], "request_key": key})


def pages(content):
    return len(re.findall(rb"/Type /Page\b(?!s)", content))


def texts(response):
    return [str(m).strip() for m in get_messages(response.wsgi_request)]


def test_a_notice_tells_the_owner_and_is_recorded(client, owing, resident, finance_a):
    client.force_login(finance_a)
    response = send(client, [owing])

    notice = DunningNotice.objects.get()
    assert response.status_code == 302 and f"batch={notice.request_key}" in response.url
    assert (notice.amount_owed, notice.bill_count, notice.oldest_due) == (300, 2, days_ago(70))
    assert notice.sent_by == finance_a and notice.recipients == 1
    assert [b["owed"] for b in notice.bills] == ["100.00", "200.00"]
    message = InboxMessage.objects.get(recipient=resident)
    assert message.event == "billing.dunning" and "300.00" in message.body
    assert BillReminder.objects.filter(kind="dunning", dunning=notice).count() == 2


def test_the_same_request_twice_sends_once_a_new_one_again(client, owing, finance_a):
    client.force_login(finance_a)
    send(client, [owing])
    send(client, [owing])
    assert DunningNotice.objects.count() == 1
    assert InboxMessage.objects.count() == 1
    send(client, [owing], key="k2")  # a later notice is a new one
    assert DunningNotice.objects.count() == 2


def test_nothing_chosen_or_nothing_owed_is_explained(client, owing, house_a2, finance_a):
    client.force_login(finance_a)
    response = send(client, [])
    assert gettext("Choose at least one house to send a notice to.") in texts(response)
    response = send(client, [house_a2])
    assert any(house_a2.label in text for text in texts(response))
    assert not DunningNotice.objects.exists()
    with pytest.raises(NothingOwed):
        DunningNotice.send(house_a2, by=finance_a, request_key="x")
    response = send(client, [owing, house_a2], key="k3")
    assert DunningNotice.objects.filter(house=owing).count() == 1


def test_letters_one_by_one_and_together(client, owing, house_a2, finance_a):
    make_bill(house_a2, due=days_ago(5), amount="60.00")
    client.force_login(finance_a)
    send(client, [owing, house_a2])
    notices = list(DunningNotice.objects.all())
    letter = client.get(reverse("billing_arrears:letter", args=[notices[0].pk]))
    assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"
    assert letter.content.startswith(b"%PDF")
    combined = client.get(reverse("billing_arrears:letters"), {"batch": "k1"})
    assert combined.status_code == 200 and combined.content.startswith(b"%PDF")
    assert pages(combined.content) == 2 and pages(letter.content) == 1
    listing = client.get(reverse("billing_arrears:notices"), {"batch": "k1"})
    assert all(n.number in listing.content.decode() for n in notices)
    response = client.get(reverse("billing_arrears:letters"))
    assert gettext("Choose the notices to print.") in texts(response)


def test_a_letter_is_a_pdf_with_the_bills(owing, finance_a):
    notice, created = DunningNotice.send(owing, by=finance_a, request_key="k")
    assert created
    assert letters_pdf([notice]).startswith(b"%PDF")


def test_staff_of_another_community_reach_nothing(client, owing, finance_a, finance_b):
    client.force_login(finance_a)
    send(client, [owing])
    notice = DunningNotice.objects.get()
    client.force_login(finance_b)
    assert send(client, [owing], key="other").status_code in (302, 403)  # guessed house id
    assert DunningNotice.objects.count() == 1
    assert client.get(reverse("billing_arrears:letter", args=[notice.pk])).status_code == 404
    combined = client.get(reverse("billing_arrears:letters"), {"batch": "k1"})
    assert combined.status_code == 302
    assert client.get(reverse("billing_arrears:letters"),
                      {"notice": notice.pk}).status_code == 302
    page = client.get(reverse("billing_arrears:notices")).content.decode()
    assert notice.number not in page
    assert not DunningNotice.objects.visible_to(finance_b).exists()


def test_only_finance_sends_notices(client, owing, manager_a, records_a):
    for user in (manager_a, records_a):
        client.force_login(user)
        assert send(client, [owing]).status_code in (302, 403)
    assert not DunningNotice.objects.exists()


def test_the_arrears_page_offers_the_send_button_to_finance(client, owing, finance_a):
    client.force_login(finance_a)
    page = client.get(reverse("billing_arrears:index")).content.decode()
    assert gettext("Send dunning notice to the chosen houses") in page
    assert f'value="{owing.pk}"' in page


@pytest.mark.parametrize("back", ["https://evil.example/", "//evil.example/",
                                  "/\\evil.example/", "javascript:alert(1)"])
def test_a_refused_send_never_goes_back_to_another_site(client, owing, finance_a, back):
    client.force_login(finance_a)
    response = client.post(reverse("billing_arrears:dun"), {"request_key": "k9", "next": back})

    assert response.status_code == 302
    assert response["Location"] == reverse("billing_arrears:index")


def test_a_refused_send_goes_back_to_the_filtered_list(client, owing, finance_a):
    client.force_login(finance_a)
    back = reverse("billing_arrears:index") + "?min_amount=100"
    response = client.post(reverse("billing_arrears:dun"), {"request_key": "k9", "next": back})

    assert response["Location"] == back
