"""The OAuth views of the "wechat_mp" provider: allauth's, with WeChat's URLs taken from
settings (the tests and the demo point them at the local stub)."""

from functools import wraps

from allauth.core.internal.httpkit import add_query_params
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.base import ProviderException
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.weixin.views import WeixinOAuth2Adapter
from django.shortcuts import render
from django.utils.translation import gettext as _

from portal.wechat.client import base_url

from .client import WeChatMPOAuth2Client, wechat_json
from .linking import PROVIDER_ID, profile_from, stored_profile

SCOPE_BASE = "snsapi_base"
SCOPE_USERINFO = "snsapi_userinfo"


class WeChatMPOAuth2Adapter(WeixinOAuth2Adapter):
    provider_id = PROVIDER_ID
    client_class = WeChatMPOAuth2Client
    access_token_method = "GET"  # nosec: not a password

    @property
    def authorize_url(self):
        return base_url("WECHAT_OPEN_BASE_URL") + "connect/oauth2/authorize"

    @property
    def access_token_url(self):
        return base_url("WECHAT_API_BASE_URL") + "sns/oauth2/access_token"

    @property
    def profile_url(self):
        return base_url("WECHAT_API_BASE_URL") + "sns/userinfo"

    def get_callback_url(self, request, app):
        # Which account's secret exchanges the code, when WeChat sends the person back.
        return add_query_params(super().get_callback_url(request, app), {"appid": app.client_id})

    def complete_login(self, request, app, token, **kwargs):
        answer = kwargs.get("response") or {}
        if answer.get("is_snapshotuser") == 1:
            # WeChat's snapshot page hands out a made-up identity: nobody to log in.
            raise ProviderException("WeChat snapshot page")
        openid = answer["openid"]
        if SCOPE_USERINFO in str(answer.get("scope", "")).split(","):
            profile = self.fetch_profile(token, openid)
        else:
            # snsapi_base yields the openid only (sns/userinfo would answer 48001); keep
            # what the person shared before.
            profile = {**stored_profile(openid), **profile_from(answer)}
        return self.get_provider().sociallogin_from_response(request, {**profile, "openid": openid})

    def fetch_profile(self, token, openid):
        params = {"access_token": token.token, "openid": openid, "lang": "zh_CN"}
        with get_adapter().get_requests_session() as session:
            response = session.get(self.profile_url, params=params)
        return profile_from(wechat_json(response))


def _unless_unavailable(view):
    """Without an account to log in with, a clear page instead of a server error."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except SocialApp.DoesNotExist:
            return render(request, "socialaccount/authentication_error.html", {
                "wechat_error": _("WeChat login is not available here. Log in with your "
                                  "mobile number."),
            }, status=404)

    return wrapper


oauth2_login = _unless_unavailable(OAuth2LoginView.adapter_view(WeChatMPOAuth2Adapter))
oauth2_callback = _unless_unavailable(OAuth2CallbackView.adapter_view(WeChatMPOAuth2Adapter))
