"""WeChat Pay at a local stub over real HTTP, and a purpose of the tests' own.

``wechatpay`` is the stub (one per session, emptied before each test) with the portal's
WECHATPAY_* settings pointing at it: a merchant key pair made here (the stub checks our
requests with its public half), and the stub's platform public key for verifying its
answers and notifications. ``live_wechatpay`` also sends the notifications to a live
server. Without either fixture the portal has no credentials and takes demo payments.
"""

import threading
import time
from decimal import Decimal
from urllib.parse import urlsplit

import pytest

from portal.estates import roles
from portal.payments import purposes
from portal.payments.models import PaymentOrder
from portal.payments.stub import WeChatPayStub, new_key_pair
from tests import factories as f

MCHID = "1900000109"
APPID = "wxpaytestappid01"
APIV3_KEY = "0123456789abcdefABCDEF0123456789"
SERIAL_NO = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
PURPOSE = "tests.payments"


class PurposeLog:
    """What the test purpose's hooks were called with (from any thread)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.paid, self.refunded, self.closed = [], [], []
        # Widens the window between reading and settling, so a missing lock shows.
        self.paid_delay = 0.0

    def on_paid(self, order):
        time.sleep(self.paid_delay)
        with self.lock:
            self.paid.append(order.out_trade_no)

    def on_refunded(self, refund):
        with self.lock:
            self.refunded.append(refund.out_refund_no)

    def on_closed(self, order):
        with self.lock:
            self.closed.append(order.out_trade_no)


@pytest.fixture
def purpose_log():
    log = PurposeLog()
    purposes.register(PURPOSE, label="Test purchase", on_paid=log.on_paid,
                      on_refunded=log.on_refunded, on_closed=log.on_closed)
    yield log
    purposes.unregister(PURPOSE)


@pytest.fixture(scope="session")
def merchant_keys():
    return new_key_pair()


@pytest.fixture(scope="session")
def _wechatpay_server(merchant_keys):
    stub = WeChatPayStub("127.0.0.1", 0, mchid=MCHID, appid=APPID, apiv3_key=APIV3_KEY,
                         merchant_public_key=merchant_keys[1], merchant_serial_no=SERIAL_NO)
    stub.start()
    yield stub
    stub.stop()


def _configure(settings, stub, merchant_keys, notify_base_url):
    settings.WECHATPAY_MCHID = MCHID
    settings.WECHATPAY_APPID = APPID
    settings.WECHATPAY_APIV3_KEY = APIV3_KEY
    settings.WECHATPAY_CERT_SERIAL_NO = SERIAL_NO
    settings.WECHATPAY_PRIVATE_KEY = merchant_keys[0]
    settings.WECHATPAY_PUBLIC_KEY = stub.platform_public_key
    settings.WECHATPAY_PUBLIC_KEY_ID = stub.public_key_id
    settings.WECHATPAY_BASE_URL = stub.url
    settings.WECHATPAY_NOTIFY_BASE_URL = notify_base_url


@pytest.fixture
def wechatpay(_wechatpay_server, settings, merchant_keys):
    _wechatpay_server.reset()
    _configure(settings, _wechatpay_server, merchant_keys, "http://testserver")
    yield _wechatpay_server
    _wechatpay_server.reset()


@pytest.fixture
def live_wechatpay(_wechatpay_server, settings, merchant_keys, live_server):
    _wechatpay_server.reset()
    _configure(settings, _wechatpay_server, merchant_keys, live_server.url)
    yield _wechatpay_server
    _wechatpay_server.reset()


def deliver(client, notification):
    """Post a stub's notification to the portal through the test client."""
    headers = {k: v for k, v in notification.headers.items() if k != "Content-Type"}
    return client.post(urlsplit(notification.url).path, data=notification.body,
                       content_type="application/json", headers=headers)


def open_order(payer, amount="88.50", community=None, **kwargs):
    community = community or payer.resident.community
    return PaymentOrder.objects.open(
        purpose=PURPOSE, payer=payer, community=community, amount=Decimal(amount),
        description=kwargs.pop("description", "2026年11月物业费"), **kwargs)


def follower_of(user, openid="o-payer-openid-1", appid=APPID):
    """The payer follows the official account the merchant is bound to."""
    from portal.wechat.models import Follower, OfficialAccount

    account = OfficialAccount.objects.filter(appid=appid).first()
    if account is None:
        from tests.wechat.factories import OfficialAccountFactory

        account = OfficialAccountFactory(company=user.resident.community.company, appid=appid)
    return Follower.objects.create(account=account, openid=openid, user=user)


@pytest.fixture
def finance_a(company, community_a):
    return f.StaffFactory(company=company, user__groups=[roles.FINANCE],
                          communities=[community_a]).user


@pytest.fixture
def finance_b(company, community_b):
    return f.StaffFactory(company=company, user__groups=[roles.FINANCE],
                          communities=[community_b]).user
