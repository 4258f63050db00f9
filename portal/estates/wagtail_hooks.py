"""Admin menus and viewsets of the estate directory.

Every viewset is a ScopedModelViewSet: staff see, search, export and open only the
rows of their communities. Function permissions are the model permissions the role
groups hold (portal.estates.roles)."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from . import (
    admin_forms,
    admin_views,
    audit,
    filters,
    import_admin,  # noqa: F401  (the spreadsheet import's admin views and menu item)
    page_reach,
)
from .models import Building, Community, House, Occupancy, OwnerRecord, Resident, Staff, Unit
from .scope import sees_whole_company
from .viewsets import ObjectAction, ScopedModelViewSet, YesNoColumn


class SelfServicePermissionPolicy(ModelPermissionPolicy):
    """Residents and their house bindings are created by the residents themselves (QR
    registration, binding a house), never typed in by staff."""

    def user_has_permission(self, user, action):
        return action != "add" and super().user_has_permission(user, action)


register_permission_policy(Resident, SelfServicePermissionPolicy(Resident))
register_permission_policy(Occupancy, SelfServicePermissionPolicy(Occupancy))


MASKED_PHONE = Column("masked_phone", label=_("Mobile number"))
PERSONAL_DATA_LABELS = {"masked_phone": _("Mobile number"),
                        "masked_id_number": _("ID number")}
COMMUNITY = Column("community", label=_("Community"), sort_key="community__name")


class CommunityViewSet(ScopedModelViewSet):
    model = Community
    icon = "site"
    menu_order = 100
    form_class = admin_forms.CommunityForm
    filterset_class = filters.CommunityFilterSet
    search_fields = ["name", "code", "address"]
    list_display = ["name", "code", "address", "service_phone",
                    YesNoColumn("registration_open", label=_("Registration open"))]
    list_export = ["name", "code", "address", "service_phone", "office_hours",
                   "registration_open"]
    inspect_view_enabled = True
    inspect_view_class = admin_views.InspectWithHistoryView
    inspect_view_labels = {"registration_version": _("Registration code version")}
    copy_view_enabled = False
    object_views = [
        ("registration-code", admin_views.RegistrationCodeView),
        ("withdraw-codes", admin_views.WithdrawRegistrationCodesView),
    ]
    object_actions = [
        ObjectAction(_("Registration QR code"), "registration-code",
                     "estates.print_registration_code", "view"),
    ]


class BuildingViewSet(ScopedModelViewSet):
    model = Building
    icon = "home"
    menu_order = 200
    list_select_related = ["community"]
    form_fields = ["community", "name", "sort_order"]
    filterset_class = filters.BuildingFilterSet
    search_fields = ["name"]
    list_display = ["name", COMMUNITY, "sort_order"]
    list_export = ["community", "name", "sort_order"]
    inspect_view_enabled = True
    copy_view_enabled = False


class UnitViewSet(ScopedModelViewSet):
    model = Unit
    icon = "grid"
    menu_order = 300
    list_select_related = ["building", "community"]
    form_class = admin_forms.UnitForm
    filterset_class = filters.UnitFilterSet
    search_fields = ["name", "building__name"]
    list_display = ["__str__", Column("building", label=_("Building")), COMMUNITY]
    list_export = ["community", "building", "name"]
    export_headings = {"community": _("Community"), "building": _("Building")}
    inspect_view_enabled = True
    inspect_view_labels = {"community": _("Community")}
    copy_view_enabled = False


class HouseViewSet(ScopedModelViewSet):
    model = House
    icon = "doc-empty"
    menu_order = 400
    list_select_related = ["unit__building", "building", "community"]
    form_class = admin_forms.HouseForm
    filterset_class = filters.HouseFilterSet
    search_fields = ["number"]
    # The first column is a plain name so that Wagtail makes it the title, with the row's
    # buttons.
    list_display = ["__str__", COMMUNITY,
                    Column("get_kind_display", label=_("Kind")), "floor", "area"]
    list_export = ["community", "building", "unit.name", "number", "floor", "area", "kind"]
    export_headings = {"community": _("Community"), "building": _("Building"),
                       "unit.name": _("Unit")}
    inspect_view_enabled = True
    inspect_view_labels = {"community": _("Community"), "building": _("Building")}


class OwnerRecordViewSet(ScopedModelViewSet):
    model = OwnerRecord
    icon = "clipboard-list"
    menu_order = 500
    list_select_related = ["house__unit__building", "community"]
    form_class = admin_forms.OwnerRecordForm
    filterset_class = filters.OwnerRecordFilterSet
    search_fields = ["name", "house__number"]
    phone_index_fields = ["phone_index"]
    list_display = ["name", Column("house", label=_("House")), MASKED_PHONE, COMMUNITY]
    list_export = ["community", "house.label", "name", "masked_phone", "masked_id_number"]
    export_headings = {"community": _("Community"), "house.label": _("House"),
                       "masked_phone": _("Mobile number"), "masked_id_number": _("ID number")}
    inspect_view_enabled = True
    inspect_view_fields = ["community", "house", "name", "masked_phone", "masked_id_number"]
    inspect_view_labels = PERSONAL_DATA_LABELS
    copy_view_enabled = False


def _is_disabled(resident):
    return resident.is_disabled


class ResidentViewSet(ScopedModelViewSet):
    model = Resident
    icon = "user"
    menu_order = 600
    list_select_related = ["user", "community"]
    form_class = admin_forms.ResidentForm
    filterset_class = filters.ResidentFilterSet
    search_fields = ["name"]
    phone_index_fields = ["user__phone_index"]
    list_display = ["name", MASKED_PHONE, COMMUNITY,
                    YesNoColumn("is_active", label=_("Account active"),
                                accessor="user.is_active"),
                    DateColumn("registered_at", label=_("Registered at"))]
    list_export = ["community", "name", "masked_phone", "masked_id_number", "registered_at",
                   "is_disabled"]
    export_headings = {"community": _("Community"), "masked_phone": _("Mobile number"),
                       "masked_id_number": _("ID number"), "is_disabled": _("Account disabled")}
    inspect_view_enabled = True
    inspect_view_class = admin_views.ResidentInspectView
    inspect_view_fields = ["name", "masked_phone", "masked_id_number", "community",
                           "registered_at", "is_disabled", "occupancies"]
    inspect_view_labels = {**PERSONAL_DATA_LABELS, "is_disabled": _("Account disabled"),
                           "occupancies": _("House bindings")}
    copy_view_enabled = False
    object_views = [
        ("disable", admin_views.ResidentDisableView),
        ("enable", admin_views.ResidentEnableView),
        ("set_password", admin_views.ResidentSetPasswordView),
    ]
    object_actions = [
        ObjectAction(_("Disable account"), "disable", "estates.disable_resident", "lock",
                     lambda resident: not resident.is_disabled),
        ObjectAction(_("Enable account"), "enable", "estates.disable_resident", "lock-open",
                     _is_disabled),
        ObjectAction(_("Set a new password"), "set_password", "estates.change_resident",
                     "key", lambda resident: True),
    ]


def _is_pending(occupancy):
    return occupancy.state == Occupancy.State.PENDING


def _is_active(occupancy):
    return occupancy.state in Occupancy.ACTIVE_STATES


class OccupancyViewSet(ScopedModelViewSet):
    model = Occupancy
    icon = "tasks"
    menu_order = 700
    list_select_related = ["resident__user", "house__unit__building", "community"]
    form_fields = ["role"]
    filterset_class = filters.OccupancyFilterSet
    search_fields = ["resident__name", "house__number"]
    phone_index_fields = ["resident__user__phone_index"]
    list_display = ["resident",
                    Column("resident.masked_phone", label=_("Mobile number")),
                    Column("house", label=_("House")), COMMUNITY,
                    Column("get_role_display", label=_("Role")),
                    Column("get_state_display", label=_("State")),
                    DateColumn("created_at", label=_("Requested at"))]
    list_export = ["community", "house.label", "resident.name", "resident.masked_phone",
                   "role", "state", "created_at", "decided_at", "reason"]
    export_headings = {"community": _("Community"), "house.label": _("House"),
                       "resident.name": _("Resident"),
                       "resident.masked_phone": _("Mobile number")}
    inspect_view_enabled = True
    inspect_view_class = admin_views.InspectWithHistoryView
    inspect_view_fields = ["resident", "house", "role", "state", "created_at", "decided_at",
                           "decided_by", "reason", "ended_at"]
    copy_view_enabled = False
    object_views = [
        ("review", admin_views.OccupancyReviewView),
        ("end", admin_views.OccupancyEndView),
    ]
    object_actions = [
        ObjectAction(_("Review"), "review", "estates.verify_occupancy", "tick-inverse",
                     _is_pending),
        ObjectAction(_("End binding"), "end", "estates.change_occupancy", "cross", _is_active),
    ]

    @property
    def menu_url(self):
        # Customer service works through the pending bindings first.
        return super().menu_url + "?state=pending"


class StaffViewSet(ScopedModelViewSet):
    model = Staff
    icon = "group"
    menu_order = 800
    list_select_related = ["user"]
    list_prefetch_related = ["user__groups", "communities"]
    form_class = admin_forms.StaffForm
    filterset_class = filters.StaffFilterSet
    search_fields = ["name", "user__username"]
    phone_index_fields = ["user__phone_index"]
    list_display = ["name", Column("user.username", label=_("Username")),
                    Column("roles_display", label=_("Roles")),
                    Column("communities_display", label=_("Communities")), MASKED_PHONE]
    list_export = ["name", "user.username", "roles_display", "communities_display",
                   "masked_phone"]
    export_headings = {"user.username": _("Username"), "roles_display": _("Roles"),
                       "communities_display": _("Communities"),
                       "masked_phone": _("Mobile number")}
    inspect_view_enabled = True
    inspect_view_class = admin_views.InspectWithHistoryView
    inspect_view_fields = ["name", "company", "communities", "trades", "masked_phone",
                           "roles_display"]
    inspect_view_labels = {**PERSONAL_DATA_LABELS, "roles_display": _("Roles")}
    copy_view_enabled = False


class EstateDirectoryGroup(ModelViewSetGroup):
    menu_label = _("Estate directory")
    menu_icon = "site"
    menu_order = 150
    items = [CommunityViewSet, BuildingViewSet, UnitViewSet, HouseViewSet, OwnerRecordViewSet,
             ResidentViewSet, OccupancyViewSet, StaffViewSet]


@hooks.register("register_admin_viewset")
def register_estate_directory():
    return EstateDirectoryGroup()


@hooks.register("register_log_actions")
def register_estate_log_actions(actions):
    # Every audit action the estate models write must be registered, or log() refuses it.
    actions.register_action("estates.resident.disable", _("Disable account"),
                            _("Account disabled"))
    actions.register_action("estates.resident.enable", _("Enable account"),
                            _("Account enabled"))
    actions.register_action("estates.resident.set_password", _("Set a new password"),
                            _("Password set by the property office"))
    actions.register_action("estates.occupancy.request", _("Request house binding"),
                            _("House binding requested"))
    actions.register_action("estates.occupancy.verify", _("Verify house binding"),
                            _("House binding verified"))
    actions.register_action("estates.occupancy.reject", _("Reject house binding"),
                            _("House binding rejected"))
    actions.register_action("estates.occupancy.end", _("End house binding"),
                            _("House binding ended"))
    actions.register_action("estates.community.withdraw_codes",
                            _("Withdraw registration codes"),
                            _("Printed registration codes withdrawn"))


@hooks.register("construct_reports_menu")
def hide_company_wide_reports(request, menu_items):
    # These reports span every community: see portal/estates/audit.py.
    if not sees_whole_company(request.user):
        menu_items[:] = [item for item in menu_items
                         if item.name not in audit.COMPANY_WIDE_REPORTS]


# Wagtail's page bulk actions, naming only pages the user can see (page_reach.py);
# registered after Wagtail's own, which they replace.
for bulk_action in page_reach.BULK_ACTIONS:
    hooks.register("register_bulk_action", bulk_action, order=1)
