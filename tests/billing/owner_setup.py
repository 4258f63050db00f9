"""Bills for the owner tests: two fee items for community A and B, bills of two months
generated (one past due, one not yet due) for every house."""

from datetime import date
from decimal import Decimal

import pytest

from services.billing.fees import Period
from services.billing.generation import generate
from services.billing.models import Bill, FeeItem

from .factories import FeeItemFactory

D = Decimal


def fee_items(community):
    FeeItemFactory(community=community, name="物业管理费", kind=FeeItem.Kind.AREA,
                   unit_price=D("2.00"), sort_order=1, due_days=15)
    FeeItemFactory(community=community, name="垃圾清运费", kind=FeeItem.Kind.FIXED,
                   unit_price=D("12.00"), sort_order=2, due_days=15)


def bills_for(community, *months):
    for month in months:
        generate(community, Period.parse(month))


def month_of(day):
    return f"{day:%Y-%m}"


@pytest.fixture
def billed(house_a, house_a2, house_b, resident, neighbour, resident_b):
    """A past month (overdue) and a month whose bills fall due in the future, for every
    house of both communities. Returns {house: [old bill, new bill]}."""
    today = date.today()
    old = date(today.year - 1, today.month, 1)
    new = date(today.year + 1, today.month, 1)
    for community in {house_a.community, house_b.community}:
        fee_items(community)
        bills_for(community, month_of(old), month_of(new))
    return {house: list(Bill.objects.filter(house=house).order_by("period_start"))
            for house in (house_a, house_a2, house_b)}
