from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


def give_new_company_default_categories(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        from .tickets.categories import ensure_default_categories

        ensure_default_categories(instance.pk)


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = _("Services")

    def ready(self):
        post_save.connect(give_new_company_default_categories, sender="estates.Company",
                          dispatch_uid="services_default_categories")

        from home import quick_links

        quick_links.register("repairs", "services.RepairPage")
        quick_links.register("phone_repair", "services.PhoneRepairPage")
        quick_links.register("complaints", "services.ComplaintPage")
