"""Admin views of the spreadsheet import of buildings, units, houses and owners: the
shared flow of portal.spreadsheet_import (upload → preview with counts, the first rows,
every error and the error report → confirm, all in one transaction) with the rules of
portal.estates.directory_import.
"""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from portal import spreadsheet_import as generic

# Others import the .xlsx response from here.
from portal.spreadsheet_import import xlsx_response  # noqa: F401

from . import directory_import as rules

PERMISSION = "estates.import_directory"


class DirectoryImport(generic.Import):
    rules = rules
    permission = PERMISSION
    salt = "estates.directory-import"
    title = _("Import directory")
    preview_title = _("Import directory: preview")
    template_folder = "estates/admin"
    template_filename = "directory-template.xlsx"
    error_report_filename = "directory-errors.xlsx"
    url_names = {name: f"estates_import:{name}"
                 for name in ("upload", "preview", "confirm", "errors", "template")}

    def success_message(self, created, plan):
        return _(
            "Imported into %(community)s: %(buildings)s new buildings, %(units)s new units, "
            "%(houses)s new houses (%(existing)s already on file), %(owners)s new owners.") % {
            "community": self.community, "buildings": created["buildings"],
            "units": created["units"], "houses": created["houses"],
            "existing": created["houses_existing"], "owners": created["owners"]}


class UploadView(DirectoryImport, generic.UploadView):
    pass


class PreviewView(DirectoryImport, generic.PreviewView):
    pass


class ConfirmView(DirectoryImport, generic.ConfirmView):
    pass


class ErrorReportView(DirectoryImport, generic.ErrorReportView):
    pass


class TemplateDownloadView(DirectoryImport, generic.TemplateDownloadView):
    pass


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
