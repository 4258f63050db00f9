"""A resident on their phone: the activity list, an activity page with its places, signing
up, a refusal with the input kept, cancelling; and the page in large-font mode."""

import pytest

from notices.models import ActivitySignup
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
def activities(estate):
    index = nf.activity_index(estate.home_page)
    building_1 = estate.buildings.get(name="1栋")
    festival = nf.activity(
        index, targets=[estate], title="中秋游园会", capacity=30, fee="20.00", ask_note=True,
        summary="猜灯谜、做月饼，欢迎全家参加。", place="中心广场",
        body=[("paragraph", "<p>活动当天请凭报名信息在服务台签到，月饼材料由物业提供。</p>")])
    nf.activity(index, targets=[building_1], title="1栋楼道清洁日", starts_in_days=3,
                summary="一起打扫楼道，清理杂物。", place="1栋大堂")
    return index, festival


def test_resident_signs_up_for_an_activity_and_cancels(page, live_server, estate,
                                                       resident_in_building_1, activities):
    index, festival = activities
    log_in(page, live_server, phone=PHONE, password=PASSWORD)

    page.goto(live_server.url + estate.home_page.url)
    page.locator("#quick-links a", has_text="活动").click()
    page.wait_for_load_state()
    assert page.locator("#upcoming-activities li").count() == 2
    screenshot(page, "activities-list")

    page.locator("#upcoming-activities a", has_text="中秋游园会").click()
    page.wait_for_load_state()
    assert "30" in page.locator("#remaining-places").inner_text()
    page.fill("#id_people", "3")
    page.fill("#id_note", "带两个孩子")
    screenshot(page, "activities-page-form")
    page.click("#signup-form button[type=submit]")
    page.wait_for_load_state()

    signup = ActivitySignup.objects.get()
    assert (signup.people, signup.note, signup.state) == (3, "带两个孩子", "confirmed")
    assert "27" in page.locator("#remaining-places").inner_text()
    assert page.locator("#cancel-signup").is_visible()
    screenshot(page, "activities-page-signed-up")

    page.click("#cancel-signup")
    page.wait_for_load_state()
    signup.refresh_from_db()
    assert signup.state == "cancelled"
    assert page.locator("#signup-form").is_visible()
    screenshot(page, "activities-page-cancelled")


def test_a_bad_number_of_people_is_explained_next_to_the_field_in_large_text(
        page, live_server, resident_in_building_1, activities):
    _index, festival = activities
    log_in(page, live_server, phone=PHONE, password=PASSWORD)
    page.goto(live_server.url + festival.url)
    page.click("button[aria-pressed=false]")  # large text
    page.wait_for_load_state()

    page.fill("#id_people", "9")
    page.fill("#id_note", "需要轮椅通道")
    page.click("#signup-form button[type=submit]")
    page.wait_for_load_state()

    assert page.locator("#id_people_error").is_visible()
    assert page.input_value("#id_note") == "需要轮椅通道"
    assert not ActivitySignup.objects.exists()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    screenshot(page, "activities-page-bad-input-large-text")
