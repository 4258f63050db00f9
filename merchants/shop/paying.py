"""Online orders pay through portal.payments (purpose "shop.order"): the order awaits
delivery once its payment order is paid, is closed (its stock back on sale) when the
payment order closes unpaid (expired: the payments watch closes it), and is refunded
only through an approved after-sale request."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .ordering import PURPOSE


def _order_of(payment):
    from .models import Order

    return Order.objects.filter(payment=payment).first()


def order_paid(payment):
    order = _order_of(payment)
    if order is not None:
        order.payment_succeeded()


def order_closed(payment):
    order = _order_of(payment)
    if order is not None:
        order.payment_closed()


def order_refunded(refund):
    from .aftersale import refund_settled

    refund_settled(refund)


def order_refund_failed(refund):
    from .aftersale import refund_closed

    refund_closed(refund)


def can_refund(payment, amount):
    from .aftersale import approved_request

    if approved_request(payment, amount) is None:
        return gettext("Merchant orders are refunded by approving the owner's after-sale "
                       "request.")
    return None


def ways_on(order):
    """From the cashier, once the order's payment is over: back to the owner's order."""
    shop_order = getattr(order, "shop_order", None)
    if shop_order is None:
        return []
    return [{"id": "back-to-purpose", "url": shop_order.owner_url,
             "label": _("View my order")}]


def register():
    from portal.payments import purposes

    purposes.register(PURPOSE, label=_("Merchant order"), on_paid=order_paid,
                      on_closed=order_closed, on_refunded=order_refunded,
                      on_refund_failed=order_refund_failed, can_refund=can_refund,
                      ways_on=ways_on)
