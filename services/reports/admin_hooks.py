"""The ticket report's admin URLs and its menu item (for staff who may view tickets)."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .views import VIEW_TICKET, TicketReportExportView, TicketReportView

report_urls = [
    path("", TicketReportView.as_view(), name="index"),
    path("export/", TicketReportExportView.as_view(), name="export"),
]


@hooks.register("register_admin_urls")
def register_ticket_report_urls():
    return [path("ticket-report/", include((report_urls, "ticket_report")))]


class TicketReportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(VIEW_TICKET)


@hooks.register("register_admin_menu_item")
def register_ticket_report_menu_item():
    return TicketReportMenuItem(_("Ticket report"), reverse("ticket_report:index"),
                                icon_name="table", order=330)
