"""Listing filters of the estate directory's admin screens.

Every FilterSet derives from ScopedFilterSet, so the communities, buildings... offered
as choices are only those the acting user may see."""

import django_filters
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from . import roles
from .models import (
    Building,
    Community,
    House,
    Occupancy,
    OwnerRecord,
    Resident,
    Staff,
    Trade,
    Unit,
)
from .viewsets import ScopedFilterSet


def _community(field_name="community"):
    return django_filters.ModelChoiceFilter(
        field_name=field_name, queryset=Community.objects.all(), label=_("Community")
    )


def _building(field_name="building"):
    return django_filters.ModelChoiceFilter(
        field_name=field_name,
        queryset=Building.objects.select_related("community"),
        label=_("Building"),
    )


class CommunityFilterSet(ScopedFilterSet):
    class Meta:
        model = Community
        fields = ["registration_open"]


class BuildingFilterSet(ScopedFilterSet):
    community = _community()

    class Meta:
        model = Building
        fields = ["community"]


class UnitFilterSet(ScopedFilterSet):
    community = _community()
    building = _building()

    class Meta:
        model = Unit
        fields = ["community", "building"]


class HouseFilterSet(ScopedFilterSet):
    community = _community()
    building = _building()
    kind = django_filters.ChoiceFilter(choices=House.Kind.choices, label=_("Kind"))

    class Meta:
        model = House
        fields = ["community", "building", "kind"]


class OwnerRecordFilterSet(ScopedFilterSet):
    community = _community()
    building = _building("house__building")

    class Meta:
        model = OwnerRecord
        fields = ["community", "building"]


class ResidentFilterSet(ScopedFilterSet):
    community = _community()
    disabled = django_filters.BooleanFilter(
        field_name="user__is_active", exclude=True, label=_("Account disabled")
    )
    pending = django_filters.BooleanFilter(
        method="filter_pending", label=_("Has a binding to verify")
    )

    class Meta:
        model = Resident
        fields = ["community", "disabled", "pending"]

    def filter_pending(self, queryset, name, value):
        has_pending = {"occupancies__state": Occupancy.State.PENDING}
        if value:
            return queryset.filter(**has_pending).distinct()
        return queryset.exclude(**has_pending)


class OccupancyFilterSet(ScopedFilterSet):
    state = django_filters.ChoiceFilter(choices=Occupancy.State.choices, label=_("State"))
    community = _community()
    building = _building("house__building")
    role = django_filters.ChoiceFilter(choices=Occupancy.Role.choices, label=_("Role"))

    class Meta:
        model = Occupancy
        fields = ["state", "community", "building", "role"]


class StaffFilterSet(ScopedFilterSet):
    community = _community("communities")
    role = django_filters.ModelChoiceFilter(
        field_name="user__groups",
        queryset=Group.objects.filter(name__in=roles.ROLE_PERMISSIONS),
        label=_("Role"),
    )
    trade = django_filters.ModelChoiceFilter(
        field_name="trades", queryset=Trade.objects.all(), label=_("Trade")
    )

    class Meta:
        model = Staff
        fields = ["community", "role", "trade"]

    def filter_queryset(self, queryset):
        # Filtering across many-to-many relations may repeat a row.
        return super().filter_queryset(queryset).distinct()
