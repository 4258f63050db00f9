"""Factories and helpers of the WeChat admin tests: menus and their blocks, staff of a
role, accounts the stub knows."""

import factory

from portal.estates import roles
from portal.wechat import models
from tests import factories as f
from tests.wechat.conftest import APPID, SECRET
from tests.wechat.factories import OfficialAccountFactory

# Formats the admin form accepts (WeChat's): 32 letters or digits, 43 for the AES key.
FORM_SECRET = "0123456789abcdef0123456789abcdef"
FORM_TOKEN = "portalToken2024"
FORM_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


def view(name="报修", url="https://portal.example.com/repairs/"):
    return {"type": "view", "value": {"name": name, "url": url}}


def click(name="联系物业", key="CONTACT"):
    return {"type": "click", "value": {"name": name, "key": key}}


def miniprogram(name="停车", appid="wx286b93c14bbf93aa", pagepath="pages/index",
                url="https://portal.example.com/"):
    return {"type": "miniprogram",
            "value": {"name": name, "appid": appid, "pagepath": pagepath, "url": url}}


def submenu(name="服务", *subs):
    return {"type": "submenu", "value": {"name": name, "sub_buttons": list(subs)}}


class MenuFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Menu

    account = factory.SubFactory(OfficialAccountFactory)
    buttons = factory.LazyFunction(lambda: [view(), click(), submenu("服务", view("缴费"))])


def stub_account(company, community=None, **kwargs):
    """The account the stub knows (APPID / SECRET), company-wide unless ``community``."""
    return OfficialAccountFactory(company=company, community=community, appid=APPID,
                                  secret=SECRET, **kwargs)


def staff_user(company, role, communities):
    return f.StaffFactory(company=company, user__groups=[role], communities=communities).user


def editor_of(company, *communities):
    return staff_user(company, roles.EDITOR, list(communities))
