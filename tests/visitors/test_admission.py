"""The gate's rules (services.visitors.gate): a code or token says which pass, whether it
admits now and why not; admitting writes the gate log once per attempt."""

from datetime import timedelta

import pytest
from django.core import signing
from django.utils.translation import gettext

from portal.estates.errors import TransitionNotAllowed
from services.visitors import gate
from services.visitors.models import GateEntry, PassEvent, VisitorPass, VisitorSetting

from .passes_setup import invited

pytestmark = pytest.mark.django_db
Reason = GateEntry.Reason


@pytest.fixture
def guard(manager_a):
    return manager_a


def test_a_valid_pass_is_inspected_by_code_or_token_without_recording(resident, house_a,
                                                                      community_a):
    visitor_pass = invited(resident, house_a)
    for code in (visitor_pass.code, f" {visitor_pass.code_display} ", visitor_pass.token):
        verdict = gate.inspect(community_a, code)
        assert verdict.ok and verdict.pass_ == visitor_pass
        assert verdict.message == gettext("Valid")
    assert not GateEntry.objects.exists()


def test_the_code_and_token_carry_no_personal_data(resident, house_a):
    visitor_pass = invited(resident, house_a)
    assert len(visitor_pass.code) == 8 and visitor_pass.code.isdigit()
    for secret in ("王五", "13800138000", "粤B12345", str(house_a.number)):
        assert secret not in visitor_pass.token


def test_a_single_entry_pass_admits_once(resident, house_a, community_a, guard):
    visitor_pass = invited(resident, house_a)
    first = gate.admit(community_a, visitor_pass.code, guard)
    assert first.ok
    second = gate.admit(community_a, visitor_pass.code, guard)
    assert not second.ok and second.reason == Reason.USED
    visitor_pass.refresh_from_db()
    assert visitor_pass.state == VisitorPass.State.USED and visitor_pass.used_at
    assert [e.result for e in visitor_pass.entries.order_by("pk")] == ["admitted", "refused"]
    assert visitor_pass.events.filter(action=PassEvent.Action.USED).count() == 1


def test_a_multi_entry_pass_admits_again_within_its_window(resident, house_a, community_a,
                                                          guard):
    visitor_pass = invited(resident, house_a, kind=VisitorPass.Kind.MULTI)
    assert gate.admit(community_a, visitor_pass.token, guard).ok
    gate.record_exit(visitor_pass, guard)
    assert gate.admit(community_a, visitor_pass.token, guard).ok
    visitor_pass.refresh_from_db()
    assert visitor_pass.state == VisitorPass.State.ACTIVE
    assert visitor_pass.entries.filter(result="admitted").count() == 2


@pytest.mark.parametrize(("starts_in", "hours", "reason"), [
    (timedelta(hours=2), 4, Reason.NOT_YET_VALID),
    (timedelta(hours=-5), 4, Reason.EXPIRED),
])
def test_a_pass_outside_its_window_is_refused_and_logged(resident, house_a, community_a,
                                                        guard, starts_in, hours, reason):
    visitor_pass = invited(resident, house_a, starts_in=starts_in, hours=hours)
    verdict = gate.admit(community_a, visitor_pass.code, guard)
    assert not verdict.ok and verdict.reason == reason
    moment = visitor_pass.starts_at if reason == Reason.NOT_YET_VALID else visitor_pass.ends_at
    assert gate._when(moment) in verdict.message
    entry = GateEntry.objects.get()
    assert (entry.result, entry.reason, entry.visitor_pass) == ("refused", reason, visitor_pass)


def test_a_revoked_pass_is_refused(resident, house_a, community_a, guard):
    visitor_pass = invited(resident, house_a)
    visitor_pass.revoke(by=resident)
    verdict = gate.admit(community_a, visitor_pass.code, guard)
    assert verdict.reason == Reason.REVOKED
    assert verdict.message == gettext("Revoked: the owner cancelled this pass.")


def test_a_pass_of_another_community_is_refused_without_showing_it(resident, house_a,
                                                                   community_b, manager_b):
    visitor_pass = invited(resident, house_a)
    for code in (visitor_pass.code, visitor_pass.token):
        verdict = gate.admit(community_b, code, manager_b)
        assert verdict.reason == Reason.WRONG_COMMUNITY and verdict.pass_ is None
    assert GateEntry.objects.filter(community=community_b, visitor_pass=None).count() == 2
    visitor_pass.refresh_from_db()
    assert visitor_pass.state == VisitorPass.State.ACTIVE


def test_forged_or_altered_codes_are_refused_and_logged_as_a_digest(resident, house_a,
                                                                    community_a, guard):
    visitor_pass = invited(resident, house_a)
    pk, nonce = f"{visitor_pass.pk}", visitor_pass.nonce
    altered = visitor_pass.token.replace(f"{pk}.", f"{int(pk) + 1}.", 1)
    forged_unsigned = f"{pk}.{nonce}"
    wrong_nonce = signing.Signer(salt="wrong").sign(f"{pk}.{nonce}")
    other_code = f"{(int(visitor_pass.code) + 1) % 10 ** 8:08d}"
    for code in (altered, forged_unsigned, wrong_nonce, other_code, "", "<script>"):
        verdict = gate.admit(community_a, code, guard)
        assert verdict.reason == Reason.UNKNOWN and verdict.pass_ is None
        assert verdict.message == gettext(
            "Unknown code: it names no pass, or it was altered or forged.")
    entries = GateEntry.objects.filter(reason=Reason.UNKNOWN)
    assert entries.count() == 6
    assert all(len(entry.code_digest) == 64 for entry in entries)
    assert not entries.filter(code_digest__contains=other_code).exists()


def test_a_token_of_a_pass_whose_nonce_changed_is_refused(resident, house_a, community_a):
    visitor_pass = invited(resident, house_a)
    token = visitor_pass.token
    VisitorPass.objects.filter(pk=visitor_pass.pk).update(nonce="0" * 32)
    assert gate.inspect(community_a, token).reason == Reason.UNKNOWN


def test_an_exit_needs_an_entry_before_it(resident, house_a, community_a, guard):
    visitor_pass = invited(resident, house_a, kind=VisitorPass.Kind.MULTI)
    with pytest.raises(TransitionNotAllowed):
        gate.record_exit(visitor_pass, guard)
    gate.admit(community_a, visitor_pass.code, guard)
    gate.record_exit(visitor_pass, guard)
    with pytest.raises(TransitionNotAllowed):
        gate.record_exit(visitor_pass, guard)


def test_a_walk_in_waits_for_the_owner_and_is_admitted_once_confirmed(
        resident, house_a, community_a, guard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        walk_in = gate.register_walk_in(community_a, house_a, guard, visitor_name="赵六",
                                        people=1, plate="粤b 12345", purpose="送货")
    assert walk_in.state == VisitorPass.State.AWAITING_CONFIRMATION
    assert walk_in.plate == "粤B12345" and walk_in.source == VisitorPass.Source.WALK_IN
    assert resident.inbox_messages.filter(event="visitors.walk_in.awaiting").exists()
    assert gate.admit(community_a, walk_in.code, guard).reason == Reason.AWAITING_CONFIRMATION
    walk_in.confirm_walk_in(by=resident)
    with django_capture_on_commit_callbacks(execute=True):
        assert gate.admit(community_a, walk_in.code, guard).ok
    assert resident.inbox_messages.filter(event="visitors.arrived").exists()


def test_a_declined_walk_in_is_refused(resident, house_a, community_a, guard):
    walk_in = gate.register_walk_in(community_a, house_a, guard, visitor_name="赵六")
    walk_in.decline_walk_in(by=resident)
    assert gate.inspect(community_a, walk_in.code).reason == Reason.DECLINED
    with pytest.raises(TransitionNotAllowed):
        walk_in.confirm_walk_in(by=resident)


def test_only_an_occupant_of_the_house_confirms_a_walk_in(resident, neighbour, house_a,
                                                         community_a, guard):
    walk_in = gate.register_walk_in(community_a, house_a, guard, visitor_name="赵六")
    with pytest.raises(TransitionNotAllowed):
        walk_in.confirm_walk_in(by=neighbour)
    walk_in.refresh_from_db()
    assert walk_in.state == VisitorPass.State.AWAITING_CONFIRMATION


def test_a_walk_in_is_admitted_at_once_where_no_confirmation_is_needed(
        resident, house_a, community_a, guard, django_capture_on_commit_callbacks):
    VisitorSetting.objects.create(community=community_a, walk_ins_need_confirmation=False)
    with django_capture_on_commit_callbacks(execute=True):
        walk_in = gate.register_walk_in(community_a, house_a, guard, visitor_name="赵六")
    assert walk_in.state == VisitorPass.State.USED
    assert walk_in.entries.get().result == GateEntry.Result.ADMITTED
    assert resident.inbox_messages.filter(event="visitors.arrived").exists()


def test_a_walk_in_to_a_house_of_another_community_is_refused(house_b, community_a, guard):
    with pytest.raises(TransitionNotAllowed):
        gate.register_walk_in(community_a, house_b, guard, visitor_name="赵六")
    assert not VisitorPass.objects.exists()


def test_a_walk_in_with_a_plate_that_is_not_a_plate_records_nothing(house_a, community_a,
                                                                   guard):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        gate.register_walk_in(community_a, house_a, guard, visitor_name="赵六",
                              plate="hello")
    assert "plate" in refused.value.message_dict
    assert not VisitorPass.objects.exists() and not GateEntry.objects.exists()


def test_expected_today_lists_open_passes_of_today_by_building(resident, neighbour, house_a,
                                                              house_a2, community_a):
    now_pass = invited(resident, house_a, starts_in=timedelta(hours=-1))
    other_building = invited(neighbour, house_a2, starts_in=timedelta(minutes=-10))
    invited(resident, house_a, starts_in=timedelta(hours=-6), hours=2)  # over
    invited(resident, house_a, starts_in=timedelta(days=2))  # another day
    revoked = invited(resident, house_a)
    revoked.revoke(by=resident)
    assert list(gate.expected_today(community_a)) == [now_pass, other_building]
    assert list(gate.expected_today(community_a, building=house_a2.building)) == [
        other_building]


def test_a_setting_allows_at_least_one_kind_of_pass(community_a):
    from django.core.exceptions import ValidationError

    setting = VisitorSetting(community=community_a, allow_single_entry=False,
                             allow_multi_entry=False)
    with pytest.raises(ValidationError) as refused:
        setting.full_clean()
    assert "allow_multi_entry" in refused.value.message_dict


def test_a_community_without_a_setting_has_the_defaults(community_a):
    setting = VisitorSetting.for_community(community_a)
    assert setting.pk is None
    assert (setting.max_window_hours, setting.max_days_ahead, setting.retention_days,
            setting.walk_ins_need_confirmation) == (24, 7, 180, True)
    assert setting.kinds() == [VisitorPass.Kind.SINGLE, VisitorPass.Kind.MULTI]
