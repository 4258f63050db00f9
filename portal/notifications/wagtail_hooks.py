"""Admin screens of notifications: the delivery log (every message and how it went out:
WeChat, SMS or inbox only, with WeChat's error when it failed) and the template message
settings (which WeChat template each event goes out as, per official account).

Both are ScopedModelViewSets: community staff see the deliveries of their communities
only, in the listing, its search and export, and by id; template settings are for the
staff who manage the official accounts."""

import django_filters
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from portal.estates.admin_views import InspectWithHistoryView
from portal.estates.models import Community
from portal.estates.viewsets import (
    ObjectAction,
    ScopedFilterSet,
    ScopedModelViewSet,
    YesNoColumn,
)

from . import events
from .admin_views import ResendDeliveryView, SendTestView, TemplateSettingForm
from .models import Delivery, TemplateSetting


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """The delivery log is written by the sending tasks only: nobody adds, edits or
    deletes its rows in the admin, not even a superuser."""

    def user_has_permission(self, user, action):
        return action not in ("add", "change", "delete") and super().user_has_permission(
            user, action)


register_permission_policy(Delivery, ReadOnlyPermissionPolicy(Delivery))


class DeliveryFilterSet(ScopedFilterSet):
    status = django_filters.ChoiceFilter(choices=Delivery.Status.choices, label=_("Status"))
    channel = django_filters.ChoiceFilter(choices=Delivery.Channel.choices, label=_("Channel"))
    event = django_filters.ChoiceFilter(field_name="message__event", choices=events.choices,
                                       label=_("Event"))
    community = django_filters.ModelChoiceFilter(queryset=Community.objects.all(),
                                                 label=_("Community"))
    created_at = django_filters.DateFromToRangeFilter(label=_("Queued between"))

    class Meta:
        model = Delivery
        fields = ["status", "channel", "event", "community", "created_at"]


class TemplateSettingFilterSet(ScopedFilterSet):
    event = django_filters.ChoiceFilter(choices=events.choices, label=_("Event"))

    class Meta:
        model = TemplateSetting
        fields = ["account", "event", "is_active"]


def _is_failed(delivery):
    return delivery.status == Delivery.Status.FAILED


class DeliveryViewSet(ScopedModelViewSet):
    model = Delivery
    icon = "mail"
    menu_label = _("Delivery log")
    menu_order = 100
    add_to_admin_menu = False
    list_select_related = ["message__recipient__resident", "message__recipient__staff",
                           "community"]
    filterset_class = DeliveryFilterSet
    form_fields = []  # never edited (ReadOnlyPermissionPolicy)
    search_fields = ["message__title", "message__recipient__resident__name",
                     "message__recipient__staff__name"]
    # The first column is a plain name so that Wagtail makes it the title, linking to the
    # inspect view, with the row's buttons.
    list_display = [
        "message",
        Column("recipient", label=_("Recipient")),
        Column("community", label=_("Community"), sort_key="community__name"),
        Column("get_channel_display", label=_("Channel")),
        Column("get_status_display", label=_("Status"), sort_key="status"),
        Column("errcode", label=_("Error code")),
        DateColumn("created_at", label=_("Queued at")),
    ]
    list_export = ["created_at", "community", "event_label", "message.title", "recipient",
                   "channel", "status", "reason", "attempts", "errcode", "errmsg", "msgid",
                   "sent_at"]
    export_headings = {"community": _("Community"), "event_label": _("Event"),
                       "message.title": _("Title"), "recipient": _("Recipient")}
    export_filename = "delivery-log"
    inspect_view_enabled = True
    inspect_view_class = InspectWithHistoryView
    inspect_view_fields = ["message", "recipient", "community", "event_label", "channel",
                           "status", "reason", "account", "template_id", "attempts",
                           "next_attempt_at", "errcode", "errmsg", "msgid", "created_at",
                           "sent_at", "updated_at"]
    inspect_view_labels = {"recipient": _("Recipient"), "event_label": _("Event")}
    copy_view_enabled = False
    object_views = [("resend", ResendDeliveryView)]
    object_actions = [
        ObjectAction(_("Send again"), "resend", "notifications.resend_delivery", "redirect",
                     _is_failed),
    ]


class TemplateSettingViewSet(ScopedModelViewSet):
    model = TemplateSetting
    icon = "doc-full"
    menu_label = _("Template messages")
    menu_order = 200
    add_to_admin_menu = False
    list_select_related = ["account"]
    form_class = TemplateSettingForm
    filterset_class = TemplateSettingFilterSet
    search_fields = ["template_id"]
    list_display = ["__str__", Column("event_label", label=_("Event")),
                    Column("account", label=_("Official account")), "template_id",
                    YesNoColumn.for_field(TemplateSetting, "is_active")]
    list_export = ["account", "event", "event_label", "template_id", "fields", "is_active"]
    export_headings = {"account": _("Official account"), "event_label": _("Event")}
    inspect_view_enabled = True
    inspect_view_class = InspectWithHistoryView
    inspect_view_fields = ["account", "event_label", "template_id", "fields", "is_active"]
    inspect_view_labels = {"event_label": _("Event")}
    copy_view_enabled = False
    object_views = [("send-test", SendTestView)]
    object_actions = [
        ObjectAction(_("Send a test message to me"), "send-test",
                     "notifications.change_templatesetting", "mail"),
    ]


class NotificationsGroup(ModelViewSetGroup):
    menu_label = _("Notifications")
    menu_icon = "mail"
    menu_order = 250
    items = [DeliveryViewSet, TemplateSettingViewSet]


@hooks.register("register_admin_viewset")
def register_notifications():
    return NotificationsGroup()


@hooks.register("register_log_actions")
def register_notification_log_actions(actions):
    actions.register_action("notifications.delivery.resend", _("Send again"),
                            _("Delivery queued again"))
