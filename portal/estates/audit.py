"""Wagtail reports that span every community at once and know only model permissions, not
communities: the Site history (audit entries of every community) and the page types
usage (the last edited page of each type, whoever's it is: another merchant's, another
community's notice). They are company-wide reports, kept for the people who see the
whole company. Community staff read the history of each record in its (scoped) inspect
view; merchants have their own page."""

from django.core.exceptions import PermissionDenied
from django.urls import path
from wagtail.admin.auth import require_admin_access
from wagtail.admin.views.reports.audit_logging import LogEntriesView
from wagtail.admin.views.reports.page_types_usage import PageTypesUsageReportView

from .scope import sees_whole_company

# The reports' menu item names, hidden from everyone else (wagtail_hooks).
COMPANY_WIDE_REPORTS = ("site-history", "page-types-usage")


class CompanyWideOnly:
    def dispatch(self, request, *args, **kwargs):
        if not sees_whole_company(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class CompanyWideLogEntriesView(CompanyWideOnly, LogEntriesView):
    pass


class CompanyWidePageTypesUsageView(CompanyWideOnly, PageTypesUsageReportView):
    pass


def report_paths(address, view_class, name):
    """A report of ours at the address of Wagtail's: placed before Wagtail's admin URLs, it
    answers there (and the report keeps its menu item)."""
    return [
        path(f"admin/reports/{address}/", require_admin_access(view_class.as_view()),
             name=name),
        path(f"admin/reports/{address}/results/",
             require_admin_access(view_class.as_view(results_only=True)),
             name=f"{name}_results"),
    ]


urlpatterns = [
    *report_paths("site-history", CompanyWideLogEntriesView, "site_history_company_wide"),
    *report_paths("page-types-usage", CompanyWidePageTypesUsageView,
                  "page_types_usage_company_wide"),
]
