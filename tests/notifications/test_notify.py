"""notify(): the inbox message always, then WeChat, else SMS, else nothing more."""

import logging

import pytest
from django.db import transaction
from django.utils import timezone

from portal.notifications import notify
from portal.notifications.models import Delivery, InboxMessage
from portal.wechat.models import Follower
from tests.notifications.conftest import APPID, RESIDENT_OPENID, TEMPLATE_ID
from tests.notifications.factories import TemplateSettingFactory

pytestmark = pytest.mark.django_db

TEMPLATE_SEND = "cgi-bin/message/template/send"


def test_template_message_is_sent_with_the_events_data_and_a_link_to_the_message(
        resident, follower, template, wechat_stub, deliver, settings):
    settings.WAGTAILADMIN_BASE_URL = "https://portal.example.com"
    message = deliver(notify, resident, "notifications.test")

    [sent] = wechat_stub.sent_templates
    assert sent["touser"] == RESIDENT_OPENID
    assert sent["template_id"] == TEMPLATE_ID
    title = message.title if len(message.title) <= 20 else message.title[:19] + "…"
    assert sent["data"]["thing1"] == {"value": title}  # a "thing" holds 20 characters
    assert sent["data"]["time2"] == {
        "value": timezone.localtime(message.created_at).strftime("%Y-%m-%d %H:%M")}
    assert sent["url"] == f"https://portal.example.com/me/messages/{message.pk}/open/"
    delivery = message.deliveries.get()
    assert (delivery.channel, delivery.status) == (Delivery.Channel.WECHAT, Delivery.Status.SENT)
    assert delivery.msgid == str(sent["msgid"])
    assert delivery.attempts == 1


def test_inbox_message_is_written_even_when_wechat_refuses_the_message(
        resident, follower, template, wechat_stub, deliver):
    wechat_stub.fail_next(TEMPLATE_SEND, 40037, times=1)
    message = deliver(notify, resident, "notifications.test", url="/me/")

    assert InboxMessage.objects.filter(pk=message.pk, recipient=resident, url="/me/").exists()
    delivery = message.deliveries.get()
    assert delivery.status == Delivery.Status.FAILED
    assert (delivery.errcode, delivery.errmsg) == (40037, "invalid template_id")


def test_a_resident_who_does_not_follow_the_account_gets_the_inbox_only(
        resident, account, template, wechat_stub, deliver):
    message = deliver(notify, resident, "notifications.test")

    delivery = message.deliveries.get()
    assert (delivery.channel, delivery.status, delivery.reason) == (
        Delivery.Channel.INBOX, Delivery.Status.SKIPPED, Delivery.Reason.NOT_FOLLOWING)
    assert wechat_stub.calls_to(TEMPLATE_SEND) == []


def test_a_resident_who_does_not_follow_gets_an_sms_when_the_event_allows(
        resident, account, wechat_stub, deliver, caplog, settings):
    settings.SMS_BACKEND = "portal.notifications.sms.ConsoleSMSBackend"
    caplog.set_level(logging.INFO, logger="portal.notifications.sms")
    message = deliver(notify, resident, "estates.occupancy.verified", {"house": "1栋1单元101"})

    delivery = message.deliveries.get()
    assert (delivery.channel, delivery.status, delivery.reason) == (
        Delivery.Channel.SMS, Delivery.Status.SENT, Delivery.Reason.NOT_FOLLOWING)
    assert "1栋1单元101" in delivery.payload["text"]
    logged = caplog.text
    assert resident.masked_phone in logged
    assert resident.phone not in logged


def test_an_unsubscribed_follower_gets_no_template_message(
        resident, follower, template, wechat_stub, deliver):
    Follower.objects.filter(pk=follower.pk).update(is_subscribed=False)
    message = deliver(notify, resident, "notifications.test")

    assert message.deliveries.get().reason == Delivery.Reason.NOT_FOLLOWING
    assert wechat_stub.sent_templates == []


def test_an_event_without_a_template_setting_stays_in_the_inbox(
        resident, follower, wechat_stub, deliver):
    message = deliver(notify, resident, "notifications.test")

    delivery = message.deliveries.get()
    assert (delivery.status, delivery.reason) == (Delivery.Status.SKIPPED,
                                                  Delivery.Reason.NO_TEMPLATE)


def test_an_inactive_template_setting_is_not_used(resident, follower, template, wechat_stub,
                                                   deliver):
    template.is_active = False
    template.save()
    message = deliver(notify, resident, "notifications.test")

    assert message.deliveries.get().reason == Delivery.Reason.NO_TEMPLATE


def test_the_account_of_the_residents_own_community_is_preferred(
        company, community_a, resident, follower, template, wechat_stub, deliver):
    """A community with its own account: a follower of the company-wide one is not reached
    there, since that is not the account serving the community."""
    from tests.wechat.factories import OfficialAccountFactory

    OfficialAccountFactory(company=company, community=community_a, appid="wxcommunityown01")
    message = deliver(notify, resident, "notifications.test")

    assert message.deliveries.get().reason == Delivery.Reason.NOT_FOLLOWING


def test_nothing_is_written_or_sent_when_the_callers_transaction_rolls_back(
        resident, follower, template, wechat_stub, deliver):
    class Abort(Exception):
        pass

    def fail_after_notifying():
        with transaction.atomic():
            notify(resident, "notifications.test")
            raise Abort

    with pytest.raises(Abort):
        deliver(fail_after_notifying)
    assert not InboxMessage.objects.exists()
    assert wechat_stub.sent_templates == []


def test_a_template_mapping_set_in_the_admin_replaces_the_events_default(
        resident, follower, account, wechat_stub, deliver):
    wechat_stub.add_template(APPID, "tpl-custom")
    TemplateSettingFactory(account=account, event="estates.occupancy.verified",
                           template_id="tpl-custom",
                           fields={"thing9": "{house}已认证", "character_string3": "{community}"})
    deliver(notify, resident, "estates.occupancy.verified", {"house": "1栋101"})

    [sent] = wechat_stub.sent_templates
    assert sent["data"] == {"thing9": {"value": "1栋101已认证"},
                            "character_string3": {"value": "阳光花园"}}


def test_a_context_missing_a_value_the_event_needs_fails_in_the_caller(resident):
    with pytest.raises(ValueError, match="house"):
        notify(resident, "estates.occupancy.verified", {})
    assert not InboxMessage.objects.exists()


def test_staff_bound_to_one_community_get_messages_of_that_community(service_a, community_a,
                                                                    deliver):
    message = deliver(notify, service_a, "notifications.test")
    assert message.community == community_a


def test_verifying_a_house_binding_notifies_the_resident(resident, service_a, deliver):
    occupancy = resident.resident.occupancies.get()
    occupancy.state = "pending"
    occupancy.save()

    deliver(occupancy.verify, by=service_a)

    message = InboxMessage.objects.get(recipient=resident)
    assert message.event == "estates.occupancy.verified"
    assert occupancy.house.label in message.title
    assert message.url == "/me/"


def test_notify_stays_importable_from_the_package_once_the_service_is_loaded():
    import importlib

    importlib.import_module("portal.notifications.service")
    from portal.notifications import notify, notify_many

    assert callable(notify) and callable(notify_many)
