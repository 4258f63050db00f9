"""Visitors' personal data goes after each community's retention period; the counts
stay. Run by the visitors watch's background task."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from services.visitors.models import VisitorPass, VisitorSetting
from services.visitors.tasks import remove_visitor_personal_data

from .passes_setup import invited

pytestmark = pytest.mark.django_db


def test_personal_data_goes_after_the_retention_period_and_counts_stay(resident, house_a):
    old = invited(resident, house_a, starts_in=timedelta(days=-181), hours=2)
    recent = invited(resident, house_a, starts_in=timedelta(days=-179), hours=2)
    result = remove_visitor_personal_data.enqueue()
    assert result.return_value == {"cleared": 1}
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.visitor_name, old.visitor_phone, old.plate, old.purpose) == ("", "", "", "")
    assert old.personal_data_removed_at is not None
    assert (old.people, old.house, old.starts_at.date()) == (2, house_a,
                                                             (timezone.now() - timedelta(
                                                                 days=181)).date())
    assert recent.visitor_name == "王五" and recent.visitor_phone == "13800138000"
    assert VisitorPass.objects.count() == 2
    assert remove_visitor_personal_data.enqueue().return_value == {"cleared": 0}


def test_each_community_keeps_data_for_its_own_period(resident, resident_b, house_a,
                                                      house_b, community_b):
    VisitorSetting.objects.create(community=community_b, retention_days=30)
    a = invited(resident, house_a, starts_in=timedelta(days=-40), hours=2)
    b = invited(resident_b, house_b, starts_in=timedelta(days=-40), hours=2)
    remove_visitor_personal_data.enqueue()
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.visitor_name == "王五" and b.visitor_name == ""


def test_the_visitors_watch_queues_the_removal(resident, house_a, capsys):
    old = invited(resident, house_a, starts_in=timedelta(days=-200), hours=2)
    call_command("visitors_watch", "--once")
    old.refresh_from_db()
    assert old.visitor_name == ""


def test_what_the_occupant_was_told_forgets_the_visitor_too(resident, house_a):
    from portal.notifications.models import Delivery, InboxMessage
    from services.visitors import gate

    old = invited(resident, house_a, starts_in=timedelta(days=-181), hours=2)
    recent = invited(resident, house_a, starts_in=timedelta(days=-179), hours=2)
    for visitor_pass in (old, recent):
        gate.tell_arrived(visitor_pass)
    told = {message.url: message for message in InboxMessage.objects.filter(
        recipient=resident, event="visitors.arrived")}
    assert all("王五" in message.body for message in told.values())

    remove_visitor_personal_data.enqueue()

    forgotten = InboxMessage.objects.get(pk=told[f"/me/visitors/{old.pk}/"].pk)
    kept = InboxMessage.objects.get(pk=told[f"/me/visitors/{recent.pk}/"].pk)
    assert "王五" not in forgotten.body
    assert "王五" in kept.body
    assert not any("王五" in str(delivery.payload)
                   for delivery in Delivery.objects.filter(message=forgotten))
