"""Late fees (滞纳金) on overdue bills.

A community with an active LateFeeRule charges each overdue open bill one late-fee line
(fee item of kind LATE_FEE, made on first use and kept inactive so bill runs never charge
it), computed by ``LateFeeRule.late_fee`` on what the bill's other lines still owe, and
updated in place as days pass: ``charge_late_fees`` runs daily from the billing watch and
twice a day changes nothing. A paid bill stops accruing; a waived or adjusted late-fee
line is finance's decision and left alone; a bill in a payment under way waits for the
next day (the order pays what it asked). Each change writes a BillEvent "late_fee".
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from portal import page_cache

from .models import OPEN_STATES, Bill, BillEvent, BillLine, FeeItem, LateFeeRule, State

ZERO = Decimal("0.00")


def late_fee_item(community_id):
    """The community's late-fee item (made inactive on first use)."""
    item = FeeItem.objects.filter(community_id=community_id,
                                  kind=FeeItem.Kind.LATE_FEE).order_by("pk").first()
    if item is not None:
        return item
    name = gettext("Late fee")
    if FeeItem.objects.filter(community_id=community_id, name=name).exists():
        name = f"{name} ({FeeItem.Kind.LATE_FEE})"
    item, _created = FeeItem.objects.get_or_create(
        community_id=community_id, name=name,
        defaults={"kind": FeeItem.Kind.LATE_FEE, "unit_price": ZERO, "active": False,
                  "due_days": 0, "sort_order": 999})
    return item


def charge_bill(bill, rule, item, on):
    """Bring one bill's late-fee line to what the rule charges on ``on``. Returns the
    line's amount when it changed, else None."""
    from .paying import in_progress_bill_ids

    with transaction.atomic():
        bill = Bill.objects.select_for_update().get(pk=bill.pk)
        if bill.state not in OPEN_STATES or bill.due_date >= on:
            return None
        if in_progress_bill_ids([bill.pk]):
            return None
        lines = list(bill.lines.select_for_update().order_by("pk"))
        line = next((each for each in lines if each.fee_item_id == item.pk), None)
        owed = sum((each.amount_due - each.amount_paid for each in lines
                    if each.fee_item_id != item.pk and each.state in OPEN_STATES), ZERO)
        fee = rule.late_fee(owed, bill.due_date, on)
        if line is None:
            if fee <= 0:
                return None
            line = BillLine.objects.create(
                bill=bill, house_id=bill.house_id, community_id=bill.community_id,
                fee_item=item, period_start=bill.period_start, period_end=bill.period_end,
                description=gettext("Late fee"), quantity=Decimal(1), unit_price=fee,
                amount=fee, amount_due=fee, due_date=bill.due_date)
            before = ZERO
        else:
            if line.state == State.WAIVED or line.is_adjusted or fee <= line.amount_due:
                return None  # waived or adjusted by finance; a fee never shrinks here
            before = line.amount_due
            line.amount = line.amount_due = line.unit_price = fee
            line.state = State.PARTLY_PAID if line.amount_paid > 0 else State.DUE
            line.save(update_fields=["amount", "amount_due", "unit_price", "state"])
        bill.recompute()
        BillEvent.objects.create(
            bill=bill, line=line, community_id=bill.community_id, action="late_fee",
            reason=gettext("Late fee as of %(day)s") % {"day": on.isoformat()},
            amount_before=before, amount_after=fee)
        return fee


def charge_late_fees(on=None):
    """The day's late fees for every community with an active rule. Returns how many
    bills changed."""
    on = on or timezone.localdate()
    changed = 0
    for rule in LateFeeRule.objects.filter(active=True):
        item = late_fee_item(rule.community_id)
        overdue = (Bill.objects.overdue(on).filter(community_id=rule.community_id)
                   .order_by("pk").only("pk"))
        for bill in overdue.iterator():
            if charge_bill(bill, rule, item, on) is not None:
                changed += 1
    if changed:
        page_cache.bump_generation()
    return changed
