"""Factories for the estate directory and its people; later apps add their own beside it."""

import factory
from django.contrib.auth.models import Group

from portal.accounts.models import User
from portal.estates import models

PASSWORD = "test-password-1"


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Company
        django_get_or_create = ("name",)

    name = "幸福物业"


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Community

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"阳光花园{n}期")
    code = factory.Sequence(lambda n: f"community-{n}")
    service_phone = "0571-88880000"


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Building

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"{n + 1}栋")
    sort_order = factory.Sequence(lambda n: n)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Unit

    building = factory.SubFactory(BuildingFactory)
    name = "1单元"


class HouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.House

    unit = factory.SubFactory(UnitFactory)
    number = factory.Sequence(lambda n: f"{(n % 30) + 1}{(n % 4) + 1:02d}")
    floor = 3
    area = "89.50"


class OwnerRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.OwnerRecord

    house = factory.SubFactory(HouseFactory)
    name = "王建国"
    phone = factory.Sequence(lambda n: f"139{n:08d}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))
        if create:
            self.save()


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Resident

    user = factory.SubFactory(UserFactory, phone=factory.Sequence(lambda n: f"138{n:08d}"))
    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"住户{n}")


class OccupancyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Occupancy

    resident = factory.SubFactory(ResidentFactory)
    house = factory.SubFactory(HouseFactory)
    role = models.Occupancy.Role.OWNER


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Staff
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"员工{n}")

    @factory.post_generation
    def communities(self, create, extracted, **kwargs):
        if create and extracted:
            self.communities.set(extracted)
