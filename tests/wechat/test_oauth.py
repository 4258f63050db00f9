"""Login from inside WeChat: the web-page OAuth through the stub, over real HTTP, and the
silent login on pages opened in WeChat (once per session, page views only).

The Django test client plays WeChat's browser; where our pages send it to WeChat
(``connect/oauth2/authorize``), the request goes to the stub, whose redirect back with a
code and state is then followed on our side again.
"""

import logging
from urllib.parse import parse_qs, parse_qsl, urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.test import Client

from portal.estates.registration import registration_path
from portal.wechat.models import Follower
from portal.wechat.oauth.linking import PROVIDER_ID
from portal.wechat.oauth.serving import login_url
from tests.wechat.conftest import APPID, SECRET
from tests.wechat.factories import FollowerFactory, OfficialAccountFactory

WECHAT_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
             "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50(0x1800323c) "
             "NetType/WIFI Language/zh_CN")
PAGE_HEADERS = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"}
LOGIN_PATH = "/accounts/wechat_mp/login/"
OPENID = "o-wechat-user-0001"


@pytest.fixture(autouse=True)
def fresh_cache():
    # allauth's rate limits and the credentials of earlier tests live in the cache.
    cache.clear()


@pytest.fixture
def wechat():
    """A phone's WeChat browser (English pages, to read the source strings)."""
    return Client(HTTP_USER_AGENT=WECHAT_UA, HTTP_ACCEPT_LANGUAGE="en", **PAGE_HEADERS)


@pytest.fixture
def account(wechat_stub, company):
    """The company's one Official Account, known to the stub."""
    return OfficialAccountFactory(company=company, appid=APPID, secret=SECRET)


def link(user, openid=OPENID, **extra_data):
    return SocialAccount.objects.create(user=user, provider=PROVIDER_ID, uid=openid,
                                        extra_data=extra_data)


def through_wechat(client, response):
    """Follow redirects on our side, then WeChat's authorize page (the stub) and its
    redirect back to us. Returns our callback's response and the authorize URL."""
    while response.status_code == 302 and response["Location"].startswith("/"):
        response = client.get(response["Location"])
    assert response.status_code == 302, response.status_code
    authorize_url = response["Location"]
    wechat_answer = requests.get(authorize_url, allow_redirects=False, timeout=5)
    assert wechat_answer.status_code == 302, wechat_answer.text
    back = urlsplit(wechat_answer.headers["Location"])
    return client.get(back.path, dict(parse_qsl(back.query))), authorize_url


def logged_in_user_id(client):
    return client.session.get(SESSION_KEY)


def scope_of(authorize_url):
    return parse_qs(urlsplit(authorize_url).query)["scope"]


# -- a resident whose WeChat is linked -----------------------------------------------------

def test_linked_resident_opening_a_page_in_wechat_arrives_logged_in(
        wechat, wechat_stub, account, resident, home_a):
    link(resident)
    wechat_stub.set_oauth_user(APPID, OPENID)

    page = wechat.get(home_a.url)
    back, authorize_url = through_wechat(wechat, page)

    assert authorize_url.startswith(wechat_stub.url + "connect/oauth2/authorize?")
    assert authorize_url.endswith("#wechat_redirect")
    assert scope_of(authorize_url) == ["snsapi_base"]
    assert back.status_code == 302
    assert back["Location"] == home_a.url
    assert logged_in_user_id(wechat) == str(resident.pk)
    assert wechat.get(home_a.url).context["user"] == resident


def test_silent_login_never_asks_wechat_for_the_profile(
        wechat, wechat_stub, account, resident, home_a):
    link(resident, nickname="老张")
    wechat_stub.set_oauth_user(APPID, OPENID)

    through_wechat(wechat, wechat.get(home_a.url))

    assert len(wechat_stub.calls_to("sns/oauth2/access_token")) == 1
    assert wechat_stub.calls_to("sns/userinfo") == []
    # What the person shared before is kept.
    assert SocialAccount.objects.get(uid=OPENID).extra_data["nickname"] == "老张"


def test_logging_in_by_wechat_links_the_follower_row_too(
        wechat, wechat_stub, account, resident):
    link(resident)
    wechat_stub.set_oauth_user(APPID, OPENID)

    through_wechat(wechat, wechat.get(login_url(account, "/me/")))

    follower = Follower.objects.get(account=account, openid=OPENID)
    assert follower.user == resident
    # Not known to follow until WeChat's events say so.
    assert follower.is_subscribed is False


def test_a_follower_linked_by_the_follower_row_is_logged_in(
        wechat, wechat_stub, account, resident):
    FollowerFactory(account=account, openid=OPENID, user=resident)
    wechat_stub.set_oauth_user(APPID, OPENID)

    through_wechat(wechat, wechat.get(login_url(account, "/me/")))

    assert logged_in_user_id(wechat) == str(resident.pk)
    assert SocialAccount.objects.get(provider=PROVIDER_ID, uid=OPENID).user == resident


def test_a_disabled_resident_is_not_logged_in_by_wechat(
        wechat, wechat_stub, account, resident, manager_a):
    link(resident)
    resident.resident.disable(by=manager_a)
    wechat_stub.set_oauth_user(APPID, OPENID)

    back, _ = through_wechat(wechat, wechat.get(login_url(account, "/me/")))

    assert logged_in_user_id(wechat) is None
    assert back.status_code in (200, 302)
    inactive = back if back.status_code == 200 else wechat.get(back["Location"])
    assert "This account has been disabled" in inactive.content.decode()


# -- someone not registered yet ------------------------------------------------------------

def test_unregistered_follower_lands_on_registration_for_the_poster_community(
        wechat, wechat_stub, account, community_a, community_b):
    FollowerFactory(account=account, openid=OPENID, community=community_b)
    wechat_stub.set_oauth_user(APPID, OPENID)

    back, _ = through_wechat(wechat, wechat.get(login_url(account, "/me/")))

    assert back["Location"] == "/accounts/signup/"
    signup = wechat.get("/accounts/signup/").content.decode()
    assert "翠湖苑" in signup
    assert "Your WeChat will be linked to the new account" in signup


def test_after_signing_up_the_wechat_identity_belongs_to_the_new_resident(
        wechat, wechat_stub, account, community_b):
    FollowerFactory(account=account, openid=OPENID, community=community_b)
    wechat_stub.set_oauth_user(APPID, OPENID)
    through_wechat(wechat, wechat.get(login_url(account, "/me/")))

    response = wechat.post("/accounts/signup/", {
        "name": "王芳", "phone": "13900001111",
        "password1": "Lakeside-2026!", "password2": "Lakeside-2026!",
    })

    assert response.status_code == 302
    social = SocialAccount.objects.get(provider=PROVIDER_ID, uid=OPENID)
    assert social.user.resident.name == "王芳"
    assert social.user.resident.community == community_b
    assert Follower.objects.get(account=account, openid=OPENID).user == social.user


def test_next_time_the_new_resident_is_logged_in_by_wechat_alone(
        wechat, wechat_stub, account, community_b):
    FollowerFactory(account=account, openid=OPENID, community=community_b)
    wechat_stub.set_oauth_user(APPID, OPENID)
    through_wechat(wechat, wechat.get(login_url(account, "/me/")))
    wechat.post("/accounts/signup/", {"name": "王芳", "phone": "13900001111",
                                      "password1": "Lakeside-2026!",
                                      "password2": "Lakeside-2026!"})
    new_phone = Client(HTTP_USER_AGENT=WECHAT_UA, **PAGE_HEADERS)

    through_wechat(new_phone, new_phone.get(login_url(account, "/me/")))

    assert logged_in_user_id(new_phone) == logged_in_user_id(wechat)


def test_unknown_follower_of_a_company_wide_account_is_asked_to_scan_the_community_code(
        wechat, wechat_stub, account):
    wechat_stub.set_oauth_user(APPID, OPENID)

    back, _ = through_wechat(wechat, wechat.get(login_url(account, "/me/")))

    page = wechat.get(back["Location"]).content.decode()
    assert "QR code to register" in page


def test_a_community_account_fills_in_its_community(wechat, wechat_stub, company, community_a):
    account = OfficialAccountFactory(company=company, community=community_a, appid=APPID,
                                     secret=SECRET)
    wechat_stub.set_oauth_user(APPID, OPENID)

    through_wechat(wechat, wechat.get(login_url(account, "/me/")))

    assert "阳光花园" in wechat.get("/accounts/signup/").content.decode()


def test_a_resident_logging_in_with_a_password_takes_the_waiting_wechat_identity(
        wechat, wechat_stub, account, resident):
    resident.set_password("Sunshine-2026!")
    resident.save()
    wechat_stub.set_oauth_user(APPID, OPENID)
    through_wechat(wechat, wechat.get(login_url(account, "/me/")))

    wechat.post("/accounts/login/", {"login": resident.phone, "password": "Sunshine-2026!"})

    assert logged_in_user_id(wechat) == str(resident.pk)
    assert SocialAccount.objects.get(provider=PROVIDER_ID, uid=OPENID).user == resident
    assert Follower.objects.get(account=account, openid=OPENID).user == resident


# -- someone already logged in -------------------------------------------------------------

def test_a_logged_in_resident_gets_their_wechat_linked_silently(
        wechat, wechat_stub, account, resident):
    wechat.force_login(resident)
    wechat_stub.set_oauth_user(APPID, OPENID)

    back, _ = through_wechat(wechat, wechat.get(login_url(account, "/me/")))

    assert back["Location"] == "/me/"
    assert logged_in_user_id(wechat) == str(resident.pk)
    assert SocialAccount.objects.get(provider=PROVIDER_ID, uid=OPENID).user == resident
    assert Follower.objects.get(account=account, openid=OPENID).user == resident


def test_a_wechat_linked_to_someone_else_is_not_taken_over(
        wechat, wechat_stub, account, resident, neighbour):
    link(neighbour)
    wechat.force_login(resident)
    wechat_stub.set_oauth_user(APPID, OPENID)

    back, _ = through_wechat(wechat, wechat.get(login_url(account, "/me/")))

    assert logged_in_user_id(wechat) == str(resident.pk)
    assert SocialAccount.objects.get(provider=PROVIDER_ID, uid=OPENID).user == neighbour
    page = wechat.get(back["Location"]).content.decode()
    assert "already linked to another account" in page


def test_a_follower_row_of_someone_else_is_not_taken_over(
        wechat, wechat_stub, account, resident, neighbour):
    FollowerFactory(account=account, openid=OPENID, user=neighbour)
    wechat.force_login(resident)
    wechat_stub.set_oauth_user(APPID, OPENID)

    through_wechat(wechat, wechat.get(login_url(account, "/me/")))

    assert Follower.objects.get(account=account, openid=OPENID).user == neighbour
    assert not SocialAccount.objects.filter(uid=OPENID).exists()


def test_linking_a_new_wechat_lets_go_of_the_old_follower_row(
        wechat, wechat_stub, account, resident):
    old = FollowerFactory(account=account, openid="o-old-phone", user=resident)
    wechat.force_login(resident)
    wechat_stub.set_oauth_user(APPID, OPENID)

    through_wechat(wechat, wechat.get(login_url(account, "/me/")))

    old.refresh_from_db()
    assert old.user is None
    assert Follower.objects.get(account=account, openid=OPENID).user == resident


def test_removing_the_wechat_from_the_account_unlinks_the_follower(
        wechat, account, resident):
    social = link(resident)
    FollowerFactory(account=account, openid=OPENID, user=resident)
    wechat.force_login(resident)

    response = wechat.post("/accounts/3rdparty/", {"account": social.pk})

    assert response.status_code == 302
    assert not SocialAccount.objects.filter(uid=OPENID).exists()
    assert Follower.objects.get(account=account, openid=OPENID).user is None


# -- sharing the WeChat profile (snsapi_userinfo) ------------------------------------------

def test_sharing_the_profile_stores_nickname_and_fills_in_the_sign_up_name(
        wechat, wechat_stub, account, community_a):
    wechat_stub.add_follower(APPID, OPENID, nickname="阳光小王", unionid="u-0001")
    wechat_stub.set_oauth_user(APPID, OPENID)
    # Opening the poster's link in WeChat goes through the silent login first.
    back, _ = through_wechat(wechat, wechat.get(registration_path(community_a)))
    wechat.get(back["Location"])

    back, authorize_url = through_wechat(
        wechat, wechat.get(login_url(account, "/accounts/signup/", scope="snsapi_userinfo")))

    assert scope_of(authorize_url) == ["snsapi_userinfo"]
    assert len(wechat_stub.calls_to("sns/userinfo")) == 1
    signup = wechat.get(back["Location"])
    assert "阳光花园" in signup.content.decode()
    assert signup.context["form"].initial["name"] == "阳光小王"
    wechat.post("/accounts/signup/", {"name": "王小阳", "phone": "13900002222",
                                      "password1": "Lakeside-2026!",
                                      "password2": "Lakeside-2026!"})
    social = SocialAccount.objects.get(provider=PROVIDER_ID, uid=OPENID)
    assert social.extra_data == {"nickname": "阳光小王", "unionid": "u-0001"}
    assert Follower.objects.get(account=account, openid=OPENID).unionid == "u-0001"


def test_a_linked_resident_sharing_the_profile_updates_the_nickname(
        wechat, wechat_stub, account, resident):
    link(resident, nickname="旧昵称")
    wechat.force_login(resident)
    wechat_stub.add_follower(APPID, OPENID, nickname="新昵称")
    wechat_stub.set_oauth_user(APPID, OPENID)

    through_wechat(wechat, wechat.get(login_url(account, "/me/", scope="snsapi_userinfo")))

    assert SocialAccount.objects.get(uid=OPENID).extra_data["nickname"] == "新昵称"


def test_declining_to_share_the_profile_returns_to_the_page(
        wechat, wechat_stub, account, resident):
    wechat.force_login(resident)
    wechat_stub.set_oauth_user(APPID, OPENID, scope_ok=False)

    back, _ = through_wechat(
        wechat, wechat.get(login_url(account, "/me/", scope="snsapi_userinfo")))

    assert back.status_code == 302
    assert back["Location"] == "/me/"
    assert not SocialAccount.objects.filter(uid=OPENID).exists()


# -- trouble -------------------------------------------------------------------------------

def start_login(client, account):
    """Our redirect to WeChat; returns the state WeChat would send back."""
    response = client.get(login_url(account, "/me/"))
    return parse_qs(urlsplit(response["Location"]).query)["state"][0]


def callback(client, **params):
    return client.get("/accounts/wechat_mp/login/callback/", {"appid": APPID, **params})


def test_a_bad_code_shows_a_clear_error_page(wechat, wechat_stub, account):
    state = start_login(wechat, account)

    response = callback(wechat, code="not-a-code", state=state)

    assert response.status_code == 401
    assert "This WeChat login has expired or was already used" in response.content.decode()
    assert logged_in_user_id(wechat) is None


def test_a_used_code_shows_a_clear_error_page(wechat, wechat_stub, account, resident):
    link(resident)
    wechat_stub.set_oauth_user(APPID, OPENID)
    authorize = wechat.get(login_url(account, "/me/"))["Location"]
    back = urlsplit(requests.get(authorize, allow_redirects=False, timeout=5)
                    .headers["Location"])
    code = parse_qs(back.query)["code"][0]
    requests.get(wechat_stub.url + "sns/oauth2/access_token", timeout=5, params={
        "appid": APPID, "secret": SECRET, "code": code, "grant_type": "authorization_code"})

    response = wechat.get(back.path, dict(parse_qsl(back.query)))

    assert response.status_code == 401
    assert "expired or was already used" in response.content.decode()
    assert logged_in_user_id(wechat) is None


def test_a_callback_without_a_login_in_progress_shows_a_clear_error_page(
        wechat, wechat_stub, account):
    response = callback(wechat, code="whatever", state="unknownstate0001")

    assert response.status_code == 401
    assert "took too long or was started in another browser" in response.content.decode()


def test_a_wrong_secret_shows_a_clear_error_and_logs_errcode_only(
        wechat, wechat_stub, company, caplog):
    account = OfficialAccountFactory(company=company, appid=APPID, secret="wrong-secret")
    wechat_stub.set_oauth_user(APPID, OPENID)

    with caplog.at_level(logging.INFO):
        back, _ = through_wechat(wechat, wechat.get(login_url(account, "/me/")))

    assert back.status_code == 401
    assert "not working for this account" in back.content.decode()
    assert "errcode 40125" in caplog.text
    code = parse_qs(back.request["QUERY_STRING"])["code"][0]
    for secret in (code, "wrong-secret", OPENID):
        assert secret not in caplog.text


def test_wechat_login_without_an_official_account_says_so(wechat, db):
    response = wechat.get("/accounts/wechat_mp/login/?process=login")

    assert response.status_code == 404
    assert "WeChat login is not available here" in response.content.decode()


def test_the_login_page_offers_wechat_login_inside_wechat_only(wechat, account, db):
    inside = wechat.get("/accounts/login/?next=/me/").content.decode()
    outside = Client(HTTP_ACCEPT_LANGUAGE="en").get("/accounts/login/").content.decode()

    assert 'id="wechat-login"' in inside
    assert "next=%2Fme%2F" in inside
    assert 'id="wechat-login"' not in outside


# -- the silent login on pages opened in WeChat --------------------------------------------


def is_silent_login(response):
    return response.status_code == 302 and response["Location"].startswith(LOGIN_PATH)


def test_the_first_page_in_wechat_goes_through_the_silent_login_and_back(
        wechat, account, home_a):
    response = wechat.get(home_a.url + "?from=menu")

    assert is_silent_login(response)
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["next"] == [home_a.url + "?from=menu"]
    assert query["silent"] == ["1"]
    assert query["appid"] == [APPID]


def test_the_silent_login_is_tried_once_per_session(wechat, account, home_a):
    wechat.get(home_a.url)

    assert wechat.get(home_a.url).status_code == 200
    assert not is_silent_login(wechat.get("/me/"))


def test_a_failed_silent_login_returns_to_the_page_without_looping(
        wechat, wechat_stub, company, home_a):
    OfficialAccountFactory(company=company, appid=APPID, secret="wrong-secret")
    wechat_stub.set_oauth_user(APPID, "o-someone")

    back, _ = through_wechat(wechat, wechat.get(home_a.url))

    assert back.status_code == 302
    assert back["Location"] == home_a.url
    assert wechat.get(home_a.url).status_code == 200


def test_an_unknown_follower_reads_the_page_as_a_guest(wechat, wechat_stub, account, home_a):
    wechat_stub.set_oauth_user(APPID, "o-not-registered")

    back, _ = through_wechat(wechat, wechat.get(home_a.url))

    assert back["Location"] == home_a.url
    page = wechat.get(home_a.url)
    assert page.status_code == 200
    assert not page.context["user"].is_authenticated


def test_pages_outside_wechat_are_untouched(account, home_a):
    browser = Client(HTTP_USER_AGENT="Mozilla/5.0 (iPhone) Safari/604.1", **PAGE_HEADERS)

    assert browser.get(home_a.url).status_code == 200


def test_wecom_is_not_wechat(account, home_a):
    wecom = Client(HTTP_USER_AGENT=WECHAT_UA + " wxwork/4.1.0", **PAGE_HEADERS)

    assert wecom.get(home_a.url).status_code == 200


@pytest.mark.parametrize("method", ["post", "head", "options"])
def test_requests_other_than_get_are_untouched(wechat, account, home_a, method):
    response = getattr(wechat, method)(home_a.url)

    assert not is_silent_login(response)


@pytest.mark.parametrize("headers", [
    {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"},
    {"HTTP_HX_REQUEST": "true"},
    {"HTTP_SEC_FETCH_MODE": "cors"},
    {"HTTP_ACCEPT": "application/json"},
])
def test_scripts_fetching_data_are_untouched(account, home_a, headers):
    client = Client(HTTP_USER_AGENT=WECHAT_UA, **{**PAGE_HEADERS, **headers})

    assert not is_silent_login(client.get(home_a.url))


@pytest.mark.parametrize("path", [
    "/admin/", "/accounts/login/", "/healthz", "/static/portal/h5.css",
    f"/wechat/callback/{APPID}/", "/media/x.png", "/documents/1/x.pdf",
])
def test_non_resident_pages_are_untouched(wechat, account, path):
    assert not is_silent_login(wechat.get(path))


def test_logged_in_people_are_untouched(wechat, account, resident, home_a):
    wechat.force_login(resident)

    assert not is_silent_login(wechat.get(home_a.url))


def test_nothing_happens_without_an_official_account(wechat, home_a):
    assert wechat.get(home_a.url).status_code == 200


def test_the_silent_login_can_be_switched_off(wechat, account, home_a, settings):
    settings.WECHAT_SILENT_LOGIN = False

    assert wechat.get(home_a.url).status_code == 200
