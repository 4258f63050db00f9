from datetime import date
from decimal import Decimal

import factory

from services.billing import models


class FeeItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.FeeItem

    name = factory.Sequence(lambda n: f"物业管理费{n}")
    kind = models.FeeItem.Kind.AREA
    unit_price = Decimal("2.50")
    due_days = 15


class MeterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Meter

    utility = models.Utility.WATER


class ParkingSpaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ParkingSpace

    number = factory.Sequence(lambda n: f"P{n:03d}")


def reading(meter, month, value, **kwargs):
    """A reading stored as the import and the form store it (checked)."""
    year, number = month.split("-")
    return models.MeterReading.record(meter, date(int(year), int(number), 1), Decimal(value),
                                      by=kwargs.pop("by", None), **kwargs)
