"""Listing filters of the customer-service desk. Each FilterSet derives from
ScopedFilterSet, so the communities, buildings and workers offered are only the user's.

The queue's filter form is on every page of the queue, so its option lists cost nothing
per request: they are computed once per scope (the communities a user sees) and kept in
the shared cache under a generation number that any change to communities, buildings,
staff, categories or group memberships moves; their <select>s are written in one pass
instead of a template per <option>. Buildings are offered for one community at a time
(the chosen one, or the user's only one): a company's thousands are never listed."""

import django_filters
from django import forms
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.forms.utils import flatatt
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language
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


CHOICES_GENERATION_KEY = "tickets:filter-choices:generation"
CHOICES_SECONDS = 3600  # a safety net: the generation number invalidates them at once
CACHED_CHOICE_FIELDS = ("category", "community", "building", "assignee")


def _choices_generation():
    return cache.get_or_set(CHOICES_GENERATION_KEY, 1, timeout=None)


def bump_choices_generation(**kwargs):
    """Offered options may have changed: every scope's lists are computed afresh."""
    try:
        cache.incr(CHOICES_GENERATION_KEY)
    except ValueError:
        cache.set(CHOICES_GENERATION_KEY, 1, timeout=None)


def _connect_invalidation():
    for model in (Community, Building, Staff, TicketCategory):
        post_save.connect(bump_choices_generation, sender=model,
                          dispatch_uid=f"ticket_filter_choices_save_{model.__name__}")
        post_delete.connect(bump_choices_generation, sender=model,
                            dispatch_uid=f"ticket_filter_choices_delete_{model.__name__}")
    # Staff bound to communities, users given or taken a role (the worker list).
    m2m_changed.connect(bump_choices_generation, sender=Staff.communities.through,
                        dispatch_uid="ticket_filter_choices_staff_communities")
    m2m_changed.connect(bump_choices_generation,
                        sender=Staff.user.field.related_model.groups.through,
                        dispatch_uid="ticket_filter_choices_user_groups")


_connect_invalidation()


def scope_key(user):
    """What a user's option lists depend on: the communities they see (the same rule as
    ScopedQuerySet.visible_to), so everyone of the same scope shares one entry."""
    if user is None or not user.is_authenticated or not user.is_active:
        return "nobody"
    if user.is_superuser:
        return "all"
    staff = getattr(user, "staff", None)
    if staff is None:
        return f"user:{user.pk}"
    if staff.sees_whole_company:
        return f"company:{staff.company_id}"
    ids = sorted(staff.communities.values_list("pk", flat=True))
    return "communities:" + ",".join(map(str, ids))


class QuickSelectMixin:
    """A <select> written in one pass: the same markup as Django's template-rendered
    one, without a template per option."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = {str(item) for item in self.format_value(value)}
        attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            attrs["multiple"] = True
        options = format_html_join(
            "", "<option value=\"{}\"{}>{}</option>",
            ((str(key), " selected" if str(key) in selected else "", label)
             for key, label in self.choices))
        return format_html("<select name=\"{}\"{}>{}</select>", name, flatatt(attrs), options)


class QuickSelect(QuickSelectMixin, forms.Select):
    pass


class QuickSelectMultiple(QuickSelectMixin, forms.SelectMultiple):
    pass


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

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.user = getattr(request, "user", None)

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            self._offer_cached_choices(form)
        return self._form

    def _offer_cached_choices(self, form):
        """The option lists from the cache. Validation still goes through each field's
        scoped queryset: a posted id outside the user's scope is refused as before."""
        scope = self.scope
        community = self._chosen_community(form)
        key = (f"tickets:filter-choices:{_choices_generation()}:{scope}:{get_language()}:"
               f"{community or ''}")
        choices = cache.get(key)
        if choices is None:
            choices = {name: self._choices(form.fields[name], name, community)
                       for name in CACHED_CHOICE_FIELDS}
            cache.set(key, choices, CHOICES_SECONDS)
        for name, field in form.fields.items():
            widget_class = (QuickSelectMultiple if isinstance(field.widget, forms.SelectMultiple)
                            else QuickSelect)
            attrs = field.widget.attrs
            field.widget = widget_class(attrs=attrs, choices=choices.get(name, field.choices))

    @cached_property
    def scope(self):
        return scope_key(self.user)

    @property
    def offers_buildings_by_community(self):
        """Whether the buildings offered depend on the community chosen (the user may see
        several communities)."""
        return not self.scope.startswith("communities:") or "," in self.scope

    def _chosen_community(self, form):
        value = form.data.get(form.add_prefix("community")) if form.data else None
        return int(value) if value and str(value).isdigit() else None

    @staticmethod
    def _choices(field, name, community):
        queryset = field.queryset
        if name == "building":
            if community is not None:
                queryset = queryset.filter(community_id=community)
            elif queryset.values("community_id").distinct().count() > 1:
                # Several communities: their buildings once one of them is chosen.
                return [("", _("Choose a community first"))]
            queryset = queryset.select_related(None).only("pk", "name")
        return [("", field.empty_label or "")] + [
            (str(obj.pk), field.label_from_instance(obj)) for obj in queryset]

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
