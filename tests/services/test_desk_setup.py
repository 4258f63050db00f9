"""Ticket setup in the admin: categories (company-wide, with their deadlines), dispatch
rules, worker teams and duty shifts, each limited to the user's communities."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from portal.estates import roles
from services.models import DispatchRule, DutyShift, TicketCategory, WorkerTeam
from tests import factories as f
from tests.services.factories import category

pytestmark = pytest.mark.django_db


def _rule_data(community, building=None, worker=None, team=None, category_=None):
    return {"community": community.pk, "building": building.pk if building else "",
            "category": category_.pk if category_ else "",
            "worker": worker.pk if worker else "", "team": team.pk if team else "",
            "active": "on"}


def test_manager_creates_a_rule_for_a_building_of_a(client, manager_a, worker_a, house_a,
                                                    company):
    client.force_login(manager_a)
    response = client.post(reverse("dispatch_rules:add"), _rule_data(
        house_a.community, house_a.building, worker_a.staff, category_=category(company)))
    assert response.status_code == 302
    rule = DispatchRule.objects.get()
    assert rule.building == house_a.building
    assert rule.worker == worker_a.staff


def test_manager_of_a_cannot_create_a_rule_for_a_building_of_b(client, manager_a, worker_a,
                                                               house_a, house_b):
    client.force_login(manager_a)
    for community in (house_a.community, house_b.community):
        response = client.post(reverse("dispatch_rules:add"), _rule_data(
            community, house_b.building, worker_a.staff))
        assert response.status_code == 200
        assert response.context["form"].errors
    assert not DispatchRule.objects.exists()


def test_a_rule_names_a_worker_or_a_team_not_both(client, manager_a, worker_a, community_a):
    team = WorkerTeam.objects.create(community=community_a, name="水电班")
    client.force_login(manager_a)
    response = client.post(reverse("dispatch_rules:add"), _rule_data(
        community_a, worker=worker_a.staff, team=team))
    assert gettext("Choose either a worker or a team.") in response.content.decode()
    assert not DispatchRule.objects.exists()


def test_a_rule_cannot_send_tickets_to_a_worker_of_another_community(
        client, leadership, community_a, community_b, company):
    stranger = f.StaffFactory(company=company, user__groups=[roles.WORKER],
                              communities=[community_b])
    client.force_login(leadership)
    response = client.post(reverse("dispatch_rules:add"),
                           _rule_data(community_a, worker=stranger))
    assert response.context["form"].errors["worker"]
    assert not DispatchRule.objects.exists()


def test_rules_of_b_are_out_of_reach_of_a(client, manager_a, manager_b, community_b, company):
    worker_b = f.StaffFactory(company=company, name="乙师傅", user__groups=[roles.WORKER],
                              communities=[community_b])
    rule = DispatchRule.objects.create(community=community_b, worker=worker_b)
    client.force_login(manager_a)
    assert "乙师傅" not in client.get(reverse("dispatch_rules:index")).content.decode()
    assert client.get(reverse("dispatch_rules:edit", args=[rule.pk])).status_code == 404


def test_teams_and_shifts_of_b_are_out_of_reach_of_a(client, manager_a, community_b, company):
    worker_b = f.StaffFactory(company=company, name="乙师傅", user__groups=[roles.WORKER],
                              communities=[community_b])
    team = WorkerTeam.objects.create(community=community_b, name="乙水电班")
    team.members.add(worker_b)
    start = timezone.now()
    shift = DutyShift.objects.create(community=community_b, staff=worker_b, starts_at=start,
                                     ends_at=start + timedelta(hours=8))
    client.force_login(manager_a)
    teams = client.get(reverse("worker_teams:index"))
    shifts = client.get(reverse("duty_shifts:index"))
    assert teams.status_code == shifts.status_code == 200
    assert "乙水电班" not in teams.content.decode()
    assert "乙师傅" not in shifts.content.decode()
    assert client.get(reverse("worker_teams:edit", args=[team.pk])).status_code == 404
    assert client.get(reverse("duty_shifts:edit", args=[shift.pk])).status_code == 404


def test_manager_builds_a_team_of_workers_of_the_community(client, manager_a, worker_a,
                                                           community_a):
    client.force_login(manager_a)
    response = client.post(reverse("worker_teams:add"), {
        "community": community_a.pk, "name": "水电班", "members": [worker_a.staff.pk]})
    assert response.status_code == 302
    assert list(WorkerTeam.objects.get().members.all()) == [worker_a.staff]


def test_customer_service_adds_a_duty_shift(client, service_a, worker_a, community_a):
    client.force_login(service_a)
    start = timezone.localtime() + timedelta(hours=1)
    response = client.post(reverse("duty_shifts:add"), {
        "community": community_a.pk, "staff": worker_a.staff.pk,
        "starts_at": start.strftime("%Y-%m-%d %H:%M"),
        "ends_at": (start + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")})
    assert response.status_code == 302
    assert DutyShift.objects.get().staff == worker_a.staff


def test_a_shift_that_ends_before_it_starts_is_refused(client, service_a, worker_a,
                                                       community_a):
    client.force_login(service_a)
    start = timezone.localtime() + timedelta(hours=1)
    response = client.post(reverse("duty_shifts:add"), {
        "community": community_a.pk, "staff": worker_a.staff.pk,
        "starts_at": start.strftime("%Y-%m-%d %H:%M"),
        "ends_at": (start - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")})
    assert response.context["form"].errors["ends_at"]
    assert not DutyShift.objects.exists()


def test_customer_service_cannot_change_rules(client, service_a):
    client.force_login(service_a)
    assert client.get(reverse("dispatch_rules:add")).status_code == 302


def test_manager_changes_the_deadlines_of_a_category(client, manager_a, company):
    water = category(company)
    client.force_login(manager_a)
    response = client.post(reverse("ticket_categories:edit", args=[water.pk]), {
        "kind": "repair", "name": "水", "trade": water.trade_id or "", "sort_order": 0,
        "active": "on", "response_minutes": 15, "completion_hours": 24,
        "urgent_response_minutes": 5, "urgent_completion_hours": 2})
    assert response.status_code == 302
    water.refresh_from_db()
    assert water.response_minutes == 15


def test_a_new_category_belongs_to_my_company_and_names_are_unique(client, manager_a,
                                                                   company):
    client.force_login(manager_a)
    data = {"kind": "repair", "name": "水", "sort_order": 0, "active": "on",
            "response_minutes": 30, "completion_hours": 48, "urgent_response_minutes": 10,
            "urgent_completion_hours": 4}
    response = client.post(reverse("ticket_categories:add"), data)
    assert response.context["form"].errors["name"]
    response = client.post(reverse("ticket_categories:add"), {**data, "name": "屋顶"})
    assert response.status_code == 302
    assert TicketCategory.objects.get(name="屋顶").company == company


def test_customer_service_cannot_edit_categories(client, service_a, company):
    client.force_login(service_a)
    response = client.get(reverse("ticket_categories:edit",
                                  args=[category(company).pk]))
    assert response.status_code == 302


def test_the_week_calendar_shows_the_shifts_of_my_communities(client, service_a, worker_a,
                                                              community_a, community_b,
                                                              company):
    worker_b = f.StaffFactory(company=company, name="乙师傅", user__groups=[roles.WORKER],
                              communities=[community_b])
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    at_nine = timezone.make_aware(datetime.combine(monday, time(9))) + timedelta(days=2)
    for staff, community in ((worker_a.staff, community_a), (worker_b, community_b)):
        DutyShift.objects.create(community=community, staff=staff, starts_at=at_nine,
                                 ends_at=at_nine + timedelta(hours=8))
    client.force_login(service_a)
    response = client.get(reverse("duty_shifts:week"), {"week": monday.isoformat()})
    assert response.status_code == 200
    wednesday = dict(response.context["columns"])[monday + timedelta(days=2)]
    assert [shift.staff for shift in wednesday] == [worker_a.staff]
    assert "乙师傅" not in response.content.decode()
    assert reverse("duty_shifts:week") in client.get(
        reverse("duty_shifts:index")).content.decode()


def test_a_worker_cannot_open_the_week_calendar(client, worker_a):
    client.force_login(worker_a)
    assert client.get(reverse("duty_shifts:week")).status_code == 302


def test_a_category_with_tickets_cannot_be_deleted(client, manager_a, ticket):
    client.force_login(manager_a)
    response = client.post(reverse("ticket_categories:delete", args=[ticket.category_id]))
    assert response.status_code == 302
    assert TicketCategory.objects.filter(pk=ticket.category_id).exists()


def test_an_unused_category_can_be_deleted(client, manager_a, company):
    unused = category(company, name="其他", kind="suggestion")
    client.force_login(manager_a)
    client.post(reverse("ticket_categories:delete", args=[unused.pk]))
    assert not TicketCategory.objects.filter(pk=unused.pk).exists()
