"""Community follow posters: a permanent parametric QR code per community, asked of WeChat
(the local stub) once, whose scan puts the new follower in that community."""

import pytest
from django.test import Client
from django.urls import reverse

from portal.wechat.models import Follower
from portal.wechat.stub import messages
from tests.wechat import factories as wf
from tests.wechat.admin_factories import stub_account

pytestmark = pytest.mark.django_db

CREATE = "cgi-bin/qrcode/create"


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def account(company):
    return stub_account(company, name="幸福物业服务号")


def _poster(client, community):
    return client.get(reverse("wechat_posters:poster", args=[community.pk]))


def test_poster_asks_wechat_for_a_permanent_code_of_the_community(client, wechat_stub, account,
                                                                   manager_a, community_a):
    client.force_login(manager_a)
    response = _poster(client, community_a)
    assert response.status_code == 200
    (record,) = wechat_stub.qrcodes.values()
    assert (record["appid"], record["action_name"], record["scene"]) == (
        account.appid, "QR_LIMIT_STR_SCENE", community_a.code)
    assert response.context["code"].url == record["url"]
    content = response.content.decode()
    assert "<svg" in content
    assert community_a.name in content


def test_the_code_is_asked_for_once_and_kept(client, wechat_stub, account, manager_a,
                                             community_a):
    client.force_login(manager_a)
    first = _poster(client, community_a).context["code"]
    second = _poster(client, community_a).context["code"]
    assert len(wechat_stub.calls_to(CREATE)) == 1
    assert second == first


def test_a_community_with_its_own_account_gets_that_accounts_code(client, wechat_stub, company,
                                                                  manager_a, community_a):
    wf.OfficialAccountFactory(company=company, appid="wxcompanywide0001")
    own = stub_account(company, community_a)
    client.force_login(manager_a)
    assert _poster(client, community_a).context["code"].account == own


def test_scanning_the_poster_to_follow_puts_the_follower_in_the_community(
        client, wechat_stub, account, manager_a, community_a):
    client.force_login(manager_a)
    code = _poster(client, community_a).context["code"]
    xml = messages.subscribe(account.original_id, "o-new-follower", scene=code.scene,
                             ticket=code.ticket)
    wf.push(Client(), account, xml)
    assert Follower.objects.get(openid="o-new-follower").community == community_a


def test_no_account_is_a_clear_message(client, wechat_stub, manager_a, community_a):
    client.force_login(manager_a)
    response = _poster(client, community_a)
    assert response.status_code == 200
    assert "No WeChat Official Account serves this community" in response.content.decode()
    assert wechat_stub.calls == []


def test_wechats_refusal_is_a_clear_message_and_not_kept(client, wechat_stub, account,
                                                         manager_a, community_a):
    wechat_stub.fail_next(CREATE, 48001)
    client.force_login(manager_a)
    response = _poster(client, community_a)
    assert response.status_code == 200
    assert "48001" in response.content.decode()
    assert "<svg" not in response.content.decode()
    assert "code" in _poster(client, community_a).context


def test_network_failure_is_a_clear_message(client, wechat_stub, account, manager_a,
                                            community_a):
    wechat_stub.drop_next(CREATE)
    client.force_login(manager_a)
    response = _poster(client, community_a)
    assert response.status_code == 200
    assert "could not be reached" in response.content.decode()


def test_staff_of_a_cannot_print_the_poster_of_b(client, wechat_stub, account, manager_a,
                                                 community_b):
    client.force_login(manager_a)
    assert _poster(client, community_b).status_code == 404
    assert wechat_stub.calls_to(CREATE) == []


@pytest.mark.parametrize("persona", ["service_a", "leadership"])
def test_roles_that_cannot_print_the_registration_code_cannot_print_this(client, request,
                                                                          persona, account,
                                                                          community_a):
    client.force_login(request.getfixturevalue(persona))
    assert _poster(client, community_a).url == reverse("wagtailadmin_home")
    assert client.get(reverse("wechat_posters:index")).url == reverse("wagtailadmin_home")


def test_the_poster_list_shows_the_communities_of_the_staff(client, account, records_a,
                                                            community_a, community_b):
    client.force_login(records_a)
    content = client.get(reverse("wechat_posters:index")).content.decode()
    assert reverse("wechat_posters:poster", args=[community_a.pk]) in content
    assert community_b.name not in content
