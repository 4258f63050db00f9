"""Duplicate notifications racing each other, over real HTTP to a live server with its
own threads and database connections: WeChat Pay's retries of the same notification
(one notification id) and overlapping ones (several ids, as when the active query and
the notification cross) settle each order once and call its purpose once."""

import pytest
from django.db import connection

from portal.estates import roles
from portal.payments.models import PaymentEvent, PaymentOrder, ReceivedNotification
from portal.payments.stub import send_all

from .conftest import follower_of, open_order

# Without serialized rollback, like the suite's other transactional tests.
pytestmark = pytest.mark.django_db(transaction=True)

ORDERS = 3
SAME = 10      # the same notification, again and again
OVERLAPPING = 10  # the same payment, each notification with its own id


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        # SQLite has no row locks, and its in-memory test database is shared by the
        # live server's threads, which lock each other out under load.
        pytest.skip("concurrent settlement needs PostgreSQL")


@pytest.fixture(autouse=True)
def role_groups(postgresql_only):
    from django.contrib.auth.models import Group

    Group.objects.get_or_create(name=roles.FINANCE)


def test_concurrent_duplicate_notifications_settle_each_order_once(live_wechatpay, resident,
                                                                    purpose_log):
    purpose_log.paid_delay = 0.05
    follower_of(resident)
    orders = [open_order(resident, f"{10 + number}.50") for number in range(ORDERS)]
    notes = []
    for order in orders:
        order.prepay("o-payer-openid-1")
        live_wechatpay.pay(order.out_trade_no, notify=False)
        same = live_wechatpay.payment_notification(order.out_trade_no)
        notes += [same] * SAME
        notes += [live_wechatpay.payment_notification(order.out_trade_no)
                  for _ in range(OVERLAPPING)]

    answers = send_all(notes, concurrently=True)

    assert [status for status, _ in answers] == [204] * len(notes), answers
    numbers = sorted(order.out_trade_no for order in orders)
    assert sorted(purpose_log.paid) == numbers
    assert PaymentEvent.objects.filter(action="paid").count() == ORDERS
    for order in orders:
        order.refresh_from_db()
        assert order.state == PaymentOrder.State.PAID
        stub_order = live_wechatpay.orders[order.out_trade_no]
        assert order.transaction_id == stub_order.transaction_id
    # A notification id is logged at most once (those coming after the settlement are
    # recognised as repeats without being logged).
    ids = list(ReceivedNotification.objects.values_list("notification_id", flat=True))
    assert len(ids) == len(set(ids))
    assert ORDERS <= len(ids) <= ORDERS * (1 + OVERLAPPING)


def test_the_stub_delivers_a_payment_to_a_live_server(live_wechatpay, resident, purpose_log):
    follower_of(resident)
    order = open_order(resident, "0.01")
    order.prepay("o-payer-openid-1")

    answers = live_wechatpay.pay(order.out_trade_no, times=2)

    assert [status for status, _ in answers] == [204, 204]
    order.refresh_from_db()
    assert order.state == PaymentOrder.State.PAID
    assert purpose_log.paid == [order.out_trade_no]
