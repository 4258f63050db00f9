"""Verifying house bindings in the admin: the review screen, verify, reject with a reason,
end; refused transitions become messages and change nothing."""

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.urls import reverse
from wagtail.models import ModelLogEntry

from portal.estates.models import Occupancy
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(house_a):
    resident = f.ResidentFactory(community=house_a.community, name="新住户",
                                 user__phone="13700001111")
    return resident.request_occupancy(house_a, Occupancy.Role.OWNER)


def _review(client, occupancy, **data):
    return client.post(reverse("occupancy:review", args=[occupancy.pk]), data)


def _errors(response):
    return [str(message) for message in get_messages(response.wsgi_request)
            if message.level == messages.ERROR]


def test_review_screen_shows_registrant_masked_house_and_owners_on_file(client, service_a,
                                                                        pending):
    f.OwnerRecordFactory(house=pending.house, name="档案业主", phone="13700001111")
    client.force_login(service_a)
    content = client.get(reverse("occupancy:review", args=[pending.pk])).content.decode()
    assert "新住户" in content
    assert "137****1111" in content
    assert "13700001111" not in content
    assert pending.house.label in content
    assert "档案业主" in content


def test_review_screen_says_whether_the_phone_matches_the_owner_on_file(client, service_a,
                                                                       pending):
    f.OwnerRecordFactory(house=pending.house, phone="13700001111")
    client.force_login(service_a)
    response = client.get(reverse("occupancy:review", args=[pending.pk]))
    assert response.context["matches"] is True


def test_review_screen_warns_when_the_phone_is_not_on_file(client, service_a, pending):
    f.OwnerRecordFactory(house=pending.house, phone="13900009999")
    client.force_login(service_a)
    response = client.get(reverse("occupancy:review", args=[pending.pk]))
    assert response.context["matches"] is False


def test_customer_service_verifies_a_pending_binding(client, service_a, pending):
    client.force_login(service_a)
    _review(client, pending, action="verify")
    pending.refresh_from_db()
    assert pending.state == Occupancy.State.VERIFIED
    assert pending.decided_by == service_a


def test_verifying_is_in_the_audit_log(client, service_a, pending):
    client.force_login(service_a)
    _review(client, pending, action="verify")
    entry = ModelLogEntry.objects.get(object_id=str(pending.pk),
                                      action="estates.occupancy.verify")
    assert entry.user == service_a


def test_verifying_twice_gives_a_clear_message_and_changes_nothing(client, service_a,
                                                                   records_a, pending):
    client.force_login(service_a)
    _review(client, pending, action="verify")
    client.force_login(records_a)
    response = _review(client, pending, action="verify")
    pending.refresh_from_db()
    assert pending.decided_by == service_a
    assert ModelLogEntry.objects.filter(action="estates.occupancy.verify").count() == 1
    [error] = _errors(response)
    assert str(pending.get_state_display()) in error  # "This binding is verified and..."


def test_rejecting_needs_a_reason(client, service_a, pending):
    client.force_login(service_a)
    response = _review(client, pending, action="reject", reason="  ")
    pending.refresh_from_db()
    assert pending.state == Occupancy.State.PENDING
    assert response.status_code == 200
    assert response.context["reject_form"].errors["reason"]


def test_rejecting_with_a_reason_keeps_it_for_the_resident(client, service_a, pending):
    client.force_login(service_a)
    _review(client, pending, action="reject", reason="档案中无此业主")
    pending.refresh_from_db()
    assert (pending.state, pending.reason) == (Occupancy.State.REJECTED, "档案中无此业主")


def test_role_without_verify_permission_is_refused(client, pending, company, community_a):
    from portal.estates import roles

    finance = f.StaffFactory(company=company, user__groups=[roles.FINANCE],
                             communities=[community_a]).user
    client.force_login(finance)
    response = _review(client, pending, action="verify")
    pending.refresh_from_db()
    assert response.url == reverse("wagtailadmin_home")
    assert pending.state == Occupancy.State.PENDING


def test_records_admin_ends_a_verified_binding(client, records_a, resident):
    occupancy = resident.resident.occupancies.get()
    client.force_login(records_a)
    client.post(reverse("occupancy:end", args=[occupancy.pk]), {"reason": "已搬离"})
    occupancy.refresh_from_db()
    assert occupancy.state == Occupancy.State.ENDED
    assert ModelLogEntry.objects.filter(object_id=str(occupancy.pk),
                                        action="estates.occupancy.end").exists()


def test_ending_an_ended_binding_gives_a_message(client, records_a, resident):
    occupancy = resident.resident.occupancies.get()
    occupancy.end(by=records_a)
    client.force_login(records_a)
    response = client.post(reverse("occupancy:end", args=[occupancy.pk]), {"reason": ""},
                           follow=True)
    [error] = _errors(response)
    assert str(occupancy.get_state_display()) in error


def test_customer_service_may_not_end_a_binding(client, service_a, resident):
    occupancy = resident.resident.occupancies.get()
    client.force_login(service_a)
    client.post(reverse("occupancy:end", args=[occupancy.pk]), {"reason": ""})
    occupancy.refresh_from_db()
    assert occupancy.state == Occupancy.State.VERIFIED


def test_pending_filter_lists_only_pending_bindings(client, service_a, pending, resident):
    client.force_login(service_a)
    response = client.get(reverse("occupancy:index"), {"state": "pending"})
    assert list(response.context["object_list"]) == [pending]


def test_menu_takes_customer_service_to_the_pending_bindings(client, service_a):
    client.force_login(service_a)
    content = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("occupancy:index") + "?state=pending" in content


def test_listing_offers_review_for_a_pending_binding(client, service_a, pending):
    client.force_login(service_a)
    content = client.get(reverse("occupancy:index")).content.decode()
    assert reverse("occupancy:review", args=[pending.pk]) in content
