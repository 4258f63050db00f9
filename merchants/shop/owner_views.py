"""The owner's side (H5): checking out what they chose on a merchant's page, their orders
with each order's timeline, cancelling (only when allowed) and the after-sale request.

Orders are read through ``visible_to(request.user)``: a guessed id of someone else's
order is a 404. Placing, cancelling and asking call one verb each; a refusal is shown
with the owner's input kept."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from merchants.models import MerchantPage
from portal.estates.errors import TransitionNotAllowed

from . import ordering
from .aftersale import OPEN, AfterSale
from .models import Fulfilment, Order, PaymentMode, Product

QUANTITY_PREFIX = "qty_"


def _messages_of(error):
    return error.messages if hasattr(error, "messages") else [str(error)]


def _quantities(data):
    """{product id: quantity} from the qty_<id> fields; blanks and zeros left out."""
    wanted = {}
    for name, value in data.items():
        if name.startswith(QUANTITY_PREFIX) and value.strip() not in ("", "0"):
            wanted[name[len(QUANTITY_PREFIX):]] = value.strip()
    return wanted


def _chosen(merchant, user, wanted):
    """The products chosen as read (for placing the order), those of them with a whole
    quantity, each with it, and their total (for display)."""
    ids = [pk for pk in wanted if pk.isdigit()]
    # Within one merchant: the model's ordering would join the merchant's page for nothing.
    products = list(Product.objects.visible_to(user).filter(merchant=merchant, pk__in=ids)
                    .order_by("sort_order", "pk"))
    chosen, total = [], 0
    for product in products:
        quantity = wanted[str(product.pk)]
        if not quantity.isdigit():
            continue
        product.quantity = int(quantity)
        product.amount = product.price * product.quantity
        total += product.amount
        chosen.append(product)
    return products, chosen, total


def _merchant_serving_me(request, merchant_id):
    """A live merchant serving the owner's community, even if it stopped taking orders
    meanwhile: then the checkout says why rather than answering 404."""
    resident = getattr(request.user, "resident", None)
    if resident is None:
        raise Http404
    # One page by its pk: a join on its communities yields it once, no subquery needed.
    return get_object_or_404(MerchantPage.objects.live(), pk=merchant_id,
                             communities=resident.community_id)


@login_required
def checkout(request, merchant_id):
    merchant = _merchant_serving_me(request, merchant_id)
    data = request.POST if request.method == "POST" else request.GET
    wanted = _quantities(data)
    houses = list(ordering.my_houses(request.user))
    form = {"house": data.get("house", str(houses[0].pk) if len(houses) == 1 else ""),
            "fulfilment": data.get("fulfilment", Fulfilment.DELIVERY),
            "payment_mode": data.get("payment_mode", PaymentMode.COD),
            "note": data.get("note", "")}
    products, chosen, total = _chosen(merchant, request.user, wanted)
    errors = []
    if request.method == "POST":
        house = next((h for h in houses if str(h.pk) == form["house"]), None)
        try:
            order = ordering.place(
                buyer=request.user, merchant=merchant, house=house, quantities=wanted,
                payment_mode=form["payment_mode"], fulfilment=form["fulfilment"],
                note=form["note"], idempotency_key=request.POST.get("key", ""),
                products=products)
        except ValidationError as error:
            errors = _messages_of(error)
        else:
            if order.payment_id and order.state == Order.State.AWAITING_PAYMENT:
                return redirect(order.payment.cashier_url)
            messages.success(request, _("Your order is placed."))
            return redirect(order.owner_url)
    if not chosen and not errors:
        errors = [_("Choose at least one product.")]
    return render(request, "shop/checkout.html", {
        "merchant": merchant, "chosen": chosen, "total": total, "houses": houses,
        "form": form, "errors": errors, "key": request.POST.get("key") or uuid.uuid4().hex,
        "fulfilments": Fulfilment.choices, "payment_modes": PaymentMode.choices,
        "refusal": merchant.refusal_reason(),
    }, status=400 if errors and request.method == "POST" else 200)


@login_required
def order_list(request):
    orders = (Order.objects.visible_to(request.user).filter(buyer=request.user)
              .select_related("merchant").prefetch_related("lines")[:100])
    return render(request, "shop/my_orders.html", {"orders": orders})


def _my_order(request, pk):
    return get_object_or_404(
        Order.objects.visible_to(request.user).filter(buyer=request.user)
        .select_related("merchant", "house__unit__building", "payment"), pk=pk)


@login_required
def order_detail(request, pk):
    order = _my_order(request, pk)
    after_sales = list(AfterSale.objects.visible_to(request.user).filter(order=order))
    can_ask = (order.is_paid_online and order.state in ("awaiting_delivery", "delivering",
                                                         "done")
               and not any(a.state in OPEN for a in after_sales)
               and order.payment.refundable_amount > 0)
    return render(request, "shop/order_detail.html", {
        "order": order, "lines": order.lines.all(),
        "events": order.events.select_related("actor").all(),
        "can_cancel": order.cancel_refusal(request.user) is None,
        "after_sales": after_sales, "can_ask": can_ask,
        "reason": request.POST.get("reason", ""),
    })


@login_required
@require_POST
def cancel(request, pk):
    order = _my_order(request, pk)
    try:
        order.cancel(by=request.user)
    except TransitionNotAllowed as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The order is cancelled."))
    return redirect(order.owner_url)


@login_required
@require_POST
def ask_after_sale(request, pk):
    order = _my_order(request, pk)
    try:
        AfterSale.ask(order, by=request.user, reason=request.POST.get("reason", ""))
    except TransitionNotAllowed as error:
        messages.error(request, str(error))
        return order_detail(request, pk)
    messages.success(request, _("Your after-sale request is sent to the merchant."))
    return redirect(order.owner_url)
