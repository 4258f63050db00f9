"""The day's WeChat Pay receipts reconciled against WeChat Pay's trade bill.

Our side: payment orders settled through WeChat Pay on the day (local time) and refunds
that succeeded on it. Their side: the rows of ``download_trade_bill(day)``, payments
(交易状态 SUCCESS) and refunds (REFUND). Matched by our order (refund) number; listed:
only ours, only WeChat Pay's, amount differs, for payments and refunds alike.

Scope: staff see their communities' orders; a bill row for an order of a community they
do not see is left out, and a row for no order of ours at all (the merchant account's
business, not a community's) only to those who see the whole company.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.estates.scope import sees_whole_company
from portal.payments.models import Channel, PaymentOrder, Refund

ZERO = Decimal("0.00")
ONLY_OURS, ONLY_THEIRS, AMOUNT_DIFFERS = "only_ours", "only_wechat", "amount_differs"
PROBLEMS = {ONLY_OURS: _("Only in our records"), ONLY_THEIRS: _("Only in WeChat Pay's bill"),
            AMOUNT_DIFFERS: _("Amounts differ")}
PAYMENT, REFUND = "payment", "refund"
KINDS = {PAYMENT: _("Payment"), REFUND: _("Refund")}


@dataclass
class Mismatch:
    kind: str
    problem: str
    number: str
    ours: Decimal | None
    theirs: Decimal | None
    transaction_id: str = ""
    community: str = ""

    @property
    def problem_label(self):
        return PROBLEMS[self.problem]

    @property
    def kind_label(self):
        return KINDS[self.kind]


@dataclass
class Reconciliation:
    day: object
    matched: int = 0
    matched_amount: Decimal = ZERO
    our_count: int = 0
    our_amount: Decimal = ZERO
    their_count: int = 0
    their_amount: Decimal = ZERO
    refunds_matched: int = 0
    refunds_matched_amount: Decimal = ZERO
    mismatches: list = field(default_factory=list)

    @property
    def balanced(self):
        return not self.mismatches


def _day_bounds(day):
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def reconcile(user, day, bill):
    """Compare our records of ``day`` visible to ``user`` with WeChat Pay's ``bill``
    (what ``download_trade_bill(day)`` returned)."""
    start, end = _day_bounds(day)
    visible = PaymentOrder.objects.visible_to(user)
    ours = {order.out_trade_no: order for order in visible.filter(
        channel=Channel.WECHAT, paid_at__gte=start, paid_at__lt=end).select_related(
        "community")}
    our_refunds = {refund.out_refund_no: refund for refund in Refund.objects.visible_to(user)
                   .filter(channel=Channel.WECHAT, state=Refund.State.SUCCESS,
                           succeeded_at__gte=start, succeeded_at__lt=end)
                   .select_related("community")}
    rows = bill.get("rows", [])
    payments = {row.get("out_trade_no", ""): row for row in rows
                if row.get("trade_state") == "SUCCESS"}
    refunds = {row.get("out_refund_no", ""): row for row in rows
               if row.get("trade_state") == "REFUND"}
    # Rows of orders the user may not see, and (for community staff) rows of no order.
    whole_company = sees_whole_company(user)
    numbers = set(payments) - set(ours)
    known = dict(PaymentOrder.objects.filter(out_trade_no__in=numbers).values_list(
        "out_trade_no", "community_id"))
    visible_ids = set(visible.filter(out_trade_no__in=numbers).values_list(
        "out_trade_no", flat=True))
    refund_numbers = set(refunds) - set(our_refunds)
    known_refunds = set(Refund.objects.filter(out_refund_no__in=refund_numbers)
                        .values_list("out_refund_no", flat=True))
    visible_refunds = set(Refund.objects.visible_to(user).filter(
        out_refund_no__in=refund_numbers).values_list("out_refund_no", flat=True))

    def shown(number, known_numbers, visible_numbers):
        if number in known_numbers:
            return number in visible_numbers
        return whole_company

    result = Reconciliation(day=day)
    result.our_count = len(ours)
    result.our_amount = sum((order.amount for order in ours.values()), ZERO)
    result.matched, result.matched_amount, shown_payments = _compare(
        result.mismatches, PAYMENT, ours, payments, "total", "transaction_id",
        lambda number: shown(number, known, visible_ids))
    result.their_count = len(shown_payments)
    result.their_amount = sum((_amount(row, "total") for row in shown_payments), ZERO)
    result.refunds_matched, result.refunds_matched_amount, _shown = _compare(
        result.mismatches, REFUND, our_refunds, refunds, "refund_amount", "refund_id",
        lambda number: shown(number, known_refunds, visible_refunds))
    return result


def _compare(mismatches, kind, ours, theirs, amount_field, id_field, shown):
    """Our records (number → order or refund) against WeChat Pay's rows (number → row):
    appends the mismatches, returns (matched count, matched amount, their rows shown)."""
    matched, matched_amount = 0, ZERO
    for number, record in sorted(ours.items()):
        row = theirs.get(number)
        our_id = getattr(record, id_field) or ""
        if row is None:
            mismatches.append(Mismatch(kind, ONLY_OURS, number, record.amount, None, our_id,
                                       record.community.name))
        elif _amount(row, amount_field) != record.amount:
            mismatches.append(Mismatch(kind, AMOUNT_DIFFERS, number, record.amount,
                                       _amount(row, amount_field),
                                       row.get(id_field, "") or our_id,
                                       record.community.name))
        else:
            matched += 1
            matched_amount += record.amount
    shown_rows = []
    for number, row in sorted(theirs.items()):
        if number in ours:
            shown_rows.append(row)
        elif shown(number):
            shown_rows.append(row)
            mismatches.append(Mismatch(kind, ONLY_THEIRS, number, None,
                                       _amount(row, amount_field), row.get(id_field, "")))
    return matched, matched_amount, shown_rows


def _amount(row, name):
    value = row.get(name)
    return value if isinstance(value, Decimal) else ZERO
