"""Keyword auto-replies: which one answers, and the links and cards it carries."""

import pytest
from django.urls import reverse
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from home.pages import ensure_home_page
from portal.wechat.replies import install_default_replies
from portal.wechat.stub import messages
from tests import factories as f
from tests.notices.factories import notice_index
from tests.wechat.conftest import APPID

from .factories import GH, AutoReplyFactory, FollowerFactory, OfficialAccountFactory, push, reply_of

OPENID = "oTalkingFollower00000000001"


@pytest.fixture
def account(company):
    return OfficialAccountFactory(company=company, appid=APPID)


@pytest.fixture
def follower(account, community_a):
    return FollowerFactory(account=account, openid=OPENID, community=community_a)


def say(client, account, content):
    return reply_of(push(client, account, messages.text(GH, OPENID, content)), account)


def click(client, account, key):
    return reply_of(push(client, account, messages.click(GH, OPENID, key)), account)


def content_of(reply):
    assert reply is not None and reply["MsgType"] == "text", reply
    return reply["Content"]


def test_exact_keyword_answers_with_its_reply(client, account, company, follower):
    AutoReplyFactory(company=company, keyword="停车", text="停车请联系门岗")
    assert content_of(say(client, account, "停车")) == "停车请联系门岗"


def test_exact_keyword_ignores_surrounding_spaces_and_letter_case(client, account, company,
                                                                  follower):
    AutoReplyFactory(company=company, keyword="WiFi", text="密码 12345678")
    assert content_of(say(client, account, "  wifi \n")) == "密码 12345678"


def test_exact_keyword_does_not_answer_a_longer_message(client, account, company, follower):
    AutoReplyFactory(company=company, keyword="停车", text="停车请联系门岗")
    assert say(client, account, "停车场在哪") is None


def test_contains_keyword_answers_a_message_containing_it(client, account, company, follower):
    AutoReplyFactory(company=company, keyword="停水", match="contains", text="停水通知见公告")
    assert content_of(say(client, account, "请问今天为什么停水了")) == "停水通知见公告"


def test_exact_match_wins_over_contains(client, account, company, follower):
    AutoReplyFactory(company=company, keyword="电梯", match="contains", text="包含", priority=1)
    AutoReplyFactory(company=company, keyword="电梯", match="exact", text="精确", priority=99)
    assert content_of(say(client, account, "电梯")) == "精确"


def test_the_communitys_own_reply_wins_over_the_company_wide_one(
        client, account, company, community_a, follower):
    AutoReplyFactory(company=company, keyword="电梯", match="exact", text="全公司", priority=1)
    AutoReplyFactory(company=company, community=community_a, keyword="电梯",
                     match="contains", text="阳光花园", priority=99)
    assert content_of(say(client, account, "电梯")) == "阳光花园"


def test_lowest_priority_number_wins(client, account, company, follower):
    AutoReplyFactory(company=company, keyword="物业", match="contains", text="二", priority=20)
    AutoReplyFactory(company=company, keyword="物业费", match="contains", text="一", priority=10)
    assert content_of(say(client, account, "物业费多少")) == "一"


def test_longer_keyword_wins_between_equal_priorities(client, account, company, follower):
    AutoReplyFactory(company=company, keyword="物业", match="contains", text="短")
    AutoReplyFactory(company=company, keyword="物业费", match="contains", text="长")
    assert content_of(say(client, account, "物业费多少")) == "长"


def test_a_reply_for_another_community_is_not_used(client, account, company, community_b,
                                                   follower):
    AutoReplyFactory(company=company, community=community_b, keyword="电梯", text="翠湖苑")
    assert say(client, account, "电梯") is None


def test_a_reply_of_another_company_is_not_used(client, account, follower):
    AutoReplyFactory(company=f.CompanyFactory(name="别家物业"), keyword="电梯", text="别家")
    assert say(client, account, "电梯") is None


def test_an_inactive_reply_is_not_used(client, account, company, follower):
    AutoReplyFactory(company=company, keyword="电梯", text="停用", is_active=False)
    assert say(client, account, "电梯") is None


def test_the_default_reply_answers_when_no_keyword_matches(client, account, company, follower):
    AutoReplyFactory(company=company, keyword="电梯", text="电梯")
    AutoReplyFactory(company=company, keyword="", match="default", text="已收到")
    assert content_of(say(client, account, "随便说点什么")) == "已收到"


def test_the_communitys_default_reply_does_not_hide_company_wide_keywords(
        client, account, company, community_a, follower):
    AutoReplyFactory(company=company, keyword="电梯", text="电梯报修电话")
    AutoReplyFactory(company=company, community=community_a, keyword="", match="default",
                     text="阳光花园已收到")
    assert content_of(say(client, account, "电梯")) == "电梯报修电话"
    assert content_of(say(client, account, "别的")) == "阳光花园已收到"


def test_without_any_reply_the_answer_is_success(client, account, follower):
    response = push(client, account, messages.text(GH, OPENID, "随便说点什么"))
    assert response.content == b"success"


def test_placeholders_become_the_links_of_the_followers_community(
        client, account, company, community_a, follower, home_a):
    notices = notice_index(home_a)
    AutoReplyFactory(company=company, keyword="链接",
                     text="首页{home} 公告{notices} 报修{repairs} 注册{register} 其他{other}")
    content = content_of(say(client, account, "链接"))
    home_url = f"http://testserver{home_a.url}"
    assert f"首页{home_url} " in content
    assert f"公告http://testserver{notices.url} " in content
    assert f"报修{home_url} " in content  # no repairs section yet: its home page
    assert "注册http://testserver/register/" in content
    assert content.endswith("其他{other}")


def test_a_follower_of_no_community_gets_the_front_page(client, account, company):
    FollowerFactory(account=account, openid=OPENID)
    AutoReplyFactory(company=company, keyword="链接", text="首页{home} 报修{repairs}")
    assert content_of(say(client, account, "链接")) == ("首页http://testserver/ "
                                                        "报修http://testserver/")


def test_a_residents_links_are_those_of_their_own_community(
        client, account, company, community_b, resident, home_a):
    FollowerFactory(account=account, openid=OPENID, community=community_b, user=resident)
    ensure_home_page(community_b)
    AutoReplyFactory(company=company, keyword="首页", text="{home}")
    assert content_of(say(client, account, "首页")) == f"http://testserver{home_a.url}"


def test_reply_text_that_looks_like_the_end_of_cdata_arrives_intact(client, account, company,
                                                                    follower):
    AutoReplyFactory(company=company, keyword="代码", text="a]]>b<c>&d")
    assert content_of(say(client, account, "代码")) == "a]]>b<c>&d"


# -- article cards -------------------------------------------------------------------------

def test_a_news_reply_is_one_article_card_for_its_page(client, account, company, follower,
                                                       home_a):
    page = notice_index(home_a)
    image = Image.objects.create(title="封面", file=get_test_image_file())
    AutoReplyFactory(company=company, keyword="公告", kind="news", page=page, title="社区公告",
                     description="最新通知", image=image)
    reply = say(client, account, "公告")
    assert reply["MsgType"] == "news"
    assert reply["ArticleCount"] == "1"
    card = reply["Articles"]["item"]
    assert card["Title"] == "社区公告"
    assert card["Description"] == "最新通知"
    assert card["Url"] == f"http://testserver{page.url}"
    rendition = image.get_rendition("fill-720x400")
    assert card["PicUrl"] == f"http://testserver{rendition.url}"


def test_a_news_reply_takes_the_pages_title_and_summary_when_left_empty(
        client, account, company, follower, home_a):
    page = notice_index(home_a, title="通知公告", search_description="小区的通知")
    AutoReplyFactory(company=company, keyword="公告", kind="news", page=page)
    card = say(client, account, "公告")["Articles"]["item"]
    assert card["Title"] == "通知公告"
    assert card["Description"] == "小区的通知"
    assert card["PicUrl"] is None


def test_a_news_reply_whose_page_is_unpublished_links_the_home_page(
        client, account, company, follower, home_a):
    page = notice_index(home_a)
    page.unpublish()
    AutoReplyFactory(company=company, keyword="公告", kind="news", page=page, title="社区公告")
    card = say(client, account, "公告")["Articles"]["item"]
    assert card["Url"] == f"http://testserver{home_a.url}"


# -- menu events ---------------------------------------------------------------------------

def test_a_menu_click_is_answered_by_the_reply_for_its_key(client, account, company, follower):
    AutoReplyFactory(company=company, keyword="CONTACT_US", text="客服电话 0571-88880000")
    assert content_of(click(client, account, "CONTACT_US")) == "客服电话 0571-88880000"


def test_a_menu_click_key_is_matched_exactly_only(client, account, company, follower):
    AutoReplyFactory(company=company, keyword="CONTACT", match="contains", text="包含")
    AutoReplyFactory(company=company, keyword="", match="default", text="默认")
    assert content_of(click(client, account, "CONTACT_US")) == "默认"


def test_opening_a_menu_link_gets_success(client, account, company, follower):
    install_default_replies(company)
    response = push(client, account, messages.view(GH, OPENID, "https://example.com/"))
    assert response.content == b"success"


# -- the replies a company starts with -----------------------------------------------------

@pytest.mark.parametrize("keyword, section", [("报修", "repairs"), ("缴费", "bills"),
                                              ("投诉", "complaints")])
def test_default_replies_answer_service_keywords_with_their_links(
        client, account, company, follower, home_a, keyword, section):
    install_default_replies(company)
    content = content_of(say(client, account, keyword))
    # No section page exists yet in the community: the links lead to its home page;
    # the bills are the resident's own page, there from the start.
    expected = reverse("my_bills:list") if section == "bills" else home_a.url
    assert f"http://testserver{expected}" in content
    assert content != content_of(say(client, account, "随便说点什么"))


def test_default_replies_answer_anything_else_with_the_common_links(
        client, account, company, follower, home_a):
    install_default_replies(company)
    content = content_of(say(client, account, "你好"))
    assert f"http://testserver{home_a.url}" in content
