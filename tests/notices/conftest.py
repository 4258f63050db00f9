import pytest
from django.core.cache import cache
from django.test import Client

from tests.notices import factories as nf


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


@pytest.fixture
def client():
    # These tests read the source (English) strings.
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def index_a(home_a):
    return nf.notice_index(home_a)


@pytest.fixture
def index_b(home_b):
    return nf.notice_index(home_b)


@pytest.fixture
def activities_a(home_a):
    return nf.activity_index(home_a)


@pytest.fixture
def activities_b(home_b):
    return nf.activity_index(home_b)
