"""Views of the billing desk that a viewset cannot configure: the bill page (lines,
events, the adjust / waive form), a reading typed in or corrected, and the spreadsheet
import of a month's readings (upload → preview with every row error → confirm).

The import is the shared one of portal.spreadsheet_import, as the directory's is; its
token also names the month."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail.admin import messages
from wagtail.admin.views.generic import CreateView, DeleteView, EditView

from portal import spreadsheet_import as generic
from portal.estates.errors import TransitionNotAllowed
from portal.estates.viewsets import InspectView

from . import reading_import as rules
from .admin_forms import LineChangeForm, ReadingUploadForm

ADJUST = "billing.adjust_bill"
IMPORT = "billing.add_meterreading"


class BillInspectView(InspectView):
    """The bill: its lines, what was changed by hand and why, and the form to adjust or
    waive a line (posted here)."""

    template_name = "billing/admin/bill_inspect.html"

    def get_context_data(self, **kwargs):
        bill = self.object
        can_adjust = self.request.user.has_perm(ADJUST)
        form = kwargs.pop("form", None)
        if form is None and can_adjust:
            form = LineChangeForm(bill=bill)
        return super().get_context_data(
            bill=bill, lines=bill.lines.select_related("fee_item"),
            events=bill.events.select_related("line", "actor"),
            form=form if form is not None and form.fields["line"].queryset.exists() else None,
            **kwargs)

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm(ADJUST):
            raise PermissionDenied
        self.object = self.get_object()
        form = LineChangeForm(request.POST, bill=self.object)
        if form.is_valid():
            try:
                messages.success(request, form.act(request.user))
                return HttpResponseRedirect(request.path)
            except ValidationError as error:
                form.add_error(None, error)
            except TransitionNotAllowed as error:
                form.add_error(None, str(error))
        return self.render_to_response(self.get_context_data(form=form))


class RefusalKeepsInput:
    """A reading refused when saved (one of the same meter and month entered meanwhile,
    a correction a paid bill forbids) is told in a message above the form as typed, not
    an error page; the transaction around the save leaves nothing changed."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            form.add_error(None, error)
        except TransitionNotAllowed as error:
            form.add_error(None, str(error))
        self.produced_error_code = "validation_error"
        self.produced_error_message = self.get_error_message()
        return self.form_invalid(form)


class ReadingCreateView(RefusalKeepsInput, CreateView):
    pass


class ReadingEditView(RefusalKeepsInput, EditView):
    pass


class ReadingDeleteView(DeleteView):
    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except TransitionNotAllowed as error:
            messages.error(self.request, str(error))
            return redirect(self.edit_url_name, self.object.pk)


class ReadingImport(generic.Import):
    """The shared spreadsheet import with the month read carried in the token; the URL
    names come from the viewset (wagtail_hooks)."""

    rules = rules
    permission = IMPORT
    salt = "billing.reading-import"
    title = _("Import meter readings")
    preview_title = _("Import meter readings: preview")
    template_folder = "billing/admin"
    template_filename = "meter-readings-template.xlsx"
    error_report_filename = "meter-readings-errors.xlsx"
    form_class = ReadingUploadForm

    def token_extra(self, form):
        return {"period": form.cleaned_data["period"].replace(day=1).isoformat()}

    def read_extra(self, data):
        return {"period": date.fromisoformat(data["period"])}

    def success_message(self, created, plan):
        return _(
            "Imported %(created)s readings of %(month)s into %(community)s (%(on_file)s were "
            "on file already).") % {"created": created, "month": f"{plan.period:%Y-%m}",
                                    "community": self.community, "on_file": plan.on_file}


class UploadView(ReadingImport, generic.UploadView):
    pass


class PreviewView(ReadingImport, generic.PreviewView):
    pass


class ConfirmView(ReadingImport, generic.ConfirmView):
    pass


class ErrorReportView(ReadingImport, generic.ErrorReportView):
    pass


class TemplateDownloadView(ReadingImport, generic.TemplateDownloadView):
    pass
