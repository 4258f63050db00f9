"""A resident on their phone files a repair with a photo and a short video from the home
page, finds it in "my tickets" and follows its timeline as customer service and the worker
take it on."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from portal.estates import roles
from services.models import Ticket
from services.pages import ensure_service_pages
from tests import factories as f
from tests.e2e.conftest import log_in, screenshot
from tests.services.video_helpers import BLUE, video_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True,
                                                     serialized_rollback=True)]

PHONE = "13912340077"


@pytest.fixture
def resident(estate):
    house = estate.houses.get(unit__building__name="1栋", unit__name="1单元", number="101")
    resident = f.ResidentFactory(community=estate, name="王秀兰", user__phone=PHONE)
    f.OccupancyFactory(resident=resident, house=house, state="verified")
    ensure_service_pages(estate.home_page)
    return resident


def _photo():
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (40, 120, 200)).save(buffer, "JPEG")
    return {"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def _video():
    data = video_bytes(seconds=12, rate=2, size=(320, 240), colours=(BLUE,))
    return {"name": "VID_20261207.mp4", "mimeType": "video/mp4", "buffer": data}


def _fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth") <= 375


def test_a_resident_files_a_repair_and_follows_it(page, live_server, estate, resident):
    log_in(page, live_server, phone=PHONE, password=f.PASSWORD)
    page.goto(live_server.url + estate.home_page.url)
    page.click("a.weui-grid[data-key=repairs]")
    page.wait_for_load_state()
    assert page.locator("#ticket-form").is_visible()

    page.get_by_label("水", exact=True).check()
    assert page.locator("input[name=location]").first.is_checked()  # my only house
    page.fill("#id_description", "厨房水槽下面的水管一直在滴水")
    # The WeChat photo picker shows only inside WeChat; elsewhere the file input does.
    assert not page.locator("[data-wechat-choose]").first.is_visible()
    page.set_input_files("#id_photos", [_photo()])
    page.set_input_files("#id_video", [_video()])
    assert _fits_the_phone(page)
    screenshot(page, "tickets-owner-01-repair-form")

    page.click("#ticket-form button[type=submit]")
    page.wait_for_load_state()
    ticket = Ticket.objects.get()
    assert page.url == live_server.url + ticket.owner_url
    # The tasks ran after the commit: the photo cleaned, the video given its poster.
    assert all(attachment.processed for attachment in ticket.attachments.all())
    assert page.locator("#ticket-description img").count() == 2
    video = page.locator("#ticket-description a.ticket-photos__poster")
    assert video.locator(".ticket-photos__duration").inner_text() == "0:12"
    box = video.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44  # a finger's tap
    assert page.evaluate(
        "document.querySelector('.ticket-photos__poster img').naturalWidth") == 240
    played = page.request.get(live_server.url + video.get_attribute("href"))
    assert played.ok and played.headers["content-type"] == "video/mp4"
    assert "厨房水槽" in page.locator("#ticket-description").inner_text()
    assert page.locator("#ticket-timeline li").count() == 1
    assert _fits_the_phone(page)
    screenshot(page, "tickets-owner-02-submitted")

    page.goto(live_server.url + "/me/tickets/")
    assert ticket.reference in page.locator("#ticket-list").inner_text()
    screenshot(page, "tickets-owner-03-my-tickets")

    service = f.StaffFactory(company=estate.company, name="林晓燕", communities=[estate],
                             user__groups=[roles.CUSTOMER_SERVICE]).user
    worker = f.StaffFactory(company=estate.company, name="郭志刚", communities=[estate],
                            user__groups=[roles.WORKER], user__phone="13900001111").user
    ticket.accept(by=service)
    ticket.dispatch(worker.staff, by=service,
                    expected_arrival=timezone.now() + timedelta(hours=1))

    page.click("#ticket-list a")
    page.wait_for_load_state()
    steps = page.locator("#ticket-timeline li").all_inner_texts()
    assert len(steps) == 3 and "林晓燕" in steps[1]
    assert page.locator("#ticket-worker a[href='tel:13900001111']").is_visible()
    assert _fits_the_phone(page)
    screenshot(page, "tickets-owner-04-dispatched")

    page.click("#add-message summary")
    page.fill("#id_text", "下午三点以后家里有人")
    page.click("#action-message button[type=submit]")
    page.wait_for_load_state()
    assert "下午三点以后家里有人" in page.locator("#ticket-timeline").inner_text()
    screenshot(page, "tickets-owner-05-message")


def test_the_complaint_form_in_large_text_fits_the_phone(page, live_server, estate, resident):
    log_in(page, live_server, phone=PHONE, password=f.PASSWORD)
    page.goto(live_server.url + estate.home_page.url)
    page.click("a.weui-grid[data-key=complaints]")
    page.wait_for_load_state()
    page.click(".h5-font-switch button")
    page.wait_for_load_state()
    assert page.locator("html.large-font").count() == 1
    assert page.locator("input[name=anonymous]").is_visible()
    assert _fits_the_phone(page)
    screenshot(page, "tickets-owner-06-complaint-large-text")

    page.click("#ticket-form button[type=submit]")  # nothing filled in
    page.wait_for_load_state()
    assert page.locator(".h5-field__error").count() >= 2
    assert not Ticket.objects.exists()
    screenshot(page, "tickets-owner-07-complaint-errors")
