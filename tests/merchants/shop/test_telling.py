"""Each step of an order is told by a background task queued in the step's own
transaction: with the database backend the step's request writes no message, the task's
row goes in (or not) with the step, and the task tells the step as it was."""

import pytest
from django.core.exceptions import ValidationError
from django_tasks_db.models import DBTaskResult

from merchants.shop import telling
from merchants.shop.models import Order, Product
from portal.notifications.models import InboxMessage

from . import factories as sf

pytestmark = pytest.mark.django_db

QUEUED_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _run(queued):
    arguments = queued.args_kwargs
    return getattr(telling, queued.task_path.rsplit(".", 1)[1]).call(
        *arguments["args"], **arguments["kwargs"])


def test_placing_queues_the_telling_and_the_task_tells_the_step_as_it_was(
        resident, noodles, seller_a, settings):
    settings.TASKS = QUEUED_TASKS
    order = sf.order(resident, noodles, 2)

    assert not InboxMessage.objects.exists()
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "merchants.shop.telling.tell_step"
    placed_state = order.get_state_display()
    Order.objects.filter(pk=order.pk).update(state=Order.State.DELIVERING)  # meanwhile

    assert _run(queued) == 2
    owner = InboxMessage.objects.get(recipient=resident)
    merchant = InboxMessage.objects.get(recipient=seller_a)
    assert (owner.event, merchant.event) == ("shop.owner.placed", "shop.merchant.placed")
    assert str(placed_state) in merchant.body and "36.00" in merchant.body
    assert owner.url == order.owner_url


def test_a_refused_order_queues_nothing(resident, noodles, settings):
    settings.TASKS = QUEUED_TASKS
    Product.objects.filter(pk=noodles.pk).update(stock=0)

    with pytest.raises(ValidationError):
        sf.order(resident, noodles, 1)
    assert not DBTaskResult.objects.exists()


def test_a_step_tells_only_the_merchant_when_asked(resident, noodles, seller_a, settings):
    order = sf.order(resident, noodles, 1)
    InboxMessage.objects.all().delete()

    telling.tell(order, "refund_failed", owner=False)

    assert list(InboxMessage.objects.values_list("recipient", "event")) == [
        (seller_a.pk, "shop.merchant.refund_failed")]
