"""An owner on their phone (375 px): my bills (overdue highlighted), one bill with its
lines, paying two bills at once at the demo cashier, the receipt in the history; and the
bills page in large-font mode."""

from datetime import date

import pytest

from portal.estates.models import House
from services.billing.models import Bill
from services.billing.receipts import Receipt
from tests import factories as f
from tests.billing.owner_setup import bills_for, fee_items, month_of
from tests.e2e.conftest import log_in, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True,
                                                     serialized_rollback=True)]

PASSWORD = "Sunshine-2026!"
PHONE = "13800138011"


@pytest.fixture
def owner_with_bills(estate):
    house = House.objects.get(unit__building__name="1栋", unit__name="1单元", number="101")
    resident = f.ResidentFactory(community=estate, name="王芳", user__phone=PHONE)
    resident.user.set_password(PASSWORD)
    resident.user.save()
    f.OccupancyFactory(resident=resident, house=house, state="verified")
    fee_items(estate)
    today = date.today()
    bills_for(estate, month_of(date(today.year - 1, 1, 1)),
              month_of(date(today.year - 1, 2, 1)),
              month_of(date(today.year + 1, today.month, 1)))
    return house


def test_owner_sees_bills_and_pays_two_at_once(page, live_server, owner_with_bills):
    house = owner_with_bills
    log_in(page, live_server, phone=PHONE, password=PASSWORD)

    page.goto(live_server.url + "/me/bills/")
    overdue = page.locator("#due .bill_overdue")
    assert overdue.count() >= 1
    assert "逾期" in overdue.first.inner_text() or "Overdue" in overdue.first.inner_text()
    assert page.locator("#upcoming .bill").count() == 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    screenshot(page, "bills-list")

    page.locator("#due .bill__link").first.click()
    page.wait_for_load_state()
    assert page.locator("#bill-lines .bill-line").count() == 2
    assert "89.50 × ¥2 = ¥179.00" in page.locator("#bill-lines").inner_text()
    screenshot(page, "bills-detail")

    page.go_back()
    due_ids = [int(v) for v in page.locator("#due input[name=bill]").evaluate_all(
        "els => els.map(e => e.value)")]
    page.click("#pay-selected")
    page.wait_for_load_state()
    screenshot(page, "bills-cashier")

    # Back to the bills without paying: each bill offers to continue that payment.
    page.goto(live_server.url + "/me/bills/")
    assert page.locator("#due input[name=bill]").count() == 0  # in the payment now
    continue_paying = page.locator("#due .bill__actions a").first
    assert continue_paying.bounding_box()["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "bills-payment-in-progress")
    page.locator("#due .bill__link").first.click()  # the bill's own page says so too
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "bills-detail-payment-in-progress")
    page.go_back()
    page.wait_for_load_state()
    continue_paying = page.locator("#due .bill__actions a").first
    continue_paying.click()
    page.wait_for_load_state()

    page.click("#demo-pay")
    page.wait_for_load_state()
    assert page.locator("#paid").is_visible()
    assert page.locator("#ways-on a").first.bounding_box()["height"] >= 44
    screenshot(page, "bills-cashier-paid")

    assert set(Bill.objects.filter(pk__in=due_ids).values_list("state", flat=True)) == {
        "paid"}
    receipt = Receipt.objects.get()
    page.goto(live_server.url + "/me/bills/history/")
    assert receipt.number in page.locator("#payments").inner_text()
    screenshot(page, "bills-history")
    page.goto(live_server.url + "/me/bills/")
    assert page.locator("#nothing-due").is_visible()
    assert page.locator("#paid .bill").count() == len(due_ids)
    assert house is not None


def test_the_bills_page_in_large_text_fits_the_phone(page, live_server, owner_with_bills):
    log_in(page, live_server, phone=PHONE, password=PASSWORD)
    page.goto(live_server.url + "/me/bills/")
    page.locator(".h5-font-switch button").click()
    page.wait_for_load_state()

    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    box = page.locator("#due .bill__pick input").first.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24
    screenshot(page, "bills-list-large-text")


def test_prepay_parking_card_and_funds_pages_fit_the_phone(page, live_server, owner_with_bills):
    """The other owner pages of the bills section, each looked at on a phone."""
    from decimal import Decimal

    from services.billing.funds import FundKind, FundLine, FundStatement
    from services.billing.parking_cards import ParkingCard
    from tests.billing.factories import ParkingSpaceFactory

    house = owner_with_bills
    ParkingSpaceFactory(community=house.community, house=house, number="B1-018")
    # A space the house had before: what is left on its card is still the owner's.
    given_up = ParkingSpaceFactory(community=house.community, house=None, number="B2-101")
    ParkingCard.objects.create(space=given_up, house=house, community=house.community,
                               balance=Decimal("80.00"))
    statement = FundStatement.objects.create(
        community=house.community, kind=FundKind.PUBLIC_INCOME,
        period_start=date(2026, 1, 1), period_end=date(2026, 6, 30),
        opening_balance=Decimal("1000.00"))
    FundLine.objects.create(statement=statement, direction="income",
                            description="电梯广告", amount=Decimal("3000.00"))
    statement.publish(by=None)
    log_in(page, live_server, phone=PHONE, password=PASSWORD)

    # text: what the page must show, "|" between the pieces.
    for path, name, text in (("/me/bills/prepay/", "bills-prepay", None),
                             ("/me/bills/parking/", "bills-parking", "B1-018|B2-101|¥80.00"),
                             ("/me/funds/", "bills-funds", None),
                             (f"/me/funds/{statement.pk}/", "bills-fund", "电梯广告")):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
        for expected in text.split("|") if text else ():
            assert expected in page.content(), path
        screenshot(page, name)
