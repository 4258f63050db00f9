from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("Notices and activities")

    def ready(self):
        from home import quick_links

        quick_links.register("notices", "notices.NoticeIndexPage")
        quick_links.register("activities", "notices.ActivityIndexPage")
        quick_links.register("handbook", "notices.HandbookPage")
        quick_links.register("contacts", "notices.ContactPage")

        from . import push

        push.connect_signals()

        from . import moving

        moving.connect_signals()
