"""notify_many() writes its rows in bulk (COPY on PostgreSQL): every value arrives as
given, whatever characters it holds, and every row gets its own id."""

import pytest

from portal.accounts.models import User
from portal.notifications import notify_many
from portal.notifications.models import Delivery, InboxMessage
from tests.notifications.conftest import APPID, TEMPLATE_ID
from tests.notifications.factories import TemplateSettingFactory
from tests.wechat.factories import FollowerFactory

pytestmark = pytest.mark.django_db

NOTICE = "停水\t{通知} 'a' \"b\""
SUMMARY = "第一行\n第二行 \\ 反斜杠 {x} \\N %s\r"


@pytest.fixture
def emergency_template(account, wechat_stub):
    wechat_stub.add_template(APPID, TEMPLATE_ID)
    return TemplateSettingFactory(account=account, event="notices.notice.emergency",
                                  template_id=TEMPLATE_ID)


def test_values_arrive_as_given(account, emergency_template, community_a, resident,
                                neighbour, wechat_stub, deliver):
    wechat_stub.add_follower(APPID, "o-bulk")
    FollowerFactory(account=account, openid="o-bulk", user=neighbour)

    told = deliver(notify_many, User.objects.filter(resident__community=community_a),
                   "notices.notice.emergency", {"notice": NOTICE, "summary": SUMMARY},
                   url="/notices/{1}/")

    assert told == 2
    messages = InboxMessage.objects.order_by("pk")
    assert {message.recipient_id for message in messages} == {resident.pk, neighbour.pk}
    assert len({message.pk for message in messages}) == 2
    for message in messages:
        assert NOTICE in message.title
        assert message.body == SUMMARY
        assert message.url == "/notices/{1}/"
        assert message.community_id == community_a.pk
        assert message.read_at is None
    deliveries = {delivery.message.recipient_id: delivery
                  for delivery in Delivery.objects.select_related("message")}
    wechat = deliveries[neighbour.pk]
    assert wechat.channel == Delivery.Channel.WECHAT
    assert wechat.follower.openid == "o-bulk"
    assert wechat.template_id == TEMPLATE_ID
    assert any(NOTICE in field["value"] for field in wechat.payload["data"].values())
    other = deliveries[resident.pk]
    assert other.channel in (Delivery.Channel.SMS, Delivery.Channel.INBOX)
    if other.channel == Delivery.Channel.SMS:
        assert "反斜杠 {x}" in other.payload["text"]


def test_rows_written_in_two_calls_have_their_own_ids(resident, neighbour, deliver):
    first = deliver(notify_many, User.objects.filter(pk=resident.pk), "notifications.test")
    second = deliver(notify_many, User.objects.filter(pk__in=[resident.pk, neighbour.pk]),
                     "notifications.test")

    assert (first, second) == (1, 2)
    assert InboxMessage.objects.count() == 3
    assert Delivery.objects.values("message").distinct().count() == 3


def test_equal_values_of_other_types_keep_their_own_text():
    """8, 8.0 and Decimal("8.00") are equal (and hash alike) but COPY must write each as
    itself: an amount must not come out as an id, nor an id as an amount."""
    from decimal import Decimal

    from portal.notifications.bulk import _Texts

    texts = _Texts()
    assert [texts.of(8), texts.of(Decimal("8.00")), texts.of(8.0), texts.of(True)] == [
        "8", "8.00", "8.0", "t"]
