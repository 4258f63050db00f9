import pytest
from django.test import Client

from tests.merchants import factories as mf


@pytest.fixture
def client():
    # These tests read the source (English) strings.
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def index_a(home_a):
    return mf.merchant_index(home_a)


@pytest.fixture
def index_b(home_b):
    return mf.merchant_index(home_b)


@pytest.fixture
def shop_a(index_a, manager_a):
    return mf.merchant(index_a, approve_by=manager_a)


@pytest.fixture
def shop_b(index_b, manager_b):
    return mf.merchant(index_b, title="翠湖超市", address="翠湖苑东门", approve_by=manager_b)


@pytest.fixture
def merchant_a(shop_a, manager_a):
    """A login of shop A's people."""
    return mf.account(shop_a, "shop-a", by=manager_a, phone="13911110000")


@pytest.fixture
def merchant_b(shop_b, manager_b):
    return mf.account(shop_b, "shop-b", by=manager_b)
