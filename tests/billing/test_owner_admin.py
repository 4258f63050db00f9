"""The owner-payment admin: finance publishes funds statements and downloads receipts;
staff of another community reach none of these rows by list, search, export, detail,
guessed id or PDF."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from portal.payments.models import PaymentOrder
from services.billing import advance, paying
from services.billing.funds import FundKind, FundLine, FundStatement
from services.billing.parking_cards import ParkingCard
from services.billing.receipts import Receipt

from .factories import ParkingSpaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(billed, house_a, resident, finance_a):
    order = paying.pay_bills(resident, billed[house_a], idempotency_key="1")
    order.settle(transaction_id=None, amount=order.amount, paid_at=None,
                 channel=PaymentOrder.Channel.SANDBOX)
    settle = advance.prepay(resident, house_a, amount="50", idempotency_key="2")
    settle.settle(transaction_id=None, amount=settle.amount, paid_at=None,
                  channel=PaymentOrder.Channel.SANDBOX)
    ParkingCard.objects.create(space=ParkingSpaceFactory(community=house_a.community,
                                                         house=house_a, number="P777"),
                               house=house_a, community=house_a.community)
    statement = FundStatement.objects.create(
        community=house_a.community, kind=FundKind.MAJOR_REPAIR,
        period_start=date(2026, 1, 1), period_end=date(2026, 3, 31), note="一季度")
    FundLine.objects.create(statement=statement, direction="income", description="利息",
                            amount=Decimal("12.30"))
    return {"receipts": Receipt.objects.get(order=order),
            "advance_accounts": advance.AdvanceAccount.objects.get(house=house_a),
            "parking_cards": ParkingCard.objects.get(), "fund_statements": statement}


SEARCH = {"receipts": lambda row: row.number, "advance_accounts": lambda row: "101",
          "parking_cards": lambda row: "P777", "fund_statements": lambda row: "一季度"}


@pytest.mark.parametrize("name", list(SEARCH))
def test_finance_of_the_community_reaches_every_row(client, rows, finance_a, name):
    row = rows[name]
    client.force_login(finance_a)

    assert row in client.get(reverse(f"{name}:index")).context["object_list"]
    assert client.get(reverse(f"{name}:inspect", args=[row.pk])).status_code == 200
    search = client.get(reverse(f"{name}:index"), {"q": SEARCH[name](row)})
    assert list(search.context["object_list"]) == [row]
    export = client.get(reverse(f"{name}:index"), {"export": "csv"})
    visible = type(row).objects.visible_to(finance_a).count()
    assert export.status_code == 200
    assert len(export.getvalue().decode().splitlines()) == 1 + visible


@pytest.mark.parametrize("name", list(SEARCH))
def test_finance_of_another_community_reaches_none(client, rows, finance_b, name):
    row = rows[name]
    client.force_login(finance_b)

    assert list(client.get(reverse(f"{name}:index")).context["object_list"]) == []
    assert list(client.get(reverse(f"{name}:index"), {"q": SEARCH[name](row)}
                           ).context["object_list"]) == []
    export = client.get(reverse(f"{name}:index"), {"export": "csv"})
    assert len(export.getvalue().decode().splitlines()) == 1
    assert client.get(reverse(f"{name}:inspect", args=[row.pk])).status_code == 404


def test_finance_downloads_a_receipt_pdf_and_others_do_not(client, rows, finance_a,
                                                           finance_b):
    receipt = rows["receipts"]
    url = reverse("receipts:pdf", args=[receipt.pk])
    client.force_login(finance_a)
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    client.force_login(finance_b)
    assert client.get(url).status_code == 404


def test_finance_publishes_a_statement_once_and_residents_then_see_it(
        client, rows, finance_a, finance_b, resident):
    statement = rows["fund_statements"]
    client.force_login(finance_b)
    assert client.post(reverse("fund_statements:publish", args=[statement.pk])
                       ).status_code == 404
    client.force_login(finance_a)

    client.post(reverse("fund_statements:publish", args=[statement.pk]))

    statement.refresh_from_db()
    assert statement.published and statement.published_by == finance_a
    client.force_login(resident)
    assert "利息" in client.get(reverse("my_bills:fund", args=[statement.pk])
                              ).content.decode()


def test_receipts_cannot_be_edited(client, rows, finance_a):
    client.force_login(finance_a)
    receipt = rows["receipts"]
    assert client.get(reverse("receipts:edit", args=[receipt.pk])).status_code in (302, 403)


def test_finance_writes_a_statement_with_its_lines(client, finance_a, community_a,
                                                   community_b):
    client.force_login(finance_a)
    form = client.get(reverse("fund_statements:add"))
    assert form.status_code == 200
    assert list(form.context["form"].fields["community"].queryset) == [community_a]

    client.post(reverse("fund_statements:add"), {
        "community": community_a.pk, "kind": "public_income", "period_start": "2026-07-01",
        "period_end": "2026-09-30", "opening_balance": "0", "note": "",
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "1000", "lines-0-direction": "income",
        "lines-0-description": "停车收益", "lines-0-amount": "880.00", "lines-0-date": "",
        "lines-0-ORDER": "1", "lines-0-id": "", "lines-0-DELETE": ""})

    statement = FundStatement.objects.get(community=community_a)
    assert statement.income == Decimal("880.00") and not statement.published


def test_link_rows_are_scoped_too(rows, finance_a, finance_b, resident, neighbour):
    from services.billing.advance import AdvanceEntry, AdvancePrepayment
    from services.billing.paying import BillPayment

    for model in (BillPayment, AdvanceEntry, AdvancePrepayment, Receipt):
        assert model.objects.visible_to(finance_a).exists(), model
        assert model.objects.visible_to(resident).exists(), model
        assert not model.objects.visible_to(finance_b).exists(), model
        assert not model.objects.visible_to(neighbour).exists(), model
