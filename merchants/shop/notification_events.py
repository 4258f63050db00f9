"""What owners and merchants are told about orders (see portal.notifications.events):
each step of an order, to the owner who ordered and to the merchant's people, and the
after-sale requests and their answers; a refund that did not go through is told to the
merchant's people only (they retry it)."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from portal.notifications.events import Event, register

ORDER = ("number", "merchant", "total", "state")
FIELDS = {"character_string1": "{number}", "thing2": "{merchant}", "amount3": "{total}",
          "phrase4": "{state}"}

# step: (label, what the owner reads, what the merchant reads)
STEPS = {
    "placed": (_("Order placed"), _("Your order {number} at {merchant} is placed"),
               _("New order {number}")),
    "paid": (_("Order paid"), _("Your order {number} at {merchant} is paid"),
             _("Order {number} is paid: deliver it")),
    "delivering": (_("Order on its way"), _("Your order {number} from {merchant} is on its way"),
                   _("Order {number} is being delivered")),
    "done": (_("Order done"), _("Your order {number} from {merchant} is done"),
             _("Order {number} is done")),
    "cancelled": (_("Order cancelled"), _("Your order {number} at {merchant} is cancelled"),
                  _("Order {number} is cancelled")),
    "closed": (_("Order closed unpaid"), _("Your order {number} at {merchant} was closed "
                                           "unpaid"),
               _("Order {number} was closed unpaid")),
    "aftersale_requested": (_("After-sale request"),
                            _("Your after-sale request for order {number} is sent"),
                            _("After-sale request for order {number}")),
    "aftersale_approved": (_("After-sale request approved"),
                           _("Your after-sale request for order {number} is approved"),
                           _("After-sale request for order {number} approved")),
    "aftersale_rejected": (_("After-sale request rejected"),
                           _("Your after-sale request for order {number} is rejected"),
                           _("After-sale request for order {number} rejected")),
    "refunded": (_("Order refunded"), _("{total} yuan of order {number} is refunded"),
                 _("Order {number} refunded")),
}

# step: (label, what the merchant reads), told to the merchant's people only
MERCHANT_STEPS = {
    "refund_failed": (_("After-sale refund failed"),
                      _("The refund of order {number} did not go through: retry it")),
}

BODY = _("{merchant}, order {number}: {total} yuan, now {state}.")


def _register(key, label, title):
    register(Event(key=key, label=label, title=title, body=BODY, template_fields=FIELDS,
                   placeholders=ORDER))


def _to_merchant(label):
    return format_lazy("{} ({})", label, _("to the merchant"))


for step, (label, owner_title, merchant_title) in STEPS.items():
    _register(f"shop.owner.{step}", label, owner_title)
    _register(f"shop.merchant.{step}", _to_merchant(label), merchant_title)
for step, (label, merchant_title) in MERCHANT_STEPS.items():
    _register(f"shop.merchant.{step}", _to_merchant(label), merchant_title)
