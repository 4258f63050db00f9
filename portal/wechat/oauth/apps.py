from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WeChatOAuthConfig(AppConfig):
    name = "portal.wechat.oauth"
    label = "wechat_oauth"
    verbose_name = _("WeChat login")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .linking import connect_pending_identity

        # Whoever logs in (password, sign-up or WeChat) takes the WeChat identity this
        # browser brought along, if it is nobody's yet.
        user_logged_in.connect(connect_pending_identity, dispatch_uid="wechat_pending_identity")
