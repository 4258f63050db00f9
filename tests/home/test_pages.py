"""The page tree and the community home page."""

from django.urls import reverse
from wagtail.models import Page, Site

from home.models import HomePage, PortalRootPage
from home.pages import ensure_home_page
from portal.estates.models import Occupancy
from tests import factories as f


def test_migration_makes_the_portal_root_the_default_sites_root(db):
    site = Site.objects.get(is_default_site=True)

    assert isinstance(site.root_page.specific, PortalRootPage)
    assert not Page.objects.filter(depth=2, slug="home").exists()


def test_ensure_home_page_creates_a_live_page_under_the_root(community_a):
    page = ensure_home_page(community_a)

    assert page.live
    assert page.get_parent().specific_class is PortalRootPage
    assert page.url == "/sunshine/"


def test_ensure_home_page_is_idempotent(community_a):
    first = ensure_home_page(community_a)

    assert ensure_home_page(community_a).pk == first.pk
    assert HomePage.objects.count() == 1


def test_page_tree_is_declared():
    assert HomePage.allowed_parent_page_models() == [PortalRootPage]
    assert PortalRootPage.allowed_subpage_models() == [HomePage]


def test_home_page_shows_the_community_and_its_service_phone(client, home_a):
    page = client.get(home_a.url).content.decode()

    assert "阳光花园" in page
    assert 'href="tel:0571-88880000"' in page


def test_every_page_quick_link_is_a_coming_soon_tile_until_its_section_exists(client, home_a):
    """Sections that are pages wait for their page; the bills are the resident's own
    view and are there from the start."""
    response = client.get(home_a.url)

    tiles = response.context["tiles"]
    assert [tile.key for tile in tiles] == ["repairs", "phone_repair", "complaints", "bills",
                                            "visitors", "notices", "activities", "handbook",
                                            "merchants", "contacts"]
    assert {tile.key: tile.url for tile in tiles if tile.url} == {
        "bills": reverse("my_bills:list"), "visitors": reverse("visitors:list")}
    assert response.content.decode().count("Coming soon") == 8


def test_anonymous_visitor_gets_a_login_link_and_no_houses(client, home_a):
    response = client.get(home_a.url)

    assert "occupancies" not in response.context
    assert "/accounts/login/?next=/sunshine/" in response.content.decode()


def test_resident_sees_their_houses_and_pending_state(client, resident, house_a2, home_a):
    Occupancy.objects.create(resident=resident.resident, house=house_a2, role="tenant")
    client.force_login(resident)

    page = client.get(home_a.url).content.decode()

    assert "1栋1单元101" in page
    assert "2栋1单元201" in page
    assert "Pending verification" in page
    assert "Verified" in page


def test_resident_does_not_see_a_neighbours_houses(client, resident, neighbour, home_a):
    client.force_login(resident)

    page = client.get(home_a.url).content.decode()

    assert "2栋1单元201" not in page


def test_resident_of_another_community_is_told_it_is_not_theirs(client, resident_b, home_a,
                                                               home_b):
    client.force_login(resident_b)

    response = client.get(home_a.url)

    page = response.content.decode()
    assert "This is not your community" in page
    assert 'href="/lakeside/"' in page
    assert "tiles" not in response.context
    assert "8栋1单元801" not in page


def test_root_sends_a_resident_to_their_communitys_home_page(client, resident, home_a,
                                                             home_b):
    client.force_login(resident)

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/sunshine/"


def test_root_lists_the_communities_for_a_visitor(client, home_a, home_b):
    page = client.get("/").content.decode()

    assert 'href="/sunshine/"' in page
    assert 'href="/lakeside/"' in page
    assert 'href="/accounts/login/"' in page


def test_resident_home_page_takes_few_queries_whatever_the_estate_size(
        client, resident, home_a, django_assert_max_num_queries):
    # More houses and residents elsewhere in the community must not add queries.
    unit = resident.resident.occupancies.get().house.unit
    for number in range(30):
        f.OccupancyFactory(resident=f.ResidentFactory(community=home_a.community),
                           house=f.HouseFactory(unit=unit, number=f"9{number:03d}"))
    client.force_login(resident)
    client.get(home_a.url)  # warm the site and content-type caches

    # Wagtail's routing (site, pages, view restrictions), session, user and profile, the
    # community, one query for the resident's own occupancies and one for the units and
    # buildings they live in (the emergency banner's targets): a fixed number.
    with django_assert_max_num_queries(13):
        response = client.get(home_a.url)

    assert response.status_code == 200
