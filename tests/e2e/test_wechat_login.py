"""A resident whose WeChat is linked opens their community's page from the account's menu
and is logged in without typing anything: the page, our silent login, WeChat's
authorization (the stub, a real server), our callback, the page again."""

import pytest
from allauth.socialaccount.models import SocialAccount

from portal.wechat.oauth.linking import PROVIDER_ID
from tests import factories as f
from tests.e2e.conftest import screenshot
from tests.wechat import conftest as wechat_conftest
from tests.wechat.conftest import APPID, SECRET
from tests.wechat.factories import OfficialAccountFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True,
                                                     serialized_rollback=True)]

OPENID = "o-e2e-resident-0001"

# The local WeChat stub of the wechat tests, here too.
_wechat_stub_server = wechat_conftest._wechat_stub_server
wechat_stub = wechat_conftest.wechat_stub


def test_linked_resident_opening_the_home_page_in_wechat_is_logged_in(
        page, live_server, estate, wechat_stub):
    OfficialAccountFactory(company=estate.company, appid=APPID, secret=SECRET)
    resident = f.ResidentFactory(community=estate, name="张秀英")
    SocialAccount.objects.create(user=resident.user, provider=PROVIDER_ID, uid=OPENID)
    wechat_stub.set_oauth_user(APPID, OPENID)
    visited = []
    page.on("request", lambda request: visited.append(request.url)
            if request.is_navigation_request() else None)

    page.goto(live_server.url + "/sunshine/")

    # Browsers carry the authorize URL's fragment through the redirects back.
    assert page.url.split("#")[0] == live_server.url + "/sunshine/"
    assert any(url.startswith(wechat_stub.url + "connect/oauth2/authorize?")
               for url in visited)
    # Logged in: the header offers the resident's own page instead of "log in".
    assert page.locator("a.h5-header__link[href='/me/']").count() == 1
    assert page.locator("a.h5-header__link[href='/accounts/login/']").count() == 0
    screenshot(page, "wechat-login-01-home-logged-in")

    page.goto(live_server.url + "/me/")
    assert page.url == live_server.url + "/me/"
    assert "张秀英" in page.content()
    screenshot(page, "wechat-login-02-me")
