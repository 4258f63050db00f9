"""My messages (/me/messages/): my own messages only, newest first, unread marked,
read when opened, with the unread count in the page header."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.notifications.models import InboxMessage
from tests.notifications.factories import InboxMessageFactory

pytestmark = pytest.mark.django_db


def _message(user, title, minutes_ago=0, **fields):
    return InboxMessageFactory(recipient=user, title=title,
                               created_at=timezone.now() - timedelta(minutes=minutes_ago),
                               **fields)


def test_my_messages_needs_a_login(client):
    response = client.get(reverse("notifications:index"))
    assert response.status_code == 302
    assert reverse("account_login") in response.url


def test_a_resident_sees_their_own_messages_newest_first(client, resident, neighbour):
    _message(resident, "较早的消息", minutes_ago=30)
    _message(resident, "最新的消息", minutes_ago=1)
    _message(neighbour, "邻居的消息")
    client.force_login(resident)

    content = client.get(reverse("notifications:index")).content.decode()

    assert content.index("最新的消息") < content.index("较早的消息")
    assert "邻居的消息" not in content


def test_unread_messages_are_marked_and_counted(client, resident):
    _message(resident, "未读的消息")
    _message(resident, "已读的消息", read_at=timezone.now())
    client.force_login(resident)

    response = client.get(reverse("notifications:index"))

    assert response.context["unread"] == 1
    [unread] = [m for m in response.context["page_obj"] if not m.is_read]
    assert unread.title == "未读的消息"
    assert response.content.decode().count("inbox-item_unread") == 1


def test_opening_a_message_marks_it_read_once(client, resident):
    message = _message(resident, "停水通知", body="明天 9:00–12:00 停水。")
    client.force_login(resident)

    response = client.get(reverse("notifications:detail", args=[message.pk]))
    message.refresh_from_db()
    first_read = message.read_at
    client.get(reverse("notifications:detail", args=[message.pk]))
    message.refresh_from_db()

    assert response.status_code == 200
    assert "明天 9:00–12:00 停水。" in response.content.decode()
    assert first_read is not None
    assert message.read_at == first_read


def test_a_resident_cannot_open_someone_elses_message_by_its_id(client, resident, neighbour):
    message = _message(neighbour, "邻居的账单")
    client.force_login(resident)

    for name in ("notifications:detail", "notifications:open"):
        assert client.get(reverse(name, args=[message.pk])).status_code == 404
    message.refresh_from_db()
    assert message.read_at is None


def test_the_wechat_link_marks_the_message_read_and_leads_to_its_page(client, resident):
    message = _message(resident, "认证通过", url="/me/")
    client.force_login(resident)

    response = client.get(reverse("notifications:open", args=[message.pk]))

    assert response.status_code == 302
    assert response.url == "/me/"
    message.refresh_from_db()
    assert message.is_read


def test_a_message_linking_outside_the_portal_opens_the_message_instead(client, resident):
    message = _message(resident, "奇怪的链接", url="https://evil.example.com/")
    client.force_login(resident)

    response = client.get(reverse("notifications:open", args=[message.pk]))
    detail = client.get(reverse("notifications:detail", args=[message.pk])).content.decode()

    assert response.url == reverse("notifications:detail", args=[message.pk])
    assert "evil.example.com" not in detail


def test_mark_all_read_marks_only_my_messages(client, resident, neighbour):
    _message(resident, "一")
    _message(resident, "二")
    theirs = _message(neighbour, "邻居的")
    client.force_login(resident)

    assert client.get(reverse("notifications:read_all")).status_code == 405
    client.post(reverse("notifications:read_all"))

    assert not InboxMessage.objects.filter(recipient=resident, read_at=None).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_no_messages_yet_says_so(client, resident):
    client.force_login(resident)
    response = client.get(reverse("notifications:index"))
    assert 'id="no-messages"' in response.content.decode()


def test_staff_read_their_own_messages_too(client, service_a):
    _message(service_a, "新工单")
    client.force_login(service_a)
    assert "新工单" in client.get(reverse("notifications:index")).content.decode()


def test_messages_are_paged_twenty_at_a_time(client, resident):
    for number in range(25):
        _message(resident, f"消息{number:02d}", minutes_ago=number)
    client.force_login(resident)

    first = client.get(reverse("notifications:index")).content.decode()
    second = client.get(reverse("notifications:index"), {"page": 2}).content.decode()

    assert "消息00" in first and "消息19" in first and "消息20" not in first
    assert "消息24" in second and "消息00" not in second


def test_the_header_shows_how_many_messages_are_unread(client, resident):
    _message(resident, "一")
    _message(resident, "二")
    client.force_login(resident)

    content = client.get(reverse("estates:me")).content.decode()

    assert 'id="header-messages"' in content
    assert 'id="header-unread">2<' in content


def test_the_header_shows_no_count_when_everything_is_read(client, resident):
    _message(resident, "一", read_at=timezone.now())
    client.force_login(resident)

    content = client.get(reverse("estates:me")).content.decode()

    assert 'id="header-messages"' in content
    assert 'id="header-unread"' not in content


def test_large_text_mode_applies_to_my_messages(client, resident):
    _message(resident, "大字")
    client.force_login(resident)
    client.cookies["large_font"] = "1"
    assert 'class="large-font"' in client.get(reverse("notifications:index")).content.decode()
