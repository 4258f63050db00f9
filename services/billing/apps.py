from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "services.billing"
    label = "billing"
    verbose_name = _("Billing")

    def ready(self):
        from . import advance, parking_cards, paying

        for module in (paying, advance, parking_cards):
            module.register()
