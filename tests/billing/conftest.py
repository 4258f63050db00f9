import pytest

from portal.estates import roles
from tests.conftest import _staff


@pytest.fixture
def finance_a(company, community_a):
    return _staff(company, roles.FINANCE, [community_a])


@pytest.fixture
def finance_b(company, community_b):
    return _staff(company, roles.FINANCE, [community_b])
from .owner_setup import billed  # noqa: E402,F401  (fixture of the owner bill tests)
