"""Which Official Account serves a request: the account of the community the person
belongs to or is looking at, else the company's default one.

A company may run one account per community; the openid a person gets, the app
credentials of the OAuth exchange and the JS-SDK signature all depend on that choice.
"""

from django.db.models import F
from django.urls import reverse
from django.utils.http import urlencode

from portal.accounts.registration import registration_community
from portal.estates.models import Community
from portal.wechat.accounts import (
    account_by_appid,
    account_for_community,
    sync_environment_account,
)
from portal.wechat.models import OfficialAccount


def account_for_request(request):
    """The active account for this request, or None when the company has none.

    An ``appid`` in the query names the account outright: WeChat sends the person back
    to our OAuth callback with the one it was started with.
    """
    appid = request.GET.get("appid")
    if appid:
        account = account_by_appid(appid)
        if account is not None:
            return account
    community = community_for_request(request)
    if community is not None:
        account = account_for_community(community)
        if account is not None:
            return account
    return default_account()


def community_for_request(request):
    """The resident's own community, the one they are registering for, or the one whose
    pages (``/<community code>/...``) they are looking at."""
    resident = getattr(request.user, "resident", None)
    if resident is not None:
        return resident.community
    community = registration_community(request)
    if community is not None:
        return community
    code = request.path.strip("/").split("/", 1)[0]
    if code:
        return Community.objects.filter(code=code).first()
    return None


def default_account():
    """A company-wide account first, else any: good enough where only one exists."""
    sync_environment_account()
    return (OfficialAccount.objects.active()
            .order_by(F("community").asc(nulls_first=True), "pk").first())


def in_wechat(request):
    """Opened in WeChat's own browser (not WeCom's), where its web-page OAuth works."""
    agent = request.headers.get("User-Agent", "")
    return "MicroMessenger" in agent and "wxwork" not in agent


def login_url(account, next_url="", *, scope="", silent=False):
    """Where WeChat login for ``account`` starts."""
    params = {"process": "login", "appid": account.appid}
    if scope:
        params["scope"] = scope
    if silent:
        params["silent"] = "1"
    if next_url:
        params["next"] = next_url
    return f"{reverse('wechat_mp_login')}?{urlencode(params)}"
