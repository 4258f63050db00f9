"""Paying and changing bills lock the bills and lines they change, not the rows those
queries join: the community (which a bill run holds while it writes the community's
bills) and the fee items (shared by every bill of the community). Otherwise owners'
payments of different houses, finance's changes and bill runs would wait for each other.

Another session holds the joined row while the step runs with a short lock timeout: a
step that locked it too would fail with the timeout instead of finishing."""

import threading
from contextlib import contextmanager

import pytest
from django.db import connection, transaction

from portal.payments.models import PaymentOrder
from services.billing import paying
from services.billing.models import Bill, FeeItem, State
from tests.races import postgresql_only  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("postgresql_only")]


@contextmanager
def held_by_another_session(lock):
    """``lock()`` runs in another session's transaction, which stays open for the block."""
    locked, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                lock()
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert locked.wait(30)
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '2s'")
    try:
        yield
    finally:
        release.set()
        holder.join()
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")


def settle(order):
    order.settle(transaction_id=None, amount=order.amount, paid_at=None,
                 channel=PaymentOrder.Channel.SANDBOX)


def test_an_owner_pays_while_a_bill_run_holds_the_community(billed, house_a, resident):
    old = billed[house_a][0]

    with held_by_another_session(house_a.community.hold_for_run):
        settle(paying.pay_bills(resident, [old], idempotency_key="k"))

    assert Bill.objects.get(pk=old.pk).state == State.PAID


def test_payments_and_changes_do_not_lock_the_fee_items(billed, house_a, house_a2, resident,
                                                       neighbour, finance_a):
    items = list(FeeItem.objects.filter(community=house_a.community).values_list(
        "pk", flat=True))
    paid, waived = billed[house_a][0], billed[house_a2][0]

    # As finance editing the fee items would.
    with held_by_another_session(
            lambda: list(FeeItem.objects.select_for_update().filter(pk__in=items).order_by())):
        settle(paying.pay_bills(resident, [paid], idempotency_key="k"))
        Bill.objects.get(pk=waived.pk).waive(by=finance_a, reason="困难户减免")

    assert Bill.objects.get(pk=paid.pk).state == State.PAID
    assert Bill.objects.get(pk=waived.pk).state == State.WAIVED
