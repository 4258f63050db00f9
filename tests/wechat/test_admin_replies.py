"""Keyword auto-replies in the admin: content editors keep those of their communities,
company-wide ones are leadership's; the form checks what each kind of reply needs."""

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.models import Page

from portal.wechat.models import AutoReply
from tests.wechat.admin_factories import editor_of
from tests.wechat.factories import AutoReplyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def editor_a(company, community_a):
    return editor_of(company, community_a)


def _data(**changes):
    data = {"match": "exact", "keyword": "报修", "kind": "text", "text": "点击报修：{repairs}",
            "priority": "100", "is_active": "on"}
    data.update(changes)
    return data


def _add(client, **changes):
    return client.post(reverse("wechat_autoreply:add"), _data(**changes))


def _errors(response):
    assert response.status_code == 200, "the form was accepted"
    return response.context["form"].errors


def test_editor_adds_a_reply_for_their_community(client, editor_a, community_a, company):
    client.force_login(editor_a)
    assert _add(client, community=community_a.pk).status_code == 302
    reply = AutoReply.objects.get()
    assert (reply.company, reply.community, reply.keyword) == (company, community_a, "报修")


def test_editor_must_choose_a_community(client, editor_a):
    client.force_login(editor_a)
    assert "community" in _errors(_add(client, community=""))
    assert not AutoReply.objects.exists()


def test_editor_cannot_add_a_reply_to_another_community(client, editor_a, community_b):
    client.force_login(editor_a)
    assert "community" in _errors(_add(client, community=community_b.pk))


def test_leadership_adds_a_company_wide_reply(client, leadership):
    client.force_login(leadership)
    assert _add(client, community="").status_code == 302
    assert AutoReply.objects.get().community is None


@pytest.mark.parametrize("match", ["exact", "contains"])
def test_a_keyword_reply_needs_its_keyword(client, editor_a, community_a, match):
    client.force_login(editor_a)
    assert "keyword" in _errors(_add(client, community=community_a.pk, match=match, keyword=" "))


@pytest.mark.parametrize("match", ["default", "subscribe"])
def test_default_and_welcome_replies_need_no_keyword(client, editor_a, community_a, match):
    client.force_login(editor_a)
    assert _add(client, community=community_a.pk, match=match, keyword="").status_code == 302


def test_a_text_reply_needs_its_text(client, editor_a, community_a):
    client.force_login(editor_a)
    assert "text" in _errors(_add(client, community=community_a.pk, text=""))


def test_an_article_card_needs_its_page(client, editor_a, community_a):
    client.force_login(editor_a)
    assert "page" in _errors(_add(client, community=community_a.pk, kind="news", text=""))


def test_an_article_card_links_to_a_page_of_its_community(client, editor_a, community_a,
                                                         home_a):
    client.force_login(editor_a)
    response = _add(client, community=community_a.pk, kind="news", text="", page=home_a.pk)
    assert response.status_code == 302
    assert AutoReply.objects.get().page.pk == home_a.pk


def test_an_article_card_cannot_link_to_another_communitys_page(client, editor_a, community_a,
                                                               home_a, home_b):
    client.force_login(editor_a)
    response = _add(client, community=community_a.pk, kind="news", text="", page=home_b.pk)
    assert "page" in _errors(response)
    assert not AutoReply.objects.exists()


def test_a_company_wide_card_links_to_any_page_of_the_portal(client, leadership, home_b):
    client.force_login(leadership)
    assert _add(client, community="", kind="news", text="", page=home_b.pk).status_code == 302


def test_a_company_wide_card_cannot_link_outside_the_portal(client, leadership, home_a):
    client.force_login(leadership)
    tree_root = Page.get_first_root_node()
    assert "page" in _errors(_add(client, community="", kind="news", text="", page=tree_root.pk))


def test_listing_filters_by_match_kind_community_and_active(client, leadership, company,
                                                            community_a, community_b):
    AutoReplyFactory(company=company, community=community_a, keyword="甲报修")
    AutoReplyFactory(company=company, community=community_b, keyword="乙缴费", is_active=False)
    AutoReplyFactory(company=company, keyword="", match="subscribe", text="欢迎关注")
    client.force_login(leadership)
    index = reverse("wechat_autoreply:index_results")

    def shown(**filters):
        content = client.get(index, filters).content.decode()
        return {word for word in ("甲报修", "乙缴费", "Welcome message") if word in content}

    assert shown(community=community_b.pk) == {"乙缴费"}
    assert shown(community="null") == {"Welcome message"}
    assert shown(match="subscribe") == {"Welcome message"}
    assert shown(is_active="false") == {"乙缴费"}
    assert shown(kind="news") == set()


def test_listing_searches_the_keyword(client, editor_a, company, community_a):
    AutoReplyFactory(company=company, community=community_a, keyword="报修")
    AutoReplyFactory(company=company, community=community_a, keyword="缴费")
    client.force_login(editor_a)
    content = client.get(reverse("wechat_autoreply:index_results"), {"q": "报"}).content.decode()
    assert "报修" in content
    assert "缴费" not in content


def test_customer_service_does_not_manage_replies(client, service_a):
    client.force_login(service_a)
    assert client.get(reverse("wechat_autoreply:add")).status_code == 302
