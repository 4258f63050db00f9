"""The delivery log and template settings in the admin: staff of community B reach
nothing of A's deliveries (listing, search, export, inspect, custom views, guessed ids);
leadership reaches both; nobody edits the log; template keywords are checked."""

import pytest
from django.urls import reverse

from portal.notifications.models import Delivery, TemplateSetting
from tests.notifications.factories import DeliveryFactory, InboxMessageFactory
from tests.wechat.conftest import APPID
from tests.wechat.factories import OfficialAccountFactory

pytestmark = pytest.mark.django_db

OBJECT_VIEWS = ["inspect", "edit", "delete", "history", "usage", "resend"]


def _delivery(user, community, title, status=Delivery.Status.FAILED):
    message = InboxMessageFactory(recipient=user, community=community, title=title)
    return DeliveryFactory(message=message, status=status, errcode=40037,
                           errmsg="invalid template_id")


@pytest.fixture
def delivery_a(resident, community_a):
    return _delivery(resident, community_a, "甲小区停水通知")


@pytest.fixture
def delivery_b(resident_b, community_b):
    return _delivery(resident_b, community_b, "乙小区停电通知")


@pytest.mark.parametrize("view", OBJECT_VIEWS)
def test_manager_of_b_gets_404_for_a_delivery_of_a_by_any_url(client, manager_b, delivery_a,
                                                              delivery_b, view):
    client.force_login(manager_b)
    assert client.get(reverse(f"delivery:{view}", args=[delivery_a.pk])).status_code == 404
    assert client.post(reverse(f"delivery:{view}", args=[delivery_a.pk])).status_code == 404
    delivery_a.refresh_from_db()
    assert delivery_a.status == Delivery.Status.FAILED


def test_manager_of_b_lists_searches_and_exports_only_b(client, manager_b, delivery_a,
                                                        delivery_b):
    client.force_login(manager_b)
    listing = client.get(reverse("delivery:index")).content.decode()
    search = client.get(reverse("delivery:index_results"), {"q": "通知"}).content.decode()
    export = client.get(reverse("delivery:index"), {"export": "csv"})
    exported = b"".join(export.streaming_content).decode("utf-8-sig")

    for content in (listing, search, exported):
        assert "乙小区停电通知" in content
        assert "甲小区停水通知" not in content


def test_filtering_by_the_other_community_shows_nothing_of_it(client, manager_b, delivery_a,
                                                               delivery_b, community_a):
    client.force_login(manager_b)
    content = client.get(reverse("delivery:index"),
                         {"community": community_a.pk}).content.decode()
    assert "甲小区停水通知" not in content


def test_customer_service_of_a_reads_the_log_of_a(client, service_a, delivery_a, delivery_b):
    client.force_login(service_a)
    listing = client.get(reverse("delivery:index")).content.decode()
    inspect = client.get(reverse("delivery:inspect", args=[delivery_a.pk]))

    assert "甲小区停水通知" in listing
    assert "乙小区停电通知" not in listing
    assert inspect.status_code == 200
    assert "invalid template_id" in inspect.content.decode()


def test_leadership_reads_the_log_of_every_community(client, leadership, delivery_a,
                                                     delivery_b):
    client.force_login(leadership)
    listing = client.get(reverse("delivery:index")).content.decode()
    assert "甲小区停水通知" in listing
    assert "乙小区停电通知" in listing


def test_filters_narrow_the_log_by_status(client, leadership, delivery_a, resident_b,
                                          community_b):
    sent = _delivery(resident_b, community_b, "乙已发送", status=Delivery.Status.SENT)
    client.force_login(leadership)
    content = client.get(reverse("delivery:index"), {"status": "sent"}).content.decode()
    assert sent.message.title in content
    assert "甲小区停水通知" not in content


def test_nobody_adds_or_edits_a_delivery_not_even_a_superuser(client, delivery_a):
    from tests import factories as f

    admin = f.UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert client.get(reverse("delivery:inspect", args=[delivery_a.pk])).status_code == 200
    for url in (reverse("delivery:add"), reverse("delivery:edit", args=[delivery_a.pk]),
                reverse("delivery:delete", args=[delivery_a.pk])):
        client.post(url, {})
    assert Delivery.objects.filter(pk=delivery_a.pk, status=Delivery.Status.FAILED).exists()
    assert Delivery.objects.count() == 1


@pytest.mark.parametrize("persona", ["resident", "worker_a", "outsider"])
def test_people_without_the_log_permission_cannot_read_it(client, request, delivery_a,
                                                          persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("delivery:index"))
    assert response.status_code in (302, 403)
    assert "甲小区停水通知" not in client.get(reverse("delivery:index"), follow=True
                                        ).content.decode()


def test_manager_of_a_sends_a_failed_delivery_again(client, manager_a, resident, community_a,
                                                    wechat_stub, deliver):
    from tests.notifications.factories import TemplateSettingFactory
    from tests.wechat.factories import FollowerFactory

    account = OfficialAccountFactory(company=community_a.company, appid=APPID,
                                     secret="test-secret")
    wechat_stub.add_template(APPID, "tpl-fixed")
    wechat_stub.add_follower(APPID, "o-resend")
    follower = FollowerFactory(account=account, openid="o-resend", user=resident)
    TemplateSettingFactory(account=account, template_id="tpl-fixed")
    delivery = _delivery(resident, community_a, "甲重发")
    Delivery.objects.filter(pk=delivery.pk).update(account=account, follower=follower,
                                                   template_id="tpl-fixed", attempts=1)
    client.force_login(manager_a)

    response = deliver(client.post, reverse("delivery:resend", args=[delivery.pk]))

    assert response.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.errcode) == (
        Delivery.Status.SENT, 1, None)
    assert [sent["touser"] for sent in wechat_stub.sent_templates] == ["o-resend"]


def test_a_delivery_that_did_not_fail_cannot_be_sent_again(client, manager_a, resident,
                                                           community_a):
    delivery = _delivery(resident, community_a, "甲已发", status=Delivery.Status.SENT)
    client.force_login(manager_a)
    response = client.post(reverse("delivery:resend", args=[delivery.pk]), follow=True)
    assert response.status_code == 200
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT


def test_customer_service_may_read_the_log_but_not_send_again(client, service_a, delivery_a):
    client.force_login(service_a)
    response = client.post(reverse("delivery:resend", args=[delivery_a.pk]))
    assert response.status_code in (302, 403)
    delivery_a.refresh_from_db()
    assert delivery_a.status == Delivery.Status.FAILED


# -- template settings ----------------------------------------------------------------


@pytest.fixture
def account(company):
    return OfficialAccountFactory(company=company)


def _setting_form(account, **overrides):
    return {"account": account.pk, "event": "estates.occupancy.verified",
            "template_id": "tpl-verified", "fields": "{}", "is_active": "on", **overrides}


def test_leadership_sets_the_template_of_an_event(client, leadership, account):
    client.force_login(leadership)
    response = client.post(reverse("templatesetting:add"), _setting_form(
        account, fields='{"thing1": "{house}", "time2": "{when}"}'))

    assert response.status_code == 302
    setting = TemplateSetting.objects.get()
    assert (setting.template_id, setting.fields) == (
        "tpl-verified", {"thing1": "{house}", "time2": "{when}"})


@pytest.mark.parametrize(("fields", "complaint"), [
    ('{"thing1": "{nonsense}"}', "{nonsense}"),
    ('{"title": "{house}"}', "not a template keyword"),
    ('{"thing1": "{house"}', "unbalanced braces"),
    ('["thing1"]', "Give an object"),
])
def test_template_keywords_that_cannot_work_are_refused_with_a_reason(
        client, leadership, account, fields, complaint):
    client.force_login(leadership)
    response = client.post(reverse("templatesetting:add"), _setting_form(account,
                                                                          fields=fields))

    assert response.status_code == 200
    assert complaint in response.content.decode()
    assert not TemplateSetting.objects.exists()


def test_an_unknown_event_is_refused(client, leadership, account):
    client.force_login(leadership)
    response = client.post(reverse("templatesetting:add"),
                           _setting_form(account, event="no.such.event"))
    assert response.status_code == 200
    assert not TemplateSetting.objects.exists()


@pytest.mark.parametrize("persona", ["manager_a", "service_a"])
def test_community_staff_do_not_manage_template_settings(client, request, account, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(reverse("templatesetting:add"), _setting_form(account))
    assert response.status_code in (302, 403)
    assert not TemplateSetting.objects.exists()


def test_leadership_sends_themselves_a_test_of_a_template(client, leadership, company,
                                                          wechat_stub, deliver):
    from tests.notifications.factories import TemplateSettingFactory
    from tests.wechat.factories import FollowerFactory

    account = OfficialAccountFactory(company=company, appid=APPID, secret="test-secret")
    wechat_stub.add_template(APPID, "tpl-verified")
    wechat_stub.add_follower(APPID, "o-leader")
    FollowerFactory(account=account, openid="o-leader", user=leadership)
    setting = TemplateSettingFactory(account=account, event="estates.occupancy.verified",
                                     template_id="tpl-verified")
    client.force_login(leadership)

    response = deliver(client.post, reverse("templatesetting:send-test", args=[setting.pk]))

    assert response.status_code == 302
    [sent] = wechat_stub.sent_templates
    assert (sent["touser"], sent["template_id"]) == ("o-leader", "tpl-verified")
    assert sent["data"]["thing1"] == {"value": "[house]"}
    delivery = Delivery.objects.get(message__recipient=leadership)
    assert delivery.status == Delivery.Status.SENT


def test_a_test_message_needs_the_staff_member_to_follow_the_account(client, leadership,
                                                                     account, wechat_stub):
    from tests.notifications.factories import TemplateSettingFactory

    setting = TemplateSettingFactory(account=account)
    client.force_login(leadership)

    response = client.post(reverse("templatesetting:send-test", args=[setting.pk]), follow=True)

    assert "do not follow" in response.content.decode()
    assert not Delivery.objects.exists()
    assert wechat_stub.sent_templates == []
