"""Listing filters of the WeChat admin screens; their choices of communities and accounts
are only those the acting user may see (ScopedFilterSet)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from portal.estates.models import Community
from portal.estates.viewsets import ScopedFilterSet

from .models import AutoReply, Follower, OfficialAccount


class AutoReplyFilterSet(ScopedFilterSet):
    community = django_filters.ModelChoiceFilter(
        queryset=Community.objects.all(), label=_("Community"),
        null_label=_("All communities"),
    )

    class Meta:
        model = AutoReply
        fields = ["community", "match", "kind", "is_active"]


class FollowerFilterSet(ScopedFilterSet):
    community = django_filters.ModelChoiceFilter(
        queryset=Community.objects.all(), label=_("Community"),
        null_label=_("No community yet"),
    )
    account = django_filters.ModelChoiceFilter(
        queryset=OfficialAccount.objects.all(), label=_("Official account"),
    )

    class Meta:
        model = Follower
        fields = ["is_subscribed", "community", "account"]
