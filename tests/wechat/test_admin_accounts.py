"""Official accounts in the admin: leadership's; secrets are write-only and never shown,
logged or put in the audit trail; WeChat's formats are checked."""

import logging

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from wagtail.models import ModelLogEntry

from portal.wechat.models import OfficialAccount
from tests.wechat.admin_factories import FORM_AES_KEY, FORM_SECRET, FORM_TOKEN
from tests.wechat.factories import OfficialAccountFactory

pytestmark = pytest.mark.django_db

APPID = "wx0123456789abcdef"


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def account(company):
    return OfficialAccountFactory(company=company, appid=APPID, secret=FORM_SECRET,
                                  token=FORM_TOKEN, encoding_aes_key=FORM_AES_KEY)


def _data(**changes):
    data = {"name": "幸福物业", "appid": APPID, "original_id": "gh_0123456789ab",
            "secret": FORM_SECRET, "token": FORM_TOKEN, "encoding_aes_key": FORM_AES_KEY,
            "message_mode": "safe", "is_active": "on", "community": ""}
    data.update(changes)
    return data


def _edit(client, account, **changes):
    return client.post(reverse("wechat_account:edit", args=[account.pk]), _data(**changes))


def _all_log_entries():
    return str(list(ModelLogEntry.objects.values_list("label", "data")))


def test_leadership_adds_a_company_wide_account(client, leadership, company):
    client.force_login(leadership)
    response = client.post(reverse("wechat_account:add"), _data())
    assert response.status_code == 302
    account = OfficialAccount.objects.get(appid=APPID)
    assert (account.company, account.community) == (company, None)
    assert (account.secret, account.token, account.encoding_aes_key) == (
        FORM_SECRET, FORM_TOKEN, FORM_AES_KEY)


def test_secrets_are_not_in_the_audit_log_or_the_log_lines(client, leadership, caplog):
    client.force_login(leadership)
    with caplog.at_level(logging.INFO):
        client.post(reverse("wechat_account:add"), _data())
        account = OfficialAccount.objects.get(appid=APPID)
        _edit(client, account, secret="f" * 32, token="otherToken")
    assert ModelLogEntry.objects.filter(action__in=["wagtail.create", "wagtail.edit"]).count() == 2
    for secret in (FORM_SECRET, "f" * 32, FORM_TOKEN, "otherToken", FORM_AES_KEY):
        assert secret not in _all_log_entries()
        assert secret not in caplog.text


def test_the_edit_page_never_shows_the_secrets_back(client, leadership, account):
    client.force_login(leadership)
    content = client.get(reverse("wechat_account:edit", args=[account.pk])).content.decode()
    for secret in (FORM_SECRET, FORM_TOKEN, FORM_AES_KEY):
        assert secret not in content
    assert "Set. Leave empty to keep it." in content


def test_the_account_page_and_listing_never_show_the_secrets(client, leadership, account):
    client.force_login(leadership)
    for url in (reverse("wechat_account:inspect", args=[account.pk]),
                reverse("wechat_account:index")):
        content = client.get(url).content.decode()
        for secret in (FORM_SECRET, FORM_TOKEN, FORM_AES_KEY):
            assert secret not in content


def test_leaving_the_secrets_empty_keeps_them(client, leadership, account):
    client.force_login(leadership)
    response = _edit(client, account, name="新名字", secret="", token="", encoding_aes_key="")
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.name == "新名字"
    assert (account.secret, account.token, account.encoding_aes_key) == (
        FORM_SECRET, FORM_TOKEN, FORM_AES_KEY)


def test_typing_a_secret_replaces_it(client, leadership, account):
    client.force_login(leadership)
    _edit(client, account, secret="a" * 32, token="", encoding_aes_key="")
    account.refresh_from_db()
    assert (account.secret, account.token) == ("a" * 32, FORM_TOKEN)


def test_a_new_account_without_secrets_is_refused(client, leadership):
    client.force_login(leadership)
    response = client.post(reverse("wechat_account:add"),
                           _data(secret="", token="", encoding_aes_key=""))
    assert set(response.context["form"].errors) == {"secret", "token", "encoding_aes_key"}
    assert not OfficialAccount.objects.exists()


def test_plain_mode_needs_no_encoding_aes_key(client, leadership):
    client.force_login(leadership)
    response = client.post(reverse("wechat_account:add"),
                           _data(message_mode="plain", encoding_aes_key=""))
    assert response.status_code == 302


@pytest.mark.parametrize(("field", "value"), [
    ("encoding_aes_key", FORM_AES_KEY[:-1]),          # 42 characters
    ("encoding_aes_key", FORM_AES_KEY + "H"),         # 44
    ("encoding_aes_key", FORM_AES_KEY[:-1] + "-"),    # not base64
    ("token", "ab"),
    ("token", "a" * 33),
    ("token", "to-ken"),
    ("appid", "wx0123456789abcdeg"),
    ("appid", "0123456789abcdef"),
    ("secret", "short"),
])
def test_wechats_formats_are_checked_and_nothing_is_saved(client, leadership, account, field,
                                                          value):
    client.force_login(leadership)
    response = _edit(client, account, name="改了", **{field: value})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    account.refresh_from_db()
    assert account.name != "改了"


def test_a_refused_secret_is_not_shown_back(client, leadership, account):
    client.force_login(leadership)
    content = _edit(client, account, secret="almostTheSecret").content.decode()
    assert "almostTheSecret" not in content


def test_the_form_shows_the_callback_url_to_enter_on_wechat(client, leadership, account):
    client.force_login(leadership)
    content = client.get(reverse("wechat_account:edit", args=[account.pk])).content.decode()
    expected = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + f"/wechat/callback/{APPID}/"
    assert expected in content
    assert account.callback_url() == expected


def test_an_account_from_the_environment_keeps_its_secrets_there(client, leadership, account):
    OfficialAccount.objects.filter(pk=account.pk).update(from_environment=True)
    client.force_login(leadership)
    content = client.get(reverse("wechat_account:edit", args=[account.pk])).content.decode()
    assert "Set in the environment." in content
    response = _edit(client, account, name="环境", secret="b" * 32, token="newToken",
                     appid="wx00000000000000ff")
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.name == "环境"
    assert (account.appid, account.secret, account.token) == (APPID, FORM_SECRET, FORM_TOKEN)


def test_leadership_cannot_add_an_account_for_another_company(client, leadership):
    from tests import factories as f

    other = f.CompanyFactory(name="别家物业")
    client.force_login(leadership)
    client.post(reverse("wechat_account:add"), _data(company=other.pk))
    assert OfficialAccount.objects.get(appid=APPID).company == leadership.staff.company


@pytest.mark.parametrize("persona", ["manager_a", "service_a", "records_a"])
def test_community_staff_cannot_reach_the_accounts(client, request, persona, account):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("wechat_account:index")).status_code == 302
    assert client.get(reverse("wechat_account:edit", args=[account.pk])).status_code == 404
