"""An owner places an order: ``place(buyer=..., merchant=..., house=..., quantities=...)``.

The guards come first (the merchant takes orders, the house is one of the owner's verified
houses in a community the merchant serves, the products are the merchant's and on sale).
Then, in one transaction, each product's stock is taken with a conditional UPDATE
(``stock = stock - n WHERE stock >= n``), in product order so that two orders never wait
for each other: concurrent orders for the last items get exactly what there is, the
others a clear "sold out" / "only N left". A cash-on-delivery order awaits delivery at
once; an online order awaits its payment order (purpose "shop.order", see paying.py).

A repeated request with the same one-time key returns the first one's order.

The checkout reads the chosen products for its page anyway; it hands them over
(``products=``) so that they are read once. Only those of this merchant and on sale count,
whoever read them."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F
from django.utils.translation import gettext, ngettext

from merchants.models import MerchantPage
from portal.estates.models import House, Occupancy
from portal.payments.models import PaymentOrder

from . import telling
from .models import Fulfilment, Order, OrderLine, PaymentMode, Product, State

PURPOSE = "shop.order"
MAX_QUANTITY = 99


class OrderRefused(ValidationError):
    """The order cannot be placed as asked; nothing was changed."""


def _refuse(message, field=None):
    raise OrderRefused({field: message} if field else message, code="refused")


def my_houses(user):
    """The houses the user is a verified occupant of."""
    return (House.objects.filter(occupancies__resident__user=user,
                                 occupancies__state=Occupancy.State.VERIFIED)
            .select_related("unit__building").distinct().order_by("pk"))


def _existing(buyer, idempotency_key):
    if not idempotency_key:
        return None
    # At most one (a unique constraint): no ordering to compile.
    return next(iter(Order.objects.filter(buyer=buyer, idempotency_key=idempotency_key)
                     .order_by()[:1]), None)


def _house_answers(buyer, merchant, house):
    """(``house`` is one of my_houses(buyer), the merchant serves its community), read
    in one statement: the buyer's verified occupancy of it, if any, with an EXISTS."""
    served = MerchantPage.communities.through.objects.filter(
        merchantpage=merchant.pk, community=house.community_id)
    answer = next(iter(Occupancy.objects.filter(
        house=house.pk, resident__user=buyer, state=Occupancy.State.VERIFIED)
        .order_by().values_list(Exists(served))[:1]), None)
    return (False, False) if answer is None else (True, answer[0])


def _on_sale(merchant, wanted, products):
    """{pk: product} of those wanted that are this merchant's and on sale."""
    if products is None:
        products = Product.objects.on_sale().filter(merchant=merchant, pk__in=wanted).order_by()
    return {product.pk: product for product in products
            if product.pk in wanted and product.merchant_id == merchant.pk
            and product.live and product.active}


def _check(buyer, merchant, house, quantities, payment_mode, fulfilment, products):
    refusal = merchant.refusal_reason()
    if refusal or not merchant.accepts_orders:
        _refuse(refusal or gettext("This merchant does not take orders now."))
    if payment_mode not in PaymentMode.values:
        _refuse(gettext("Choose cash on delivery or online payment."), "payment_mode")
    if fulfilment not in Fulfilment.values:
        _refuse(gettext("Choose delivery or pick-up."), "fulfilment")
    mine, served = (False, False) if house is None else _house_answers(buyer, merchant, house)
    if not mine:
        _refuse(gettext("Choose one of your verified houses."), "house")
    if not served:
        _refuse(gettext("This merchant does not serve your community."), "house")
    wanted = {int(pk): int(n) for pk, n in quantities.items() if int(n) != 0}
    if not wanted:
        _refuse(gettext("Choose at least one product."))
    if any(n < 0 or n > MAX_QUANTITY for n in wanted.values()):
        _refuse(gettext("A quantity is from 1 to %(max)s.") % {"max": MAX_QUANTITY})
    products = _on_sale(merchant, wanted, products)
    if len(products) != len(wanted):
        _refuse(gettext("Some of these products are not on sale any more."))
    return [(products[pk], wanted[pk]) for pk in sorted(wanted)]


def _refuse_if_short(items):
    """Refuse at once what the stock just read cannot cover: in a rush for the last
    items most orders are told here, without a transaction or a wait for the row lock.
    The conditional UPDATE in ``_reserve`` still decides for the others."""
    for product, quantity in items:
        if product.stock < quantity:
            _refuse_short(product, product.stock)


def _reserve(product, quantity):
    taken = Product.objects.on_sale().filter(pk=product.pk, stock__gte=quantity).update(
        stock=F("stock") - quantity)
    if taken:
        return
    left = next(iter(Product.objects.filter(pk=product.pk).order_by()
                     .values_list("stock", flat=True)), 0)
    _refuse_short(product, left)


def _refuse_short(product, left):
    if left <= 0:
        _refuse(gettext("%(product)s is sold out.") % {"product": product.name})
    _refuse(ngettext("Only %(left)s of %(product)s is left.",
                     "Only %(left)s of %(product)s are left.", left)
            % {"left": left, "product": product.name})


def place(*, buyer, merchant, house, quantities, payment_mode, fulfilment, note="",
          idempotency_key="", products=None):
    """Place an order of ``quantities`` ({product id: how many}). Returns the order.
    ``products``: the chosen products if the caller has read them."""
    idempotency_key = (idempotency_key or "")[:64]
    existing = _existing(buyer, idempotency_key)
    if existing is not None:
        return existing
    try:
        items = _check(buyer, merchant, house, quantities, payment_mode, fulfilment,
                       products)
    except (TypeError, ValueError):
        _refuse(gettext("A quantity is a whole number."))
    _refuse_if_short(items)
    try:
        with transaction.atomic():
            return _create(buyer, merchant, house, items, payment_mode, fulfilment,
                           (note or "").strip()[:200], idempotency_key)
    except IntegrityError:
        existing = _existing(buyer, idempotency_key)
        if existing is None:
            raise
        return existing


def _create(buyer, merchant, house, items, payment_mode, fulfilment, note, key):
    for product, quantity in items:
        _reserve(product, quantity)
    total = sum((product.price * quantity for product, quantity in items), Decimal("0.00"))
    online = payment_mode == PaymentMode.ONLINE
    order = Order.objects.create(
        number=Order.new_number(), merchant=merchant, community_id=house.community_id,
        buyer=buyer, house=house, fulfilment=fulfilment, payment_mode=payment_mode,
        state=State.AWAITING_PAYMENT if online else State.AWAITING_DELIVERY,
        total=total, note=note, idempotency_key=key)
    OrderLine.objects.bulk_create([
        OrderLine(order=order, product=product, name=product.name, unit_price=product.price,
                  quantity=quantity, amount=product.price * quantity)
        for product, quantity in items])
    if online:
        order.payment = PaymentOrder.objects.open(
            purpose=PURPOSE, payer=buyer, community=house.community, amount=total,
            description=gettext("%(merchant)s order %(number)s")
            % {"merchant": merchant.title, "number": order.number},
            idempotency_key=f"shop-{key}" if key else "")
        order.save(update_fields=["payment"])
    order._record("placed", by=buyer, from_state="")
    telling.tell(order, "placed")
    return order
