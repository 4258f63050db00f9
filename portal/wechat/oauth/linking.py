"""A WeChat identity (one account's openid) belongs to at most one portal user.

The identity is kept twice: as allauth's SocialAccount (uid = openid), by which the
person logs in, and on the account's Follower row, by which notifications reach them.
Both change together here.

A person who opens the portal in WeChat before they have an account brings an identity
nobody owns yet: it waits in their session and is connected to whoever logs in or signs
up in that browser next.
"""

import logging

from allauth.socialaccount.models import SocialAccount
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from portal.wechat.accounts import account_by_appid
from portal.wechat.models import Follower

logger = logging.getLogger(__name__)

PROVIDER_ID = "wechat_mp"
PENDING_SESSION_KEY = "wechat_pending_identity"
# What we keep of WeChat's answer. The web-page access token is used once and dropped.
PROFILE_FIELDS = ("nickname", "headimgurl", "unionid")


class IdentityTaken(Exception):
    """The WeChat identity already belongs to another portal account."""

    message = _("This WeChat is already linked to another account of this portal.")


def profile_from(data):
    return {name: data[name] for name in PROFILE_FIELDS if data.get(name)}


def stored_profile(openid):
    extra = (SocialAccount.objects.filter(provider=PROVIDER_ID, uid=openid)
             .values_list("extra_data", flat=True).first())
    return profile_from(extra or {})


def connect_identity(user, account, openid, profile=None):
    """Link ``openid`` of ``account`` to ``user`` (SocialAccount and Follower), or raise
    IdentityTaken. Safe to repeat."""
    profile = profile_from(profile or {})
    with transaction.atomic():
        social, created = SocialAccount.objects.select_for_update().get_or_create(
            provider=PROVIDER_ID, uid=openid, defaults={"user": user, "extra_data": profile},
        )
        if social.user_id != user.pk:
            raise IdentityTaken
        if not created and profile and profile != profile_from(social.extra_data):
            social.extra_data = {**social.extra_data, **profile}
            social.save(update_fields=["extra_data"])
        link_follower(account, openid, user, unionid=profile.get("unionid", ""))
    return social


def link_follower(account, openid, user, unionid=""):
    """The follower ``openid`` of ``account`` is ``user``. A user is one follower per
    account: a WeChat they used before lets go of them."""
    with transaction.atomic():
        follower, created = Follower.objects.select_for_update().get_or_create(
            account=account, openid=openid,
            # Whether they follow the account is learned from WeChat's events.
            defaults={"is_subscribed": False, "unionid": unionid,
                      "community": _community_of(user)},
        )
        if follower.user_id == user.pk:
            return follower
        if follower.user_id is not None:
            raise IdentityTaken
        for previous in Follower.objects.select_for_update().filter(account=account, user=user):
            _unlink(previous, by=user)
        follower.user = user
        if unionid and not follower.unionid:
            follower.unionid = unionid
        if follower.community_id is None:
            follower.community = _community_of(user)
        follower.save(update_fields=["user", "unionid", "community"])
        log(follower, "wechat.follower.link", user=user)
    logger.info("WeChat follower %s of account %s linked to user %s",
                follower.pk, account.pk, user.pk)
    return follower


def _unlink(follower, by):
    follower.user = None
    follower.save(update_fields=["user"])
    log(follower, "wechat.follower.unlink", user=by)


def unlink_removed_identity(sender, request, socialaccount, **kwargs):
    """Receiver of allauth's ``social_account_removed``: the person removed their WeChat
    from their account, so its follower rows stop pointing at them."""
    if socialaccount.provider != PROVIDER_ID:
        return
    with transaction.atomic():
        for follower in Follower.objects.select_for_update().filter(
                openid=socialaccount.uid, user_id=socialaccount.user_id):
            _unlink(follower, by=request.user)


def _community_of(user):
    resident = getattr(user, "resident", None)
    return resident.community if resident is not None else None


def remember_pending_identity(request, account, openid, profile):
    request.session[PENDING_SESSION_KEY] = {
        "appid": account.appid, "openid": openid, "profile": profile_from(profile),
    }


def forget_pending_identity(request):
    request.session.pop(PENDING_SESSION_KEY, None)


def pending_profile(request):
    """What the person shared of their WeChat profile before signing up ({} if nothing)."""
    pending = request.session.get(PENDING_SESSION_KEY) or {}
    return pending.get("profile") or {}


def connect_pending_identity(sender, request, user, **kwargs):
    """Receiver of ``user_logged_in``: the WeChat identity waiting in this session
    becomes the user's."""
    session = getattr(request, "session", None)
    pending = session.pop(PENDING_SESSION_KEY, None) if session is not None else None
    if not pending:
        return
    account = account_by_appid(pending["appid"])
    if account is None:
        return
    try:
        connect_identity(user, account, pending["openid"], pending["profile"])
    except IdentityTaken:
        logger.info("WeChat identity waiting in a session belongs to another user than %s",
                    user.pk)
