"""WeChat JS-SDK for the H5 pages: the wx.config a page needs to use chooseImage,
uploadImage, scanQRCode and sharing.

The signature is sha1 over the account's jsapi_ticket, a nonce, a timestamp and the
page's URL without its fragment. The ticket is valid two hours and WeChat limits how
often it may be fetched, so it lives in the shared cache, is refreshed before it runs
out, and one process at a time fetches it (as the access_token in client.py).
"""

import logging
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.http import JsonResponse
from django.http.request import validate_host
from django.utils.cache import add_never_cache_headers
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from requests import RequestException
from wechatpy.client.api.jsapi import WeChatJSAPI
from wechatpy.exceptions import WeChatClientException

from .client import CacheStorage, client_for, refresh_once
from .oauth.serving import account_for_request

logger = logging.getLogger(__name__)

MAX_URL_LENGTH = 2048


def ticket_key(account):
    return f"{account.appid}_jsapi_ticket"


def jsapi_ticket(account):
    """The account's jsapi_ticket: from the shared cache, else fetched once for all."""
    storage = CacheStorage()
    key = ticket_key(account)
    ticket = storage.get(key)
    if ticket:
        return ticket

    def fetch():
        answer = client_for(account).jsapi.get_ticket()
        # Kept until shortly before WeChat's expiry (CacheStorage takes off a margin).
        storage.set(key, answer["ticket"], ttl=answer["expires_in"])

    return refresh_once(storage, key, None, fetch)


def sign(ticket, noncestr, timestamp, url):
    return WeChatJSAPI.get_jsapi_signature(None, noncestr, ticket, timestamp, url)


def config(account, url):
    """wx.config's parameters for the page at ``url`` (without its fragment)."""
    noncestr = get_random_string(16)
    timestamp = int(time.time())
    return {
        "appId": account.appid,
        "timestamp": timestamp,
        "nonceStr": noncestr,
        "signature": sign(jsapi_ticket(account), noncestr, timestamp, url),
    }


def own_page_url(request, url):
    """``url`` without its fragment if it is a page of this portal, else None: the
    portal signs for its own pages only."""
    if not url or len(url) > MAX_URL_LENGTH:
        return None
    url = url.split("#", 1)[0]
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    own_hosts = [host for host in settings.ALLOWED_HOSTS if host != "*"]
    own_hosts += [urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname,
                  urlsplit(f"//{request.get_host()}").hostname]
    return url if validate_host(parts.hostname, [h for h in own_hosts if h]) else None


def _json(data, status=200):
    response = JsonResponse(data, status=status)
    add_never_cache_headers(response)
    return response


@require_GET
def config_view(request):
    """GET ?url=<page URL> → {appId, timestamp, nonceStr, signature}."""
    url = own_page_url(request, request.GET.get("url", ""))
    if url is None:
        return _json({"error": _("Give the address of one of this portal's pages.")}, 400)
    account = account_for_request(request)
    if account is None or not account.secret:
        return _json({"error": _("No WeChat Official Account serves this page.")}, 404)
    try:
        return _json(config(account, url))
    except (WeChatClientException, RequestException) as error:
        logger.warning("JS-SDK ticket for account %s not available: %s", account.pk,
                       getattr(error, "errcode", type(error).__name__))
        return _json({"error": _("WeChat did not answer. Try again in a moment.")}, 502)
