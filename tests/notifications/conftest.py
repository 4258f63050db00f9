"""A company-wide official account known to the WeChat stub, the resident of community A
following it, and a template message for the test event.

``deliver(...)`` runs code as a request would: its transaction commits, so the queued
deliveries are sent (the test settings' immediate task backend sends them at once).
"""

import pytest
from django.test import Client

from tests.notifications.factories import TemplateSettingFactory
from tests.wechat import conftest as wechat_conftest
from tests.wechat.conftest import APPID, SECRET
from tests.wechat.factories import FollowerFactory, OfficialAccountFactory

# The WeChat stub and its fixture, shared with the WeChat tests.
_wechat_stub_server = wechat_conftest._wechat_stub_server
wechat_stub = wechat_conftest.wechat_stub

TEMPLATE_ID = "tpl-notify-test"
RESIDENT_OPENID = "o-resident-a"


@pytest.fixture
def client():
    """Pages in English, whatever the default language: tests read their messages."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def account(company, wechat_stub):
    return OfficialAccountFactory(company=company, appid=APPID, secret=SECRET)


@pytest.fixture
def template(account, wechat_stub):
    wechat_stub.add_template(APPID, TEMPLATE_ID)
    return TemplateSettingFactory(account=account, event="notifications.test",
                                  template_id=TEMPLATE_ID)


@pytest.fixture
def follower(account, resident, wechat_stub):
    """The resident of community A follows the account (WeChat knows them too)."""
    wechat_stub.add_follower(APPID, RESIDENT_OPENID)
    return FollowerFactory(account=account, openid=RESIDENT_OPENID, user=resident,
                           community=resident.resident.community)


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run
