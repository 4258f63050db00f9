"""The developer page that plays a follower against our own callback, over real HTTP."""

from urllib.parse import urlsplit

import pytest

from portal.wechat.models import Follower, ReceivedMessage
from portal.wechat.replies import install_default_replies
from tests import factories as f

from .factories import OfficialAccountFactory

URL = "/wechat/dev/simulator/"
OPENID = "o-simulated-follower-0001"


@pytest.fixture
def superuser(db):
    return f.UserFactory(is_superuser=True, is_staff=True)


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


@pytest.fixture
def account(company):
    return OfficialAccountFactory(company=company)


def simulate(client, live_server, account, **data):
    """Submit the simulator's form; its page is served by the test client under the live
    server's host, so that it posts to the live server's callback."""
    host = urlsplit(live_server.url).netloc
    form = {"account": account.pk, "openid": OPENID, "content": "", "scene": "", "key": "",
            **data}
    return client.post(URL, form, HTTP_HOST=host)


def test_the_simulator_is_not_there_without_debug(client, superuser, account):
    client.force_login(superuser)
    assert client.get(URL).status_code == 404


def test_the_simulator_is_for_superusers_only(client, debug, manager_a):
    client.force_login(manager_a)
    assert client.get(URL).status_code == 403


def test_the_simulator_sends_anonymous_visitors_to_log_in(client, debug, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", ["plain", "compatible", "safe"])
def test_a_simulated_text_gets_the_keyword_reply(client, live_server, debug, superuser,
                                                 account, company, community_a, mode):
    account.message_mode = mode
    account.save()
    install_default_replies(company)
    client.force_login(superuser)
    response = simulate(client, live_server, account, action="text", content="报修")
    assert response.status_code == 200
    exchange = response.context["exchange"]
    assert exchange.status == 200
    assert exchange.reply["MsgType"] == "text"
    assert "在线报修" in exchange.reply["Content"]
    assert "在线报修" in response.content.decode()
    assert ReceivedMessage.objects.filter(account=account).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_simulated_follow_by_a_poster_lands_in_its_community(
        client, live_server, debug, superuser, account, community_a):
    client.force_login(superuser)
    response = simulate(client, live_server, account, action="subscribe", scene="sunshine")
    assert "/register/" in response.context["exchange"].reply["Content"]
    follower = Follower.objects.get(account=account, openid=OPENID)
    assert follower.community == community_a and follower.is_subscribed


@pytest.mark.django_db(transaction=True)
def test_simulated_menu_events_and_unfollowing(client, live_server, debug, superuser, account,
                                               company):
    install_default_replies(company)
    client.force_login(superuser)
    simulate(client, live_server, account, action="subscribe")
    clicked = simulate(client, live_server, account, action="click", key="报修")
    assert "在线报修" in clicked.context["exchange"].reply["Content"]
    viewed = simulate(client, live_server, account, action="view", key="https://example.com/")
    assert viewed.context["exchange"].reply is None
    assert "success" in viewed.content.decode()
    simulate(client, live_server, account, action="unsubscribe")
    assert not Follower.objects.get(openid=OPENID).is_subscribed


def test_an_account_without_a_token_cannot_be_simulated(client, debug, superuser, account):
    account.token = ""
    account.save()
    client.force_login(superuser)
    response = client.post(URL, {"account": account.pk, "openid": OPENID, "action": "text",
                                 "content": "你好"})
    assert response.status_code == 200
    assert response.context["exchange"] is None
    assert response.context["form"].non_field_errors()


def test_an_unreachable_callback_is_reported_on_the_page(client, debug, superuser, account):
    # The test client's host is no server: nothing answers the simulator's request.
    client.force_login(superuser)
    response = client.post(URL, {"account": account.pk, "openid": OPENID, "action": "text",
                                 "content": "你好"}, HTTP_HOST="127.0.0.1:9",
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["exchange"].status == 0
    assert "could not be reached" in response.content.decode()
