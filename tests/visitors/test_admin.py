"""The visitor desk in the admin: the gate log and the passes per community with their
filters and .xlsx export, the settings kept by managers; and staff of community B reach
nothing of A by list, detail, export, search or guessed id."""

import json
from io import BytesIO

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from openpyxl import load_workbook

from services.visitors import gate
from services.visitors.models import GateEntry, VisitorPass, VisitorSetting

from .gate_setup import *  # noqa: F403 (the fixtures)

pytestmark = pytest.mark.django_db
INDEXES = ["visitor_log:index", "visitor_passes:index", "visitor_settings:index"]


@pytest.fixture
def admitted(visitor_pass, guard_a, community_a):
    verdict = gate.admit(community_a, visitor_pass.code, guard_a)
    assert verdict.ok
    return GateEntry.objects.get(visitor_pass=visitor_pass)


def exported_rows(client, user, url_name, params=None):
    client.force_login(user)
    response = client.get(reverse(url_name), {"export": "xlsx", **(params or {})})
    content = b"".join(response.streaming_content) if response.streaming else \
        response.content
    return [list(row) for row in load_workbook(BytesIO(content)).active.iter_rows(
        values_only=True)]


@pytest.mark.parametrize("url_name", INDEXES)
def test_a_manager_opens_every_visitor_page(client, manager_a, admitted, url_name):
    client.force_login(manager_a)
    assert client.get(reverse(url_name)).status_code == 200


def test_the_visitors_menu_is_shown_to_managers(client, manager_a):
    client.force_login(manager_a)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert json.dumps(gettext("Visitors")) in page
    assert json.dumps(gettext("Visitor log")) in page


def test_the_log_lists_admitted_and_refused_attempts(client, manager_a, admitted,
                                                     community_a, guard_a):
    gate.admit(community_a, "00000000", guard_a)
    client.force_login(manager_a)
    response = client.get(reverse("visitor_log:index"))
    results = {entry.result for entry in response.context["object_list"]}
    assert results == {GateEntry.Result.ADMITTED, GateEntry.Result.REFUSED}
    response = client.get(reverse("visitor_log:index"), {"result": "refused"})
    assert [entry.result for entry in response.context["object_list"]] == [
        GateEntry.Result.REFUSED]


def test_the_log_filters_by_building_and_source(client, manager_a, admitted, house_a2):
    client.force_login(manager_a)
    response = client.get(reverse("visitor_log:index"), {"building": house_a2.building_id})
    assert not response.context["object_list"]
    response = client.get(reverse("visitor_log:index"),
                          {"building": admitted.visitor_pass.house.building_id,
                           "source": VisitorPass.Source.INVITATION})
    assert list(response.context["object_list"]) == [admitted]


def test_the_log_filters_by_date(client, manager_a, admitted):
    client.force_login(manager_a)
    day = timezone.localdate(admitted.at).isoformat()
    response = client.get(reverse("visitor_log:index"), {"at_after": day, "at_before": day})
    assert list(response.context["object_list"]) == [admitted]
    response = client.get(reverse("visitor_log:index"), {"at_after": "2000-01-01",
                                                         "at_before": "2000-01-02"})
    assert not response.context["object_list"]


def test_the_xlsx_export_of_the_log_holds_only_the_user_s_communities(client, manager_a,
                                                                      manager_b, admitted):
    rows = exported_rows(client, manager_a, "visitor_log:index")
    assert len(rows) == 2  # the header and A's entry
    assert "李四" in rows[1]
    assert exported_rows(client, manager_b, "visitor_log:index") == rows[:1]


def test_only_staff_allowed_to_export_get_the_spreadsheet(client, admitted, company,
                                                        community_a):
    from portal.estates import roles

    from .gate_setup import staff_of

    finance = staff_of(company, roles.FINANCE, [community_a])
    finance.user_permissions.add(
        Permission.objects.get(codename="view_gateentry", content_type__app_label="visitors"))
    client.force_login(finance)
    response = client.get(reverse("visitor_log:index"), {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "export=xlsx" not in client.get(reverse("visitor_log:index")).content.decode()


def test_the_xlsx_export_of_passes_shows_the_phone_masked(client, manager_a, visitor_pass):
    rows = exported_rows(client, manager_a, "visitor_passes:index")
    assert "139****5678" in rows[1]
    assert "13912345678" not in json.dumps(rows, default=str)


@pytest.mark.parametrize("url_name", ["visitor_log:inspect", "visitor_passes:inspect"])
def test_staff_of_another_community_cannot_open_a_row_by_guessed_id(client, manager_b,
                                                                    admitted, url_name):
    pk = admitted.pk if url_name.startswith("visitor_log") else admitted.visitor_pass_id
    client.force_login(manager_b)
    assert client.get(reverse(url_name, args=[pk])).status_code == 404


def test_staff_of_another_community_list_and_search_nothing_of_a(client, manager_b,
                                                                admitted):
    client.force_login(manager_b)
    assert not client.get(reverse("visitor_log:index")).context["object_list"]
    response = client.get(reverse("visitor_passes:index"), {"q": "李四"})
    assert not response.context["object_list"]


def test_a_worker_sees_no_visitor_data(worker_a, admitted):
    assert not GateEntry.objects.visible_to(worker_a).exists()
    assert not VisitorPass.objects.visible_to(worker_a).exists()


def test_the_log_is_never_edited_in_the_admin(client, manager_a, admitted):
    client.force_login(manager_a)
    assert client.get(reverse("visitor_log:edit", args=[admitted.pk])).status_code in (
        302, 403)
    assert client.get(reverse("visitor_passes:edit",
                              args=[admitted.visitor_pass_id])).status_code in (302, 403)


def test_a_manager_keeps_the_community_s_settings(client, manager_a, community_a):
    client.force_login(manager_a)
    response = client.post(reverse("visitor_settings:add"), {
        "community": community_a.pk, "allow_single_entry": "on", "allow_multi_entry": "",
        "max_window_hours": "12", "max_days_ahead": "3", "walk_ins_need_confirmation": "",
        "retention_days": "90"})
    assert response.status_code == 302
    setting = VisitorSetting.for_community(community_a)
    assert (setting.max_window_hours, setting.retention_days) == (12, 90)
    assert not setting.allow_multi_entry and not setting.walk_ins_need_confirmation


def test_the_settings_form_refuses_no_kind_of_pass(client, manager_a, community_a):
    client.force_login(manager_a)
    response = client.post(reverse("visitor_settings:add"), {
        "community": community_a.pk, "max_window_hours": "24", "max_days_ahead": "7",
        "retention_days": "180"})
    assert response.status_code == 200
    assert gettext("Allow at least one kind of pass, or owners cannot invite anyone.") in \
        response.context["form"].non_field_errors()
    assert not VisitorSetting.objects.exists()


@pytest.mark.parametrize("field, value", [("max_window_hours", "0"),
                                          ("retention_days", "0"),
                                          ("max_days_ahead", "1000")])
def test_the_settings_form_refuses_values_out_of_range(client, manager_a, community_a,
                                                       field, value):
    client.force_login(manager_a)
    data = {"community": community_a.pk, "allow_single_entry": "on",
            "max_window_hours": "24", "max_days_ahead": "7", "retention_days": "180",
            field: value}
    response = client.post(reverse("visitor_settings:add"), data)
    assert response.context["form"].errors[field]
    assert not VisitorSetting.objects.exists()


def test_a_manager_cannot_keep_the_settings_of_another_community(client, manager_b,
                                                                 community_a):
    setting = VisitorSetting.objects.create(community=community_a)
    client.force_login(manager_b)
    assert client.get(reverse("visitor_settings:edit", args=[setting.pk])).status_code == 404
    response = client.post(reverse("visitor_settings:add"), {
        "community": community_a.pk, "allow_single_entry": "on", "max_window_hours": "24",
        "max_days_ahead": "7", "retention_days": "180"})
    assert response.context["form"].errors["community"]
    assert VisitorSetting.objects.count() == 1


def test_customer_service_reads_the_log_but_does_not_keep_settings(client, service_a,
                                                                   admitted):
    client.force_login(service_a)
    assert client.get(reverse("visitor_log:index")).status_code == 200
    assert client.get(reverse("visitor_settings:add")).status_code in (302, 403)
