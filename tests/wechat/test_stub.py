"""The WeChat stub answers as WeChat's servers do (shapes and error codes from WeChat's
documentation), so the portal's client is tested against realistic behaviour."""

import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from wechatpy import WeChatClient
from wechatpy.oauth import WeChatOAuth

from tests.wechat.conftest import APPID, SECRET

OPENID = "openid-resident-1"
TEMPLATE = "tpl-repair-accepted"


def get(stub, path, **params):
    return requests.get(stub.url + path, params=params, timeout=5, allow_redirects=False)


def post(stub, path, body, **params):
    return requests.post(stub.url + path, params=params, json=body, timeout=5)


def fetch_token(stub, appid=APPID, secret=SECRET):
    return get(stub, "cgi-bin/token", grant_type="client_credential", appid=appid,
               secret=secret).json()


def api_get(stub, path, **params):
    return get(stub, path, access_token=fetch_token(stub)["access_token"], **params).json()


def api_post(stub, path, body):
    return post(stub, path, body, access_token=fetch_token(stub)["access_token"]).json()


# -- access tokens ------------------------------------------------------------------------

def test_token_is_issued_for_known_app_and_secret(wechat_stub):
    answer = get(wechat_stub, "cgi-bin/token", grant_type="client_credential", appid=APPID,
                 secret=SECRET)
    assert answer.headers["Content-Type"].startswith("application/json")
    assert answer.json()["expires_in"] == 7200
    assert answer.json()["access_token"]
    assert wechat_stub.token_requests == 1


def test_token_refused_for_unknown_app_wrong_secret_and_grant_type(wechat_stub):
    assert fetch_token(wechat_stub, appid="wxunknown")["errcode"] == 40013
    assert fetch_token(wechat_stub, secret="nope") == {"errcode": 40125,
                                                       "errmsg": "invalid appsecret"}
    wrong_grant = get(wechat_stub, "cgi-bin/token", grant_type="password", appid=APPID,
                      secret=SECRET).json()
    assert wrong_grant["errcode"] == 40002


def test_api_calls_need_a_valid_access_token(wechat_stub):
    assert get(wechat_stub, "cgi-bin/menu/get").json()["errcode"] == 41001
    assert get(wechat_stub, "cgi-bin/menu/get", access_token="forged").json()["errcode"] == 40001


def test_expired_tokens_answer_42001_and_a_new_token_works(wechat_stub):
    old = fetch_token(wechat_stub)["access_token"]
    wechat_stub.expire_tokens(APPID)
    assert get(wechat_stub, "cgi-bin/menu/get", access_token=old).json() == {
        "errcode": 42001, "errmsg": "access_token expired"}
    assert api_get(wechat_stub, "cgi-bin/menu/get")["errcode"] == 46003


def test_invalidated_tokens_answer_40001(wechat_stub):
    old = fetch_token(wechat_stub)["access_token"]
    wechat_stub.invalidate_tokens()
    assert get(wechat_stub, "cgi-bin/menu/get", access_token=old).json()["errcode"] == 40001


def test_token_latency_lets_concurrent_fetches_overlap(wechat_stub):
    wechat_stub.token_latency = 0.2
    started = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: fetch_token(wechat_stub), range(4)))
    assert time.monotonic() - started < 0.6
    assert wechat_stub.token_requests == 4
    assert len({answer["access_token"] for answer in answers}) == 4


def test_wrong_http_method_is_refused(wechat_stub):
    token = fetch_token(wechat_stub)["access_token"]
    assert get(wechat_stub, "cgi-bin/menu/create", access_token=token).json()["errcode"] == 43002
    assert post(wechat_stub, "cgi-bin/menu/get", {}, access_token=token).json()[
        "errcode"] == 43001


# -- injected trouble and call records ------------------------------------------------------

def test_fail_next_answers_the_given_error_that_many_times(wechat_stub):
    wechat_stub.fail_next("cgi-bin/token", 45009, "reach max api daily quota limit", times=2)
    assert fetch_token(wechat_stub) == {"errcode": 45009,
                                        "errmsg": "reach max api daily quota limit"}
    assert fetch_token(wechat_stub)["errcode"] == 45009
    assert "access_token" in fetch_token(wechat_stub)


def test_drop_next_closes_the_connection_without_answer(wechat_stub):
    wechat_stub.drop_next("cgi-bin/token")
    with pytest.raises(requests.ConnectionError):
        fetch_token(wechat_stub)
    assert "access_token" in fetch_token(wechat_stub)


def test_calls_are_recorded_with_params_and_body(wechat_stub):
    api_post(wechat_stub, "cgi-bin/menu/create", {"button": []})
    call = wechat_stub.calls_to("cgi-bin/menu/create")[0]
    assert call.method == "POST"
    assert call.body == {"button": []}
    assert "access_token" in call.params
    assert [c.path for c in wechat_stub.calls] == ["cgi-bin/token", "cgi-bin/menu/create"]


def test_unknown_endpoint_is_a_404(wechat_stub):
    assert get(wechat_stub, "cgi-bin/nothing/here").status_code == 404


# -- menu -----------------------------------------------------------------------------------

MENU = {"button": [
    {"type": "click", "name": "报修", "key": "REPAIR"},
    {"name": "服务", "sub_button": [
        {"type": "view", "name": "缴费", "url": "https://portal.example.com/bills/"},
        {"type": "miniprogram", "name": "小程序", "url": "https://portal.example.com/",
         "appid": "wx286b93c14bbf93aa", "pagepath": "pages/index"},
    ]},
]}


def test_menu_created_is_returned_by_menu_get_and_selfmenu_info(wechat_stub):
    assert api_post(wechat_stub, "cgi-bin/menu/create", MENU) == {"errcode": 0,
                                                                  "errmsg": "ok"}
    assert wechat_stub.menus[APPID] == MENU
    got = api_get(wechat_stub, "cgi-bin/menu/get")["menu"]["button"]
    assert got[0] == {"type": "click", "name": "报修", "key": "REPAIR", "sub_button": []}
    assert got[1]["sub_button"][0]["url"] == "https://portal.example.com/bills/"
    info = api_get(wechat_stub, "cgi-bin/get_current_selfmenu_info")
    assert info["is_menu_open"] == 1
    assert info["selfmenu_info"]["button"][1]["sub_button"]["list"][1]["pagepath"] == (
        "pages/index")


def test_no_menu_answers_46003(wechat_stub):
    assert api_get(wechat_stub, "cgi-bin/menu/get") == {"errcode": 46003,
                                                        "errmsg": "menu no exist"}


def click(name, key="K"):
    return {"type": "click", "name": name, "key": key}


def parent(*subs, name="服务"):
    return {"name": name, "sub_button": list(subs)}


@pytest.mark.parametrize(("buttons", "errcode"), [
    ([], 40016),
    ([click("a"), click("b"), click("c"), click("d")], 40016),
    ([click("一二三四五六")], 40018),  # 18 bytes: more than 16
    ([click("")], 40018),
    ([click("a", key="k" * 129)], 40019),
    ([{"type": "view", "name": "a"}], 40020),
    ([{"type": "view", "name": "a", "url": "https://x.cn/" + "p" * 1012}], 40020),
    ([{"type": "view", "name": "a", "url": "ftp://example.com/"}], 40055),
    ([{"type": "dance", "name": "a"}], 40017),
    ([{"name": "a"}], 40017),
    ([parent(*[click(str(n)) for n in range(6)])], 40023),
    ([parent(click("一二三四五六七八九十一二三四五六七八九十一"))], 40025),  # 63 bytes
    ([parent(click("a", key="k" * 129))], 40026),
    ([parent({"type": "view", "name": "a", "url": ""})], 40027),
    ([parent({"type": "view", "name": "a", "url": "javascript:alert(1)"})], 40054),
    ([parent({"type": "dance", "name": "a"})], 40024),
    ([parent({"type": "miniprogram", "name": "a", "url": "https://x.cn/",
              "pagepath": "p"})], 40024),
    ([parent(parent(click("a"), name="b"))], 40022),
])
def test_menu_limits_are_enforced_with_wechats_error_codes(wechat_stub, buttons, errcode):
    assert api_post(wechat_stub, "cgi-bin/menu/create", {"button": buttons})["errcode"] == (
        errcode)
    assert APPID not in wechat_stub.menus


def test_menu_at_the_limits_is_accepted(wechat_stub):
    buttons = [parent(*[click("一二三四五六七八九十一二三四五六七八九十", "k" * 128)] * 5,
                      name="一二三四五")] * 3  # 15 bytes top, 60 bytes sub
    assert api_post(wechat_stub, "cgi-bin/menu/create", {"button": buttons})["errcode"] == 0


# -- template messages ------------------------------------------------------------------------

def template_message(**overrides):
    return {"touser": OPENID, "template_id": TEMPLATE, "url": "https://portal.example.com/t/1",
            "data": {"thing1": {"value": "漏水"}, "time2": {"value": "2025-01-01 10:00"}},
            **overrides}


@pytest.fixture
def follower(wechat_stub):
    wechat_stub.add_follower(APPID, OPENID)
    wechat_stub.add_template(APPID, TEMPLATE)


def test_template_message_to_a_follower_is_accepted_with_a_msgid(wechat_stub, follower):
    answer = api_post(wechat_stub, "cgi-bin/message/template/send", template_message())
    assert answer["errcode"] == 0 and answer["errmsg"] == "ok"
    assert isinstance(answer["msgid"], int)
    assert wechat_stub.sent_templates[0]["touser"] == OPENID
    assert wechat_stub.sent_templates[0]["msgid"] == answer["msgid"]


@pytest.mark.parametrize(("overrides", "errcode"), [
    ({"touser": "stranger"}, 40003),
    ({"template_id": "tpl-unknown"}, 40037),
    ({"data": ["not", "a", "dict"]}, 47001),
    ({"data": {"thing1": "no value object"}}, 47001),
    ({"data": {"thing1": {"value": "长" * 21}}}, 47003),
])
def test_template_message_errors(wechat_stub, follower, overrides, errcode):
    answer = api_post(wechat_stub, "cgi-bin/message/template/send",
                      template_message(**overrides))
    assert answer["errcode"] == errcode
    assert wechat_stub.sent_templates == []


def test_template_message_to_an_unsubscribed_follower_needs_subscribe(wechat_stub, follower):
    wechat_stub.unsubscribe(APPID, OPENID)
    answer = api_post(wechat_stub, "cgi-bin/message/template/send", template_message())
    assert answer == {"errcode": 43004, "errmsg": "require subscribe"}


def test_bad_json_is_a_data_format_error(wechat_stub, follower):
    token = fetch_token(wechat_stub)["access_token"]
    answer = requests.post(wechat_stub.url + "cgi-bin/message/template/send",
                           params={"access_token": token}, data=b"{nope", timeout=5)
    assert answer.json()["errcode"] == 47001


def test_wechatpy_client_talks_to_the_stub(wechat_stub, follower):
    client = WeChatClient(APPID, SECRET)
    client.API_BASE_URL = wechat_stub.url + "cgi-bin/"
    client._fetch_access_token(wechat_stub.url + "cgi-bin/token", {
        "grant_type": "client_credential", "appid": APPID, "secret": SECRET})
    answer = client.message.send_template(OPENID, TEMPLATE, {"thing1": {"value": "漏水"}})
    assert answer["msgid"]
    assert client.jsapi.get_jsapi_ticket()


# -- users, tickets and QR codes ----------------------------------------------------------------

def test_user_info_of_a_follower(wechat_stub):
    wechat_stub.add_follower(APPID, OPENID, unionid="union-1", qr_scene_str="sunshine",
                             subscribe_scene="ADD_SCENE_QR_CODE")
    info = api_get(wechat_stub, "cgi-bin/user/info", openid=OPENID, lang="zh_CN")
    assert info["subscribe"] == 1 and info["openid"] == OPENID
    assert info["unionid"] == "union-1"
    assert info["qr_scene_str"] == "sunshine"
    assert isinstance(info["subscribe_time"], int)


def test_user_info_of_someone_who_unfollowed_has_only_subscribe_and_openid(wechat_stub):
    wechat_stub.add_follower(APPID, OPENID, subscribed=False)
    assert api_get(wechat_stub, "cgi-bin/user/info", openid=OPENID) == {
        "subscribe": 0, "openid": OPENID}


def test_user_info_of_an_unknown_openid_is_40003(wechat_stub):
    assert api_get(wechat_stub, "cgi-bin/user/info", openid="who")["errcode"] == 40003


def test_jsapi_ticket(wechat_stub):
    answer = api_get(wechat_stub, "cgi-bin/ticket/getticket", type="jsapi")
    assert answer["errcode"] == 0 and answer["expires_in"] == 7200 and answer["ticket"]


def test_temporary_qrcode_and_its_picture(wechat_stub):
    answer = api_post(wechat_stub, "cgi-bin/qrcode/create", {
        "expire_seconds": 604800, "action_name": "QR_STR_SCENE",
        "action_info": {"scene": {"scene_str": "sunshine"}}})
    assert answer["expire_seconds"] == 604800
    assert answer["url"].startswith("http://weixin.qq.com/q/")
    assert wechat_stub.qrcodes[answer["ticket"]]["scene"] == "sunshine"
    picture = get(wechat_stub, "cgi-bin/showqrcode", ticket=answer["ticket"])
    assert picture.status_code == 200
    assert picture.content.startswith(b"\x89PNG")


def test_permanent_qrcode_has_no_expiry(wechat_stub):
    answer = api_post(wechat_stub, "cgi-bin/qrcode/create", {
        "action_name": "QR_LIMIT_SCENE", "action_info": {"scene": {"scene_id": 7}}})
    assert "expire_seconds" not in answer and answer["ticket"]


@pytest.mark.parametrize(("body", "errcode"), [
    ({"action_name": "QR_NOPE", "action_info": {"scene": {"scene_id": 1}}}, 40052),
    ({"action_name": "QR_LIMIT_SCENE", "action_info": {"scene": {"scene_id": 100001}}}, 40053),
    ({"action_name": "QR_STR_SCENE", "action_info": {"scene": {"scene_str": ""}}}, 40053),
])
def test_qrcode_errors(wechat_stub, body, errcode):
    assert api_post(wechat_stub, "cgi-bin/qrcode/create", body)["errcode"] == errcode


def test_showqrcode_of_an_unknown_ticket_is_404(wechat_stub):
    assert get(wechat_stub, "cgi-bin/showqrcode", ticket="nope").status_code == 404


# -- web page OAuth -----------------------------------------------------------------------------

REDIRECT = "https://portal.example.com/accounts/wechat/login/callback/?next=%2Fhome"


def authorize(stub, scope="snsapi_base", appid=APPID, **extra):
    return get(stub, "connect/oauth2/authorize", appid=appid, redirect_uri=REDIRECT,
               response_type="code", scope=scope, state="xyz", **extra)


def code_from(response):
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("https://portal.example.com/accounts/wechat/login/callback/")
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == ["xyz"] and query["next"] == ["/home"]
    return query["code"][0]


def exchange(stub, code, secret=SECRET):
    return get(stub, "sns/oauth2/access_token", appid=APPID, secret=secret, code=code,
               grant_type="authorization_code").json()


def test_authorize_redirects_with_a_code_that_works_once(wechat_stub):
    wechat_stub.set_oauth_user(APPID, OPENID)
    code = code_from(authorize(wechat_stub))
    answer = exchange(wechat_stub, code)
    assert answer["openid"] == OPENID and answer["scope"] == "snsapi_base"
    assert answer["expires_in"] == 7200 and answer["access_token"] and answer["refresh_token"]
    assert exchange(wechat_stub, code) == {"errcode": 40163, "errmsg": "code been used"}


def test_bad_code_and_wrong_secret(wechat_stub):
    wechat_stub.set_oauth_user(APPID, OPENID)
    assert exchange(wechat_stub, "made-up")["errcode"] == 40029
    assert exchange(wechat_stub, code_from(authorize(wechat_stub)), "bad")["errcode"] == 40125


def test_authorize_for_unknown_app_is_an_error_page(wechat_stub):
    assert authorize(wechat_stub, appid="wxnobody").status_code == 400


def test_authorize_without_a_user_asks_who_to_act_as(wechat_stub):
    page = authorize(wechat_stub)
    assert page.status_code == 200 and 'name="act_as"' in page.text
    code = code_from(authorize(wechat_stub, act_as="demo-openid-3"))
    assert exchange(wechat_stub, code)["openid"] == "demo-openid-3"


def test_userinfo_scope_gives_the_profile(wechat_stub):
    wechat_stub.add_follower(APPID, OPENID, nickname="小王", unionid="union-9")
    wechat_stub.set_oauth_user(APPID, OPENID)
    token = exchange(wechat_stub, code_from(authorize(wechat_stub, "snsapi_userinfo")))
    assert token["unionid"] == "union-9"
    answer = get(wechat_stub, "sns/userinfo", access_token=token["access_token"],
                 openid=OPENID, lang="zh_CN")
    info = json.loads(answer.content)
    assert info["nickname"] == "小王" and info["unionid"] == "union-9"
    assert {"sex", "province", "city", "country", "headimgurl", "privilege"} <= set(info)


def test_oauth_answers_are_bare_text_plain_as_wechat_sends_them(wechat_stub):
    # So requests decodes them as ISO-8859-1, and django-allauth's weixin provider
    # re-decodes the nickname: the stub must not spare it that.
    wechat_stub.add_follower(APPID, OPENID, nickname="小王")
    wechat_stub.set_oauth_user(APPID, OPENID)
    token = exchange(wechat_stub, code_from(authorize(wechat_stub, "snsapi_userinfo")))
    answer = get(wechat_stub, "sns/userinfo", access_token=token["access_token"],
                 openid=OPENID)
    assert answer.headers["Content-Type"] == "text/plain"
    assert answer.json()["nickname"].encode("raw_unicode_escape").decode() == "小王"


def test_code_exchange_also_accepts_a_posted_form(wechat_stub):
    wechat_stub.set_oauth_user(APPID, OPENID)
    code = code_from(authorize(wechat_stub))
    answer = requests.post(wechat_stub.url + "sns/oauth2/access_token", timeout=5, data={
        "appid": APPID, "secret": SECRET, "code": code, "grant_type": "authorization_code"})
    assert answer.json()["openid"] == OPENID


def test_userinfo_with_base_scope_is_unauthorized(wechat_stub):
    wechat_stub.set_oauth_user(APPID, OPENID)
    token = exchange(wechat_stub, code_from(authorize(wechat_stub)))
    answer = get(wechat_stub, "sns/userinfo", access_token=token["access_token"],
                 openid=OPENID).json()
    assert answer == {"errcode": 48001, "errmsg": "api unauthorized"}


def test_user_refusing_userinfo_comes_back_without_a_code(wechat_stub):
    wechat_stub.set_oauth_user(APPID, OPENID, scope_ok=False)
    location = authorize(wechat_stub, "snsapi_userinfo").headers["Location"]
    query = parse_qs(urlsplit(location).query)
    assert "code" not in query and query["state"] == ["xyz"]


def test_sns_auth_checks_token_and_openid(wechat_stub):
    wechat_stub.set_oauth_user(APPID, OPENID)
    token = exchange(wechat_stub, code_from(authorize(wechat_stub)))["access_token"]
    assert get(wechat_stub, "sns/auth", access_token=token, openid=OPENID).json() == {
        "errcode": 0, "errmsg": "ok"}
    assert get(wechat_stub, "sns/auth", access_token=token, openid="x").json()[
        "errcode"] == 40003


def test_wechatpy_oauth_flow_against_the_stub(wechat_stub):
    wechat_stub.add_follower(APPID, OPENID, nickname="小王")
    wechat_stub.set_oauth_user(APPID, OPENID)
    oauth = WeChatOAuth(APPID, SECRET, REDIRECT, scope="snsapi_userinfo", state="xyz")
    oauth.API_BASE_URL = wechat_stub.url
    oauth.OAUTH_BASE_URL = wechat_stub.url + "connect/"
    response = requests.get(oauth.authorize_url, allow_redirects=False, timeout=5)
    oauth.fetch_access_token(code_from(response))
    assert oauth.get_user_info()["nickname"] == "小王"
    assert oauth.check_access_token()


# -- control endpoints and the standalone command -------------------------------------------------

def test_control_endpoints_configure_the_stub_from_another_process(wechat_stub):
    post(wechat_stub, "_stub/app", {"appid": "wxother", "secret": "s2"})
    post(wechat_stub, "_stub/follower", {"appid": "wxother", "openid": "o9"})
    post(wechat_stub, "_stub/template", {"appid": "wxother", "template_id": "t9"})
    token = fetch_token(wechat_stub, "wxother", "s2")["access_token"]
    post(wechat_stub, "cgi-bin/message/template/send",
         {"touser": "o9", "template_id": "t9", "data": {}}, access_token=token)
    stats = get(wechat_stub, "_stub/stats").json()
    assert stats["sent_templates"] == 1
    assert stats["calls"] == {"cgi-bin/token": 1, "cgi-bin/message/template/send": 1}
    post(wechat_stub, "_stub/reset", {})
    assert wechat_stub.apps == {}


def test_standalone_command_serves_the_apps_given(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "portal.wechat.stub", "--port", "0", "--app",
         "wxdemo:demosecret:tpl-a,tpl-b", "--followers", "3"],
        stdout=subprocess.PIPE, text=True)
    try:
        url = process.stdout.readline().split()[-1]
        token = requests.get(url + "cgi-bin/token", params={
            "grant_type": "client_credential", "appid": "wxdemo", "secret": "demosecret"},
            timeout=5).json()["access_token"]
        answer = requests.post(url + "cgi-bin/message/template/send",
                               params={"access_token": token}, timeout=5, data=json.dumps(
                                   {"touser": "demo-openid-2", "template_id": "tpl-b",
                                    "data": {}}))
        assert answer.json()["errcode"] == 0
    finally:
        process.terminate()
        process.wait(timeout=5)


def test_followers_can_be_added_in_bulk(wechat_stub):
    post(wechat_stub, "_stub/followers", {"appid": APPID, "openids": ["a", "b"]})
    assert set(wechat_stub.apps[APPID].followers) == {"a", "b"}


def test_without_call_recording_only_counts_are_kept(wechat_stub):
    wechat_stub.record_calls = False
    try:
        fetch_token(wechat_stub)
    finally:
        wechat_stub.record_calls = True
    assert wechat_stub.calls == []
    assert wechat_stub.stats()["calls"] == {"cgi-bin/token": 1}


def test_control_endpoint_with_missing_fields_is_a_400(wechat_stub):
    answer = post(wechat_stub, "_stub/template", {"appid": APPID})
    assert answer.status_code == 400
