from django.utils.translation import gettext_lazy as _
from wagtail import hooks


@hooks.register("register_log_actions")
def register_wechat_login_log_actions(actions):
    actions.register_action("wechat.follower.link", _("Link WeChat to account"),
                            _("WeChat linked to the portal account"))
    actions.register_action("wechat.follower.unlink", _("Unlink WeChat from account"),
                            _("WeChat no longer linked to the portal account"))
