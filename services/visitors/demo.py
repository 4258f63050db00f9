"""The demo's visitor passes, so `make run` shows the owner's passes and the gate at work:
in each community with verified owners and a guard, a visitor expected today, one
expected tomorrow (multi-entry), one who came yesterday, and a walk-in waiting for the
owner's confirmation. Running it again creates nothing."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from portal.estates import roles
from portal.estates.models import Occupancy, Staff

from .models import GateEntry, PassEvent, VisitorPass

OWNERS = 3
VISITORS = [("张伟", "13700000001", "粤B12345"), ("陈静", "", ""),
            ("刘洋", "13700000003", "粤BD12345"), ("黄丽", "", "")]


def seed(company):
    """Returns {label: how many created}."""
    created = 0
    with transaction.atomic():
        for community in company.communities.order_by("pk"):
            guard = Staff.objects.filter(communities=community,
                                         user__groups__name=roles.GUARD).first()
            occupancies = list(Occupancy.objects.filter(
                community=community, state=Occupancy.State.VERIFIED
            ).select_related("house", "resident__user").order_by("pk")[:OWNERS])
            if guard is None or not occupancies or VisitorPass.objects.filter(
                    community=community).exists():
                continue
            created += _seed_community(community, guard.user, occupancies)
    return {"visitor passes": created}


def _seed_community(community, guard, occupancies):
    now = timezone.now().replace(second=0, microsecond=0)
    hour = timedelta(hours=1)
    plans = [  # (starts, hours, kind, state)
        (now + hour, 4, VisitorPass.Kind.SINGLE, VisitorPass.State.ACTIVE),
        (now + timedelta(days=1), 10, VisitorPass.Kind.MULTI, VisitorPass.State.ACTIVE),
        (now - timedelta(days=1), 3, VisitorPass.Kind.SINGLE, VisitorPass.State.USED),
    ]
    passes = []
    for index, (starts_at, hours, kind, state) in enumerate(plans):
        occupancy = occupancies[index % len(occupancies)]
        name, phone, plate = VISITORS[index]
        visitor_pass = VisitorPass.objects.create(
            house=occupancy.house, invited_by=occupancy.resident.user, visitor_name=name,
            visitor_phone=phone, plate=plate, purpose="探亲访友", people=index + 1,
            starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours), kind=kind,
            state=state, used_at=starts_at + hour if state == VisitorPass.State.USED else None)
        visitor_pass.record(PassEvent.Action.INVITED, by=occupancy.resident.user)
        if state == VisitorPass.State.USED:
            GateEntry.objects.create(community=community, visitor_pass=visitor_pass,
                                     guard=guard, result=GateEntry.Result.ADMITTED,
                                     at=visitor_pass.used_at)
        passes.append(visitor_pass)
    name, phone, plate = VISITORS[3]
    walk_in = VisitorPass.objects.create(
        house=occupancies[0].house, registered_by=guard, visitor_name=name, purpose="送货",
        starts_at=now, ends_at=now + 4 * hour, source=VisitorPass.Source.WALK_IN,
        state=VisitorPass.State.AWAITING_CONFIRMATION)
    walk_in.record(PassEvent.Action.REGISTERED, by=guard)
    return len(passes) + 1
