"""allauth's Weixin OAuth client, for the Official Account's web-page authorization
(``connect/oauth2/authorize`` inside WeChat's browser)."""

import json

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.weixin.client import WeixinOAuth2Client


class WeChatOAuthError(OAuth2Error):
    """WeChat refused a web-page OAuth call. Carries WeChat's errcode and errmsg only:
    never the code, the token, the secret or the openid."""

    # The code is wrong, expired, missing or already used: starting again fixes it.
    CODE_ERRCODES = frozenset({40029, 40163, 41008})

    def __init__(self, errcode, errmsg=""):
        self.errcode = errcode
        self.errmsg = str(errmsg)[:120]
        super().__init__(f"WeChat errcode {errcode}: {self.errmsg}")

    @property
    def is_code_error(self):
        return self.errcode in self.CODE_ERRCODES


def wechat_json(response):
    """WeChat's JSON answer, or WeChatOAuthError. Decoded from the bytes: WeChat does not
    always name the charset, and nicknames are UTF-8."""
    try:
        data = json.loads(response.content.decode("utf-8"))
    except ValueError:
        data = None
    if response.status_code != 200 or not isinstance(data, dict):
        raise WeChatOAuthError(None, f"HTTP {response.status_code}")
    if data.get("errcode"):
        raise WeChatOAuthError(data["errcode"], data.get("errmsg", ""))
    return data


class WeChatMPOAuth2Client(WeixinOAuth2Client):
    def get_redirect_url(self, authorization_url, scope, extra_params):
        # WeChat opens its authorization page only with this fragment.
        return super().get_redirect_url(authorization_url, scope, extra_params) + "#wechat_redirect"

    def get_access_token(self, code, pkce_code_verifier=None):
        params = {"appid": self.consumer_key, "secret": self.consumer_secret, "code": code,
                  "grant_type": "authorization_code"}
        with get_adapter().get_requests_session() as session:
            response = session.get(self.access_token_url, params=params)
        data = wechat_json(response)
        if not data.get("access_token") or not data.get("openid"):
            raise WeChatOAuthError(None, "answer without access_token or openid")
        return data
