"""The visitor desk in the Wagtail admin (menu 访客 / Visitors): the gate log (every entry,
exit and refused attempt), the passes, and each community's visitor settings.

All are ScopedModelViewSets: staff see, filter, export and open only the rows of their
communities. The log and the passes are written at the gate and by owners, never edited
here; the settings are kept by managers."""

from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.permissions import register_permission_policy

from portal.estates.viewsets import IndexView, ScopedModelViewSet, YesNoColumn
from services.billing.wagtail_hooks import ReadOnlyPermissionPolicy

from . import admin_forms, filters
from .models import GateEntry, VisitorPass, VisitorSetting
from .plates import InvalidPlate, normalise_plate

register_permission_policy(GateEntry, ReadOnlyPermissionPolicy(GateEntry))
register_permission_policy(VisitorPass, ReadOnlyPermissionPolicy(VisitorPass))

EXPORT = "visitors.export_visitorpass"


class ExportByPermissionIndexView(IndexView):
    """Visitors' lists leave the admin as spreadsheets only for staff allowed to export
    them; the others read them on screen."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if not request.user.has_perm(EXPORT):
            self.list_export = []
            self.is_export = False


class VisitorPassIndexView(ExportByPermissionIndexView):
    @cached_property
    def search_query(self):
        # Plates are stored written one way (粤B12345): a query that is a plate is
        # searched written that way, so "粤b 12345" finds it; anything else as typed.
        query = super().search_query
        try:
            return normalise_plate(query)
        except InvalidPlate:
            return query


class GateEntryViewSet(ScopedModelViewSet):
    model = GateEntry
    name = "visitor_log"
    index_view_class = ExportByPermissionIndexView
    icon = "list-ul"
    menu_label = _("Visitor log")
    menu_order = 100
    filterset_class = filters.GateEntryFilterSet
    form_fields = []  # never edited (ReadOnlyPermissionPolicy)
    inspect_view_enabled = True
    # A refused code is kept only as a keyed digest: derived from a secret, never shown.
    inspect_view_fields_exclude = ["code_digest"]
    copy_view_enabled = False
    list_select_related = ["community", "visitor_pass__house__unit__building", "guard"]
    list_display = [
        "__str__",
        DateColumn("at", label=_("Time")),
        Column("get_result_display", label=_("Result"), sort_key="result"),
        Column("house", label=_("House"), accessor="visitor_pass.house"),
        Column("community", label=_("Community")),
        Column("guard", label=_("Guard")),
    ]
    list_export = ["community", "at", "get_result_display", "get_reason_display",
                   "visitor_pass.house",
                   "visitor_pass.visitor_name", "visitor_pass.people", "visitor_pass.plate",
                   "visitor_pass.get_source_display", "guard"]
    export_headings = {"get_result_display": _("Result"), "get_reason_display": _("Reason"),
                       "visitor_pass.house": _("House"), "visitor_pass.visitor_name": _("Visitor"),
                       "visitor_pass.people": _("People"), "visitor_pass.plate": _("Car plate"),
                       "visitor_pass.get_source_display": _("Source"), "guard": _("Guard")}
    export_filename = "visitor-log"


class VisitorPassViewSet(ScopedModelViewSet):
    model = VisitorPass
    name = "visitor_passes"
    index_view_class = VisitorPassIndexView
    icon = "tag"
    menu_label = _("Visitor passes")
    menu_order = 200
    filterset_class = filters.VisitorPassFilterSet
    form_fields = []  # never edited (ReadOnlyPermissionPolicy)
    inspect_view_enabled = True
    inspect_view_fields = ["community", "house", "visitor_name", "masked_phone", "people",
                           "plate", "purpose", "starts_at", "ends_at", "kind", "source",
                           "status"]
    # The status, not the stored state: a pass past its window is stored as valid and
    # reads as expired.
    inspect_view_labels = {"masked_phone": _("Visitor's mobile number"), "status": _("State")}
    copy_view_enabled = False
    search_fields = ["visitor_name", "plate"]
    list_select_related = ["community", "house__unit__building"]
    list_display = [
        "visitor_name",
        Column("house", label=_("House")),
        DateColumn("starts_at", label=_("From")),
        DateColumn("ends_at", label=_("Until")),
        Column("get_kind_display", label=_("Kind"), sort_key="kind"),
        Column("get_source_display", label=_("Source"), sort_key="source"),
        Column("get_status_display", label=_("State"), sort_key="state"),
    ]
    list_export = ["community", "house", "visitor_name", "masked_phone", "people", "plate",
                   "purpose", "starts_at", "ends_at", "get_kind_display",
                   "get_source_display", "get_status_display"]
    export_headings = {"house": _("House"), "masked_phone": _("Visitor's mobile number"),
                       "get_kind_display": _("Kind"), "get_source_display": _("Source"),
                       "get_status_display": _("State")}
    export_filename = "visitor-passes"


class VisitorSettingViewSet(ScopedModelViewSet):
    """Per community: the kinds of pass owners may give, how long and how far ahead,
    whether walk-ins wait for the owner, how long visitors' personal data is kept."""

    model = VisitorSetting
    name = "visitor_settings"
    icon = "cog"
    menu_label = _("Visitor settings")
    menu_order = 300
    form_class = admin_forms.VisitorSettingForm
    list_select_related = ["community"]
    list_display = ["__str__",
                    YesNoColumn.for_field(VisitorSetting, "allow_single_entry"),
                    YesNoColumn.for_field(VisitorSetting, "allow_multi_entry"),
                    "max_window_hours", "max_days_ahead",
                    YesNoColumn.for_field(VisitorSetting, "walk_ins_need_confirmation"),
                    "retention_days"]
    copy_view_enabled = False


class VisitorsGroup(ModelViewSetGroup):
    menu_label = _("Visitors")
    menu_icon = "group"
    menu_order = 230
    items = [GateEntryViewSet, VisitorPassViewSet, VisitorSettingViewSet]


@hooks.register("register_admin_viewset")
def register_visitors():
    return VisitorsGroup()
