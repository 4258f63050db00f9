"""The one way the portal calls WeChat's Official Account API: wechatpy's client with the
base URLs from settings, credentials kept in the shared cache, and refreshes serialised.

access_token and jsapi_ticket are per account and valid for two hours; WeChat limits how
often they may be fetched and invalidates the previous one on each fetch. So they live in
the shared cache (every process uses the same one) and only one process at a time may
fetch a new one: the others wait for it and read the fresh value.
"""

import logging
import os
import time

import requests
from django.conf import settings
from django.core.cache import cache
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage

logger = logging.getLogger(__name__)

# Refresh this long before WeChat's stated expiry, so a credential read just before it
# runs out is still good when WeChat checks it.
EXPIRY_MARGIN_SECONDS = 300
LOCK_SECONDS = 15
# A client sending many messages reads the shared token at most this often. WeChat keeps
# a replaced token working for five minutes, and one it refuses is replaced at once.
TOKEN_REUSE_SECONDS = 30
WECHAT_HOSTS = {
    "https://api.weixin.qq.com/": "WECHAT_API_BASE_URL",
    "https://mp.weixin.qq.com/": "WECHAT_MP_BASE_URL",
}


def base_url(setting_name):
    url = getattr(settings, setting_name)
    return url if url.endswith("/") else url + "/"


def rewrite_url(url):
    """wechatpy spells some endpoints as absolute URLs on WeChat's hosts."""
    for host, setting_name in WECHAT_HOSTS.items():
        if url.startswith(host):
            return base_url(setting_name) + url[len(host):]
    return url


class CacheStorage(SessionStorage):
    """wechatpy's session storage on Django's shared cache."""

    prefix = "wechat:"

    def get(self, key, default=None):
        return cache.get(self.prefix + key, default)

    def set(self, key, value, ttl=None):
        # Without a ttl wechatpy keeps its own expiry stamp next to the value.
        timeout = None if ttl is None else max(int(ttl) - EXPIRY_MARGIN_SECONDS, 60)
        cache.set(self.prefix + key, value, timeout)

    def delete(self, key):
        cache.delete(self.prefix + key)


def refresh_once(storage, key, stale, fetch):
    """Fetch a new value for ``key`` unless another process already replaced ``stale``.

    One process holds the lock and fetches; the others wait and read what it stored.
    """
    lock_key = f"{key}:refreshing"
    deadline = time.monotonic() + LOCK_SECONDS
    while True:
        current = storage.get(key)
        if current and current != stale:
            return current
        if cache.add(CacheStorage.prefix + lock_key, 1, LOCK_SECONDS):
            try:
                current = storage.get(key)
                if current and current != stale:
                    return current
                fetch()
                return storage.get(key)
            finally:
                cache.delete(CacheStorage.prefix + lock_key)
        if time.monotonic() > deadline:
            raise WeChatClientException(errcode=-1, errmsg="credential refresh timed out")
        time.sleep(0.05)


class TimeoutSession(requests.Session):
    """Every request with a timeout: wechatpy fetches the access_token without one, and a
    token endpoint that never answers would hang the worker (and hold the refresh lock).

    The proxy and CA settings of the environment are read once, for WeChat's base URL,
    rather than on every request (which costs more than a call to WeChat)."""

    def __init__(self, timeout):
        super().__init__()
        self.timeout = timeout
        self.proxies = requests.utils.get_environ_proxies(base_url("WECHAT_API_BASE_URL"))
        self.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get(
            "CURL_CA_BUNDLE") or True
        self.trust_env = False

    def request(self, method, url, **kwargs):
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().request(method, url, **kwargs)


class PortalWeChatClient(WeChatClient):
    """wechatpy's client, pointed at settings' base URLs, refreshing the token once per
    call at most (wechatpy alone would retry forever on a token WeChat keeps refusing)."""

    def __init__(self, appid, secret):
        super().__init__(appid, secret, session=CacheStorage(),
                         timeout=settings.WECHAT_TIMEOUT_SECONDS)
        self._http = TimeoutSession(settings.WECHAT_TIMEOUT_SECONDS)
        self.API_BASE_URL = base_url("WECHAT_API_BASE_URL") + "cgi-bin/"
        self._token_in_use = None
        self._token_fresh_until = 0
        self._handling_result = False

    @property
    def access_token(self):
        if self._token_in_use and time.monotonic() < self._token_fresh_until:
            return self._token_in_use
        token = self.session.get(self.access_token_key)
        if not token:
            token = refresh_once(self.session, self.access_token_key, None, self._fetch_token)
        self._token_in_use = token
        self._token_fresh_until = time.monotonic() + TOKEN_REUSE_SECONDS
        return token

    def fetch_access_token(self):
        """Called by wechatpy when WeChat refused the token in use: replace it, unless
        another process already has."""
        refresh_once(self.session, self.access_token_key, self._token_in_use, self._fetch_token)
        self._token_fresh_until = 0

    def _fetch_token(self):
        logger.info("Fetching a new access_token for %s", self.appid)
        return self._fetch_access_token(
            url=base_url("WECHAT_API_BASE_URL") + "cgi-bin/token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )

    def _request(self, method, url_or_endpoint, **kwargs):
        return super()._request(method, rewrite_url(url_or_endpoint), **kwargs)

    def _handle_result(self, res, *args, **kwargs):
        # wechatpy refreshes the token and calls again from inside this method; the
        # nested call must not refresh again.
        if self._handling_result:
            retry, self.auto_retry = self.auto_retry, False
            try:
                return super()._handle_result(res, *args, **kwargs)
            finally:
                self.auto_retry = retry
        self._handling_result = True
        try:
            return super()._handle_result(res, *args, **kwargs)
        finally:
            self._handling_result = False


def client_for(account):
    return PortalWeChatClient(account.appid, account.secret)
