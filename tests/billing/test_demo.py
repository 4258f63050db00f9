"""The billing demo: a price list, parking spaces, water readings and last month's bills
in every community of the demo company; running it again creates nothing."""

from django.utils import timezone

from services.billing import demo
from services.billing.models import Bill, BillLine, FeeItem, MeterReading, ParkingSpace
from tests import factories as f


def test_the_demo_bills_last_month_once(house_a, house_a2, house_b):
    f.HouseFactory(unit=house_a.unit, number="S01", kind="shop", area="30.00")

    created = demo.seed(house_a.community.company)

    assert created == {"fee items": 8, "parking spaces": 4, "meter readings": 8,
                       "bills": 4}
    assert FeeItem.objects.count() == 8
    assert ParkingSpace.objects.count() == 4
    assert MeterReading.objects.count() == 8
    month = timezone.localdate().replace(day=1)
    assert not Bill.objects.exclude(period_end__lt=month).exists()
    # Management fee, sanitation, parking (every house here holds a space) and water.
    assert BillLine.objects.count() == 16

    again = demo.seed(house_a.community.company)

    assert set(again.values()) == {0}
    assert Bill.objects.count() == 4
