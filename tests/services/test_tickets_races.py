"""Steps that race, in real threads with their own connections and transactions (as
tests/services/test_workbench_concurrency.py does): two "on my way" taps tell the owner
once, two fetches of the same WeChat photo attach it once, and the other verbs a worker
or owner may tap twice take effect once."""

import pytest
from django.utils import timezone

from portal.notifications.models import InboxMessage
from services.models import Ticket, TicketAttachment
from services.tickets.tasks import attach_wechat_photo
from tests.races import postgresql_only  # noqa: F401 (the fixture)
from tests.services.test_workbench_concurrency import RACERS, race_steps, role_groups  # noqa: F401
from tests.wechat import conftest as wechat_conftest
from tests.wechat.conftest import APPID, SECRET
from tests.wechat.factories import OfficialAccountFactory

_wechat_stub_server = wechat_conftest._wechat_stub_server
wechat_stub = wechat_conftest.wechat_stub

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("postgresql_only")]

MEDIA_ID = "k3v9QmT0Zr8yB2nX-media_id_raced_by_two_fetches_0123456789abcdefgh"


@pytest.fixture
def order(ticket, worker_a, service_a):
    ticket.dispatch(worker_a.staff, by=service_a)
    return ticket


def test_taps_on_my_way_at_the_same_moment_tell_the_owner_once(order, worker_a, resident):
    arrival = timezone.now().replace(microsecond=0) + timezone.timedelta(minutes=30)

    outcomes = race_steps(lambda: Ticket.objects.get(pk=order.pk).set_off(
        by=worker_a, expected_arrival=arrival))

    assert sum(outcome is not None for outcome in outcomes) == 1
    assert order.events.filter(action="on_the_way").count() == 1
    assert InboxMessage.objects.filter(recipient=resident,
                                       event="services.ticket.on_the_way").count() == 1


@pytest.mark.parametrize("step, action", [("start", "started"), ("complete", "completed")])
def test_worker_steps_at_the_same_moment_happen_once(order, worker_a, step, action):
    outcomes = race_steps(lambda: getattr(Ticket.objects.get(pk=order.pk), step)(by=worker_a))

    assert sum(outcome is None for outcome in outcomes) == 1  # the others were refused
    assert order.events.filter(action=action).count() == 1


def test_owner_confirms_and_rates_at_the_same_moment_once(order, worker_a, resident):
    order.complete(by=worker_a)

    race_steps(lambda: Ticket.objects.get(pk=order.pk).confirm(by=resident))
    race_steps(lambda: Ticket.objects.get(pk=order.pk).rate(by=resident, speed=1, attitude=1,
                                                      quality=1))

    assert order.events.filter(action="confirmed").count() == 1
    assert order.events.filter(action="rated").count() == 1
    assert order.follow_ups.count() == 1


def test_unhappy_revisits_at_the_same_moment_open_one_follow_up(order, worker_a, service_a):
    order.complete(by=worker_a)

    race_steps(lambda: Ticket.objects.get(pk=order.pk).record_revisit(by=service_a,
                                                                satisfied=False))

    assert order.revisits.count() == RACERS
    assert order.follow_ups.count() == 1


def test_fetches_of_the_same_wechat_photo_at_once_attach_it_once(
        order, company, wechat_stub, settings, tmp_path):
    settings.MEDIA_ROOT = settings.PRIVATE_ROOT = tmp_path
    OfficialAccountFactory(appid=APPID, secret=SECRET, company=company)
    wechat_stub.add_media(APPID, MEDIA_ID)
    event = order.events.first()

    outcomes = race_steps(lambda: attach_wechat_photo.call(event.pk, MEDIA_ID, "report"))

    attachment = TicketAttachment.objects.get(ticket=order)
    assert set(outcomes) == {attachment.pk}
    # The copies the losers wrote are removed again (processing leaves the cleaned one).
    left = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(left) <= 2 and attachment.file.name in {
        p.relative_to(tmp_path).as_posix() for p in left}
