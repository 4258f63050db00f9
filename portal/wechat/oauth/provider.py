"""The "wechat_mp" provider: allauth's Weixin provider for the Official Account's
web-page authorization inside WeChat.

snsapi_base by default: silent, the openid only. snsapi_userinfo (nickname and avatar)
when the person asks to share their profile (``?scope=snsapi_userinfo``).
"""

from allauth.socialaccount.providers.weixin.provider import WeixinProvider

from .linking import PROVIDER_ID, profile_from
from .views import SCOPE_BASE, SCOPE_USERINFO, WeChatMPOAuth2Adapter


class WeChatMPProvider(WeixinProvider):
    id = PROVIDER_ID
    name = "WeChat"
    oauth2_adapter_class = WeChatMPOAuth2Adapter

    def get_default_scope(self):
        return [SCOPE_BASE]

    def get_scope_from_request(self, request):
        # WeChat takes exactly one scope.
        if request.GET.get("scope") == SCOPE_USERINFO:
            return [SCOPE_USERINFO]
        return [SCOPE_BASE]

    def get_redirect_from_request_kwargs(self, request):
        kwargs = super().get_redirect_from_request_kwargs(request)
        if request.GET.get("silent"):
            # Started by the portal itself, not by the person: on any trouble they go
            # back to their page instead of an error page.
            kwargs["data"] = {"silent": True}
        return kwargs

    def extract_extra_data(self, data):
        return profile_from(data)

    def extract_common_fields(self, data):
        # Nothing for the user: usernames are generated, names are typed at sign-up.
        return {}


provider_classes = [WeChatMPProvider]
