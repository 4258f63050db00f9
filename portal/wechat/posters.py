"""Community follow posters: a permanent parametric QR code per community.

Scanning it makes someone follow the account that serves the community, and WeChat tells
the callback which poster it was (EventKey ``qrscene_<scene>`` on subscribe, ``<scene>``
on SCAN for those already following), so the follower lands in that community. The code
is asked for once (qrcode/create, QR_LIMIT_STR_SCENE) and kept in the shared cache: a
permanent code never expires and WeChat limits how many an account may create. The
``url`` WeChat answers is the content of the QR code, so the poster draws it itself.
"""

from dataclasses import dataclass

import requests
import segno
from django.core.cache import cache
from django.utils.translation import gettext as _
from wechatpy.exceptions import WeChatClientException

from .accounts import account_for_community
from .client import client_for
from .handlers import community_scene

CACHE_PREFIX = "wechat:follow-qr:"


class PosterUnavailable(Exception):
    """Why there is no poster for now, in words for the person printing it."""


@dataclass(frozen=True)
class FollowCode:
    account: object
    scene: str
    ticket: str
    url: str

    def svg(self):
        return segno.make(self.url, error="m").svg_inline(omitsize=True, border=2)


def follow_code(community):
    """The permanent follow QR code of ``community``'s poster."""
    account = account_for_community(community)
    if account is None:
        raise PosterUnavailable(_("No WeChat Official Account serves this community yet."))
    if not account.secret:
        raise PosterUnavailable(_("The official account has no AppSecret yet."))
    scene = community_scene(community)
    key = f"{CACHE_PREFIX}{account.appid}:{scene}"
    answer = cache.get(key)
    if answer is None:
        answer = _create(account, scene)
        cache.set(key, answer, timeout=None)
    return FollowCode(account, scene, answer["ticket"], answer["url"])


def _create(account, scene):
    body = {"action_name": "QR_LIMIT_STR_SCENE",
            "action_info": {"scene": {"scene_str": scene}}}
    unreachable = _("WeChat could not be reached. Try again in a moment.")
    try:
        answer = client_for(account).qrcode.create(body)
    except WeChatClientException as error:
        if error.errcode is None:  # an HTTP error status, not WeChat's JSON
            raise PosterUnavailable(unreachable) from error
        raise PosterUnavailable(
            _("WeChat refused the QR code: %(errcode)s %(errmsg)s")
            % {"errcode": error.errcode, "errmsg": error.errmsg}
        ) from error
    except requests.RequestException as error:
        raise PosterUnavailable(unreachable) from error
    return {"ticket": answer["ticket"], "url": answer["url"]}
