"""An elderly owner on a 375 px phone: the phone repair page (电话报修) with the numbers
to call as tel: links, and my tickets with a ticket's timeline, in normal and large text.
Each screen is checked to fit the phone, with tap targets of at least 44 px and text no
smaller than the page's body text allows."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.estates import roles
from services.pages import PhoneRepairPage
from services.tickets.roster import DutyShift
from tests import factories as f
from tests.e2e import test_tickets_owner
from tests.e2e.conftest import log_in, screenshot
from tests.services.factories import submit

# The owner (王秀兰 of 1栋1单元101) of the other owner-side browser tests.
resident = test_tickets_owner.resident
PHONE = test_tickets_owner.PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True,
                                                     serialized_rollback=True)]

# The smallest comfortable tap target on a phone (Apple and WeChat's guidelines say 44).
MIN_TAP = 44
# No text below this many CSS pixels for an elderly reader (normal text mode).
MIN_FONT = 14


@pytest.fixture
def phone_page(estate):
    estate.service_phone = "0571-8888 6666"
    estate.save()
    page = PhoneRepairPage.objects.child_of(estate.home_page).get()
    page.intro = "水电气、电梯、门窗故障，请直接拨打下面的电话，24 小时有人接听。"
    page.numbers = [
        ("number", {"name": "24小时维修热线", "phone": "400-800-1234", "note": "夜间也可拨打"}),
        ("number", {"name": "电梯困人紧急救援（物业中控室）", "phone": "0571-8765 4321",
                    "note": ""}),
    ]
    page.save_revision().publish()
    now = timezone.now()
    for name, phone in (("郭志刚", "13900001111"), ("陈建国", "13900002222")):
        worker = f.StaffFactory(company=estate.company, name=name, communities=[estate],
                                user__groups=[roles.WORKER], user__phone=phone)
        DutyShift.objects.create(community=estate, staff=worker,
                                 starts_at=now - timedelta(hours=2),
                                 ends_at=now + timedelta(hours=6))
    return page


def fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth") <= 375


def small_tap_targets(page, selector):
    """The links and buttons of ``selector`` shorter than MIN_TAP pixels."""
    return page.evaluate("""([selector, min]) => [...document.querySelectorAll(selector)]
        .filter(el => el.offsetParent !== null)
        .map(el => [el.textContent.trim().slice(0, 30), el.getBoundingClientRect().height])
        .filter(([, height]) => height < min)""", [selector, MIN_TAP])


def small_text(page, selector, minimum=MIN_FONT):
    """Visible texts under ``selector`` set smaller than ``minimum`` pixels."""
    return page.evaluate("""([selector, min]) => {
        const small = [];
        for (const root of document.querySelectorAll(selector)) {
          const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
          while (walker.nextNode()) {
            const text = walker.currentNode.textContent.trim();
            const el = walker.currentNode.parentElement;
            if (!text || el.offsetParent === null) continue;
            const size = parseFloat(getComputedStyle(el).fontSize);
            if (size < min) small.push([text.slice(0, 30), size]);
          }
        }
        return small;
    }""", [selector, minimum])


def broken_lines(page, selector):
    """Texts under ``selector`` kept on one line (a date, a phone number) that wrap anyway."""
    return page.evaluate("""selector => [...document.querySelectorAll(selector)]
        .filter(el => el.getClientRects().length > 1)
        .map(el => el.textContent)""", selector)


NOWRAP = "main span[style*=nowrap]"


def large_text(page):
    page.click(".h5-font-switch button")
    page.wait_for_load_state()
    assert page.locator("html.large-font").count() == 1


def test_phone_repair_numbers_are_tel_links_an_owner_can_tap(page, live_server, estate,
                                                            resident, phone_page):
    log_in(page, live_server, phone=PHONE, password=f.PASSWORD)
    page.goto(live_server.url + estate.home_page.url)
    page.click("a.weui-grid[data-key=phone_repair]")
    page.wait_for_load_state()
    assert page.url == live_server.url + phone_page.url

    hrefs = page.locator("main a[href^='tel:']").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))")
    # Spaces are left out of the number dialled; every number shown can be called.
    assert hrefs == ["tel:0571-88886666", "tel:400-800-1234", "tel:0571-87654321",
                     "tel:13900001111", "tel:13900002222"]
    on_duty = page.locator("#workers-on-duty").inner_text()
    assert "郭志刚" in on_duty and "陈建国" in on_duty
    assert fits_the_phone(page)
    assert small_tap_targets(page, "main a, main button") == []
    assert small_text(page, "main") == []
    screenshot(page, "tickets-phone-01-phone-repair")

    large_text(page)
    assert fits_the_phone(page)
    assert small_tap_targets(page, "main a, main button") == []
    # The desk's number stays whole on the button, however large the text.
    assert page.locator("#service-desk span[style*=nowrap]").inner_text() == "0571-8888 6666"
    assert broken_lines(page, NOWRAP) == []
    screenshot(page, "tickets-phone-02-phone-repair-large-text")


def test_my_tickets_and_the_timeline_on_a_phone(page, live_server, estate, resident):
    service = f.StaffFactory(company=estate.company, name="林晓燕", communities=[estate],
                             user__groups=[roles.CUSTOMER_SERVICE]).user
    worker = f.StaffFactory(company=estate.company, name="郭志刚", communities=[estate],
                            user__groups=[roles.WORKER], user__phone="13900001111").user
    house = resident.occupancies.get().house
    user = resident.user
    done = submit(user, house=house, description="卫生间马桶一直漏水，地面都湿了")
    done.accept(by=service)
    done.dispatch(worker.staff, by=service, expected_arrival=timezone.now() + timedelta(hours=1))
    done.set_off(by=worker)
    done.start(by=worker)
    done.complete(by=worker, note="更换了马桶进水阀和密封圈，已试水两次不再漏水",
                  materials="进水阀 1 个")
    submit(user, house=house, name="电", description="客厅的灯不亮了")
    open_ticket = submit(user, house=house, name="门窗",
                         description="阳台推拉门关不严，刮风的时候有很大的声音" * 2)
    open_ticket.accept(by=service)

    log_in(page, live_server, phone=PHONE, password=f.PASSWORD)
    page.goto(live_server.url + "/me/")
    assert page.locator("#my-open-tickets").inner_text() == "2"
    screenshot(page, "tickets-phone-03-me")
    page.click("#my-tickets-link")
    page.wait_for_url(live_server.url + "/me/tickets/")

    assert page.locator("#ticket-list a").count() == 3
    assert fits_the_phone(page)
    assert small_tap_targets(page, "#ticket-list a") == []
    assert small_text(page, "#ticket-list") == []
    screenshot(page, "tickets-phone-04-my-tickets")

    page.click(f"#ticket-list a[data-ticket='{done.pk}']")
    page.wait_for_load_state()
    steps = page.locator("#ticket-timeline li").all_inner_texts()
    assert len(steps) == 6
    assert "林晓燕" in steps[1] and "郭志刚" in " ".join(steps[2:])
    assert page.locator("#ticket-worker a[href='tel:13900001111']").is_visible()
    assert fits_the_phone(page)
    assert small_tap_targets(page, "main a:not(.ticket-photos__tile), main button, "
                                   "main summary") == []
    assert small_text(page, "main") == []
    # The owner's rating button says so (it once borrowed the admin's "read rate").
    assert page.locator("#action-rate button[type=submit]").inner_text() == "提交评价"
    screenshot(page, "tickets-phone-05-timeline")

    large_text(page)
    assert fits_the_phone(page)
    assert page.locator(NOWRAP).count() >= 7  # the reopen date and each step's time
    assert broken_lines(page, NOWRAP) == []
    screenshot(page, "tickets-phone-06-timeline-large-text")
    page.goto(live_server.url + "/me/tickets/")
    assert fits_the_phone(page)
    assert broken_lines(page, NOWRAP) == []
    screenshot(page, "tickets-phone-07-my-tickets-large-text")
