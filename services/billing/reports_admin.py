"""Finance reports in the admin: the collection rate of a period per community (every
community side by side for company leadership) with a drill-down by building, arrears
ageing, and the day's WeChat Pay reconciliation; each with its .xlsx export. Queries go
through ``visible_to(user)``."""

from datetime import timedelta

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseBadRequest
from django.urls import include, path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View
from wagtail import hooks

from portal.estates.import_admin import xlsx_response
from portal.estates.models import Community
from portal.estates.scope import sees_whole_company
from portal.payments.providers import ProviderError, get_provider

from .arrears_admin import FinancePage
from .models import Bill
from .reports import ageing, collection, export, reconcile

VIEW = "billing.view_bill"
RECONCILE = "payments.view_paymentorder"


def _require(user, permission):
    if not user.has_perm(permission) or not (user.is_superuser or hasattr(user, "staff")):
        raise PermissionDenied


class CollectionForm(forms.Form):
    period = forms.CharField(label=_("Period"), required=False, max_length=10,
                             help_text=_("2026-11 (a month), 2026-Q4 (a quarter) or 2026 "
                                         "(a year)"))
    community = forms.ModelChoiceField(queryset=Community.objects.none(), required=False,
                                       label=_("Community"),
                                       empty_label=_("All my communities"))

    def __init__(self, data, user):
        super().__init__(data)
        self.fields["community"].queryset = Community.objects.visible_to(user)

    def clean_period(self):
        text = self.cleaned_data.get("period")
        if not text:
            return collection.ReportPeriod.month_of(timezone.localdate())
        try:
            return collection.ReportPeriod.parse(text)
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None


class CollectionMixin:
    def dispatch(self, request, *args, **kwargs):
        _require(request.user, VIEW)
        self.form = CollectionForm(request.GET, request.user)
        return super().dispatch(request, *args, **kwargs)

    def figures(self):
        if not self.form.is_valid():
            return None
        period = self.form.cleaned_data["period"]
        community = self.form.cleaned_data.get("community")
        bills = Bill.objects.visible_to(self.request.user)
        today = timezone.localdate()
        communities = collection.by_community(bills, period)
        figures = {"period": period, "community": community, "on": today,
                   "communities": communities,
                   "total": collection.total(communities),
                   "ageing": ageing.by_community(bills, today),
                   "buildings": None, "building_ageing": None}
        figures["ageing_total"] = ageing.total(figures["ageing"])
        if community is not None:
            figures["buildings"] = collection.by_building(bills, period, community)
            figures["building_ageing"] = ageing.by_building(bills, today, community)
        return figures


class CollectionReportView(CollectionMixin, FinancePage, TemplateView):
    page_title = _("Collection report")
    header_icon = "table"
    template_name = "billing/admin/report_collection.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            form=self.form, figures=self.figures(), buckets=ageing.labels(),
            whole_company=sees_whole_company(self.request.user),
            query=self.request.GET.urlencode(), **kwargs)


class CollectionExportView(CollectionMixin, View):
    def get(self, request):
        figures = self.figures()
        if figures is None:
            return HttpResponseBadRequest(_("Choose a valid period."))
        rows = [*figures["communities"], figures["total"]]
        ageing_rows = figures["building_ageing"]
        if ageing_rows is None:
            ageing_rows = [*figures["ageing"], figures["ageing_total"]]
        content = export.collection_workbook(figures["period"], rows, figures["buildings"],
                                             ageing_rows, figures["on"])
        return xlsx_response(content, f"collection-{figures['period'].label}.xlsx")


class ReconcileForm(forms.Form):
    day = forms.DateField(label=_("Day"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))

    def clean_day(self):
        day = self.cleaned_data.get("day") or timezone.localdate() - timedelta(days=1)
        if day > timezone.localdate():
            raise forms.ValidationError(_("Choose a day that is not in the future."))
        return day


class ReconcileMixin:
    def dispatch(self, request, *args, **kwargs):
        _require(request.user, RECONCILE)
        self.form = ReconcileForm(request.GET)
        self.error = None
        return super().dispatch(request, *args, **kwargs)

    def result(self):
        if not self.form.is_valid():
            return None
        day = self.form.cleaned_data["day"]
        try:
            bill = get_provider().download_trade_bill(day)
        except ProviderError as error:
            self.error = _("WeChat Pay's trade bill could not be downloaded: %(error)s") % {
                "error": error}
            return None
        if isinstance(bill, list):  # a provider without a trade bill (demo payments)
            bill = {"rows": bill, "summary": {}}
        return reconcile.reconcile(self.request.user, day, bill)


class ReconcileView(ReconcileMixin, FinancePage, TemplateView):
    page_title = _("Reconciliation")
    header_icon = "tasks"
    template_name = "billing/admin/report_reconcile.html"

    def get_context_data(self, **kwargs):
        result = self.result()
        return super().get_context_data(form=self.form, result=result, error=self.error,
                                        query=self.request.GET.urlencode(), **kwargs)


class ReconcileExportView(ReconcileMixin, View):
    def get(self, request):
        result = self.result()
        if result is None:
            return HttpResponseBadRequest(self.error or _("Choose a valid day."))
        return xlsx_response(export.reconciliation_workbook(result),
                             f"reconciliation-{result.day:%Y%m%d}.xlsx")


urls = [
    path("", CollectionReportView.as_view(), name="collection"),
    path("export/", CollectionExportView.as_view(), name="collection_export"),
    path("reconcile/", ReconcileView.as_view(), name="reconcile"),
    path("reconcile/export/", ReconcileExportView.as_view(), name="reconcile_export"),
]


@hooks.register("register_admin_urls")
def register_report_urls():
    return [path("billing/reports/", include((urls, "billing_reports")))]
