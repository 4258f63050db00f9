"""The billing desk in the Wagtail admin (menu 收费 / Billing): fee items, late-fee
rules, parking spaces, meter readings and their spreadsheet import, bill runs, bills.

Every viewset is a ScopedModelViewSet: staff see, search, export and open only the rows
of their communities. Bills and bill runs are never edited as rows: bills change through
the adjust / waive form on their page, runs are requested and then only read."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from portal.estates.viewsets import ScopedModelViewSet, YesNoColumn

from . import admin_forms, admin_views, filters
from .models import Bill, BillRun, FeeItem, LateFeeRule, MeterReading, ParkingSpace


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """Rows that change only through their verbs (bills) or are only requested (runs)."""

    refused = ("add", "change", "delete")

    def user_has_permission(self, user, action):
        return action not in self.refused and super().user_has_permission(user, action)


class RequestOnlyPermissionPolicy(ReadOnlyPermissionPolicy):
    refused = ("change", "delete")


register_permission_policy(Bill, ReadOnlyPermissionPolicy(Bill))
register_permission_policy(BillRun, RequestOnlyPermissionPolicy(BillRun))


class FeeItemViewSet(ScopedModelViewSet):
    model = FeeItem
    name = "fee_items"
    icon = "list-ul"
    menu_order = 100
    form_class = admin_forms.FeeItemForm
    list_select_related = ["community"]
    list_display = ["name", Column("community", label=_("Community")),
                    Column("get_kind_display", label=_("Kind"), sort_key="kind"),
                    Column("unit_price", label=_("Unit price")),
                    Column("due_days", label=_("Due after (days)")),
                    YesNoColumn("active", label=_("Active"))]
    list_filter = ["community", "kind", "active"]
    search_fields = ["name"]
    list_export = ["community", "name", "get_kind_display", "utility", "unit_price",
                   "kind_prices", "tiers", "charge_on", "due_days", "active"]
    export_headings = {"get_kind_display": _("Kind")}
    export_filename = "fee-items"
    copy_view_enabled = False


class LateFeeRuleViewSet(ScopedModelViewSet):
    model = LateFeeRule
    name = "late_fee_rules"
    icon = "time"
    menu_order = 150
    form_class = admin_forms.LateFeeRuleForm
    list_select_related = ["community"]
    list_display = ["__str__", "daily_rate", "fixed_amount", "grace_days", "cap",
                    YesNoColumn("active", label=_("Active"))]
    copy_view_enabled = False


class ParkingSpaceViewSet(ScopedModelViewSet):
    model = ParkingSpace
    name = "parking_spaces"
    icon = "pick"
    menu_order = 200
    form_class = admin_forms.ParkingSpaceForm
    list_select_related = ["community", "house__unit__building"]
    list_display = ["number", Column("community", label=_("Community")),
                    Column("house", label=_("House")),
                    Column("monthly_fee", label=_("Monthly fee (yuan)"))]
    list_filter = ["community"]
    search_fields = ["number"]
    list_export = ["community", "number", "house", "monthly_fee"]
    export_filename = "parking-spaces"
    copy_view_enabled = False


class MeterReadingViewSet(ScopedModelViewSet):
    model = MeterReading
    name = "meter_readings"
    icon = "dots-horizontal"
    menu_order = 300
    form_class = admin_forms.MeterReadingForm
    add_view_class = admin_views.ReadingCreateView
    edit_view_class = admin_views.ReadingEditView
    delete_view_class = admin_views.ReadingDeleteView
    filterset_class = filters.MeterReadingFilterSet
    list_select_related = ["meter", "house__unit__building", "entered_by"]
    list_display = [Column("house", label=_("House")),
                    Column("meter", label=_("Meter")),
                    Column("month", label=_("Month"), sort_key="period"),
                    Column("reading", label=_("Reading")),
                    YesNoColumn("meter_change", label=_("Meter changed")),
                    Column("entered_by", label=_("Entered by"))]
    search_fields = ["house__number", "house__building__name"]
    list_export = ["community", "house", "meter", "period", "reading", "meter_change",
                   "start_reading", "high_use_confirmed", "read_at", "entered_by"]
    export_filename = "meter-readings"
    copy_view_enabled = False


class ReadingImportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(admin_views.IMPORT)


class ReadingImportViewSet(ViewSet):
    """The spreadsheet import of a month's readings, as a menu entry of the group."""

    name = "meter_reading_import"
    icon = "upload"
    menu_label = _("Import meter readings")
    menu_order = 350
    menu_item_class = ReadingImportMenuItem

    def get_urlpatterns(self):
        url_names = {name: self.get_url_name(name)
                     for name in ("upload", "preview", "confirm", "errors", "template")}
        return [
            path("", admin_views.UploadView.as_view(url_names=url_names), name="upload"),
            path("preview/", admin_views.PreviewView.as_view(url_names=url_names),
                 name="preview"),
            path("confirm/", admin_views.ConfirmView.as_view(url_names=url_names),
                 name="confirm"),
            path("errors.xlsx", admin_views.ErrorReportView.as_view(url_names=url_names),
                 name="errors"),
            path("template.xlsx", admin_views.TemplateDownloadView.as_view(),
                 name="template"),
        ]


class BillRunViewSet(ScopedModelViewSet):
    model = BillRun
    name = "bill_runs"
    icon = "cogs"
    menu_order = 400
    form_class = admin_forms.BillRunForm
    list_select_related = ["community", "requested_by"]
    list_display = ["__str__", Column("get_status_display", label=_("Status"),
                                      sort_key="status"),
                    Column("houses", label=_("Houses")),
                    Column("bills_created", label=_("Bills created")),
                    Column("lines_created", label=_("Lines created")),
                    Column("requested_by", label=_("Requested by")),
                    DateColumn("requested_at", label=_("Requested at")),
                    DateColumn("finished_at", label=_("Finished at"))]
    list_filter = ["community", "status"]
    list_export = ["community", "period", "get_status_display", "houses", "bills_created",
                   "lines_created", "requested_by", "requested_at", "finished_at", "error"]
    export_headings = {"period": _("Period"), "get_status_display": _("Status")}
    export_filename = "bill-runs"
    inspect_view_enabled = True
    copy_view_enabled = False
    add_item_label = _("Generate bills")


class BillViewSet(ScopedModelViewSet):
    model = Bill
    name = "bills"
    icon = "doc-full"
    menu_order = 500
    inspect_view_class = admin_views.BillInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    filterset_class = filters.BillFilterSet
    # The edit form exists only because the viewset builds one; the policy refuses it.
    form_fields = ["due_date"]
    search_fields = ["house__number", "building__name"]
    list_select_related = ["house__unit__building", "community"]
    list_display = [Column("house", label=_("House")),
                    Column("period", label=_("Period"), sort_key="period_start"),
                    Column("amount_due", label=_("Amount due"), sort_key="amount_due"),
                    Column("amount_paid", label=_("Amount paid")),
                    Column("get_state_display", label=_("State"), sort_key="state"),
                    DateColumn("due_date", label=_("Due date"))]
    list_export = ["community", "building", "house", "period", "amount_due", "amount_paid",
                   "amount_owed", "get_state_display", "due_date", "is_overdue"]
    export_headings = {"period": _("Period"), "amount_owed": _("Owed"),
                       "get_state_display": _("State"), "is_overdue": _("Overdue")}
    export_filename = "bills"


class BillingGroup(ModelViewSetGroup):
    menu_label = _("Billing")
    menu_icon = "table"
    menu_order = 210
    items = [BillViewSet, BillRunViewSet, FeeItemViewSet, LateFeeRuleViewSet,
             ParkingSpaceViewSet, MeterReadingViewSet, ReadingImportViewSet]


@hooks.register("register_admin_viewset")
def register_billing():
    return BillingGroup()
# The finance desk's other screens register their own hooks: arrears and dunning, the
# finance reports, funds statements, receipts and balances.
from . import arrears_admin, owner_admin, reports_admin  # noqa: E402,F401
