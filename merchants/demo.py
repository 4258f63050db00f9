"""The demo's merchants: a tag list, a merchant index under each community's home page,
a few approved shops serving one or both communities, one awaiting approval, and the
demo "merchant" login made the account of the first shop. Running it again creates
nothing."""

from django.db import transaction

from home.models import HomePage
from portal.accounts.models import User

from . import accounts
from .models import MerchantAccount, MerchantIndexPage, MerchantPage, MerchantTag

TAGS = ["餐饮", "超市便利", "生鲜果蔬", "家政服务", "维修", "美容美发", "药店", "洗衣"]
# name, tags, mobile, phone, address, hours, intro, services, approved, serves all
SHOPS = [
    ("老王面馆", ["餐饮"], "13900000001", "0571-88000001", "南门商铺3号", "06:30-21:00",
     "三十年老店，手工拉面。", "小区内免费送餐，满30元起送。", True, False),
    ("邻里鲜超市", ["超市便利", "生鲜果蔬"], "13900000002", "", "东门沿街商铺12号",
     "07:00-22:30", "蔬菜水果每日新鲜到店。", "电话下单，半小时送货上门。", True, True),
    ("好帮手家政", ["家政服务", "维修"], "13900000003", "0571-88000003", "物业楼一层",
     "08:00-18:00", "保洁、月嫂、家电清洗。", "老人家庭上门服务九折。", True, True),
    ("新开张理发店", ["美容美发"], "13900000004", "", "北门商铺1号", "09:00-21:00",
     "新店开业，等待物业审核。", "", False, False),
]
DEMO_LOGIN = "merchant"


def seed(company):
    """Returns {label: how many created}."""
    created = {"merchant tags": 0, "merchants": 0, "merchant accounts": 0}
    with transaction.atomic():
        tags = {}
        for order, name in enumerate(TAGS):
            tags[name], new = MerchantTag.objects.get_or_create(name=name,
                                                                defaults={"sort_order": order})
            created["merchant tags"] += new
        homes = list(HomePage.objects.filter(community__company=company).order_by("pk"))
        if not homes:
            return created
        communities = [home.community for home in homes]
        admin = User.objects.filter(is_superuser=True).order_by("pk").first()
        first_shop = None
        for home in homes:
            index = _index(home)
            for number, (name, tag_names, mobile, phone, address, hours, intro, services,
                         approved, serves_all) in enumerate(SHOPS):
                if serves_all and home != homes[0]:
                    continue  # one shop serving every community, listed once in each
                shop = MerchantPage.objects.child_of(index).filter(title=name).first()
                if shop is None:
                    shop = MerchantPage(
                        title=name, slug=f"shop-{number + 1}", contact_name=name[:2] + "老板",
                        mobile=mobile, phone=phone, address=f"{home.community.name}{address}",
                        opening_hours=hours, intro=intro, special_services=services)
                    shop.tags = [tags[tag] for tag in tag_names]
                    shop.communities = communities if serves_all else [home.community]
                    index.add_child(instance=shop)
                    shop.save_revision(user=admin).publish(user=admin)
                    if approved:
                        shop.approve(by=admin)
                    created["merchants"] += 1
                first_shop = first_shop or shop
        login = User.objects.filter(username=DEMO_LOGIN).first()
        if login is not None and not MerchantAccount.objects.filter(user=login).exists():
            accounts.attach_account(first_shop, login, name="王老板", by=admin)
            created["merchant accounts"] += 1
    return created


def _index(home):
    index = MerchantIndexPage.objects.child_of(home).first()
    if index is None:
        index = MerchantIndexPage(title="周边商家", slug="merchants",
                                  intro="小区一公里内的商家，点击电话即可联系。")
        home.add_child(instance=index)
        index.save_revision().publish()
    return index
