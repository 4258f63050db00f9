"""The ticket report's figures on a small hand-made month with known answers: March 2026
in community A (and one ticket of community B that must change nothing in A's report).
Times are local (Asia/Shanghai); 2026-03-02 is a Monday."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone
from django.utils.translation import gettext

from services.models import Ticket
from services.reports import queries
from services.reports.queries import Period
from services.reports.report import TicketReport
from tests.services.factories import TicketFactory, category

State = Ticket.State
MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))


def local(text):
    return timezone.make_aware(datetime.strptime(text, "%Y-%m-%d %H:%M"))


def make(name, when, *, house=None, building=None, community=None, kind=Ticket.Kind.REPAIR,
         accepted=None, completed=None, due_hours=48, scores=None, **fields):
    """A ticket written as it would stand after its steps: accepted and completed so many
    minutes / hours after submission, rated with (speed, attitude, quality)."""
    community = community or house.community
    created = local(when)
    if accepted is not None:
        fields["accepted_at"] = created + timedelta(minutes=accepted)
    if completed is not None:
        fields["completed_at"] = created + timedelta(hours=completed)
        fields["completion_due"] = created + timedelta(hours=due_hours)
    if scores is not None:
        fields.update(rating_speed=scores[0], rating_attitude=scores[1],
                      rating_quality=scores[2], rated_at=fields["completed_at"])
    return TicketFactory(
        category=category(community.company, name, kind), kind=kind, community=community,
        house=house, building=building or (house and house.building), created_at=created,
        **fields)


@pytest.fixture
def march_a(community_a, house_a, house_a2):
    """Seven tickets of community A submitted in March, one before and one after."""
    make("水", "2026-02-20 10:00", house=house_a, state=State.COMPLETED, accepted=5, completed=3)
    make("水", "2026-03-02 09:10", house=house_a, state=State.RATED, accepted=30, completed=2,
         scores=(5, 5, 4))
    make("水", "2026-03-10 09:40", house=house_a, state=State.RATED, accepted=10, completed=50,
         scores=(5, 3, 5))
    make("电", "2026-03-10 20:00", house=house_a2)
    make("门窗", "2026-03-05 08:00", house=house_a2, state=State.CANCELLED)
    make("门窗", "2026-03-15 08:30", house=house_a2, state=State.ACCEPTED, accepted=20)
    make("电梯", "2026-03-31 23:30", community=community_a, building=house_a.building,
         public_area="1栋电梯")
    make("服务态度", "2026-03-11 14:00", community=community_a, kind=Ticket.Kind.COMPLAINT,
         state=State.COMPLETED, accepted=60, completed=1)
    make("水", "2026-04-01 00:30", house=house_a)


@pytest.fixture
def march_b(house_b):
    return make("水", "2026-03-02 09:30", house=house_b, state=State.RATED, accepted=5,
                completed=1, scores=(1, 1, 1))


def figures_of(user, community=None):
    tickets = queries.tickets_for_report(user, community)
    return queries.figures_by_community(tickets, MARCH)


def by_name(counts):
    from services.models import TicketCategory

    names = dict(TicketCategory.objects.values_list("pk", "name"))
    return {names[pk]: n for pk, n in counts.items()}


def test_the_period_is_whole_local_days():
    assert Period.month_of(date(2026, 2, 14)) == Period(date(2026, 2, 1), date(2026, 2, 28))
    assert MARCH.start == local("2026-03-01 00:00")
    assert MARCH.end == local("2026-04-01 00:00")


def test_counts_by_category_and_state(manager_a, march_a, community_a):
    a = figures_of(manager_a)[community_a.pk]
    assert a.tickets == 7
    assert by_name(a.by_category) == {"水": 2, "电": 1, "门窗": 2, "电梯": 1, "服务态度": 1}
    assert a.by_state == {"rated": 2, "submitted": 2, "cancelled": 1, "accepted": 1,
                          "completed": 1}


def test_average_response_and_completion_times(manager_a, march_a, community_a):
    a = figures_of(manager_a)[community_a.pk]
    assert a.accepted == 4
    assert a.average_response_minutes == 30.0  # (30 + 10 + 20 + 60) / 4
    assert a.completed == 3
    assert a.average_completion_hours == 17.7  # (2 + 50 + 1) / 3


def test_on_time_rate_counts_completed_tickets_against_their_deadline(
        manager_a, march_a, community_a):
    a = figures_of(manager_a)[community_a.pk]
    assert (a.on_time, a.due) == (2, 3)
    assert a.on_time_rate == 66.7


def test_satisfied_means_every_score_four_or_more(manager_a, march_a, community_a):
    a = figures_of(manager_a)[community_a.pk]
    assert (a.satisfied, a.rated) == (1, 2)
    assert a.satisfaction_rate == 50.0


def test_repeat_repairs_look_back_before_the_period_and_skip_cancelled_tickets(
        manager_a, march_a, community_a):
    a = figures_of(manager_a)[community_a.pk]
    # Counted: the two water repairs, the electricity one and the accepted door repair
    # (the cancelled one and the public-area elevator are not). Repeats: both water
    # repairs (the February one counts as the earlier repair of the first); the door
    # repair is not one, its only predecessor was cancelled.
    assert (a.repeats, a.repairs) == (2, 4)
    assert a.repeat_rate == 50.0


def test_a_repeat_is_within_thirty_days_inclusive(community_a, house_a, manager_a):
    make("电", "2026-02-01 09:00", house=house_a)
    make("电", "2026-03-03 09:00", house=house_a)  # exactly 30 days later: a repeat
    other = house_a2_of(house_a)
    make("电", "2026-02-08 09:00", house=other)
    make("电", "2026-03-10 09:01", house=other)  # 30 days and a minute
    a = figures_of(manager_a)[community_a.pk]
    assert (a.repeats, a.repairs) == (1, 2)


def house_a2_of(house):
    """Another house of the same building, for a second, independent history."""
    from tests import factories as f

    return f.HouseFactory(unit=house.unit, number="102")


def test_a_merged_duplicate_is_not_a_repeat(community_a, house_a, manager_a):
    first = make("水", "2026-03-02 09:00", house=house_a)
    make("水", "2026-03-02 09:05", house=house_a, merged_into=first, state=State.CLOSED)
    a = figures_of(manager_a)[community_a.pk]
    assert (a.repeats, a.repairs) == (0, 1)


def test_peak_hours_are_local_weekday_and_hour(manager_a, march_a):
    heat = queries.peak_hours(queries.tickets_for_report(manager_a), MARCH)
    # The last ticket of March is Tuesday 23:30 in Shanghai, 15:30 UTC; the April one at
    # 00:30 local is still March 31 in UTC and must not count.
    assert heat == {(1, 9): 1, (2, 9): 1, (2, 20): 1, (4, 8): 1, (7, 8): 1, (2, 23): 1,
                    (3, 14): 1}


def test_top_buildings_per_category_count_genuine_repairs(manager_a, march_a, house_a,
                                                          house_a2):
    top = queries.top_buildings(queries.tickets_for_report(manager_a), MARCH)
    assert by_name({pk: rows for pk, rows in top.items()}) == {
        "水": [(house_a.building_id, 2)],
        "电": [(house_a2.building_id, 1)],
        "门窗": [(house_a2.building_id, 1)],  # the cancelled one is not a fault
        "电梯": [(house_a.building_id, 1)],
    }


def test_top_buildings_keep_the_ten_with_most_faults(community_a, manager_a):
    from tests import factories as f

    for index in range(12):
        building = f.BuildingFactory(community=community_a, name=f"{index + 1}号楼")
        for _n in range(index + 1):
            make("电梯", "2026-03-09 10:00", community=community_a, building=building)
    [(_category, rows)] = queries.top_buildings(
        queries.tickets_for_report(manager_a), MARCH).items()
    assert [n for _building, n in rows] == [12, 11, 10, 9, 8, 7, 6, 5, 4, 3]


def test_community_b_changes_nothing_in_community_a(manager_a, march_a, community_a,
                                                    house_b):
    before = TicketReport(manager_a, MARCH)
    march_b_ticket = make("水", "2026-03-02 09:30", house=house_b, state=State.RATED,
                          accepted=5, completed=1, scores=(1, 1, 1))
    after = TicketReport(manager_a, MARCH)
    assert march_b_ticket.community_id != community_a.pk
    assert [c.key for c in after.columns] == [community_a.pk]
    assert after.summary_rows() == before.summary_rows()
    assert after.category_rows() == before.category_rows()
    assert after.state_rows() == before.state_rows()
    assert after.heat == before.heat
    assert after.building_rows() == before.building_rows()


def test_leadership_sees_every_community_side_by_side(leadership, march_a, march_b,
                                                      community_a, community_b):
    report = TicketReport(leadership, MARCH)
    assert [c.key for c in report.columns] == [community_b.pk, community_a.pk, queries.ALL]
    rows = {str(label): values for label, _unit, values in report.summary_rows()}
    assert rows[gettext("Tickets submitted")] == [1, 7, 8]
    assert rows[gettext("Satisfaction rate")] == [0.0, 50.0, 33.3]
    assert rows[gettext("Average response time")] == [5.0, 30.0, 25.0]  # 125 min / 5


def test_a_community_chosen_narrows_the_report(leadership, march_a, march_b, community_b):
    report = TicketReport(leadership, MARCH, community=community_b)
    assert [c.key for c in report.columns] == [community_b.pk]
    assert report.total.tickets == 1
