"""The payment admin: payment orders (with their timeline, and finance's actions: record
an offline payment, refund) and refunds. Scoped viewsets: staff see, search, export and
open only their communities' payments. Orders are never typed in or edited here."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from portal.estates.viewsets import ObjectAction, ScopedModelViewSet

from . import admin_views, filters
from .models import PaymentOrder, Refund, State


class ActionsOnlyPermissionPolicy(ModelPermissionPolicy):
    """Payments come from payers and change only through their verbs."""

    def user_has_permission(self, user, action):
        return action not in ("add", "change", "delete") and super().user_has_permission(
            user, action)


register_permission_policy(PaymentOrder, ActionsOnlyPermissionPolicy(PaymentOrder))
register_permission_policy(Refund, ActionsOnlyPermissionPolicy(Refund))


def _is_pending(order):
    return order.state == State.PENDING


def _is_refundable(order):
    return order.refundable_amount > 0


class PaymentOrderViewSet(ScopedModelViewSet):
    model = PaymentOrder
    name = "payment_orders"
    icon = "doc-full-inverse"
    menu_label = _("Payment orders")
    menu_order = 100
    index_view_class = admin_views.PaymentIndexView
    inspect_view_class = admin_views.PaymentOrderInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    filterset_class = filters.PaymentOrderFilterSet
    form_fields = ["description"]  # the viewset builds a form; the policy refuses it
    search_fields = ["out_trade_no", "description"]
    list_select_related = ["community"]
    list_display = [
        "out_trade_no",
        Column("community", label=_("Community")),
        Column("description", label=_("Description")),
        Column("amount", label=_("Amount (yuan)"), sort_key="amount"),
        Column("get_state_display", label=_("State"), sort_key="state"),
        Column("get_channel_display", label=_("Paid by"), sort_key="channel"),
        DateColumn("created_at", label=_("Opened at")),
        DateColumn("paid_at", label=_("Paid at")),
    ]
    list_export = ["out_trade_no", "community", "purpose_label", "description", "amount",
                   "get_state_display", "get_channel_display", "get_offline_method_display",
                   "transaction_id", "refunded_amount", "created_at", "paid_at"]
    export_headings = {
        "out_trade_no": _("Order number"), "community": _("Community"),
        "purpose_label": _("For"), "get_state_display": _("State"),
        "get_channel_display": _("Paid by"), "get_offline_method_display": _("Offline method"),
        "transaction_id": _("WeChat Pay number"),
    }
    export_filename = "payment-orders"
    inspect_view_fields = ["out_trade_no", "community", "purpose_label", "description",
                           "amount", "state", "channel", "offline_method", "transaction_id",
                           "refunded_amount", "created_at", "expires_at", "paid_at",
                           "closed_at"]
    inspect_view_labels = {"purpose_label": _("For")}
    object_views = [
        ("record_offline", admin_views.RecordOfflinePaymentView),
        ("refund", admin_views.RefundView),
    ]
    object_actions = [
        ObjectAction(_("Record offline payment"), "record_offline",
                     "payments.record_offline_payment", "form", _is_pending),
        ObjectAction(_("Refund"), "refund", "payments.refund_paymentorder", "undo",
                     _is_refundable),
    ]


class RefundViewSet(ScopedModelViewSet):
    model = Refund
    name = "payment_refunds"
    icon = "undo"
    menu_label = _("Refunds")
    menu_order = 200
    index_view_class = admin_views.PaymentIndexView
    inspect_view_enabled = True
    copy_view_enabled = False
    filterset_class = filters.RefundFilterSet
    form_fields = ["reason"]
    search_fields = ["out_refund_no", "reason"]
    list_select_related = ["community", "order"]
    list_display = [
        "out_refund_no",
        Column("order", label=_("Payment order")),
        Column("community", label=_("Community")),
        Column("amount", label=_("Amount (yuan)"), sort_key="amount"),
        Column("get_state_display", label=_("State"), sort_key="state"),
        Column("requested_by", label=_("Requested by")),
        DateColumn("created_at", label=_("Requested at")),
    ]
    list_export = ["out_refund_no", "order", "community", "amount", "reason",
                   "get_state_display", "refund_id", "requested_by", "created_at",
                   "succeeded_at", "failure"]
    export_headings = {"out_refund_no": _("Refund number"), "order": _("Payment order"),
                       "community": _("Community"), "get_state_display": _("State"),
                       "requested_by": _("Requested by")}
    export_filename = "refunds"
    inspect_view_fields = ["out_refund_no", "order", "community", "amount", "reason",
                           "state", "refund_id", "requested_by", "created_at",
                           "succeeded_at", "failure"]


class PaymentsGroup(ModelViewSetGroup):
    menu_label = _("Payments")
    menu_icon = "doc-full-inverse"
    menu_order = 220
    items = [PaymentOrderViewSet, RefundViewSet]


@hooks.register("register_admin_viewset")
def register_payments():
    return PaymentsGroup()
