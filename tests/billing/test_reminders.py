"""Bill reminders: a few days before the due date and on becoming overdue, to the house's
verified occupants (owners first), each bill's reminder of a kind sent and recorded once
however often the watch runs; a community may switch them off or change the days."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from portal.estates.models import Occupancy
from portal.notifications.models import InboxMessage
from services.billing.fees import Period
from services.billing.models import Bill, State
from services.billing.reminders import BillReminder, ReminderSetting, send_reminders
from tests import factories as f

pytestmark = pytest.mark.django_db

D = Decimal


def make_bill(house, month="2026-10", *, due, amount="120.00", paid="0.00", state=State.DUE):
    period = Period.parse(month)
    return Bill.objects.create(house=house, building_id=house.building_id,
                               community_id=house.community_id, period_kind=period.kind,
                               period_start=period.start, period_end=period.end, due_date=due,
                               amount_due=D(amount), amount_paid=D(paid), state=state)


def today():
    return timezone.localdate()


def test_a_bill_due_in_three_days_is_reminded_once(house_a, resident):
    bill = make_bill(house_a, due=today() + timedelta(days=3), amount="88.50")

    assert send_reminders() == 1
    assert send_reminders() == 0
    call_command("billing_watch", "--once")  # the watch's task: nothing new either

    reminder = BillReminder.objects.get()
    assert (reminder.bill, reminder.kind, reminder.recipients) == (bill, "due_soon", 1)
    message = InboxMessage.objects.get(recipient=resident)
    assert message.event == "billing.bill.due_soon"
    assert "88.50" in message.body and bill.due_date.isoformat() in message.body
    assert message.url == reverse("my_bills:list")


def test_not_yet_in_the_window_paid_or_waived_bills_are_not_reminded(house_a, resident):
    make_bill(house_a, "2026-08", due=today() + timedelta(days=4))
    make_bill(house_a, "2026-09", due=today() + timedelta(days=1), paid="120.00",
              state=State.PAID)
    make_bill(house_a, "2026-10", due=today() - timedelta(days=1), state=State.WAIVED)
    assert send_reminders() == 0
    assert not InboxMessage.objects.exists()


def test_an_overdue_bill_is_reminded_once_when_it_becomes_overdue(house_a, resident):
    bill = make_bill(house_a, due=today() - timedelta(days=1), amount="120.00",
                     paid="20.00", state=State.PARTLY_PAID)
    make_bill(house_a, "2025-01", due=today() - timedelta(days=300))  # long overdue: dunning

    assert send_reminders() == 1
    assert send_reminders() == 0
    reminder = BillReminder.objects.get()
    assert (reminder.bill, reminder.kind) == (bill, "overdue")
    message = InboxMessage.objects.get(recipient=resident)
    assert message.event == "billing.bill.overdue" and "100.00" in message.body


def test_owners_first_and_only_verified_occupants(house_a):
    tenant = f.ResidentFactory(community=house_a.community)
    f.OccupancyFactory(resident=tenant, house=house_a, state="verified",
                       role=Occupancy.Role.TENANT)
    owner = f.ResidentFactory(community=house_a.community)
    f.OccupancyFactory(resident=owner, house=house_a, state="verified",
                       role=Occupancy.Role.OWNER)
    pending = f.ResidentFactory(community=house_a.community)
    f.OccupancyFactory(resident=pending, house=house_a, state="pending")
    make_bill(house_a, due=today() + timedelta(days=2))

    from services.billing.reminders import recipients_of

    assert recipients_of(house_a.pk) == [owner.user_id, tenant.user_id]
    send_reminders()
    assert set(InboxMessage.objects.values_list("recipient", flat=True)) == {
        owner.user_id, tenant.user_id}
    assert BillReminder.objects.get().recipients == 2


def test_a_community_sets_its_days_or_switches_reminders_off(house_a, house_b, resident,
                                                             resident_b):
    ReminderSetting.objects.create(community=house_a.community, days_before=7)
    ReminderSetting.objects.create(community=house_b.community, enabled=False)
    make_bill(house_a, due=today() + timedelta(days=6))
    make_bill(house_b, due=today() + timedelta(days=1))
    make_bill(house_b, "2026-09", due=today() - timedelta(days=1))

    assert send_reminders() == 1
    assert list(InboxMessage.objects.values_list("recipient", flat=True)) == [resident.pk]


def test_no_overdue_reminder_when_the_community_says_so(house_a, resident):
    ReminderSetting.objects.create(community=house_a.community, on_overdue=False)
    make_bill(house_a, due=today() - timedelta(days=2))
    assert send_reminders() == 0


def test_a_house_without_verified_occupants_is_recorded_with_nobody_told(house_a):
    make_bill(house_a, due=today() + timedelta(days=1))
    assert send_reminders() == 1
    assert BillReminder.objects.get().recipients == 0
    assert send_reminders() == 0


def test_reminders_are_scoped(house_a, house_b, finance_a, finance_b, resident, resident_b):
    make_bill(house_a, due=today() + timedelta(days=1))
    make_bill(house_b, due=today() + timedelta(days=1))
    ReminderSetting.objects.create(community=house_a.community)
    send_reminders()
    assert set(BillReminder.objects.visible_to(finance_a).values_list(
        "community", flat=True)) == {house_a.community_id}
    assert set(BillReminder.objects.visible_to(resident_b).values_list(
        "bill__house", flat=True)) == {house_b.pk}
    assert not ReminderSetting.objects.visible_to(finance_b).exists()


def test_the_reminder_day_is_the_callers(house_a, resident):
    make_bill(house_a, due=date(2026, 11, 20))
    assert send_reminders(on=date(2026, 11, 10)) == 0
    assert send_reminders(on=date(2026, 11, 17)) == 1
