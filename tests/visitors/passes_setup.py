"""What the pass tests share: a pass invited by the resident, moved in time as a test
needs (an owner cannot invite into the past), and the invite form as a phone posts it."""

from datetime import timedelta
from uuid import uuid4

from django.utils import timezone

from services.visitors.invitations import invite
from services.visitors.models import VisitorPass

VISITOR = {"visitor_name": "王五", "visitor_phone": "13800138000", "people": 2,
           "plate": "粤B12345", "purpose": "探亲"}


FORMAT = "%Y-%m-%dT%H:%M"


def form(house, *, starts_in=timedelta(hours=1), hours=3, **fields):
    """The invite form's fields, with a fresh one-time key."""
    start = timezone.localtime() + starts_in
    return {"key": uuid4().hex, "house": house.pk, "visitor_name": "王五",
            "visitor_phone": "13800138000", "people": "2", "plate": "粤b 12345",
            "purpose": "探亲", "kind": "single", "starts_at": start.strftime(FORMAT),
            "ends_at": (start + timedelta(hours=hours)).strftime(FORMAT), **fields}


def window(starts_in=timedelta(minutes=5), hours=2):
    starts_at = timezone.now() + starts_in
    return {"starts_at": starts_at, "ends_at": starts_at + timedelta(hours=hours)}


def invited(owner, house, *, starts_in=timedelta(hours=-1), hours=4, **fields):
    """A pass of ``house`` whose window began ``starts_in`` from now."""
    visitor_pass = invite(owner, house, **{**VISITOR, **window(), **fields})
    VisitorPass.objects.filter(pk=visitor_pass.pk).update(**window(starts_in, hours))
    visitor_pass.refresh_from_db()
    return visitor_pass
