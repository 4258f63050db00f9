"""Automatic dispatch right after submission (the rules: building before community,
category before every category; a team sends its least busy member on duty), and the
workers suggested to customer service (trade, on duty, load)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.utils import timezone

from portal.estates import roles
from portal.estates.models import Trade
from portal.notifications.models import InboxMessage
from services.models import DispatchRule, DutyShift, Ticket, WorkerTeam
from services.tickets.dispatch import matching_rule, suggest_workers
from tests import factories as f
from tests.services.factories import category, submit

State = Ticket.State


@pytest.fixture
def worker(company, community_a):
    def make(name, trades=(), communities=(community_a,)):
        staff = f.StaffFactory(company=company, name=name, user__groups=[roles.WORKER],
                               communities=list(communities))
        staff.trades.set(Trade.objects.filter(code__in=trades))
        return staff
    return make


def on_duty(staff, community, hours=(-1, 8)):
    now = timezone.now()
    return DutyShift.objects.create(community=community, staff=staff,
                                    starts_at=now + timedelta(hours=hours[0]),
                                    ends_at=now + timedelta(hours=hours[1]))


def busy(staff, resident, house, times, by):
    for _ in range(times):
        submit(resident, house=house, description="占用").dispatch(staff, by=by)


def rule(community, **fields):
    return DispatchRule.objects.create(community=community, **fields)


@pytest.fixture
def submitted(resident, house_a, django_capture_on_commit_callbacks):
    """Submit a ticket as the form does: dispatch runs on commit (immediate tasks)."""
    def make(**fields):
        with django_capture_on_commit_callbacks(execute=True):
            ticket = submit(resident, house=house_a, **fields)
        ticket.refresh_from_db()
        return ticket
    return make


def test_a_matching_rule_dispatches_the_ticket_on_submission(submitted, community_a, worker,
                                                             resident):
    plumber = worker("水工")
    rule(community_a, category=category(community_a.company), worker=plumber)

    ticket = submitted()

    assert ticket.state == State.DISPATCHED
    assert ticket.assignee == plumber
    assert list(ticket.events.values_list("action", flat=True)) == ["submitted", "dispatched"]
    assert ticket.events.get(action="dispatched").actor is None
    assert InboxMessage.objects.filter(recipient=plumber.user,
                                       event="services.ticket.assigned").exists()
    assert InboxMessage.objects.filter(recipient=resident,
                                       event="services.ticket.dispatched").exists()


def test_no_rule_leaves_the_ticket_in_the_queue(submitted, worker):
    worker("水工", trades=["water"])

    ticket = submitted()

    assert ticket.state == State.SUBMITTED
    assert ticket.assignee is None


def test_a_rule_of_another_community_never_applies(submitted, community_b, company, worker):
    worker_b = worker("翠湖水工", communities=[community_b])
    rule(community_b, category=category(company), worker=worker_b)
    rule(community_b, worker=worker_b)

    ticket = submitted()

    assert ticket.state == State.SUBMITTED
    assert matching_rule(ticket) is None


def test_an_inactive_rule_does_not_apply(submitted, community_a, worker):
    rule(community_a, worker=worker("水工"), active=False)
    assert submitted().state == State.SUBMITTED


def test_complaints_are_not_dispatched(resident, community_a, worker,
                                       django_capture_on_commit_callbacks):
    rule(community_a, worker=worker("万能工"))
    with django_capture_on_commit_callbacks(execute=True):
        complaint = submit(resident, name="噪音扰民", kind=Ticket.Kind.COMPLAINT)
    complaint.refresh_from_db()
    assert complaint.state == State.SUBMITTED


def test_building_rules_come_before_community_rules(submitted, community_a, house_a, worker):
    community_wide = worker("全小区")
    this_building = worker("本楼")
    rule(community_a, category=category(community_a.company), worker=community_wide)
    rule(community_a, building=house_a.building, worker=this_building)

    assert submitted().assignee == this_building


def test_category_rules_come_before_every_category_rules(submitted, community_a, worker):
    anything = worker("杂工")
    plumber = worker("水工")
    rule(community_a, worker=anything)
    rule(community_a, category=category(community_a.company), worker=plumber)

    assert submitted().assignee == plumber
    assert submitted(name="电").assignee == anything


def test_a_rule_for_another_building_does_not_apply(submitted, community_a, house_a2,
                                                    worker):
    rule(community_a, building=house_a2.building, worker=worker("二栋"))
    assert submitted().state == State.SUBMITTED


def test_a_team_sends_its_least_busy_member_on_duty(submitted, community_a, worker, resident,
                                                    house_a, service_a):
    busy_one, free_one, off_duty = worker("忙"), worker("闲"), worker("休")
    team = WorkerTeam.objects.create(community=community_a, name="维修班")
    team.members.set([busy_one, free_one, off_duty])
    on_duty(busy_one, community_a)
    on_duty(free_one, community_a)
    # A second, overlapping shift must not count the member's orders twice.
    on_duty(free_one, community_a, hours=(-2, 2))
    busy(busy_one, resident, house_a, 1, by=service_a)
    busy(free_one, resident, house_a, 1, by=service_a)
    busy(busy_one, resident, house_a, 1, by=service_a)
    rule(community_a, team=team)

    assert submitted().assignee == free_one


def test_a_team_sends_a_member_of_the_tickets_trade_before_a_less_busy_one(
        submitted, community_a, worker, resident, house_a, service_a):
    carpenter, plumber = worker("木工", trades=["carpentry"]), worker("水工", trades=["water"])
    team = WorkerTeam.objects.create(community=community_a, name="维修班")
    team.members.set([carpenter, plumber])
    on_duty(carpenter, community_a)
    on_duty(plumber, community_a)
    busy(plumber, resident, house_a, 2, by=service_a)
    rule(community_a, team=team)

    assert submitted().assignee == plumber  # a water repair


def test_the_owner_does_not_read_the_companys_routing(submitted, community_a, worker, client,
                                                      resident, service_a):
    plumber = worker("水工")
    every_category = rule(community_a, worker=plumber)

    ticket = submitted()

    dispatched = ticket.events.get(action="dispatched")
    assert dispatched.note == ""
    assert dispatched.data["rule"] == str(every_category)
    client.force_login(resident)
    owner_page = client.get(ticket.owner_url).content.decode()
    assert "水工" in owner_page and "→" not in owner_page
    client.force_login(service_a)
    desk_page = client.get(ticket.admin_url).content.decode()
    assert str(every_category) in desk_page


def test_a_team_with_nobody_on_duty_leaves_the_ticket_in_the_queue(submitted, community_a,
                                                                   worker, community_b):
    member = worker("夜班")
    team = WorkerTeam.objects.create(community=community_a, name="维修班")
    team.members.set([member])
    on_duty(member, community_a, hours=(2, 10))  # later today
    on_duty(member, community_b)  # on duty, but in the other community
    rule(community_a, team=team)

    ticket = submitted()

    assert ticket.state == State.SUBMITTED
    assert ticket.assignee is None


def test_a_team_member_who_left_the_community_is_not_sent(submitted, community_a,
                                                          community_b, worker):
    moved = worker("调走", communities=[community_b])
    team = WorkerTeam.objects.create(community=community_a, name="维修班")
    team.members.set([moved])
    on_duty(moved, community_a)
    rule(community_a, team=team)

    assert submitted().state == State.SUBMITTED


def test_a_rule_naming_a_worker_who_no_longer_serves_the_community_leaves_it_queued(
        submitted, community_a, community_b, worker):
    rule(community_a, worker=worker("调走", communities=[community_b]))
    assert submitted().state == State.SUBMITTED


def test_a_named_worker_off_duty_by_the_calendar_is_not_sent(submitted, community_a, worker):
    night = worker("夜班水工")
    on_duty(night, community_a, hours=(2, 10))  # the calendar has them later today
    rule(community_a, worker=night)

    assert submitted().state == State.SUBMITTED


def test_a_named_worker_on_duty_by_the_calendar_is_sent(submitted, community_a, worker):
    day = worker("白班水工")
    on_duty(day, community_a)
    rule(community_a, worker=day)

    assert submitted().assignee == day


def test_a_rule_naming_a_deactivated_worker_leaves_it_queued(submitted, community_a, worker):
    gone = worker("离职")
    gone.user.is_active = False
    gone.user.save()
    rule(community_a, worker=gone)
    assert submitted().state == State.SUBMITTED


def test_a_ticket_cancelled_before_the_task_runs_is_not_dispatched(
        resident, house_a, community_a, worker, service_a):
    from services.tickets.tasks import dispatch_automatically

    rule(community_a, worker=worker("水工"))
    ticket = submit(resident, house=house_a)  # on_commit not run: the task is late
    ticket.cancel(by=resident)

    assert dispatch_automatically.call(ticket.pk) is None
    ticket.refresh_from_db()
    assert ticket.state == State.CANCELLED


def test_suggestions_put_the_trade_first_then_on_duty_then_the_least_busy(
        ticket, community_a, community_b, worker, resident, house_a, service_a):
    idle = worker("闲人")
    busy_on_duty = worker("值班忙")
    on_duty_free = worker("值班闲")
    plumber = worker("水工", trades=["water", "electricity"])
    outsider = worker("翠湖水工", trades=["water"], communities=[community_b])
    for staff in (busy_on_duty, on_duty_free):
        on_duty(staff, community_a)
    on_duty(plumber, community_b)  # on duty elsewhere: not on duty here
    on_duty(plumber, community_a, hours=(3, 9))
    busy(busy_on_duty, resident, house_a, 2, by=service_a)
    busy(plumber, resident, house_a, 3, by=service_a)

    suggested = list(suggest_workers(ticket))

    assert suggested == [plumber, on_duty_free, busy_on_duty, idle]
    assert outsider not in suggested
    loads = {staff.name: (staff.has_trade, staff.on_duty, staff.load) for staff in suggested}
    assert loads == {"水工": (1, 0, 3), "值班闲": (0, 1, 0), "值班忙": (0, 1, 2),
                     "闲人": (0, 0, 0)}


def test_suggestions_count_only_open_orders_as_load(ticket, community_a, worker, resident,
                                                    house_a, service_a):
    done = worker("完工")
    other = worker("在修")
    finished = submit(resident, house=house_a)
    finished.dispatch(done, by=service_a)
    finished.complete(by=done.user)
    busy(other, resident, house_a, 1, by=service_a)

    assert list(suggest_workers(ticket)) == [done, other]


def test_suggestions_leave_out_desk_staff_and_inactive_workers(ticket, service_a, worker):
    gone = worker("离职")
    gone.user.is_active = False
    gone.user.save()
    assert list(suggest_workers(ticket)) == []


def test_the_demo_dispatches_repairs_automatically(client, db,
                                                   django_capture_on_commit_callbacks):
    from django.core.management import call_command

    from portal.accounts.models import User
    from portal.estates.models import Occupancy

    output = StringIO()
    call_command("seed_demo", stdout=output)
    occupancy = Occupancy.objects.filter(state="verified", community__code="jinxiu",
                                         resident__user__is_active=True).first()

    with django_capture_on_commit_callbacks(execute=True):
        ticket = submit(occupancy.resident.user, house=occupancy.house)
    ticket.refresh_from_db()

    assert ticket.state == State.DISPATCHED
    assert ticket.assignee.teams.get().name == "维修班"
    assert DutyShift.objects.on_duty(timezone.now()).filter(
        staff=ticket.assignee, community=ticket.community).exists()
    worker_user = ticket.assignee.user
    assert worker_user.phone in output.getvalue()
    assert User.find_by_phone(worker_user.phone) == worker_user
    client.force_login(worker_user)
    assert ticket.description in client.get("/work/").content.decode()
    rules = DispatchRule.objects.all()
    assert sorted(rules.values_list("community__code", flat=True)) == ["cuihu", "jinxiu"]
    shifts = DutyShift.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert DutyShift.objects.count() == shifts and rules.count() == 2
