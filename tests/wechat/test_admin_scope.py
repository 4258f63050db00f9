"""The WeChat admin's data permission: staff of community A reach nothing of community B,
nor anything company-wide, through any admin URL (listing, search, export, inspect, edit,
delete, history, usage, push, poster); leadership reaches everything of the company."""

import io

import openpyxl
import pytest
from django.urls import reverse

from portal.wechat.models import AutoReply, Follower, Menu
from tests.wechat.admin_factories import MenuFactory, click, editor_of
from tests.wechat.factories import AutoReplyFactory, FollowerFactory, OfficialAccountFactory

pytestmark = pytest.mark.django_db

VIEWSETS = ["wechat_autoreply", "wechat_menu", "wechat_follower"]
OBJECT_VIEWS = ["inspect", "edit", "delete", "history", "history_results", "usage"]
CUSTOM_VIEWS = {"wechat_menu": ["push", "load"]}
STAFF_OF_A = ["editor_a", "service_a", "manager_a"]
MODELS = {"wechat_autoreply": AutoReply, "wechat_menu": Menu, "wechat_follower": Follower}


def _side(company, community, marker, openid_start):
    """One object of each WeChat model in ``community``; ``marker`` and ``openid_start``
    catch a listing or export that shows it."""
    account = OfficialAccountFactory(company=company, community=community,
                                     name=f"{marker}服务号")
    return {
        "account": account,
        "wechat_autoreply": AutoReplyFactory(company=company, community=community,
                                             keyword=f"{marker}关键词"),
        "wechat_menu": MenuFactory(account=account, buttons=[click(f"{marker}菜单")]),
        "wechat_follower": FollowerFactory(account=account, community=community,
                                           openid=f"{openid_start}-follower-openid",
                                           scene=f"{marker}海报"),
    }


@pytest.fixture
def side_a(company, community_a):
    return _side(company, community_a, "甲", "oAAAAA")


@pytest.fixture
def side_b(company, community_b):
    return _side(company, community_b, "乙", "oBBBBB")


@pytest.fixture
def company_wide(company):
    """What only whole-company staff reach: the company's account, its menu, a reply and
    a follower not in any community yet."""
    return _side(company, None, "全司", "oCCCCC")


@pytest.fixture
def editor_a(company, community_a):
    return editor_of(company, community_a)


@pytest.fixture
def staff_user(request, editor_a, service_a, manager_a):
    return {"editor_a": editor_a, "service_a": service_a, "manager_a": manager_a}[request.param]


def _url(viewset, view, obj=None):
    name = f"{viewset}:{view}"
    return reverse(name, args=[obj.pk]) if obj is not None else reverse(name)


def _object_urls():
    for viewset in VIEWSETS:
        for view in OBJECT_VIEWS + CUSTOM_VIEWS.get(viewset, []):
            yield viewset, view


def _hidden(content):
    return [marker for marker in ("乙", "oBBBBB", "全司", "oCCCCC") if marker in content]


@pytest.mark.parametrize("staff_user", STAFF_OF_A, indirect=True)
@pytest.mark.parametrize(("viewset", "view"), list(_object_urls()))
@pytest.mark.parametrize("other", ["side_b", "company_wide"])
def test_staff_of_a_get_404_for_objects_of_b_or_company_wide(client, request, side_a,
                                                             staff_user, viewset, view, other):
    obj = request.getfixturevalue(other)[viewset]
    client.force_login(staff_user)
    assert client.get(_url(viewset, view, obj)).status_code == 404


@pytest.mark.parametrize("staff_user", STAFF_OF_A, indirect=True)
@pytest.mark.parametrize(("viewset", "view"), list(_object_urls()))
def test_posting_to_the_object_of_b_changes_nothing(client, side_a, side_b, staff_user, viewset,
                                                    view):
    obj = side_b[viewset]
    client.force_login(staff_user)
    response = client.post(_url(viewset, view, obj), {"keyword": "改名", "text": "改"})
    assert response.status_code == 404
    assert MODELS[viewset].objects.filter(pk=obj.pk).exists()
    assert "改名" not in str(MODELS[viewset].objects.get(pk=obj.pk))


@pytest.mark.parametrize("staff_user", STAFF_OF_A, indirect=True)
@pytest.mark.parametrize("viewset", VIEWSETS)
def test_listing_of_staff_of_a_never_shows_b_or_company_wide(client, side_a, side_b,
                                                              company_wide, staff_user, viewset):
    client.force_login(staff_user)
    response = client.get(_url(viewset, "index"))
    assert response.status_code in (200, 302)  # 302: no view permission at all
    assert _hidden(response.content.decode()) == []


@pytest.mark.parametrize("viewset", VIEWSETS)
def test_manager_of_a_lists_the_objects_of_a(client, side_a, side_b, manager_a, viewset):
    client.force_login(manager_a)
    response = client.get(_url(viewset, "index"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "甲" in content or "oAAAAA" in content


@pytest.mark.parametrize("staff_user", STAFF_OF_A, indirect=True)
@pytest.mark.parametrize(("viewset", "query"), [
    ("wechat_autoreply", "关键词"), ("wechat_menu", "服务号"),
    ("wechat_follower", "follower-openid"),
])
def test_search_of_staff_of_a_never_finds_b_or_company_wide(client, side_a, side_b,
                                                             company_wide, staff_user, viewset,
                                                             query):
    client.force_login(staff_user)
    response = client.get(_url(viewset, "index_results"), {"q": query})
    assert _hidden(response.content.decode()) == []


def test_follower_search_by_full_openid_finds_only_the_followers_of_a(client, side_a, side_b,
                                                               manager_a):
    client.force_login(manager_a)
    response = client.get(_url("wechat_follower", "index_results"),
                          {"q": side_b["wechat_follower"].openid})
    # The query itself is echoed in the page; a row would show the shortened OpenID.
    assert str(side_b["wechat_follower"]) not in response.content.decode()
    response = client.get(_url("wechat_follower", "index_results"),
                          {"q": side_a["wechat_follower"].openid})
    assert str(side_a["wechat_follower"]) in response.content.decode()


def _export(client, viewset, export_format):
    response = client.get(_url(viewset, "index"), {"export": export_format})
    if response.status_code == 302:  # no view permission: refused altogether
        return ""
    content = b"".join(response.streaming_content)
    if export_format == "csv":
        return content.decode("utf-8-sig")
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return " ".join(str(cell.value) for row in workbook.active.iter_rows() for cell in row)


@pytest.mark.parametrize("staff_user", STAFF_OF_A, indirect=True)
@pytest.mark.parametrize("viewset", ["wechat_autoreply", "wechat_follower"])
@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_export_of_staff_of_a_never_contains_b_or_company_wide(client, side_a, side_b,
                                                                company_wide, staff_user,
                                                                viewset, export_format):
    client.force_login(staff_user)
    assert _hidden(_export(client, viewset, export_format)) == []


def test_follower_export_has_the_openid_shortened(client, side_a, manager_a):
    client.force_login(manager_a)
    content = _export(client, "wechat_follower", "csv")
    assert "甲海报" in content
    assert "oAAAAA" in content
    assert side_a["wechat_follower"].openid not in content


def test_follower_listing_and_page_show_the_openid_shortened(client, side_a, manager_a):
    follower = side_a["wechat_follower"]
    client.force_login(manager_a)
    for url in (_url("wechat_follower", "index"), _url("wechat_follower", "inspect", follower)):
        content = client.get(url).content.decode()
        assert "oAAAAA" in content
        assert follower.openid not in content


@pytest.mark.parametrize("viewset", VIEWSETS)
def test_leadership_lists_both_communities_and_the_company_wide(client, side_a, side_b,
                                                                leadership, viewset):
    client.force_login(leadership)
    content = client.get(_url(viewset, "index")).content.decode()
    assert ("甲" in content or "oAAAAA" in content) and ("乙" in content or "oBBBBB" in content)


@pytest.mark.parametrize("viewset", ["wechat_autoreply", "wechat_menu"])
def test_leadership_opens_the_company_wide_objects(client, company_wide, leadership, viewset):
    client.force_login(leadership)
    assert client.get(_url(viewset, "edit", company_wide[viewset])).status_code == 200


def test_leadership_opens_the_company_wide_account(client, company_wide, leadership):
    client.force_login(leadership)
    url = reverse("wechat_account:edit", args=[company_wide["account"].pk])
    assert client.get(url).status_code == 200


def test_filter_choices_of_staff_of_a_are_their_own(client, side_a, side_b, manager_a):
    client.force_login(manager_a)
    content = client.get(_url("wechat_follower", "index")).content.decode()
    assert "乙服务号" not in content
    assert "翠湖苑" not in content


def test_menu_form_offers_only_the_accounts_of_a(client, side_a, side_b, company_wide, company,
                                                 community_a):
    Menu.objects.all().delete()
    editor = editor_of(company, community_a)
    client.force_login(editor)
    offered = client.get(_url("wechat_menu", "add")).context["form"].fields["account"].queryset
    assert list(offered) == [side_a["account"]]


def test_nobody_edits_or_deletes_a_follower(client, side_a, leadership):
    client.force_login(leadership)
    follower = side_a["wechat_follower"]
    for view in ("edit", "delete"):
        client.post(_url("wechat_follower", view, follower), {"scene": "改"})
    follower.refresh_from_db()
    assert follower.scene == "甲海报"


def test_leadership_lists_the_followers_not_in_a_community_yet(client, company_wide,
                                                                leadership):
    client.force_login(leadership)
    content = client.get(_url("wechat_follower", "index")).content.decode()
    assert "oCCCCC" in content
