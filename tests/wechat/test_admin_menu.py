"""Editing the custom menu in the admin and pushing it to WeChat (the local stub)."""

import logging
from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation
from wagtail.models import ModelLogEntry
from wagtail.test.utils.form_data import nested_form_data, streamfield

from portal.wechat.models import Menu
from tests.wechat.admin_factories import (
    MenuFactory,
    click,
    editor_of,
    stub_account,
    submenu,
    view,
)
from tests.wechat.conftest import APPID, SECRET

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def account_a(company, community_a):
    return stub_account(company, community_a, name="甲服务号")


@pytest.fixture
def menu_a(account_a):
    return MenuFactory(account=account_a)


@pytest.fixture
def editor_a(company, community_a):
    return editor_of(company, community_a)


def _form(buttons):
    """The edit form's POST data for ``buttons`` ((type, value) pairs, sub-menus with
    their own streamfield)."""
    return nested_form_data({"buttons": streamfield(buttons)})


def _push(client, menu):
    return client.post(reverse("wechat_menu:push", args=[menu.pk]), follow=True)


def _messages(response):
    return [str(message) for message in response.context["messages"]]


# -- editing -------------------------------------------------------------------------------

def test_editor_creates_the_menu_of_their_communitys_account(client, editor_a, account_a):
    client.force_login(editor_a)
    data = {"account": account_a.pk,
            **_form([("view", {"name": "报修", "url": "https://p.example.com/r/"}),
                     ("submenu", {"name": "服务", "sub_buttons": streamfield([
                         ("click", {"name": "联系物业", "key": "CONTACT"})])})])}
    response = client.post(reverse("wechat_menu:add"), data)
    assert response.status_code == 302
    assert Menu.objects.get(account=account_a).as_wechat_json() == {"button": [
        {"type": "view", "name": "报修", "url": "https://p.example.com/r/"},
        {"name": "服务", "sub_button": [{"type": "click", "name": "联系物业", "key": "CONTACT"}]},
    ]}


def test_a_name_over_wechats_limit_is_refused_on_save_and_nothing_changes(client, editor_a,
                                                                         menu_a):
    client.force_login(editor_a)
    before = menu_a.as_wechat_json()
    response = client.post(reverse("wechat_menu:edit", args=[menu_a.pk]),
                           _form([("view", {"name": "物业服务中心", "url": "https://p.example.com/"})]))
    assert response.status_code == 200
    assert "WeChat allows at most 16 bytes" in response.content.decode()
    menu_a.refresh_from_db()
    assert menu_a.as_wechat_json() == before


def test_four_buttons_are_refused_on_save(client, editor_a, menu_a):
    client.force_login(editor_a)
    four = [("click", {"name": f"按钮{n}", "key": f"K{n}"}) for n in range(4)]
    response = client.post(reverse("wechat_menu:edit", args=[menu_a.pk]), _form(four))
    assert response.status_code == 200
    assert len(Menu.objects.get(pk=menu_a.pk).buttons) == 3


def test_an_account_with_a_menu_is_not_offered_for_a_second_one(client, editor_a, menu_a):
    client.force_login(editor_a)
    response = client.get(reverse("wechat_menu:add"))
    assert list(response.context["form"].fields["account"].queryset) == []


def test_the_menu_page_shows_the_menu_as_wechat_will_get_it(client, editor_a, menu_a):
    client.force_login(editor_a)
    content = client.get(reverse("wechat_menu:inspect", args=[menu_a.pk])).content.decode()
    assert "https://portal.example.com/repairs/" in content
    assert "CONTACT" in content


# -- pushing -------------------------------------------------------------------------------

def test_push_sends_wechats_json_and_records_the_result(client, wechat_stub, manager_a,
                                                        menu_a):
    client.force_login(manager_a)
    response = _push(client, menu_a)
    assert response.status_code == 200
    assert wechat_stub.menus[APPID] == menu_a.as_wechat_json()
    menu_a.refresh_from_db()
    assert menu_a.pushed_at is not None
    assert menu_a.push_result == "0 ok"
    assert any("pushed to WeChat" in message for message in _messages(response))
    entry = ModelLogEntry.objects.get(action="wechat.menu.push")
    assert (entry.user, entry.object_id, entry.data["ok"]) == (manager_a, str(menu_a.pk), True)


def test_wechats_refusal_is_shown_and_recorded_without_a_server_error(client, wechat_stub,
                                                                      manager_a, menu_a):
    wechat_stub.fail_next("cgi-bin/menu/create", 40018)
    client.force_login(manager_a)
    response = _push(client, menu_a)
    assert response.status_code == 200
    assert any("40018" in message and "invalid button name size" in message
               for message in _messages(response))
    menu_a.refresh_from_db()
    assert menu_a.push_result == "40018 invalid button name size"
    assert APPID not in wechat_stub.menus
    entry = ModelLogEntry.objects.get(action="wechat.menu.push")
    assert (entry.data["ok"], entry.data["errcode"]) == (False, 40018)
    # The menu's history says so too.
    assert "Menu refused by WeChat: 40018" in response.content.decode()


def test_network_failure_is_a_clear_message_and_recorded(client, wechat_stub, manager_a,
                                                         menu_a):
    wechat_stub.drop_next("cgi-bin/menu/create")
    client.force_login(manager_a)
    response = _push(client, menu_a)
    assert response.status_code == 200
    assert any("could not be reached" in message for message in _messages(response))
    menu_a.refresh_from_db()
    assert menu_a.push_result.startswith("network error")


def test_a_menu_over_wechats_limits_is_not_sent(client, wechat_stub, manager_a, account_a):
    menu = MenuFactory(account=account_a, buttons=[view(name="物业服务中心"), click()])
    client.force_login(manager_a)
    response = _push(client, menu)
    assert any("Button 1" in message and "16" in message for message in _messages(response))
    assert wechat_stub.calls_to("cgi-bin/menu/create") == []
    menu.refresh_from_db()
    assert menu.pushed_at is None
    assert not ModelLogEntry.objects.filter(action="wechat.menu.push").exists()


def test_the_push_page_lists_what_wechat_would_refuse(client, manager_a, account_a):
    menu = MenuFactory(account=account_a, buttons=[submenu("服务")])
    client.force_login(manager_a)
    response = client.get(reverse("wechat_menu:push", args=[menu.pk]))
    assert response.context["problems"]
    assert "Push to WeChat now" not in response.content.decode()


def test_an_account_without_appsecret_cannot_push(client, wechat_stub, manager_a, account_a):
    account_a.secret = ""
    account_a.save()
    menu = MenuFactory(account=account_a)
    client.force_login(manager_a)
    response = _push(client, menu)
    assert any("AppSecret" in message for message in _messages(response))
    assert wechat_stub.calls == []


def test_editors_may_edit_but_not_push(client, wechat_stub, editor_a, menu_a):
    client.force_login(editor_a)
    response = client.post(reverse("wechat_menu:push", args=[menu_a.pk]))
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")
    assert APPID not in wechat_stub.menus


def test_the_menu_listing_offers_the_push_only_to_those_who_may(client, manager_a, editor_a,
                                                                menu_a):
    push_url = reverse("wechat_menu:push", args=[menu_a.pk])
    client.force_login(manager_a)
    assert push_url in client.get(reverse("wechat_menu:index")).content.decode()
    client.force_login(editor_a)
    assert push_url not in client.get(reverse("wechat_menu:index")).content.decode()


def test_pushing_never_writes_the_secret_or_the_token_to_the_logs(client, wechat_stub,
                                                                  manager_a, menu_a, caplog):
    wechat_stub.drop_next("cgi-bin/menu/create")
    client.force_login(manager_a)
    # The production level (LOG_LEVEL, INFO by default).
    with caplog.at_level(logging.INFO):
        _push(client, menu_a)
        _push(client, menu_a)
    token = wechat_stub.calls_to("cgi-bin/menu/create")[-1].params["access_token"]
    assert SECRET not in caplog.text
    assert token not in caplog.text
    logged = str(list(ModelLogEntry.objects.values_list("data", flat=True)))
    assert token not in logged


# -- loading what WeChat shows ------------------------------------------------------------

def _load(client, menu):
    return client.post(reverse("wechat_menu:load", args=[menu.pk]), follow=True)


def test_loading_takes_over_the_menu_wechat_shows(client, wechat_stub, editor_a, account_a):
    menu = MenuFactory(account=account_a, buttons=[click()])
    wechat_stub.menus[APPID] = {"button": [
        {"type": "view", "name": "官网", "url": "https://example.com/"},
        {"name": "更多", "sub_button": [
            {"type": "click", "name": "联系", "key": "CONTACT"},
            {"type": "media_id", "name": "图片", "media_id": "MEDIA"},
        ]},
    ]}
    client.force_login(editor_a)
    response = _load(client, menu)
    menu.refresh_from_db()
    assert menu.as_wechat_json() == {"button": [
        {"type": "view", "name": "官网", "url": "https://example.com/"},
        {"name": "更多", "sub_button": [{"type": "click", "name": "联系", "key": "CONTACT"}]},
    ]}
    assert any("图片" in message for message in _messages(response))
    assert ModelLogEntry.objects.filter(action="wechat.menu.load", object_id=str(menu.pk)).exists()


def test_loading_when_wechat_has_no_menu_changes_nothing(client, wechat_stub, editor_a,
                                                         menu_a):
    before = menu_a.as_wechat_json()
    client.force_login(editor_a)
    response = _load(client, menu_a)
    assert any("no menu" in message for message in _messages(response))
    menu_a.refresh_from_db()
    assert menu_a.as_wechat_json() == before


def test_loading_without_wechat_is_a_clear_message(client, wechat_stub, editor_a, menu_a):
    wechat_stub.drop_next("cgi-bin/menu/get")
    client.force_login(editor_a)
    response = _load(client, menu_a)
    assert response.status_code == 200
    assert any("could not be reached" in message for message in _messages(response))


def test_a_pushed_menu_loads_back_as_it_was(client, wechat_stub, manager_a, menu_a):
    client.force_login(manager_a)
    _push(client, menu_a)
    pushed = menu_a.as_wechat_json()
    Menu.objects.filter(pk=menu_a.pk).update(buttons=[click()])
    _load(client, menu_a)
    menu_a.refresh_from_db()
    assert menu_a.as_wechat_json() == pushed


def test_the_menu_page_shows_the_last_push_in_local_time(client, editor_a, menu_a):
    pushed_at = datetime(2026, 1, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    Menu.objects.filter(pk=menu_a.pk).update(pushed_at=pushed_at, push_result="0 ok")
    client.force_login(editor_a)
    content = client.get(reverse("wechat_menu:inspect", args=[menu_a.pk])).content.decode()
    with translation.override("en"):
        assert formats.date_format(timezone.localtime(pushed_at), "DATETIME_FORMAT") in content
