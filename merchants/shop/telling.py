"""Each step of an order is told to the owner who ordered and to the merchant's people
(in the step's transaction, like the other apps' notifications: nothing is lost)."""

from django.urls import reverse


def merchant_people(merchant):
    """The ids of the merchant's own login accounts."""
    from django.contrib.auth import get_user_model

    return list(get_user_model().objects.filter(merchant_account__merchant=merchant,
                                                is_active=True).values_list("pk", flat=True))


def context(order):
    return {"number": order.number, "merchant": order.merchant.title, "total": order.total,
            "state": order.get_state_display()}


def tell(order, step, *, owner=True):
    """``owner=False``: a step only the merchant's people act on."""
    from portal.notifications import notify, notify_many

    values = context(order)
    if owner:
        notify(order.buyer, f"shop.owner.{step}", values, url=order.owner_url,
               community=order.community)
    people = merchant_people(order.merchant)
    if people:
        notify_many(people, f"shop.merchant.{step}", values,
                    url=reverse("shop_orders:inspect", args=[order.pk]),
                    community=order.community)
