"""The demo's products: a few on sale at each approved demo merchant, one of them nearly
sold out, so `make run` shows the shop; running it again creates nothing. And the
benchmark's shop (bench/merchant_orders.py): one merchant, a product with its last few
items and many verified owners, made through the same models."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from merchants.models import MerchantPage

from .models import Product

# merchant name → [(product, price, stock)]
PRODUCTS = {
    "老王面馆": [("牛肉拉面", "18.00", 50), ("炸酱面", "15.00", 50), ("卤蛋", "2.00", 3)],
    "邻里鲜超市": [("本地青菜 500g", "4.50", 40), ("鸡蛋 10枚", "12.80", 20),
                ("东北大米 5kg", "39.90", 8)],
    "好帮手家政": [("日常保洁 2小时", "80.00", 10), ("油烟机清洗", "120.00", 5)],
}


def seed(company):
    """Returns {label: how many created}."""
    created = {"products": 0}
    with transaction.atomic():
        merchants = (MerchantPage.objects.filter(communities__company=company)
                     .filter(title__in=PRODUCTS).distinct())
        for merchant in merchants:
            for order, (name, price, stock) in enumerate(PRODUCTS[merchant.title]):
                _, new = Product.objects.get_or_create(
                    merchant=merchant, name=name,
                    defaults={"price": Decimal(price), "stock": stock, "sort_order": order})
                created["products"] += new
    return created


@dataclass
class BenchShop:
    merchant: MerchantPage
    product: Product
    owners: list
    houses: list


def bench_shop(*, owners, left):
    """An approved merchant serving a new community of ``owners`` verified owners (one
    house each), selling a product with ``left`` items left."""
    from home.pages import ensure_home_page
    from merchants.models import MerchantIndexPage
    from portal.accounts.models import User
    from portal.estates.models import Building, Community, Company, House, Occupancy, Resident, Unit

    with transaction.atomic():
        company = Company.objects.create(name="基准物业")
        community = Community.objects.create(company=company, name="基准花园", code="bench")
        unit = Unit.objects.create(building=Building.objects.create(
            community=community, name="1栋"), name="1单元")
        houses, users = [], []
        for number in range(owners):
            house = House.objects.create(unit=unit, number=f"{number + 101}", floor=1,
                                         area=Decimal("89.50"))
            user = User.objects.create_user(username=f"bench-owner-{number}")
            resident = Resident.objects.create(user=user, community=community,
                                               name=f"业主{number}")
            Occupancy.objects.create(resident=resident, house=house,
                                     role=Occupancy.Role.OWNER,
                                     state=Occupancy.State.VERIFIED)
            houses.append(house)
            users.append(user)
        admin = User.objects.create_superuser(username="bench-admin")
        merchant = MerchantPage(title="基准面馆", slug="bench-shop", contact_name="王师傅",
                                mobile="13900000001", address="基准花园南门")
        merchant.communities = [community]
        index = MerchantIndexPage(title="周边商家", slug="merchants")
        ensure_home_page(community).add_child(instance=index)
        index.save_revision(user=admin).publish(user=admin)
        index.add_child(instance=merchant)
        merchant.save_revision(user=admin).publish(user=admin)
        merchant.approve(by=admin)
        product = Product.objects.create(merchant=merchant, name="限量牛肉面",
                                         price=Decimal("18.00"), stock=left)
    return BenchShop(merchant, product, users, houses)
