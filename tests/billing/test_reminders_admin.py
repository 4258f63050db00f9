"""Reminder settings and the reminders sent, in the admin: finance sets its communities'
reminders and reads what was sent; staff of another community reach none of it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from services.billing.reminders import BillReminder, ReminderSetting, send_reminders

from .test_reminders import make_bill

pytestmark = pytest.mark.django_db


def test_finance_sets_the_reminders_of_its_community(client, finance_a, community_a,
                                                     community_b):
    client.force_login(finance_a)
    assert client.get(reverse("bill_reminder_settings:index")).status_code == 200
    url = reverse("bill_reminder_settings:add")
    response = client.post(url, {"community": community_b.pk, "enabled": "on",
                                 "days_before": 5, "on_overdue": "on"})
    assert response.status_code == 200 and not ReminderSetting.objects.exists()
    response = client.post(url, {"community": community_a.pk, "enabled": "on",
                                 "days_before": 5})
    assert response.status_code == 302
    setting = ReminderSetting.objects.get()
    assert (setting.community, setting.days_before, setting.on_overdue) == (community_a, 5,
                                                                            False)


def test_settings_of_another_community_are_out_of_reach(client, finance_b, community_a):
    setting = ReminderSetting.objects.create(community=community_a, days_before=9)
    client.force_login(finance_b)
    page = client.get(reverse("bill_reminder_settings:index")).content.decode()
    assert community_a.name not in page
    for name in ("edit", "delete"):
        response = client.get(reverse(f"bill_reminder_settings:{name}", args=[setting.pk]))
        assert response.status_code in (302, 403, 404)
    response = client.post(reverse("bill_reminder_settings:edit", args=[setting.pk]),
                           {"community": community_a.pk, "days_before": 1})
    assert response.status_code in (302, 403, 404)
    setting.refresh_from_db()
    assert setting.days_before == 9


def test_the_reminders_sent_are_listed_per_community(client, house_a, house_b, resident,
                                                     finance_a, finance_b):
    make_bill(house_a, due=timezone.localdate() + timedelta(days=1))
    send_reminders()
    reminder = BillReminder.objects.get()
    client.force_login(finance_a)
    page = client.get(reverse("billing_arrears:reminders")).content.decode()
    assert house_a.label in page and reminder.message in page
    client.force_login(finance_b)
    page = client.get(reverse("billing_arrears:reminders")).content.decode()
    assert house_a.label not in page
