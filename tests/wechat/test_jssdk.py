"""JS-SDK: wx.config for a page, signed with the account's jsapi_ticket from the stub."""

import hashlib
import threading

import pytest
from django.core.cache import cache
from django.urls import reverse

from portal.wechat import jssdk
from tests.wechat.conftest import APPID, SECRET
from tests.wechat.factories import OfficialAccountFactory

CONFIG = reverse("wechat:jssdk_config")
PAGE = "http://testserver/sunshine/repairs/new/?house=3"


@pytest.fixture
def account(wechat_stub, company):
    return OfficialAccountFactory(company=company, appid=APPID, secret=SECRET)


def issued_tickets(stub):
    return list(stub.jsapi_tickets)


def expected_signature(ticket, noncestr, timestamp, url):
    """WeChat's algorithm, written out: sha1 of the four fields sorted by name."""
    text = f"jsapi_ticket={ticket}&noncestr={noncestr}&timestamp={timestamp}&url={url}"
    return hashlib.sha1(text.encode()).hexdigest()


def test_signature_matches_the_example_in_wechats_documentation():
    signature = jssdk.sign(
        "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg",
        "Wm3WZYTPz0wzccnW", 1414587457, "http://mp.weixin.qq.com?params=value")

    assert signature == "0f9de62fce790f9a083d5c99e95740ceb90c27ed"


def test_config_is_signed_for_the_page_with_the_ticket_wechat_issued(client, wechat_stub, account):
    response = client.get(CONFIG, {"url": PAGE + "#photos"})

    assert response.status_code == 200
    config = response.json()
    assert config["appId"] == APPID
    (ticket,) = issued_tickets(wechat_stub)
    assert config["signature"] == expected_signature(ticket, config["nonceStr"],
                                                     config["timestamp"], PAGE)
    assert "no-cache" in response["Cache-Control"]


def test_the_ticket_is_kept_in_the_shared_cache(client, wechat_stub, account):
    client.get(CONFIG, {"url": PAGE})
    client.get(CONFIG, {"url": PAGE})

    assert len(wechat_stub.calls_to("cgi-bin/ticket/getticket")) == 1


def test_a_ticket_gone_from_the_cache_is_fetched_again(client, wechat_stub, account):
    first = jssdk.jsapi_ticket(account)
    # What the cache does shortly before WeChat's expiry (CacheStorage's margin).
    cache.delete("wechat:" + jssdk.ticket_key(account))

    second = jssdk.jsapi_ticket(account)

    assert second != first
    assert len(wechat_stub.calls_to("cgi-bin/ticket/getticket")) == 2
    response = client.get(CONFIG, {"url": PAGE})
    config = response.json()
    assert config["signature"] == expected_signature(second, config["nonceStr"],
                                                     config["timestamp"], PAGE)


def test_ten_threads_fetch_one_ticket(wechat_stub, account):
    wechat_stub.token_latency = 0.2
    tickets, errors = [], []

    def ask():
        try:
            tickets.append(jssdk.jsapi_ticket(account))
        except Exception as error:  # noqa: BLE001 reported below
            errors.append(error)

    threads = [threading.Thread(target=ask) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(set(tickets)) == 1
    assert len(wechat_stub.calls_to("cgi-bin/ticket/getticket")) == 1
    assert wechat_stub.token_requests == 1


@pytest.mark.parametrize("url", [
    "https://evil.example.com/sunshine/",
    "http://testserver.evil.example.com/",
    "javascript:alert(1)",
    "/sunshine/",
    "",
    "http://testserver/" + "x" * 3000,
])
def test_urls_of_other_sites_are_refused(client, wechat_stub, account, url):
    response = client.get(CONFIG, {"url": url})

    assert response.status_code == 400
    assert "error" in response.json()
    assert wechat_stub.calls_to("cgi-bin/ticket/getticket") == []


def test_the_portal_base_url_is_our_own_host(client, wechat_stub, account, settings):
    settings.WAGTAILADMIN_BASE_URL = "https://portal.example.com"
    settings.ALLOWED_HOSTS = ["testserver"]

    assert client.get(CONFIG, {"url": "https://portal.example.com/sunshine/"}).status_code == 200


def test_without_an_official_account_there_is_no_config(client, wechat_stub, db):
    response = client.get(CONFIG, {"url": PAGE})

    assert response.status_code == 404


def test_wechat_failing_gives_a_clear_error(client, wechat_stub, account):
    wechat_stub.fail_next("cgi-bin/ticket/getticket", -1)

    response = client.get(CONFIG, {"url": PAGE})

    assert response.status_code == 502
    assert "error" in response.json()


def test_only_get(client, wechat_stub, account):
    assert client.post(CONFIG, {"url": PAGE}).status_code == 405


def test_the_include_loads_the_script_with_the_config_address(client, db):
    from django.template.loader import render_to_string

    html = render_to_string("wechat/jssdk.html")

    assert 'src="/static/wechat/jssdk.js"' in html
    assert f'data-config-url="{CONFIG}"' in html
    assert "https://res.wx.qq.com/open/js/jweixin-1.6.0.js" in html
    assert client.get("/static/wechat/jssdk.js").status_code == 200
