"""Revoking a pass asks first, on a plain page an elderly owner can read on a phone
("Revoke this pass?" with "Yes, revoke" and "Cancel"), no script needed: the pass's page
revokes nothing by itself, only the asking page's POST does, and a second tap changes
nothing more."""

import re

import pytest
from django.urls import reverse
from django.utils.translation import gettext

from services.visitors import gate
from services.visitors.models import PassEvent, VisitorPass

from .passes_setup import invited

pytestmark = pytest.mark.django_db


def revoke_url(visitor_pass):
    return reverse("visitors:action", args=[visitor_pass.pk, "revoke"])


def test_the_pass_page_has_no_form_that_revokes_at_once(client, resident, house_a):
    visitor_pass = invited(resident, house_a)
    client.force_login(resident)
    page = client.get(reverse("visitors:detail", args=[visitor_pass.pk])).content.decode()
    forms = re.findall(r"<form[^>]*>", page)
    assert not [tag for tag in forms if revoke_url(visitor_pass) in tag]
    assert re.search(rf'<a[^>]*id="revoke-pass"[^>]*href="{revoke_url(visitor_pass)}"', page)


def test_opening_revoke_asks_first_and_changes_nothing(client, resident, house_a):
    visitor_pass = invited(resident, house_a)
    client.force_login(resident)
    response = client.get(revoke_url(visitor_pass))
    assert response.status_code == 200
    page = response.content.decode()
    assert gettext("Revoke this pass?") in page
    assert re.search(rf'<form method="post" action="{revoke_url(visitor_pass)}"', page)
    assert gettext("Yes, revoke") in page and 'id="revoke-confirm"' in page
    detail = reverse("visitors:detail", args=[visitor_pass.pk])
    assert re.search(rf'<a[^>]*id="revoke-cancel"[^>]*href="{detail}"', page)
    assert "王五" in page  # which visitor's pass is being revoked
    visitor_pass.refresh_from_db()
    assert visitor_pass.state == VisitorPass.State.ACTIVE
    assert not visitor_pass.events.filter(action=PassEvent.Action.REVOKED).exists()


def test_yes_revokes_and_a_second_tap_changes_nothing_more(client, resident, house_a,
                                                           community_a):
    visitor_pass = invited(resident, house_a)
    client.force_login(resident)
    first = client.post(revoke_url(visitor_pass), follow=True)
    assert gettext("The pass is revoked: it no longer opens the gate.") in \
        first.content.decode()
    second = client.post(revoke_url(visitor_pass), follow=True)
    page = second.content.decode()
    assert second.redirect_chain[-1][0] == reverse("visitors:detail", args=[visitor_pass.pk])
    assert gettext("The pass is revoked: it no longer opens the gate.") in page
    assert "h5-message_error" not in page and gettext(
        "This pass is %(state)s; that cannot be done now.") % {
            "state": gettext("Revoked")} not in page
    visitor_pass.refresh_from_db()
    assert visitor_pass.state == VisitorPass.State.REVOKED
    assert visitor_pass.events.filter(action=PassEvent.Action.REVOKED).count() == 1
    assert gate.inspect(community_a, visitor_pass.code).reason == "revoked"


def test_a_pass_that_cannot_be_revoked_goes_back_to_its_page(client, resident, house_a,
                                                             community_a, manager_a):
    used = invited(resident, house_a)
    gate.admit(community_a, used.code, manager_a)
    revoked = invited(resident, house_a)
    revoked.revoke(by=resident)
    client.force_login(resident)
    for visitor_pass in (used, revoked):
        response = client.get(revoke_url(visitor_pass))
        assert response.status_code == 302
        assert response.url == reverse("visitors:detail", args=[visitor_pass.pk])


def test_a_used_pass_is_still_not_revoked(client, resident, house_a, community_a,
                                          manager_a):
    used = invited(resident, house_a)
    gate.admit(community_a, used.code, manager_a)
    client.force_login(resident)
    page = client.post(revoke_url(used), follow=True).content.decode()
    assert gettext("This pass is %(state)s; that cannot be done now.") % {
        "state": gettext("Used")} in page
    used.refresh_from_db()
    assert used.state == VisitorPass.State.USED


def test_only_revoking_has_an_asking_page(client, resident, neighbour, house_a):
    visitor_pass = invited(resident, house_a)
    client.force_login(resident)
    for action in ("confirm", "decline"):
        assert client.get(reverse("visitors:action", args=[visitor_pass.pk, action])
                          ).status_code == 405
    client.force_login(neighbour)
    assert client.get(revoke_url(visitor_pass)).status_code == 404
    client.logout()
    assert client.get(revoke_url(visitor_pass)).status_code == 302
    visitor_pass.refresh_from_db()
    assert visitor_pass.state == VisitorPass.State.ACTIVE
