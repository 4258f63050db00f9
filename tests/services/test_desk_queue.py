"""The customer-service queue in the admin: filters, search by ticket number, the
.xlsx export, and data permission (community A's desk never reaches community B's
tickets; workers do not enter the admin; leadership sees all)."""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from services.models import Ticket
from tests.factories import BuildingFactory
from tests.services.factories import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket_b(resident_b, house_b):
    return submit(resident_b, house=house_b, description="乙方漏水")


@pytest.fixture
def tickets(resident, neighbour, house_a, house_a2, worker_a):
    """Four tickets of community A that differ in one thing each."""
    kitchen = submit(resident, house=house_a, description="厨房漏水")
    lamp = submit(neighbour, house=house_a2, name="电", urgency=Ticket.Urgency.URGENT,
                  description="客厅灯不亮")
    dispatched = submit(resident, house=house_a, name="门窗", description="窗户关不上")
    dispatched.dispatch(worker_a.staff, by=None)
    noise = submit(resident, kind=Ticket.Kind.COMPLAINT, name="噪音扰民",
                   description="楼上装修太吵")
    Ticket.objects.filter(pk=noise.pk).update(
        response_due=timezone.now() - timedelta(hours=1))
    return {"kitchen": kitchen, "lamp": lamp, "dispatched": dispatched, "noise": noise}


def _listed(client, **params):
    response = client.get(reverse("tickets:index_results"), params)
    assert response.status_code == 200
    return {ticket.pk for ticket in response.context["object_list"]}


def _pks(tickets, *names):
    return {tickets[name].pk for name in names}


def test_the_queue_lists_my_tickets_with_their_columns(client, service_a, tickets):
    client.force_login(service_a)
    response = client.get(reverse("tickets:index"))
    content = response.content.decode()
    assert response.status_code == 200
    assert tickets["kitchen"].reference in content
    assert tickets["kitchen"].admin_url in content
    assert "1栋1单元101" in content
    assert tickets["dispatched"].assignee.name in content


@pytest.mark.parametrize(("params", "expected"), [
    ({"state": "dispatched"}, ["dispatched"]),
    ({"state": ["submitted", "dispatched"]}, ["kitchen", "lamp", "noise", "dispatched"]),
    ({"urgency": "urgent"}, ["lamp"]),
    ({"overdue": "yes"}, ["noise"]),
    ({"overdue": "no"}, ["kitchen", "lamp", "dispatched"]),
])
def test_each_filter_narrows_the_queue(client, service_a, tickets, params, expected):
    client.force_login(service_a)
    assert _listed(client, **params) == _pks(tickets, *expected)


def test_filter_by_category_building_community_and_worker(client, service_a, tickets,
                                                          house_a2, community_a, worker_a):
    client.force_login(service_a)
    assert _listed(client, category=tickets["lamp"].category_id) == _pks(tickets, "lamp")
    assert _listed(client, building=house_a2.building_id) == _pks(tickets, "lamp")
    assert _listed(client, community=community_a.pk) == _pks(tickets, *tickets)
    assert _listed(client, assignee=worker_a.staff.pk) == _pks(tickets, "dispatched")


def test_an_overdue_ticket_is_flagged_in_the_queue(client, service_a, tickets):
    client.force_login(service_a)
    content = client.get(reverse("tickets:index"), {"overdue": "yes"}).content.decode()
    assert "ticket-overdue" in content


def test_the_community_filter_offers_only_my_communities(client, service_a, tickets,
                                                         community_b):
    client.force_login(service_a)
    response = client.get(reverse("tickets:index"))
    choices = response.context["filters"].form.fields["community"].queryset
    assert community_b not in choices


@pytest.mark.parametrize("how", ["reference", "number"])
def test_search_finds_a_ticket_by_its_number(client, service_a, tickets, how):
    client.force_login(service_a)
    wanted = tickets["lamp"]
    query = wanted.reference if how == "reference" else str(wanted.pk)
    assert _listed(client, q=query) == {wanted.pk}


def test_search_finds_tickets_by_description(client, service_a, tickets):
    client.force_login(service_a)
    assert _listed(client, q="装修") == _pks(tickets, "noise")


def _xlsx_rows(response):
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [[cell.value for cell in row] for row in workbook.active.iter_rows()]


def test_the_export_has_my_tickets_with_masked_phones(client, service_a, tickets, ticket_b):
    client.force_login(service_a)
    response = client.get(reverse("tickets:index"), {"export": "xlsx"})
    assert response.status_code == 200
    rows = _xlsx_rows(response)
    cells = [str(value) for row in rows for value in row]
    assert len(rows) == 1 + len(tickets)
    assert tickets["kitchen"].reference in cells
    assert ticket_b.reference not in cells
    assert not any("乙方" in cell for cell in cells)
    phone = tickets["kitchen"].contact_phone
    assert phone
    assert tickets["kitchen"].masked_contact_phone in cells
    assert not any(phone in cell for cell in cells)


def test_the_export_hides_who_filed_an_anonymous_complaint(client, service_a, resident):
    anonymous = submit(resident, kind=Ticket.Kind.COMPLAINT, name="噪音扰民", anonymous=True)
    client.force_login(service_a)
    cells = [str(value) for row in _xlsx_rows(
        client.get(reverse("tickets:index"), {"export": "xlsx"})) for value in row]
    assert anonymous.contact_name not in cells
    assert anonymous.masked_contact_phone not in cells


# --- data permission ----------------------------------------------------------------


def test_desk_of_a_never_lists_or_finds_the_tickets_of_b(client, service_a, tickets, ticket_b):
    client.force_login(service_a)
    assert ticket_b.pk not in _listed(client)
    assert _listed(client, q=ticket_b.reference) == set()
    assert _listed(client, q="乙方") == set()
    content = client.get(reverse("tickets:index")).content.decode()
    assert ticket_b.reference not in content


@pytest.mark.parametrize("view", ["inspect", "call", "history"])
def test_desk_of_a_gets_404_for_a_ticket_of_b_by_guessed_id(client, service_a, ticket_b,
                                                            view):
    client.force_login(service_a)
    assert client.get(reverse(f"tickets:{view}", args=[ticket_b.pk])).status_code == 404


def test_desk_of_a_cannot_act_on_a_ticket_of_b(client, service_a, ticket_b):
    client.force_login(service_a)
    response = client.post(ticket_b.admin_url, {"action": "accept"})
    assert response.status_code == 404
    ticket_b.refresh_from_db()
    assert ticket_b.state == Ticket.State.SUBMITTED


def test_manager_of_b_sees_b_and_not_a(client, manager_b, tickets, ticket_b):
    client.force_login(manager_b)
    assert _listed(client) == {ticket_b.pk}


def test_leadership_sees_every_community(client, leadership, tickets, ticket_b):
    client.force_login(leadership)
    assert _listed(client) == {*_pks(tickets, *tickets), ticket_b.pk}
    assert client.get(ticket_b.admin_url).status_code == 200


def test_a_worker_cannot_reach_the_queue(client, worker_a, tickets):
    client.force_login(worker_a)
    response = client.get(reverse("tickets:index"))
    assert response.status_code == 302
    assert tickets["dispatched"].reference not in client.get(response.url).content.decode()
    assert client.get(tickets["dispatched"].admin_url).status_code == 302


@pytest.mark.parametrize("persona", ["resident", "outsider"])
def test_residents_and_outsiders_cannot_open_a_ticket(client, request, ticket, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(ticket.admin_url).status_code == 302


def test_nobody_edits_or_deletes_a_ticket_in_the_admin(client, manager_a, ticket):
    client.force_login(manager_a)
    for view in ("edit", "delete"):
        response = client.get(reverse(f"tickets:{view}", args=[ticket.pk]))
        assert response.status_code in (302, 403)
    assert client.get(reverse("tickets:add")).status_code in (302, 403)


def test_the_menu_counts_my_open_tickets(client, service_a, tickets, ticket_b):
    client.force_login(service_a)
    content = client.get(reverse("wagtailadmin_home")).content.decode()
    assert f"({len(tickets)})" in content


def test_the_queue_costs_the_same_queries_for_more_tickets(client, service_a, resident,
                                                           house_a):
    client.force_login(service_a)
    client.get(reverse("tickets:index"))  # the filter's option lists, computed once
    counts = []
    for _round in range(2):
        for _ticket in range(3):
            submit(resident, house=house_a)
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("tickets:index"))
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- the filter form's option lists, and the count ----------------------------------


def _offered(response, name):
    return {label for value, label in response.context["filters"].form.fields[name].widget.choices
            if value}


def test_the_filters_offer_only_my_buildings_and_workers(client, service_a, tickets, house_b,
                                                         worker_a):
    client.force_login(service_a)
    response = client.get(reverse("tickets:index"))
    assert _offered(response, "building") == {"1栋", "2栋"}
    assert _offered(response, "assignee") == {worker_a.staff.name}
    content = response.content.decode()
    assert f'<option value="{tickets["lamp"].building_id}">2栋</option>' in content


def test_a_new_building_is_offered_at_once(client, service_a, tickets, community_a):
    client.force_login(service_a)
    client.get(reverse("tickets:index"))
    BuildingFactory(community=community_a, name="9栋")
    assert "9栋" in _offered(client.get(reverse("tickets:index")), "building")


def test_the_option_lists_are_computed_once(client, service_a, tickets):
    client.force_login(service_a)
    counts = []
    for _round in range(2):
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("tickets:index"))
        counts.append(len(queries))
    assert counts[1] < counts[0]


def test_with_several_communities_buildings_are_offered_for_the_chosen_one(
        client, leadership, tickets, house_b, community_a):
    client.force_login(leadership)
    assert _offered(client.get(reverse("tickets:index")), "building") == set()
    response = client.get(reverse("tickets:index"), {"community": community_a.pk})
    assert _offered(response, "building") == {"1栋", "2栋"}
    # Filtering by a building still works without choosing its community first.
    assert _listed(client, building=house_b.building_id) == set()


def test_a_building_of_another_community_is_not_a_filter_for_me(client, service_a, tickets,
                                                                ticket_b):
    client.force_login(service_a)
    response = client.get(reverse("tickets:index_results"), {"building": ticket_b.building_id})
    assert not response.context["filters"].is_valid()
    assert ticket_b.pk not in {ticket.pk for ticket in response.context["object_list"]}


def test_a_huge_count_is_capped(client, service_a, tickets, settings):
    settings.TICKET_QUEUE_COUNT_CAP = 2
    client.force_login(service_a)
    response = client.get(reverse("tickets:index"), {"state": ["submitted", "dispatched"]})
    assert response.context["paginator"].count == 3
    message = gettext("More than %(cap)s matches: narrow the filters to see them all")
    assert message % {"cap": 2} in response.content.decode()
    assert len(response.context["object_list"]) == len(tickets)


def test_choosing_a_community_sends_its_buildings_with_the_results(client, leadership, tickets,
                                                                   community_a):
    client.force_login(leadership)
    content = client.get(reverse("tickets:index_results"),
                         {"community": community_a.pk}).content.decode()
    assert 'data-w-teleport-target-value="#filters-drilldown"' in content
    assert f'<option value="{tickets["lamp"].building_id}">2栋</option>' in content
