"""Admin views of the spreadsheet import of buildings, units, houses and owners.

Upload (community + file) → the file is stored under a random name → preview with
counts, the first rows and every error (also as the clerk's sheet with a column of
errors, to download) → confirm, which checks the file again and imports it in one
transaction. The preview and confirm steps carry a signed token naming
the file, the community and the user, so nobody can confirm someone else's upload or
point the import at another file. The rules are in portal.estates.directory_import.
"""

import re
import secrets
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView, View
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from . import directory_import as rules
from .models import Community

PERMISSION = "estates.import_directory"
SIGNING_SALT = "estates.directory-import"
TOKEN_MAX_AGE = 24 * 3600
STALE_AFTER = 24 * 3600  # uploads nobody confirmed are removed after a day
FILE_NAME = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
ERRORS_SHOWN = 1000


def import_dir():
    return Path(settings.PRIVATE_ROOT) / "directory-imports"


def stored_path(name):
    if not FILE_NAME.match(name):
        raise Http404
    return import_dir() / f"{name}.xlsx"


def store_upload(upload):
    """Save the upload under a random name and return the name."""
    folder = import_dir()
    folder.mkdir(parents=True, exist_ok=True)
    _remove_stale(folder)
    name = secrets.token_urlsafe(24)
    with open(folder / f"{name}.xlsx", "xb") as output:
        for chunk in upload.chunks():
            output.write(chunk)
    return name


def _remove_stale(folder):
    limit = time.time() - STALE_AFTER
    for old in folder.glob("*.xlsx"):
        if old.stat().st_mtime < limit:
            old.unlink(missing_ok=True)


class UploadForm(forms.Form):
    community = forms.ModelChoiceField(queryset=Community.objects.none(),
                                       label=_("Community"))
    file = forms.FileField(label=_("Spreadsheet (.xlsx)"),
                           help_text=_("At most 50,000 rows and 10 MB. Start from the "
                                       "template."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        communities = Community.objects.visible_to(user)
        self.fields["community"].queryset = communities
        if len(communities) == 1:
            self.fields["community"].initial = communities[0]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        rules.check_upload(upload)
        return upload


class ImportPermissionMixin:
    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ImportPageMixin(ImportPermissionMixin, WagtailAdminTemplateMixin):
    header_icon = "upload"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items,
                {"url": reverse("estates_import:upload"), "label": _("Import directory")},
                *([{"url": "", "label": self.breadcrumb}] if self.breadcrumb else [])]

    breadcrumb = None


class UploadView(ImportPageMixin, FormView):
    page_title = _("Import directory")
    template_name = "estates/admin/import_upload.html"
    form_class = UploadForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        name = store_upload(form.cleaned_data["file"])
        token = signing.dumps({"file": name, "community": form.cleaned_data["community"].pk,
                               "user": self.request.user.pk}, salt=SIGNING_SALT)
        return HttpResponseRedirect(f"{reverse('estates_import:preview')}?token={token}")


class SignedUploadMixin:
    """Loads the upload a signed token names, for the user it was made for."""

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
        self.path = stored_path(data["file"])
        if not self.path.exists():
            raise Http404


class PreviewView(ImportPageMixin, SignedUploadMixin, TemplateView):
    page_title = _("Import directory: preview")
    breadcrumb = _("Preview")
    template_name = "estates/admin/import_preview.html"

    def get(self, request, *args, **kwargs):
        self.load(request.GET.get("token"))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        refused = plan = None
        try:
            plan = rules.plan_import(self.path, self.community)
        except rules.SheetRefused as error:
            refused = error.message
        if refused:
            self.path.unlink(missing_ok=True)
        # A file with bad rows stays (until the clean-up of stale uploads) for its error
        # report; nothing can be imported from it.
        return super().get_context_data(
            community=self.community, plan=plan, refused=refused, token=self.token,
            errors=plan.errors[:ERRORS_SHOWN] if plan else [],
            errors_hidden=max(0, len(plan.errors) - ERRORS_SHOWN) if plan else 0,
            headers=rules.HEADERS, errors_column=rules.ERRORS_COLUMN, **kwargs)


class ConfirmView(ImportPermissionMixin, SignedUploadMixin, View):
    def post(self, request):
        self.load(request.POST.get("token"))
        try:
            plan = rules.plan_import(self.path, self.community)
        except rules.SheetRefused as error:
            plan = None
            messages.error(request, error.message)
        if plan is not None and not plan.is_valid:
            messages.error(request, _("The file has errors; nothing was imported."))
        if plan is None or not plan.is_valid:
            self.path.unlink(missing_ok=True)
            return HttpResponseRedirect(reverse("estates_import:upload"))
        try:
            created = rules.import_plan(plan, request.user)
        finally:
            self.path.unlink(missing_ok=True)
        messages.success(request, _(
            "Imported into %(community)s: %(buildings)s new buildings, %(units)s new units, "
            "%(houses)s new houses (%(existing)s already on file), %(owners)s new owners.")
            % {"community": self.community, "buildings": created["buildings"],
               "units": created["units"], "houses": created["houses"],
               "existing": created["houses_existing"], "owners": created["owners"]})
        return HttpResponseRedirect(reverse("estates_import:upload"))


class ErrorReportView(ImportPermissionMixin, SignedUploadMixin, View):
    """The clerk's own sheet back, with a column saying what is wrong in each row."""

    def get(self, request):
        self.load(request.GET.get("token"))
        try:
            plan = rules.plan_import(self.path, self.community)
        except rules.SheetRefused as error:
            raise Http404 from error
        return xlsx_response(rules.error_report(self.path, plan.errors),
                             "directory-errors.xlsx")


def xlsx_response(content, filename):
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class TemplateDownloadView(ImportPermissionMixin, View):
    def get(self, request):
        return xlsx_response(rules.template_workbook(), "directory-template.xlsx")


@hooks.register("register_admin_urls")
def register_import_urls():
    return [
        path("estates/import/", (
            [path("", UploadView.as_view(), name="upload"),
             path("preview/", PreviewView.as_view(), name="preview"),
             path("confirm/", ConfirmView.as_view(), name="confirm"),
             path("errors.xlsx", ErrorReportView.as_view(), name="errors"),
             path("template.xlsx", TemplateDownloadView.as_view(), name="template")],
            "estates_import", "estates_import")),
    ]


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(PERMISSION)


@hooks.register("register_admin_menu_item")
def register_import_menu_item():
    return ImportMenuItem(_("Import directory"), reverse("estates_import:upload"),
                          name="import-directory", icon_name="upload", order=160)


@hooks.register("register_log_actions")
def register_import_log_actions(actions):
    actions.register_action("estates.directory.import", _("Import directory"),
                            _("Directory imported from a spreadsheet"))
