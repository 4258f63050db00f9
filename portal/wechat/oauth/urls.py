from allauth.socialaccount.providers.oauth2.urls import default_urlpatterns

from .provider import WeChatMPProvider

urlpatterns = default_urlpatterns(WeChatMPProvider)
