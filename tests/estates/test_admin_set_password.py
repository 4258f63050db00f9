"""The property office sets a new password for a phone-only resident."""

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Sunshine-Garden-88"


def url(resident_user):
    return reverse("resident:set_password", args=[resident_user.resident.pk])


def test_records_admin_sets_a_new_password_the_resident_can_log_in_with(client, records_a,
                                                                         resident):
    client.force_login(records_a)
    response = client.post(url(resident), {"new_password1": NEW_PASSWORD,
                                           "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.check_password(NEW_PASSWORD)
    entry = ModelLogEntry.objects.get(action="estates.resident.set_password")
    assert entry.user == records_a
    assert NEW_PASSWORD not in str(entry.data)


def test_a_weak_password_is_refused_with_a_message_and_nothing_changes(client, records_a,
                                                                        resident):
    client.force_login(records_a)
    response = client.post(url(resident), {"new_password1": "12345678",
                                           "new_password2": "12345678"})
    assert response.status_code == 200
    assert response.context["form"].errors
    resident.refresh_from_db()
    assert resident.check_password(PASSWORD)
    assert not ModelLogEntry.objects.filter(action="estates.resident.set_password").exists()


def test_staff_of_another_community_cannot_reach_the_resident(client, manager_b, resident):
    client.force_login(manager_b)
    response = client.post(url(resident), {"new_password1": NEW_PASSWORD,
                                           "new_password2": NEW_PASSWORD})
    assert response.status_code == 404
    resident.refresh_from_db()
    assert resident.check_password(PASSWORD)


def test_customer_service_may_not_set_passwords(client, service_a, resident):
    client.force_login(service_a)
    client.post(url(resident), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    resident.refresh_from_db()
    assert resident.check_password(PASSWORD)
