"""An invited visitor let in at the gate: the occupant who invited them is told of the
arrival, not the house's other occupants (a walk-in's arrival goes to all of them:
tests/visitors/test_admission.py)."""

import pytest
from django.urls import reverse

from services.visitors import gate
from services.visitors.models import VisitorPass
from tests import factories as f

from .gate_setup import *  # noqa: F403 (the fixtures)
from .gate_setup import make_pass

pytestmark = pytest.mark.django_db


def test_the_inviting_owner_is_told_when_the_guard_admits_their_visitor(
        resident, house_a, community_a, guard_a, django_capture_on_commit_callbacks):
    co_occupant = f.OccupancyFactory(
        resident=f.ResidentFactory(community=community_a), house=house_a,
        state="verified").resident.user
    visitor_pass = make_pass(resident, house_a, visitor_name="李四")
    assert visitor_pass.source == VisitorPass.Source.INVITATION
    assert not resident.inbox_messages.filter(event="visitors.arrived").exists()

    with django_capture_on_commit_callbacks(execute=True):
        assert gate.admit(community_a, visitor_pass.code, guard_a).ok

    message = resident.inbox_messages.get(event="visitors.arrived")
    assert "李四" in message.body
    assert message.url == reverse("visitors:detail", args=[visitor_pass.pk])
    assert not co_occupant.inbox_messages.filter(event="visitors.arrived").exists()
