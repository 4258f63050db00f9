"""The local WeChat stub: one server for the whole session, emptied before each test.

``wechat_stub`` knows one account (APPID / SECRET) and points the portal's WeChat base URLs
at itself. Tests add followers, templates and trouble:

    wechat_stub.add_follower(APPID, "openid-1")
    wechat_stub.add_template(APPID, "tpl-repair")
    wechat_stub.fail_next("cgi-bin/message/template/send", 45009)
"""

import pytest
from django.core.cache import cache

from portal.wechat.stub import WeChatStub

APPID = "wxtestappid0001"
SECRET = "test-secret"


@pytest.fixture(scope="session")
def _wechat_stub_server():
    stub = WeChatStub(host="127.0.0.1", port=0)
    stub.start()
    yield stub
    stub.stop()


@pytest.fixture
def wechat_stub(_wechat_stub_server, settings):
    stub = _wechat_stub_server
    stub.reset()
    stub.add_app(APPID, SECRET)
    settings.WECHAT_API_BASE_URL = stub.url
    settings.WECHAT_OPEN_BASE_URL = stub.url
    settings.WECHAT_MP_BASE_URL = stub.url
    # Access tokens cached by an earlier test were issued by a stub that has forgotten them.
    cache.clear()
    yield stub
    stub.reset()
