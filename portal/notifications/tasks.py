"""Sending queued deliveries, in batches, as background tasks.

A task is given delivery ids and first claims those still queued (one UPDATE guarded by
the status: of two workers given the same ids, or a task that runs twice, each delivery
is sent by one only, and a delivery already sent is never sent again). It then sends the
batch with a few threads (a WeChat call takes tens of milliseconds; the threads only talk
HTTP, never to the database) and records every outcome in one statement. WeChat also
drops a second template message with the same ``client_msg_id`` (the delivery's id), a
last guard should a worker die after sending but before recording.

Outcomes:
- sent: WeChat's msgid (or the SMS provider's id) is kept.
- passing trouble (WeChat busy -1, rate limit 45009, a token still refused after the
  client's one refresh, network errors, timeouts, HTTP 5xx; an SMS backend's unexpected
  error): queued again with exponential backoff, up to NOTIFICATIONS_MAX_ATTEMPTS, then
  failed. With a task backend that can defer (the database backend), the retry is a new
  task with run_after; a backend that cannot (the immediate backend of tests and
  development) runs it at once, and the attempts limit ends it.
- permanent errors (43004 not following: the follower is marked as unsubscribed; 40003
  invalid openid; 40037 invalid template id; anything else WeChat refuses): failed.
A delivery that fails in any unforeseen way is recorded as failed; the rest of the batch
goes on, and the worker lives.
"""

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from itertools import islice
from urllib.parse import urljoin

import requests
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task
from wechatpy.exceptions import WeChatClientException

from portal.wechat.client import client_for

from . import sms

logger = logging.getLogger(__name__)

TRANSIENT_ERRCODES = {
    -1,  # system busy
    45009,  # API rate limit reached
    40001,  # access_token refused even after the client fetched a new one
    42001,  # access_token expired, likewise
}
NOT_FOLLOWING = 43004
ERRMSG_LENGTH = 300


def setting(name, default):
    return getattr(settings, name, default)


def batch_size():
    return setting("NOTIFICATIONS_BATCH_SIZE", 200)


def queue_sending(delivery_ids):
    """Send these deliveries once the current transaction commits, a batch per task."""
    delivery_ids = list(delivery_ids)
    if not delivery_ids:
        return

    def enqueue():
        iterator = iter(delivery_ids)
        while chunk := list(islice(iterator, batch_size())):
            send_deliveries.enqueue(chunk)

    # robust: a queue that cannot be reached leaves the deliveries queued (see
    # requeue_stale), it does not fail the caller whose transaction has committed.
    transaction.on_commit(enqueue, robust=True)


@task
def send_deliveries(delivery_ids):
    from .models import Delivery

    deliveries = Delivery.objects.claim(delivery_ids)
    if not deliveries:
        return {}
    outcomes = send_all(deliveries)
    retries = record(deliveries, outcomes)
    for run_after, ids in retries.items():
        schedule_retry(ids, run_after)
    counts = {}
    for delivery in deliveries:
        counts[delivery.status] = counts.get(delivery.status, 0) + 1
    return counts


@task
def requeue_stale(minutes=30):
    """Queue again the deliveries whose task was lost (a worker killed mid-batch)."""
    from .models import Delivery

    stale = Delivery.objects.stale(timedelta(minutes=minutes))
    ids = list(stale.values_list("pk", flat=True))
    stale.filter(pk__in=ids).update(status=Delivery.Status.QUEUED, claim=None)
    queue_sending(ids)
    return len(ids)


def schedule_retry(ids, run_after):
    if send_deliveries.get_backend().supports_defer:
        send_deliveries.using(run_after=run_after).enqueue(ids)
    else:
        send_deliveries.enqueue(ids)


def backoff(attempts):
    """Seconds before attempt ``attempts + 1``: 30 s, 1 min, 2 min, 4 min..."""
    return setting("NOTIFICATIONS_RETRY_SECONDS", 30) * 2 ** (attempts - 1)


@dataclass
class Outcome:
    sent: bool = False
    transient: bool = False
    errcode: int | None = None
    errmsg: str = ""
    msgid: str = ""
    unsubscribed: bool = False


def send_all(deliveries):
    """Send every delivery; returns their outcomes in the same order."""
    threads = max(1, min(setting("NOTIFICATIONS_SEND_THREADS", 8), len(deliveries)))
    if threads == 1:
        return Sender().send_many(deliveries)
    share = -(-len(deliveries) // threads)
    parts = [deliveries[start:start + share] for start in range(0, len(deliveries), share)]
    with ThreadPoolExecutor(threads, thread_name_prefix="notify") as pool:
        results = pool.map(lambda part: Sender().send_many(part), parts)
        return [outcome for part in results for outcome in part]


class Sender:
    """Sends deliveries one after the other, in one thread: a WeChat client per
    account (so its HTTP connection is reused), one SMS backend."""

    def __init__(self):
        self.clients = {}
        self._sms = None

    def send_many(self, deliveries):
        return [self.send(delivery) for delivery in deliveries]

    def send(self, delivery):
        from .models import Delivery

        try:
            if delivery.channel == Delivery.Channel.WECHAT:
                return self.send_wechat(delivery)
            if delivery.channel == Delivery.Channel.SMS:
                return self.send_sms(delivery)
            return Outcome(errmsg=f"nothing to send by {delivery.channel}")
        except Exception as error:  # a bug must not stop the batch or kill the worker
            logger.exception("Delivery %s failed unexpectedly", delivery.pk)
            return Outcome(errmsg=f"internal error: {type(error).__name__}")

    def send_wechat(self, delivery):
        if delivery.account is None or delivery.follower is None:
            return Outcome(errmsg="the account or the follower no longer exists")
        client = self.clients.get(delivery.account_id)
        if client is None:
            client = self.clients[delivery.account_id] = client_for(delivery.account)
        try:
            # wechatpy's send_template has no client_msg_id; the body is WeChat's own.
            result = client.post("message/template/send", data={
                "touser": delivery.follower.openid,
                "template_id": delivery.template_id,
                "url": message_link(delivery.message_id),
                "data": delivery.payload.get("data", {}),
                "client_msg_id": f"delivery-{delivery.pk}",
            })
        except WeChatClientException as error:
            return wechat_error(error)
        except requests.RequestException as error:
            return Outcome(transient=True, errmsg=f"network error: {type(error).__name__}")
        return Outcome(sent=True, msgid=str(result.get("msgid", "")))

    def send_sms(self, delivery):
        recipient = getattr(delivery, "recipient_user", None)  # read by claim()
        phone = recipient.phone if recipient is not None else ""
        if not phone:
            return Outcome(errmsg="the recipient no longer has a mobile number")
        if self._sms is None:
            self._sms = sms.get_backend()
        try:
            msgid = self._sms.send(phone, delivery.payload.get("text", ""))
        except sms.SMSError as error:
            return Outcome(errcode=error.code, errmsg=str(error))
        except Exception as error:
            logger.warning("SMS backend error for delivery %s: %s", delivery.pk,
                           type(error).__name__)
            return Outcome(transient=True, errmsg=f"SMS backend error: {type(error).__name__}")
        return Outcome(sent=True, msgid=str(msgid or ""))


def wechat_error(error):
    if error.errcode is None:
        # An HTTP error status rather than WeChat's JSON: 5xx is WeChat's passing trouble.
        status = getattr(error.response, "status_code", None)
        return Outcome(transient=status is None or status >= 500,
                       errmsg=f"HTTP {status}" if status else "no answer")
    errcode = int(error.errcode)
    return Outcome(transient=errcode in TRANSIENT_ERRCODES, errcode=errcode,
                   errmsg=str(error.errmsg or ""), unsubscribed=errcode == NOT_FOLLOWING)


def message_link(message_id):
    """Where the template message opens: the inbox message, which leads on to its link.
    WeChat needs an absolute URL."""
    return urljoin(settings.WAGTAILADMIN_BASE_URL,
                   reverse("notifications:open", args=[message_id]))


def record(deliveries, outcomes):
    """Write every outcome, one UPDATE per kind of outcome (sent, to retry, failed with
    one error); returns {run_after: [ids]} to retry."""
    from portal.wechat.models import Follower

    from .models import Delivery

    now = timezone.now()
    max_attempts = setting("NOTIFICATIONS_MAX_ATTEMPTS", 5)
    changes = {}
    msgids = {}
    unsubscribed = []
    for delivery, outcome in zip(deliveries, outcomes, strict=True):
        change = {"errcode": outcome.errcode, "errmsg": outcome.errmsg[:ERRMSG_LENGTH],
                  "next_attempt_at": None}
        if outcome.sent:
            change.update(status=Delivery.Status.SENT, sent_at=now)
            msgids[delivery.pk] = outcome.msgid[:40]
        elif outcome.transient and delivery.attempts < max_attempts:
            change.update(status=Delivery.Status.QUEUED,
                          next_attempt_at=now + timedelta(seconds=backoff(delivery.attempts)))
        else:
            change.update(status=Delivery.Status.FAILED)
        if outcome.unsubscribed and delivery.follower_id:
            unsubscribed.append(delivery.follower_id)
        for name, value in change.items():
            setattr(delivery, name, value)
        changes.setdefault(tuple(sorted(change.items())), []).append(delivery.pk)
    with transaction.atomic():
        for change, ids in changes.items():
            change = dict(change)
            if change["status"] == Delivery.Status.SENT:
                change["msgid"] = Delivery.objects.msgid_for_each(
                    {pk: msgids[pk] for pk in ids})
            Delivery.objects.filter(pk__in=ids).update(claim=None, updated_at=now, **change)
        if unsubscribed:
            # WeChat says they no longer follow: stop trying them until they come back.
            Follower.objects.filter(pk__in=unsubscribed, is_subscribed=True).update(
                is_subscribed=False, unsubscribed_at=now)
    retries = {}
    for delivery in deliveries:
        if delivery.status == Delivery.Status.QUEUED:
            retries.setdefault(delivery.next_attempt_at, []).append(delivery.pk)
    return retries
