"""Browser tests: Playwright (sync API) driving Debian's chromium, as a phone in WeChat.

Run with `make e2e` (or `pytest -m e2e tests/e2e`). The browser is the system's
/usr/bin/chromium; nothing is downloaded. Screenshots go to test-artifacts/screenshots/.
"""

import os
import re
from pathlib import Path

import pytest

from home.pages import ensure_home_page
from tests import factories as f

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE_VIEWPORT = {"width": 375, "height": 812}
WECHAT_USER_AGENT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50(0x1800323c) "
    "NetType/WIFI Language/zh_CN"
)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, and Django then
    # refuses ORM calls here; the tests' own calls (factories, assertions, database
    # set-up) are plain synchronous code and safe. Only while the browser is up.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def browser_context(browser):
    """A fresh phone: WeChat's in-app browser at 375×812, Chinese, no cookies."""
    context = browser.new_context(viewport=PHONE_VIEWPORT, user_agent=WECHAT_USER_AGENT,
                                  locale="zh-CN", is_mobile=True, has_touch=True,
                                  device_scale_factor=2)
    # The pages load WeChat's JS-SDK from WeChat inside its browser; tests never leave
    # this machine, so the request fails at once as it would offline.
    context.route("https://res.wx.qq.com/**", lambda route: route.abort())
    yield context
    context.close()


@pytest.fixture
def page(browser_context):
    page = browser_context.new_page()
    page.set_default_timeout(15_000)
    return page


def screenshot(page, name):
    """Save the whole page as test-artifacts/screenshots/<name>.png and return the path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def register_resident(page, live_server, community, *, name, phone, password, shot=None):
    """Open the community's QR link and sign up; returns with the new resident logged in.
    With `shot`, screenshots are taken as `<shot>-...`."""
    from portal.estates.registration import registration_path

    page.goto(live_server.url + registration_path(community))
    page.fill("#id_name", name)
    page.fill("#id_phone", phone)
    page.fill("#id_password1", password)
    page.fill("#id_password2", password)
    if shot:
        screenshot(page, f"{shot}-signup-filled")
    page.click("form.h5-form button[type=submit]")
    page.wait_for_load_state()


def log_in(page, live_server, *, phone, password):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_login", phone)
    page.fill("#id_password", password)
    page.click("form.h5-form button[type=submit]")
    page.wait_for_load_state()


@pytest.fixture
def estate(db):
    community = f.CommunityFactory(name="阳光花园", code="sunshine",
                                   address="西湖区文三路 88 号", office_hours="8:00–18:00")
    for building_name in ("1栋", "2栋", "3栋"):
        building = f.BuildingFactory(community=community, name=building_name)
        for unit_name in ("1单元", "2单元"):
            unit = f.UnitFactory(building=building, name=unit_name)
            for number in ("101", "102", "1201"):
                f.HouseFactory(unit=unit, number=number)
    ensure_home_page(community)
    return community


def bind_house(page, live_server, *, unit_label, number, role="owner"):
    page.goto(live_server.url + "/me/houses/bind/")
    page.select_option("#id_unit", label=unit_label)
    page.fill("#id_number", number)
    page.check(f"input[name=role][value={role}]")
    page.click("form.h5-form button[type=submit]")
    page.wait_for_url(live_server.url + "/me/")
