"""A resident on their phone: the emergency banner on the home page, the notice list, a
notice, and the same in large-font mode."""

import pytest

from notices.models import NoticePage
from portal.estates.models import House
from tests import factories as f
from tests.e2e.conftest import log_in, screenshot
from tests.notices import factories as nf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True,
                                                     serialized_rollback=True)]

PASSWORD = "Sunshine-2026!"
PHONE = "13800138000"


@pytest.fixture
def resident_in_building_1(estate):
    house = House.objects.get(unit__building__name="1栋", unit__name="1单元", number="101")
    resident = f.ResidentFactory(community=estate, name="王芳", user__phone=PHONE)
    resident.user.set_password(PASSWORD)
    resident.user.save()
    f.OccupancyFactory(resident=resident, house=house, state="verified")
    return resident


@pytest.fixture
def notices(estate):
    index = nf.notice_index(estate.home_page)
    building_1 = estate.buildings.get(name="1栋")
    building_2 = estate.buildings.get(name="2栋")
    nf.notice(index, targets=[estate], title="物业费缴纳提醒", category=NoticePage.Category.FEE,
              summary="请于本月底前缴纳第四季度物业费。")
    nf.notice(index, targets=[estate], title="中秋节活动安排", pinned=True,
              category=NoticePage.Category.FESTIVAL,
              summary="中秋晚会将于9月17日晚在中心广场举行。")
    urgent = nf.notice(
        index, targets=[building_1], title="1栋今晚停水", category=NoticePage.Category.EMERGENCY,
        summary="因管道维修，1栋今晚20:00至次日6:00停水，请提前储水。",
        body=[("paragraph", "<p>因主水管维修，<b>1栋</b>今晚20:00至次日6:00停水。</p>"),
              ("table", {"first_row_is_table_header": True,
                         "data": [["时间", "范围"], ["20:00–06:00", "1栋全部单元"]]})],
    )
    nf.notice(index, targets=[building_2], title="2栋电梯检修")
    return index, urgent


def test_resident_reads_the_emergency_notice_from_the_home_page_banner(
        page, live_server, estate, resident_in_building_1, notices):
    index, urgent = notices
    log_in(page, live_server, phone=PHONE, password=PASSWORD)
    page.goto(live_server.url + estate.home_page.url)

    banner = page.locator("#emergency-notices")
    assert "1栋今晚停水" in banner.inner_text()
    screenshot(page, "notices-home-banner")

    banner.locator("a").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "1栋今晚停水"
    assert page.locator("meta[property='og:title']").get_attribute("content") == "1栋今晚停水"
    screenshot(page, "notices-emergency-notice")

    page.goto(live_server.url + index.url)
    titles = page.locator("#notice-list .h5-list__title").all_inner_texts()
    assert "1栋今晚停水" in titles[0]
    assert "中秋节活动安排" in titles[1]
    assert not any("2栋电梯检修" in title for title in titles)
    assert page.locator("#notice-list .h5-unread").count() == 2  # the emergency was read
    screenshot(page, "notices-list")

    page.goto(live_server.url + estate.home_page.url)
    assert page.locator("#emergency-notices").count() == 0


def test_notice_list_in_large_font_mode_fits_the_phone(
        page, live_server, estate, resident_in_building_1, notices):
    index, _urgent = notices
    log_in(page, live_server, phone=PHONE, password=PASSWORD)
    page.goto(live_server.url + index.url)
    page.locator(".h5-font-switch button").click()
    page.wait_for_load_state()

    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "notices-list-large-font")
