"""The WeChat stub answers as WeChat's servers do (shapes and error codes from WeChat's
documentation), so the portal's client is tested against realistic behaviour."""

import requests

from tests.wechat.conftest import APPID, SECRET


def get(stub, path, **params):
    return requests.get(stub.url + path, params=params, timeout=5)


def post(stub, path, body, **params):
    return requests.post(stub.url + path, params=params, json=body, timeout=5)


def token(stub):
    return get(stub, "cgi-bin/token", grant_type="client_credential", appid=APPID,
               secret=SECRET).json()["access_token"]


def test_token_is_issued_for_known_app_and_secret(wechat_stub):
    answer = get(wechat_stub, "cgi-bin/token", grant_type="client_credential", appid=APPID,
                 secret=SECRET)
    assert answer.headers["Content-Type"].startswith("application/json")
    assert answer.json()["expires_in"] == 7200
    assert answer.json()["access_token"]
    assert wechat_stub.token_requests == 1


def test_token_refused_for_unknown_app_and_wrong_secret(wechat_stub):
    unknown = get(wechat_stub, "cgi-bin/token", grant_type="client_credential",
                  appid="wxunknown", secret=SECRET).json()
    wrong = get(wechat_stub, "cgi-bin/token", grant_type="client_credential", appid=APPID,
                secret="nope").json()
    assert unknown["errcode"] == 40013
    assert wrong == {"errcode": 40125, "errmsg": "invalid appsecret"}


def test_settings_point_at_the_stub(wechat_stub, settings):
    assert settings.WECHAT_API_BASE_URL == wechat_stub.url
    assert settings.WECHAT_OPEN_BASE_URL == wechat_stub.url
    assert settings.WECHAT_MP_BASE_URL == wechat_stub.url
