"""Admin viewsets of the WeChat Official Account, grouped under one "WeChat" menu.

Every viewset is a ScopedModelViewSet: an account without a community serves the whole
company, so only staff who see the whole company reach it (and its menu and its
replies); community staff reach their own community's account, replies and followers.
Function permissions come from the role groups (portal.estates.roles)."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.viewsets.model import ModelViewSetGroup

from portal.estates.viewsets import ObjectAction, ScopedModelViewSet, YesNoColumn

from . import admin_forms, admin_views, filters
from .models import AutoReply, Follower, Menu, OfficialAccount

COMMUNITY = Column("community_display", label=_("Community"), sort_key="community__name")


class OfficialAccountViewSet(ScopedModelViewSet):
    model = OfficialAccount
    name = "wechat_account"
    url_prefix = "wechat/accounts"
    icon = "key"
    menu_label = _("Official accounts")
    form_class = admin_forms.OfficialAccountForm
    search_fields = ["name", "appid", "original_id"]
    list_display = ["name", "appid", COMMUNITY,
                    Column("get_message_mode_display", label=_("Message mode")),
                    YesNoColumn("is_active", label=_("Active")),
                    Column("callback_url", label=_("Server address (URL)"))]
    inspect_view_enabled = True
    # Never the secrets.
    inspect_view_fields = ["name", "company", "community", "original_id", "appid",
                           "message_mode", "is_active", "callback_url"]
    inspect_view_labels = {"callback_url": _("Server address (URL)")}
    copy_view_enabled = False


class AutoReplyViewSet(ScopedModelViewSet):
    model = AutoReply
    name = "wechat_autoreply"
    url_prefix = "wechat/auto-replies"
    icon = "comment"
    menu_label = _("Auto-replies")
    list_select_related = ["community"]
    form_class = admin_forms.AutoReplyForm
    filterset_class = filters.AutoReplyFilterSet
    search_fields = ["keyword"]
    list_display = ["__str__", Column("get_match_display", label=_("Match")),
                    Column("get_kind_display", label=_("Reply type")), COMMUNITY,
                    "priority", YesNoColumn("is_active", label=_("Active"))]
    list_export = ["community_display", "keyword", "match", "kind", "text", "page", "priority",
                   "is_active"]
    export_headings = {"community_display": _("Community"), "page": _("Page")}
    inspect_view_enabled = True
    inspect_view_fields = ["community", "match", "keyword", "kind", "text", "page", "title",
                           "description", "priority", "is_active"]


class MenuViewSet(ScopedModelViewSet):
    model = Menu
    name = "wechat_menu"
    url_prefix = "wechat/menus"
    icon = "list-ul"
    menu_label = _("Menus")
    list_select_related = ["account__community"]
    form_class = admin_forms.MenuForm
    list_display = ["__str__", Column("account.community_display", label=_("Community")),
                    DateColumn("pushed_at", label=_("Last pushed")),
                    Column("push_result", label=_("Result of the last push"))]
    inspect_view_enabled = True
    inspect_view_class = admin_views.MenuInspectView
    inspect_view_fields = ["account", "buttons", "pushed_at", "push_result"]
    copy_view_enabled = False
    object_views = [("push", admin_views.MenuPushView), ("load", admin_views.MenuLoadView)]
    object_actions = [
        ObjectAction(_("Push to WeChat"), "push", "wechat.push_menu", "upload"),
        ObjectAction(_("Load from WeChat"), "load", "wechat.change_menu", "download"),
    ]


class FollowerViewSet(ScopedModelViewSet):
    """Read only: followers come from WeChat (see portal.wechat.wagtail_hooks)."""

    model = Follower
    name = "wechat_follower"
    url_prefix = "wechat/followers"
    icon = "group"
    menu_label = _("Followers")
    list_select_related = ["account", "community"]
    form_fields = []  # nobody edits a follower (ReadOnlyPermissionPolicy)
    filterset_class = filters.FollowerFilterSet
    search_fields = ["openid"]
    # A plain name first, so that Wagtail makes it the title with the row's buttons; the
    # follower's name is the beginning of the OpenID.
    list_display = ["__str__", Column("account", label=_("Account")),
                    Column("community", label=_("Community"), sort_key="community__name"),
                    YesNoColumn("is_subscribed", label=_("Following")),
                    DateColumn("subscribed_at", label=_("Followed at")),
                    DateColumn("created_at", label=_("First seen"))]
    list_export = ["__str__", "account", "community", "is_subscribed", "subscribed_at",
                   "unsubscribed_at", "scene", "created_at"]
    export_headings = {"__str__": _("OpenID (beginning)"), "account": _("Account"),
                       "community": _("Community")}
    inspect_view_enabled = True
    inspect_view_class = admin_views.FollowerInspectView
    inspect_view_fields = ["openid", "account", "community", "user", "is_subscribed",
                           "subscribed_at", "unsubscribed_at", "scene", "created_at"]
    copy_view_enabled = False


class PosterMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(admin_views.POSTER_PERMISSION)


class FollowPosterViewSet(ViewSet):
    """Printable follow posters, one per community (portal.wechat.posters)."""

    name = "wechat_posters"
    url_prefix = "wechat/posters"
    icon = "image"
    menu_label = _("Follow posters")
    menu_item_class = PosterMenuItem

    @property
    def menu_url(self):
        return reverse(self.get_url_name("index"))

    def get_urlpatterns(self):
        return [
            path("", admin_views.FollowPosterIndexView.as_view(
                poster_url_name=self.get_url_name("poster")), name="index"),
            path("<int:pk>/", admin_views.FollowPosterView.as_view(
                index_url_name=self.get_url_name("index")), name="poster"),
        ]


class WeChatGroup(ModelViewSetGroup):
    menu_label = _("WeChat")
    menu_icon = "comment"
    menu_order = 160
    items = [AutoReplyViewSet, MenuViewSet, FollowerViewSet, FollowPosterViewSet,
             OfficialAccountViewSet]
