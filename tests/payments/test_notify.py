"""WeChat Pay's payment notification: verified, checked against the order, settled once;
anything forged, stale or not adding up is refused with WeChat Pay's FAIL answer and
settles nothing."""

import json
import time

import pytest
from cryptography.hazmat.primitives import serialization

from portal.payments.models import PaymentEvent, PaymentOrder, ReceivedNotification
from portal.payments.stub import new_key_pair

from .conftest import deliver, follower_of, open_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def prepaid(wechatpay, resident, purpose_log):
    follower_of(resident)
    order = open_order(resident, "88.50")
    order.prepay("o-payer-openid-1")
    return order


def paid_notification(wechatpay, order, /, **changes):
    wechatpay.pay(order.out_trade_no, notify=False)
    return wechatpay.payment_notification(order.out_trade_no, **changes)


def assert_refused(response, status=401):
    assert response.status_code == status
    assert response.json()["code"] == "FAIL"
    assert response.json()["message"]


def assert_not_settled(order, purpose_log):
    order.refresh_from_db()
    assert order.state == PaymentOrder.State.PENDING
    assert order.transaction_id is None
    assert purpose_log.paid == []
    assert not PaymentEvent.objects.filter(order=order, action="paid").exists()


def test_a_signed_notification_settles_the_order(client, wechatpay, prepaid, purpose_log):
    note = paid_notification(wechatpay, prepaid)

    response = deliver(client, note)

    assert response.status_code == 204
    prepaid.refresh_from_db()
    assert prepaid.state == PaymentOrder.State.PAID
    assert prepaid.channel == PaymentOrder.Channel.WECHAT
    assert prepaid.transaction_id == wechatpay.orders[prepaid.out_trade_no].transaction_id
    assert prepaid.paid_at is not None
    assert purpose_log.paid == [prepaid.out_trade_no]
    assert list(prepaid.events.values_list("action", flat=True)) == ["opened", "prepaid",
                                                                     "paid"]


def test_the_same_notification_again_answers_success_and_changes_nothing(
        client, wechatpay, prepaid, purpose_log):
    note = paid_notification(wechatpay, prepaid)
    deliver(client, note)

    again = deliver(client, note)

    assert again.status_code == 204
    assert purpose_log.paid == [prepaid.out_trade_no]
    assert prepaid.events.filter(action="paid").count() == 1
    assert ReceivedNotification.objects.count() == 1


def test_a_second_notification_of_a_paid_order_is_a_no_op(client, wechatpay, prepaid,
                                                          purpose_log):
    deliver(client, paid_notification(wechatpay, prepaid))

    other = deliver(client, wechatpay.payment_notification(prepaid.out_trade_no))

    assert other.status_code == 204
    assert purpose_log.paid == [prepaid.out_trade_no]
    assert prepaid.events.filter(action="paid").count() == 1


def test_a_notification_id_logged_before_settles_nothing(client, wechatpay, prepaid,
                                                         purpose_log):
    """The log's insert fails without a savepoint of its own: settle() gives up its whole
    block, and the transaction around it (the test's) goes on."""
    note = paid_notification(wechatpay, prepaid)
    notification_id = json.loads(note.body)["id"]
    ReceivedNotification.objects.create(notification_id=notification_id, event_type="X",
                                        order=prepaid, community_id=prepaid.community_id)

    response = deliver(client, note)

    assert response.status_code == 204
    assert_not_settled(prepaid, purpose_log)
    assert ReceivedNotification.objects.filter(notification_id=notification_id).count() == 1


def test_a_notification_signed_with_another_key_is_refused(client, wechatpay, prepaid,
                                                          purpose_log):
    forger = serialization.load_pem_private_key(new_key_pair()[0].encode(), None)
    wechatpay.pay(prepaid.out_trade_no, notify=False)
    resource = wechatpay.payment_resource(prepaid.out_trade_no)
    note = wechatpay.notification(wechatpay.orders[prepaid.out_trade_no].notify_url,
                                  "TRANSACTION.SUCCESS", "支付成功", resource, "transaction",
                                  key=forger)

    assert_refused(deliver(client, note))
    assert_not_settled(prepaid, purpose_log)


def test_an_altered_body_is_refused(client, wechatpay, prepaid, purpose_log):
    note = paid_notification(wechatpay, prepaid)
    envelope = json.loads(note.body)
    envelope["summary"] = "支付成功!"
    note.body = json.dumps(envelope, ensure_ascii=False).encode()

    assert_refused(deliver(client, note))
    assert_not_settled(prepaid, purpose_log)


def test_a_stale_notification_is_refused(client, wechatpay, prepaid, purpose_log):
    wechatpay.pay(prepaid.out_trade_no, notify=False)
    note = wechatpay.notification(wechatpay.orders[prepaid.out_trade_no].notify_url,
                                  "TRANSACTION.SUCCESS", "支付成功",
                                  wechatpay.payment_resource(prepaid.out_trade_no),
                                  "transaction", timestamp=int(time.time()) - 6 * 60)

    assert_refused(deliver(client, note))
    assert_not_settled(prepaid, purpose_log)


def test_a_resource_encrypted_with_another_apiv3_key_is_refused(client, wechatpay, prepaid,
                                                               purpose_log):
    wechatpay.pay(prepaid.out_trade_no, notify=False)
    note = wechatpay.notification(wechatpay.orders[prepaid.out_trade_no].notify_url,
                                  "TRANSACTION.SUCCESS", "支付成功",
                                  wechatpay.payment_resource(prepaid.out_trade_no),
                                  "transaction", apiv3_key="X" * 32)

    assert_refused(deliver(client, note))
    assert_not_settled(prepaid, purpose_log)


def test_a_notification_for_another_merchant_is_refused(client, wechatpay, prepaid,
                                                        purpose_log):
    note = paid_notification(wechatpay, prepaid, mchid="1900000999")

    assert_refused(deliver(client, note), status=400)
    assert_not_settled(prepaid, purpose_log)


def test_a_notification_for_another_appid_is_refused(client, wechatpay, prepaid, purpose_log):
    note = paid_notification(wechatpay, prepaid, appid="wxsomeoneelse0001")

    assert_refused(deliver(client, note), status=400)
    assert_not_settled(prepaid, purpose_log)


def test_a_notification_with_a_different_amount_is_refused(client, wechatpay, prepaid,
                                                           purpose_log):
    note = paid_notification(wechatpay, prepaid,
                             amount={"total": 1, "payer_total": 1, "currency": "CNY",
                                     "payer_currency": "CNY"})

    assert_refused(deliver(client, note), status=400)
    assert_not_settled(prepaid, purpose_log)
    # WeChat Pay's retry of the genuine notification still settles it.
    assert deliver(client, wechatpay.payment_notification(
        prepaid.out_trade_no)).status_code == 204
    prepaid.refresh_from_db()
    assert prepaid.state == PaymentOrder.State.PAID


def test_a_notification_for_an_unknown_order_is_refused(client, wechatpay, prepaid,
                                                        purpose_log):
    note = paid_notification(wechatpay, prepaid, out_trade_no="P000000000000000000")

    assert_refused(deliver(client, note), status=404)
    assert_not_settled(prepaid, purpose_log)


def test_a_notification_without_headers_is_refused(client, wechatpay, prepaid, purpose_log):
    note = paid_notification(wechatpay, prepaid)
    response = client.post("/payments/wechat/notify/", data=note.body,
                           content_type="application/json")

    assert_refused(response)
    assert_not_settled(prepaid, purpose_log)


def test_the_notify_endpoint_takes_only_post(client, wechatpay):
    assert client.get("/payments/wechat/notify/").status_code == 405


def test_without_credentials_notifications_are_refused(client, resident, purpose_log):
    order = open_order(resident)
    response = client.post("/payments/wechat/notify/", data=b"{}",
                           content_type="application/json")
    assert_refused(response, status=404)
    assert_not_settled(order, purpose_log)
