"""Two generation runs of one community at the same moment, in real threads with their
own connections: the community row lock serialises them, so the second finds everything
made and creates nothing; no house gets two bills or two lines for a fee."""

from decimal import Decimal

import pytest
from django.db.models import Count

from services.billing.fees import Period
from services.billing.generation import generate
from services.billing.models import Bill, BillLine, FeeItem
from tests import factories as f
from tests.races import postgresql_only, race  # noqa: F401 (the fixture)

from .factories import FeeItemFactory

# Without serialized rollback, like the suite's other transactional tests.
pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("postgresql_only")]

RACERS = 4


def test_simultaneous_runs_create_each_bill_once(house_a):
    community = house_a.community
    for number in range(30):
        f.HouseFactory(unit=house_a.unit, number=f"9{number:02d}")
    FeeItemFactory(community=community, kind=FeeItem.Kind.AREA, unit_price=Decimal("2"))
    FeeItemFactory(community=community, kind=FeeItem.Kind.FIXED, unit_price=Decimal("9"))

    runs, errors = race(lambda _index: generate(community, Period.parse("2026-11")), RACERS)

    assert errors == []
    assert sorted(run.bills_created for run in runs) == [0] * (RACERS - 1) + [31]
    assert Bill.objects.count() == 31
    assert BillLine.objects.count() == 62
    assert not Bill.objects.values("house").annotate(n=Count("pk")).filter(n__gt=1).exists()
