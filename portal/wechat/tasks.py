"""Background work after a message: whatever would keep WeChat waiting (it gives up after
five seconds), and housekeeping. Tasks are idempotent and safe to retry."""

import logging
from datetime import UTC, datetime, timedelta

import requests
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from wechatpy.exceptions import WeChatClientException

from .models import Follower, ReceivedMessage

logger = logging.getLogger(__name__)

# WeChat retries a message within seconds; a day is ample to recognise the retries.
KEEP_RECEIVED_MESSAGES = timedelta(days=1)
PURGE_EVERY_SECONDS = 60 * 60


def after_commit(the_task, *args):
    """Queue a task once the current transaction has committed, so that the worker sees
    what the transaction wrote."""
    transaction.on_commit(lambda: the_task.enqueue(*args))


def schedule_purge():
    """Queue the purge of old received messages at most once an hour (the shared cache
    keeps the hour for every process)."""
    if cache.add("wechat:received-purge-scheduled", 1, PURGE_EVERY_SECONDS):
        after_commit(purge_received_messages)


@task
def purge_received_messages():
    cutoff = timezone.now() - KEEP_RECEIVED_MESSAGES
    deleted, _ = ReceivedMessage.objects.filter(received_at__lt=cutoff).delete()
    return deleted


@task
def fetch_follower_info(follower_id):
    """Complete a follower first seen in a message with what WeChat knows of them: the
    UnionID, whether they still follow, and the poster they followed by."""
    from .client import client_for
    from .handlers import community_from_scene

    follower = Follower.objects.select_related("account").filter(pk=follower_id).first()
    if follower is None or not follower.account.secret:
        return None
    try:
        info = client_for(follower.account).user.get(follower.openid)
    except (WeChatClientException, requests.RequestException) as error:
        logger.warning("WeChat user/info for follower %s failed: %s", follower_id,
                       getattr(error, "errcode", type(error).__name__))
        return None
    with transaction.atomic():
        # The follower only: not the account row every follower's sync would wait for.
        follower = Follower.objects.select_for_update(of=("self",)).select_related(
            "account").get(pk=follower_id)
        follower.unionid = info.get("unionid", "") or follower.unionid
        follower.is_subscribed = bool(info.get("subscribe"))
        subscribe_time = info.get("subscribe_time")
        if follower.subscribed_at is None and subscribe_time:
            follower.subscribed_at = datetime.fromtimestamp(int(subscribe_time), UTC)
        scene = info.get("qr_scene_str", "")
        community = community_from_scene(follower.account, scene)
        if follower.community_id is None and community is not None:
            follower.community = community
            follower.scene = scene
        follower.save()
    return follower.is_subscribed
