from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WechatConfig(AppConfig):
    name = "portal.wechat"
    label = "wechat"
    verbose_name = _("WeChat Official Account")
