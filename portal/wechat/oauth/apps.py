from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WeChatOAuthConfig(AppConfig):
    name = "portal.wechat.oauth"
    label = "wechat_oauth"
    verbose_name = _("WeChat login")

    def ready(self):
        from allauth.socialaccount.signals import social_account_removed
        from django.contrib.auth.signals import user_logged_in

        from .linking import connect_pending_identity, unlink_removed_identity

        # Whoever logs in (password, sign-up or WeChat) takes the WeChat identity this
        # browser brought along, if it is nobody's yet.
        user_logged_in.connect(connect_pending_identity, dispatch_uid="wechat_pending_identity")
        social_account_removed.connect(unlink_removed_identity,
                                       dispatch_uid="wechat_removed_identity")
