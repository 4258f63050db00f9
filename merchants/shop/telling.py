"""Each step of an order is told to the owner who ordered and to the merchant's people.

The step queues one background task in its own transaction (the database task backend
writes the task's row there: it is sent if and only if the step commits, and nothing is
lost); the task writes the messages. The step's answer to the owner does not wait for
them, and an order refused or placed in a rush costs its request no notification work.
The texts' values are taken at the step, so a task running later tells what the step
was, not what the order has become since."""

from django.urls import reverse
from django_tasks import task


def merchant_people(merchant_id):
    """The ids of the merchant's own login accounts."""
    from django.contrib.auth import get_user_model

    return list(get_user_model().objects.filter(merchant_account__merchant=merchant_id,
                                                is_active=True).values_list("pk", flat=True))


def context(order):
    return {"number": order.number, "merchant": order.merchant.title, "total": str(order.total),
            "state": str(order.get_state_display())}


def tell(order, step, *, owner=True):
    """``owner=False``: a step only the merchant's people act on."""
    tell_step.enqueue(order.pk, step, context(order), owner=owner)


@task
def tell_step(order_id, step, values, *, owner=True):
    from portal.notifications import notify, notify_many

    from .models import Order

    order = (Order.objects.select_related("buyer", "community").order_by()
             .filter(pk=order_id).first())
    if order is None:  # only if a backend ran the task before the step committed
        return 0
    if owner:
        notify(order.buyer, f"shop.owner.{step}", values, url=order.owner_url,
               community=order.community)
    people = merchant_people(order.merchant_id)
    if people:
        notify_many(people, f"shop.merchant.{step}", values,
                    url=reverse("shop_orders:inspect", args=[order.pk]),
                    community=order.community)
    return len(people) + owner
