from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = _("Community home pages")

    def ready(self):
        from portal import page_cache

        page_cache.connect_signals()
