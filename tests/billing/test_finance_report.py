"""Finance reports: collection rate (收缴率) of a period per community and per building,
arrears ageing in buckets, leadership sees every community side by side, staff only
theirs; .xlsx export; a bad period is explained."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from services.billing.models import Bill, State
from services.billing.reports import ageing, collection

from .test_reminders import make_bill

pytestmark = pytest.mark.django_db
D = Decimal


def days_ago(days):
    return timezone.localdate() - timedelta(days=days)


@pytest.fixture
def period_bills(house_a, house_a2, house_b):
    make_bill(house_a, "2026-10", due=days_ago(20), amount="100.00", paid="100.00",
              state=State.PAID)
    make_bill(house_a2, "2026-10", due=days_ago(20), amount="300.00", paid="50.00",
              state=State.PARTLY_PAID)
    make_bill(house_b, "2026-10", due=days_ago(20), amount="200.00")
    make_bill(house_a, "2026-09", due=days_ago(100), amount="80.00")  # another period
    make_bill(house_b, "2025-09", due=days_ago(400), amount="60.00")


def test_collection_rate_per_community_and_building(period_bills, house_a, house_a2,
                                                    leadership):
    period = collection.ReportPeriod.parse("2026-10")
    rows = collection.by_community(Bill.objects.visible_to(leadership), period)
    by_name = {row.label: row for row in rows}
    a = by_name[house_a.community.name]
    assert (a.bills, a.billed, a.collected, a.owed, a.rate) == (
        2, D("400.00"), D("150.00"), D("250.00"), D("37.5"))
    assert by_name[next(n for n in by_name if n != house_a.community.name)].rate == 0
    total = collection.total(rows)
    assert (total.billed, total.collected, total.rate) == (D("600.00"), D("150.00"),
                                                           D("25.0"))
    buildings = collection.by_building(Bill.objects.visible_to(leadership), period,
                                       house_a.community)
    assert sum(row.billed for row in buildings) == D("400.00")
    quarter = collection.by_community(Bill.objects.visible_to(leadership),
                                      collection.ReportPeriod.parse("2026-Q3"))
    assert [row.billed for row in quarter] == [D("80.00")]


def test_ageing_buckets(period_bills, house_a, house_b, leadership, finance_a):
    rows = {row.label: row for row in ageing.by_community(
        Bill.objects.visible_to(leadership), timezone.localdate())}
    a = rows[house_a.community.name]
    b = rows[house_b.community.name]
    assert a.amounts == [D("250.00"), D("0.00"), D("80.00"), D("0.00"), D("0.00")]
    assert b.amounts == [D("200.00"), D("0.00"), D("0.00"), D("0.00"), D("60.00")]
    assert [row.label for row in ageing.by_community(
        Bill.objects.visible_to(finance_a), timezone.localdate())] == [
        house_a.community.name]


def test_leadership_sees_every_community_staff_only_theirs(client, period_bills, house_a,
                                                           house_b, leadership, finance_a):
    url = reverse("billing_reports:collection")
    client.force_login(leadership)
    page = client.get(url, {"period": "2026-10"}).content.decode()
    assert house_a.community.name in page and house_b.community.name in page
    assert "37.5%" in page
    client.force_login(finance_a)
    page = client.get(url, {"period": "2026-10"}).content.decode()
    assert house_a.community.name in page and house_b.community.name not in page


def test_drill_down_by_building_and_export(client, period_bills, house_a, finance_a):
    from openpyxl import load_workbook

    client.force_login(finance_a)
    query = {"period": "2026-10", "community": house_a.community_id}
    response = client.get(reverse("billing_reports:collection"), query)
    assert response.context["figures"]["buildings"]
    assert house_a.building.name in response.content.decode()
    export = client.get(reverse("billing_reports:collection_export"), query)
    assert export.status_code == 200
    book = load_workbook(io.BytesIO(export.content))
    assert len(book.sheetnames) == 3
    values = [row for row in book.worksheets[0].iter_rows(values_only=True)]
    assert any(row[0] == house_a.community.name and row[2] == 400 for row in values)


def test_a_guessed_community_or_a_bad_period_is_refused(client, period_bills, house_a,
                                                        finance_b):
    client.force_login(finance_b)
    url = reverse("billing_reports:collection")
    response = client.get(url, {"period": "2026-10", "community": house_a.community_id})
    assert response.context["figures"] is None
    response = client.get(reverse("billing_reports:collection_export"),
                          {"period": "2026-10", "community": house_a.community_id})
    assert response.status_code == 400
    response = client.get(url, {"period": "2026-13"})
    assert response.context["figures"] is None
    assert gettext("Give the period as 2026-11 (a month), 2026-Q4 (a quarter) or 2026 "
                   "(a year).") in response.content.decode()


def test_the_report_needs_billing_access(client, resident, worker_a):
    for user in (resident, worker_a):
        client.force_login(user)
        assert client.get(reverse("billing_reports:collection")).status_code in (302, 403)
