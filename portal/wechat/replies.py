"""Which auto-reply answers a follower, and the wechatpy reply it becomes.

Candidates are the company's active replies for the follower's community and those for
every community. The community's own replies win over company-wide ones, an exact match
over a "contains" match, then the lowest priority number, then the longest keyword. When
no keyword matches, the default reply answers; when there is none either, nothing does
(the callback then answers "success").
"""

import logging

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from wechatpy.replies import ArticlesReply, TextReply

from portal.estates.models import Community

from .links import CommunityLinks, absolute_url, fill_placeholders
from .models import AutoReply

logger = logging.getLogger(__name__)

Match = AutoReply.Match
_MATCH_RANK = {Match.EXACT: 0, Match.CONTAINS: 1, Match.DEFAULT: 2, Match.SUBSCRIBE: 2}
CARD_IMAGE_RENDITION = "fill-720x400"  # WeChat shows the first article card at 360×200
# A company-wide account's welcome lists the communities' registration links up to this
# many; beyond it, followers are sent to scan their community's poster.
MAX_LISTED_COMMUNITIES = 5


def _candidates(company_id, community, matches):
    scope = Q(community__isnull=True)
    if community is not None:
        scope |= Q(community=community)
    # The page and image of a news reply are fetched for the winner only.
    return AutoReply.objects.filter(scope, company_id=company_id, is_active=True,
                                    match__in=matches)


def _rank(reply):
    # A default reply, even the community's own, only answers when no keyword matched.
    return (reply.match == Match.DEFAULT, reply.community_id is None,
            _MATCH_RANK[reply.match], reply.priority, -len(reply.keyword), reply.pk)


def _matches(reply, folded_text):
    keyword = reply.keyword.strip().casefold()
    if reply.match == Match.DEFAULT:
        return True
    if not keyword:
        return False
    if reply.match == Match.EXACT:
        return keyword == folded_text
    return keyword in folded_text


def find_keyword_reply(company_id, community, text, exact_only=False):
    """The reply to a text message (or a menu click's key, matched exactly), else the
    default reply, else None."""
    matches = [Match.EXACT, Match.DEFAULT] if exact_only else [Match.EXACT, Match.CONTAINS,
                                                               Match.DEFAULT]
    folded = text.strip().casefold()
    found = [reply for reply in _candidates(company_id, community, matches)
             if _matches(reply, folded)]
    return min(found, key=_rank, default=None)


def find_welcome(company_id, community):
    return min(_candidates(company_id, community, [Match.SUBSCRIBE]), key=_rank, default=None)


def _cdata_safe(text):
    # wechatpy wraps text in CDATA without escaping; "]]>" would end it early.
    return text.replace("]]>", "]]]]><![CDATA[>")


def text_reply(content, message):
    return TextReply(message=message, content=_cdata_safe(content))


def _card_image_url(image, request):
    if image is None:
        return ""
    try:
        return absolute_url(image.get_rendition(CARD_IMAGE_RENDITION).url, request)
    except OSError:  # wagtail SourceImageIOError: the original file is missing
        logger.warning("Auto-reply card image %s cannot be rendered", image.pk)
        return ""


def render(reply, message, links, request=None):
    """The wechatpy reply for an AutoReply: its text with the follower's links, or one
    article card for its page."""
    if reply.kind == AutoReply.Kind.NEWS:
        page = reply.page if reply.page is not None and reply.page.live else None
        article = {
            "title": _cdata_safe(reply.title or (page.title if page else "")),
            "description": _cdata_safe(
                fill_placeholders(reply.description or (page.search_description if page
                                                        else ""), links)),
            "image": _card_image_url(reply.image, request),
            "url": absolute_url(page.get_url(), request) if page else links.home,
        }
        return ArticlesReply(message=message, articles=[article])
    return text_reply(fill_placeholders(reply.text, links), message)


def _community_choices(company, request):
    """Lines naming each community open for registration with its link, or None when
    there are too many to list."""
    communities = list(Community.objects.filter(company=company, registration_open=True)
                       .order_by("name")[:MAX_LISTED_COMMUNITIES + 1])
    if not communities or len(communities) > MAX_LISTED_COMMUNITIES:
        return None
    return "\n".join(f"{community.name}: {CommunityLinks(community, request).register}"
                     for community in communities)


def welcome_reply(company, community, links, message, request=None):
    """The welcome for a new (or returning) follower. It always carries the way in: the
    registration link, the follower's home page when they are registered already, or for
    a follower of no community yet, the communities to choose from."""
    reply = find_welcome(company.pk, community)
    if reply is not None and reply.kind == AutoReply.Kind.NEWS:
        return render(reply, message, links, request)
    parts = [fill_placeholders(reply.text, links)] if reply is not None else []
    if community is None and not links.registered:
        choices = _community_choices(company, request)
        if choices is not None:
            parts.append(_("Choose your community to register:") + "\n" + choices)
        else:
            parts.append(_("To register, scan the QR code on your community's notice board, "
                           "or open %(link)s") % {"link": links.home})
    elif links.registered and links.home not in "".join(parts):
        parts.append(_("Welcome back! Your community's page: %(link)s")
                     % {"link": links.home})
    elif not links.registered and links.register not in "".join(parts):
        parts.append(_("Welcome to %(community)s! Register and bind your house here: "
                       "%(link)s") % {"community": community.name, "link": links.register})
    return text_reply("\n\n".join(part for part in parts if part), message)


# Demo data: the replies a new company starts with, so that "报修", "缴费" and "投诉"
# answer with the right links. Editors change them in the admin.
DEFAULT_REPLIES = [
    (Match.EXACT, "报修", "在线报修请点击：{repairs}"),
    (Match.EXACT, "缴费", "查询和缴纳物业费请点击：{bills}"),
    (Match.EXACT, "投诉", "投诉与建议请点击：{complaints}"),
    (Match.DEFAULT, "", "您好，消息已收到。常用服务：\n报修 {repairs}\n缴费 {bills}\n"
                        "投诉 {complaints}\n社区首页 {home}"),
    (Match.SUBSCRIBE, "", "欢迎关注！请点击注册并绑定您的房屋：{register}\n"
                          "社区首页：{home}"),
]


def install_default_replies(company):
    """Create the company-wide default replies that are missing; safe to call again."""
    created = []
    with transaction.atomic():
        for match, keyword, text in DEFAULT_REPLIES:
            exists = AutoReply.objects.filter(company=company, community__isnull=True,
                                              match=match, keyword=keyword).exists()
            if not exists:
                created.append(AutoReply.objects.create(
                    company=company, match=match, keyword=keyword, text=text,
                    kind=AutoReply.Kind.TEXT,
                ))
    return created
