"""The guard's gate workbench: who may open it and at which community, checking a code
records nothing, recording an entry records it once, refusals say why, exits, and
today's expected visitors and the gate's log."""

from datetime import timedelta
from uuid import uuid4

import pytest
from django.utils.html import escape
from django.utils.translation import gettext

from services.visitors.models import GateEntry, VisitorPass

from .gate_setup import *  # noqa: F403 (the fixtures)
from .gate_setup import GATE, gate_url, make_pass

pytestmark = pytest.mark.django_db


def check(client, code):
    return client.get(gate_url("check"), {"code": code})


def admit(client, response):
    """Presses "record entry" on a result page."""
    return client.post(gate_url("admit"), {"code": response.context["code"],
                                           "key": response.context["key"]})


@pytest.mark.parametrize("persona", ["resident", "worker_a", "records_a", "outsider"])
def test_only_guards_and_desk_staff_may_open_the_gate(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(GATE)
    assert response.status_code == 403
    assert gettext("This page is for the gate") in response.content.decode()


def test_the_gate_asks_anonymous_visitors_to_log_in(client):
    assert client.get(GATE).status_code == 302


def test_a_guard_of_one_community_works_its_gate_at_once(client, guard_a, community_a):
    client.force_login(guard_a)
    response = client.get(GATE)
    assert response.status_code == 200
    assert response.context["community"] == community_a
    page = response.content.decode()
    assert 'inputmode="numeric"' in page
    assert 'action="/gate/check/"' in page


def test_a_guard_of_two_communities_picks_the_gate_once(client, guard_ab, community_a,
                                                        community_b):
    client.force_login(guard_ab)
    response = client.get(GATE)
    assert response.status_code == 302 and response.url == gate_url("community")
    response = client.post(gate_url("community"), {"community": community_b.pk})
    assert response.status_code == 302
    assert client.get(GATE).context["community"] == community_b


def test_a_guard_cannot_pick_another_community(client, guard_a, community_a, community_b):
    client.force_login(guard_a)
    response = client.post(gate_url("community"), {"community": community_b.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["community"]
    assert client.get(GATE).context["community"] == community_a


def test_checking_a_valid_code_shows_green_and_records_nothing(client, guard_a,
                                                               visitor_pass):
    client.force_login(guard_a)
    response = check(client, visitor_pass.code)
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["verdict"].ok
    assert 'class="gate-verdict gate-verdict_ok"' in page
    assert str(visitor_pass.house) in page
    assert "139****5678" in page and "13912345678" not in page
    assert "粤B12345" in page
    assert 'id="admit"' in page
    assert not GateEntry.objects.exists()
    visitor_pass.refresh_from_db()
    assert visitor_pass.state == VisitorPass.State.ACTIVE


def test_the_scanned_token_checks_like_the_typed_code(client, guard_a, visitor_pass):
    client.force_login(guard_a)
    response = check(client, visitor_pass.token)
    assert response.context["verdict"].ok
    assert response.context["visitor_pass"] == visitor_pass


def test_recording_the_entry_uses_a_single_entry_pass(client, guard_a, visitor_pass):
    client.force_login(guard_a)
    result = check(client, visitor_pass.code)
    response = admit(client, result)
    assert response.status_code == 302 and response.url == GATE
    visitor_pass.refresh_from_db()
    assert visitor_pass.state == VisitorPass.State.USED
    assert GateEntry.objects.filter(visitor_pass=visitor_pass,
                                    result=GateEntry.Result.ADMITTED).count() == 1
    again = check(client, visitor_pass.code)
    assert not again.context["verdict"].ok
    assert 'class="gate-verdict gate-verdict_refused"' in again.content.decode()
    # The second scan is a refused attempt in the log; the pass stays used once.
    assert list(GateEntry.objects.filter(result=GateEntry.Result.REFUSED)
                .values_list("visitor_pass", "reason")) == [(visitor_pass.pk, "used")]


def test_a_double_tapped_entry_is_recorded_once(client, guard_a, resident, house_a):
    multi = make_pass(resident, house_a, kind="multi")
    client.force_login(guard_a)
    result = check(client, multi.code)
    admit(client, result)
    response = admit(client, result)
    assert response.status_code == 302
    assert GateEntry.objects.filter(visitor_pass=multi).count() == 1
    page = client.get(GATE).content.decode()
    assert gettext("This entry was recorded already.") in page


def test_an_admitted_multi_entry_visitor_may_be_recorded_leaving(client, guard_a,
                                                                 resident, house_a):
    multi = make_pass(resident, house_a, kind="multi")
    client.force_login(guard_a)
    admit(client, check(client, multi.code))
    result = check(client, multi.code)
    assert result.context["inside"]
    response = client.post(gate_url("exit"), {"visitor_pass": multi.pk,
                                              "key": result.context["key"]})
    assert response.status_code == 302
    assert not check(client, multi.code).context["inside"]


@pytest.mark.parametrize("when, reason", [
    ({"starts_in": timedelta(hours=5)}, "not_yet_valid"),
    ({"starts_in": timedelta(hours=-10), "hours": 2}, "expired"),
])
def test_a_pass_outside_its_window_is_red_with_the_reason(client, guard_a, resident,
                                                          house_a, when, reason):
    visitor_pass = make_pass(resident, house_a, **when)
    client.force_login(guard_a)
    response = check(client, visitor_pass.code)
    assert not response.context["verdict"].ok
    assert response.context["verdict"].reason == reason
    assert 'id="admit"' not in response.content.decode()
    # The refused attempt is in the gate log; the pass is unchanged.
    assert list(GateEntry.objects.values_list("visitor_pass", "result", "reason")) == [
        (visitor_pass.pk, GateEntry.Result.REFUSED, reason)]


def test_a_revoked_pass_is_red(client, guard_a, resident, visitor_pass):
    visitor_pass.revoke(by=resident)
    client.force_login(guard_a)
    response = check(client, visitor_pass.code)
    assert response.context["verdict"].reason == "revoked"


def test_a_forged_code_is_refused_and_only_a_refused_entry_is_recorded(client, guard_a,
                                                                       visitor_pass):
    client.force_login(guard_a)
    forged = visitor_pass.token[:-2] + ("AA" if not visitor_pass.token.endswith("AA")
                                        else "BB")
    response = check(client, forged)
    assert not response.context["verdict"].ok
    assert response.context["visitor_pass"] is None
    # Pressing a hand-made admit anyway: refused, recorded as refused, nothing else.
    response = client.post(gate_url("admit"), {"code": forged, "key": uuid4().hex})
    assert response.status_code == 409
    # The check and the admit: two refused attempts, neither naming the pass.
    assert list(GateEntry.objects.values_list("result", "visitor_pass")) == [
        (GateEntry.Result.REFUSED, None)] * 2
    visitor_pass.refresh_from_db()
    assert visitor_pass.state == VisitorPass.State.ACTIVE


def test_a_typed_code_that_matches_nothing_says_so(client, guard_a, visitor_pass):
    client.force_login(guard_a)
    response = check(client, "00000000")
    assert not response.context["verdict"].ok
    entry = GateEntry.objects.get()
    assert (entry.result, entry.reason, entry.visitor_pass) == (
        GateEntry.Result.REFUSED, GateEntry.Reason.UNKNOWN, None)
    assert entry.code_digest and "00000000" not in entry.code_digest


def test_an_empty_code_asks_for_one(client, guard_a):
    client.force_login(guard_a)
    response = check(client, "")
    assert response.status_code == 400
    assert escape(gettext("Type the code shown under the visitor's QR code.")) in \
        response.content.decode()


def test_a_guard_of_community_b_cannot_check_or_admit_a_pass_of_a(client, guard_b,
                                                                  visitor_pass):
    client.force_login(guard_b)
    for code in (visitor_pass.code, visitor_pass.token):
        response = check(client, code)
        assert not response.context["verdict"].ok
        assert response.context["visitor_pass"] is None
        assert visitor_pass.visitor_name not in response.content.decode()
    response = client.post(gate_url("admit"), {"code": visitor_pass.token, "key": uuid4().hex})
    assert response.status_code == 409
    visitor_pass.refresh_from_db()
    assert visitor_pass.state == VisitorPass.State.ACTIVE
    assert not GateEntry.objects.filter(visitor_pass=visitor_pass).exists()


def test_a_guard_of_community_b_cannot_record_an_exit_by_guessed_id(client, guard_b,
                                                                    visitor_pass):
    client.force_login(guard_b)
    response = client.post(gate_url("exit"), {"visitor_pass": visitor_pass.pk,
                                              "key": uuid4().hex})
    assert response.status_code == 404
    assert not GateEntry.objects.exists()


def test_the_expected_list_shows_today_s_visitors_by_building(client, guard_a, resident,
                                                               neighbour, house_a,
                                                               house_a2, visitor_pass):
    other = make_pass(neighbour, house_a2, visitor_name="赵六")
    tomorrow = make_pass(resident, house_a, starts_in=timedelta(days=2),
                         visitor_name="明天来")
    client.force_login(guard_a)
    page = client.get(gate_url("expected")).content.decode()
    assert "李四" in page and "赵六" in page and "明天来" not in page
    response = client.get(gate_url("expected"), {"building": house_a2.building_id})
    assert list(response.context["passes"]) == [other]
    assert tomorrow.pk


def test_the_expected_list_shows_nothing_of_another_community(client, guard_b,
                                                              visitor_pass):
    client.force_login(guard_b)
    response = client.get(gate_url("expected"))
    assert "李四" not in response.content.decode()
    response = client.get(gate_url("expected"), {"building": visitor_pass.house.building_id})
    assert "李四" not in response.content.decode()


def test_the_gate_log_lists_this_gate_s_entries_only(client, guard_a, guard_b,
                                                     visitor_pass):
    client.force_login(guard_a)
    admit(client, check(client, visitor_pass.code))
    page = client.get(gate_url("log")).content.decode()
    assert "李四" in page
    client.force_login(guard_b)
    assert "李四" not in client.get(gate_url("log")).content.decode()



def test_a_refused_exit_gives_its_key_back(client, guard_a, resident, house_a):
    multi = make_pass(resident, house_a, kind="multi")
    client.force_login(guard_a)
    key = uuid4().hex
    client.post(gate_url("exit"), {"visitor_pass": multi.pk, "key": key})
    assert not GateEntry.objects.exists()
    admit(client, check(client, multi.code))
    client.post(gate_url("exit"), {"visitor_pass": multi.pk, "key": key})
    assert GateEntry.objects.filter(visitor_pass=multi,
                                    result=GateEntry.Result.EXITED).count() == 1
