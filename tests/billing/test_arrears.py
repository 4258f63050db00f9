"""The arrears list (催缴): overdue debt per house, largest first or oldest first,
filtered by community, building, least amount and least age; the owner's phone masked;
exported as .xlsx; staff of another community reach none of it."""

import io
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from services.billing.arrears import arrears, describe
from services.billing.models import Bill, State
from tests import factories as f

from .test_reminders import make_bill

pytestmark = pytest.mark.django_db


def days_ago(days):
    return timezone.localdate() - timedelta(days=days)


@pytest.fixture
def debts(house_a, house_a2, house_b):
    """house_a: 300 owed, oldest 40 days; house_a2: 500 owed, 10 days; house_b: 900."""
    make_bill(house_a, "2026-08", due=days_ago(40), amount="100.00")
    make_bill(house_a, "2026-09", due=days_ago(10), amount="250.00", paid="50.00",
              state=State.PARTLY_PAID)
    make_bill(house_a, "2026-10", due=days_ago(-5), amount="999.00")  # not due yet
    make_bill(house_a2, "2026-09", due=days_ago(10), amount="500.00")
    make_bill(house_a2, "2026-08", due=days_ago(40), amount="80.00", paid="80.00",
              state=State.PAID)
    make_bill(house_b, "2026-09", due=days_ago(200), amount="900.00")
    f.OwnerRecordFactory(house=house_a, name="王建国", phone="13912345678")
    return house_a, house_a2, house_b


def test_debts_per_house_largest_first_or_oldest_first(debts, finance_a):
    house_a, house_a2, _house_b = debts
    rows = list(arrears(Bill.objects.visible_to(finance_a)))
    assert [(r["house_id"], r["owed"], r["bills"]) for r in rows] == [
        (house_a2.pk, 500, 1), (house_a.pk, 300, 2)]
    rows = list(arrears(Bill.objects.visible_to(finance_a), sort="age"))
    assert [r["house_id"] for r in rows] == [house_a.pk, house_a2.pk]
    described = describe(rows)
    assert described[0].age == 40 and described[0].owner_phone == "139****5678"


def test_filters(debts, finance_a, leadership):
    house_a, house_a2, house_b = debts
    visible = Bill.objects.visible_to(leadership)
    assert {r["house_id"] for r in arrears(visible)} == {house_a.pk, house_a2.pk, house_b.pk}
    assert [r["house_id"] for r in arrears(visible, min_amount=400)] == [house_b.pk,
                                                                       house_a2.pk]
    assert [r["house_id"] for r in arrears(visible, min_age=30, sort="age")] == [
        house_b.pk, house_a.pk]
    assert [r["house_id"] for r in arrears(visible, community=house_b.community)] == [
        house_b.pk]
    assert [r["house_id"] for r in arrears(visible, building=house_b.building)] == [
        house_b.pk]
    assert not arrears(visible, min_amount=1000).exists()


def test_the_arrears_page_lists_the_communitys_debtors(client, debts, finance_a):
    house_a, house_a2, house_b = debts
    client.force_login(finance_a)
    response = client.get(reverse("billing_arrears:index"))
    page = response.content.decode()
    assert response.status_code == 200
    assert house_a.label in page and house_a2.label in page and house_b.label not in page
    assert "139****5678" in page and "13912345678" not in page
    assert page.index(house_a2.label) < page.index(house_a.label)  # 500 before 300
    page = client.get(reverse("billing_arrears:index"), {"sort": "age"}).content.decode()
    assert page.index(house_a.label) < page.index(house_a2.label)


def test_bad_filters_are_explained(client, debts, finance_a):
    client.force_login(finance_a)
    response = client.get(reverse("billing_arrears:index"), {"min_amount": "-5"})
    assert response.status_code == 200 and response.context["page"] is None
    assert response.context["form"].errors["min_amount"]


def test_the_export_has_the_same_rows(client, debts, finance_a):
    from openpyxl import load_workbook

    house_a, house_a2, house_b = debts
    client.force_login(finance_a)
    response = client.get(reverse("billing_arrears:export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    houses = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert houses == [house_a2.label, house_a.label]
    assert "13912345678" not in str(list(sheet.values))


def test_staff_of_another_community_reach_nothing(client, debts, finance_b):
    house_a, house_a2, house_b = debts
    client.force_login(finance_b)
    page = client.get(reverse("billing_arrears:index")).content.decode()
    assert house_b.label in page and house_a.label not in page
    # A guessed community of A is not a choice: the form refuses it, nothing is listed.
    response = client.get(reverse("billing_arrears:index"),
                          {"community": house_a.community_id})
    assert response.context["page"] is None
    export = client.get(reverse("billing_arrears:export"),
                        {"community": house_a.community_id})
    assert export.status_code == 302
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(client.get(
        reverse("billing_arrears:export")).content)).active
    assert [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        house_b.label]


def test_people_without_billing_access_are_turned_away(client, debts, resident, worker_a):
    for user in (resident, worker_a):
        client.force_login(user)
        for name in ("index", "export", "notices"):
            assert client.get(reverse(f"billing_arrears:{name}")).status_code in (302, 403)


def test_the_finance_menu_is_shown(client, finance_a):
    client.force_login(finance_a)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    # The sidebar's items are JSON in the page: non-ASCII labels come \u-escaped.
    assert json.dumps(gettext("Arrears")) in page
    assert json.dumps(gettext("Collection report")) in page


def test_an_owner_name_read_as_a_formula_is_exported_as_text(client, debts, finance_a):
    from openpyxl import load_workbook

    house_a = debts[0]
    house_a.owner_records.update(name="=1+1")
    client.force_login(finance_a)
    sheet = load_workbook(io.BytesIO(client.get(reverse("billing_arrears:export")).content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == "=1+1"]

    assert len(cells) == 1 and cells[0].data_type == "s" and cells[0].quotePrefix
