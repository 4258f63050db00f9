"""What the gate and visitor-admin tests share: guards of each community, a pass of the
resident's house, and the workbench's URLs. Imported by tests/visitors/test_gate*.py and
test_admin*.py."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.estates import roles
from tests import factories as f

GATE = "/gate/"


def gate_url(name):
    return reverse(f"gate:{name}")


def staff_of(company, role, communities):
    return f.StaffFactory(company=company, user__groups=[role], communities=communities).user


@pytest.fixture
def guard_a(company, community_a):
    return staff_of(company, roles.GUARD, [community_a])


@pytest.fixture
def guard_b(company, community_b):
    return staff_of(company, roles.GUARD, [community_b])


@pytest.fixture
def guard_ab(company, community_a, community_b):
    return staff_of(company, roles.GUARD, [community_a, community_b])


def make_pass(owner, house, *, starts_in=timedelta(hours=-1), hours=4, kind="single",
              **fields):
    """A pass the owner gives for their house, then moved to start at now + ``starts_in``
    (an owner cannot invite into the past: the gate's tests need passes that began)."""
    from services.visitors.invitations import invite
    from services.visitors.models import VisitorPass

    values = {"visitor_name": "李四", "visitor_phone": "13912345678", "people": 2,
              "plate": "粤B12345", "purpose": "探亲", **fields}
    soon = timezone.now() + timedelta(minutes=5)
    visitor_pass = invite(owner, house, starts_at=soon, ends_at=soon + timedelta(hours=1),
                          kind=kind, **values)
    starts_at = timezone.now() + starts_in
    VisitorPass.objects.filter(pk=visitor_pass.pk).update(
        starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours))
    visitor_pass.refresh_from_db()
    return visitor_pass


@pytest.fixture
def visitor_pass(resident, house_a):
    return make_pass(resident, house_a)
