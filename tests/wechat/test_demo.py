"""The demo Official Account that `make run` serves through the local stub."""

import pytest

from portal.notifications import notify
from portal.notifications.models import Delivery
from portal.wechat import demo
from portal.wechat.models import AutoReply, Follower, Menu, OfficialAccount
from portal.wechat.stub.__main__ import parse_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_stub(wechat_stub):
    appid, secret, template_ids = parse_app(demo.stub_app_argument())
    wechat_stub.add_app(appid, secret)
    for template_id in template_ids:
        wechat_stub.add_template(appid, template_id)
    for number in range(demo.DEMO_FOLLOWERS):
        wechat_stub.add_follower(appid, f"demo-openid-{number}")
    return wechat_stub


def test_seeding_twice_creates_the_demo_account_once(company, community_a, resident):
    assert demo.seed(company, community_a)
    assert not demo.seed(company, community_a)
    assert OfficialAccount.objects.get().appid == demo.APPID
    assert Menu.objects.count() == 1
    assert AutoReply.objects.filter(keyword="报修").count() == 1
    assert Follower.objects.get().user == resident


def test_demo_menu_is_within_wechat_limits_and_pushes(company, community_a, demo_stub, admin_user):
    demo.seed(company, community_a)
    menu = Menu.objects.get()
    assert menu.push_problems() == []
    result = menu.push(by=admin_user)
    assert result.ok
    buttons = demo_stub.menus[demo.APPID]["button"]
    assert [button["name"] for button in buttons] == ["社区首页", "物业服务", "联系物业"]


def test_demo_follower_gets_template_messages_from_the_stub(company, community_a, resident,
                                                            demo_stub,
                                                            django_capture_on_commit_callbacks):
    demo.seed(company, community_a)
    with django_capture_on_commit_callbacks(execute=True):
        notify(resident, "notifications.test", {})
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.SENT
    sent = demo_stub.sent_templates[0]
    assert (sent["touser"], sent["template_id"]) == ("demo-openid-0",
                                                    demo.template_id("notifications.test"))
