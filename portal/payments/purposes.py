"""What a payment order pays for. An app that takes payments registers its purpose once
(in its AppConfig.ready()):

    purposes.register("billing.bills", label=_("Property fees"), on_paid=bills_paid)

``on_paid(order)`` runs exactly once per order, inside the transaction that settles it,
so the app's own rows change atomically with the settlement; likewise
``on_refunded(refund)`` for each successful refund and ``on_closed(order)`` when an
unpaid order is closed. A hook that raises rolls the settlement back (and WeChat Pay
retries its notification later).

``can_refund(order, amount)``, optional, is asked when finance requests a refund (the
order's row locked): it returns None to allow it, or a message saying why not, and then
nothing is changed (the refund form shows it at the amount).

``ways_on(order)``, optional, gives the payer's ways on from the cashier once the order
is paid, closed or expired: [{"id", "url", "label"}], the page of what it paid for first."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Purpose:
    key: str
    label: str
    on_paid: Callable
    on_refunded: Callable | None = None
    on_closed: Callable | None = None
    can_refund: Callable | None = None
    ways_on: Callable | None = None
    # A refund WeChat Pay refused or closed: nothing went back, the amount is free again.
    on_refund_failed: Callable | None = None


_registry = {}


def register(key, *, label, on_paid, on_refunded=None, on_closed=None, can_refund=None,
             ways_on=None, on_refund_failed=None):
    """Register (or re-register, e.g. on reload) what ``key`` orders pay for."""
    purpose = Purpose(key, label, on_paid, on_refunded, on_closed, can_refund, ways_on,
                      on_refund_failed)
    _registry[key] = purpose
    return purpose


def unregister(key):
    _registry.pop(key, None)


def get(key):
    """The registered purpose, or LookupError."""
    try:
        return _registry[key]
    except KeyError:
        raise LookupError(f"no payment purpose {key!r} is registered") from None


def ways_on(order):
    """Where the payer goes from the cashier of this finished order ([] if nowhere)."""
    purpose = _registry.get(order.purpose)
    return purpose.ways_on(order) if purpose and purpose.ways_on else []


def label(key):
    purpose = _registry.get(key)
    return purpose.label if purpose else key
