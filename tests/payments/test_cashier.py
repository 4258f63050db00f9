"""The owner's H5 cashier and its status endpoint: the payer's own orders only; with
WeChat Pay configured it carries the signed bridge parameters, without it a clearly
marked demo payment settles through the same settle()."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from portal.payments.models import PaymentOrder

from .conftest import APPID, follower_of, open_order

pytestmark = pytest.mark.django_db
State = PaymentOrder.State


def cashier_url(order):
    return reverse("payments:cashier", args=[order.out_trade_no])


def status_url(order):
    return reverse("payments:status", args=[order.out_trade_no])


def test_the_demo_cashier_is_marked_and_its_button_settles_the_order(client, resident,
                                                                      purpose_log):
    order = open_order(resident, "88.50")
    client.force_login(resident)

    page = client.get(cashier_url(order))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="demo-banner"' in html
    assert 'id="demo-pay"' in html
    assert "88.50" in html

    client.post(reverse("payments:sandbox_pay", args=[order.out_trade_no]))
    order.refresh_from_db()
    assert order.state == State.PAID
    assert order.channel == PaymentOrder.Channel.SANDBOX
    assert purpose_log.paid == [order.out_trade_no]
    assert 'id="paid"' in client.get(cashier_url(order)).content.decode()
    # A second tap does nothing more.
    client.post(reverse("payments:sandbox_pay", args=[order.out_trade_no]))
    assert purpose_log.paid == [order.out_trade_no]


def test_the_demo_button_does_not_exist_with_wechat_pay_configured(client, wechatpay,
                                                                   resident, purpose_log):
    order = open_order(resident)
    client.force_login(resident)
    response = client.post(reverse("payments:sandbox_pay", args=[order.out_trade_no]))
    assert response.status_code == 404
    assert PaymentOrder.objects.get(pk=order.pk).state == State.PENDING


def test_the_wechat_cashier_carries_the_bridge_parameters(client, wechatpay, resident,
                                                          purpose_log):
    follower_of(resident)
    order = open_order(resident, "88.50")
    client.force_login(resident)

    html = client.get(cashier_url(order)).content.decode()

    assert 'id="pay-button"' in html
    assert "payments/cashier.js" in html
    start = html.index('<script id="pay-params" type="application/json">') + len(
        '<script id="pay-params" type="application/json">')
    params = json.loads(html[start:html.index("</script>", start)])
    assert params["appId"] == APPID
    assert params["package"] == \
        f"prepay_id={wechatpay.orders[order.out_trade_no].prepay_id}"
    assert {"timeStamp", "nonceStr", "signType", "paySign"} <= params.keys()


def test_without_a_wechat_identity_the_cashier_says_to_open_it_in_wechat(client, wechatpay,
                                                                        resident,
                                                                        purpose_log):
    order = open_order(resident)
    client.force_login(resident)
    html = client.get(cashier_url(order)).content.decode()
    assert gettext("Open this page in WeChat to pay.") in html
    assert wechatpay.calls == []


def test_an_expired_order_is_not_offered_for_payment(client, resident, purpose_log):
    order = open_order(resident)
    PaymentOrder.objects.filter(pk=order.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1))
    client.force_login(resident)
    html = client.get(cashier_url(order)).content.decode()
    assert 'id="expired"' in html
    assert 'id="demo-pay"' not in html


def test_the_status_endpoint_looks_a_late_payment_up(client, wechatpay, resident,
                                                     purpose_log):
    follower_of(resident)
    order = open_order(resident)
    order.prepay("o-payer-openid-1")
    client.force_login(resident)
    assert client.get(status_url(order)).json() == {
        "state": "pending", "label": gettext("Awaiting payment"), "paid": False}

    wechatpay.pay(order.out_trade_no, notify=False)
    answer = client.get(status_url(order) + "?query=1").json()

    assert answer["paid"] is True
    assert purpose_log.paid == [order.out_trade_no]


def test_a_resident_reaches_only_their_own_orders(client, resident, neighbour, purpose_log):
    order = open_order(resident)
    client.force_login(neighbour)
    assert client.get(cashier_url(order)).status_code == 404
    assert client.get(status_url(order)).status_code == 404
    assert client.post(reverse("payments:sandbox_pay",
                               args=[order.out_trade_no])).status_code == 404
    assert PaymentOrder.objects.get(pk=order.pk).state == State.PENDING


def test_staff_cannot_use_an_owners_cashier(client, resident, finance_a, purpose_log):
    order = open_order(resident)
    client.force_login(finance_a)
    assert client.get(cashier_url(order)).status_code == 404
    assert client.get(status_url(order)).status_code == 404


def test_the_cashier_needs_a_login(client, resident, purpose_log):
    order = open_order(resident)
    response = client.get(cashier_url(order))
    assert response.status_code == 302
    assert client.get(status_url(order)).status_code == 302
