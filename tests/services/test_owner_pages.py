"""The service pages in the page tree: the home page's tiles, the links in WeChat
replies, the phone repair numbers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from home.pages import ensure_home_page
from portal.estates import roles
from portal.wechat.links import CommunityLinks
from services.models import DutyShift
from services.pages import ensure_service_pages
from tests import factories as f
from tests.services.owner_helpers import english, media_root, service_pages  # noqa: F401

pytestmark = pytest.mark.usefixtures("english", "media_root")


def test_the_home_page_tiles_link_to_the_service_pages(client, resident, community_a):
    repair, phone, complaint = service_pages(community_a)
    client.force_login(resident)

    tiles = {tile.key: tile.url for tile in
             client.get(community_a.home_page.url).context["tiles"]}

    assert tiles["repairs"] == repair.url
    assert tiles["phone_repair"] == phone.url
    assert tiles["complaints"] == complaint.url


def test_wechat_reply_placeholders_resolve_to_the_service_pages(community_a):
    repair, _phone, complaint = service_pages(community_a)
    links = CommunityLinks(community_a)
    assert links["repairs"].endswith(repair.url)
    assert links["complaints"].endswith(complaint.url)


def test_service_pages_are_created_once(community_a):
    home = ensure_home_page(community_a)
    assert len(ensure_service_pages(home)) == 3
    assert ensure_service_pages(home) == []
    assert all(page.community_id == community_a.pk
               for page in home.get_children().specific())


def test_phone_repair_lists_the_service_phone_and_the_workers_on_duty(
        client, resident, community_a, company):
    community_a.service_phone = "0571-8888 0000"
    community_a.save()
    _repair, phone_page, _complaint = service_pages(community_a)
    on_duty = f.StaffFactory(company=company, name="郭志刚", user__phone="13900001111",
                             user__groups=[roles.WORKER], communities=[community_a])
    off_duty = f.StaffFactory(company=company, name="梁建华", user__phone="13900002222",
                              user__groups=[roles.WORKER], communities=[community_a])
    now = timezone.now()
    DutyShift.objects.create(community=community_a, staff=on_duty,
                             starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=7))
    DutyShift.objects.create(community=community_a, staff=off_duty,
                             starts_at=now + timedelta(hours=7), ends_at=now + timedelta(hours=15))
    client.force_login(resident)

    page = client.get(phone_page.url).content.decode()

    assert 'href="tel:0571-88880000"' in page
    assert 'href="tel:13900001111"' in page and "郭志刚" in page
    assert "13900002222" not in page


def test_phone_repair_page_is_for_the_community_only(client, resident_b, community_a):
    _repair, phone_page, _complaint = service_pages(community_a)
    client.force_login(resident_b)
    assert client.get(phone_page.url).status_code == 403


def test_the_demo_communities_get_their_service_pages(community_a):
    from portal.estates import demo

    demo._home_pages([community_a])
    demo._home_pages([community_a])
    kinds = {type(page).__name__ for page in community_a.home_page.get_children().specific()}
    assert {"RepairPage", "PhoneRepairPage", "ComplaintPage"} <= kinds
    assert len(kinds) == len(community_a.home_page.get_children())  # each page once


def test_editors_may_add_the_service_pages_under_a_home_page():
    from home.models import HomePage
    from services.pages import ComplaintPage, PhoneRepairPage, RepairPage

    allowed = HomePage.allowed_subpage_models()
    assert {RepairPage, PhoneRepairPage, ComplaintPage} <= set(allowed)
    assert RepairPage.allowed_subpage_models() == []
