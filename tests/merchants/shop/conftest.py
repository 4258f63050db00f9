"""The shop's personas on top of the merchants' ones: shop_a (serving community A) sells
noodles; its own login (seller_a); shop_b's (seller_b); customer service of A."""

import pytest
from django.contrib.auth.models import Group

from portal.estates import roles
from tests.conftest import _staff

from . import factories as sf


@pytest.fixture(autouse=True)
def role_groups(db):
    # The role groups with their permissions, as the migrations made them.
    from django.apps import apps

    from portal.estates.roles import sync_roles

    if not Group.objects.filter(name=roles.MERCHANT, permissions__codename="handle_order"
                                ).exists():
        sync_roles(apps)


@pytest.fixture
def noodles(shop_a):
    return sf.product(shop_a)


@pytest.fixture
def groceries(shop_b):
    return sf.product(shop_b, name="大米", price="45.00", stock=5)


@pytest.fixture
def seller_a(shop_a):
    return sf.account(shop_a)


@pytest.fixture
def seller_b(shop_b):
    return sf.account(shop_b, name="翠湖老板")


@pytest.fixture
def service_b(company, community_b):
    return _staff(company, roles.CUSTOMER_SERVICE, [community_b])
