"""Visitors' personal data is kept only for each community's retention period
(VisitorSetting.retention_days, 180 days by default) after a pass's window: then the
visitor's name, phone, plate and purpose are removed. The pass itself stays, with its
house, dates, people count, state and gate log, so the counts remain."""

from datetime import timedelta

from django.utils import timezone

from portal.estates.models import Community

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
        cleared += (VisitorPass.objects
                    .filter(community_id=community_id, ends_at__lt=cutoff,
                            personal_data_removed_at__isnull=True)
                    .update(**REMOVED, personal_data_removed_at=now))
    return cleared
