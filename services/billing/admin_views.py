"""Views of the billing desk that a viewset cannot configure: the bill page (lines,
events, the adjust / waive form), a reading typed in, and the spreadsheet import of a
month's readings (upload → preview with every row error → confirm).

The import keeps the upload under a random name as the directory import does
(portal.estates.import_admin); preview and confirm carry a signed token naming the
file, the community, the month and the user."""

from datetime import date

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView, View
from wagtail.admin import messages
from wagtail.admin.views.generic import CreateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from portal.estates.errors import TransitionNotAllowed
from portal.estates.import_admin import store_upload, stored_path, xlsx_response
from portal.estates.models import Community
from portal.estates.viewsets import InspectView

from . import reading_import as rules
from .admin_forms import LineChangeForm, ReadingUploadForm

ADJUST = "billing.adjust_bill"
IMPORT = "billing.add_meterreading"
SIGNING_SALT = "billing.reading-import"
TOKEN_MAX_AGE = 24 * 3600


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


class ReadingCreateView(CreateView):
    """A reading typed in; a reading of the same meter and month entered meanwhile by
    someone else is refused with a message, not an error page."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)


class ImportPermissionMixin:
    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(IMPORT):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ImportPageMixin(ImportPermissionMixin, WagtailAdminTemplateMixin):
    header_icon = "upload"
    url_names = {}
    breadcrumb = None

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items,
                {"url": reverse(self.url_names["upload"]), "label": _("Import meter readings")},
                *([{"url": "", "label": self.breadcrumb}] if self.breadcrumb else [])]

    def get_context_data(self, **kwargs):
        return super().get_context_data(url_names=self.url_names, **kwargs)


class UploadView(ImportPageMixin, FormView):
    page_title = _("Import meter readings")
    template_name = "billing/admin/import_upload.html"
    form_class = ReadingUploadForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        name = store_upload(form.cleaned_data["file"])
        token = signing.dumps({"file": name, "community": form.cleaned_data["community"].pk,
                               "period": form.cleaned_data["period"].replace(day=1).isoformat(),
                               "user": self.request.user.pk}, salt=SIGNING_SALT)
        return HttpResponseRedirect(f"{reverse(self.url_names['preview'])}?token={token}")


class SignedUploadMixin:
    def load(self, token):
        try:
            data = signing.loads(token or "", salt=SIGNING_SALT, max_age=TOKEN_MAX_AGE)
        except signing.BadSignature as error:
            raise Http404 from error
        if data["user"] != self.request.user.pk:
            raise PermissionDenied
        self.token = token
        self.community = get_object_or_404(Community.objects.visible_to(self.request.user),
                                           pk=data["community"])
        self.period = date.fromisoformat(data["period"])
        self.path = stored_path(data["file"])
        if not self.path.exists():
            raise Http404

    def plan(self):
        return rules.plan_import(self.path, self.community, self.period)


class PreviewView(ImportPageMixin, SignedUploadMixin, TemplateView):
    page_title = _("Import meter readings: preview")
    breadcrumb = _("Preview")
    template_name = "billing/admin/import_preview.html"

    def get(self, request, *args, **kwargs):
        self.load(request.GET.get("token"))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        refused = plan = None
        try:
            plan = self.plan()
        except rules.SheetRefused as error:
            refused = error.message
            self.path.unlink(missing_ok=True)
        return super().get_context_data(community=self.community, period=self.period,
                                        plan=plan, refused=refused, token=self.token,
                                        **kwargs)


class ConfirmView(ImportPageMixin, SignedUploadMixin, View):
    def post(self, request):
        self.load(request.POST.get("token"))
        upload = reverse(self.url_names["upload"])
        try:
            plan = self.plan()
            if not plan.is_valid:
                messages.error(request, _("The file has errors; nothing was imported."))
                return HttpResponseRedirect(upload)
            created = rules.import_plan(plan, request.user)
        except rules.SheetRefused as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(upload)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return HttpResponseRedirect(upload)
        finally:
            self.path.unlink(missing_ok=True)
        messages.success(request, _(
            "Imported %(created)s readings of %(month)s into %(community)s (%(on_file)s were "
            "on file already).") % {"created": created, "month": f"{self.period:%Y-%m}",
                                    "community": self.community, "on_file": plan.on_file})
        return HttpResponseRedirect(upload)


class TemplateDownloadView(ImportPermissionMixin, View):
    def get(self, request):
        return xlsx_response(rules.template_workbook(), "meter-readings-template.xlsx")
