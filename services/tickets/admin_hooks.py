"""The customer-service desk in the Wagtail admin: queue, ticket timeline and actions,
categories, dispatch rules, teams and the duty calendar.

Every viewset is a ScopedModelViewSet: staff see, search, export and open only the
tickets and setup rows of their communities. Tickets are never typed in or edited in
the admin: they change only through the actions on their page."""

from django.urls import path
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from portal.estates.viewsets import ObjectAction, ScopedModelViewSet, YesNoColumn

from . import admin_forms, admin_views, filters
from .categories import TicketCategory
from .models import Ticket
from .roster import DispatchRule, DutyShift, WorkerTeam


class ActionsOnlyPermissionPolicy(ModelPermissionPolicy):
    """Tickets are filed by owners and changed by their verbs, never by a model form."""

    def user_has_permission(self, user, action):
        return action not in ("add", "change", "delete") and super().user_has_permission(
            user, action)


register_permission_policy(Ticket, ActionsOnlyPermissionPolicy(Ticket))


class TicketMenuItem(MenuItem):
    """'Tickets', with the number of open tickets of my communities."""

    def is_shown(self, request):
        return request.user.has_perm("services.view_ticket")

    def render_component(self, request):
        component = super().render_component(request)
        count = Ticket.objects.visible_to(request.user).open().count()
        if count:
            component.label = f"{self.label} ({count})"
        return component


def _has_phone(ticket):
    # Anonymous complaints: only the ticket page offers the call, to those who may see
    # the reporter.
    return bool(ticket.contact_phone) and not ticket.anonymous


class TicketViewSet(ScopedModelViewSet):
    model = Ticket
    name = "tickets"
    icon = "clipboard-list"
    menu_label = _("Tickets")
    menu_order = 190
    add_to_admin_menu = True
    menu_item_class = TicketMenuItem
    index_view_class = admin_views.TicketIndexView
    inspect_view_class = admin_views.TicketInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    filterset_class = filters.TicketFilterSet
    # The edit form exists only because the viewset builds one; the policy refuses it.
    form_fields = ["description"]
    search_fields = ["description"]
    list_select_related = ["category", "community", "house__unit__building", "building",
                           "assignee"]
    # The queue's headers and sort keys; its rows are written by admin_views.queue_row
    # (the same columns, the state as a badge, the due date flagged once overdue).
    list_display = [
        "reference",  # the ticket's number: a link to its page
        Column("category", label=_("Category")),
        Column("location", label=_("Location")),
        Column("get_state_display", label=_("State"), sort_key="state"),
        Column("get_urgency_display", label=_("Urgency"), sort_key="urgency"),
        Column("assignee", label=_("Worker")),
        DateColumn("created_at", label=_("Submitted at")),
        Column("completion_due", label=_("Due"), sort_key="completion_due"),
    ]
    list_export = ["reference", "get_kind_display", "category", "community", "building",
                   "location", "get_state_display", "get_urgency_display", "assignee",
                   "contact_name", "masked_contact_phone", "description", "created_at",
                   "response_due", "completion_due", "is_overdue"]
    export_headings = {
        "reference": _("Number"), "get_kind_display": _("Kind"), "category": _("Category"),
        "community": _("Community"), "building": _("Building"), "location": _("Location"),
        "get_state_display": _("State"), "get_urgency_display": _("Urgency"),
        "assignee": _("Worker"), "contact_name": _("Contact"),
        "masked_contact_phone": _("Contact phone"), "is_overdue": _("Overdue"),
    }
    export_filename = "tickets"
    object_views = [("call", admin_views.CallOwnerView)]
    object_actions = [
        ObjectAction(_("Call the owner"), "call", "services.handle_ticket", "mobile-alt",
                     _has_phone),
    ]


class TicketCategoryViewSet(ScopedModelViewSet):
    model = TicketCategory
    name = "ticket_categories"
    icon = "tag"
    menu_order = 100
    form_class = admin_forms.TicketCategoryForm
    delete_view_class = admin_views.CategoryDeleteView
    list_display = ["name", Column("get_kind_display", label=_("Kind"), sort_key="kind"),
                    "trade", "response_minutes", "completion_hours",
                    "urgent_response_minutes", "urgent_completion_hours",
                    YesNoColumn("active", label=_("Active"))]
    list_filter = ["kind", "active"]
    search_fields = ["name"]
    copy_view_enabled = False


class DispatchRuleViewSet(ScopedModelViewSet):
    model = DispatchRule
    name = "dispatch_rules"
    icon = "resubmit"
    menu_order = 200
    form_class = admin_forms.DispatchRuleForm
    filterset_class = filters.DispatchRuleFilterSet
    list_select_related = ["community", "building", "category", "worker", "team"]
    list_display = ["__str__", Column("community", label=_("Community")),
                    Column("building", label=_("Building")),
                    Column("category", label=_("Category")),
                    Column("worker", label=_("Worker")), Column("team", label=_("Team")),
                    YesNoColumn("active", label=_("Active"))]
    copy_view_enabled = False


class WorkerTeamViewSet(ScopedModelViewSet):
    model = WorkerTeam
    name = "worker_teams"
    icon = "group"
    menu_order = 300
    form_class = admin_forms.WorkerTeamForm
    filterset_class = filters.WorkerTeamFilterSet
    list_select_related = ["community"]
    list_display = ["name", Column("community", label=_("Community"))]
    search_fields = ["name"]
    copy_view_enabled = False


class DutyShiftViewSet(ScopedModelViewSet):
    model = DutyShift
    name = "duty_shifts"
    icon = "date"
    menu_order = 400
    form_class = admin_forms.DutyShiftForm
    filterset_class = filters.DutyShiftFilterSet
    list_select_related = ["community", "staff"]
    list_display = ["__str__", Column("community", label=_("Community")),
                    Column("staff", label=_("Worker")),
                    Column("starts_at", label=_("Starts at")),
                    Column("ends_at", label=_("Ends at"))]
    list_export = ["community", "staff", "starts_at", "ends_at"]
    copy_view_enabled = False
    index_view_class = admin_views.DutyShiftIndexView

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(week_url_name=self.get_url_name("week"), **kwargs)

    def get_urlpatterns(self):
        week = admin_views.DutyWeekView.as_view(
            index_url_name=self.get_url_name("index"), add_url_name=self.get_url_name("add"))
        return [*super().get_urlpatterns(), path("week/", week, name="week")]


class TicketSetupGroup(ModelViewSetGroup):
    menu_label = _("Ticket setup")
    menu_icon = "cogs"
    menu_order = 195
    items = [TicketCategoryViewSet, DispatchRuleViewSet, WorkerTeamViewSet, DutyShiftViewSet]


@hooks.register("register_admin_viewset")
def register_ticket_queue():
    return TicketViewSet()


@hooks.register("register_admin_viewset")
def register_ticket_setup():
    return TicketSetupGroup()


@hooks.register("insert_global_admin_css")
def keep_ticket_numbers_on_one_line():
    # A number read out on the phone (BX20261123-1234) must not wrap in the queue.
    return mark_safe("<style>td.ticket-number a { white-space: nowrap; }</style>")


@hooks.register("register_log_actions")
def register_ticket_log_actions(actions):
    actions.register_action(admin_views.CALL_LOG_ACTION, _("Show the owner's number to call"),
                            _("Number shown to call the owner about a ticket"))
