"""The WeChat admin menu (portal.wechat.viewsets) and the audit actions of the wechat app."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.log_actions import LogFormatter
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from .models import Follower
from .viewsets import WeChatGroup


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """Followers come from WeChat (follow, unfollow, binding): nobody types them in,
    changes or deletes them in the admin."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)


register_permission_policy(Follower, ReadOnlyPermissionPolicy(Follower))


@hooks.register("register_admin_viewset")
def register_wechat_admin():
    return WeChatGroup()


@hooks.register("register_log_actions")
def register_wechat_log_actions(actions):
    @actions.register_action("wechat.menu.push")
    class PushMenu(LogFormatter):
        label = _("Push the menu to WeChat")

        def format_message(self, log_entry):
            data = log_entry.data
            if data.get("ok"):
                return _("Menu pushed to WeChat")
            if data.get("errcode") is None:
                return _("Menu not pushed: WeChat could not be reached")
            return _("Menu refused by WeChat: %(errcode)s %(errmsg)s") % data

    actions.register_action("wechat.menu.load", _("Load the menu from WeChat"),
                            _("Menu loaded from WeChat"))
    actions.register_action("wechat.follower.follow", _("Follow"),
                            _("Followed the official account"))
    actions.register_action("wechat.follower.unfollow", _("Unfollow"),
                            _("Unfollowed the official account"))
