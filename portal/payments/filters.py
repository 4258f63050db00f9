"""Listing filters of the payment admin; ScopedFilterSets, so the communities offered
are only the user's."""

import django_filters
from django.utils.translation import gettext_lazy as _

from portal.estates.models import Community
from portal.estates.viewsets import ScopedFilterSet

from .models import Channel, PaymentOrder, Refund, State


class PaymentOrderFilterSet(ScopedFilterSet):
    state = django_filters.ChoiceFilter(choices=State.choices, label=_("State"))
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("Paid by"))
    community = django_filters.ModelChoiceFilter(queryset=Community.objects.all(),
                                                 label=_("Community"))
    created_at = django_filters.DateFromToRangeFilter(label=_("Opened"))

    class Meta:
        model = PaymentOrder
        fields = ["state", "channel", "community", "created_at"]


class RefundFilterSet(ScopedFilterSet):
    state = django_filters.ChoiceFilter(choices=Refund.State.choices, label=_("State"))
    community = django_filters.ModelChoiceFilter(queryset=Community.objects.all(),
                                                 label=_("Community"))
    created_at = django_filters.DateFromToRangeFilter(label=_("Requested"))

    class Meta:
        model = Refund
        fields = ["state", "community", "created_at"]
