"""Who takes the money: WeChat Pay v3 when the merchant's credentials are configured,
otherwise the local sandbox (first run, demo), which completes payments itself, where
settings.PAYMENTS_SANDBOX allows it (the settings refuse to start otherwise)."""

from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .base import AlreadyPaid, NotificationRejected, ProviderError, RefundResult, TradeResult
from .sandbox import SandboxProvider
from .wechatpay import WeChatPayProvider

__all__ = ["AlreadyPaid", "NotificationRejected", "ProviderError", "RefundResult",
           "SandboxProvider", "TradeResult", "WeChatPayProvider", "get_provider",
           "wechatpay_configured"]

_CREDENTIALS = list(settings.WECHATPAY_CREDENTIALS)
_OPTIONS = ["WECHATPAY_BASE_URL", "WECHATPAY_NOTIFY_BASE_URL", "WECHATPAY_TIMEOUT_SECONDS"]


def wechatpay_configured():
    return all(getattr(settings, name, "") for name in _CREDENTIALS)


def get_provider():
    if not wechatpay_configured():
        if not settings.PAYMENTS_SANDBOX:
            raise ImproperlyConfigured("WeChat Pay is not configured and PAYMENTS_SANDBOX is off")
        return SandboxProvider()
    return _wechatpay(tuple(getattr(settings, name) for name in _CREDENTIALS + _OPTIONS))


@lru_cache(maxsize=4)
def _wechatpay(config):
    # Keyed by the settings, so a change of settings (tests, a key rotation picked up by a
    # reload) builds a new client instead of using a stale one.
    names = [name.removeprefix("WECHATPAY_").lower() for name in _CREDENTIALS + _OPTIONS]
    return WeChatPayProvider(**dict(zip(names, config, strict=True)))
