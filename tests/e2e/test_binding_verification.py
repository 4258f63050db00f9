"""The whole first day: a resident registers and binds a house on their phone, a records
admin verifies the binding in the admin, and the resident sees it verified."""

import pytest
from django.urls import reverse

from portal.estates import roles
from portal.estates.models import Occupancy
from tests import factories as f
from tests.e2e.conftest import bind_house, register_resident, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True,
                                                     serialized_rollback=True)]

PASSWORD = "Lakeside-2026!"
STAFF_PASSWORD = "Records-2026!"


@pytest.fixture
def records_admin(estate):
    staff = f.StaffFactory(company=estate.company, name="李档案", user__username="records",
                           user__groups=[roles.RECORDS_ADMIN], communities=[estate])
    staff.user.set_password(STAFF_PASSWORD)
    staff.user.save()
    return staff.user


@pytest.fixture
def desk(browser):
    """The records admin's desktop browser."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_records_admin_verifies_a_new_binding_and_the_resident_sees_it(
    page, desk, live_server, estate, records_admin
):
    register_resident(page, live_server, estate, name="张秀英", phone="13912345678",
                      password=PASSWORD)
    f.OwnerRecordFactory(house=estate.houses.get(unit__building__name="2栋",
                                                 unit__name="1单元", number="1201"),
                         name="张秀英", phone="13912345678")
    bind_house(page, live_server, unit_label="2栋1单元", number="1201")
    assert page.locator("#my-houses .h5-badge_pending").count() == 1
    occupancy = Occupancy.objects.get(resident__name="张秀英")

    desk.goto(live_server.url + "/admin/login/")
    desk.fill("#id_username", "records")
    desk.fill("#id_password", STAFF_PASSWORD)
    desk.click("button[type=submit]")
    desk.wait_for_url(live_server.url + "/admin/")

    desk.goto(live_server.url + reverse("occupancy:index") + "?state=pending")
    assert "张秀英" in desk.locator("table.listing").inner_text()
    screenshot(desk, "admin-01-pending-bindings")

    desk.goto(live_server.url + reverse("occupancy:review", args=[occupancy.pk]))
    review = desk.locator("main").inner_text()
    assert "2栋1单元1201" in review and "139****5678" in review
    assert "13912345678" not in review
    screenshot(desk, "admin-02-review-binding")
    desk.click("input[name=action][value=verify] + p button[type=submit]")
    desk.wait_for_load_state()
    screenshot(desk, "admin-03-verified")

    occupancy.refresh_from_db()
    assert occupancy.state == Occupancy.State.VERIFIED
    assert occupancy.decided_by == records_admin

    page.goto(live_server.url + "/me/")
    assert page.locator("#my-houses .h5-badge_verified").count() == 1
    assert page.locator("#my-houses .h5-badge_pending").count() == 0
    screenshot(page, "resident-11-me-verified")
