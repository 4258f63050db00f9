"""The ticket report in the admin: who may open it, what it shows, and its .xlsx export
with the same figures."""

import io

import pytest
from django.test import Client
from django.urls import reverse

from tests.services.test_reports import march_a, march_b  # noqa: F401  (fixtures)

MARCH = {"first": "2026-03-01", "last": "2026-03-31"}


@pytest.fixture
def client():
    """The admin in English, whatever the default language, so labels can be asserted."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def report_page(client, user, **query):
    client.force_login(user)
    return client.get(reverse("ticket_report:index"), query or MARCH)


def exported(client, user, **query):
    from openpyxl import load_workbook

    client.force_login(user)
    response = client.get(reverse("ticket_report:export"), query or MARCH)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(response.content))
    # Summary, by category, by state, peak hours, top buildings: in this order.
    return [[list(row) for row in sheet.iter_rows(values_only=True)]
            for sheet in book.worksheets]


@pytest.mark.parametrize("persona", ["worker_a", "resident", "outsider"])
def test_only_staff_who_may_view_tickets_open_the_report(client, request, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    for name in ("ticket_report:index", "ticket_report:export"):
        response = client.get(reverse(name))
        assert response.status_code in (302, 403)


@pytest.mark.usefixtures("march_a", "march_b")
def test_the_manager_sees_the_figures_of_their_community(client, manager_a, community_a):
    response = report_page(client, manager_a)
    assert response.status_code == 200
    page = response.content.decode()
    assert community_a.name in page
    assert "翠湖苑" not in page  # community B
    assert "66.7" in page and "50.0" in page  # on-time and satisfaction rates
    assert "<svg" in page and page.count("<rect") == 7 * 24


@pytest.mark.usefixtures("march_b")
def test_another_communitys_pk_is_refused(client, manager_a, community_b):
    response = report_page(client, manager_a, community=community_b.pk, **MARCH)
    assert response.status_code == 200
    assert response.context["report"] is None
    assert "community" in response.context["form"].errors


def test_a_period_ending_before_it_starts_is_refused(client, manager_a):
    response = report_page(client, manager_a, first="2026-03-31", last="2026-03-01")
    assert response.context["report"] is None
    assert "last" in response.context["form"].errors
    assert client.get(reverse("ticket_report:export"),
                      {"first": "2026-03-31", "last": "2026-03-01"}).status_code == 400


def test_the_default_period_is_this_month(client, manager_a):
    from django.utils import timezone

    client.force_login(manager_a)
    response = client.get(reverse("ticket_report:index"))
    period = response.context["report"].period
    today = timezone.localdate()
    assert period.first == today.replace(day=1)
    assert period.first <= today <= period.last


@pytest.mark.usefixtures("march_a", "march_b")
def test_the_export_has_the_same_figures_side_by_side(client, leadership):
    sheets = exported(client, leadership)
    summary, _category, _state, hours, buildings = sheets
    assert summary[1][2:] == ["翠湖苑", "阳光花园", "All communities"]
    rows = {row[0]: row[2:] for row in summary[2:] if row and row[0]}
    assert rows["Tickets submitted"] == [1, 7, 8]
    assert rows["On-time rate"] == [100.0, 66.7, 75.0]
    assert rows["Repeat-repair rate"] == [0.0, 50.0, 40.0]
    assert hours[1][0] == "Mon" and hours[1][1 + 9] == 2  # A's and B's Monday 9 o'clock
    buildings = {(row[0], row[1]): row[2] for row in buildings[1:]}
    assert buildings[("水", "阳光花园 1栋")] == 2


@pytest.mark.usefixtures("march_a", "march_b")
def test_the_managers_export_holds_only_their_community(client, manager_a):
    sheets = exported(client, manager_a)
    assert sheets[0][1][2:] == ["阳光花园"]
    assert all("翠湖苑" not in str(cell) for sheet in sheets
               for row in sheet for cell in row)
