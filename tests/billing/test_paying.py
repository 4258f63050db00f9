"""Paying bills: one order for several bills, refused when a bill cannot be paid (nothing
created), settled once through WeChat Pay's signed notification (even three times), the
demo cashier, or the cashier's record of an offline payment; closing frees the bills."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext

from portal.payments.models import PaymentOrder
from services.billing import paying
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


def pay(user, bills, key="k1"):
    return paying.pay_bills(user, bills, idempotency_key=key)


def assert_paid_once(bills, order):
    for bill in bills:
        bill.refresh_from_db()
        assert bill.state == State.PAID
        assert bill.amount_paid == bill.amount_due
        assert set(bill.lines.values_list("state", flat=True)) == {State.PAID}
        assert BillEvent.objects.filter(bill=bill, action="pay").count() == 1
    receipt = Receipt.objects.get(order=order)
    assert receipt.total == order.amount
    assert Receipt.objects.count() == 1


def test_one_order_pays_several_bills_of_my_house(billed, house_a, resident):
    bills = billed[house_a]

    order = pay(resident, bills)

    assert order.purpose == paying.PURPOSE
    assert order.amount == sum(bill.amount_due for bill in bills) == D("382.00")
    assert sorted(order.bill_payments.values_list("bill_id", flat=True)) == [
        bill.pk for bill in bills]
    assert order.community == house_a.community


def test_a_double_tap_opens_one_order(billed, house_a, resident):
    first = pay(resident, billed[house_a], key="same")
    second = pay(resident, billed[house_a], key="same")

    assert first.pk == second.pk
    assert PaymentOrder.objects.count() == 1


@pytest.mark.parametrize("case", ["other_owner", "two_communities", "paid", "pending",
                                  "none"])
def test_bills_that_cannot_be_paid_are_refused_and_nothing_is_created(
        case, billed, house_a, house_a2, house_b, resident, neighbour, client):
    mine = billed[house_a][0]
    if case == "other_owner":
        bills, message = [mine, billed[house_a2][0]], gettext(
            "Some of these bills are not bills of your houses.")
    elif case == "two_communities":
        from tests import factories as f
        f.OccupancyFactory(resident=resident.resident, house=house_b, state="verified")
        bills, message = [mine, billed[house_b][0]], gettext(
            "Pay the bills of each community separately.")
    elif case == "paid":
        order = pay(resident, [mine], key="first")
        order.settle(transaction_id=None, amount=order.amount, paid_at=None,
                     channel=PaymentOrder.Channel.SANDBOX)
        bills, message = [mine], gettext("The bill %(bill)s is paid already.") % {
            "bill": f"{house_a} {mine.period_start:%Y-%m}"}
    elif case == "pending":
        pay(resident, [mine], key="first")
        bills, message = [mine, billed[house_a][1]], gettext(
            "The bill %(bill)s is already in a payment that is not finished; pay it there "
            "or wait until it expires.") % {"bill": f"{house_a} {mine.period_start:%Y-%m}"}
    else:
        bills, message = [], gettext("Choose at least one bill to pay.")
    orders_before = PaymentOrder.objects.count()

    with pytest.raises(ValidationError) as refused:
        pay(resident, bills, key="second")

    assert refused.value.messages == [message]
    assert PaymentOrder.objects.count() == orders_before


def test_wechat_pay_settles_the_bills_once_though_notified_three_times(
        client, wechatpay, billed, house_a, resident):  # noqa: F811 (fixture)
    bills = billed[house_a]
    follower_of(resident)
    order = pay(resident, bills)
    order.prepay("o-payer-openid-1")
    wechatpay.pay(order.out_trade_no, notify=False)
    note = wechatpay.payment_notification(order.out_trade_no)

    answers = [deliver(client, note).status_code for _ in range(3)]

    assert answers == [204, 204, 204]
    order.refresh_from_db()
    assert order.state == PaymentOrder.State.PAID
    assert_paid_once(bills, order)
    assert not order.bill_payments.filter(in_progress=True).exists()


def test_the_demo_cashier_pays_the_bills(client, billed, house_a, resident):
    client.force_login(resident)
    bills = billed[house_a]

    response = client.post(reverse("my_bills:pay"), {"bill": [b.pk for b in bills],
                                                      "key": "tap-1"})
    order = PaymentOrder.objects.get()
    assert response.url == order.cashier_url
    client.post(reverse("payments:sandbox_pay", args=[order.out_trade_no]))

    order.refresh_from_db()
    assert order.state == PaymentOrder.State.PAID
    assert_paid_once(bills, order)


def test_an_offline_payment_recorded_by_the_cashier_settles_the_bills(
        billed, house_a, resident, finance_a):
    bills = billed[house_a]
    order = pay(resident, bills)

    order.record_offline(method="cash", amount=order.amount, by=finance_a)

    assert_paid_once(bills, order)
    assert Receipt.objects.get(order=order).order.offline_method == "cash"


def test_a_closed_order_frees_its_bills(billed, house_a, resident):
    bills = billed[house_a]
    order = pay(resident, bills)

    order.close()
    again = pay(resident, bills, key="k2")

    assert again.pk != order.pk
    assert all(Bill.objects.get(pk=b.pk).state == State.DUE for b in bills)


def test_my_bills_page_groups_due_upcoming_and_paid(client, billed, house_a, resident):
    old, new = billed[house_a]
    client.force_login(resident)

    response = client.get(reverse("my_bills:list"))

    assert [b.pk for b in response.context["due"]] == [old.pk]
    assert response.context["due"][0].days_overdue > 300
    assert [b.pk for b in response.context["upcoming"]] == [new.pk]
    assert response.context["paid"] == []
    assert response.context["due_total"] == D("191.00")
    assert "bill_overdue" in response.content.decode()


def test_a_guessed_id_of_another_house_is_not_found(client, billed, house_a2, resident,
                                                    caplog):
    client.force_login(resident)
    other = billed[house_a2][0]

    assert client.get(reverse("my_bills:detail", args=[other.pk])).status_code == 404
    with caplog.at_level("INFO", logger="services.billing.owner_views"):
        response = client.post(reverse("my_bills:pay"), {"bill": [other.pk], "key": "x"})
    assert response.status_code == 302 and not PaymentOrder.objects.exists()
    refused = [r.getMessage() for r in caplog.records if "bill payment refused" in r.message]
    assert refused == [f"bill payment refused: user {resident.pk} asked for bills "
                       f"[{other.pk}], not all theirs"]
    assert str(house_a2) not in refused[0]


def test_paying_a_paid_bill_again_is_refused_with_a_log_line(client, billed, house_a, resident,
                                                            caplog):
    bill = billed[house_a][0]
    order = pay(resident, [bill], key="first")
    order.settle(transaction_id=None, amount=order.amount, paid_at=None,
                 channel=PaymentOrder.Channel.SANDBOX)
    client.force_login(resident)

    with caplog.at_level("INFO", logger="services.billing.owner_views"):
        client.post(reverse("my_bills:pay"), {"bill": [bill.pk], "key": "again"})

    assert PaymentOrder.objects.count() == 1
    assert any(f"bills [{bill.pk}]" in record.getMessage() for record in caplog.records)


def test_a_bill_page_shows_each_line_and_its_adjustment(client, billed, house_a, resident,
                                                       finance_a):
    bill = billed[house_a][0]
    bill.lines.get(fee_item__name="垃圾清运费").adjust("10.00", by=finance_a,
                                                     reason="空置房减免")
    client.force_login(resident)

    response = client.get(reverse("my_bills:detail", args=[bill.pk]))

    page = response.content.decode()
    assert "物业管理费" in page and "89.50 × ¥2 = ¥179.00" in page
    assert "空置房减免" in page and "¥12.00 → ¥10.00" in page
    assert "¥189.00" in page
