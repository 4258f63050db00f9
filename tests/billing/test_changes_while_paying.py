"""A bill being paid keeps what it owes: finance cannot adjust or waive it until the
payment is finished or closed (the owner pays the order's amount, whatever the bill says
then). A refund the bills and the advance balance can no longer give back is refused
when asked, and the advance balance never gives back more than it holds."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from portal.estates.errors import TransitionNotAllowed
from portal.payments.models import PaymentOrder
from services.billing import advance, paying
from services.billing.advance import AdvanceAccount, AdvanceEntry
from services.billing.models import Bill, BillEvent, BillLine, State

pytestmark = pytest.mark.django_db
D = Decimal
BUSY = ("A payment of the bill %(bill)s is in progress, so it cannot be changed now. Wait "
        "until the payment is finished or closed, then change the bill.")


def fresh(bill):
    return Bill.objects.get(pk=bill.pk)


def settle(order):
    order.settle(transaction_id=None, amount=order.amount, paid_at=None,
                 channel=PaymentOrder.Channel.SANDBOX)


def snapshot():
    return (list(BillLine.objects.order_by("pk").values_list("pk", "amount_due", "state")),
            list(Bill.objects.order_by("pk").values_list("pk", "amount_due", "state")),
            BillEvent.objects.count())


@pytest.mark.parametrize("change", [
    lambda bill, by: bill.lines.first().adjust("100.00", by=by, reason="减免"),
    lambda bill, by: bill.lines.first().waive(by=by, reason="减免"),
    lambda bill, by: bill.waive(by=by, reason="减免"),
], ids=["adjust line", "waive line", "waive bill"])
def test_a_bill_being_paid_cannot_be_adjusted_or_waived(billed, house_a, resident,
                                                        finance_a, change):
    old = billed[house_a][0]
    order = paying.pay_bills(resident, [old], idempotency_key="k")
    before = snapshot()

    with pytest.raises(TransitionNotAllowed) as refused:
        change(fresh(old), finance_a)

    assert str(refused.value) == gettext(BUSY) % {"bill": old}
    assert snapshot() == before

    # Once the payment is closed unpaid, the bill can be changed again.
    order.close(by=resident, note="不付了")
    change(fresh(old), finance_a)
    assert fresh(old).amount_due < D("191.00")


def test_a_paid_bill_owes_what_the_order_paid(billed, house_a, resident, finance_a):
    old = billed[house_a][0]
    order = paying.pay_bills(resident, [old], idempotency_key="k")
    with pytest.raises(TransitionNotAllowed):
        old.waive(by=finance_a, reason="物业减免")

    settle(order)

    bill = fresh(old)
    assert (bill.state, bill.amount_paid) == (State.PAID, D("191.00"))
    assert not AdvanceAccount.objects.filter(house=house_a, balance__gt=0).exists()


def test_a_refund_the_bills_and_the_balance_no_longer_hold_is_refused(
        billed, house_a, resident, finance_a):
    old, new = billed[house_a]
    order = paying.pay_bills(resident, [old], idempotency_key="k")
    # A bill waived while its payment was open (as was possible before): the payment
    # goes to the advance balance, which pays the next bill at once.
    BillLine.objects.filter(bill=old).update(amount_due=D("0.00"), state=State.WAIVED)
    Bill.objects.filter(pk=old.pk).update(amount_due=D("0.00"), state=State.WAIVED)
    settle(order)
    assert fresh(new).state == State.PAID
    assert AdvanceAccount.objects.get(house=house_a).balance == D("0.00")
    before = snapshot(), list(AdvanceEntry.objects.values_list("pk", flat=True))

    with pytest.raises(ValidationError) as refused:
        order.refund(amount=D("191.00"), reason="退款", by=finance_a)

    assert refused.value.message_dict["amount"] == [gettext(
        "%(needed)s yuan of this refund is no longer in the bills of %(house)s (waived or "
        "changed after the payment) and its advance balance holds %(free)s yuan that can "
        "be given back, so %(amount)s yuan cannot be refunded. Nothing was changed.") % {
        "needed": D("191.00"), "house": house_a, "free": D("0.00"),
        "amount": D("191.00")}]
    order.refresh_from_db()
    assert order.state == PaymentOrder.State.PAID and not order.refunds.exists()
    assert (snapshot(), list(AdvanceEntry.objects.values_list("pk", flat=True))) == before


def test_a_refund_of_a_surplus_the_balance_still_holds_takes_it_from_the_balance(
        billed, house_a, resident, finance_a):
    old, new = billed[house_a]
    order = paying.pay_bills(resident, [new], idempotency_key="k")
    BillLine.objects.filter(bill=new).update(amount_due=D("0.00"), state=State.WAIVED)
    Bill.objects.filter(pk=new.pk).update(amount_due=D("0.00"), state=State.WAIVED)
    old.waive(by=finance_a, reason="减免")
    settle(order)  # nothing open to draw: the 191.00 stays in the balance
    assert AdvanceAccount.objects.get(house=house_a).balance == D("191.00")

    order.refund(amount=D("191.00"), reason="退款", by=finance_a)

    order.refresh_from_db()
    assert order.state == PaymentOrder.State.REFUNDED
    assert AdvanceAccount.objects.get(house=house_a).balance == D("0.00")
    assert AdvanceEntry.objects.get(kind="refund").amount == D("-191.00")


def test_the_advance_balance_never_gives_back_more_than_it_holds(house_a, resident):
    order = advance.prepay(resident, house_a, amount="100", idempotency_key="a")
    settle(order)

    with pytest.raises(TransitionNotAllowed) as refused, transaction.atomic():
        advance.debit(house_a, D("100.01"), order=order, note="退款")

    assert str(refused.value) == gettext(
        "The advance balance of %(house)s holds %(balance)s yuan; %(amount)s yuan cannot "
        "be given back from it. Nothing was changed.") % {
        "house": house_a, "balance": D("100.00"), "amount": D("100.01")}
    assert AdvanceAccount.objects.get(house=house_a).balance == D("100.00")
    assert not AdvanceEntry.objects.filter(kind="refund").exists()
