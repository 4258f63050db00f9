"""The demo's price list and last month's bills, so `make run` shows the billing desk
with something in it: in each community a management fee by floor area (dearer for
shops), a sanitation fee per house, parking by space and water by meter (tiered), ten
rented parking spaces, a water meter read in every house for the last two months, and
the bills of the last whole month. Running it again creates nothing."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from portal.estates.models import House

from .fees import Period
from .generation import generate
from .models import FeeItem, Meter, MeterReading, ParkingSpace

WATER_TIERS = [{"up_to": "15", "price": "3.45"}, {"up_to": None, "price": "4.83"}]
FEES = [
    {"name": "物业管理费", "kind": FeeItem.Kind.AREA, "unit_price": Decimal("2.35"),
     "kind_prices": {"shop": "4.10"}, "due_days": 20, "sort_order": 1},
    {"name": "垃圾清运费", "kind": FeeItem.Kind.FIXED, "unit_price": Decimal("12.00"),
     "due_days": 20, "sort_order": 2},
    {"name": "停车费", "kind": FeeItem.Kind.PARKING, "unit_price": Decimal("150.00"),
     "due_days": 10, "sort_order": 3},
    {"name": "水费", "kind": FeeItem.Kind.METERED, "utility": "water",
     "unit_price": Decimal("3.45"), "tiers": WATER_TIERS, "due_days": 25, "sort_order": 4},
]
PARKING_SPACES = 10


def seed(company):
    """Returns {label: how many created}."""
    created = {"fee items": 0, "parking spaces": 0, "meter readings": 0, "bills": 0}
    month = Period.parse(f"{timezone.localdate().replace(day=1) - timedelta(days=1):%Y-%m}")
    month_before = (month.start - timedelta(days=1)).replace(day=1)
    for community in company.communities.order_by("pk"):
        with transaction.atomic():
            for fee in FEES:
                _, new = FeeItem.objects.get_or_create(community=community, name=fee["name"],
                                                       defaults=fee)
                created["fee items"] += new
            houses = list(House.objects.filter(community=community)
                          .exclude(kind=House.Kind.PARKING).order_by("pk"))
            for number, house in enumerate(houses[:PARKING_SPACES], start=1):
                _, new = ParkingSpace.objects.get_or_create(
                    community=community, number=f"B1-{number:03d}", defaults={"house": house})
                created["parking spaces"] += new
            created["meter readings"] += _water_readings(houses, month_before, month.start)
        created["bills"] += generate(community, month).bills_created
    return created


def _water_readings(houses, month_before, month):
    meters = {meter.house_id: meter for meter in Meter.objects.filter(
        house__in=houses, utility="water")}
    Meter.objects.bulk_create([Meter(house=house, community_id=house.community_id,
                                     utility="water")
                               for house in houses if house.pk not in meters])
    read = set(MeterReading.objects.filter(meter__house__in=houses)
               .values_list("meter_id", flat=True))
    readings = []
    for meter in Meter.objects.filter(house__in=houses, utility="water").exclude(pk__in=read):
        start = Decimal(meter.house_id % 700)
        for period, value in ((month_before, start), (month, start + meter.house_id % 31)):
            readings.append(MeterReading(meter=meter, house_id=meter.house_id,
                                         community_id=meter.community_id, period=period,
                                         reading=value))
    MeterReading.objects.bulk_create(readings, batch_size=1000)
    return len(readings)
