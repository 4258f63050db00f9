"""Reach (传达率): how many of the residents a notice is for have opened it."""

from dataclasses import dataclass

from django.db import transaction
from wagtail.log_actions import log

from . import targeting


@dataclass(frozen=True)
class Reach:
    targeted: int
    read: int

    @property
    def rate(self):
        """Percent, one decimal; None when nobody is targeted."""
        if not self.targeted:
            return None
        return round(100 * self.read / self.targeted, 1)


def reach_of(page):
    targeted = targeting.targeted_residents(page)
    return Reach(targeted=targeted.count(),
                 read=targeted.filter(notice_reads__page=page).count())


def unread_residents(page):
    return (targeting.targeted_residents(page).exclude(notice_reads__page=page)
            .select_related("user").order_by("name", "pk"))


def reveal_phone(page, resident, by):
    """The front desk is about to call a resident who has not read an emergency notice:
    the full number is shown, and that it was shown is recorded."""
    with transaction.atomic():
        log(page, "notices.reach.call", user=by, data={"resident": resident.pk})
    return resident.phone
