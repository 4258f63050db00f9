"""The demo Official Account: served by the local WeChat stub that `make run` starts, so
the first run shows replies, the menu and template messages without a real account."""

from django.db import transaction
from django.utils import timezone

from portal.estates.models import Resident
from portal.notifications import events
from portal.notifications.models import TemplateSetting

from .models import Follower, Menu, OfficialAccount
from .replies import install_default_replies

# `manage.py wechat_stub` gives the stub the same values.
APPID = "wx0123456789abcdef"
SECRET = "demo-app-secret"
TOKEN = "portaldemotoken"
ENCODING_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
# The first residents of the demo community follow the account as demo-openid-0, -1, ...
DEMO_FOLLOWERS = 5


def template_id(event_key):
    return "demo-" + event_key.replace(".", "-")


def demo_menu(links):
    """Three buttons: the home page, a sub-menu of services, and a click event."""

    def view(name, url):
        return {"type": "view", "value": {"name": name, "url": url}}

    return [
        view("社区首页", links.home),
        {"type": "submenu", "value": {"name": "物业服务", "sub_buttons": [
            view("在线报修", links["repairs"]),
            view("投诉建议", links["complaints"]),
            view("我的账单", links["bills"]),
            view("社区通知", links["notices"]),
        ]}},
        {"type": "click", "value": {"name": "联系物业", "key": "联系物业"}},
    ]


def seed(company, community):
    """Add the demo account (company-wide), its default replies, menu and template ids.
    Creates nothing that is already there."""
    from .links import CommunityLinks

    with transaction.atomic():
        account, created = OfficialAccount.objects.get_or_create(
            appid=APPID,
            defaults={"company": company, "name": "演示服务号", "original_id": "gh_portaldemo",
                      "secret": SECRET, "token": TOKEN, "encoding_aes_key": ENCODING_AES_KEY},
        )
        install_default_replies(company)
        Menu.objects.get_or_create(
            account=account, defaults={"buttons": demo_menu(CommunityLinks(community))},
        )
        residents = Resident.objects.filter(community=community).order_by("pk")
        for number, resident in enumerate(residents[:DEMO_FOLLOWERS]):
            Follower.objects.get_or_create(
                account=account, openid=f"demo-openid-{number}",
                defaults={"user": resident.user, "community": community, "is_subscribed": True,
                          "subscribed_at": timezone.now()},
            )
        for event in events.all_events():
            TemplateSetting.objects.get_or_create(
                account=account, event=event.key,
                defaults={"template_id": template_id(event.key)},
            )
    return created


def stub_app_argument():
    """The stub's --app argument: the demo account and the template ids it accepts."""
    ids = ",".join(template_id(event.key) for event in events.all_events())
    return f"{APPID}:{SECRET}:{ids}"
