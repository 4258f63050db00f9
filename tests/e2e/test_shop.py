"""An owner on their phone (375 px): the products on a merchant's page, two bowls ordered
cash on delivery for their house, the order page with its timeline and cancel button,
my orders; and the same pages in large text."""

import pytest

from home.pages import ensure_home_page
from portal.estates.models import House
from tests import factories as f
from tests.e2e.conftest import log_in, screenshot
from tests.merchants import factories as mf
from tests.merchants.shop import factories as sf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True,
                                                     serialized_rollback=True)]

PASSWORD = "Sunshine-2026!"
PHONE = "13800138021"


@pytest.fixture
def shop(estate):
    house = House.objects.get(unit__building__name="1栋", unit__name="1单元", number="101")
    resident = f.ResidentFactory(community=estate, name="王芳", user__phone=PHONE)
    resident.user.set_password(PASSWORD)
    resident.user.save()
    f.OccupancyFactory(resident=resident, house=house, state="verified")
    staff = f.UserFactory(is_superuser=True)
    index = mf.merchant_index(ensure_home_page(estate))
    noodles = mf.merchant(index, title="老王面馆", approve_by=staff)
    beef = sf.product(noodles, name="招牌牛肉拉面（大碗，加蛋加肉）", price="18.00", stock=20,
                      description="大块牛腱，手工拉面")
    sf.product(noodles, name="卤蛋", price="2.00", stock=0)
    return noodles, beef


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_owner_orders_cash_on_delivery_and_finds_it_in_my_orders(page, live_server, shop):
    noodles, beef = shop
    log_in(page, live_server, phone=PHONE, password=PASSWORD)

    page.goto(live_server.url + noodles.url)
    assert page.locator("#merchant-products .shop-product").count() == 2
    assert page.locator("#merchant-products .shop-soldout").count() == 1
    more = page.locator(f"#product-{beef.pk} .shop-step").last  # the + beside the box
    assert more.bounding_box()["height"] >= 44
    more.click()
    more.click()
    assert page.input_value(f"#qty-{beef.pk}") == "2"
    _fits(page)
    screenshot(page, "shop-products")

    page.click("#order-button")
    page.wait_for_load_state()
    assert "¥36.00" in page.locator("#checkout-total").inner_text()
    page.check("#payment-cod")
    page.fill("#checkout-note", "放门口，谢谢")
    _fits(page)
    screenshot(page, "shop-checkout")

    page.click("#place-order")
    page.wait_for_load_state()
    assert page.locator("#order-state .shop-state_awaiting_delivery").count() == 1
    assert page.locator("#order-timeline li").count() == 1
    assert page.locator("#cancel-order").count() == 1
    _fits(page)
    screenshot(page, "shop-order")

    page.goto(live_server.url + "/me/")
    page.click("#my-orders-link")
    page.wait_for_load_state()
    assert page.locator("#my-orders .shop-order").count() == 1
    _fits(page)
    screenshot(page, "shop-my-orders")

    page.locator("#my-orders .shop-order").first.click()
    page.wait_for_load_state()
    page.click("#cancel-order")
    page.wait_for_load_state()
    assert page.locator("#order-state .shop-state_cancelled").count() == 1
    assert page.locator("#cancel-order").count() == 0
    screenshot(page, "shop-order-cancelled")


def test_the_shop_pages_fit_the_phone_in_large_text(page, live_server, shop):
    noodles, beef = shop
    log_in(page, live_server, phone=PHONE, password=PASSWORD)
    page.goto(live_server.url + noodles.url)
    page.locator(".h5-font-switch button").click()
    page.wait_for_load_state()

    _fits(page)
    screenshot(page, "shop-products-large-font")
    page.fill(f"#qty-{beef.pk}", "1")
    page.click("#order-button")
    page.wait_for_load_state()
    _fits(page)
    screenshot(page, "shop-checkout-large-font")
