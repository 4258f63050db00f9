"""A new resident on their phone: QR link → register → bind a house → pending state."""

import pytest

from portal.estates.models import Occupancy, Resident
from tests.e2e.conftest import register_resident, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True,
                                                     serialized_rollback=True)]

PASSWORD = "Lakeside-2026!"


def test_new_resident_registers_binds_a_house_and_sees_it_pending(page, live_server, estate):
    from portal.estates.registration import registration_path

    page.goto(live_server.url + registration_path(estate))
    assert page.locator("#signup-community").inner_text().count("阳光花园") == 1
    screenshot(page, "resident-01-signup")

    register_resident(page, live_server, estate, name="张秀英", phone="139 1234 5678",
                      password=PASSWORD, shot="resident-02")
    # Signed up and logged in: the portal root sends the resident to their community.
    assert page.url == live_server.url + "/sunshine/"
    assert page.locator(".h5-banner__name").inner_text() == "阳光花园"
    resident = Resident.objects.get(name="张秀英")
    assert resident.community == estate
    screenshot(page, "resident-03-home-new")

    page.click("a[href='/me/houses/bind/']")
    page.select_option("#id_unit", label="2栋1单元")
    page.fill("#id_number", "9999")
    page.check("input[name=role][value=owner]")
    page.click("form.h5-form button[type=submit]")
    error = page.locator(".h5-field__error")
    assert "9999" in error.inner_text()
    assert page.input_value("#id_number") == "9999"
    screenshot(page, "resident-04-bind-unknown-number")

    page.fill("#id_number", "1201")
    page.click("form.h5-form button[type=submit]")
    page.wait_for_url(live_server.url + "/me/")
    assert page.locator("#my-houses .h5-badge_pending").count() == 1
    assert "2栋1单元1201" in page.locator("#my-houses").inner_text()
    assert "139****5678" in page.locator("#my-phone").inner_text()
    screenshot(page, "resident-05-me-pending")

    page.goto(live_server.url + "/")
    assert page.locator("#my-houses .h5-badge_pending").count() == 1
    screenshot(page, "resident-06-home-pending")
    assert Occupancy.objects.get(resident=resident).state == Occupancy.State.PENDING


def test_large_text_switch_works_without_javascript(browser, live_server, estate):
    context = browser.new_context(viewport={"width": 375, "height": 812},
                                  java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(live_server.url + "/sunshine/")
        page.click(".h5-font-switch button")
        assert page.locator("html.large-font").count() == 1
        screenshot(page, "resident-07-home-large-text")
        page.goto(live_server.url + "/accounts/login/")
        assert page.locator("html.large-font").count() == 1
        screenshot(page, "resident-08-login-large-text")
    finally:
        context.close()


def test_tampered_link_and_sign_up_without_a_link_explain_what_to_do(page, live_server, estate):
    from portal.estates.registration import registration_path

    page.goto(live_server.url + registration_path(estate)[:-3] + "xx/")
    assert page.locator("#link-error").is_visible()
    screenshot(page, "resident-09-link-error")

    page.goto(live_server.url + "/accounts/signup/")
    assert page.locator("form.h5-form").count() == 0
    screenshot(page, "resident-10-signup-without-link")
