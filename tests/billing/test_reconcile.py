"""The day's WeChat Pay receipts reconciled against the trade bill downloaded from the
WeChat Pay stub over real HTTP: matched, only ours, only WeChat Pay's, amounts differ;
scoped to the reader's communities; shown in the admin and exported."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from portal.payments.providers import get_provider
from services.billing.reports.reconcile import (
    AMOUNT_DIFFERS,
    ONLY_OURS,
    ONLY_THEIRS,
    reconcile,
)
from tests.payments import conftest as payments
from tests.payments.conftest import deliver, open_order

# The WeChat Pay stub and the test purpose of the payments tests.
_wechatpay_server = payments._wechatpay_server
merchant_keys = payments.merchant_keys
wechatpay = payments.wechatpay
purpose_log = payments.purpose_log

pytestmark = pytest.mark.django_db


def paid(client, stub, payer, amount, *, notify=True):
    order = open_order(payer, amount)
    order.prepay("o-payer-openid-1")
    stub.pay(order.out_trade_no, notify=False)
    if notify:
        assert deliver(client, stub.payment_notification(order.out_trade_no)).status_code in (
            200, 204)
    order.refresh_from_db()
    return order


def problems(result):
    return {(item.problem, item.number) for item in result.mismatches}


def test_a_day_that_matches(client, wechatpay, purpose_log, resident, finance_a):
    orders = [paid(client, wechatpay, resident, amount) for amount in ("88.50", "12.00")]
    day = timezone.localdate()

    result = reconcile(finance_a, day, get_provider().download_trade_bill(day))

    assert result.balanced
    assert (result.matched, result.matched_amount) == (2, Decimal("100.50"))
    assert (result.our_count, result.their_count) == (2, 2)
    assert all(order.paid_at for order in orders)


def test_mismatches_are_listed(client, wechatpay, purpose_log, resident, finance_a,
                               leadership):
    matched = paid(client, wechatpay, resident, "50.00")
    differs = paid(client, wechatpay, resident, "30.00")
    ours_only = paid(client, wechatpay, resident, "20.00")
    theirs_only = paid(client, wechatpay, resident, "10.00", notify=False)  # never told
    # WeChat Pay's side as its bill will say it: one amount differs, one order unknown.
    wechatpay.orders[differs.out_trade_no].total = 3100
    del wechatpay.orders[ours_only.out_trade_no]
    day = timezone.localdate()
    bill = get_provider().download_trade_bill(day)

    result = reconcile(finance_a, day, bill)

    assert problems(result) == {(AMOUNT_DIFFERS, differs.out_trade_no),
                                (ONLY_OURS, ours_only.out_trade_no),
                                (ONLY_THEIRS, theirs_only.out_trade_no)}
    assert (result.matched, result.matched_amount) == (1, matched.amount)
    item = next(m for m in result.mismatches if m.problem == AMOUNT_DIFFERS)
    assert (item.ours, item.theirs) == (Decimal("30.00"), Decimal("31.00"))
    assert reconcile(leadership, day, bill).mismatches == result.mismatches


def test_staff_of_another_community_see_none_of_it(client, wechatpay, purpose_log,
                                                   resident, finance_b, leadership):
    paid(client, wechatpay, resident, "50.00")
    paid(client, wechatpay, resident, "10.00", notify=False)
    bill = {"rows": [{"out_trade_no": "NOT-OURS-1", "trade_state": "SUCCESS",
                      "total": Decimal("5.00"), "transaction_id": "4200x"}]}
    day = timezone.localdate()
    bill["rows"] += get_provider().download_trade_bill(day)["rows"]

    result = reconcile(finance_b, day, bill)

    assert result.balanced and result.our_count == result.their_count == 0
    # A row of no order of ours is the merchant account's, shown to leadership only.
    assert (ONLY_THEIRS, "NOT-OURS-1") in problems(reconcile(leadership, day, bill))


def test_refunds_are_reconciled(finance_a, resident, purpose_log):
    from portal.payments.models import Channel, Refund
    from portal.payments.models import State as OrderState

    order = open_order(resident, "40.00")
    now = timezone.now()
    order.__class__.objects.filter(pk=order.pk).update(
        state=OrderState.PARTLY_REFUNDED, channel=Channel.WECHAT, paid_at=now,
        transaction_id="4200refundtest")
    refund = Refund.objects.create(order=order, community=order.community,
                                   out_refund_no="RF-1", amount=Decimal("10.00"), reason="x",
                                   channel=Channel.WECHAT, state=Refund.State.SUCCESS,
                                   requested_by=finance_a, succeeded_at=now)
    day = timezone.localdate()
    bill = {"rows": [
        {"out_trade_no": order.out_trade_no, "trade_state": "SUCCESS", "total": Decimal("40.00")},
        {"out_trade_no": order.out_trade_no, "trade_state": "REFUND", "out_refund_no": "RF-1",
         "refund_amount": Decimal("9.00")},
    ]}
    result = reconcile(finance_a, day, bill)
    assert problems(result) == {(AMOUNT_DIFFERS, refund.out_refund_no)}
    bill["rows"][1]["refund_amount"] = Decimal("10.00")
    result = reconcile(finance_a, day, bill)
    assert result.balanced and result.refunds_matched == 1


def test_the_reconciliation_page_and_export(client, wechatpay, purpose_log, resident,
                                            finance_a, finance_b):
    order = paid(client, wechatpay, resident, "66.00")
    wechatpay.orders[order.out_trade_no].total = 6700
    url = reverse("billing_reports:reconcile")
    day = timezone.localdate().isoformat()

    client.force_login(finance_a)
    page = client.get(url, {"day": day}).content.decode()
    assert order.out_trade_no in page and gettext("Amounts differ") in page
    export = client.get(reverse("billing_reports:reconcile_export"), {"day": day})
    assert export.status_code == 200 and export.content[:2] == b"PK"

    client.force_login(finance_b)
    page = client.get(url, {"day": day}).content.decode()
    assert order.out_trade_no not in page and gettext("Everything matches.") in page


def test_a_day_in_the_future_or_a_refused_download_is_explained(client, wechatpay,
                                                                finance_a):
    client.force_login(finance_a)
    url = reverse("billing_reports:reconcile")
    response = client.get(url, {"day": "2999-01-01"})
    assert gettext("Choose a day that is not in the future.") in response.content.decode()
    wechatpay.fail_next("/v3/bill/tradebill", 400, "NO_STATEMENT_EXIST", "账单文件不存在")
    response = client.get(url, {"day": timezone.localdate().isoformat()})
    assert "NO_STATEMENT_EXIST" in response.content.decode() or \
        "账单文件不存在" in response.content.decode()


def test_residents_and_workers_cannot_open_it(client, resident, worker_a):
    for user in (resident, worker_a):
        client.force_login(user)
        assert client.get(reverse("billing_reports:reconcile")).status_code in (302, 403)
