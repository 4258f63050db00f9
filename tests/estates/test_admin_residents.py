"""Disabling and enabling resident accounts from the admin, and the resident's record."""

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.models import ModelLogEntry

pytestmark = pytest.mark.django_db


def _disable(client, resident_user, reason="恶意注册"):
    return client.post(reverse("resident:disable", args=[resident_user.resident.pk]),
                       {"reason": reason})


def test_records_admin_disables_an_account(client, records_a, resident):
    client.force_login(records_a)
    _disable(client, resident)
    resident.refresh_from_db()
    assert not resident.is_active


def test_disabling_logs_the_resident_out_at_once(client, records_a, resident):
    resident_client = Client()
    resident_client.force_login(resident)
    client.force_login(records_a)
    _disable(client, resident)
    response = resident_client.get(reverse("healthz"))
    assert not response.wsgi_request.user.is_authenticated


def test_disabling_needs_a_reason(client, records_a, resident):
    client.force_login(records_a)
    response = _disable(client, resident, reason="")
    resident.refresh_from_db()
    assert resident.is_active
    assert response.context["form"].errors["reason"]


def test_disabling_is_in_the_audit_log_with_its_reason(client, records_a, resident):
    client.force_login(records_a)
    _disable(client, resident)
    entry = ModelLogEntry.objects.get(action="estates.resident.disable")
    assert (entry.user, entry.object_id, entry.data["reason"]) == (
        records_a, str(resident.resident.pk), "恶意注册")


def test_customer_service_may_not_disable_an_account(client, service_a, resident):
    client.force_login(service_a)
    response = _disable(client, resident)
    resident.refresh_from_db()
    assert response.url == reverse("wagtailadmin_home")
    assert resident.is_active


def test_records_admin_enables_a_disabled_account(client, records_a, resident):
    resident.resident.disable(by=records_a, reason="误操作")
    client.force_login(records_a)
    client.post(reverse("resident:enable", args=[resident.resident.pk]), {"reason": ""})
    resident.refresh_from_db()
    assert resident.is_active
    assert ModelLogEntry.objects.filter(action="estates.resident.enable").exists()


def test_disabling_a_disabled_account_changes_nothing(client, records_a, resident):
    resident.resident.disable(by=records_a, reason="第一次")
    client.force_login(records_a)
    _disable(client, resident, reason="第二次")
    assert ModelLogEntry.objects.filter(action="estates.resident.disable").count() == 1


def test_inspect_view_shows_the_audit_history(client, records_a, resident):
    resident.resident.disable(by=records_a, reason="恶意注册")
    client.force_login(records_a)
    response = client.get(reverse("resident:inspect", args=[resident.resident.pk]))
    assert [entry.action for entry in response.context["audit_trail"]] == [
        "estates.resident.disable"]
    assert "恶意注册" in response.content.decode()


def test_inspect_view_shows_house_binding_history_too(client, records_a, resident):
    occupancy = resident.resident.occupancies.get()
    occupancy.end(by=records_a, reason="已搬离")
    client.force_login(records_a)
    response = client.get(reverse("resident:inspect", args=[resident.resident.pk]))
    assert "estates.occupancy.end" in [entry.action for entry in response.context["audit_trail"]]


def test_inspect_view_offers_disable_to_those_who_may(client, records_a, resident):
    client.force_login(records_a)
    content = client.get(reverse("resident:inspect", args=[resident.resident.pk])
                         ).content.decode()
    assert reverse("resident:disable", args=[resident.resident.pk]) in content


def test_inspect_view_shows_phone_and_id_number_masked(client, records_a, resident):
    resident.resident.id_number = "110101199001011234"
    resident.resident.save()
    client.force_login(records_a)
    content = client.get(reverse("resident:inspect", args=[resident.resident.pk])
                         ).content.decode()
    assert resident.phone not in content
    assert resident.masked_phone in content
    assert "110101199001011234" not in content
    assert "110***********1234" in content


def test_editing_a_resident_is_in_the_audit_log(client, records_a, resident):
    client.force_login(records_a)
    client.post(reverse("resident:edit", args=[resident.resident.pk]),
                {"name": "改过的名字", "id_number": ""})
    resident.resident.refresh_from_db()
    assert resident.resident.name == "改过的名字"
    assert ModelLogEntry.objects.filter(action="wagtail.edit", user=records_a,
                                        object_id=str(resident.resident.pk)).exists()
