"""The payment order's verbs and their guards: opening (once per tap), the JSAPI
parameters, settling once and only for the amount asked, closing (at WeChat Pay too),
offline payments through the same settlement, and money in fen only at the boundary."""

import base64
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext

from portal.estates.errors import TransitionNotAllowed
from portal.payments.models import AmountMismatch, PaymentOrder
from portal.payments.money import from_fen, to_fen, yuan

from .conftest import APPID, PURPOSE, open_order

pytestmark = pytest.mark.django_db
OPENID = "o-payer-openid-1"
State = PaymentOrder.State


# --- money ---------------------------------------------------------------------------------

def test_yuan_become_fen_exactly_at_the_boundary():
    assert to_fen(Decimal("88.50")) == 8850
    assert to_fen(Decimal("0.01")) == 1
    assert to_fen(Decimal("1234567890.99")) == 123456789099
    assert from_fen(8850) == Decimal("88.50")


def test_amounts_finer_than_a_fen_or_floats_are_refused():
    with pytest.raises(ValueError):
        to_fen(Decimal("0.001"))
    with pytest.raises(ValueError):
        from_fen(88.5)
    with pytest.raises(ValueError):
        yuan(88.5)
    assert yuan("12.3") == Decimal("12.30")


# --- opening -------------------------------------------------------------------------------

def test_opening_an_order_gives_a_readable_number_and_an_event(resident, purpose_log):
    order = open_order(resident, "88.50")

    assert order.state == State.PENDING
    assert order.out_trade_no.startswith(f"P{timezone.localdate():%Y%m%d}")
    assert len(order.out_trade_no) <= 32
    assert order.amount == Decimal("88.50")
    assert order.expires_at > timezone.now()
    assert list(order.events.values_list("action", flat=True)) == ["opened"]


def test_a_double_tap_opens_one_order(resident, purpose_log):
    first = open_order(resident, idempotency_key="tap-1")
    second = open_order(resident, idempotency_key="tap-1")
    other = open_order(resident, idempotency_key="tap-2")

    assert first.pk == second.pk
    assert other.pk != first.pk
    assert PaymentOrder.objects.count() == 2


def test_the_same_key_of_two_payers_is_two_orders(resident, neighbour, purpose_log):
    assert open_order(resident, idempotency_key="k").pk != \
        open_order(neighbour, idempotency_key="k").pk


@pytest.mark.parametrize("amount", ["0", "-1.00", "0.001"])
def test_an_order_for_nothing_or_less_than_a_fen_is_refused(resident, purpose_log, amount):
    with pytest.raises(ValidationError):
        open_order(resident, amount)
    assert not PaymentOrder.objects.exists()


def test_an_order_for_an_unregistered_purpose_is_refused(resident, community_a):
    with pytest.raises(LookupError):
        PaymentOrder.objects.open(purpose="nobody.knows", payer=resident,
                                  community=community_a, amount=Decimal("1.00"),
                                  description="x")


# --- prepay --------------------------------------------------------------------------------

def test_prepay_opens_a_jsapi_order_and_signs_the_bridge_parameters(wechatpay, resident,
                                                                    purpose_log,
                                                                    merchant_keys):
    order = open_order(resident, "88.50")

    params = order.prepay(OPENID)

    stub_order = wechatpay.orders[order.out_trade_no]
    assert stub_order.total == 8850
    assert stub_order.openid == OPENID
    assert stub_order.notify_url == "http://testserver/payments/wechat/notify/"
    assert params["appId"] == APPID
    assert params["package"] == f"prepay_id={stub_order.prepay_id}"
    assert params["signType"] == "RSA"
    message = "\n".join([params["appId"], params["timeStamp"], params["nonceStr"],
                         params["package"]]) + "\n"
    merchant_public = serialization.load_pem_public_key(merchant_keys[1].encode())
    merchant_public.verify(base64.b64decode(params["paySign"]), message.encode(),
                           padding.PKCS1v15(), hashes.SHA256())


def test_prepaying_again_reuses_the_prepay_id(wechatpay, resident, purpose_log):
    order = open_order(resident)
    first = order.prepay(OPENID)
    second = order.prepay(OPENID)

    assert first["package"] == second["package"]
    assert len(wechatpay.calls_to("/v3/pay/transactions/jsapi")) == 1
    assert order.events.filter(action="prepaid").count() == 1


def test_a_paid_or_expired_order_cannot_be_prepaid(wechatpay, resident, purpose_log):
    order = open_order(resident)
    PaymentOrder.objects.filter(pk=order.pk).update(expires_at=timezone.now())
    with pytest.raises(TransitionNotAllowed):
        order.prepay(OPENID)
    assert wechatpay.calls == []


def test_requests_signed_with_the_wrong_merchant_key_are_refused_by_wechat_pay(
        wechatpay, resident, purpose_log, settings):
    from portal.payments.providers import ProviderError
    from portal.payments.stub import new_key_pair

    settings.WECHATPAY_PRIVATE_KEY = new_key_pair()[0]
    order = open_order(resident)
    with pytest.raises(ProviderError) as refused:
        order.prepay(OPENID)
    assert refused.value.code == "SIGN_ERROR"
    order.refresh_from_db()
    assert order.prepay_id == ""


def test_an_answer_not_signed_by_wechat_pay_is_not_believed(wechatpay, resident,
                                                            purpose_log, settings):
    from portal.payments.providers import ProviderError
    from portal.payments.stub import new_key_pair

    settings.WECHATPAY_PUBLIC_KEY = new_key_pair()[1]
    order = open_order(resident)
    with pytest.raises(ProviderError):
        order.prepay(OPENID)
    order.refresh_from_db()
    assert order.prepay_id == ""


# --- settle --------------------------------------------------------------------------------

def test_settle_once_then_no_op(resident, purpose_log):
    order = open_order(resident, "10.00")
    now = timezone.now()

    assert order.settle(transaction_id="4200001", amount=Decimal("10.00"), paid_at=now,
                        channel="wechat") is True
    assert order.settle(transaction_id="4200001", amount=Decimal("10.00"), paid_at=now,
                        channel="wechat") is False

    order.refresh_from_db()
    assert order.state == State.PAID
    assert purpose_log.paid == [order.out_trade_no]
    assert order.events.filter(action="paid").count() == 1


def test_settle_refuses_another_amount_and_changes_nothing(resident, purpose_log):
    order = open_order(resident, "10.00")
    with pytest.raises(AmountMismatch):
        order.settle(transaction_id="4200001", amount=Decimal("9.99"),
                     paid_at=timezone.now(), channel="wechat")
    order.refresh_from_db()
    assert order.state == State.PENDING
    assert purpose_log.paid == []


def test_a_closed_order_cannot_be_settled(resident, purpose_log):
    order = open_order(resident, "10.00")
    order.close()
    with pytest.raises(TransitionNotAllowed):
        order.settle(transaction_id="4200001", amount=Decimal("10.00"),
                     paid_at=timezone.now(), channel="wechat")
    assert purpose_log.paid == []


def test_a_purpose_hook_that_fails_rolls_the_settlement_back(resident, purpose_log):
    from portal.payments import purposes

    def broken(order):
        raise RuntimeError("the bill could not be marked paid")

    purposes.register(PURPOSE, label="Test purchase", on_paid=broken)
    order = open_order(resident, "10.00")
    with pytest.raises(RuntimeError):
        order.settle(transaction_id="4200001", amount=Decimal("10.00"),
                     paid_at=timezone.now(), channel="wechat")
    order.refresh_from_db()
    assert order.state == State.PENDING
    assert order.transaction_id is None
    assert not order.events.filter(action="paid").exists()


def test_one_wechat_transaction_cannot_pay_two_orders(resident, purpose_log):
    from django.db import IntegrityError

    first, second = open_order(resident, "10.00"), open_order(resident, "10.00")
    first.settle(transaction_id="4200001", amount=Decimal("10.00"), paid_at=timezone.now(),
                 channel="wechat")
    with pytest.raises(IntegrityError):
        second.settle(transaction_id="4200001", amount=Decimal("10.00"),
                      paid_at=timezone.now(), channel="wechat")


# --- close ---------------------------------------------------------------------------------

def test_closing_a_prepaid_order_closes_it_at_wechat_pay(wechatpay, resident, purpose_log,
                                                         finance_a):
    order = open_order(resident)
    order.prepay(OPENID)

    order.close(by=finance_a)

    assert order.state == State.CLOSED
    assert wechatpay.orders[order.out_trade_no].trade_state == "CLOSED"
    assert purpose_log.closed == [order.out_trade_no]
    assert order.events.get(action="closed").actor == finance_a


def test_closing_an_order_just_paid_at_wechat_pay_settles_it_instead(wechatpay, resident,
                                                                     purpose_log):
    order = open_order(resident)
    order.prepay(OPENID)
    wechatpay.pay(order.out_trade_no, notify=False)

    with pytest.raises(TransitionNotAllowed):
        order.close()

    order.refresh_from_db()
    assert order.state == State.PAID
    assert order.transaction_id == wechatpay.orders[order.out_trade_no].transaction_id
    assert purpose_log.paid == [order.out_trade_no]
    assert purpose_log.closed == []


def test_a_paid_order_cannot_be_closed(resident, purpose_log):
    order = open_order(resident, "10.00")
    order.settle(transaction_id="4200001", amount=Decimal("10.00"), paid_at=timezone.now(),
                 channel="wechat")
    with pytest.raises(TransitionNotAllowed):
        order.close()
    assert PaymentOrder.objects.get(pk=order.pk).state == State.PAID


# --- offline payments --------------------------------------------------------------------

def test_an_offline_payment_settles_through_the_same_path(resident, purpose_log, finance_a):
    order = open_order(resident, "120.00")

    assert order.record_offline(method="cash", amount=Decimal("120.00"), by=finance_a,
                                note="收据 0012") is True

    order.refresh_from_db()
    assert order.state == State.PAID
    assert order.channel == PaymentOrder.Channel.OFFLINE
    assert order.offline_method == "cash"
    assert order.transaction_id is None
    assert purpose_log.paid == [order.out_trade_no]
    event = order.events.get(action="paid")
    assert event.actor == finance_a
    assert event.note == "收据 0012"


def test_an_offline_payment_closes_the_wechat_order_first(wechatpay, resident, purpose_log,
                                                          finance_a):
    order = open_order(resident, "120.00")
    order.prepay(OPENID)

    order.record_offline(method="bank_transfer", amount=Decimal("120.00"), by=finance_a)

    assert wechatpay.orders[order.out_trade_no].trade_state == "CLOSED"
    assert order.state == State.PAID


def test_an_offline_payment_of_another_amount_is_refused(wechatpay, resident, purpose_log,
                                                         finance_a):
    order = open_order(resident, "120.00")
    order.prepay(OPENID)
    with pytest.raises(AmountMismatch):
        order.record_offline(method="cash", amount=Decimal("100.00"), by=finance_a)
    order.refresh_from_db()
    assert order.state == State.PENDING
    # Nothing happened at WeChat Pay either: the owner can still pay there.
    assert wechatpay.orders[order.out_trade_no].trade_state == "NOTPAY"


def test_an_offline_payment_of_an_order_paid_at_wechat_pay_is_refused(wechatpay, resident,
                                                                      purpose_log, finance_a):
    order = open_order(resident, "120.00")
    order.prepay(OPENID)
    wechatpay.pay(order.out_trade_no, notify=False)

    with pytest.raises(TransitionNotAllowed) as refused:
        order.record_offline(method="cash", amount=Decimal("120.00"), by=finance_a)

    assert str(refused.value) == gettext("This order is already paid.")
    order.refresh_from_db()
    assert order.channel == PaymentOrder.Channel.WECHAT
    assert purpose_log.paid == [order.out_trade_no]


def test_an_offline_payment_needs_a_known_method(resident, purpose_log, finance_a):
    order = open_order(resident, "120.00")
    with pytest.raises(ValidationError):
        order.record_offline(method="cheque", amount=Decimal("120.00"), by=finance_a)


def test_when_wechat_pay_cannot_close_its_order_nothing_is_recorded(wechatpay, resident,
                                                                   purpose_log, finance_a):
    order = open_order(resident, "120.00")
    order.prepay(OPENID)
    wechatpay.fail_next("/close", 500, "SYSTEM_ERROR", "系统错误")

    with pytest.raises(TransitionNotAllowed):
        order.record_offline(method="cash", amount=Decimal("120.00"), by=finance_a)

    order.refresh_from_db()
    assert order.state == State.PENDING
    assert purpose_log.paid == []
    # Once WeChat Pay answers again, it goes through.
    order.record_offline(method="cash", amount=Decimal("120.00"), by=finance_a)
    assert order.state == State.PAID


def test_wechat_pay_without_a_notification_address_is_a_configuration_error(
        wechatpay, settings):
    from django.core.exceptions import ImproperlyConfigured

    from portal.payments.providers import get_provider

    settings.WECHATPAY_NOTIFY_BASE_URL = ""
    with pytest.raises(ImproperlyConfigured):
        get_provider()
