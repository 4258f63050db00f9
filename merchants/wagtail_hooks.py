"""Merchants in the Wagtail admin (menu 商家 / Merchants): the merchants staff may manage
with their status actions, the merchants' login accounts, and the tag list.

A merchant's page itself is edited in the page editor; merchant.permissions keeps each
account to its own page and staff to the merchants serving their communities."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets import Button
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from portal.estates.viewsets import ObjectAction, ScopedModelViewSet, YesNoColumn

from . import admin_forms, admin_views, filters, permissions
from .models import MerchantAccount, MerchantPage, MerchantTag, Status


class ListingOnlyPermissionPolicy(ModelPermissionPolicy):
    """Merchant pages are added and edited in the page editor, accounts only created
    and removed: the viewsets list, inspect and act, never edit rows."""

    refused = ("add", "change", "delete")

    def user_has_permission(self, user, action):
        return action not in self.refused and super().user_has_permission(user, action)


class CreateOnlyPermissionPolicy(ListingOnlyPermissionPolicy):
    refused = ("change", "delete")


register_permission_policy(MerchantAccount, CreateOnlyPermissionPolicy(MerchantAccount))


def _status_is(*statuses):
    return lambda merchant: merchant.status in statuses


class MerchantViewSet(ScopedModelViewSet):
    model = MerchantPage
    name = "merchants"
    icon = "site"
    menu_label = _("Merchants")
    menu_order = 100
    permission_policy = ListingOnlyPermissionPolicy(MerchantPage)
    form_fields = ["title"]  # built by the viewset, refused by the policy
    filterset_class = filters.MerchantFilterSet
    search_fields = ["title", "address", "contact_name"]
    search_backend_name = None  # substring match: Chinese names have no word breaks
    list_prefetch_related = ["communities", "tags"]
    list_display = ["title", Column("get_status_display", label=_("Status")),
                    Column("communities_display", label=_("Communities served")),
                    Column("tags_display", label=_("Tags")),
                    YesNoColumn("live", label=_("Published"))]
    inspect_view_enabled = True
    inspect_view_fields = ["title", "status", "contact_name", "mobile", "phone", "address",
                           "opening_hours", "communities", "tags", "status_history",
                           "accounts_display"]
    inspect_view_labels = {"status_history": _("Status history"),
                           "accounts_display": _("Merchant accounts")}
    copy_view_enabled = False
    object_views = [("approve", admin_views.ApproveView),
                    ("suspend", admin_views.SuspendView),
                    ("reinstate", admin_views.ReinstateView)]
    object_actions = [
        ObjectAction(_("Approve"), "approve", "merchants.manage_merchant", "check",
                     _status_is(Status.PENDING)),
        ObjectAction(_("Suspend"), "suspend", "merchants.manage_merchant", "lock",
                     _status_is(Status.PENDING, Status.APPROVED)),
        ObjectAction(_("Reinstate"), "reinstate", "merchants.manage_merchant", "lock-open",
                     _status_is(Status.SUSPENDED)),
    ]


class MerchantAccountViewSet(ScopedModelViewSet):
    model = MerchantAccount
    name = "merchant_accounts"
    icon = "user"
    menu_label = _("Merchant accounts")
    menu_order = 200
    form_class = admin_forms.MerchantAccountForm
    list_select_related = ["merchant", "user"]
    search_fields = ["name", "user__username"]
    phone_index_fields = ["user__phone_index"]
    list_display = ["name", Column("merchant", label=_("Merchant")),
                    Column("user.username", label=_("Username")),
                    Column("user.masked_phone", label=_("Mobile number")),
                    DateColumn("created_at", label=_("Created at"))]
    inspect_view_enabled = True
    inspect_view_fields = ["name", "merchant", "created_at"]
    copy_view_enabled = False
    object_views = [("remove", admin_views.RemoveAccountView)]
    object_actions = [ObjectAction(_("Remove account"), "remove",
                                   "merchants.delete_merchantaccount", "bin")]


class MerchantTagViewSet(ModelViewSet):
    """The company's tag list: not community-owned, kept by managers and editors."""

    model = MerchantTag
    icon = "tag"
    form_fields = ["name", "sort_order"]
    menu_label = _("Merchant tags")
    menu_order = 300
    list_display = ["name", "sort_order"]


class MerchantsGroup(ModelViewSetGroup):
    menu_label = _("Merchants")
    menu_icon = "site"
    menu_order = 250
    items = [MerchantViewSet, MerchantAccountViewSet, MerchantTagViewSet]


@hooks.register("register_admin_viewset")
def register_merchants():
    return MerchantsGroup()


@hooks.register("construct_explorer_page_queryset")
def only_reachable_merchants(parent_page, pages, request):
    return permissions.hide_unreachable_merchants(pages, request.user)


@hooks.register("construct_page_chooser_queryset")
def choose_only_reachable_merchants(pages, request):
    return permissions.hide_unreachable_merchants(pages, request.user)


@hooks.register("register_log_actions")
def register_merchant_log_actions(actions):
    actions.register_action("merchants.account.create", _("Create a merchant account"),
                            _("Merchant account created"))
    actions.register_action("merchants.account.remove", _("Remove a merchant account"),
                            _("Merchant account removed"))


@hooks.register("register_page_header_buttons")
def merchant_status_header_button(page, user, view_name, next_url=None):
    # From the page editor to the merchant's status and history.
    if (page.specific_class is MerchantPage and user.has_perm("merchants.view_merchantpage")
            and permissions.reaches(page, user)):
        yield Button(_("Merchant status"), url=reverse("merchants:inspect", args=[page.pk]),
                     icon_name="site", priority=68)
