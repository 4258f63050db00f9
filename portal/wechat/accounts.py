"""Which Official Account serves whom, including one configured by environment variables."""

from django.conf import settings
from django.db import transaction

from portal.estates.models import Company

from .models import OfficialAccount

_synced_environment = None


def sync_environment_account():
    """Keep the account named by WECHAT_APP_ID in step with the environment. It serves
    every community of the first company. Runs once per process."""
    global _synced_environment
    wanted = (settings.WECHAT_APP_ID, settings.WECHAT_APP_SECRET, settings.WECHAT_TOKEN,
              settings.WECHAT_ENCODING_AES_KEY)
    if not settings.WECHAT_APP_ID or _synced_environment == wanted:
        return
    company = Company.objects.order_by("pk").first()
    if company is None:
        return
    with transaction.atomic():
        account, _created = OfficialAccount.objects.select_for_update().get_or_create(
            appid=settings.WECHAT_APP_ID,
            defaults={"company": company, "name": settings.WECHAT_APP_ID},
        )
        account.secret = settings.WECHAT_APP_SECRET
        account.token = settings.WECHAT_TOKEN
        account.encoding_aes_key = settings.WECHAT_ENCODING_AES_KEY
        account.from_environment = True
        account.save()
    _synced_environment = wanted


def account_by_appid(appid):
    sync_environment_account()
    return OfficialAccount.objects.active().filter(appid=appid).first()


def account_for_community(community):
    """The community's own account, else its company's; None when there is none."""
    sync_environment_account()
    return OfficialAccount.objects.for_community(community)
