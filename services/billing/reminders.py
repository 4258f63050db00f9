"""Bill reminders: a notification to the owners of a house a few days before a bill is
due and again when it becomes overdue, each recorded once per bill and kind.

Each community may set how many days before the due date the first reminder goes and
whether the overdue one goes at all (ReminderSetting; a community without a row uses
the defaults). ``send_reminders(on)`` is run daily by the billing watch; running it
twice, or twice at the same moment, tells nobody twice: the BillReminder row of a bill
and kind is claimed (unique constraint) in the transaction that writes the
notifications, so a second runner finds it taken and moves on.

Dunning notices (arrears.DunningNotice) record a BillReminder of kind ``dunning`` for
each bill they name; those may repeat (one per notice).
"""

from datetime import timedelta

from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.estates.models import Community, Occupancy
from portal.estates.scope import ScopedQuerySet

DEFAULT_DAYS_BEFORE = 3
# A bill that became overdue longer ago than this is not reminded "on becoming overdue"
# (reminders switched on for a community with old debts: that is what dunning is for).
OVERDUE_WINDOW_DAYS = 7
BILLS_URL_NAME = "my_bills:list"
BILLS_PATH = "/me/bills/"


class ReminderSettingQuerySet(ScopedQuerySet):
    pass


class ReminderSetting(models.Model):
    """How a community reminds its owners of their bills."""

    community = models.OneToOneField(Community, on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("community"))
    enabled = models.BooleanField(_("reminders on"), default=True)
    days_before = models.PositiveSmallIntegerField(
        _("days before the due date"), default=DEFAULT_DAYS_BEFORE,
        help_text=_("0: no reminder before the due date."))
    on_overdue = models.BooleanField(_("remind when overdue"), default=True)

    objects = ReminderSettingQuerySet.as_manager()

    class Meta:
        verbose_name = _("bill reminder setting")
        verbose_name_plural = _("bill reminder settings")
        ordering = ["community"]

    def __str__(self):
        return str(_("Bill reminders of %(community)s") % {"community": self.community})


class BillReminderQuerySet(ScopedQuerySet):
    def for_resident(self, resident):
        return self.filter(bill__house__in=Occupancy.objects.filter(
            resident=resident, state=Occupancy.State.VERIFIED).values("house_id"))


class BillReminder(models.Model):
    """One reminder sent about one bill: to whom it went is in the notifications."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Due soon")
        OVERDUE = "overdue", _("Overdue")
        DUNNING = "dunning", _("Dunning notice")

    bill = models.ForeignKey("billing.Bill", on_delete=models.CASCADE,
                             related_name="reminders", verbose_name=_("bill"))
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("community"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    message = models.CharField(_("message"), max_length=300)
    recipients = models.PositiveIntegerField(_("people told"), default=0)
    dunning = models.ForeignKey("billing.DunningNotice", on_delete=models.CASCADE, null=True,
                                blank=True, related_name="reminders",
                                verbose_name=_("dunning notice"))

    objects = BillReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("bill reminder")
        verbose_name_plural = _("bill reminders")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["bill", "kind"], condition=~Q(kind="dunning"),
                                    name="one_reminder_per_bill_and_kind"),
        ]
        indexes = [models.Index(fields=["community", "sent_at"])]

    def __str__(self):
        return f"{self.bill} {self.get_kind_display()}"


def bills_url():
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(BILLS_URL_NAME)
    except NoReverseMatch:
        return BILLS_PATH


def recipients_of(house_id):
    """Users to tell about a house's bills: its verified occupants, owners first."""
    occupancies = (Occupancy.objects.filter(house_id=house_id, state=Occupancy.State.VERIFIED,
                                            resident__user__is_active=True)
                   .annotate(owner_first=models.Case(
                       models.When(role=Occupancy.Role.OWNER, then=0), default=1))
                   .order_by("owner_first", "created_at")
                   .values_list("resident__user_id", flat=True))
    return list(dict.fromkeys(occupancies))


def bill_context(bill):
    return {"house": bill.house.label,
            "period": str(bill.period), "amount": f"{bill.amount_owed:.2f}",
            "due_date": bill.due_date.isoformat()}


EVENTS = {BillReminder.Kind.DUE_SOON: "billing.bill.due_soon",
          BillReminder.Kind.OVERDUE: "billing.bill.overdue"}


def remind(bill, kind):
    """Send one reminder of a bill, once: returns the BillReminder written, or None when
    it was sent before (by this run or another running at the same moment)."""
    from portal.notifications import events
    from portal.notifications.service import notify_many

    if BillReminder.objects.filter(bill=bill, kind=kind).exists():
        return None
    event = EVENTS[kind]
    context = bill_context(bill)
    users = recipients_of(bill.house_id)
    try:
        with transaction.atomic():
            reminder = BillReminder.objects.create(
                bill=bill, community_id=bill.community_id, kind=kind,
                message=events.get(event).values(context)["body"][:300],
                recipients=len(users))
            if users:
                notify_many(users, event, context, url=bills_url())
    except IntegrityError:
        return None  # another runner claimed it first
    return reminder


def bills_to_remind(on):
    """(bill, kind) pairs whose reminder is due on ``on`` and not sent yet."""
    from .models import Bill

    settings = {s.community_id: s for s in ReminderSetting.objects.all()}
    open_bills = (Bill.objects.open().filter(amount_due__gt=models.F("amount_paid"))
                  .select_related("house__unit__building"))
    longest = max([DEFAULT_DAYS_BEFORE, *(s.days_before for s in settings.values())])
    soon = (open_bills.filter(due_date__gte=on, due_date__lte=on + timedelta(days=longest))
            .exclude(reminders__kind=BillReminder.Kind.DUE_SOON))
    for bill in soon.iterator(chunk_size=500):
        setting = settings.get(bill.community_id) or ReminderSetting()
        if setting.enabled and setting.days_before and \
                bill.due_date <= on + timedelta(days=setting.days_before):
            yield bill, BillReminder.Kind.DUE_SOON
    late = (open_bills.filter(due_date__lt=on,
                              due_date__gte=on - timedelta(days=OVERDUE_WINDOW_DAYS))
            .exclude(reminders__kind=BillReminder.Kind.OVERDUE))
    for bill in late.iterator(chunk_size=500):
        setting = settings.get(bill.community_id) or ReminderSetting()
        if setting.enabled and setting.on_overdue:
            yield bill, BillReminder.Kind.OVERDUE


def send_reminders(on=None):
    """The day's reminders; returns how many bills were reminded."""
    on = on or timezone.localdate()
    sent = 0
    for bill, kind in list(bills_to_remind(on)):
        if remind(bill, kind) is not None:
            sent += 1
    return sent
