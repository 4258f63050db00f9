"""What the portal told whom, and how it reached them.

Every notification is an InboxMessage (站内信) on the recipient's "my messages" page, so
nothing is lost; beside it one Delivery says how it went out of the portal: a WeChat
template message, an SMS, or not at all (inbox only, with the reason). Deliveries are
the delivery log staff read in the admin. Template ids per event and account are
TemplateSettings, set in the admin.
"""

import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections, models, transaction
from django.db.models import F, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from portal import page_cache
from portal.estates.errors import TransitionNotAllowed
from portal.estates.models import Community
from portal.estates.scope import ScopedQuerySet
from portal.wechat.models import OfficialAccount

from . import events


class RecipientScopedQuerySet(ScopedQuerySet):
    """A resident sees what was sent to them; staff see what went to people of their
    communities; whole-company staff also see what went to staff with no community."""

    recipient_field = "recipient"

    def for_staff(self, staff):
        if staff.sees_whole_company:
            return self.filter(
                Q(**{self.community_path("company_id"): staff.company_id})
                | Q(**{f"{self.community_field}__isnull": True,
                       f"{self.recipient_field}__staff__company_id": staff.company_id})
            )
        return super().for_staff(staff)

    def for_resident(self, resident):
        return self.filter(**{f"{self.recipient_field}_id": resident.user_id})


class InboxMessageQuerySet(RecipientScopedQuerySet):
    def for_recipient(self, user):
        """The user's own messages, whoever they are: the "my messages" page."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)

    def mark_all_read(self):
        marked = self.unread().update(read_at=timezone.now())
        if marked:
            page_cache.bump_generation()  # an update() sends no post_save
        return marked


class InboxMessage(models.Model):
    # Indexed by inbox_newest_first, which leads with it: one index fewer to write per
    # message of a notice to 50,000 residents.
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="inbox_messages", db_index=False,
                                  verbose_name=_("recipient"))
    # The recipient's community when it was sent: who among staff may see it.
    community = models.ForeignKey(Community, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("community"))
    event = models.CharField(_("event"), max_length=60, choices=events.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = InboxMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="inbox_newest_first"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True),
                         name="inbox_unread"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_read(self):
        return self.read_at is not None

    def mark_read(self):
        """Opening a message reads it; opening it again changes nothing."""
        if self.read_at is None:
            self.read_at = timezone.now()
            self.save(update_fields=["read_at"])


class DeliveryQuerySet(RecipientScopedQuerySet):
    recipient_field = "message__recipient"

    def claim(self, ids):
        """Take the queued deliveries among ``ids`` for sending, and return them. The
        status guard makes it exclusive: of two workers given the same ids, each
        delivery goes to one only (the other's UPDATE no longer matches it)."""
        token = uuid.uuid4()
        claimed = self.filter(pk__in=ids, status=Delivery.Status.QUEUED).update(
            status=Delivery.Status.SENDING, claim=token, claimed_at=timezone.now(),
            attempts=F("attempts") + 1,
        )
        if not claimed:
            return []
        deliveries = list(self.filter(pk__in=ids, claim=token).select_related("follower")
                          .order_by("pk"))
        # Each account and each SMS recipient once: their encrypted fields cost a
        # decryption per row read.
        accounts = OfficialAccount.objects.in_bulk(
            {delivery.account_id for delivery in deliveries if delivery.account_id})
        texting = [delivery for delivery in deliveries
                   if delivery.channel == Delivery.Channel.SMS]
        if texting:
            recipients = dict(InboxMessage.objects.filter(
                pk__in=[delivery.message_id for delivery in texting]
            ).values_list("pk", "recipient_id"))
            people = get_user_model().objects.in_bulk(recipients.values())
            for delivery in texting:
                delivery.recipient_user = people.get(recipients[delivery.message_id])
        for delivery in deliveries:
            if delivery.account_id:
                delivery.account = accounts.get(delivery.account_id)
        return deliveries

    def msgid_for_each(self, msgids):
        """An expression giving each delivery its own msgid ({pk: msgid}), so that the
        deliveries sent in a batch are recorded by one UPDATE (bulk_update would build
        an expression per row, which costs more than sending the messages)."""
        pk = connections[self.db].ops.quote_name(self.model._meta.pk.column)
        cases = " ".join(["WHEN %s THEN %s"] * len(msgids))
        return RawSQL(f"CASE {pk} {cases} END",
                      [value for pair in msgids.items() for value in pair],
                      output_field=models.CharField())

    def stale(self, older_than):
        """Queued deliveries nobody is going to send: their task was lost (a worker
        killed mid-batch, a queue emptied). Retries still waiting are not stale."""
        cutoff = timezone.now() - older_than
        return self.filter(
            Q(status=Delivery.Status.QUEUED, created_at__lt=cutoff)
            & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lt=cutoff))
            | Q(status=Delivery.Status.SENDING, claimed_at__lt=cutoff)
        )


class Delivery(models.Model):
    class Channel(models.TextChoices):
        WECHAT = "wechat", _("WeChat template message")
        SMS = "sms", _("SMS")
        INBOX = "inbox", _("Inbox only")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not sent")

    class Reason(models.TextChoices):
        NONE = "", _("—")
        NO_ACCOUNT = "no_account", _("No official account serves the community")
        NOT_FOLLOWING = "not_following", _("Does not follow the official account")
        NO_TEMPLATE = "no_template", _("No template message is set up for this event")
        NO_PHONE = "no_phone", _("No mobile number for an SMS")

    message = models.ForeignKey(InboxMessage, on_delete=models.CASCADE,
                                related_name="deliveries", verbose_name=_("message"))
    # Indexed by delivery_community_newest, which leads with it.
    community = models.ForeignKey(Community, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", editable=False, db_index=False,
                                  verbose_name=_("community"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.QUEUED)
    # Why it is not (or not only) a WeChat message.
    reason = models.CharField(_("why not WeChat"), max_length=20, choices=Reason.choices,
                              blank=True, default=Reason.NONE)
    account = models.ForeignKey(OfficialAccount, on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+",
                                verbose_name=_("official account"))
    follower = models.ForeignKey("wechat.Follower", on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="+", verbose_name=_("follower"))
    template_id = models.CharField(_("template ID"), max_length=64, blank=True)
    # WeChat: {"data": {keyword: {"value": ...}}}; SMS: {"text": ...}.
    payload = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claim = models.UUIDField(null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    errcode = models.IntegerField(_("error code"), null=True, blank=True)
    errmsg = models.CharField(_("error message"), max_length=300, blank=True)
    msgid = models.CharField(_("message ID"), max_length=40, blank=True,
                             help_text=_("WeChat's msgid of the template message."))
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last change"), auto_now=True)

    objects = DeliveryQuerySet.as_manager()
    # Rows written all day that no page or snippet refers to: Wagtail's reference
    # index would only queue a background task on every save.
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("delivery log")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["community", "-created_at"], name="delivery_community_newest"),
            models.Index(fields=["status", "next_attempt_at"], name="delivery_status"),
        ]
        permissions = [("resend_delivery", "Can send a failed delivery again")]

    def __str__(self):
        return f"{self.get_channel_display()} · {self.message}"

    @property
    def recipient(self):
        return self.message.recipient

    @property
    def event_label(self):
        try:
            return events.get(self.message.event).label
        except events.UnknownEvent:
            return self.message.event

    def resend(self, by):
        """Queue a failed delivery again (after fixing a template id, say); it is sent
        by the background worker once this transaction commits."""
        from .tasks import queue_sending

        with transaction.atomic():
            current = Delivery.objects.select_for_update().get(pk=self.pk)
            if current.status != self.Status.FAILED:
                raise TransitionNotAllowed(
                    _("Only a failed delivery can be sent again; this one is %(status)s.")
                    % {"status": current.get_status_display()}
                )
            Delivery.objects.filter(pk=self.pk).update(
                status=self.Status.QUEUED, attempts=0, next_attempt_at=None, errcode=None,
                errmsg="", updated_at=timezone.now(),
            )
            self.refresh_from_db()
            log(self, "notifications.delivery.resend", user=by)
            queue_sending([self.pk])


class TemplateSettingQuerySet(ScopedQuerySet):
    community_field = "account__community"

    def for_staff(self, staff):
        return self.filter(account__in=OfficialAccount.objects.for_staff(staff))

    def active(self):
        return self.filter(is_active=True, account__is_active=True)


class TemplateSetting(models.Model):
    """Which WeChat template message an event goes out as, on one official account."""

    account = models.ForeignKey(OfficialAccount, on_delete=models.CASCADE,
                                related_name="template_settings",
                                verbose_name=_("official account"))
    event = models.CharField(_("event"), max_length=60, choices=events.choices)
    template_id = models.CharField(
        _("template ID"), max_length=64,
        help_text=_("From the official account's platform: Template messages → My templates."),
    )
    fields = models.JSONField(
        _("template keywords"), default=dict, blank=True,
        help_text=_('Each keyword of the template and its text, e.g. {"thing1": "{title}", '
                    '"time2": "{when}"}. Leave empty to use the event\'s default.'),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = TemplateSettingQuerySet.as_manager()

    class Meta:
        verbose_name = _("template message setting")
        verbose_name_plural = _("template message settings")
        ordering = ["account", "event"]
        constraints = [
            models.UniqueConstraint(fields=["account", "event"],
                                    name="one_template_per_event_and_account"),
        ]

    def __str__(self):
        return f"{self.account} · {self.event_label}"

    @property
    def event_label(self):
        try:
            return events.get(self.event).label
        except events.UnknownEvent:
            return self.event

    @property
    def mapping(self):
        return self.fields or events.get(self.event).template_fields

    def clean(self):
        super().clean()
        try:
            event = events.get(self.event)
        except events.UnknownEvent:
            return  # the field's choices report it
        if self.fields:
            events.validate_template_fields(event, self.fields)
