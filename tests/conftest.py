"""Personas shared by every test: two communities of one company and the people in them.

- resident: owner of a verified house in building 1 of community A
- neighbour: resident of building 2 of community A
- resident_b: resident of community B
- worker_a, service_a (客服), records_a (档案管理员), manager_a: staff of community A
- manager_b: manager of community B
- leadership: company leadership, sees every community
- merchant, outsider: logged-in users who are neither staff nor residents
"""

import pytest
from django.utils import translation

from home.pages import ensure_home_page
from portal.estates import roles
from tests import factories as f


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in the site's language (Chinese) whatever an earlier one activated:
    a request through the locale middleware, or an `activate()`, outlives its test."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def company(db):
    return f.CompanyFactory()


@pytest.fixture
def community_a(company):
    return f.CommunityFactory(company=company, name="阳光花园", code="sunshine")


@pytest.fixture
def community_b(company):
    return f.CommunityFactory(company=company, name="翠湖苑", code="lakeside")


@pytest.fixture
def house_a(community_a):
    building = f.BuildingFactory(community=community_a, name="1栋")
    return f.HouseFactory(unit=f.UnitFactory(building=building, name="1单元"), number="101")


@pytest.fixture
def house_a2(community_a):
    building = f.BuildingFactory(community=community_a, name="2栋")
    return f.HouseFactory(unit=f.UnitFactory(building=building, name="1单元"), number="201")


@pytest.fixture
def house_b(community_b):
    building = f.BuildingFactory(community=community_b, name="8栋")
    return f.HouseFactory(unit=f.UnitFactory(building=building, name="1单元"), number="801")


def _resident_of(house, state="verified"):
    resident = f.ResidentFactory(community=house.community)
    f.OccupancyFactory(resident=resident, house=house, state=state)
    return resident.user


@pytest.fixture
def resident(house_a):
    return _resident_of(house_a)


@pytest.fixture
def neighbour(house_a2):
    return _resident_of(house_a2)


@pytest.fixture
def resident_b(house_b):
    return _resident_of(house_b)


def _staff(company, role, communities):
    staff = f.StaffFactory(company=company, user__groups=[role], communities=communities)
    return staff.user


@pytest.fixture
def service_a(company, community_a):
    return _staff(company, roles.CUSTOMER_SERVICE, [community_a])


@pytest.fixture
def records_a(company, community_a):
    return _staff(company, roles.RECORDS_ADMIN, [community_a])


@pytest.fixture
def manager_a(company, community_a):
    return _staff(company, roles.MANAGER, [community_a])


@pytest.fixture
def worker_a(company, community_a):
    return _staff(company, roles.WORKER, [community_a])


@pytest.fixture
def manager_b(company, community_b):
    return _staff(company, roles.MANAGER, [community_b])


@pytest.fixture
def leadership(company):
    return _staff(company, roles.LEADERSHIP, [])


@pytest.fixture
def merchant(db):
    return f.UserFactory(groups=[roles.MERCHANT])


@pytest.fixture
def outsider(db):
    return f.UserFactory()


@pytest.fixture
def home_a(community_a):
    return ensure_home_page(community_a)


@pytest.fixture
def home_b(community_b):
    return ensure_home_page(community_b)
