"""Two billing watches at the same moment, in real threads with their own connections on
PostgreSQL: each bill's reminder is sent once (the unique row is claimed in the
transaction that writes the messages); the same dunning request twice at once writes
one notice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.notifications.models import InboxMessage
from services.billing.arrears import DunningNotice
from services.billing.reminders import BillReminder, send_reminders
from tests import factories as f
from tests.races import postgresql_only, race  # noqa: F401 (the fixture)

from .test_reminders import make_bill

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("postgresql_only")]

RACERS = 4


def test_simultaneous_watches_remind_each_bill_once(house_a, resident):
    today = timezone.localdate()
    houses = [house_a] + [f.HouseFactory(unit=house_a.unit, number=f"9{n:02d}")
                          for n in range(9)]
    for house in houses[1:]:
        f.OccupancyFactory(resident=f.ResidentFactory(community=house.community),
                           house=house, state="verified")
    for house in houses:
        make_bill(house, "2026-10", due=today + timedelta(days=1))
        make_bill(house, "2026-09", due=today - timedelta(days=2))

    results, errors = race(lambda _index: send_reminders(), RACERS)

    assert errors == []
    assert sum(results) == 20
    assert BillReminder.objects.count() == 20
    assert InboxMessage.objects.count() == 20
    assert InboxMessage.objects.filter(recipient=resident).count() == 2


def test_the_same_dunning_request_at_once_writes_one_notice(house_a, resident, finance_a):
    make_bill(house_a, due=timezone.localdate() - timedelta(days=30))

    results, errors = race(
        lambda _index: DunningNotice.send(house_a, by=finance_a, request_key="same")[1],
        RACERS)

    assert errors == []
    assert sorted(results) == [False] * (RACERS - 1) + [True]
    assert DunningNotice.objects.count() == 1
    assert InboxMessage.objects.count() == 1
    assert BillReminder.objects.filter(kind="dunning").count() == 1
