"""The ticket and its timeline.

submitted → accepted → dispatched → in_progress → completed → confirmed → rated → closed
with cancelled (owner, before dispatch), reopened (owner, within 7 days of completion,
then dispatched again), merged duplicates (closed into another ticket) and revisits.
Complaints and suggestions are answered with a reply instead of a worker's visit:
submitted/accepted → completed.

Every change of state is a method named by its verb. It locks the row, checks its
guard, changes the state and writes a TicketEvent (the timeline and the audit trail) in
one transaction; an illegal change raises TransitionNotAllowed and changes nothing.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.crypto import EncryptedCharField, mask_phone
from portal.estates import roles
from portal.estates.errors import TransitionNotAllowed
from portal.estates.models import Building, Community, House, Occupancy, Staff
from portal.estates.scope import ScopedQuerySet
from services.media.checks import minutes_and_seconds
from services.media.storage import ticket_media_storage

from .categories import TicketCategory, TicketKind, Urgency

REOPEN_DAYS = 7
LOW_RATING = 2


class AlreadyDone(Exception):
    """Raised by a transition's guard, under the row lock, when the step has been taken
    already (the second of two taps): the transition is a no-op."""


class State(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    DISPATCHED = "dispatched", _("Dispatched")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CONFIRMED = "confirmed", _("Confirmed")
    RATED = "rated", _("Rated")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")
    REOPENED = "reopened", _("Reopened")


OPEN_STATES = [State.SUBMITTED, State.ACCEPTED, State.DISPATCHED, State.IN_PROGRESS,
               State.REOPENED]
WAITING_FOR_DISPATCH = [State.SUBMITTED, State.ACCEPTED, State.REOPENED]
DONE_STATES = [State.COMPLETED, State.CONFIRMED, State.RATED]
FINAL_STATES = [State.CLOSED, State.CANCELLED]


# Staff who handle their communities' tickets; leadership sees the whole company's,
# workers the ones assigned to them. Finance, records, editors and guards handle none and
# see none: a complaint is between the owner and the desk.
TICKET_DESK = frozenset({roles.MANAGER, roles.CUSTOMER_SERVICE})


class TicketQuerySet(ScopedQuerySet):
    def for_staff(self, staff):
        if staff.sees_whole_company:
            return super().for_staff(staff)
        if staff.has_role(*TICKET_DESK):
            # Ids, not a subquery: knowing the communities, the planner walks the queue's
            # indexes in order instead of sorting every matching ticket of the company.
            return self.filter(community_id__in=list(
                staff.communities.values_list("pk", flat=True)))
        if staff.has_role(roles.WORKER):
            return self.filter(assignee=staff)
        return self.none()

    def for_resident(self, resident):
        return self.filter(reporter=resident.user)

    def open(self):
        return self.filter(state__in=OPEN_STATES)

    def overdue(self, now=None):
        now = now or timezone.now()
        return self.filter(
            Q(state__in=[State.SUBMITTED, State.REOPENED], response_due__lt=now)
            | Q(state__in=OPEN_STATES, completion_due__lt=now)
        )


class Ticket(models.Model):
    Kind = TicketKind
    Urgency = Urgency
    State = State

    kind = models.CharField(_("kind"), max_length=12, choices=TicketKind.choices,
                            default=TicketKind.REPAIR)
    category = models.ForeignKey(TicketCategory, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("category"))
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices,
                               default=Urgency.NORMAL)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("community"))
    house = models.ForeignKey(House, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("house"))
    # Denormalised from the house for filters and the fault reports.
    building = models.ForeignKey(Building, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("building"))
    public_area = models.CharField(
        _("public area"), max_length=100, blank=True,
        help_text=_("Where in the community, when it is not in a house."))
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="tickets",
                                 verbose_name=_("reported by"))
    contact_name = models.CharField(_("contact name"), max_length=50, blank=True)
    contact_phone = EncryptedCharField(_("contact phone"), blank=True, default="")
    anonymous = models.BooleanField(
        _("anonymous"), default=False,
        help_text=_("The handling staff do not see who it is; the manager does."))
    description = models.TextField(pgettext_lazy("ticket", "description"))
    preferred_start = models.DateTimeField(_("preferred from"), null=True, blank=True)
    preferred_end = models.DateTimeField(_("preferred until"), null=True, blank=True)

    state = models.CharField(_("state"), max_length=12, choices=State.choices,
                             default=State.SUBMITTED)
    handler = models.ForeignKey(Staff, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("handled by"))
    assignee = models.ForeignKey(Staff, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="assigned_tickets", verbose_name=_("worker"))
    expected_arrival = models.DateTimeField(_("expected arrival"), null=True, blank=True)
    materials = models.TextField(_("materials used"), blank=True)

    created_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    response_due = models.DateTimeField(_("response due"), null=True, blank=True)
    completion_due = models.DateTimeField(_("completion due"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    rating_speed = models.PositiveSmallIntegerField(_("speed"), null=True, blank=True)
    rating_attitude = models.PositiveSmallIntegerField(_("attitude"), null=True, blank=True)
    rating_quality = models.PositiveSmallIntegerField(_("quality"), null=True, blank=True)
    rating_comment = models.CharField(pgettext_lazy("rating", "comment"), max_length=500,
                                      blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    merged_into = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="duplicates", verbose_name=_("merged into"))
    follow_up_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="follow_ups",
                                     verbose_name=_("follow-up of"))
    # The form's one-time key: a double tap or a retried request makes one ticket.
    idempotency_key = models.CharField(max_length=64, blank=True, editable=False)

    objects = TicketQuerySet.as_manager()
    # Rows written all day that no page or snippet refers to: Wagtail's reference
    # index would only queue a background task on every save.
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["reporter", "idempotency_key"],
                                    condition=~Q(idempotency_key=""),
                                    name="one_ticket_per_form"),
        ]
        indexes = [
            models.Index(fields=["community", "-created_at"]),
            models.Index(fields=["community", "state", "-created_at"]),
            models.Index(fields=["community", "category", "-created_at"]),
            models.Index(fields=["assignee", "state"]),
            models.Index(fields=["reporter", "-created_at"]),
            models.Index(fields=["state", "completion_due"]),
            models.Index(fields=["building", "category"]),
            # The queue filtered by state and category, newest first, and its count.
            models.Index(fields=["community", "state", "category", "-created_at"]),
            # The report's repeat repairs: earlier repairs of a house in one category.
            models.Index(fields=["house", "category", "created_at"]),
        ]
        permissions = [
            ("handle_ticket", "Can accept, dispatch, reply to and close tickets"),
            ("view_reporter", "Can see who filed an anonymous complaint"),
        ]

    def __str__(self):
        return f"{self.reference} {self.category}"

    @property
    def reference(self):
        """The number owners and staff quote on the phone: BX20261123-1234."""
        prefix = {TicketKind.REPAIR: "BX", TicketKind.COMPLAINT: "TS"}.get(self.kind, "JY")
        return f"{prefix}{timezone.localtime(self.created_at):%Y%m%d}-{self.pk}"

    @property
    def location(self):
        return self.house.label if self.house_id else self.public_area

    @property
    def masked_contact_phone(self):
        return mask_phone(self.contact_phone)

    @property
    def is_overdue(self):
        now = timezone.now()
        if self.state in (State.SUBMITTED, State.REOPENED) and self.response_due \
                and self.response_due < now:
            return True
        return bool(self.state in OPEN_STATES and self.completion_due
                    and self.completion_due < now)

    @property
    def can_reopen_until(self):
        return self.completed_at + timedelta(days=REOPEN_DAYS) if self.completed_at else None

    def reporter_shown_to(self, user):
        """Anonymous complaints hide the reporter from the handling staff."""
        if self.anonymous and not user.has_perm("services.view_reporter") \
                and user.pk != self.reporter_id:
            return _("Anonymous")
        return self.contact_name or (self.reporter and str(self.reporter)) or ""

    # --- creation ---------------------------------------------------------------

    @classmethod
    def submit(cls, *, reporter, category, description, kind=None, urgency=Urgency.NORMAL,
               house=None, public_area="", preferred_start=None, preferred_end=None,
               anonymous=False, contact_phone="", idempotency_key=""):
        """A resident files a ticket. Returns (ticket, created): a retried form with the
        same key returns the first ticket."""
        resident = reporter.resident
        if idempotency_key:
            existing = cls.objects.filter(reporter=reporter,
                                          idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing, False
        ticket = cls(
            kind=kind or category.kind, category=category, urgency=urgency,
            community_id=resident.community_id, house=house, public_area=public_area.strip(),
            reporter=reporter, contact_name=resident.name,
            contact_phone=contact_phone or reporter.phone or "",
            anonymous=anonymous, description=(description or "").strip(),
            preferred_start=preferred_start, preferred_end=preferred_end,
            idempotency_key=idempotency_key,
        )
        ticket.validate_submission(resident)
        ticket.response_due, ticket.completion_due = category.deadlines(
            urgency, ticket.created_at)
        try:
            with transaction.atomic():
                ticket.save()
                ticket._record("submitted", by=reporter, from_state="")
        except IntegrityError:
            if not idempotency_key:
                raise
            return cls.objects.get(reporter=reporter, idempotency_key=idempotency_key), False
        ticket._after_commit_submitted()
        return ticket, True

    def validate_submission(self, resident):
        errors = {}
        if not self.description:
            errors["description"] = _("Describe the problem.")
        if self.category.company_id != resident.community.company_id or not self.category.active:
            errors["category"] = _("Choose one of the categories offered.")
        elif self.category.kind != self.kind:
            errors["category"] = _("This category is not for this kind of ticket.")
        if self.house_id:
            mine = Occupancy.objects.active().filter(resident=resident, house=self.house)
            if not mine.exists():
                errors["house"] = _("This house is not one of yours.")
            self.building_id = self.house.building_id
        elif self.kind == TicketKind.REPAIR and not self.public_area:
            errors["house"] = _("Choose one of your houses or say where in the community.")
        if self.preferred_start or self.preferred_end:
            now = timezone.now()
            if not (self.preferred_start and self.preferred_end):
                errors["preferred_start"] = _("Give both the start and the end of the time.")
            elif self.preferred_end <= self.preferred_start:
                errors["preferred_end"] = _("The end must come after the start.")
            elif self.preferred_end <= now:
                errors["preferred_start"] = _("This time has already passed.")
        if errors:
            raise ValidationError(errors)

    def _after_commit_submitted(self):
        from .tasks import dispatch_automatically

        pk = self.pk
        transaction.on_commit(lambda: dispatch_automatically.enqueue(pk), robust=True)

    # --- transitions ------------------------------------------------------------

    def _locked(self):
        return Ticket.objects.select_for_update().get(pk=self.pk)

    def _transition(self, action, *, by, allowed_from, to=None, note="", visible=True,
                    data=None, guard=None, key="", **fields):
        """Lock, check, change, record: every transition goes through here. A guard that
        finds the step already taken (a double tap) raises AlreadyDone: nothing changes
        and None is returned instead of the event."""
        try:
            return self._locked_transition(action, by=by, allowed_from=allowed_from, to=to,
                                           note=note, visible=visible, data=data,
                                           guard=guard, key=key, **fields)
        except AlreadyDone:
            return None

    def _locked_transition(self, action, *, by, allowed_from, to, note, visible, data, guard,
                           key, **fields):
        with transaction.atomic():
            current = self._locked()
            if current.state not in allowed_from:
                raise TransitionNotAllowed(
                    _("This ticket is %(state)s; that cannot be done now.")
                    % {"state": current.get_state_display()})
            if guard is not None:
                guard(current)
            if key and current.events.filter(idempotency_key=key).exists():
                raise AlreadyDone  # the same form posted again: a double tap or a retry
            from_state = self.state = current.state
            if to is not None:
                fields["state"] = to
            for name, value in fields.items():
                setattr(self, name, value)
            if fields:
                self.save(update_fields=list(fields))
            event = self._record(action, by=by, from_state=from_state, note=note,
                                 visible=visible, data=data, key=key)
        return event

    def _record(self, action, *, by, from_state, note="", visible=True, data=None, key=""):
        return TicketEvent.objects.create(
            ticket=self, community_id=self.community_id, action=action,
            from_state=from_state, to_state=self.state, actor=by, note=note,
            visible_to_owner=visible, data=data or {}, idempotency_key=key)

    def _require_owner(self, by):
        if by.pk != self.reporter_id:
            raise TransitionNotAllowed(_("Only the person who filed the ticket can do this."))

    def _require_assignee(self, by):
        if self.assignee_id is None or getattr(by, "staff", None) is None \
                or by.staff.pk != self.assignee_id:
            raise TransitionNotAllowed(_("This ticket is assigned to someone else."))

    def accept(self, by):
        now = timezone.now()
        self._transition("accepted", by=by, allowed_from=[State.SUBMITTED, State.REOPENED],
                         to=State.ACCEPTED, accepted_at=self.accepted_at or now,
                         handler=getattr(by, "staff", None))
        self._tell_owner("services.ticket.accepted", handler=self.handler and self.handler.name)

    def dispatch(self, worker, by, expected_arrival=None, note="", rule=None):
        """Send a worker; ``by`` is None for the automatic dispatch, which names its
        ``rule`` for staff (in the event's data: the owner's timeline does not show
        the company's routing)."""
        self._check_worker(worker)
        if self.kind != TicketKind.REPAIR:
            raise TransitionNotAllowed(_("Complaints and suggestions are answered, "
                                         "not dispatched."))
        now = timezone.now()
        # Dispatched straight from the queue: the clerk who did it handles the ticket (the
        # owner's messages reach them), as if they had accepted it first.
        self._transition("dispatched", by=by, allowed_from=WAITING_FOR_DISPATCH,
                         to=State.DISPATCHED, assignee=worker, dispatched_at=now,
                         accepted_at=self.accepted_at or now,
                         handler=self.handler or getattr(by, "staff", None),
                         expected_arrival=expected_arrival,
                         note=note, data={"worker": worker.name,
                                          **({"rule": str(rule)} if rule else {})})
        self._tell_owner("services.ticket.dispatched", worker=worker.name,
                         phone=worker.user.phone or "", arrival=self._arrival_text())
        self._tell(worker.user, "services.ticket.assigned", url=self.workbench_url)

    def reassign(self, worker, by, note=""):
        self._check_worker(worker)
        previous = self.assignee
        self._transition("reassigned", by=by,
                         allowed_from=[State.DISPATCHED, State.IN_PROGRESS],
                         to=State.DISPATCHED, assignee=worker, dispatched_at=timezone.now(),
                         note=note, visible=False,
                         data={"from": previous and previous.name, "worker": worker.name})
        self._tell_owner("services.ticket.dispatched", worker=worker.name,
                         phone=worker.user.phone or "", arrival=self._arrival_text())
        self._tell(worker.user, "services.ticket.assigned", url=self.workbench_url)

    def acknowledge(self, by):
        """The worker has seen the order and takes it (接单); no change of state, once
        per dispatch."""

        def guard(current):
            current._require_assignee(by)
            if current.events.filter(action="acknowledged",
                                     created_at__gte=current.dispatched_at).exists():
                raise TransitionNotAllowed(_("You have already taken this order."))

        return self._transition("acknowledged", by=by, allowed_from=[State.DISPATCHED],
                                guard=guard)

    def set_off(self, by, expected_arrival=None):
        """The worker is on the way (在路上); the owner is told, with the expected arrival.
        Setting off again with another arrival time tells the owner the new time; the
        same step again (two taps, a retried request) is a no-op and returns None. The
        check is made under the row lock, so taps racing each other count once."""

        def guard(current):
            current._require_assignee(by)
            arrival = expected_arrival or current.expected_arrival
            told = current.events.filter(action="on_the_way",
                                         created_at__gte=current.dispatched_at)
            if arrival == current.expected_arrival and told.exists():
                raise AlreadyDone

        event = self._transition("on_the_way", by=by, allowed_from=[State.DISPATCHED],
                                 guard=guard,
                                 expected_arrival=expected_arrival or self.expected_arrival)
        if event is None:
            return None
        self._tell_owner("services.ticket.on_the_way", worker=self.assignee.name,
                         arrival=self._arrival_text())
        return event

    def start(self, by):
        self._transition("started", by=by, allowed_from=[State.DISPATCHED],
                         to=State.IN_PROGRESS, started_at=timezone.now(),
                         guard=lambda t: t._require_assignee(by))

    def complete(self, by, note="", materials=""):
        self._transition("completed", by=by,
                         allowed_from=[State.DISPATCHED, State.IN_PROGRESS],
                         to=State.COMPLETED, completed_at=timezone.now(),
                         materials=materials.strip(), note=note.strip(),
                         guard=lambda t: t._require_assignee(by))
        self._tell_owner("services.ticket.completed")

    def reply(self, by, text):
        """Customer service answers a complaint or suggestion."""
        if not text or not text.strip():
            raise ValidationError({"text": _("Write the reply.")})
        if self.kind == TicketKind.REPAIR:
            raise TransitionNotAllowed(_("A repair is completed by its worker."))
        now = timezone.now()
        self._transition("replied", by=by, allowed_from=WAITING_FOR_DISPATCH,
                         to=State.COMPLETED, completed_at=now,
                         accepted_at=self.accepted_at or now,
                         handler=self.handler or getattr(by, "staff", None),
                         note=text.strip())
        self._tell_owner("services.ticket.replied", reply=text.strip()[:100])

    def cancel(self, by, reason=""):
        self._transition("cancelled", by=by, allowed_from=WAITING_FOR_DISPATCH,
                         to=State.CANCELLED, closed_at=timezone.now(), note=reason.strip(),
                         guard=lambda t: t._require_owner(by))

    def confirm(self, by):
        self._transition("confirmed", by=by, allowed_from=[State.COMPLETED],
                         to=State.CONFIRMED, guard=lambda t: t._require_owner(by))

    def reopen(self, by, reason):
        if not reason or not reason.strip():
            raise ValidationError({"reason": _("Say what is still wrong.")})

        def guard(current):
            current._require_owner(by)
            if current.completed_at and \
                    timezone.now() > current.completed_at + timedelta(days=REOPEN_DAYS):
                raise TransitionNotAllowed(
                    _("A ticket can be reopened within %(days)d days of completion; "
                      "please file a new one.") % {"days": REOPEN_DAYS})

        now = timezone.now()
        response_due, completion_due = self.category.deadlines(self.urgency, now)
        # Rated too: a leak that comes back after five stars is still within the week.
        self._transition("reopened", by=by, allowed_from=DONE_STATES,
                         to=State.REOPENED, note=reason.strip(), guard=guard,
                         completed_at=None, started_at=None, escalated_at=None,
                         response_due=response_due, completion_due=completion_due)
        if self.handler_id:
            self._tell(self.handler.user, "services.ticket.reopened")

    def rate(self, by, *, speed, attitude, quality, comment=""):
        scores = {"speed": speed, "attitude": attitude, "quality": quality}
        errors = {name: _("Give 1 to 5 stars.") for name, value in scores.items()
                  if not isinstance(value, int) or not 1 <= value <= 5}
        if errors:
            raise ValidationError(errors)
        self._transition("rated", by=by, allowed_from=[State.COMPLETED, State.CONFIRMED],
                         to=State.RATED, rated_at=timezone.now(), rating_speed=speed,
                         rating_attitude=attitude, rating_quality=quality,
                         rating_comment=comment.strip()[:500], data=scores,
                         guard=lambda t: t._require_owner(by))
        if min(scores.values()) <= LOW_RATING:
            self.open_follow_up(reason="low_rating")

    def close(self, by, note=""):
        self._transition("closed", by=by, allowed_from=DONE_STATES, to=State.CLOSED,
                         closed_at=timezone.now(), note=note.strip())

    def merge_into(self, other, by):
        """A duplicate of ``other``: closed, its owner pointed to the other ticket."""
        if other.pk == self.pk or other.community_id != self.community_id:
            raise TransitionNotAllowed(_("Choose another ticket of the same community."))
        with transaction.atomic():
            # Both rows locked, in the order of their keys (two merges the other way round
            # wait for each other instead of deadlocking); the other ticket is checked
            # under its lock, so it cannot be cancelled or closed meanwhile.
            locked = {t.pk: t for t in Ticket.objects.select_for_update().filter(
                pk__in=[self.pk, other.pk]).order_by("pk")}
            if locked[other.pk].state in FINAL_STATES:
                raise TransitionNotAllowed(_("The ticket to merge into is already finished."))
            other.state = locked[other.pk].state
            self._transition("merged", by=by, allowed_from=OPEN_STATES, to=State.CLOSED,
                             closed_at=timezone.now(), merged_into=other,
                             data={"into": other.reference})
            other._record("merged_from", by=by, from_state=other.state, visible=False,
                          data={"from": self.reference})
        self._tell_owner("services.ticket.merged", other=other.reference)

    def add_message(self, by, text, visible=True, key="", with_photos=False):
        """A message on the timeline from the owner or staff; photos attach to the
        returned event (``with_photos``: a photo may say it all, without words). Staff
        may write an internal note (``visible=False``) that the owner neither sees nor
        hears of. A form posted again with the same ``key`` adds nothing and returns
        None."""
        text = (text or "").strip()
        if not text and not with_photos:
            raise ValidationError({"text": _("Write a message or add a photo.")
                                   if by.pk == self.reporter_id else _("Write a message.")})
        if self.state == State.CLOSED:
            raise TransitionNotAllowed(_("This ticket is closed."))
        event = self._transition("message", by=by, allowed_from=[s for s in State
                                                                 if s != State.CLOSED],
                                 note=text, visible=visible, key=key)
        if event is None:
            return None
        if by.pk == self.reporter_id:
            for staff, url in ((self.handler, self.admin_url),
                               (self.assignee, self.workbench_url)):
                if staff is not None:
                    self._tell(staff.user, "services.ticket.message", url=url)
        elif visible:
            self._tell_owner("services.ticket.message")
        return event

    @property
    def escalation_due(self):
        """Overdue and the manager not yet told of this deadline: not at all yet, or only
        of the response deadline (told before the completion deadline passed)."""
        if not self.is_overdue:
            return False
        return self.escalated_at is None or (
            self.completion_due is not None and self.escalated_at < self.completion_due
            and self.completion_due < timezone.now())

    def escalate(self):
        """Overdue: the community manager hears of it, once per deadline."""
        with transaction.atomic():
            current = self._locked()
            if not current.escalation_due:
                return False
            now = timezone.now()
            missed = "completion" if current.completion_due and current.completion_due < now \
                else "response"
            self.escalated_at = now
            self.save(update_fields=["escalated_at"])
            self._record("escalated", by=None, from_state=current.state, visible=False,
                         data={"deadline": missed})
        from portal.notifications import notify_many

        managers = Staff.objects.filter(communities=self.community_id,
                                        user__groups__name=roles.MANAGER,
                                        user__is_active=True)
        # A list of user ids: notify_many reads a queryset as users, and these are staff.
        notify_many(list(managers.values_list("user_id", flat=True)),
                    "services.ticket.overdue", self._context(), url=self.admin_url,
                    community=self.community)
        return True

    def record_revisit(self, by, *, satisfied, note=""):
        """Customer service phoned the owner after completion (回访)."""
        with transaction.atomic():
            current = self._locked()
            if current.state not in (*DONE_STATES, State.CLOSED):
                raise TransitionNotAllowed(_("A revisit follows a completed ticket."))
            self.state = current.state
            revisit = Revisit.objects.create(ticket=self, community_id=self.community_id,
                                             by=by, satisfied=satisfied, note=note.strip())
            self._record("revisited", by=by, from_state=self.state, visible=False,
                         note=note.strip(), data={"satisfied": satisfied})
            if not satisfied:
                self.open_follow_up(reason="revisit")
        return revisit

    def open_follow_up(self, reason):
        """A low rating or an unhappy revisit opens a new ticket for customer service."""
        with transaction.atomic():
            # Under the row lock: a low rating and an unhappy revisit at the same moment
            # open one follow-up.
            self._locked()
            if self.follow_ups.exists():
                return self.follow_ups.first()
            follow_up = Ticket.objects.create(
                kind=self.kind, category=self.category, urgency=self.urgency,
                community_id=self.community_id, house=self.house, building=self.building,
                public_area=self.public_area, reporter=self.reporter,
                contact_name=self.contact_name, contact_phone=self.contact_phone,
                anonymous=self.anonymous, description=self.description,
                follow_up_of=self, response_due=self.category.deadlines(
                    self.urgency, timezone.now())[0])
            follow_up._record("follow_up", by=None, from_state="", visible=False,
                              data={"of": self.reference, "reason": reason})
        return follow_up

    # --- helpers ------------------------------------------------------------------

    def _check_worker(self, worker):
        if worker is None or not worker.user.is_active:
            raise ValidationError({"worker": _("Choose a worker.")})
        if not worker.communities.filter(pk=self.community_id).exists():
            raise ValidationError({"worker": _("This worker does not serve this community.")})

    def _arrival_text(self):
        """When the worker is expected: the time the desk or worker gave, else the
        owner's own window, else "to be arranged" (never an empty "Expected: ")."""
        if self.expected_arrival:
            return f"{timezone.localtime(self.expected_arrival):%m-%d %H:%M}"
        if self.preferred_start and self.preferred_end:
            start, end = (timezone.localtime(self.preferred_start),
                          timezone.localtime(self.preferred_end))
            return f"{start:%m-%d %H:%M}–{end:%H:%M}" if start.date() == end.date() \
                else f"{start:%m-%d %H:%M}–{end:%m-%d %H:%M}"
        return _("to be arranged")  # lazy: notifications render in the site's language

    def _context(self, **extra):
        return {"reference": self.reference, "category": str(self.category),
                "location": self.location, **extra}

    @property
    def owner_url(self):
        from django.urls import reverse

        return reverse("services:ticket_detail", args=[self.pk])

    @property
    def workbench_url(self):
        """The order on the worker's workbench (the link in the worker's messages)."""
        from django.urls import reverse

        return reverse("services:workbench_order", args=[self.pk])

    @property
    def admin_url(self):
        from django.urls import reverse

        return reverse("tickets:inspect", args=[self.pk])

    def _tell_owner(self, event, **context):
        if self.reporter_id:
            self._tell(self.reporter, event, url=self.owner_url, **context)

    def _tell(self, user, event, url=None, **context):
        from portal.notifications import notify

        notify(user, event, self._context(**context), url=url or self.owner_url,
               community=self.community)


class TicketEventQuerySet(ScopedQuerySet):
    def for_staff(self, staff):
        return self.filter(ticket__in=Ticket.objects.for_staff(staff))

    def for_resident(self, resident):
        return self.filter(ticket__reporter=resident.user, visible_to_owner=True)


class TicketEvent(models.Model):
    """One step of a ticket: the owner's timeline and the audit trail."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(_("action"), max_length=20)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", verbose_name=_("by"))
    note = models.TextField(_("note"), blank=True)
    visible_to_owner = models.BooleanField(default=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)
    # The one-time key of the owner's form that wrote this event (a message): posted
    # again, it adds nothing.
    idempotency_key = models.CharField(max_length=64, blank=True, editable=False)

    objects = TicketEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["ticket", "created_at"])]
        constraints = [models.UniqueConstraint(fields=["ticket", "idempotency_key"],
                                               condition=~Q(idempotency_key=""),
                                               name="ticket_event_once_per_key")]

    def __str__(self):
        return f"{self.ticket_id} {self.action}"


class TicketAttachmentQuerySet(ScopedQuerySet):
    def for_staff(self, staff):
        return self.filter(ticket__in=Ticket.objects.for_staff(staff))

    def for_resident(self, resident):
        # Not the photos of staff's internal notes, which the owner's timeline leaves out.
        return self.filter(ticket__reporter=resident.user).exclude(
            event__visible_to_owner=False)


class TicketAttachment(models.Model):
    """A photo or short video: with the report, with a message, or the worker's
    after-photos. Checked by content on upload; in the background a photo is cleaned
    (EXIF removed) and given a thumbnail, a video a poster (its ``thumbnail``) and its
    length."""

    class Stage(models.TextChoices):
        REPORT = "report", _("With the report")
        MESSAGE = "message", _("With a message")
        AFTER = "after", _("After the repair")

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        VIDEO = "video", _("Video")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(TicketEvent, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="attachments")
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.REPORT)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PHOTO)
    # Not published under MEDIA_URL: served by a view that checks who may see the ticket,
    # which finds the attachment by its file's name (hence the indexes).
    file = models.FileField(upload_to="tickets/%Y/%m/", storage=ticket_media_storage)
    thumbnail = models.ImageField(upload_to="tickets/thumbs/%Y/%m/", blank=True,
                                  storage=ticket_media_storage)
    processed = models.BooleanField(default=False)
    # A video's playing time, read by the background task; None for photos, and for a
    # video not processed yet or whose headers do not say.
    duration = models.DurationField(null=True, blank=True, editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    # A photo chosen in WeChat: the SHA-256 of its JS-SDK serverId (media_id), so that a
    # retried fetch or a form sent twice attaches it once to a ticket. A digest, because
    # the media_id itself would fetch the photo from WeChat for three days.
    wechat_media_digest = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TicketAttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["file"]), models.Index(fields=["thumbnail"])]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "wechat_media_digest"],
                                    condition=~Q(wechat_media_digest=""),
                                    name="one_attachment_per_wechat_media"),
        ]

    def __str__(self):
        return f"{self.ticket_id} {self.get_kind_display()}"

    @staticmethod
    def media_digest(media_id):
        return hashlib.sha256(media_id.encode()).hexdigest()

    @property
    def duration_label(self):
        """"0:12", as players show a video's length; "" when not known."""
        if self.duration is None:
            return ""
        return minutes_and_seconds(self.duration.total_seconds())


class RevisitQuerySet(ScopedQuerySet):
    def for_staff(self, staff):
        return self.filter(ticket__in=Ticket.objects.for_staff(staff))


class Revisit(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="revisits")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                           related_name="+", verbose_name=_("by"))
    satisfied = models.BooleanField(_("satisfied"))
    note = models.TextField(_("result"), blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    objects = RevisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("revisit")
        verbose_name_plural = _("revisits")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.ticket_id} {self.created_at:%Y-%m-%d}"
