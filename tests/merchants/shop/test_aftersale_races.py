"""After-sale refunds under concurrency, over real HTTP with a live server and real
threads (PostgreSQL): WeChat Pay's refund notification sent many times at once (the
same id, and overlapping ids) settles the request once; approve tapped many times at
once asks WeChat Pay for one refund."""

from decimal import Decimal

import pytest

from merchants.shop.aftersale import AfterSale
from merchants.shop.models import Order, OrderEvent
from portal.estates.errors import TransitionNotAllowed
from portal.notifications.models import InboxMessage
from portal.payments.models import PaymentEvent, PaymentOrder
from portal.payments.stub import send_all
from tests.payments.conftest import (  # noqa: F401 (fixtures)
    _wechatpay_server,
    live_wechatpay,
    merchant_keys,
)
from tests.races import page_tree, postgresql_only, race  # noqa: F401 (fixtures)

from . import factories as sf

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("postgresql_only", "page_tree")]

SAME = 10         # the same notification, again and again
OVERLAPPING = 5   # the same refund, each notification with its own id


@pytest.fixture
def asked(live_wechatpay, resident, shop_a):  # noqa: F811
    noodles = sf.product(shop_a)
    order = sf.order(resident, noodles, 2, mode="online")
    order.payment.prepay("o-payer-openid-1")
    assert [status for status, _ in live_wechatpay.pay(order.payment.out_trade_no)] == [204]
    order.refresh_from_db()
    assert order.state == Order.State.AWAITING_DELIVERY
    return AfterSale.ask(order, by=resident, reason="面是凉的")


def test_concurrent_refund_notifications_settle_the_request_once(
        live_wechatpay, asked, resident, seller_a):  # noqa: F811
    asked.approve(by=seller_a)
    number = asked.refund.out_refund_no
    live_wechatpay.complete_refund(number, notify=False)
    same = live_wechatpay.refund_notification(number)
    notes = [same] * SAME + [live_wechatpay.refund_notification(number)
                             for _ in range(OVERLAPPING)]

    answers = send_all(notes, concurrently=True)

    assert [status for status, _ in answers] == [204] * len(notes), answers
    asked.refresh_from_db()
    assert asked.state == AfterSale.State.REFUNDED
    payment = PaymentOrder.objects.get(pk=asked.order.payment_id)
    assert payment.state == PaymentOrder.State.REFUNDED
    assert payment.refunded_amount == Decimal("36.00")
    assert PaymentEvent.objects.filter(order=payment, action="refunded").count() == 1
    assert OrderEvent.objects.filter(order=asked.order, action="refunded").count() == 1
    assert InboxMessage.objects.filter(recipient=resident,
                                       event="shop.owner.refunded").count() == 1


def test_approve_tapped_at_once_asks_wechat_pay_for_one_refund(
        live_wechatpay, asked, seller_a):  # noqa: F811
    approved, errors = race(
        lambda _index: AfterSale.objects.get(pk=asked.pk).approve(by=seller_a), 5)

    assert len(approved) == 1
    assert len(errors) == 4 and all(isinstance(e, TransitionNotAllowed) for e in errors)
    assert len(live_wechatpay.refunds) == 1
    asked.refresh_from_db()
    assert asked.state == AfterSale.State.APPROVED
    assert asked.refund.out_refund_no in live_wechatpay.refunds
    assert OrderEvent.objects.filter(order=asked.order,
                                     action="aftersale_approved").count() == 1
