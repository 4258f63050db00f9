"""An owner on their phone (375 px) invites a visitor: the invitation form (a refused
window shown next to its field with the input kept), the pass with a visible QR code and
a large code, the same page opened by the visitor without logging in, and my passes; in
normal and large text."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.estates.models import House
from services.visitors.models import VisitorPass
from tests import factories as f
from tests.e2e.conftest import log_in, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True,
                                                     serialized_rollback=True)]

PASSWORD = "Sunshine-2026!"
PHONE = "13800138021"
LOCAL = "%Y-%m-%dT%H:%M"


@pytest.fixture
def owner(estate):
    house = House.objects.get(unit__building__name="1栋", unit__name="1单元", number="101")
    resident = f.ResidentFactory(community=estate, name="王芳", user__phone=PHONE)
    resident.user.set_password(PASSWORD)
    resident.user.save()
    f.OccupancyFactory(resident=resident, house=house, state="verified")
    return house


def fits(page):
    return page.evaluate("document.documentElement.scrollWidth") <= 375


def fill_invitation(page, *, hours):
    start = timezone.localtime() + timedelta(hours=1)
    page.fill("#id_visitor_name", "李四")
    page.fill("#id_visitor_phone", "13912345678")
    page.fill("#id_people", "2")
    page.fill("#id_plate", "粤b 123 45")
    page.fill("#id_purpose", "探亲")
    page.fill("#id_starts_at", start.strftime(LOCAL))
    page.fill("#id_ends_at", (start + timedelta(hours=hours)).strftime(LOCAL))


@pytest.mark.parametrize("large_text", [False, True], ids=["normal", "large"])
def test_owner_invites_a_visitor_and_shares_the_pass(page, live_server, browser, owner,
                                                     large_text):
    log_in(page, live_server, phone=PHONE, password=PASSWORD)
    suffix = "-large" if large_text else ""
    page.goto(live_server.url + "/me/visitors/invite/")
    if large_text:
        page.locator(".h5-font-switch button").click()
        page.wait_for_load_state()

    fill_invitation(page, hours=30)
    page.click("#invite-submit")
    page.wait_for_load_state()
    error = page.locator("#id_ends_at_error")
    assert error.is_visible()
    assert page.input_value("#id_visitor_name") == "李四"
    assert fits(page)
    screenshot(page, f"visitors-invite-refused{suffix}")

    fill_invitation(page, hours=3)
    page.click("#invite-submit")
    page.wait_for_load_state()
    visitor_pass = VisitorPass.objects.get()
    assert visitor_pass.plate == "粤B12345"
    qr = page.locator("#pass-qr svg")
    assert qr.is_visible() and qr.bounding_box()["width"] >= 200
    code = page.locator("#pass-code")
    assert code.inner_text().replace(" ", "") == visitor_pass.code
    assert code.bounding_box()["height"] >= 36
    assert fits(page)
    screenshot(page, f"visitors-pass{suffix}")

    # The visitor opens the forwarded page: no login, no personal data.
    stranger = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True)
    try:
        shared = stranger.new_page()
        shared.goto(page.url)
        assert shared.locator("#pass-qr svg").is_visible()
        assert "13912345678" not in shared.content() and "李四" not in shared.content()
        screenshot(shared, f"visitors-pass-shared{suffix}")
    finally:
        stranger.close()

    page.goto(live_server.url + "/me/visitors/")
    assert page.locator("#passes .pass-row").count() == 1
    assert fits(page)
    screenshot(page, f"visitors-my-passes{suffix}")

    page.locator("#passes .pass-row__link").first.click()
    page.wait_for_load_state()
    assert page.locator("#revoke-pass").is_visible()
    assert fits(page)
    screenshot(page, f"visitors-pass-detail{suffix}")

    page.click("#revoke-pass")  # asks first, on a page of its own
    page.wait_for_load_state()
    assert fits(page)
    screenshot(page, f"visitors-revoke-confirm{suffix}")
