"""Visitors' personal data is kept only for each community's retention period
(VisitorSetting.retention_days, 180 days by default) after a pass's window: then the
visitor's name, phone, plate and purpose are removed, and so is the visitor's name from
what the occupants were told (the inbox message and the WeChat message's payload). The
pass itself stays, with its house, dates, people count, state and gate log, so the
counts remain."""

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from portal.estates.models import Community
from portal.notifications.models import Delivery, InboxMessage

from .models import VisitorPass, VisitorSetting

DEFAULT_DAYS = VisitorSetting._meta.get_field("retention_days").default
REMOVED = {"visitor_name": "", "visitor_phone": "", "plate": "", "purpose": ""}


def remove_expired_personal_data(now=None):
    """Blank the personal data of passes past their community's retention; returns how
    many passes were cleared. Running it again clears nothing more."""
    now = now or timezone.now()
    days = dict(VisitorSetting.objects.values_list("community_id", "retention_days"))
    cleared = 0
    for community_id in Community.objects.values_list("pk", flat=True):
        cutoff = now - timedelta(days=days.get(community_id, DEFAULT_DAYS))
        expired = list(VisitorPass.objects
                       .filter(community_id=community_id, ends_at__lt=cutoff,
                               personal_data_removed_at__isnull=True)
                       .values_list("pk", flat=True))
        for start in range(0, len(expired), CHUNK):
            chunk = expired[start:start + CHUNK]
            cleared += VisitorPass.objects.filter(pk__in=chunk).update(
                **REMOVED, personal_data_removed_at=now)
            _forget_in_messages(chunk)
    return cleared


CHUNK = 1000


def _forget_in_messages(pass_ids):
    """The messages about these passes lose the visitor's name: a text without it in the
    inbox, an empty payload on their WeChat deliveries."""
    told = InboxMessage.objects.filter(
        event__startswith="visitors.",
        url__in=[reverse("visitors:detail", args=[pk]) for pk in pass_ids])
    Delivery.objects.filter(message__in=told).update(payload={})
    with translation.override(settings.LANGUAGE_CODE):
        told.update(body=gettext("The visitor's details were removed after the retention "
                                 "period."))
