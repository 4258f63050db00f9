"""The visitors demo: in each community with verified owners and a guard, passes for
today, tomorrow and yesterday and a walk-in awaiting confirmation; once."""

from portal.estates import roles
from services.visitors import demo, gate
from services.visitors.models import GateEntry, VisitorPass
from tests import factories as f


def test_the_demo_makes_passes_the_gate_can_check_once(resident, resident_b, community_a,
                                                       community_b):
    f.StaffFactory(company=community_a.company, user__groups=[roles.GUARD],
                   communities=[community_a])

    assert demo.seed(community_a.company) == {"visitor passes": 4}

    assert not VisitorPass.objects.filter(community=community_b).exists()
    states = sorted(VisitorPass.objects.values_list("state", flat=True))
    assert states == ["active", "active", "awaiting", "used"]
    assert GateEntry.objects.get().result == GateEntry.Result.ADMITTED
    assert VisitorPass.State.AWAITING_CONFIRMATION in [
        p.state for p in gate.expected_today(community_a)]
    assert demo.seed(community_a.company) == {"visitor passes": 0}
