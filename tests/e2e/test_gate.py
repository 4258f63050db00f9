"""The guard's gate workbench on a phone (375 px): a typed code gives a green verdict and
the entry is recorded; the same single-entry code again is red; a walk-in registered
building → unit → house with a wrong plate explained; today's expected visitors; a
walk-in to a house with nobody to confirm refused, and one the owner confirmed let in
from the gate's page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.estates import roles
from services.visitors.invitations import invite
from services.visitors.models import GateEntry, VisitorPass
from tests import factories as f
from tests.e2e.conftest import log_in, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True,
                                                     serialized_rollback=True)]

GUARD_PHONE = "13912340000"
OWNER_PHONE = "13800138000"


@pytest.fixture
def visitor_pass(estate):
    house = estate.houses.get(unit__building__name="1栋", unit__name="1单元", number="101")
    owner = f.ResidentFactory(community=estate, name="王秀兰", user__phone=OWNER_PHONE)
    f.OccupancyFactory(resident=owner, house=house, state="verified")
    soon = timezone.now() + timedelta(minutes=5)
    visitor_pass = invite(owner.user, house, visitor_name="李建国",
                          visitor_phone="13912345678", people=2, plate="浙A12345",
                          purpose="探望父母", starts_at=soon, ends_at=soon + timedelta(hours=4))
    # Begun a little while ago: owners cannot invite into the past.
    VisitorPass.objects.filter(pk=visitor_pass.pk).update(
        starts_at=timezone.now() - timedelta(minutes=30))
    visitor_pass.refresh_from_db()
    return visitor_pass


@pytest.fixture
def walk_in_owner(estate):
    """The verified owner of 2栋1单元1201, who confirms the walk-ins to it."""
    house = estate.houses.get(unit__building__name="2栋", unit__name="1单元", number="1201")
    owner = f.ResidentFactory(community=estate, name="陈海燕", user__phone="13800138001")
    f.OccupancyFactory(resident=owner, house=house, state="verified")
    return owner.user


@pytest.fixture
def guard(estate):
    return f.StaffFactory(company=estate.company, communities=[estate], name="马德明",
                          user__phone=GUARD_PHONE, user__groups=[roles.GUARD]).user


def _fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth") <= 375


def _check(page, code):
    page.fill("#id_code", code)
    page.click("#check-code")
    page.wait_for_load_state()


def test_a_guard_checks_a_typed_code_and_records_the_entry(page, live_server, guard,
                                                           visitor_pass):
    log_in(page, live_server, phone=GUARD_PHONE, password=f.PASSWORD)
    page.goto(live_server.url + "/gate/")
    assert page.get_attribute("#id_code", "inputmode") == "numeric"
    assert _fits_the_phone(page)
    screenshot(page, "gate-01-home")

    _check(page, visitor_pass.code)
    verdict = page.locator("#verdict")
    assert verdict.get_attribute("data-ok") == "1"
    facts = page.locator("#pass").inner_text()
    assert "李建国" in facts and "139****5678" in facts and "浙A12345" in facts
    assert "13912345678" not in page.content()
    assert _fits_the_phone(page)
    screenshot(page, "gate-02-valid")
    assert not GateEntry.objects.exists()

    page.click("#admit")
    page.wait_for_load_state()
    assert "李建国" in page.locator(".h5-messages").inner_text()
    assert GateEntry.objects.filter(result=GateEntry.Result.ADMITTED).count() == 1
    screenshot(page, "gate-03-recorded")

    _check(page, visitor_pass.code)
    assert page.locator("#verdict").get_attribute("data-ok") == "0"
    assert page.locator("#verdict").get_attribute("data-reason") == "used"
    assert page.locator("#admit").count() == 0
    assert _fits_the_phone(page)
    screenshot(page, "gate-04-already-used")


def _choose_house(page, building, unit, house):
    # Choosing the building and the unit fills in the next list (the page reloads).
    with page.expect_navigation():
        page.select_option("#id_building", label=building)
    with page.expect_navigation():
        page.select_option("#id_unit", label=unit)
    page.select_option("#id_house", label=house)


def test_a_guard_registers_a_walk_in_and_sees_the_expected_list(page, live_server, guard,
                                                                visitor_pass, estate,
                                                                walk_in_owner):
    log_in(page, live_server, phone=GUARD_PHONE, password=f.PASSWORD)
    page.goto(live_server.url + "/gate/walk-in/")
    _choose_house(page, "2栋", "2栋1单元", "2栋1单元1201")
    page.fill("#id_visitor_name", "张师傅")
    page.fill("#id_people", "2")
    page.fill("#id_plate", "浙A 1")
    page.fill("#id_purpose", "送家具")
    page.click("#walk-in-submit")
    page.wait_for_load_state()
    assert page.locator("#id_plate_error").is_visible()
    assert page.input_value("#id_visitor_name") == "张师傅"
    assert _fits_the_phone(page)
    screenshot(page, "gate-05-walk-in-plate-error")

    page.fill("#id_plate", "浙a 123·45")
    page.click("#walk-in-submit")
    page.wait_for_load_state()
    walk_in = VisitorPass.objects.get(source=VisitorPass.Source.WALK_IN)
    assert walk_in.plate == "浙A12345" and walk_in.house.label == "2栋1单元1201"
    assert "张师傅" in page.locator(".h5-messages").inner_text()
    screenshot(page, "gate-06-walk-in-registered")

    page.goto(live_server.url + "/gate/expected/")
    assert "李建国" in page.locator("#expected").inner_text()
    page.select_option("#filter-building", label="2栋")
    # The list reloads with ?building=…; wait for that page, not the one already shown.
    page.wait_for_url("**/gate/expected/?building=*")
    listed = page.locator("#expected").inner_text()
    assert "张师傅" in listed and "李建国" not in listed
    assert _fits_the_phone(page)
    screenshot(page, "gate-07-expected")


def test_a_guard_lets_a_walk_in_in_once_the_owner_confirms(page, live_server, guard, estate,
                                                          walk_in_owner):
    log_in(page, live_server, phone=GUARD_PHONE, password=f.PASSWORD)
    page.goto(live_server.url + "/gate/walk-in/")
    # 2栋1单元102 has nobody to confirm a visitor: refused, the input kept.
    _choose_house(page, "2栋", "2栋1单元", "2栋1单元102")
    page.fill("#id_visitor_name", "刘快递")
    page.fill("#id_purpose", "送快递")
    page.click("#walk-in-submit")
    page.wait_for_load_state()
    assert page.locator("#id_house_error").is_visible()
    assert page.input_value("#id_visitor_name") == "刘快递"
    assert not VisitorPass.objects.exists()
    assert _fits_the_phone(page)
    screenshot(page, "gate-08-walk-in-nobody-to-confirm")

    page.select_option("#id_house", label="2栋1单元1201")
    page.click("#walk-in-submit")
    page.wait_for_load_state()
    walk_in = VisitorPass.objects.get()
    card = page.locator(f"#pass-{walk_in.pk}")
    assert card.get_attribute("data-state") == "awaiting"
    assert card.locator("button").count() == 0
    assert _fits_the_phone(page)
    screenshot(page, "gate-09-walk-in-awaiting")

    walk_in.confirm_walk_in(by=walk_in_owner)  # on the owner's phone
    page.click("#walk-ins-refresh")
    page.wait_for_load_state()
    assert card.get_attribute("data-state") == "active"
    assert page.locator("#header-unread").is_visible()  # the guard was told
    assert _fits_the_phone(page)
    screenshot(page, "gate-10-walk-in-confirmed")

    page.click(f"#admit-{walk_in.pk}")
    page.wait_for_load_state()
    assert "刘快递" in page.locator(".h5-messages").inner_text()
    assert GateEntry.objects.get(visitor_pass=walk_in).result == GateEntry.Result.ADMITTED
    assert page.locator(f"#pass-{walk_in.pk}").count() == 0
    screenshot(page, "gate-11-walk-in-let-in")
