import pytest
from django.core.cache import cache
from django.test import Client


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    # allauth counts logins and sign-ups per IP in the cache; every test starts afresh.
    cache.clear()


@pytest.fixture
def client():
    # The portal speaks Chinese by default; these tests read its source (English) strings.
    return Client(HTTP_ACCEPT_LANGUAGE="en")
