"""An occupant who moves out cannot let visitors in any more: ending the occupancy
revokes the passes still to come that they invited."""

from datetime import timedelta

import pytest

from portal.estates.models import Occupancy
from services.visitors import gate
from services.visitors.models import GateEntry, PassEvent, VisitorPass

from .passes_setup import invited

pytestmark = pytest.mark.django_db


def test_ending_an_occupancy_revokes_its_future_passes(resident, house_a, community_a,
                                                       manager_a):
    now = invited(resident, house_a, starts_in=timedelta(hours=-1))
    later = invited(resident, house_a, starts_in=timedelta(days=2))
    used = invited(resident, house_a)
    assert gate.admit(community_a, used.code, manager_a).ok
    past = invited(resident, house_a, starts_in=timedelta(days=-2), hours=2)
    Occupancy.objects.get(resident__user=resident, house=house_a).end(by=manager_a)
    states = dict(VisitorPass.objects.values_list("pk", "state"))
    assert states[now.pk] == states[later.pk] == VisitorPass.State.REVOKED
    assert states[used.pk] == VisitorPass.State.USED
    assert states[past.pk] == VisitorPass.State.ACTIVE  # expired: left as it was
    assert PassEvent.objects.filter(action=PassEvent.Action.REVOKED).count() == 2
    assert gate.admit(community_a, now.code, manager_a).reason == GateEntry.Reason.REVOKED


def test_deleting_an_occupancy_revokes_its_future_passes(resident, house_a):
    later = invited(resident, house_a, starts_in=timedelta(days=2))

    Occupancy.objects.get(resident__user=resident, house=house_a).delete()

    later.refresh_from_db()
    assert later.state == VisitorPass.State.REVOKED


def test_another_occupants_passes_stay(resident, house_a, community_a, manager_a):
    from tests import factories as f

    family = f.ResidentFactory(community=community_a)
    f.OccupancyFactory(resident=family, house=house_a, state="verified",
                       role=Occupancy.Role.FAMILY)
    theirs = invited(family.user, house_a)
    Occupancy.objects.get(resident__user=resident, house=house_a).end(by=manager_a)
    theirs.refresh_from_db()
    assert theirs.state == VisitorPass.State.ACTIVE


def test_an_ended_occupant_can_no_longer_invite(resident, house_a, manager_a):
    from django.core.exceptions import ValidationError

    from services.visitors.invitations import invite

    from .passes_setup import VISITOR, window

    Occupancy.objects.get(resident__user=resident, house=house_a).end(by=manager_a)
    with pytest.raises(ValidationError):
        invite(resident, house_a, **VISITOR, **window())
