"""An owner on their phone: the merchant list (tag chips, search, tap-to-call) and a
merchant's page, in normal and large text."""

import pytest
import wagtail_factories

from tests.e2e.conftest import screenshot
from tests.merchants import factories as mf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True,
                                                     serialized_rollback=True)]


@pytest.fixture
def merchants(estate):
    from merchants.models import MerchantImage
    from tests import factories as f

    staff = f.UserFactory(is_superuser=True)
    index = mf.merchant_index(estate.home_page)
    noodles = mf.merchant(
        index, title="老王面馆", tags=[mf.tag("餐饮")], phone="0571-88000001",
        intro="三十年老店，手工拉面，汤头每天凌晨熬制。",
        special_services="小区内免费送餐，满30元起送。",
        recommendations=[("item", {"name": "招牌牛肉面", "price": "¥18 / 碗",
                                   "description": "大块牛腱，手工拉面。"}),
                         ("text", "每周一会员日，全场九折。")],
        approve_by=staff)
    MerchantImage.objects.create(page=noodles, image=wagtail_factories.ImageFactory(
        title="门头"), caption="门头")
    mf.merchant(index, title="邻里鲜超市", slug="fresh", tags=[mf.tag("超市便利"),
                                                              mf.tag("生鲜果蔬")],
                mobile="13900000002", address="阳光花园东门沿街商铺12号",
                opening_hours="07:00-22:30", approve_by=staff)
    mf.merchant(index, title="好帮手家政服务中心（保洁、月嫂、家电清洗）", slug="helper",
                tags=[mf.tag("家政服务")], mobile="13900000003", address="物业楼一层",
                opening_hours="08:00-18:00", approve_by=staff)
    return index, noodles


def test_owner_browses_merchants_by_tag_and_opens_one(page, live_server, merchants):
    index, noodles = merchants
    page.goto(live_server.url + index.url)

    assert page.locator("#merchant-list .h5-merchant").count() == 3
    assert page.locator("a[href='tel:13900000002']").count() == 1
    screenshot(page, "merchants-index")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.locator("#merchant-tags a", has_text="生鲜果蔬").click()
    page.wait_for_load_state()
    assert page.locator("#merchant-list .h5-merchant__name").all_inner_texts() == ["邻里鲜超市"]

    page.fill("input[name=q]", "面馆")
    page.locator("form[role=search] button").click()
    page.wait_for_load_state()
    page.locator("#merchant-results a.h5-merchant__main").first.click()
    page.wait_for_load_state()

    assert page.locator("h1").inner_text() == "老王面馆"
    assert page.locator("a[href='tel:0571-88000001']").count() == 1
    assert "招牌牛肉面" in page.locator("#merchant-recommendations").inner_text()
    screenshot(page, "merchants-page")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_merchant_pages_in_large_text_fit_the_phone(page, live_server, merchants):
    index, noodles = merchants
    page.goto(live_server.url + index.url)
    page.locator(".h5-font-switch button").click()
    page.wait_for_load_state()

    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "merchants-index-large-font")

    page.goto(live_server.url + noodles.url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "merchants-page-large-font")
