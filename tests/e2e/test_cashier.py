"""The cashier on a phone (375 px, WeChat's in-app browser): the demo payment, and WeChat
Pay through our static script, WeChat's JS bridge standing in for the payment sheet and
the payment confirmed by looking it up at the stub (its notification never comes)."""

import pytest
from django.conf import settings
from django.test import Client

from portal.payments.models import PaymentOrder
from tests.e2e.conftest import screenshot
from tests.payments.conftest import (  # noqa: F401  (fixtures of the WeChat Pay stub)
    _wechatpay_server,
    follower_of,
    live_wechatpay,
    merchant_keys,
    open_order,
    purpose_log,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True,
                                                     serialized_rollback=True)]

# What WeixinJSBridge does once the payer has entered their password: answer "ok".
FAKE_BRIDGE = """
window.WeixinJSBridge = {invoke: function (name, params, done) {
  sessionStorage.setItem("invoked", JSON.stringify({name: name, params: params}));
  setTimeout(function () { done({err_msg: "get_brand_wcpay_request:ok"}); }, 50);
}};
"""


def logged_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                               "url": live_server.url}])


def fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth") <= 375


def test_a_demo_payment_on_a_phone(page, live_server, resident, purpose_log):  # noqa: F811
    order = open_order(resident, "1288.50", description="2026年度物业费（1栋1单元101）")
    logged_in(page, live_server, resident)

    page.goto(live_server.url + order.cashier_url)
    assert page.is_visible("#demo-banner")
    assert fits_the_phone(page)
    screenshot(page, "payments-cashier-demo")
    page.click("#demo-pay")
    page.wait_for_selector("#paid")

    order.refresh_from_db()
    assert order.state == PaymentOrder.State.PAID
    assert order.channel == PaymentOrder.Channel.SANDBOX
    assert fits_the_phone(page)


def test_paying_with_wechat_pay_on_a_phone(page, live_server, live_wechatpay, resident,  # noqa: F811
                                           purpose_log):  # noqa: F811
    follower_of(resident)
    order = open_order(resident, "88.50")
    logged_in(page, live_server, resident)
    page.add_init_script(FAKE_BRIDGE)

    page.goto(live_server.url + order.cashier_url)
    assert fits_the_phone(page)
    assert not page.is_visible("#demo-banner")
    live_wechatpay.pay(order.out_trade_no, notify=False)
    page.click("#pay-button")
    page.wait_for_selector("#paid")
    screenshot(page, "payments-cashier-paid")

    invoked = page.evaluate("JSON.parse(sessionStorage.getItem('invoked'))")
    assert invoked["name"] == "getBrandWCPayRequest"
    assert invoked["params"]["package"] == \
        f"prepay_id={live_wechatpay.orders[order.out_trade_no].prepay_id}"
    assert invoked["params"]["signType"] == "RSA"
    order.refresh_from_db()
    assert order.state == PaymentOrder.State.PAID
    assert order.transaction_id == live_wechatpay.orders[order.out_trade_no].transaction_id
    assert purpose_log.paid == [order.out_trade_no]
