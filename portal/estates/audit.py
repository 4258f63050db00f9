"""Wagtail's Site history report lists audit entries of every community at once; it only
knows model permissions, not communities. It is a company-wide report, so it is kept for
the people who see the whole company. Community staff read the history of each record in
its (scoped) inspect view instead."""

from django.core.exceptions import PermissionDenied
from django.urls import path
from wagtail.admin.auth import require_admin_access
from wagtail.admin.views.reports.audit_logging import LogEntriesView

from .scope import sees_whole_company


class CompanyWideLogEntriesView(LogEntriesView):
    def dispatch(self, request, *args, **kwargs):
        if not sees_whole_company(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


# Placed before Wagtail's admin URLs, so these take the report's addresses.
urlpatterns = [
    path("admin/reports/site-history/",
         require_admin_access(CompanyWideLogEntriesView.as_view()),
         name="site_history_company_wide"),
    path("admin/reports/site-history/results/",
         require_admin_access(CompanyWideLogEntriesView.as_view(results_only=True)),
         name="site_history_company_wide_results"),
]
