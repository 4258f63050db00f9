"""notify(): the one way the portal tells a person something.

    from portal.notifications import notify, notify_many

    notify(resident.user, "estates.occupancy.verified", {"house": house.label},
           url=reverse("estates:me"))
    notify_many(User.objects.filter(resident__community=community), "notices.published",
                {"notice": page.title}, url=page.url)

In the caller's transaction, each recipient gets an InboxMessage (their "my messages"
page: nothing is lost, whatever happens next) and one Delivery saying how it goes out:

- a WeChat template message, when the recipient follows the official account serving
  their community and the event has an active template setting on that account;
- else an SMS, when the event allows it and the recipient has a mobile number;
- else nothing more (the Delivery is "not sent", with the reason).

Once the transaction commits, background tasks send the queued deliveries in batches
(see tasks.py); if it rolls back, nothing was written and nothing is sent.
"""

from collections import defaultdict
from itertools import islice

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from portal import page_cache
from portal.accounts.models import User
from portal.estates.models import Community, Resident, Staff
from portal.wechat.accounts import account_for_community
from portal.wechat.models import Follower, OfficialAccount

from . import bulk, events
from .models import Delivery, InboxMessage, TemplateSetting
from .tasks import queue_sending

# Recipients resolved and written per round of queries.
CHUNK = 2000


def notify(recipient, event, context=None, *, url="", community=None):
    """Tell one person; returns their InboxMessage. ``event`` is an event key (see
    events.py), ``context`` the values its strings use, ``url`` where the message leads
    (a path in the portal), ``community`` the community it concerns when the recipient
    is staff (a resident's is their own)."""
    writer = _Writer(events.get(event), context, url, community)
    with transaction.atomic():
        message_ids = writer.write([recipient.pk])
    page_cache.bump_generation()
    return InboxMessage.objects.get(pk=message_ids[0])


def notify_many(recipients, event, context=None, *, url="", community=None):
    """Tell many people the same thing (a notice to a whole community): rows are
    written in bulk and sent in batches. ``recipients``: a queryset of users, or users
    or user ids. Returns how many were told."""
    writer = _Writer(events.get(event), context, url, community)
    told = 0
    with transaction.atomic():
        if isinstance(recipients, QuerySet):
            user_ids = writer.look_up_all(recipients)
        else:
            user_ids = _user_ids(recipients)
        for chunk in _chunks(user_ids, CHUNK):
            told += len(writer.write(chunk))
    if told:
        page_cache.bump_generation()
    return told


def _user_ids(recipients):
    ids = (getattr(recipient, "pk", recipient) for recipient in recipients)
    return dict.fromkeys(ids)  # each once, in order


def _chunks(items, size):
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class _Writer:
    """Writes the messages and deliveries of one notification, a chunk of recipients at
    a time, remembering what every chunk shares (accounts, templates, texts)."""

    def __init__(self, event, context, url, community):
        self.event = event
        self.context = context or {}
        self.url = str(url or "")
        self.community = community
        self.now = timezone.now()
        self.settings = {setting.account_id: setting for setting in
                         TemplateSetting.objects.active().filter(event=event.key)
                         .select_related("account")}
        self._communities = {}
        self._accounts = {}
        self._values = {}
        self._template_data = {}
        self._sms_payloads = {}
        self._all = None
        # Checked now, so that a caller's mistake fails in the caller, not in a worker.
        self.values(None)

    def write(self, user_ids):
        """Write the messages and deliveries of these recipients; returns the messages'
        ids. Rows go in as plain values (see bulk.py): no model instance per row."""
        communities = self.communities_of(user_ids)
        followers = self.followers_of(user_ids)
        messages = []
        plans = []
        for user_id in user_ids:
            community_id = communities.get(user_id)
            values = self.values(community_id)
            messages.append({
                "recipient_id": user_id, "community_id": community_id,
                "event": self.event.key, "title": values["title"][:200],
                "body": values["body"], "url": self.url[:500], "created_at": self.now,
            })
            plans.append(self.plan(community_id, followers.get(user_id, {})))
        self.choose_sms(user_ids, plans, communities)
        message_ids = bulk.insert(InboxMessage, messages)
        delivery_ids = bulk.insert(Delivery, (
            {"message_id": message_id, "community_id": message["community_id"],
             "created_at": self.now, "updated_at": self.now, **plan}
            for message_id, message, plan in zip(message_ids, messages, plans, strict=True)))
        queue_sending([delivery_id for delivery_id, plan in zip(delivery_ids, plans, strict=True)
                       if plan["status"] == Delivery.Status.QUEUED])
        return message_ids

    def plan(self, community_id, followed):
        """How to reach one recipient: WeChat if we can, else what stands in the way."""
        account = self.account(community_id)
        if account is None and community_id is None and followed:
            # Staff with no single community: whichever account they follow.
            account = self.account_by_id(next(iter(followed)))
        if account is None:
            return {"channel": Delivery.Channel.INBOX, "status": Delivery.Status.SKIPPED,
                    "reason": Delivery.Reason.NO_ACCOUNT}
        base = {"channel": Delivery.Channel.INBOX, "status": Delivery.Status.SKIPPED,
                "account_id": account.pk}
        if account.pk not in followed:
            return {**base, "reason": Delivery.Reason.NOT_FOLLOWING}
        setting = self.settings.get(account.pk)
        if setting is None:
            return {**base, "follower_id": followed[account.pk],
                    "reason": Delivery.Reason.NO_TEMPLATE}
        return {
            "channel": Delivery.Channel.WECHAT, "status": Delivery.Status.QUEUED,
            "account_id": account.pk, "follower_id": followed[account.pk],
            "template_id": setting.template_id,
            "payload": self.template_data(community_id, setting),
        }

    def choose_sms(self, user_ids, plans, communities):
        """Those WeChat cannot reach get an SMS, if the event allows and they have a
        mobile number. Numbers are read (decrypted) only for them."""
        if not self.event.sms:
            return
        waiting = {user_id: plan for user_id, plan in zip(user_ids, plans, strict=True)
                   if plan["channel"] == Delivery.Channel.INBOX}
        if not waiting:
            return
        if self._all is not None:
            with_phone = self._all["with_phone"]
        else:
            with_phone = set(User.objects.filter(pk__in=waiting).exclude(phone_index=None)
                             .values_list("pk", flat=True))
        for user_id, plan in waiting.items():
            if user_id in with_phone:
                plan.update(channel=Delivery.Channel.SMS, status=Delivery.Status.QUEUED,
                            payload=self.sms_payload(communities.get(user_id)))
            elif plan["reason"] == Delivery.Reason.NOT_FOLLOWING:
                plan["reason"] = Delivery.Reason.NO_PHONE

    # -- what recipients share, looked up once ----------------------------------------

    def look_up_all(self, users):
        """For a queryset of recipients: their ids, communities, follows and whether
        they have a phone, in two queries (the queryset read once, and once as the
        subquery of their follows) instead of a round of queries with thousands of ids
        per chunk. Returns the ids, each once."""
        users = users.order_by()
        residents = {}
        with_phone = set()
        rows = users.values_list("pk", "resident__community_id", "phone_index")
        for user_id, community_id, phone_index in rows.iterator(chunk_size=CHUNK):
            if community_id is not None:
                residents[user_id] = community_id
            if phone_index is not None:
                with_phone.add(user_id)
            residents.setdefault(user_id, None)
        followed = defaultdict(dict)
        for user_id, account_id, follower_id in self._following(
                user_id__in=users.values("pk")):
            followed[user_id][account_id] = follower_id
        self._all = {"residents": residents, "followed": followed, "with_phone": with_phone}
        return list(residents)

    def communities_of(self, user_ids):
        if self.community is not None:
            return dict.fromkeys(user_ids, self.community.pk)
        if self._all is not None:
            residents = self._all["residents"]
            found = {user_id: residents[user_id] for user_id in user_ids
                     if residents[user_id] is not None}
        else:
            found = dict(Resident.objects.filter(user_id__in=user_ids)
                         .values_list("user_id", "community_id"))
        others = [user_id for user_id in user_ids if user_id not in found]
        if others:
            staff_communities = defaultdict(set)
            links = Staff.communities.through.objects.filter(staff__user_id__in=others)
            for user_id, community_id in links.values_list("staff__user_id", "community_id"):
                staff_communities[user_id].add(community_id)
            found.update({user_id: next(iter(ids))
                          for user_id, ids in staff_communities.items() if len(ids) == 1})
        return found

    def followers_of(self, user_ids):
        """user id → {account id: follower id}, of those following."""
        if self._all is not None:
            return self._all["followed"]
        followed = defaultdict(dict)
        for user_id, account_id, follower_id in self._following(user_id__in=user_ids):
            followed[user_id][account_id] = follower_id
        return followed

    @staticmethod
    def _following(**users):
        return (Follower.objects.filter(is_subscribed=True, account__is_active=True, **users)
                .values_list("user_id", "account_id", "pk"))

    def community_object(self, community_id):
        if community_id not in self._communities:
            self._communities[community_id] = (
                Community.objects.filter(pk=community_id).first() if community_id else None
            )
        return self._communities[community_id]

    def account(self, community_id):
        if community_id not in self._accounts:
            community = self.community_object(community_id)
            self._accounts[community_id] = (
                account_for_community(community) if community is not None else None
            )
        return self._accounts[community_id]

    def account_by_id(self, account_id):
        setting = self.settings.get(account_id)
        if setting is not None:
            return setting.account
        return OfficialAccount.objects.active().filter(pk=account_id).first()

    def values(self, community_id):
        if community_id not in self._values:
            self._values[community_id] = self.event.values(
                self.context, community=self.community_object(community_id), when=self.now)
        return self._values[community_id]

    def template_data(self, community_id, setting):
        """The WeChat payload, one object for all who share it."""
        key = (community_id, setting.pk)
        if key not in self._template_data:
            self._template_data[key] = {"data": self.event.template_data(
                self.values(community_id), setting.mapping)}
        return self._template_data[key]

    def sms_payload(self, community_id):
        if community_id not in self._sms_payloads:
            self._sms_payloads[community_id] = {
                "text": self.event.sms_text(self.values(community_id))}
        return self._sms_payloads[community_id]


def send_test(setting, user):
    """Send ``user`` the template message of ``setting`` (its event, its template id, its
    account) with sample values, through the usual queue and delivery log, so that staff
    see at once whether WeChat accepts the template. Raises ValidationError when the user
    does not follow that account."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    follower = Follower.objects.filter(account=setting.account, user=user,
                                       is_subscribed=True).first()
    if follower is None:
        raise ValidationError(_("You do not follow %(account)s in WeChat, so it cannot send "
                                "you a message.") % {"account": setting.account})
    event = events.get(setting.event)
    values = event.values({name: f"[{name}]" for name in event.placeholders},
                          community=setting.account.community)
    with transaction.atomic():
        message = InboxMessage.objects.create(
            recipient=user, community=setting.account.community, event=event.key,
            title=values["title"][:200], body=values["body"])
        delivery = Delivery.objects.create(
            message=message, community=message.community, channel=Delivery.Channel.WECHAT,
            account=setting.account, follower=follower, template_id=setting.template_id,
            payload={"data": event.template_data(values, setting.mapping)})
        queue_sending([delivery.pk])
    return message
