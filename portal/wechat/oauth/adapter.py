"""allauth's social account adapter for WeChat login.

- The app (appid and secret) is the Official Account serving the request, so admins
  enter credentials once, on the account, and never in allauth's SocialApp table.
- What happens once WeChat has told us who the person is:
  * their identity belongs to an account: that account is logged in (a disabled one is
    refused by allauth); a logged-in person stays who they are;
  * it belongs to nobody and someone is logged in: it becomes theirs;
  * it belongs to nobody and nobody is logged in: it waits in the session (see
    linking.py) and the person is sent to registration for their community; when the
    portal asked WeChat on its own (``silent``), they go back to their page instead:
    reading needs no account.
"""

import logging

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from requests import RequestException

from portal.accounts.registration import (
    registration_community,
    remember_registration,
    remember_signup_initial,
)
from portal.estates.registration import registration_token
from portal.wechat.accounts import account_by_appid
from portal.wechat.models import Follower

from .client import WeChatOAuthError
from .linking import (
    PROVIDER_ID,
    IdentityTaken,
    connect_identity,
    forget_pending_identity,
    remember_pending_identity,
)
from .serving import account_for_request, default_account, login_url

logger = logging.getLogger(__name__)


def social_app(account):
    """allauth's app for an Official Account, built on the fly and never saved."""
    return SocialApp(provider=PROVIDER_ID, name=account.name[:40], client_id=account.appid,
                     secret=account.secret)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None):
        if provider not in (None, PROVIDER_ID):
            return super().list_apps(request, provider=provider, client_id=client_id)
        apps = [] if provider else [
            app for app in super().list_apps(request, client_id=client_id)
            if app.provider != PROVIDER_ID
        ]
        if client_id:
            account = account_by_appid(client_id)
        elif request is not None:
            account = account_for_request(request)
        else:
            account = default_account()
        if account is not None and account.secret:
            apps.append(social_app(account))
        return apps

    def pre_social_login(self, request, sociallogin):
        if sociallogin.account.provider != PROVIDER_ID:
            return
        account = account_by_appid(sociallogin.provider.app.client_id)
        openid = sociallogin.account.uid
        profile = sociallogin.account.extra_data
        next_url = sociallogin.get_redirect_url(request) or settings.LOGIN_REDIRECT_URL
        forget_pending_identity(request)
        current = request.user if request.user.is_authenticated else None

        if current is not None:
            # Whoever is logged in stays logged in; an identity nobody owns joins them.
            try:
                connect_identity(current, account, openid, profile)
            except IdentityTaken:
                messages.error(request, IdentityTaken.message)
            raise ImmediateHttpResponse(redirect(next_url))

        owner = sociallogin.user if sociallogin.is_existing else _follower_user(account, openid)
        if owner is not None:
            social = connect_identity(owner, account, openid, profile)
            sociallogin.account, sociallogin.user = social, owner
            return  # allauth logs the owner in, or refuses a disabled account

        remember_pending_identity(request, account, openid, profile)
        if profile.get("nickname"):
            remember_signup_initial(request, name=profile["nickname"])
        if registration_community(request) is None:
            community = _community_of_follower(account, openid)
            if community is not None:
                remember_registration(request, registration_token(community))
        if _is_silent(sociallogin.state):
            raise ImmediateHttpResponse(redirect(next_url))
        raise ImmediateHttpResponse(redirect("account_signup"))

    def on_authentication_error(self, request, provider, error=None, exception=None,
                                extra_context=None):
        if provider.id != PROVIDER_ID:
            return
        state = (extra_context or {}).get("state") or {}
        next_url = state.get("next") or settings.LOGIN_REDIRECT_URL
        if exception is None and state:
            # Back from WeChat without a code: the person declined to share their profile.
            if not _is_silent(state):
                messages.info(request, _("Nothing was shared from WeChat."))
            raise ImmediateHttpResponse(redirect(next_url))
        logger.warning("WeChat login failed for account %s: %s", provider.app.client_id,
                       _describe(exception))
        if _is_silent(state):
            raise ImmediateHttpResponse(redirect(next_url))
        if extra_context is not None:
            extra_context["wechat_error"] = _error_message(exception)
            account = account_by_appid(provider.app.client_id)
            if account is not None:
                extra_context["retry_url"] = login_url(account, next_url)


def _is_silent(state):
    return bool((state.get("data") or {}).get("silent"))


def _follower_user(account, openid):
    follower = (Follower.objects.filter(account=account, openid=openid)
                .exclude(user=None).select_related("user").first())
    return follower.user if follower is not None else None


def _community_of_follower(account, openid):
    """The community of the poster the follower scanned, else the account's own."""
    follower = Follower.objects.filter(account=account, openid=openid).first()
    if follower is not None and follower.community_id is not None:
        return follower.community
    return account.community


def _describe(exception):
    """For the log: WeChat's errcode, else the kind of failure; never its message, which
    for network errors holds the URL with the code and the secret."""
    if isinstance(exception, WeChatOAuthError):
        return f"errcode {exception.errcode} ({exception.errmsg})"
    if exception is None:
        return "state missing or expired"
    return type(exception).__name__


def _error_message(exception):
    if isinstance(exception, WeChatOAuthError):
        if exception.is_code_error:
            return _("This WeChat login has expired or was already used. Try again.")
        return _("WeChat login is not working for this account at the moment. Log in with "
                 "your mobile number, or try again later.")
    if isinstance(exception, RequestException):
        return _("WeChat could not be reached. Try again in a moment.")
    if exception is None:
        return _("The login took too long or was started in another browser. Try again.")
    return _("WeChat did not tell us who you are. Try again, or log in with your mobile "
             "number.")
