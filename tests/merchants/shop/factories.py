"""Products, merchant accounts and orders placed the way owners place them."""

from decimal import Decimal

from merchants.models import MerchantAccount
from merchants.shop import ordering
from merchants.shop.models import Product
from portal.estates import roles
from tests import factories as f


def product(merchant, *, name="牛肉面", price="18.00", stock=10, **fields):
    return Product.objects.create(merchant=merchant, name=name, price=Decimal(price),
                                  stock=stock, **fields)


def account(merchant, name="王老板"):
    user = f.UserFactory(groups=[roles.MERCHANT])
    MerchantAccount.objects.create(user=user, merchant=merchant, name=name)
    return user


def order(buyer, item, quantity=1, *, mode="cod", fulfilment="delivery", house=None,
          key=""):
    house = house or ordering.my_houses(buyer).first()
    return ordering.place(buyer=buyer, merchant=item.merchant, house=house,
                          quantities={item.pk: quantity}, payment_mode=mode,
                          fulfilment=fulfilment, idempotency_key=key)
