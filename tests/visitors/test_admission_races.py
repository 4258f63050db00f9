"""Two guards admitting the same pass at the same moment, in real threads with their own
connections on PostgreSQL: a single-entry pass lets its visitor in once; the other guard
is told it is already used, and both attempts are in the gate log."""

import pytest

from services.visitors import gate
from services.visitors.models import GateEntry, VisitorPass
from tests.races import postgresql_only, race  # noqa: F401 (the fixture)

from .passes_setup import invited

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("postgresql_only")]


@pytest.mark.parametrize("by", ["code", "token"])
def test_two_guards_admit_a_single_entry_pass_once(resident, house_a, community_a,
                                                   manager_a, service_a, by):
    visitor_pass = invited(resident, house_a)
    code = getattr(visitor_pass, by)
    guards = [manager_a, service_a]
    verdicts, errors = race(lambda index: gate.admit(community_a, code, guards[index]), 2)
    assert errors == []
    assert sorted(v.ok for v in verdicts) == [False, True]
    assert next(v for v in verdicts if not v.ok).reason == GateEntry.Reason.USED
    entries = GateEntry.objects.filter(visitor_pass=visitor_pass)
    assert sorted(entries.values_list("result", flat=True)) == ["admitted", "refused"]
    assert VisitorPass.objects.get(pk=visitor_pass.pk).state == VisitorPass.State.USED


def test_many_guards_admit_a_multi_entry_pass_each_time(resident, house_a, community_a,
                                                        manager_a):
    visitor_pass = invited(resident, house_a, kind=VisitorPass.Kind.MULTI)
    verdicts, errors = race(lambda index: gate.admit(community_a, visitor_pass.code,
                                                     manager_a), 4)
    assert errors == [] and len(verdicts) == 4 and all(v.ok for v in verdicts)
    assert GateEntry.objects.filter(visitor_pass=visitor_pass, result="admitted").count() == 4
