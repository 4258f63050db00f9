"""The spreadsheet imports of the admin (directory, meter readings) share this flow:
upload (a community of the user's + a file checked by its content) → stored under a
random private name → preview with counts, rows and every error → confirm, which checks
the file again and imports it. Preview, confirm and the error report carry a signed token
naming the file, the community, the user (and e.g. the month read), so nobody can confirm
someone else's upload or point the import at another file. An import subclasses
``Import`` and mixes it into the views below; its rules module reads the sheet with the
helpers of the first part.
"""

import io
import re
import secrets
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView, View
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from portal.estates.models import Community

# --- The sheet ---------------------------------------------------------------------------

MAX_ROWS = 50_000
MAX_BYTES = 10 * 1024 * 1024
PREVIEW_ROWS = 50
ZIP_MAGIC = b"PK\x03\x04"  # an .xlsx is a zip archive
ERRORS_COLUMN = "错误"  # the sheet's own word, added to the clerk's rows in the error report


class SheetRefused(Exception):
    """The file as a whole cannot be imported (not an xlsx, too big, wrong header...)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class CellError:
    row: int  # the spreadsheet's row number, as the clerk sees it
    column: str
    message: str


def check_upload(upload):
    """Refuse, before storing it, a file that is too big or is not a zip archive
    (whatever its name says)."""
    if upload.size > MAX_BYTES:
        raise ValidationError(_("The file is larger than 10 MB."), code="too_big")
    upload.seek(0)
    magic = upload.read(len(ZIP_MAGIC))
    upload.seek(0)
    if magic != ZIP_MAGIC:
        raise ValidationError(_("This is not an Excel .xlsx file."), code="not_xlsx")


def cell_text(value):
    """A cell as the clerk sees it: spreadsheets store 1201 and 13800138000 as numbers."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_sheet(path, headers, required=None):
    """(row number, values by header) of every non-empty row of the first sheet, for the
    ``headers`` the sheet has; the file is judged by its content (openpyxl must open it),
    not by its name.

    Raises SheetRefused for a file openpyxl cannot open, a ``required`` header missing
    (all of ``headers`` by default), an empty sheet or too many rows."""
    from openpyxl import load_workbook

    if not zipfile.is_zipfile(path):
        raise SheetRefused(_("This is not an Excel .xlsx file."))
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise SheetRefused(_("This file cannot be opened as an Excel .xlsx file.")) from error
    try:
        values = workbook.worksheets[0].iter_rows(values_only=True)
        header = [cell_text(cell) for cell in next(values, None) or []]
        if not any(header):
            raise SheetRefused(_("The sheet is empty."))
        missing = [name for name in required or headers if name not in header]
        if missing:
            raise SheetRefused(
                _("The header row lacks these columns: %(columns)s. Download the template "
                  "and keep its first row.") % {"columns": ", ".join(missing)})
        positions = {name: header.index(name) for name in headers if name in header}
        rows = []
        for number, cells in enumerate(values, start=2):
            if not any(cell_text(cell) for cell in cells):
                continue
            if len(rows) == MAX_ROWS:
                raise SheetRefused(
                    _("The sheet has more than %(limit)s rows; split it into several files.")
                    % {"limit": MAX_ROWS})
            rows.append((number, {name: cells[i] if i < len(cells) else None
                                  for name, i in positions.items()}))
        if not rows:
            raise SheetRefused(_("The sheet has a header but no rows."))
        return rows
    finally:
        workbook.close()


def error_report(path, errors):
    """The clerk's sheet returned as bytes: every row as they wrote it, in its place (so
    row numbers match the preview), with an added column saying what is wrong in it.
    The clerk corrects the cells, deletes the added column or not, and uploads again."""
    from openpyxl import Workbook, load_workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    by_row = {}
    for error in errors:
        by_row.setdefault(error.row, []).append(f"{error.column}: {error.message}")
    highlight = PatternFill("solid", fgColor="FFE0E0")
    wrap = Alignment(wrap_text=True, vertical="top")

    source = load_workbook(path, read_only=True, data_only=True)
    report = Workbook(write_only=True)
    try:
        original = source.worksheets[0]
        sheet = report.create_sheet(original.title)
        rows = original.iter_rows(values_only=True)
        header = list(next(rows, ()))
        # A report uploaded again: its old column of errors gives way to the new one.
        kept = [i for i, name in enumerate(header) if cell_text(name) != ERRORS_COLUMN]
        title = WriteOnlyCell(sheet, ERRORS_COLUMN)
        title.font = Font(bold=True, color="C00000")
        sheet.column_dimensions[get_column_letter(len(kept) + 1)].width = 60
        sheet.append([*(header[i] for i in kept), title])
        for number, cells in enumerate(rows, start=2):
            values = [cells[i] if i < len(cells) else None for i in kept]
            problems = by_row.get(number)
            if problems:
                cell = WriteOnlyCell(sheet, "\n".join(problems))
                cell.fill = highlight
                cell.alignment = wrap
                values.append(cell)
            sheet.append(values)
    finally:
        source.close()
    return workbook_bytes(report)


def workbook_bytes(workbook):
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def xlsx_response(content, filename):
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- The uploads, kept privately until confirmed ---------------------------------------

TOKEN_MAX_AGE = 24 * 3600
STALE_AFTER = 24 * 3600  # uploads nobody confirmed are removed after a day
FILE_NAME = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def import_dir():
    # Named for the first import; every import keeps its uploads there.
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


# --- The views ---------------------------------------------------------------------------

ERRORS_SHOWN = 1000


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
        check_upload(upload)
        return upload


class Import:
    """One import, mixed into each of its views: ``rules`` is the module with
    ``plan_import(path, community, **extra)``, ``import_plan(plan, user)``,
    ``template_workbook()`` and ``HEADERS``; the rest says where and how it is shown."""

    rules = None
    permission = None
    salt = None
    title = None
    preview_title = None
    template_folder = None  # holds import_upload.html and import_preview.html
    template_filename = None
    error_report_filename = None
    url_names = {}
    form_class = UploadForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def token_extra(self, form):
        """What the token carries besides the file, the community and the user."""
        return {}

    def read_extra(self, data):
        """The keyword arguments of ``plan_import`` that the token carries."""
        return {}

    def success_message(self, created, plan):
        raise NotImplementedError

    def load(self, token):
        """The upload the signed token names, for the user it was made for."""
        try:
            data = signing.loads(token or "", salt=self.salt, max_age=TOKEN_MAX_AGE)
        except signing.BadSignature as error:
            raise Http404 from error
        if data["user"] != self.request.user.pk:
            raise PermissionDenied
        self.token = token
        self.community = get_object_or_404(Community.objects.visible_to(self.request.user),
                                           pk=data["community"])
        self.extra = self.read_extra(data)
        self.path = stored_path(data["file"])
        if not self.path.exists():
            raise Http404

    def plan(self):
        return self.rules.plan_import(self.path, self.community, **self.extra)


class ImportPage(Import, WagtailAdminTemplateMixin):
    header_icon = "upload"
    breadcrumb = None
    template_page = None

    def get_template_names(self):
        return [f"{self.template_folder}/import_{self.template_page}.html"]

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items,
                {"url": reverse(self.url_names["upload"]), "label": self.title},
                *([{"url": "", "label": self.breadcrumb}] if self.breadcrumb else [])]

    def get_context_data(self, **kwargs):
        return super().get_context_data(url_names=self.url_names, **kwargs)


class UploadView(ImportPage, FormView):
    template_page = "upload"

    def get_page_title(self):
        return self.title

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        name = store_upload(form.cleaned_data["file"])
        token = signing.dumps({"file": name, "community": form.cleaned_data["community"].pk,
                               "user": self.request.user.pk, **self.token_extra(form)},
                              salt=self.salt)
        return HttpResponseRedirect(f"{reverse(self.url_names['preview'])}?token={token}")


class PreviewView(ImportPage, TemplateView):
    template_page = "preview"
    breadcrumb = _("Preview")

    def get_page_title(self):
        return self.preview_title

    def get(self, request, *args, **kwargs):
        self.load(request.GET.get("token"))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        refused = plan = None
        try:
            plan = self.plan()
        except SheetRefused as error:
            refused = error.message
            self.path.unlink(missing_ok=True)
        # A file with bad rows stays (until the clean-up of stale uploads) for its error
        # report; nothing can be imported from it.
        errors = plan.errors if plan else []
        return super().get_context_data(
            community=self.community, plan=plan, refused=refused, token=self.token,
            errors=errors[:ERRORS_SHOWN], errors_hidden=max(0, len(errors) - ERRORS_SHOWN),
            headers=self.rules.HEADERS, errors_column=ERRORS_COLUMN, **self.extra, **kwargs)


class ConfirmView(Import, View):
    def post(self, request):
        self.load(request.POST.get("token"))
        upload = HttpResponseRedirect(reverse(self.url_names["upload"]))
        try:
            plan = self.plan()
            if not plan.is_valid:
                messages.error(request, _("The file has errors; nothing was imported."))
                return upload
            created = self.rules.import_plan(plan, request.user)
        except SheetRefused as error:
            messages.error(request, error.message)
            return upload
        except ValidationError as error:  # the import found someone else's rows meanwhile
            messages.error(request, error.messages[0])
            return upload
        finally:
            self.path.unlink(missing_ok=True)
        messages.success(request, self.success_message(created, plan))
        return upload


class ErrorReportView(Import, View):
    """The clerk's own sheet back, with a column saying what is wrong in each row."""

    def get(self, request):
        self.load(request.GET.get("token"))
        try:
            plan = self.plan()
        except SheetRefused as error:
            raise Http404 from error
        return xlsx_response(error_report(self.path, plan.errors), self.error_report_filename)


class TemplateDownloadView(Import, View):
    def get(self, request):
        return xlsx_response(self.rules.template_workbook(), self.template_filename)
