"""Links that start WeChat login, shown only inside WeChat's browser and only where an
Official Account serves the page."""

from django import template

from portal.wechat.oauth.linking import PENDING_SESSION_KEY
from portal.wechat.oauth.serving import account_for_request, in_wechat, login_url
from portal.wechat.oauth.views import SCOPE_USERINFO

register = template.Library()


@register.simple_tag(takes_context=True)
def wechat_login_url(context, next_url="", share_profile=False):
    """The URL of WeChat login (with ``share_profile``: asking for nickname and avatar),
    or "" where it cannot work."""
    request = context.get("request")
    if request is None or not in_wechat(request):
        return ""
    account = account_for_request(request)
    if account is None or not account.secret:
        return ""
    return login_url(account, next_url, scope=SCOPE_USERINFO if share_profile else "")


@register.simple_tag(takes_context=True)
def wechat_identity_waiting(context):
    """True when this browser brought a WeChat identity not yet linked to an account."""
    request = context.get("request")
    return bool(request is not None and request.session.get(PENDING_SESSION_KEY))
