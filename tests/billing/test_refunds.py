"""Refunds of bill and advance payments: the refunded amount leaves the order's bills
(newest bill first, each due again with a "refund" event; the receipt stays) or the
advance balance, which refuses a refund it no longer holds when it is asked."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.translation import gettext

from portal.estates.errors import TransitionNotAllowed
from portal.payments.models import PaymentOrder, Refund
from services.billing import advance, paying
from services.billing.advance import AdvanceAccount, AdvanceEntry
from services.billing.models import Bill, BillEvent, State
from services.billing.receipts import Receipt
from tests.payments.conftest import (  # noqa: F401  (fixtures)
    _wechatpay_server,
    deliver,
    follower_of,
    merchant_keys,
    wechatpay,
)

pytestmark = pytest.mark.django_db
D = Decimal


def fresh(bill):
    return Bill.objects.get(pk=bill.pk)


@pytest.fixture
def wechat_paid(client, wechatpay, billed, house_a, resident):  # noqa: F811 (fixture)
    """Both bills of house A (old 191.00 overdue, new 191.00 not yet due) paid by one
    WeChat Pay order."""
    follower_of(resident)
    order = paying.pay_bills(resident, billed[house_a], idempotency_key="k")
    order.prepay("o-payer-openid-1")
    wechatpay.pay(order.out_trade_no, notify=False)
    assert deliver(client, wechatpay.payment_notification(order.out_trade_no)
                   ).status_code == 204
    order.refresh_from_db()
    assert order.state == PaymentOrder.State.PAID
    return order


def refund_through_wechat(client, wechatpay, order, amount, by):  # noqa: F811
    refund = order.refund(amount=D(amount), reason="退费", by=by)
    wechatpay.complete_refund(refund.out_refund_no, notify=False)
    note = wechatpay.refund_notification(refund.out_refund_no)
    assert deliver(client, note).status_code == 204
    assert deliver(client, note).status_code == 204  # repeated: nothing more
    refund.refresh_from_db()
    assert refund.state == Refund.State.SUCCESS
    return refund


def test_a_part_refund_reopens_the_newest_bill_first(client, wechatpay, wechat_paid,  # noqa: F811
                                                     billed, house_a, finance_a):
    old, new = billed[house_a]
    bills_before = old.amount_due

    refund_through_wechat(client, wechatpay, wechat_paid, "50.00", finance_a)

    new, old = fresh(new), fresh(old)
    assert (old.state, old.amount_paid) == (State.PAID, bills_before)
    assert new.state == State.PARTLY_PAID
    assert new.amount_paid == new.amount_due - D("50.00")
    events = BillEvent.objects.filter(action="refund")
    assert [(e.bill_id, e.amount_before, e.amount_after) for e in events] == [
        (new.pk, new.amount_due, new.amount_paid)]
    assert Receipt.objects.filter(order=wechat_paid).count() == 1
    assert sum(new.lines.values_list("amount_paid", flat=True), D(0)) == new.amount_paid


def test_refunding_more_than_a_bill_reaches_the_older_one_and_it_is_overdue_again(
        client, wechatpay, wechat_paid, billed, house_a, finance_a, resident):  # noqa: F811
    old, new = billed[house_a]
    refund_through_wechat(client, wechatpay, wechat_paid, "100.00", finance_a)
    refund_through_wechat(client, wechatpay, wechat_paid, "150.00", finance_a)

    new, old = fresh(new), fresh(old)
    assert (new.state, new.amount_paid) == (State.DUE, D("0.00"))
    assert set(new.lines.values_list("state", flat=True)) == {State.DUE}
    assert old.amount_paid == old.amount_due - D("59.00")
    assert old.state == State.PARTLY_PAID and old.is_overdue
    assert BillEvent.objects.filter(action="refund", bill=new).count() == 2
    assert BillEvent.objects.filter(action="refund", bill=old).count() == 1

    client.force_login(resident)
    page = client.get(reverse("my_bills:detail", args=[old.pk])).content.decode()
    assert 'id="bill-refunds"' in page and "bill-refund" in page
    history = client.get(reverse("my_bills:history")).content.decode()
    assert "250.00" in history


def test_an_offline_payment_refunded_in_full_reopens_every_bill(billed, house_a, resident,
                                                                finance_a):
    order = paying.pay_bills(resident, billed[house_a], idempotency_key="k")
    order.record_offline(method="cash", amount=order.amount, by=finance_a)

    order.refund(amount=order.amount, reason="退费", by=finance_a)

    order.refresh_from_db()
    assert order.state == PaymentOrder.State.REFUNDED
    for bill in billed[house_a]:
        bill = fresh(bill)
        assert (bill.state, bill.amount_paid) == (State.DUE, D("0.00"))
    assert Receipt.objects.filter(order=order).count() == 1


def test_taking_back_more_than_a_bill_holds_is_refused(billed, house_a):
    bill = billed[house_a][0]
    with pytest.raises(TransitionNotAllowed):
        paying.take_back_from_bill(fresh(bill), D("1.00"))
    assert not BillEvent.objects.filter(action="refund").exists()


def settle(order):
    order.settle(transaction_id=None, amount=order.amount, paid_at=None,
                 channel=PaymentOrder.Channel.SANDBOX)


def test_an_advance_refund_takes_the_amount_from_the_balance(house_a, resident, finance_a):
    order = advance.prepay(resident, house_a, amount="300", idempotency_key="a")
    settle(order)

    order.refund(amount=D("120.00"), reason="退预缴", by=finance_a)

    account = AdvanceAccount.objects.get(house=house_a)
    assert account.balance == D("180.00")
    entry = AdvanceEntry.objects.get(kind="refund")
    assert (entry.amount, entry.balance_after) == (D("-120.00"), D("180.00"))


def test_an_advance_refund_the_balance_no_longer_holds_is_refused(client, billed, house_a,
                                                                  resident, finance_a):
    order = advance.prepay(resident, house_a, amount="500", idempotency_key="a")
    settle(order)  # 382.00 of it pays the two bills at once
    assert AdvanceAccount.objects.get(house=house_a).balance == D("118.00")

    client.force_login(finance_a)
    response = client.post(reverse("payment_orders:refund", args=[order.pk]),
                           {"amount": "200.00", "reason": "退预缴"})

    assert response.status_code == 200
    assert response.context["form"].data["amount"] == "200.00"
    assert response.context["form"].errors["amount"] == [gettext(
        "The advance balance of %(house)s holds %(free)s yuan that can be given back; "
        "%(amount)s yuan cannot be refunded. Nothing was changed.") % {
        "house": house_a, "free": D("118.00"), "amount": D("200.00")}]
    order.refresh_from_db()
    assert order.state == PaymentOrder.State.PAID and not order.refunds.exists()
    assert AdvanceAccount.objects.get(house=house_a).balance == D("118.00")

    order.refund(amount=D("118.00"), reason="退预缴", by=finance_a)
    assert AdvanceAccount.objects.get(house=house_a).balance == D("0.00")


def test_an_advance_refund_through_wechat_counts_refunds_under_way(
        client, wechatpay, house_a, resident, finance_a):  # noqa: F811 (fixture)
    follower_of(resident)
    order = advance.prepay(resident, house_a, amount="100", idempotency_key="a")
    order.prepay("o-payer-openid-1")
    wechatpay.pay(order.out_trade_no, notify=False)
    deliver(client, wechatpay.payment_notification(order.out_trade_no))
    order.refresh_from_db()
    refund = order.refund(amount=D("60.00"), reason="退预缴", by=finance_a)
    assert refund.state == Refund.State.PROCESSING
    # The balance still shows 100 yuan, of which 60 are being given back: 40 are free.
    assert AdvanceAccount.objects.get(house=house_a).balance == D("100.00")
    assert advance.advance_can_refund(order, D("40.01"))
    assert advance.advance_can_refund(order, D("40.00")) is None

    wechatpay.complete_refund(refund.out_refund_no, notify=False)
    deliver(client, wechatpay.refund_notification(refund.out_refund_no))
    assert AdvanceAccount.objects.get(house=house_a).balance == D("40.00")
