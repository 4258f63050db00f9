"""Personal notices: staff pick houses, units or buildings of their communities and the
residents living there are told once through the notification service; the record is
kept and only the staff of its community (and its recipients) reach it."""

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from notices.models import PersonalNotice
from portal.notifications.models import InboxMessage

KEY = "2f1c4b1e-3d4a-4c55-9a43-0c1f7e0d5a10"


def url(name, *args):
    return reverse(f"notices_personal:{name}", args=args)


def form(community, *, houses=(), units=(), buildings=(), key=KEY, **fields):
    data = {"community": community.pk, "houses": [h.pk for h in houses],
            "units": [u.pk for u in units], "buildings": [b.pk for b in buildings],
            "subject": "物业费催缴", "text": "您家本季度物业费尚未缴纳，请于月底前缴纳。",
            "form_key": key}
    data.update(fields)
    return data


def told(user):
    return InboxMessage.objects.filter(recipient=user).count()


def test_staff_tell_the_residents_of_a_chosen_house(client, service_a, community_a, house_a,
                                                    resident, neighbour):
    client.force_login(service_a)

    response = client.post(url("send"), form(community_a, houses=[house_a]), follow=True)

    assert "Sent to 1 residents." in response.content.decode()
    assert (told(resident), told(neighbour)) == (1, 0)
    message = InboxMessage.objects.get(recipient=resident)
    assert message.title == "物业费催缴"
    assert "月底前" in message.body
    notice = PersonalNotice.objects.get()
    assert list(notice.recipients.all()) == [resident.resident]
    assert (notice.community, notice.sent_by, notice.recipient_count) == (
        community_a, service_a, 1)
    assert ModelLogEntry.objects.filter(action="notices.personal.send", user=service_a).exists()


def test_choosing_a_building_tells_everyone_living_in_it(client, service_a, community_a,
                                                         house_a, house_a2, resident, neighbour):
    client.force_login(service_a)

    client.post(url("send"), form(community_a, buildings=[house_a.building],
                                  units=[house_a2.unit]))

    assert (told(resident), told(neighbour)) == (1, 1)
    assert PersonalNotice.objects.get().recipient_count == 2


def test_the_same_form_sent_twice_tells_once(client, service_a, community_a, house_a,
                                             resident):
    client.force_login(service_a)

    first = client.post(url("send"), form(community_a, houses=[house_a]))
    second = client.post(url("send"), form(community_a, houses=[house_a]))

    assert told(resident) == 1
    assert PersonalNotice.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_nothing_is_sent_without_a_place_chosen(client, service_a, community_a, resident):
    client.force_login(service_a)

    response = client.post(url("send"), form(community_a))

    assert "Choose at least one building, unit or house." in response.content.decode()
    assert 'value="物业费催缴"' in response.content.decode()
    assert told(resident) == 0
    assert not PersonalNotice.objects.exists()


def test_nothing_is_sent_when_nobody_lives_there(client, service_a, community_a, house_a2):
    client.force_login(service_a)

    response = client.post(url("send"), form(community_a, houses=[house_a2]))

    assert "Nobody lives in the houses chosen." in response.content.decode()
    assert not PersonalNotice.objects.exists()


def test_a_house_of_another_community_cannot_be_chosen(client, service_a, community_a,
                                                       house_b, resident_b):
    client.force_login(service_a)

    response = client.post(url("send"), form(community_a, houses=[house_b]))

    assert response.status_code == 200
    assert told(resident_b) == 0
    assert not PersonalNotice.objects.exists()


def test_places_must_be_in_the_community_chosen(client, leadership, community_a, house_b,
                                                resident_b):
    client.force_login(leadership)

    response = client.post(url("send"), form(community_a, houses=[house_b]))

    assert "Choose only places in the community chosen." in response.content.decode()
    assert told(resident_b) == 0


# -- data permission -------------------------------------------------------------------------

@pytest.fixture
def sent(service_a, community_a, house_a, resident):
    notice, _new = PersonalNotice.send(community_a, [resident.resident], subject="停车费",
                                       text="请续缴停车费。", by=service_a, form_key=KEY)
    return notice


def test_staff_see_the_record_with_masked_phones(client, service_a, sent, resident):
    client.force_login(service_a)

    listing = client.get(url("index")).content.decode()
    detail = client.get(url("detail", sent.pk)).content.decode()

    assert "停车费" in listing
    assert resident.resident.masked_phone in detail
    assert resident.phone not in detail


def test_staff_of_another_community_cannot_reach_the_record(client, manager_b, sent,
                                                            house_a, resident):
    client.force_login(manager_b)

    assert "停车费" not in client.get(url("index")).content.decode()
    assert client.get(url("detail", sent.pk)).status_code == 404
    assert not PersonalNotice.objects.visible_to(manager_b).exists()
    # Nor send to community A's residents by posting its ids.
    client.post(url("send"), form(sent.community, houses=[house_a], key="another"))
    assert told(resident) == 1


def test_a_resident_sees_only_the_notices_sent_to_them(sent, resident, neighbour):
    assert list(PersonalNotice.objects.visible_to(resident)) == [sent]
    assert not PersonalNotice.objects.visible_to(neighbour).exists()


def test_residents_cannot_open_the_admin_pages(client, sent, resident):
    client.force_login(resident)

    for response in (client.get(url("index")), client.get(url("detail", sent.pk)),
                     client.post(url("send"), form(sent.community, key="x"))):
        assert response.status_code in (302, 403)
    assert PersonalNotice.objects.count() == 1
