import django_filters
from django.utils.translation import gettext_lazy as _

from portal.estates.models import Building, Community
from portal.estates.viewsets import ScopedFilterSet

from .models import Bill, MeterReading, State, Utility


class BillFilterSet(ScopedFilterSet):
    community = django_filters.ModelChoiceFilter(queryset=Community.objects.all(),
                                                 label=_("Community"))
    building = django_filters.ModelChoiceFilter(queryset=Building.objects.all(),
                                                label=_("Building"))
    period_start = django_filters.DateFilter(label=_("Period from"))
    state = django_filters.ChoiceFilter(choices=State.choices, label=_("State"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))

    class Meta:
        model = Bill
        fields = ["community", "building", "period_start", "state"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = Bill.objects.overdue()
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)


class MeterReadingFilterSet(ScopedFilterSet):
    community = django_filters.ModelChoiceFilter(queryset=Community.objects.all(),
                                                 label=_("Community"))
    period = django_filters.DateFilter(label=_("Month"))
    utility = django_filters.ChoiceFilter(field_name="meter__utility",
                                          choices=Utility.choices, label=_("Utility"))
    meter_change = django_filters.BooleanFilter(label=_("Meter changed"))

    class Meta:
        model = MeterReading
        fields = ["community", "period", "meter_change"]
