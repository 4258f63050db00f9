"""What each message or event a follower sends does, and what they get back.

- subscribe / SCAN: the follower is marked as following; a poster's scene (the
  community code, ``qrscene_<code>`` when the scan made them follow) puts them in that
  community; the answer is the welcome with the way in (registration link).
- unsubscribe: marked as not following; everything else about them is kept.
- text, and a menu CLICK (its key matched exactly): the keyword auto-reply.
- VIEW (a menu link was opened), other message types and events: nothing to answer.

Each handler returns a wechatpy reply, or None for "success". Nothing here calls WeChat:
what needs its API runs afterwards as a background task (see tasks.py).
"""

from dataclasses import dataclass
from functools import cached_property

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from portal.estates.models import Community

from . import replies, tasks
from .links import CommunityLinks
from .models import Follower, OfficialAccount

SCENE_MAX_LENGTH = 64


def community_scene(community):
    """The QR scene string of a community's poster (WeChat prefixes it with "qrscene_"
    when the scan makes someone follow)."""
    return community.code


def community_from_scene(account, scene):
    """The community a poster's scene names, if this account serves it."""
    if not scene or len(scene) > SCENE_MAX_LENGTH:
        return None
    community = Community.objects.filter(company_id=account.company_id, code=scene).first()
    if community is None or account.community_id not in (None, community.pk):
        return None
    return community


@dataclass
class Incoming:
    account: OfficialAccount
    message: object  # a wechatpy message or event
    request: HttpRequest | None = None

    @property
    def openid(self):
        return self.message.source

    def follower(self):
        """The sender as a Follower; one first seen here (they followed before the
        portal knew them) is created, and WeChat is asked about them afterwards."""
        follower, created = (
            Follower.objects.select_related("community", "user__resident__community")
            .get_or_create(account=self.account, openid=self.openid,
                           defaults={"is_subscribed": True,
                                     "community_id": self.account.community_id})
        )
        follower.account = self.account
        follower.first_seen = created
        if created:
            tasks.after_commit(tasks.fetch_follower_info, follower.pk)
        return follower

    @cached_property
    def now(self):
        return timezone.now()


def community_of(follower):
    """A registered resident's own community first, then the one their scan put them in,
    then the account's."""
    resident = getattr(follower.user, "resident", None) if follower.user_id else None
    if resident is not None:
        return resident.community
    if follower.community_id is not None:
        return follower.community
    return follower.account.community


def links_for(follower, request):
    return CommunityLinks(community_of(follower), request, registered=follower.user_id is not None)


def follow(incoming, scene=""):
    """subscribe and SCAN: mark as following, place in the scanned community, welcome."""
    account = incoming.account
    community = community_from_scene(account, scene)
    with transaction.atomic():
        follower = incoming.follower()
        follower.follow(incoming.now, community=community, scene=scene,
                        rescan=incoming.message.event == "scan",
                        first_seen=follower.first_seen)
    return replies.welcome_reply(account.company, community_of(follower),
                                 links_for(follower, incoming.request), incoming.message,
                                 incoming.request)


def on_subscribe(incoming):
    return follow(incoming)


def on_scan(incoming):
    # subscribe_scan is wechatpy's subscribe event with the "qrscene_" prefix removed.
    return follow(incoming, incoming.message.scene_id or "")


def on_unsubscribe(incoming):
    follower = Follower.objects.filter(account=incoming.account, openid=incoming.openid).first()
    if follower is not None:
        follower.unfollow(incoming.now)
    return None


def keyword_reply(incoming, text, exact_only=False):
    follower = incoming.follower()
    community = community_of(follower)
    reply = replies.find_keyword_reply(incoming.account.company_id, community, text,
                                       exact_only=exact_only)
    if reply is None:
        return None
    return replies.render(reply, incoming.message, links_for(follower, incoming.request),
                          incoming.request)


def on_text(incoming):
    return keyword_reply(incoming, incoming.message.content or "")


def on_click(incoming):
    return keyword_reply(incoming, incoming.message.key or "", exact_only=True)


MESSAGE_HANDLERS = {"text": on_text}
EVENT_HANDLERS = {
    "subscribe": on_subscribe,
    "subscribe_scan": on_scan,
    "scan": on_scan,
    "unsubscribe": on_unsubscribe,
    "click": on_click,
}


def handle(incoming):
    """The reply to one message, or None. Image, voice, video, location and link
    messages, VIEW, TEMPLATESENDJOBFINISH and unknown events need no answer."""
    message = incoming.message
    if message.type == "event":
        handler = EVENT_HANDLERS.get(message.event)
    else:
        handler = MESSAGE_HANDLERS.get(message.type)
    return handler(incoming) if handler is not None else None
