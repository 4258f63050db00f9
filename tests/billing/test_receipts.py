"""Receipts: one per settled payment, numbered per company without gaps, a PDF with the
company, each line and the total in Chinese capitals; the owner downloads their own."""

from decimal import Decimal

import pytest
from django.urls import reverse

from portal.payments.models import PaymentOrder
from services.billing import parking_cards, paying
from services.billing.parking_cards import ParkingCard
from services.billing.receipts import Receipt
from tests import factories as f

from .factories import ParkingSpaceFactory

pytestmark = pytest.mark.django_db


def paid(order):
    order.settle(transaction_id=None, amount=order.amount, paid_at=None,
                 channel=PaymentOrder.Channel.SANDBOX)
    return Receipt.objects.get(order=order)


def test_receipts_are_numbered_per_company_without_gaps(billed, house_a, house_a2, resident,
                                                        neighbour):
    first = paid(paying.pay_bills(resident, billed[house_a][:1], idempotency_key="1"))
    second = paid(paying.pay_bills(neighbour, billed[house_a2][:1], idempotency_key="2"))

    assert (first.sequence, second.sequence) == (1, 2)
    assert first.number.startswith("SJ") and first.number.endswith("-000001")
    assert second.number.endswith("-000002")


def test_the_receipt_says_its_number_the_company_and_each_line(billed, house_a, resident):
    bills = billed[house_a][:1]
    receipt = paid(paying.pay_bills(resident, bills, idempotency_key="1"))

    document = receipt.document()

    rows = dict(document.rows)
    assert receipt.number in rows.values()
    assert document.subtitle == receipt.company.name
    assert any(receipt.company.name in note for note in document.notes)
    table = document.tables[0]
    period = f"{bills[0].period_start:%Y-%m}"
    assert [row[0] for row in table.body] == [f"{house_a} {period} {line.description}"
                                              for line in bills[0].lines.all()]
    assert table.footer[0][1] == f"{receipt.total:.2f}"
    assert receipt.render_pdf().startswith(b"%PDF-")


def test_the_receipt_pdf_downloads_for_its_payer_only(client, billed, house_a, resident,
                                                     neighbour):
    receipt = paid(paying.pay_bills(resident, billed[house_a], idempotency_key="1"))
    url = reverse("my_bills:receipt", args=[receipt.number])
    client.force_login(resident)

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"{receipt.number}.pdf" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF-")
    assert [line["amount"] for line in receipt.lines] == ["179.00", "12.00", "179.00",
                                                          "12.00"]
    client.force_login(neighbour)
    assert client.get(url).status_code == 404


def test_the_history_lists_my_payments_with_their_receipts(client, billed, house_a,
                                                          resident):
    receipt = paid(paying.pay_bills(resident, billed[house_a], idempotency_key="1"))
    client.force_login(resident)

    page = client.get(reverse("my_bills:history")).content.decode()

    assert receipt.number in page
    assert reverse("my_bills:receipt", args=[receipt.number]) in page


def test_a_parking_card_top_up_credits_the_card_once(client, house_a, resident):
    space = ParkingSpaceFactory(community=house_a.community, house=house_a)
    client.force_login(resident)

    response = client.post(reverse("my_bills:parking"), {"space": space.pk, "amount": "200",
                                                         "key": "p"})
    order = PaymentOrder.objects.get()
    assert response.url == order.cashier_url
    paid(order)
    paid(order)

    card = ParkingCard.objects.get(space=space)
    assert card.balance == Decimal("200.00")
    assert Receipt.objects.get(order=order).total == Decimal("200.00")


def test_a_top_up_of_another_houses_space_or_a_free_amount_is_refused(client, house_a,
                                                                     house_a2, resident):
    other = ParkingSpaceFactory(community=house_a.community, house=house_a2)
    mine = ParkingSpaceFactory(community=house_a.community, house=house_a)
    client.force_login(resident)

    assert client.post(reverse("my_bills:parking"), {"space": other.pk, "amount": "200"}
                       ).status_code == 400
    assert client.post(reverse("my_bills:parking"), {"space": mine.pk, "amount": "150"}
                       ).status_code == 400
    assert not PaymentOrder.objects.exists()


def test_months_of_parking_move_the_paid_until_date(house_a, resident):
    space = ParkingSpaceFactory(community=house_a.community, house=house_a,
                                monthly_fee=Decimal("150.00"))

    order = parking_cards.top_up(resident, space, months=3, idempotency_key="m")
    paid(order)

    card = ParkingCard.objects.get(space=space)
    assert order.amount == Decimal("450.00")
    assert card.paid_until is not None and card.balance == Decimal("0.00")


def test_staff_of_another_community_reach_no_receipt(billed, house_a, resident, manager_b,
                                                    leadership):
    paid(paying.pay_bills(resident, billed[house_a], idempotency_key="1"))

    assert not Receipt.objects.visible_to(manager_b).exists()
    assert Receipt.objects.visible_to(leadership).count() == 1
    assert f is not None
