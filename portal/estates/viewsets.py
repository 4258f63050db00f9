"""Admin viewsets that see only what the acting user may see.

Wagtail's generic views look objects up in many places (edit, inspect, delete, history,
usage, copy, reorder), mostly with ``get_object_or_404(self.model, ...)``. Rather than
patch each lookup, ScopedModelViewSet wraps every view it builds: an object URL answers
404 unless the object is in ``Model.objects.visible_to(request.user)``, before the view
does anything else; the listing (and so its search and its CSV/XLSX export) starts from
the same queryset; form and filter choices of community-owned models are limited the
same way. Every admin viewset of a community-owned model inherits from it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db.models import Q
from django.forms.models import modelform_factory
from django.http import Http404
from django.template import engines
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_filters import ModelChoiceFilter, ModelMultipleChoiceFilter
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button

from portal.accounts.phone import normalise_mobile
from portal.crypto import blind_index
from portal.spreadsheet_text import as_text, csv_text, reads_as_formula


def scoped(queryset, user):
    """The rows of ``queryset`` the user may see, if its model is community-owned."""
    if hasattr(queryset, "visible_to"):
        return queryset.visible_to(user)
    return queryset


def yes_no(value):
    """是/否 for a yes/no value, wherever staff read one (listings, exports, inspect)."""
    return str(_("Yes") if value else _("No"))


# Wagtail's boolean cell, but its screen-reader text is the translated yes/no rather than
# Python's True/False (wagtailadmin/tables/boolean_cell.html prints the value itself).
_YES_NO_CELL = (
    '{% load wagtailadmin_tags %}'
    '<td{% if column.classname %} class="{{ column.classname }}"{% endif %}>'
    '{% if value is None %}{% icon title=value_label name="help" classname="default" %}'
    '{% elif value %}'
    '{% icon title=value_label name="check" classname="default w-text-positive-100" %}'
    '{% else %}{% icon title=value_label name="cross" classname="default w-text-text-error" %}'
    '{% endif %}</td>'
)


class YesNoColumn(BooleanColumn):
    """A yes/no column: a tick or a cross, read out as 是/否 (never True/False). Every
    boolean column of our admin listings is one of these."""

    @classmethod
    def for_field(cls, model, field_name, **kwargs):
        """The column of a model's BooleanField, labelled and sorted as Wagtail would
        label and sort it when named in ``list_display``."""
        kwargs.setdefault("label", capfirst(model._meta.get_field(field_name).verbose_name))
        kwargs.setdefault("sort_key", field_name)
        return cls(field_name, **kwargs)

    @cached_property
    def cell_template(self):
        return engines["django"].from_string(_YES_NO_CELL)

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        value = context["value"]
        context["value_label"] = _("Unknown") if value is None else yes_no(value)
        return context


class ScopedViewMixin:
    """Mixed into every view of a ScopedModelViewSet."""

    def setup(self, request, *args, **kwargs):
        # Before super().setup(): several generic views load their object there.
        pk = kwargs.get(getattr(self, "pk_url_kwarg", "pk"))
        if pk is not None:
            visible = self.model._default_manager.visible_to(request.user)
            if not visible.filter(pk=unquote(str(pk))).exists():
                raise Http404
        super().setup(request, *args, **kwargs)

    def get_base_queryset(self):
        # The listing: its filters, search, ordering and exports all start from here.
        return scoped(super().get_base_queryset(), self.request.user)


class ScopedModelForm(WagtailAdminModelForm):
    """Choices of community-owned models (community, building, unit, house...) are only
    those the user may see, so nobody can attach a row to another community by posting
    its id."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                field.queryset = scoped(field.queryset, for_user)


class ScopedFilterSet(WagtailFilterSet):
    """Listing filters whose choices of community-owned models are limited the same way."""

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        user = getattr(request, "user", None)
        for filter_ in self.filters.values():
            if isinstance(filter_, (ModelChoiceFilter, ModelMultipleChoiceFilter)):
                filter_.queryset = scoped(filter_.queryset, user)


@dataclass(frozen=True)
class ObjectAction:
    """A button to a custom view about one object, shown in the listing's row menu and
    the inspect view's header when the user holds ``permission`` and ``shown(obj)``."""

    label: str
    view_name: str
    permission: str
    icon: str
    shown: Callable = lambda obj: True


class ObjectActionsMixin:
    object_actions = []  # ObjectAction, with view_name resolved to a URL name

    def object_action_buttons(self, obj, priority=30):
        return [
            Button(action.label, url=reverse(action.view_name, args=[quote(obj.pk)]),
                   icon_name=action.icon, priority=priority + number)
            for number, action in enumerate(self.object_actions)
            if self.request.user.has_perm(action.permission) and action.shown(obj)
        ]


class IndexView(ObjectActionsMixin, generic.IndexView):
    """The listing, searchable also by exact mobile number: phones are encrypted, so
    the search compares the keyed hash of the number typed with ``phone_index_fields``."""

    # Exports say 是/否 for a yes/no field, as the listing does, not True/False.
    custom_value_preprocess = {
        **generic.IndexView.custom_value_preprocess,
        bool: {generic.IndexView.FORMAT_CSV: yes_no, generic.IndexView.FORMAT_XLSX: yes_no},
    }
    phone_index_fields = []
    list_select_related = []
    list_prefetch_related = []

    # Exported text people typed (a visitor's name, a ticket's description) that a
    # spreadsheet would run as a formula stays text (portal/spreadsheet_text.py).
    def preprocess_field_value(self, field, value, export_format):
        value = super().preprocess_field_value(field, value, export_format)
        return csv_text(value) if export_format == self.FORMAT_CSV else value

    def generate_xlsx_row(self, worksheet, row_dict, date_format=None):
        for cell in super().generate_xlsx_row(worksheet, row_dict, date_format):
            yield as_text(cell) if reads_as_formula(cell.value) else cell

    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        if self.list_select_related:
            queryset = queryset.select_related(*self.list_select_related)
        if self.list_prefetch_related:
            queryset = queryset.prefetch_related(*self.list_prefetch_related)
        return queryset

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        by_text = super().search_queryset(queryset)
        try:
            phone = normalise_mobile(self.search_query)
        except ValidationError:
            return by_text
        query = Q()
        for field in self.phone_index_fields:
            query |= Q(**{field: blind_index(phone)})
        return (by_text | queryset.filter(query)).distinct() if query else by_text

    def get_list_more_buttons(self, instance):
        return [*super().get_list_more_buttons(instance),
                *self.object_action_buttons(instance)]


class InspectView(ObjectActionsMixin, generic.InspectView):
    # Labels of fields that are properties (masked_phone...), which have no verbose name.
    field_labels = {}

    @cached_property
    def header_more_buttons(self):
        return [*super().header_more_buttons, *self.object_action_buttons(self.object)]

    def get_field_label(self, field_name, field):
        if field_name in self.field_labels:
            return self.field_labels[field_name]
        return super().get_field_label(field_name, field)

    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        if isinstance(value, bool):
            return yes_no(value)
        return "—" if value in ("", None) else value


class ScopedModelViewSet(ModelViewSet):
    """Base of every admin viewset of a community-owned model. Subclasses give
    ``form_fields`` (or a ``form_class`` deriving from ScopedModelForm) and a
    ``filterset_class`` deriving from ScopedFilterSet, never panels with another form."""

    index_view_class = IndexView
    inspect_view_class = InspectView
    form_class = None
    phone_index_fields = []
    list_select_related = []
    list_prefetch_related = []
    object_actions = []
    inspect_view_labels = {}
    # Extra views about one object: (URL path segment, view class); each is reached at
    # <segment>/<pk>/ and named by its segment.
    object_views = []

    def __init__(self, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        if not hasattr(self.model._default_manager, "visible_to"):
            raise ImproperlyConfigured(f"{self.model.__name__} has no visible_to(user)")
        filterset_class = getattr(self, "filterset_class", None)
        if isinstance(filterset_class, type) and not issubclass(filterset_class, ScopedFilterSet):
            raise ImproperlyConfigured(f"{filterset_class.__name__} must be a ScopedFilterSet")
        if self.form_class and not issubclass(self.form_class, ScopedModelForm):
            raise ImproperlyConfigured(f"{self.form_class.__name__} must be a ScopedModelForm")

    def resolved_object_actions(self):
        return [
            ObjectAction(action.label, self.get_url_name(action.view_name), action.permission,
                         action.icon, action.shown)
            for action in self.object_actions
        ]

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            phone_index_fields=self.phone_index_fields,
            list_select_related=self.list_select_related,
            list_prefetch_related=self.list_prefetch_related,
            object_actions=self.resolved_object_actions(),
            **kwargs,
        )

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            object_actions=self.resolved_object_actions(),
            field_labels=self.inspect_view_labels,
            **kwargs,
        )

    def get_object_view_kwargs(self):
        """What the extra object views may want to know about their viewset."""
        return {
            "model": self.model,
            "index_url_name": self.get_url_name("index"),
            "inspect_url_name": self.get_url_name("inspect"),
            "url_names": {segment: self.get_url_name(segment)
                          for segment, _view in self.object_views},
        }

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            *[
                path(f"{segment}/<{self.pk_path_converter}:pk>/",
                     self.construct_view(view_class, **self.get_object_view_kwargs()),
                     name=segment)
                for segment, view_class in self.object_views
            ],
        ]

    def construct_view(self, view_class, **kwargs):
        if not issubclass(view_class, ScopedViewMixin):
            attrs = {}
            if hasattr(view_class, "base_filterset_class"):
                attrs["base_filterset_class"] = ScopedFilterSet
            view_class = type(view_class.__name__, (ScopedViewMixin, view_class), attrs)
        return super().construct_view(view_class, **kwargs)

    def get_form_class(self, for_update=False):
        if self.form_class:
            return self.form_class
        return modelform_factory(
            self.model,
            form=ScopedModelForm,
            fields=self.get_form_fields(),
            exclude=self.get_exclude_form_fields(),
            formfield_callback=self.formfield_for_dbfield,
        )
