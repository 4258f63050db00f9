"""The billing desk in the admin: pages render for finance; bills are generated from a
form (in the background), adjusted and waived on their page; readings are typed in or
imported; and staff of community B reach nothing of A by list, detail, export, search or
guessed id."""

import json
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext
from openpyxl import load_workbook

from services.billing.fees import Period
from services.billing.generation import generate
from services.billing.models import Bill, BillEvent, BillRun, FeeItem, MeterReading, ParkingSpace
from tests import factories as f

from .factories import FeeItemFactory, MeterFactory, ParkingSpaceFactory, reading
from .test_reading_import import sheet

D = Decimal
INDEXES = ["bills:index", "bill_runs:index", "fee_items:index", "late_fee_rules:index",
           "parking_spaces:index", "meter_readings:index", "meter_reading_import:upload"]


@pytest.fixture
def billed(house_a, finance_a):
    FeeItemFactory(community=house_a.community, name="物业管理费", unit_price=D("2.00"))
    FeeItemFactory(community=house_a.community, name="垃圾清运费", kind=FeeItem.Kind.FIXED,
                   unit_price=D("12.00"))
    generate(house_a.community, Period.parse("2026-11"), by=finance_a)
    return Bill.objects.get(house=house_a)


@pytest.mark.parametrize("url_name", INDEXES)
def test_finance_opens_every_billing_page(client, finance_a, billed, url_name):
    client.force_login(finance_a)
    assert client.get(reverse(url_name)).status_code == 200


def test_the_billing_menu_is_shown_to_finance(client, finance_a):
    client.force_login(finance_a)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    # The sidebar's items are JSON in the page: non-ASCII labels come \u-escaped.
    assert json.dumps(gettext("Billing")) in page


def test_the_bill_page_shows_lines_and_the_adjust_form(client, finance_a, billed):
    client.force_login(finance_a)
    response = client.get(reverse("bills:inspect", args=[billed.pk]))
    page = response.content.decode()
    assert "物业管理费" in page and "191.00" in page
    assert response.context["form"] is not None


def test_finance_adjusts_a_line_on_the_bill_page(client, finance_a, billed):
    line = billed.lines.get(fee_item__name="物业管理费")
    client.force_login(finance_a)
    url = reverse("bills:inspect", args=[billed.pk])
    data = {"line": line.pk, "change": "adjust", "amount": "150.00", "reason": "空置房"}

    assert client.post(url, data).status_code == 302
    # The same form sent twice changes the line once.
    again = client.post(url, data)

    assert gettext("The line already has this amount.") in again.content.decode()
    billed.refresh_from_db()
    assert billed.amount_due == D("162.00")
    assert BillEvent.objects.count() == 1
    assert "空置房" in client.get(url).content.decode()


def test_a_change_without_a_reason_keeps_the_input_and_changes_nothing(client, finance_a,
                                                                        billed):
    line = billed.lines.get(fee_item__name="物业管理费")
    client.force_login(finance_a)
    response = client.post(reverse("bills:inspect", args=[billed.pk]),
                           {"line": line.pk, "change": "adjust", "amount": "150.00",
                            "reason": ""})
    assert response.status_code == 200
    assert response.context["form"]["amount"].value() == "150.00"
    assert not BillEvent.objects.exists()


def test_customer_service_cannot_adjust(client, service_a, billed):
    line = billed.lines.first()
    client.force_login(service_a)
    response = client.post(reverse("bills:inspect", args=[billed.pk]),
                           {"line": line.pk, "change": "waive", "reason": "x"})
    assert response.status_code in (302, 403)
    assert not BillEvent.objects.exists()


def test_bills_cannot_be_edited_or_added_as_rows(client, finance_a, billed):
    client.force_login(finance_a)
    assert client.get(reverse("bills:edit", args=[billed.pk])).status_code in (302, 403)
    assert client.get(reverse("bills:add")).status_code in (302, 403)


def test_finance_generates_a_period_from_the_form(client, finance_a, house_a,
                                                  django_capture_on_commit_callbacks):
    FeeItemFactory(community=house_a.community, kind=FeeItem.Kind.FIXED, unit_price=D("5"))
    client.force_login(finance_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("bill_runs:add"), {
            "community": house_a.community.pk, "period": "2026-Q4"})

    assert response.status_code == 302
    run = BillRun.objects.get()
    assert (run.status, run.bills_created, run.lines_created, run.requested_by) == (
        BillRun.Status.DONE, 1, 1, finance_a)
    assert Bill.objects.get().period_kind == "quarter"
    assert "2026-Q4" in client.get(reverse("bill_runs:index")).content.decode()


def test_a_bad_period_is_refused_with_the_input_kept(client, finance_a, community_a):
    client.force_login(finance_a)
    response = client.post(reverse("bill_runs:add"), {"community": community_a.pk,
                                                      "period": "2026-13"})
    assert response.status_code == 200
    assert response.context["form"]["period"].value() == "2026-13"
    assert not BillRun.objects.exists()


def test_finance_of_b_cannot_generate_for_a(client, finance_b, community_a):
    client.force_login(finance_b)
    response = client.post(reverse("bill_runs:add"), {"community": community_a.pk,
                                                      "period": "2026-11"})
    assert response.status_code == 200
    assert not BillRun.objects.exists()


def test_finance_types_a_reading_in(client, finance_a, house_a):
    meter = MeterFactory(house=house_a)
    reading(meter, "2026-10", "100")
    client.force_login(finance_a)
    data = {"house": "1栋-1单元-101", "utility": "water", "period": "2026-11-03",
            "reading": "90", "start_reading": "0", "read_at": "2026-11-03"}

    refused = client.post(reverse("meter_readings:add"), data)
    assert escape(gettext(
        "The reading %(reading)s is lower than the last one (%(last)s in %(month)s). If the "
        "meter was changed, mark the reading as a meter change.") % {
        "reading": D("90"), "last": D("100.00"), "month": "2026-10"}) in \
        refused.content.decode()
    assert client.post(reverse("meter_readings:add"), {**data, "reading": "110"}
                       ).status_code == 302
    twice = client.post(reverse("meter_readings:add"), {**data, "reading": "110"})

    assert twice.status_code == 200
    saved = MeterReading.objects.get(period=date(2026, 11, 1))
    assert (saved.reading, saved.entered_by) == (D("110"), finance_a)


def test_a_reading_with_an_absurd_use_is_shown_back_until_checked(client, finance_a,
                                                                 house_a):
    meter = MeterFactory(house=house_a)
    reading(meter, "2026-10", "100")
    client.force_login(finance_a)
    data = {"house": "1栋-1单元-101", "utility": "water", "period": "2026-11-03",
            "reading": "10100", "start_reading": "0", "read_at": "2026-11-03"}

    refused = client.post(reverse("meter_readings:add"), data)

    assert refused.status_code == 200
    page = refused.content.decode()
    refusal = refused.context["form"].non_field_errors()[0]
    assert "10000.00" in refusal and gettext("high use checked") in refusal
    assert 'value="10100"' in page  # what was typed stays in the form
    assert not MeterReading.objects.filter(period=date(2026, 11, 1)).exists()

    checked = client.post(reverse("meter_readings:add"),
                          {**data, "high_use_confirmed": "on"})

    assert checked.status_code == 302
    saved = MeterReading.objects.get(period=date(2026, 11, 1))
    assert (saved.reading, saved.high_use_confirmed, saved.entered_by) == (
        D("10100"), True, finance_a)


def test_finance_imports_readings_through_preview_and_confirm(client, finance_a, house_a,
                                                              tmp_path):
    path = sheet(tmp_path, [["1栋", "1单元", "101", "水", 12.5, "", None]])
    client.force_login(finance_a)
    with open(path, "rb") as upload:
        response = client.post(reverse("meter_reading_import:upload"), {
            "community": house_a.community.pk, "period": "2026-11-01", "file": upload})
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert "1栋1单元101" in preview.content.decode()
    assert not MeterReading.objects.exists()

    confirmed = client.post(reverse("meter_reading_import:confirm"),
                            {"token": preview.context["token"]})

    assert confirmed.status_code == 302
    assert MeterReading.objects.get().reading == D("12.50")


def test_a_reading_sheet_with_errors_comes_back_as_an_error_report(client, finance_a,
                                                                   house_a, tmp_path):
    path = sheet(tmp_path, [["1栋", "1单元", "101", "水", 12.5, "", None],
                            ["9栋", "1单元", "101", "水", 3, "", None]])
    client.force_login(finance_a)
    with open(path, "rb") as upload:
        response = client.post(reverse("meter_reading_import:upload"), {
            "community": house_a.community.pk, "period": "2026-11-01", "file": upload})
    preview = client.get(response["Location"])
    assert reverse("meter_reading_import:errors") in preview.content.decode()

    report = client.get(reverse("meter_reading_import:errors"),
                        {"token": preview.context["token"]})

    assert report.status_code == 200
    assert report["Content-Disposition"].endswith('meter-readings-errors.xlsx"')
    rows = list(load_workbook(BytesIO(report.content)).active.values)
    assert rows[2][:3] == ("9栋", "1单元", "101") and rows[2][-1]
    assert not MeterReading.objects.exists()


def test_an_upload_that_is_not_xlsx_is_refused_by_its_content(client, finance_a, house_a,
                                                              tmp_path):
    fake = tmp_path / "readings.xlsx"
    fake.write_bytes(b"not a spreadsheet at all")
    client.force_login(finance_a)
    with open(fake, "rb") as upload:
        response = client.post(reverse("meter_reading_import:upload"), {
            "community": house_a.community.pk, "period": "2026-11-01", "file": upload})
    assert response.status_code == 200
    assert gettext("This is not an Excel .xlsx file.") in response.content.decode()


# --- scope: staff of B reach nothing of A -------------------------------------------


@pytest.fixture
def rows_of_a(billed, house_a, finance_a):
    meter = MeterFactory(house=house_a)
    return {
        "bills": billed,
        "fee_items": FeeItem.objects.get(name="物业管理费"),
        "meter_readings": reading(meter, "2026-11", "77.7"),
        "parking_spaces": ParkingSpaceFactory(community=house_a.community, house=house_a,
                                              number="A-007"),
        "bill_runs": BillRun.objects.get(),
    }


OBJECT_VIEWS = {"bills": ["inspect"], "fee_items": ["edit", "delete"],
                "meter_readings": ["edit", "delete"], "parking_spaces": ["edit", "delete"],
                "bill_runs": ["inspect"]}


@pytest.mark.parametrize("viewset", sorted(OBJECT_VIEWS))
def test_finance_of_b_cannot_open_rows_of_a_by_guessed_id(client, finance_b, rows_of_a,
                                                         viewset):
    client.force_login(finance_b)
    for view in OBJECT_VIEWS[viewset]:
        url = reverse(f"{viewset}:{view}", args=[rows_of_a[viewset].pk])
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("viewset", sorted(OBJECT_VIEWS))
def test_finance_of_b_does_not_list_export_or_find_rows_of_a(client, finance_b, finance_a,
                                                             rows_of_a, viewset):
    index = reverse(f"{viewset}:index")
    client.force_login(finance_a)
    mine = client.get(index, {"export": "csv"})
    assert len(mine.getvalue().decode().strip().splitlines()) >= 2  # A sees its own row

    client.force_login(finance_b)
    listing = client.get(index)
    assert listing.status_code == 200
    assert list(listing.context["object_list"]) == []
    export = client.get(index, {"export": "csv"})
    assert len(export.getvalue().decode().strip().splitlines()) == 1  # the header only
    for query in ("101", "1栋", "物业", "A-007"):
        assert list(client.get(index, {"q": query}).context["object_list"]) == []


def test_a_finance_of_b_cannot_adjust_a_bill_of_a_by_posting(client, finance_b, billed):
    line = billed.lines.first()
    client.force_login(finance_b)
    response = client.post(reverse("bills:inspect", args=[billed.pk]),
                           {"line": line.pk, "change": "waive", "reason": "x"})
    assert response.status_code == 404
    assert not BillEvent.objects.exists()


def test_a_parking_space_cannot_be_given_a_house_of_another_community(client, finance_a,
                                                                      house_b):
    client.force_login(finance_a)
    response = client.post(reverse("parking_spaces:add"), {
        "community": house_b.community.pk, "number": "B1", "house": house_b.pk})
    assert response.status_code == 200
    assert not ParkingSpace.objects.exists()


def test_residents_see_the_bills_of_their_verified_houses_only(billed, resident, neighbour,
                                                               house_a):
    pending = f.ResidentFactory(community=house_a.community)
    f.OccupancyFactory(resident=pending, house=house_a, state="pending")

    assert list(Bill.objects.visible_to(resident)) == [billed]
    assert not Bill.objects.visible_to(neighbour).exists()
    assert not Bill.objects.visible_to(pending.user).exists()
    assert not BillEvent.objects.visible_to(resident).exists()


def test_the_xlsx_export_of_bills_holds_only_the_user_s_communities(client, finance_a,
                                                                    finance_b, billed):
    from io import BytesIO

    from openpyxl import load_workbook

    def exported_rows(user):
        client.force_login(user)
        response = client.get(reverse("bills:index"), {"export": "xlsx"})
        content = b"".join(response.streaming_content) if response.streaming else \
            response.content
        return load_workbook(BytesIO(content)).active.max_row

    assert exported_rows(finance_a) == 2  # the header and A's bill
    assert exported_rows(finance_b) == 1


def test_a_period_overlapping_billed_months_is_refused_in_the_form(client, finance_a,
                                                                  billed):
    client.force_login(finance_a)
    response = client.post(reverse("bill_runs:add"), {"community": billed.community.pk,
                                                      "period": "2026"})
    assert response.status_code == 200
    assert response.context["form"].errors["period"]
    assert BillRun.objects.count() == 1  # the fixture's
