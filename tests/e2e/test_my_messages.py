"""My messages on a phone: the unread count in the header, the list with unread ones
marked, opening one (which reads it) and following its link, large text, the empty page."""

import pytest

from portal.notifications import notify
from portal.notifications.models import InboxMessage
from tests import factories as f
from tests.e2e.conftest import log_in, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True,
                                                     serialized_rollback=True)]

PHONE = "13912340001"


@pytest.fixture
def resident(estate):
    house = estate.houses.get(unit__building__name="1栋", unit__name="1单元", number="101")
    resident = f.ResidentFactory(community=estate, name="王秀兰", user__phone=PHONE)
    f.OccupancyFactory(resident=resident, house=house, state="pending")
    return resident


def _fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth") <= 375


def test_a_resident_reads_their_messages_on_a_phone(page, live_server, estate, resident):
    staff = f.StaffFactory(company=estate.company, communities=[estate]).user
    resident.occupancies.get().verify(by=staff)  # the first message: house verified
    notify(resident.user, "notifications.test")
    log_in(page, live_server, phone=PHONE, password=f.PASSWORD)

    page.goto(live_server.url + "/me/")
    assert page.locator("#header-unread").inner_text() == "2"
    assert _fits_the_phone(page)
    screenshot(page, "messages-01-header-count")

    page.click("#header-messages")
    page.wait_for_url(live_server.url + "/me/messages/")
    items = page.locator("#messages .inbox-item")
    assert items.count() == 2
    assert page.locator("#messages .inbox-item_unread").count() == 2
    newest = InboxMessage.objects.get(recipient=resident.user, event="notifications.test")
    assert newest.title in items.nth(0).inner_text()
    assert _fits_the_phone(page)
    screenshot(page, "messages-02-list-unread")

    items.nth(1).click()  # the older one: the house binding
    page.wait_for_selector("#message")
    assert "1栋1单元101" in page.locator("#message").inner_text()
    screenshot(page, "messages-03-opened")
    page.click("#message-link")
    page.wait_for_url(live_server.url + "/me/")
    assert page.locator("#header-unread").inner_text() == "1"

    page.goto(live_server.url + "/me/messages/")
    assert page.locator("#messages .inbox-item_unread").count() == 1
    page.click("form.h5-font-switch button")
    page.wait_for_load_state()
    assert page.locator("html.large-font").count() == 1
    assert _fits_the_phone(page)
    screenshot(page, "messages-04-large-text")


def test_a_resident_without_messages_is_told_so(page, live_server, estate, resident):
    log_in(page, live_server, phone=PHONE, password=f.PASSWORD)
    page.goto(live_server.url + "/me/messages/")

    assert page.locator("#no-messages").is_visible()
    assert page.locator("#header-unread").count() == 0
    screenshot(page, "messages-05-empty")


def test_the_property_office_reads_how_the_messages_went_out(browser, live_server, estate,
                                                             resident):
    from django.urls import reverse

    from portal.estates import roles
    from portal.notifications.models import Delivery

    manager = f.StaffFactory(company=estate.company, communities=[estate],
                             user__username="manager", user__groups=[roles.MANAGER]).user
    resident.occupancies.get().verify(by=manager)
    delivery = Delivery.objects.get()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    desk = context.new_page()
    try:
        desk.goto(live_server.url + "/admin/login/")
        desk.fill("#id_username", "manager")
        desk.fill("#id_password", f.PASSWORD)
        desk.click("button[type=submit]")
        desk.wait_for_url(live_server.url + "/admin/")

        desk.goto(live_server.url + reverse("delivery:index"))
        assert resident.name in desk.locator("table.listing").inner_text()
        screenshot(desk, "messages-06-admin-delivery-log")
        desk.goto(live_server.url + reverse("delivery:inspect", args=[delivery.pk]))
        assert resident.name in desk.locator("main").inner_text()
        screenshot(desk, "messages-07-admin-delivery")
    finally:
        context.close()
