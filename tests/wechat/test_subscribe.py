"""Following and unfollowing: where a follower lands, and the welcome that shows them in."""

import logging
import re
from urllib.parse import urlsplit

import pytest

from home.pages import ensure_home_page
from portal.estates.registration import community_from_token
from portal.wechat.models import AutoReply, Follower
from portal.wechat.stub import messages
from tests import factories as f
from tests.wechat.conftest import APPID

from .factories import GH, AutoReplyFactory, FollowerFactory, OfficialAccountFactory, push, reply_of

OPENID = "oNewFollower0000000000000001"


@pytest.fixture
def account(company):
    """The company's one account, serving all its communities."""
    return OfficialAccountFactory(company=company, appid=APPID)


@pytest.fixture
def account_a(company, community_a):
    """Community A's own account."""
    return OfficialAccountFactory(company=company, community=community_a)


def follow(client, account, scene=None, openid=OPENID, create_time=None):
    xml = messages.subscribe(GH, openid, scene=scene, ticket="t" if scene else None,
                             create_time=create_time)
    return reply_of(push(client, account, xml), account)


def registration_community(url):
    token = re.fullmatch(r"/register/([^/]+)/", urlsplit(url).path)[1]
    return community_from_token(token)


def links_in(content):
    return re.findall(r"https?://\S+", content)


def test_following_records_the_follower_as_following(client, account):
    follow(client, account)
    follower = Follower.objects.get(account=account, openid=OPENID)
    assert follower.is_subscribed
    assert follower.subscribed_at is not None
    assert follower.community is None


def test_following_by_a_communitys_poster_puts_the_follower_in_that_community(
        client, account, community_a):
    reply = follow(client, account, scene="sunshine")
    follower = Follower.objects.get(openid=OPENID)
    assert follower.community == community_a
    assert follower.scene == "sunshine"
    [link] = links_in(reply["Content"])
    assert registration_community(link) == community_a


def test_a_communitys_own_account_puts_its_followers_in_its_community(
        client, account_a, community_a):
    reply = follow(client, account_a)
    assert Follower.objects.get(openid=OPENID).community == community_a
    assert registration_community(links_in(reply["Content"])[0]) == community_a


def test_a_communitys_account_ignores_the_poster_of_another_community(
        client, account_a, community_a, community_b):
    follow(client, account_a, scene="lakeside")
    assert Follower.objects.get(openid=OPENID).community == community_a


def test_a_poster_of_another_companys_community_is_ignored(client, account):
    f.CommunityFactory(company=f.CompanyFactory(name="别家物业"), code="elsewhere")
    follow(client, account, scene="elsewhere")
    assert Follower.objects.get(openid=OPENID).community is None


def test_welcome_is_the_communitys_own_welcome_reply(client, account, company, community_a):
    AutoReplyFactory(company=company, match="subscribe", keyword="", text="全公司欢迎 {register}")
    AutoReplyFactory(company=company, community=community_a, match="subscribe", keyword="",
                     text="阳光花园欢迎您！注册：{register}")
    reply = follow(client, account, scene="sunshine")
    assert reply["Content"].startswith("阳光花园欢迎您！注册：http://testserver/register/")


def test_company_wide_welcome_serves_communities_without_their_own(
        client, account, company, community_b):
    AutoReplyFactory(company=company, match="subscribe", keyword="", text="欢迎！注册：{register}")
    reply = follow(client, account, scene="lakeside")
    [link] = links_in(reply["Content"])
    assert reply["Content"].startswith("欢迎！注册：")
    assert registration_community(link) == community_b


def test_an_inactive_welcome_is_not_used(client, account, company, community_a):
    AutoReplyFactory(company=company, match="subscribe", keyword="", text="旧的欢迎语",
                     is_active=False)
    reply = follow(client, account, scene="sunshine")
    assert "旧的欢迎语" not in reply["Content"]


def test_built_in_welcome_carries_the_registration_link(client, account, community_a):
    reply = follow(client, account, scene="sunshine")
    assert community_a.name in reply["Content"]
    assert registration_community(links_in(reply["Content"])[0]) == community_a


def test_a_welcome_written_without_the_link_gets_it_added(client, account, company, community_a):
    AutoReplyFactory(company=company, match="subscribe", keyword="", text="欢迎关注！")
    reply = follow(client, account, scene="sunshine")
    assert reply["Content"].startswith("欢迎关注！\n\n")
    assert registration_community(links_in(reply["Content"])[0]) == community_a


def test_a_news_welcome_is_sent_as_an_article_card(client, account, company, community_a):
    home = ensure_home_page(community_a)
    AutoReplyFactory(company=company, match="subscribe", keyword="", kind="news", page=home,
                     title="欢迎来到阳光花园", description="点击进入")
    reply = follow(client, account, scene="sunshine")
    assert reply["MsgType"] == "news"
    assert reply["Articles"]["item"]["Title"] == "欢迎来到阳光花园"
    assert reply["Articles"]["item"]["Url"] == f"http://testserver{home.url}"


def test_a_registered_resident_is_welcomed_with_their_home_page(
        client, account, resident, community_a):
    home = ensure_home_page(community_a)
    FollowerFactory(account=account, openid=OPENID, user=resident, is_subscribed=False)
    reply = follow(client, account)
    assert links_in(reply["Content"]) == [f"http://testserver{home.url}"]


def test_company_account_without_a_poster_lists_the_communities_to_register_in(
        client, account, community_a, community_b):
    reply = follow(client, account)
    content = reply["Content"]
    assert community_a.name in content and community_b.name in content
    communities = {registration_community(link) for link in links_in(content)}
    assert communities == {community_a, community_b}


def test_company_account_with_many_communities_asks_to_scan_the_poster(client, account, company):
    for _ in range(6):
        f.CommunityFactory(company=company)
    reply = follow(client, account)
    assert links_in(reply["Content"]) == ["http://testserver/"]
    assert "/register/" not in reply["Content"]


def test_unfollowing_marks_the_follower_and_keeps_their_data(
        client, account, community_a, resident):
    FollowerFactory(account=account, openid=OPENID, community=community_a, user=resident)
    response = push(client, account, messages.unsubscribe(GH, OPENID))
    assert response.content == b"success"
    follower = Follower.objects.get(openid=OPENID)
    assert not follower.is_subscribed
    assert follower.unsubscribed_at is not None
    assert follower.community == community_a
    assert follower.user == resident


def test_following_again_after_unfollowing(client, account):
    follower = FollowerFactory(account=account, openid=OPENID, is_subscribed=False)
    follow(client, account)
    follower.refresh_from_db()
    assert follower.is_subscribed
    assert follower.subscribed_at is not None


def test_scanning_a_poster_while_following_behaves_like_following_by_it(
        client, account, community_b):
    follower = FollowerFactory(account=account, openid=OPENID)
    response = push(client, account, messages.scan(GH, OPENID, "lakeside", "ticket"))
    reply = reply_of(response, account)
    follower.refresh_from_db()
    assert follower.community == community_b
    assert follower.scene == "lakeside"
    assert follower.subscribed_at is None  # already following: not a new follow
    assert registration_community(links_in(reply["Content"])[0]) == community_b


# -- what WeChat tells us about a follower, afterwards --------------------------------------

def test_a_new_follower_is_completed_from_wechat(client, account, wechat_stub,
                                                  django_capture_on_commit_callbacks):
    wechat_stub.add_follower(APPID, OPENID, unionid="union-1")
    with django_capture_on_commit_callbacks(execute=True):
        follow(client, account)
    assert Follower.objects.get(openid=OPENID).unionid == "union-1"
    assert len(wechat_stub.calls_to("cgi-bin/user/info")) == 1


def test_a_follower_first_seen_in_a_message_lands_in_the_poster_they_followed_by(
        client, account, community_a, wechat_stub, django_capture_on_commit_callbacks):
    wechat_stub.add_follower(APPID, OPENID, qr_scene_str="sunshine")
    with django_capture_on_commit_callbacks(execute=True):
        response = push(client, account, messages.text(GH, OPENID, "你好"))
    assert response.status_code == 200
    follower = Follower.objects.get(openid=OPENID)
    assert follower.is_subscribed
    assert follower.community == community_a


def test_a_known_follower_is_not_looked_up_again(client, account, wechat_stub,
                                                 django_capture_on_commit_callbacks):
    FollowerFactory(account=account, openid=OPENID)
    with django_capture_on_commit_callbacks(execute=True):
        push(client, account, messages.text(GH, OPENID, "你好"))
    assert wechat_stub.calls_to("cgi-bin/user/info") == []


def test_wechat_failing_to_answer_about_a_follower_changes_nothing(
        client, account, wechat_stub, django_capture_on_commit_callbacks, caplog):
    caplog.set_level(logging.WARNING, logger="portal.wechat")
    wechat_stub.add_follower(APPID, OPENID, unionid="union-1")
    wechat_stub.fail_next("cgi-bin/user/info", -1, times=5)
    with django_capture_on_commit_callbacks(execute=True):
        reply = follow(client, account)
    assert reply["MsgType"] == "text"
    follower = Follower.objects.get(openid=OPENID)
    assert follower.is_subscribed and follower.unionid == ""
    assert "user/info" in caplog.text
    assert OPENID not in caplog.text


def test_default_welcome_is_installed_once(company):
    from portal.wechat.replies import install_default_replies

    assert len(install_default_replies(company)) == 5
    assert install_default_replies(company) == []
    assert AutoReply.objects.filter(company=company, match="subscribe").count() == 1


def test_following_and_unfollowing_are_logged_once(client, account):
    from wagtail.models import ModelLogEntry

    follow(client, account)
    follow(client, account, scene="somewhere", create_time=None)
    follower = Follower.objects.get(openid=OPENID)
    push(client, account, messages.unsubscribe(GH, OPENID))
    push(client, account, messages.unsubscribe(GH, OPENID, create_time=9_999_999_999))
    actions = list(ModelLogEntry.objects.filter(object_id=str(follower.pk))
                   .order_by("timestamp", "pk").values_list("action", flat=True))
    assert actions == ["wechat.follower.follow", "wechat.follower.unfollow"]
