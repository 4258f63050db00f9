from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "services.billing"
    label = "billing"
    verbose_name = _("Billing")

    def ready(self):
        from home import quick_links

        from . import advance, parking_cards, paying

        # The home page's 缴费 tile leads to the resident's own bills.
        quick_links.register_view("bills", "my_bills:list")

        for module in (paying, advance, parking_cards):
            module.register()
