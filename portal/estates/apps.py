from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EstatesConfig(AppConfig):
    name = "portal.estates"
    label = "estates"
    verbose_name = _("Estate directory")

    def ready(self):
        from .moderation_mail import replace_wagtail_notifier

        replace_wagtail_notifier()
