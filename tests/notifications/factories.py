"""Factories for notifications: template settings, inbox messages and deliveries."""

import factory

from portal.notifications import models
from tests import factories as f
from tests.wechat.factories import OfficialAccountFactory


class TemplateSettingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.TemplateSetting

    account = factory.SubFactory(OfficialAccountFactory)
    event = "notifications.test"
    template_id = factory.Sequence(lambda n: f"tpl-{n:04d}")


class InboxMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.InboxMessage

    recipient = factory.SubFactory(f.UserFactory)
    event = "notifications.test"
    title = factory.Sequence(lambda n: f"消息{n}")
    body = "正文"


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Delivery

    message = factory.SubFactory(InboxMessageFactory)
    community = factory.LazyAttribute(lambda delivery: delivery.message.community)
    channel = models.Delivery.Channel.WECHAT
    status = models.Delivery.Status.SENT
