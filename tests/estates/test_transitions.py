"""State changes of residents, house bindings and communities: each guarded, each logged,
a refused one changes nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from wagtail.models import ModelLogEntry

from portal.estates.errors import TransitionNotAllowed
from portal.estates.models import Occupancy
from tests import factories as f

pytestmark = pytest.mark.django_db

State = Occupancy.State


@pytest.fixture
def newcomer(community_a):
    return f.ResidentFactory(community=community_a)


@pytest.fixture
def pending(newcomer, house_a):
    return newcomer.request_occupancy(house_a, Occupancy.Role.OWNER)


def _stored(occupancy):
    return Occupancy.objects.get(pk=occupancy.pk)


def _logged(action):
    return list(ModelLogEntry.objects.filter(action=action))


def test_request_creates_a_pending_binding(pending):
    assert _stored(pending).state == State.PENDING


def test_request_is_logged_as_the_resident(newcomer, pending):
    [entry] = _logged("estates.occupancy.request")
    assert entry.user == newcomer.user


def test_request_for_a_house_of_another_community_is_refused(newcomer, house_b):
    with pytest.raises(ValidationError):
        newcomer.request_occupancy(house_b, Occupancy.Role.OWNER)
    assert not newcomer.occupancies.exists()


def test_requesting_the_same_house_twice_is_refused(newcomer, house_a, pending):
    with pytest.raises(ValidationError):
        newcomer.request_occupancy(house_a, Occupancy.Role.TENANT)
    assert newcomer.occupancies.count() == 1


def test_database_refuses_two_active_bindings_of_one_resident_to_one_house(pending):
    with pytest.raises(IntegrityError):
        Occupancy.objects.create(resident=pending.resident, house=pending.house,
                                 role=Occupancy.Role.FAMILY)


def test_requesting_again_after_a_rejection_is_allowed(newcomer, house_a, pending, service_a):
    pending.reject(by=service_a, reason="档案不符")
    again = newcomer.request_occupancy(house_a, Occupancy.Role.OWNER)
    assert _stored(again).state == State.PENDING


def test_verify_records_who_and_when(pending, service_a):
    pending.verify(by=service_a)
    stored = _stored(pending)
    assert (stored.state, stored.decided_by) == (State.VERIFIED, service_a)
    assert stored.decided_at is not None


def test_verify_is_logged(pending, service_a):
    pending.verify(by=service_a)
    [entry] = _logged("estates.occupancy.verify")
    assert (entry.user, entry.object_id) == (service_a, str(pending.pk))


@pytest.mark.parametrize("state", [State.VERIFIED, State.REJECTED, State.ENDED])
def test_only_a_pending_binding_can_be_verified(pending, service_a, state):
    Occupancy.objects.filter(pk=pending.pk).update(state=state)
    with pytest.raises(TransitionNotAllowed):
        pending.verify(by=service_a)
    assert _stored(pending).state == state
    assert not _logged("estates.occupancy.verify")


def test_a_stale_copy_cannot_verify_what_another_clerk_rejected(pending, service_a,
                                                                records_a):
    stale = Occupancy.objects.get(pk=pending.pk)
    pending.reject(by=records_a, reason="档案不符")
    with pytest.raises(TransitionNotAllowed):
        stale.verify(by=service_a)
    assert _stored(pending).state == State.REJECTED


def test_reject_keeps_the_reason(pending, service_a):
    pending.reject(by=service_a, reason=" 档案中无此业主 ")
    assert _stored(pending).reason == "档案中无此业主"


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_reject_without_a_reason_is_refused(pending, service_a, reason):
    with pytest.raises(ValidationError):
        pending.reject(by=service_a, reason=reason)
    assert _stored(pending).state == State.PENDING


def test_only_a_pending_binding_can_be_rejected(pending, service_a):
    pending.verify(by=service_a)
    with pytest.raises(TransitionNotAllowed):
        pending.reject(by=service_a, reason="太晚了")
    assert _stored(pending).state == State.VERIFIED


@pytest.mark.parametrize("decide", ["pending", "verified"])
def test_an_active_binding_can_be_ended(pending, records_a, decide):
    if decide == "verified":
        pending.verify(by=records_a)
    pending.end(by=records_a, reason="已搬离")
    stored = _stored(pending)
    assert (stored.state, stored.reason) == (State.ENDED, "已搬离")
    assert stored.ended_at is not None


def test_a_rejected_binding_cannot_be_ended(pending, records_a):
    pending.reject(by=records_a, reason="档案不符")
    with pytest.raises(TransitionNotAllowed):
        pending.end(by=records_a)
    assert not _logged("estates.occupancy.end")


def test_an_ended_binding_no_longer_counts_as_active(pending, records_a):
    pending.end(by=records_a)
    assert not Occupancy.objects.active().filter(pk=pending.pk).exists()


def test_matches_owner_record_when_the_phone_is_on_file(pending):
    f.OwnerRecordFactory(house=pending.house, phone=pending.resident.phone)
    assert pending.matches_owner_record()


def test_does_not_match_an_owner_record_of_another_house(pending, house_a2):
    f.OwnerRecordFactory(house=house_a2, phone=pending.resident.phone)
    assert not pending.matches_owner_record()


def test_disable_closes_the_account(resident, records_a):
    resident.resident.disable(by=records_a, reason="恶意注册")
    resident.refresh_from_db()
    assert not resident.is_active


def test_disable_is_logged_with_the_reason(resident, records_a):
    resident.resident.disable(by=records_a, reason="恶意注册")
    [entry] = _logged("estates.resident.disable")
    assert (entry.user, entry.data["reason"]) == (records_a, "恶意注册")


def test_disabling_twice_is_refused(resident, records_a):
    resident.resident.disable(by=records_a)
    with pytest.raises(TransitionNotAllowed):
        resident.resident.disable(by=records_a)
    assert len(_logged("estates.resident.disable")) == 1


def test_enable_opens_a_disabled_account(resident, records_a):
    resident.resident.disable(by=records_a)
    resident.resident.enable(by=records_a)
    resident.refresh_from_db()
    assert resident.is_active
    assert len(_logged("estates.resident.enable")) == 1


def test_enabling_an_active_account_is_refused(resident, records_a):
    with pytest.raises(TransitionNotAllowed):
        resident.resident.enable(by=records_a)
    assert not _logged("estates.resident.enable")


def test_withdrawing_registration_codes_raises_the_version(community_a, manager_a):
    before = community_a.registration_version
    community_a.withdraw_registration_codes(by=manager_a)
    community_a.refresh_from_db()
    assert community_a.registration_version == before + 1


def test_withdrawing_registration_codes_is_logged(community_a, manager_a):
    community_a.withdraw_registration_codes(by=manager_a, reason="海报被撕")
    [entry] = _logged("estates.community.withdraw_codes")
    assert (entry.user, entry.data["reason"]) == (manager_a, "海报被撕")
