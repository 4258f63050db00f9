"""The ticket report in the admin and its .xlsx export: parse the period and community,
build the one TicketReport, render it."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from portal.estates.import_admin import xlsx_response
from portal.estates.models import Community

from . import export
from .queries import Period
from .report import TicketReport, definitions

VIEW_TICKET = "services.view_ticket"
LONGEST_PERIOD_DAYS = 366


class ReportForm(forms.Form):
    first = forms.DateField(label=_("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    last = forms.DateField(label=_("To"), required=False,
                           widget=forms.DateInput(attrs={"type": "date"}))
    community = forms.ModelChoiceField(queryset=Community.objects.none(), required=False,
                                       label=_("Community"),
                                       empty_label=_("All my communities"))

    def __init__(self, data, user):
        super().__init__(data)
        self.fields["community"].queryset = Community.objects.visible_to(user)

    def clean(self):
        cleaned = super().clean()
        default = Period.month_of(timezone.localdate())
        first = cleaned.get("first") or default.first
        last = cleaned.get("last") or (default.last if not cleaned.get("first")
                                       else Period.month_of(first).last)
        if last < first:
            self.add_error("last", _("The end must not come before the start."))
        elif (last - first).days >= LONGEST_PERIOD_DAYS:
            self.add_error("last", _("Choose a period of at most a year."))
        cleaned["period"] = Period(first, last)
        return cleaned


class ReportPermissionMixin:
    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not user.has_perm(VIEW_TICKET) or not (user.is_superuser or hasattr(user, "staff")):
            raise PermissionDenied
        self.form = ReportForm(request.GET, user)
        return super().dispatch(request, *args, **kwargs)

    def report(self):
        """The report for valid choices; None while the form shows an error."""
        if not self.form.is_valid():
            return None
        cleaned = self.form.cleaned_data
        return TicketReport(self.request.user, cleaned["period"], cleaned.get("community"))


class TicketReportView(ReportPermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    page_title = _("Ticket report")
    header_icon = "table"
    template_name = "services/admin/ticket_report.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(form=self.form, report=self.report(),
                                        definitions=definitions(),
                                        query=self.request.GET.urlencode(), **kwargs)


class TicketReportExportView(ReportPermissionMixin, View):
    def get(self, request):
        report = self.report()
        if report is None:
            return HttpResponseBadRequest(_("Choose a valid period."))
        period = report.period
        return xlsx_response(export.workbook(report),
                             f"tickets-{period.first:%Y%m%d}-{period.last:%Y%m%d}.xlsx")
