"""The owner's visitor pages: inviting (my verified houses only, the community's window
rules next to their fields with the input kept, one pass per form), the pass with its QR
code and short code, the shared page without login and without personal data, my
passes by tab, revoking, and confirming or declining a walk-in."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils.translation import gettext

from services.visitors import gate
from services.visitors.models import VisitorPass, VisitorSetting

from .passes_setup import form, invited

pytestmark = pytest.mark.django_db



def post_invite(client, data):
    return client.post(reverse("visitors:invite"), data)


def test_an_owner_invites_a_visitor_and_gets_the_pass_to_forward(client, resident, house_a):
    client.force_login(resident)
    response = post_invite(client, form(house_a))
    visitor_pass = VisitorPass.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("visitors:shared", args=[visitor_pass.token])
    assert (visitor_pass.plate, visitor_pass.people, visitor_pass.invited_by) == (
        "粤B12345", 2, resident)
    page = client.get(response.url).content.decode()
    assert "<svg" in page and visitor_pass.code_display in page


def test_a_double_tap_makes_one_pass(client, resident, house_a):
    client.force_login(resident)
    data = form(house_a)
    first, second = post_invite(client, data), post_invite(client, data)
    assert first.url == second.url
    assert VisitorPass.objects.count() == 1


@pytest.mark.parametrize(("change", "field", "msgid", "values"), [
    ({"starts_in": timedelta(hours=-3)}, "starts_at",
     "The start is in the past: choose a time from now on.", {}),
    ({"hours": 30}, "ends_at", "A pass lasts at most %(hours)s hours.", {"hours": 24}),
    ({"starts_in": timedelta(days=8)}, "starts_at",
     "Visitors can be invited at most %(days)s days ahead.", {"days": 7}),
    ({"hours": -1}, "ends_at", "The end must come after the start.", {}),
])
def test_a_window_the_community_does_not_allow_is_refused_next_to_its_field(
        client, resident, house_a, change, field, msgid, values):
    client.force_login(resident)
    response = post_invite(client, form(house_a, **change))
    assert response.status_code == 400
    expected = gettext(msgid) % values if values else gettext(msgid)
    assert response.context["form"].errors[field] == [expected]
    assert 'value="王五"' in response.content.decode()  # the input is kept
    assert not VisitorPass.objects.exists()


def test_the_communitys_own_longest_window_applies(client, resident, house_a, community_a):
    VisitorSetting.objects.create(community=community_a, max_window_hours=2)
    client.force_login(resident)
    response = post_invite(client, form(house_a, hours=3))
    assert response.context["form"].errors["ends_at"] == [
        gettext("A pass lasts at most %(hours)s hours.") % {"hours": 2}]


def test_a_kind_the_community_does_not_allow_is_refused(client, resident, house_a,
                                                        community_a):
    VisitorSetting.objects.create(community=community_a, allow_multi_entry=False)
    client.force_login(resident)
    response = post_invite(client, form(house_a, kind="multi"))
    assert response.context["form"].errors["kind"] == [
        gettext("This community does not allow this kind of pass.")]


def test_a_plate_that_is_not_a_plate_is_refused_with_the_input_kept(client, resident,
                                                                    house_a):
    client.force_login(resident)
    response = post_invite(client, form(house_a, plate="ABC"))
    assert response.status_code == 400
    assert "粤B12345" in response.context["form"].errors["plate"][0]
    assert 'value="ABC"' in response.content.decode()
    assert not VisitorPass.objects.exists()


def test_an_owner_cannot_invite_to_a_house_not_theirs(client, resident, house_a2, house_b):
    client.force_login(resident)
    for house in (house_a2, house_b):
        response = post_invite(client, form(house))
        assert "house" in response.context["form"].errors
    assert not VisitorPass.objects.exists()


def test_an_unverified_occupant_cannot_invite(client, house_a):
    from tests import factories as f

    pending = f.ResidentFactory(community=house_a.community)
    f.OccupancyFactory(resident=pending, house=house_a, state="pending")
    client.force_login(pending.user)
    response = client.get(reverse("visitors:invite"))
    assert response.context["form"] is None
    assert gettext("You can invite visitors once one of your houses is verified.") in \
        response.content.decode()
    assert post_invite(client, form(house_a)).context["form"] is None
    assert not VisitorPass.objects.exists()


def test_the_shared_page_opens_without_login_and_shows_no_personal_data(client, resident,
                                                                        house_a):
    visitor_pass = invited(resident, house_a)
    page = client.get(reverse("visitors:shared", args=[visitor_pass.token])).content.decode()
    assert "<svg" in page and visitor_pass.code_display in page
    assert "王**" in page
    for secret in ("王五", "13800138000", "粤B12345", "探亲", "138****8000"):
        assert secret not in page


def test_a_forged_or_altered_link_opens_nothing(client, resident, house_a):
    visitor_pass = invited(resident, house_a)
    altered = visitor_pass.token[:-1] + ("A" if visitor_pass.token[-1] != "A" else "B")
    assert client.get(reverse("visitors:shared", args=[altered])).status_code == 404
    assert client.get(reverse("visitors:shared", args=[f"{visitor_pass.pk}.x:y"])
                      ).status_code == 404


def test_my_passes_by_tab(client, resident, house_a, community_a, manager_a):
    upcoming = invited(resident, house_a, starts_in=timedelta(days=1))
    used = invited(resident, house_a)
    gate.admit(community_a, used.code, manager_a)
    expired = invited(resident, house_a, starts_in=timedelta(days=-2), hours=2)
    client.force_login(resident)
    tabs = {tab: list(client.get(reverse("visitors:list"), {"tab": tab}
                                 ).context["passes"]) for tab in ("upcoming", "used", "past")}
    assert tabs == {"upcoming": [upcoming], "used": [used], "past": [expired]}


def test_an_owner_revokes_a_pass_before_it_is_used(client, resident, house_a, community_a,
                                                   manager_a):
    visitor_pass = invited(resident, house_a)
    client.force_login(resident)
    client.post(reverse("visitors:action", args=[visitor_pass.pk, "revoke"]))
    visitor_pass.refresh_from_db()
    assert visitor_pass.state == VisitorPass.State.REVOKED
    used = invited(resident, house_a)
    gate.admit(community_a, used.code, manager_a)
    response = client.post(reverse("visitors:action", args=[used.pk, "revoke"]), follow=True)
    assert gettext("This pass is %(state)s; that cannot be done now.") % {
        "state": gettext("Used")} in response.content.decode()
    used.refresh_from_db()
    assert used.state == VisitorPass.State.USED


def test_a_neighbour_cannot_reach_my_pass_by_guessing_its_id(client, resident, neighbour,
                                                             house_a):
    visitor_pass = invited(resident, house_a)
    client.force_login(neighbour)
    assert client.get(reverse("visitors:detail", args=[visitor_pass.pk])).status_code == 404
    assert client.post(reverse("visitors:action", args=[visitor_pass.pk, "revoke"])
                       ).status_code == 404
    visitor_pass.refresh_from_db()
    assert visitor_pass.state == VisitorPass.State.ACTIVE


def test_an_owner_confirms_a_walk_in_from_the_message(client, resident, house_a, community_a,
                                                      manager_a,
                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        walk_in = gate.register_walk_in(community_a, house_a, manager_a, visitor_name="赵六")
    message = resident.inbox_messages.get(event="visitors.walk_in.awaiting")
    client.force_login(resident)
    page = client.get(message.url).content.decode()
    assert 'id="confirm-walk-in"' in page
    client.post(reverse("visitors:action", args=[walk_in.pk, "confirm"]))
    walk_in.refresh_from_db()
    assert walk_in.state == VisitorPass.State.ACTIVE


def test_an_owner_declines_a_walk_in(client, resident, house_a, community_a, manager_a):
    walk_in = gate.register_walk_in(community_a, house_a, manager_a, visitor_name="赵六")
    client.force_login(resident)
    client.post(reverse("visitors:action", args=[walk_in.pk, "decline"]))
    walk_in.refresh_from_db()
    assert walk_in.state == VisitorPass.State.DECLINED


def test_the_me_page_leads_to_my_visitors(client, resident):
    client.force_login(resident)
    assert reverse("visitors:list") in client.get(reverse("estates:me")).content.decode()
