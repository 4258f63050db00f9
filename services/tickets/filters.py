"""Listing filters of the customer-service desk. Each FilterSet derives from
ScopedFilterSet, so the communities, buildings and workers offered are only the user's."""

import django_filters
from django.utils.translation import gettext_lazy as _

from portal.estates import roles
from portal.estates.models import Building, Community, Staff
from portal.estates.viewsets import ScopedFilterSet

from .categories import TicketCategory, Urgency
from .models import State, Ticket
from .roster import DispatchRule, DutyShift, WorkerTeam

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _community():
    return django_filters.ModelChoiceFilter(queryset=Community.objects.all(),
                                            label=_("Community"))


def _building():
    return django_filters.ModelChoiceFilter(
        queryset=Building.objects.select_related("community"), label=_("Building"))


def _worker(field_name):
    return django_filters.ModelChoiceFilter(
        field_name=field_name,
        queryset=Staff.objects.filter(user__groups__name=roles.WORKER).distinct(),
        label=_("Worker"))


class TicketFilterSet(ScopedFilterSet):
    # A ticket has one state: nothing to de-duplicate, and DISTINCT over every column
    # would sort all the matching tickets of a million before the first page.
    state = django_filters.MultipleChoiceFilter(choices=State.choices, label=_("State"),
                                                distinct=False)
    category = django_filters.ModelChoiceFilter(
        queryset=TicketCategory.objects.all(), label=_("Category"))
    urgency = django_filters.ChoiceFilter(choices=Urgency.choices, label=_("Urgency"))
    community = _community()
    building = _building()
    overdue = django_filters.ChoiceFilter(choices=YES_NO, method="filter_overdue",
                                          label=_("Overdue"))
    assignee = _worker("assignee")

    class Meta:
        model = Ticket
        fields = ["state", "category", "urgency", "community", "building", "overdue",
                  "assignee"]

    def filter_overdue(self, queryset, name, value):
        overdue = Ticket.objects.overdue()
        if value == "yes":
            return queryset.filter(pk__in=overdue.values("pk"))
        return queryset.exclude(pk__in=overdue.values("pk"))


class DispatchRuleFilterSet(ScopedFilterSet):
    community = _community()
    category = django_filters.ModelChoiceFilter(
        queryset=TicketCategory.objects.all(), label=_("Category"))
    active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = DispatchRule
        fields = ["community", "category", "active"]


class WorkerTeamFilterSet(ScopedFilterSet):
    community = _community()

    class Meta:
        model = WorkerTeam
        fields = ["community"]


class DutyShiftFilterSet(ScopedFilterSet):
    community = _community()
    staff = _worker("staff")
    date = django_filters.DateFilter(method="filter_date", label=_("On"))

    class Meta:
        model = DutyShift
        fields = ["community", "staff", "date"]

    def filter_date(self, queryset, name, value):
        return queryset.filter(starts_at__date__lte=value, ends_at__date__gte=value)
