"""Listing filters of the visitor admin; ScopedFilterSets, so the communities and
buildings offered are only the user's."""

import django_filters
from django.utils.translation import gettext_lazy as _

from portal.estates.models import Building, Community
from portal.estates.viewsets import ScopedFilterSet

from .models import GateEntry, VisitorPass


class GateEntryFilterSet(ScopedFilterSet):
    community = django_filters.ModelChoiceFilter(queryset=Community.objects.all(),
                                                 label=_("Community"))
    at = django_filters.DateFromToRangeFilter(label=_("Date"))
    result = django_filters.ChoiceFilter(choices=GateEntry.Result.choices, label=_("Result"))
    source = django_filters.ChoiceFilter(field_name="visitor_pass__source",
                                         choices=VisitorPass.Source.choices,
                                         label=_("Source"))
    building = django_filters.ModelChoiceFilter(field_name="visitor_pass__house__building",
                                                queryset=Building.objects.all(),
                                                label=_("Building"))

    class Meta:
        model = GateEntry
        fields = ["community", "at", "result", "source", "building"]


STATUS_CHOICES = [*VisitorPass.State.choices, ("expired", _("Expired"))]


class VisitorPassFilterSet(ScopedFilterSet):
    community = django_filters.ModelChoiceFilter(queryset=Community.objects.all(),
                                                 label=_("Community"))
    starts_at = django_filters.DateFromToRangeFilter(label=_("Visit starts"))
    # The status as the list shows it: an open pass past its window is "expired".
    state = django_filters.ChoiceFilter(choices=STATUS_CHOICES, label=_("State"),
                                        method="filter_status")
    source = django_filters.ChoiceFilter(choices=VisitorPass.Source.choices, label=_("Source"))
    building = django_filters.ModelChoiceFilter(field_name="house__building",
                                                queryset=Building.objects.all(),
                                                label=_("Building"))

    class Meta:
        model = VisitorPass
        fields = ["community", "starts_at", "state", "source", "building"]

    def filter_status(self, queryset, name, value):
        return queryset.with_status(value)
