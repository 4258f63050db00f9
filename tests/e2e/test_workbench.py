"""The worker's workbench on a phone (375 px): the order with the owner's photo and a
masked phone, take it, on the way, start, complete with a photo and the materials; the
week's completed orders; large text."""

import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from portal.estates import roles
from services.models import Ticket, TicketAttachment
from services.tickets.tasks import process_attachment
from tests import factories as f
from tests.e2e.conftest import log_in, screenshot
from tests.services.factories import submit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True,
                                                     serialized_rollback=True)]

WORKER_PHONE = "13912345678"
OWNER_PHONE = "13800138000"


def jpeg(color):
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), color).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def order(estate):
    house = estate.houses.get(unit__building__name="1栋", unit__name="1单元", number="101")
    owner = f.ResidentFactory(community=estate, name="王秀兰", user__phone=OWNER_PHONE)
    service = f.StaffFactory(company=estate.company, communities=[estate],
                             user__groups=[roles.CUSTOMER_SERVICE]).user
    f.OccupancyFactory(resident=owner, house=house, state="pending").verify(by=service)
    worker = f.StaffFactory(company=estate.company, communities=[estate], name="郭志刚",
                            user__phone=WORKER_PHONE, user__groups=[roles.WORKER])
    ticket = submit(owner.user, house=house, description="厨房水龙头一直滴水，关不紧")
    photo = TicketAttachment.objects.create(
        ticket=ticket, community=estate, uploaded_by=owner.user,
        file=ContentFile(jpeg((200, 60, 60)), name="report.jpg"))
    process_attachment.call(photo.pk)
    ticket.dispatch(worker, by=service)
    return ticket


def _fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth") <= 375


def test_a_worker_takes_and_completes_an_order_on_a_phone(page, live_server, order,
                                                          tmp_path):
    log_in(page, live_server, phone=WORKER_PHONE, password=f.PASSWORD)
    page.goto(live_server.url + "/work/")

    card = page.locator(f"#order-{order.pk}")
    assert "厨房水龙头" in card.inner_text()
    assert "138****8000" in card.inner_text()
    assert OWNER_PHONE not in page.content()
    assert card.locator(".ticket-photos img").count() == 1
    call = page.request.get(live_server.url + card.locator(".wb-call").get_attribute("href"),
                            max_redirects=0)
    assert call.headers["location"] == f"tel:{OWNER_PHONE}"
    assert _fits_the_phone(page)
    screenshot(page, "workbench-01-orders")

    card.locator("button[name=take]").click()
    page.wait_for_load_state()
    assert page.locator(f"#order-{order.pk} button[name=take]").count() == 0

    page.select_option(f"#arrive-in-{order.pk}", "30")
    page.locator(f"#order-{order.pk} button[name=set_off]").click()
    page.wait_for_load_state()
    order.refresh_from_db()
    assert order.expected_arrival is not None
    screenshot(page, "workbench-02-on-the-way")

    page.locator(f"#order-{order.pk} button[name=start]").click()
    page.wait_for_load_state()
    order.refresh_from_db()
    assert order.state == Ticket.State.IN_PROGRESS

    page.locator(f"#order-{order.pk} a[href$='#complete']").click()
    page.wait_for_selector("#complete")
    after = tmp_path / "after.jpg"
    after.write_bytes(jpeg((60, 160, 90)))
    page.set_input_files("input[name=photos]", str(after))
    page.fill("#id_materials", "水龙头阀芯 1 个")
    assert _fits_the_phone(page)
    screenshot(page, "workbench-03-complete-form")
    page.click("#complete-submit")
    page.wait_for_url(live_server.url + "/work/")
    assert page.locator("#no-orders").is_visible()

    order.refresh_from_db()
    assert order.state == Ticket.State.COMPLETED
    assert order.materials == "水龙头阀芯 1 个"
    photo = order.attachments.get(stage=TicketAttachment.Stage.AFTER)
    assert photo.processed and photo.thumbnail

    page.click("#tab-done")
    page.wait_for_selector("#done-orders")
    assert "水龙头阀芯" in page.locator(f"#order-{order.pk}").inner_text()
    assert page.locator(f"#order-{order.pk} .ticket-photos img").count() == 2
    screenshot(page, "workbench-04-done")


def test_the_owners_video_shows_its_poster_and_length_on_the_card(page, live_server, order):
    from tests.services.video_helpers import BLUE, video_bytes

    video = TicketAttachment.objects.create(
        ticket=order, community=order.community, uploaded_by=order.reporter,
        kind=TicketAttachment.Kind.VIDEO,
        file=ContentFile(video_bytes(seconds=12, size=(160, 90), colours=(BLUE,)),
                         name="leak.mp4"))
    process_attachment.call(video.pk)
    log_in(page, live_server, phone=WORKER_PHONE, password=f.PASSWORD)
    page.goto(live_server.url + "/work/")

    tile = page.locator(f"#order-{order.pk} .ticket-photos__poster")
    assert tile.locator(".ticket-photos__duration").inner_text() == "0:12"
    assert tile.locator("img").evaluate("img => img.complete && img.naturalWidth") == 240
    assert tile.locator(".ticket-photos__play").is_visible()
    assert _fits_the_phone(page)
    screenshot(page, "workbench-07-video-poster")
    played = page.request.get(live_server.url + tile.get_attribute("href"),
                              headers={"Range": "bytes=0-99"})
    assert (played.status, played.headers["content-type"]) == (206, "video/mp4")


def test_the_workbench_in_large_text(page, live_server, order):
    log_in(page, live_server, phone=WORKER_PHONE, password=f.PASSWORD)
    page.goto(live_server.url + "/work/")
    page.click("form.h5-font-switch button")
    page.wait_for_load_state()

    assert page.locator("html.large-font").count() == 1
    assert _fits_the_phone(page)
    screenshot(page, "workbench-05-large-text")
    page.goto(live_server.url + f"/work/{order.pk}/")
    assert _fits_the_phone(page)
    screenshot(page, "workbench-06-order-large-text")


def test_a_resident_is_told_the_workbench_is_for_workers(page, live_server, order):
    log_in(page, live_server, phone=OWNER_PHONE, password=f.PASSWORD)
    page.goto(live_server.url + "/work/")

    assert page.locator("#not-for-you").is_visible()
    screenshot(page, "workbench-07-not-for-residents")
