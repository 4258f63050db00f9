from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# A payment that pays for nothing but itself (a fen paid to check that a new merchant
# account works end to end); its settlement event is the whole record.
CHECK_PURPOSE = "payments.check"


def _nothing(_order):
    return None


class PaymentsConfig(AppConfig):
    name = "portal.payments"
    label = "payments"
    verbose_name = _("Payments")

    def ready(self):
        from . import purposes

        purposes.register(CHECK_PURPOSE, label=_("Payment check"), on_paid=_nothing)
