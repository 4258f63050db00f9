"""Bills paid through payment orders (purpose "billing.bills").

``pay_bills(user, bills, idempotency_key=...)`` opens one PaymentOrder for the sum of
several open bills of the owner's houses in one community, linking each bill by a
BillPayment row. A bill is in at most one live order at a time (a partial unique
constraint says so to the database too). When the order is paid, ``bills_paid`` (its
on_paid hook, inside the settling transaction) pays each bill's open lines, writes a
BillEvent and issues the receipt; when it is closed unpaid, ``bills_freed`` lets the
bills be paid again. When finance refunds (part of) a paid order, ``bills_refunded`` (its
on_refunded hook, inside the refund-settling transaction) takes the amount back from the
order's bills, newest bill first, by ``take_back_from_bill``: the bills are open again and
the receipt stays.

``apply_to_bill`` is the one way money reaches a bill: orders and the advance balance
(advance.py) both go through it.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.estates.errors import TransitionNotAllowed
from portal.estates.models import Community, House
from portal.payments.models import PaymentOrder

from .models import LINES_ONLY, MONEY, OPEN_STATES, Bill, BillEvent, OwnHousesQuerySet, State

PURPOSE = "billing.bills"
ZERO = Decimal("0.00")


class BillPaymentQuerySet(OwnHousesQuerySet):
    def in_progress(self):
        return self.filter(in_progress=True)


class BillPayment(models.Model):
    """One bill paid (or being paid) by one payment order, and how much of it."""

    order = models.ForeignKey(PaymentOrder, on_delete=models.PROTECT,
                              related_name="bill_payments", verbose_name=_("payment order"))
    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="payments",
                             verbose_name=_("bill"))
    house = models.ForeignKey(House, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("house"))
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("community"))
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    # Until the order is paid or closed: meanwhile no other order may take the bill.
    in_progress = models.BooleanField(_("in progress"), default=True)

    objects = BillPaymentQuerySet.as_manager()
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("bill payment")
        verbose_name_plural = _("bill payments")
        ordering = ["order", "bill"]
        constraints = [
            models.UniqueConstraint(fields=["bill"], condition=Q(in_progress=True),
                                    name="one_payment_in_progress_per_bill"),
            models.CheckConstraint(condition=Q(amount__gt=0),
                                   name="bill_payment_amount_positive"),
        ]

    def __str__(self):
        return f"{self.order_id} → {self.bill_id}"


class BillsNotPayable(ValidationError):
    pass


def _refuse(message):
    raise BillsNotPayable(message, code="not_payable")


def pay_bills(user, bills, *, idempotency_key):
    """Open one payment order for ``bills`` (of the user's verified houses). Returns the
    order; a repeated request with the same key returns the first one's order."""
    if idempotency_key:
        existing = PaymentOrder.objects.filter(payer=user, idempotency_key=idempotency_key,
                                               purpose=PURPOSE).first()
        if existing is not None:
            return existing
    pks = sorted({bill.pk for bill in bills})
    if not pks:
        _refuse(gettext("Choose at least one bill to pay."))
    with transaction.atomic():
        mine = Bill.objects.visible_to(user).filter(pk__in=pks)
        # The bills only: a lock on their joined community would make every payment of
        # the community wait for the others, and for a bill run (which locks it).
        locked = list(Bill.objects.select_for_update(of=("self",))
                      .filter(pk__in=mine.values("pk"))
                      .select_related("house", "community").order_by("pk"))
        if len(locked) != len(pks):
            _refuse(gettext("Some of these bills are not bills of your houses."))
        if len({bill.community_id for bill in locked}) > 1:
            _refuse(gettext("Pay the bills of each community separately."))
        for bill in locked:
            if bill.state not in OPEN_STATES or bill.amount_owed <= 0:
                _refuse(gettext("The bill %(bill)s is paid already.") % {"bill": _label(bill)})
        for link in BillPayment.objects.in_progress().filter(bill__in=locked):
            _refuse(gettext("The bill %(bill)s is already in a payment that is not "
                            "finished; pay it there or wait until it expires.")
                    % {"bill": _label(link.bill)})
        total = sum((bill.amount_owed for bill in locked), ZERO)
        community = locked[0].community
        if len(locked) == 1:
            description = gettext("Property fees %(bill)s") % {"bill": _label(locked[0])}
        else:
            description = gettext("Property fees, %(count)s bills") % {"count": len(locked)}
        order = PaymentOrder.objects.open(
            purpose=PURPOSE, payer=user, community=community, amount=total,
            description=description, idempotency_key=idempotency_key)
        if order.bill_payments.exists():
            return order
        try:
            with transaction.atomic():
                BillPayment.objects.bulk_create([
                    BillPayment(order=order, bill=bill, house_id=bill.house_id,
                                community_id=bill.community_id, amount=bill.amount_owed)
                    for bill in locked])
        except IntegrityError:
            _refuse(gettext("One of these bills is already in a payment that is not "
                            "finished; pay it there or wait until it expires."))
    return order


def _label(bill):
    return f"{bill.house} {bill.period_start:%Y-%m}"


def apply_to_bill(bill, amount, *, action, actor=None, reason=""):
    """Pay ``amount`` (at most what the bill owes) into the open lines of a bill locked by
    the caller, in line order; writes a BillEvent. Returns what was applied."""
    if bill.state not in OPEN_STATES:
        raise TransitionNotAllowed(gettext("This bill is not open."))
    left = min(Decimal(amount), bill.amount_owed)
    applied = ZERO
    before = bill.amount_paid
    for line in bill.lines.select_for_update(of=LINES_ONLY).filter(
            state__in=OPEN_STATES).order_by("fee_item__sort_order", "pk"):
        if left <= 0:
            break
        part = min(left, line.amount_due - line.amount_paid)
        if part <= 0:
            continue
        line.amount_paid += part
        if line.amount_paid >= line.amount_due:
            line.state = State.PAID
        else:
            line.state = State.PARTLY_PAID
        line.save(update_fields=["amount_paid", "state"])
        left -= part
        applied += part
    bill.recompute()
    BillEvent.objects.create(bill=bill, community_id=bill.community_id, action=action,
                             actor=actor, reason=reason, amount_before=before,
                             amount_after=bill.amount_paid)
    return applied


def take_back_from_bill(bill, amount, *, actor=None, reason=""):
    """Undo ``amount`` of what was paid into a bill locked by the caller (a refund): the
    lines paid last give it back first, each line and the bill due again (or partly paid);
    writes a BillEvent "refund". Returns the amount taken back."""
    amount = Decimal(amount)
    if amount <= 0:
        raise TransitionNotAllowed(gettext("Nothing to take back from this bill."))
    if bill.state == State.WAIVED or amount > bill.amount_paid:
        raise TransitionNotAllowed(
            gettext("Only %(paid)s yuan of this bill is paid; %(amount)s yuan cannot be "
                    "taken back.") % {"paid": bill.amount_paid, "amount": amount})
    left = amount
    before = bill.amount_paid
    for line in bill.lines.select_for_update(of=LINES_ONLY).filter(
            amount_paid__gt=0).order_by("-fee_item__sort_order", "-pk"):
        if left <= 0:
            break
        part = min(left, line.amount_paid)
        line.amount_paid -= part
        line.state = State.PARTLY_PAID if line.amount_paid > 0 else State.DUE
        line.save(update_fields=["amount_paid", "state"])
        left -= part
    bill.recompute()
    BillEvent.objects.create(bill=bill, community_id=bill.community_id, action="refund",
                             actor=actor, reason=reason, amount_before=before,
                             amount_after=bill.amount_paid)
    return amount


def _refund_shares(links, already, amount):
    """[(link, share)]: the refund's ``amount`` spread over the order's links newest bill
    first, after the ``already`` refunded by earlier refunds (spread the same way)."""
    shares = []
    start, end = already, already + amount
    position = ZERO
    for link in links:
        low, high = position, position + link.amount
        share = min(high, end) - max(low, start)
        if share > 0:
            shares.append((link, share))
        position = high
    return shares


def _take_back_plan(links, start, amount):
    """[(link, bill, from the bill, from the advance balance)]: where a refund of
    ``amount`` after the ``start`` refunded before comes from. The bills are locked; what
    a bill no longer holds (waived, or its surplus went to the advance balance) must come
    from the house's advance balance."""
    shares = _refund_shares(links, start, amount)
    bills = {bill.pk: bill for bill in Bill.objects.select_for_update(of=("self",)).filter(
        pk__in=[link.bill_id for link, _share in shares]).select_related("house")
        .order_by("pk")}
    plan = []
    for link, share in shares:
        bill = bills[link.bill_id]
        back = min(share, bill.amount_paid) if bill.state != State.WAIVED else ZERO
        plan.append((link, bill, back, share - back))
    return plan


def bills_can_refund(order, amount):
    """can_refund: the refund (with those of the order still under way) must be found in
    the order's bills and, for what a bill no longer holds, in the house's advance
    balance (less its refunds under way): money the owner gets back never leaves a bill
    paid or a balance spent."""
    from . import advance

    links = list(order.bill_payments.order_by("-bill__period_start", "-bill_id"))
    under_way = order.amount - order.refundable_amount - order.refunded_amount
    short = {}
    for _link, bill, _back, rest in _take_back_plan(links, order.refunded_amount,
                                                    under_way + amount):
        if rest > 0:
            short.setdefault(bill.house, [ZERO])[0] += rest
    for house, (needed,) in short.items():
        free = advance.free_balance(house)
        if needed > free:
            return gettext(
                "%(needed)s yuan of this refund is no longer in the bills of %(house)s "
                "(waived or changed after the payment) and its advance balance holds "
                "%(free)s yuan that can be given back, so %(amount)s yuan cannot be "
                "refunded. Nothing was changed.") % {
                "needed": needed, "house": house, "free": max(free, ZERO), "amount": amount}
    return None


def bills_refunded(refund):
    """on_refunded: the refunded amount leaves the order's bills, newest bill first. What
    a bill no longer holds (it went to the advance balance as a surplus) leaves the
    advance balance; if the balance cannot give it (bills_can_refund refuses that when
    the refund is asked), advance.debit raises and nothing is settled."""
    from . import advance

    order = refund.order
    links = list(order.bill_payments.order_by("-bill__period_start", "-bill_id"))
    already = order.refunded_amount - refund.amount
    reason = gettext("Refund %(refund)s of payment %(order)s: %(reason)s") % {
        "refund": refund.out_refund_no, "order": order.out_trade_no, "reason": refund.reason}
    for _link, bill, back, rest in _take_back_plan(links, already, refund.amount):
        if back > 0:
            take_back_from_bill(bill, back, actor=refund.requested_by, reason=reason)
        if rest > 0:
            advance.debit(bill.house, rest, order=order, note=reason)


def bills_paid(order):
    """on_paid: pay each linked bill, credit any surplus (a bill settled meanwhile) to the
    house's advance balance, and issue the receipt."""
    from . import advance, receipts

    links = list(order.bill_payments.filter(in_progress=True).order_by("bill_id"))
    order.bill_payments.filter(in_progress=True).update(in_progress=False)
    bills = {bill.pk: bill for bill in Bill.objects.select_for_update().filter(
        pk__in=[link.bill_id for link in links]).order_by("pk")}
    lines = []
    for link in links:
        bill = bills[link.bill_id]
        applied = ZERO
        if bill.state in OPEN_STATES:
            applied = apply_to_bill(bill, link.amount, action="pay", actor=order.payer,
                                    reason=order.out_trade_no)
        surplus = link.amount - applied
        if surplus > 0:
            advance.credit(bill.house, surplus, order=order,
                           note=gettext("Bill %(bill)s was settled before this payment.")
                           % {"bill": _label(bill)})
        lines.extend(receipts.bill_lines(bill, link.amount))
    house = bills[links[0].bill_id].house if links else None
    receipts.issue(order, house=house, lines=lines)


def bills_freed(order):
    """on_closed: the bills of an order closed unpaid can be paid again."""
    order.bill_payments.filter(in_progress=True).update(in_progress=False)


def in_progress_orders(bill_ids):
    """{bill id: its unfinished payment order}, for those of these bills in one."""
    return {link.bill_id: link.order for link in BillPayment.objects.in_progress()
            .filter(bill_id__in=bill_ids).select_related("order")}


def in_progress_bill_ids(bill_ids):
    """Of these bill ids, those in an unfinished payment order."""
    return set(in_progress_orders(bill_ids))


def register():
    from portal.payments import purposes

    from . import receipts

    purposes.register(PURPOSE, label=_("Property fees"), on_paid=bills_paid,
                      on_closed=bills_freed, on_refunded=bills_refunded,
                      can_refund=bills_can_refund,
                      ways_on=receipts.ways_on_to("my_bills:list", _("Back to my bills")))

