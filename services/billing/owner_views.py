"""The owner's bills (H5): my verified houses' bills (due, not yet due, paid), one bill
with its lines, paying several at once, paying ahead, topping up a parking card, the
payment history with receipts, and the community's public funds statements.

Everything is read through ``visible_to(request.user)``: a guessed id of another house's
bill, receipt or statement is a 404. Every action is a POST with a one-time key (a
double tap opens one order) that calls a verb in paying / advance / parking_cards and
redirects to the payments cashier."""

import logging
import uuid
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal import page_cache, pdf
from portal.estates.errors import TransitionNotAllowed
from portal.estates.models import House, Occupancy
from portal.payments.models import PaymentOrder
from portal.site_language import in_site_language

from . import advance, parking_cards, paying
from .funds import FundStatement
from .models import OPEN_STATES, Bill, BillEvent, BillLine, ParkingSpace
from .receipts import Receipt

logger = logging.getLogger(__name__)

ZERO = Decimal("0.00")
PAID_SHOWN = 24


def _my_houses(user):
    return (House.objects.filter(
        occupancies__resident__user=user, occupancies__state=Occupancy.State.VERIFIED)
        .select_related("unit__building").distinct().order_by("pk"))


def _messages_of(error):
    return error.messages if hasattr(error, "messages") else [str(error)]


def _payments_in_progress(user, bill_ids):
    """paying.in_progress_orders, each order marked for the page: ``mine`` (only the payer
    reaches its cashier or may cancel it) and ``expired`` (its cashier takes no payment
    any more)."""
    orders = paying.in_progress_orders(bill_ids) if bill_ids else {}
    now = timezone.now()
    for order in orders.values():
        order.mine = order.payer_id == user.pk
        order.expired = order.expires_at <= now
    return orders


@login_required
def bill_list(request):
    today = timezone.localdate()
    # The houses first: their ids as literals let the planner use the bills' index
    # leading with the house on any size of estate.
    house_ids = list(_my_houses(request.user).values_list("pk", flat=True))
    bills = list(Bill.objects.visible_to(request.user).filter(house_id__in=house_ids)
                 .select_related("house__unit__building")
                 .order_by("due_date", "house_id"))
    open_ids = [bill.pk for bill in bills if bill.state in OPEN_STATES]
    busy = _payments_in_progress(request.user, open_ids)
    due, upcoming, paid = [], [], []
    for bill in bills:
        bill.payment_order = busy.get(bill.pk)
        bill.in_payment = bill.payment_order is not None
        if bill.state in OPEN_STATES:
            bill.days_overdue = (today - bill.due_date).days if bill.due_date < today else 0
            (due if bill.due_date <= today else upcoming).append(bill)
        else:
            paid.append(bill)
    paid.sort(key=lambda bill: (bill.period_start, bill.pk), reverse=True)
    # Only the bills that can be ticked are summed and paid: one in a payment that is not
    # finished is continued (or cancelled) from its own row.
    payable_due = [bill for bill in due if not bill.in_payment]
    response = render(request, "billing/owner/bill_list.html", {
        "due": due, "upcoming": upcoming, "paid": paid[:PAID_SHOWN],
        "more_paid": len(paid) > PAID_SHOWN,
        "due_total": sum((bill.amount_owed for bill in payable_due), ZERO),
        "has_payable_due": bool(payable_due),
        "can_pay": any(not bill.in_payment for bill in due + upcoming),
        "pay_key": uuid.uuid4().hex,
    })
    # Reopened often from the WeChat menu. Any saved row (a payment, a draw from the
    # advance balance) invalidates the session's copy, and with it its one-time key.
    return page_cache.cache_for_this_session(response)


@login_required
def bill_detail(request, pk):
    bill = get_object_or_404(
        Bill.objects.visible_to(request.user).select_related(
            "house__unit__building", "community").prefetch_related(
            Prefetch("lines", BillLine.objects.select_related("fee_item").order_by(
                "fee_item__sort_order", "pk")),
            Prefetch("events", BillEvent.objects.select_related("line").order_by(
                "created_at", "pk"))), pk=pk)
    today = timezone.localdate()
    adjustments = {}
    for event in bill.events.all():
        if event.line_id and event.action in ("adjust", "waive"):
            adjustments.setdefault(event.line_id, []).append(event)
    for line in bill.lines.all():
        line.adjustments = adjustments.get(line.pk, [])
    is_open = bill.state in OPEN_STATES
    payment_order = (_payments_in_progress(request.user, [bill.pk]).get(bill.pk)
                     if is_open else None)
    return render(request, "billing/owner/bill_detail.html", {
        "bill": bill, "is_open": is_open,
        "in_payment": payment_order is not None, "payment_order": payment_order,
        "days_overdue": (today - bill.due_date).days if is_open and bill.due_date < today
        else 0,
        "pay_key": uuid.uuid4().hex,
    })


@login_required
@require_POST
def pay(request):
    try:
        pks = [int(pk) for pk in request.POST.getlist("bill")]
    except ValueError:
        pks = []
    bills = list(Bill.objects.visible_to(request.user).filter(pk__in=pks))
    if len(bills) != len(set(pks)):
        # Ids and no names: a log line says who asked for what, never whose house it is.
        logger.warning("bill payment refused: user %s asked for bills %s, not all theirs",
                       request.user.pk, sorted(set(pks)))
        messages.error(request, _("Some of these bills are not bills of your houses."))
        return redirect("my_bills:list")
    try:
        order = paying.pay_bills(request.user, bills,
                                 idempotency_key=request.POST.get("key", "")[:64])
    except ValidationError as error:
        logger.info("bill payment refused: user %s, bills %s (paid, in a payment or of two "
                    "communities)", request.user.pk, sorted(bill.pk for bill in bills))
        for message in _messages_of(error):
            messages.error(request, message)
        if request.POST.get("back") == "detail" and len(bills) == 1:
            return redirect("my_bills:detail", bills[0].pk)
        return redirect("my_bills:list")
    return redirect(order.cashier_url)


@login_required
@require_POST
def cancel_payment(request, number):
    """The payer gives up an unfinished payment of bills (PaymentOrder.close, which asks
    WeChat Pay first and keeps a payment made there meanwhile); its bills can be paid
    again. Back to the bill it was cancelled from, or to the list."""
    order = get_object_or_404(PaymentOrder.objects.visible_to(request.user),
                              payer=request.user, purpose=paying.PURPOSE,
                              out_trade_no=number)
    if order.state != PaymentOrder.State.CLOSED:  # else a second tap: closed already
        try:
            note = in_site_language(gettext_lazy("Cancelled by the payer"))
            order.close(by=request.user, note=note)
        except TransitionNotAllowed as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The payment is cancelled. You can pay these "
                                        "bills again."))
    back = request.POST.get("back", "")
    if back.isdigit() and order.bill_payments.filter(bill_id=int(back)).exists():
        return redirect("my_bills:detail", int(back))
    return redirect("my_bills:list")


@login_required
def prepay(request):
    houses = list(_my_houses(request.user))
    for house in houses:
        house.monthly = advance.monthly_fees(house)
    balances = advance.balances(houses)
    for house in houses:
        house.balance = balances.get(house.pk, ZERO)
    form = {"house": "", "months": "", "amount": ""}
    errors = []
    if request.method == "POST":
        form = {name: request.POST.get(name, "").strip() for name in form}
        house = next((h for h in houses if str(h.pk) == form["house"]), None)
        if house is None:
            errors.append(_("Choose one of your houses."))
        elif not form["months"] and not form["amount"]:
            errors.append(_("Choose the months or give an amount."))
        else:
            try:
                order = advance.prepay(request.user, house, months=form["months"] or None,
                                       amount=form["amount"] or None,
                                       idempotency_key=request.POST.get("key", "")[:64])
            except ValidationError as error:
                errors += _messages_of(error)
            else:
                return redirect(order.cashier_url)
    return render(request, "billing/owner/prepay.html", {
        "houses": houses, "form": form, "errors": errors, "pay_key": uuid.uuid4().hex,
        "month_choices": [1, 3, 6, 12], "status": 400 if errors else 200,
    }, status=400 if errors else 200)


@login_required
def parking(request):
    spaces = list(ParkingSpace.objects.visible_to(request.user)
                  .select_related("house__unit__building").order_by("number"))
    # A space shows the card of its present house. A card of a space gone to another house
    # stays its household's: listed apart while it holds something, never topped up here.
    cards = {(card.space_id, card.house_id): card for card in parking_cards.ParkingCard
             .objects.visible_to(request.user).select_related("space")}
    for space in spaces:
        space.my_card = cards.pop((space.pk, space.house_id), None)
        space.monthly = parking_cards.monthly_fee(space)
    today = timezone.localdate()
    earlier_cards = sorted(
        (card for card in cards.values()
         if card.balance or (card.paid_until and card.paid_until >= today)),
        key=lambda card: card.space.number)
    form = {"space": "", "amount": "", "months": ""}
    errors = []
    if request.method == "POST":
        form = {name: request.POST.get(name, "").strip() for name in form}
        space = next((s for s in spaces if str(s.pk) == form["space"]), None)
        if space is None:
            errors.append(_("Choose one of your parking spaces."))
        else:
            try:
                order = parking_cards.top_up(
                    request.user, space, amount=form["amount"] or None,
                    months=form["months"] or None,
                    idempotency_key=request.POST.get("key", "")[:64])
            except ValidationError as error:
                errors += _messages_of(error)
            else:
                return redirect(order.cashier_url)
    return render(request, "billing/owner/parking.html", {
        "spaces": spaces, "earlier_cards": earlier_cards, "form": form, "errors": errors,
        "pay_key": uuid.uuid4().hex, "amounts": parking_cards.PRESET_AMOUNTS,
        "month_choices": [1, 3, 6, 12],
    }, status=400 if errors else 200)


OWNER_PURPOSES = (paying.PURPOSE, advance.PURPOSE, parking_cards.PURPOSE)


@login_required
def history(request):
    orders = list(PaymentOrder.objects.visible_to(request.user)
                  .filter(payer=request.user, purpose__in=OWNER_PURPOSES)
                  .exclude(state=PaymentOrder.State.CLOSED)
                  .select_related("receipt").order_by("-created_at")[:50])
    return render(request, "billing/owner/history.html", {"orders": orders})


@login_required
def receipt_pdf(request, number):
    receipt = get_object_or_404(
        Receipt.objects.visible_to(request.user).select_related(
            "order", "company", "community", "house__unit__building", "payer__resident"),
        number=number)
    return pdf.response(receipt.render_pdf(), receipt.filename)


@login_required
def fund_list(request):
    statements = (FundStatement.objects.visible_to(request.user).filter(published=True)
                  .select_related("community").prefetch_related("lines")
                  .order_by("-period_start", "kind"))
    return render(request, "billing/owner/fund_list.html", {"statements": statements})


@login_required
def fund_detail(request, pk):
    statement = get_object_or_404(
        FundStatement.objects.visible_to(request.user).filter(published=True)
        .select_related("community").prefetch_related("lines"), pk=pk)
    return render(request, "billing/owner/fund_detail.html", {"statement": statement})
