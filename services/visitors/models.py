"""Visitor passes of a community.

An owner invites a visitor to one of their verified houses (invitations.invite); the pass
carries a short typeable code and a signed token for its QR code, neither holding any
personal data. Guards check and admit passes at the gate (gate.py), every attempt written
to the gate log (GateEntry). A pass changes state only through its verbs (revoke, confirm
or decline a walk-in; gate.admit marks a single-entry pass used), each writing a PassEvent.
A pass whose window has ended stays "active" in the database and reads as expired.
"""

import secrets

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from portal.crypto import EncryptedCharField, mask_phone
from portal.estates import roles
from portal.estates.errors import TransitionNotAllowed
from portal.estates.models import Community, House, Occupancy
from portal.estates.scope import ScopedQuerySet
from portal.site_language import in_site_language

CODE_DIGITS = 8
TOKEN_SALT = "visitors.pass"
# Who among a community's staff works with visitors: the gate and the desk.
VISITOR_ROLES = (roles.GUARD, *roles.DESK_ROLES)


class VisitorStaffQuerySet(ScopedQuerySet):
    """Guards and desk staff see their communities' rows; workers and merchants none."""

    def for_staff(self, staff):
        if not staff.has_role(*VISITOR_ROLES):
            return self.none()
        return super().for_staff(staff)


class VisitorSetting(models.Model):
    """How a community lets visitors in. Absent: the defaults of the fields."""

    community = models.OneToOneField(Community, on_delete=models.CASCADE,
                                     related_name="visitor_setting",
                                     verbose_name=_("community"))
    allow_single_entry = models.BooleanField(_("single-entry passes"), default=True)
    allow_multi_entry = models.BooleanField(
        _("multi-entry passes"), default=True,
        help_text=_("Passes that let the visitor in and out any number of times within "
                    "their window."))
    max_window_hours = models.PositiveSmallIntegerField(
        _("longest window (hours)"), default=24,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 31)])
    max_days_ahead = models.PositiveSmallIntegerField(
        _("invite at most (days ahead)"), default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)])
    walk_ins_need_confirmation = models.BooleanField(
        _("walk-ins need the owner's confirmation"), default=True,
        help_text=_("A visitor without a pass waits at the gate until an occupant of the "
                    "house confirms on their phone."))
    retention_days = models.PositiveSmallIntegerField(
        _("keep visitors' personal data (days)"), default=180,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("After this many days past a pass's window, the visitor's name, phone, "
                    "plate and purpose are removed; the counts remain."))

    objects = VisitorStaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("visitor setting")
        verbose_name_plural = _("visitor settings")

    def __str__(self):
        return str(self.community)

    @classmethod
    def for_community(cls, community):
        """The community's setting, or an unsaved one with the defaults."""
        community_id = getattr(community, "pk", community)
        setting = cls.objects.filter(community_id=community_id).first()
        return setting or cls(community_id=community_id)

    def clean(self):
        if not (self.allow_single_entry or self.allow_multi_entry):
            raise ValidationError({"allow_multi_entry": _(
                "Allow at least one kind of pass, or owners cannot invite anyone.")})

    def kinds(self):
        allowed = []
        if self.allow_single_entry:
            allowed.append(VisitorPass.Kind.SINGLE)
        if self.allow_multi_entry:
            allowed.append(VisitorPass.Kind.MULTI)
        return allowed


def _verified_house_ids(resident):
    return Occupancy.objects.filter(resident=resident, state=Occupancy.State.VERIFIED
                                    ).values("house_id")


class VisitorPassQuerySet(VisitorStaffQuerySet):
    def for_resident(self, resident):
        """Passes of my verified houses (walk-ins to confirm included), and those I
        invited (kept after I move out, read-only)."""
        return self.filter(Q(house__in=_verified_house_ids(resident))
                           | Q(invited_by_id=resident.user_id))

    def upcoming(self, now=None):
        return self.filter(state__in=VisitorPass.OPEN_STATES,
                           ends_at__gte=now or timezone.now())

    def with_status(self, status, now=None):
        """Passes whose status (as get_status_display reads it) is ``status``: a state, or
        "expired" for an open pass past its window, which no open state then includes."""
        now = now or timezone.now()
        if status == "expired":
            return self.filter(state__in=VisitorPass.OPEN_STATES, ends_at__lt=now)
        if status in VisitorPass.OPEN_STATES:
            return self.filter(state=status, ends_at__gte=now)
        return self.filter(state=status)

    def past(self, now=None):
        """Expired by time, revoked or declined."""
        return self.filter(Q(state__in=[VisitorPass.State.REVOKED, VisitorPass.State.DECLINED])
                           | Q(state__in=VisitorPass.OPEN_STATES,
                               ends_at__lt=now or timezone.now()))


class VisitorPass(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single entry")
        MULTI = "multi", _("Multiple entries")

    class Source(models.TextChoices):
        INVITATION = "invitation", _("Invited by an occupant")
        WALK_IN = "walk_in", _("Registered at the gate")

    class State(models.TextChoices):
        ACTIVE = "active", _("Valid")
        USED = "used", _("Used")
        REVOKED = "revoked", _("Revoked")
        AWAITING_CONFIRMATION = "awaiting", _("Awaiting the owner's confirmation")
        DECLINED = "declined", _("Declined by the owner")

    # States in which the code is still held (unique per community).
    OPEN_STATES = (State.ACTIVE, State.AWAITING_CONFIRMATION)

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+",
                                  editable=False, verbose_name=_("community"))
    house = models.ForeignKey(House, on_delete=models.CASCADE, related_name="visitor_passes",
                              verbose_name=_("house"))
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("invited by"))
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                      null=True, blank=True, related_name="+",
                                      verbose_name=_("registered by (guard)"))
    # Personal data: blanked by the retention task (retention.py).
    visitor_name = models.CharField(_("visitor's name"), max_length=50, blank=True)
    visitor_phone = EncryptedCharField(_("visitor's mobile number"), blank=True)
    plate = models.CharField(_("car plate"), max_length=10, blank=True)
    purpose = models.CharField(_("purpose"), max_length=100, blank=True)
    personal_data_removed_at = models.DateTimeField(null=True, blank=True, editable=False)

    people = models.PositiveSmallIntegerField(
        _("number of people"), default=1, validators=[MinValueValidator(1),
                                                      MaxValueValidator(50)])
    starts_at = models.DateTimeField(_("valid from"))
    ends_at = models.DateTimeField(_("valid until"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices,
                            default=Kind.SINGLE)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices,
                              default=Source.INVITATION)
    state = models.CharField(_("state"), max_length=8, choices=State.choices,
                             default=State.ACTIVE)
    code = models.CharField(_("code"), max_length=CODE_DIGITS, editable=False)
    # Part of the signed QR token: a token cannot be made from the pass id alone.
    nonce = models.CharField(max_length=32, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    # The owner's form's one-time key: a double tap makes one pass.
    idempotency_key = models.CharField(max_length=64, blank=True, editable=False)

    objects = VisitorPassQuerySet.as_manager()
    # Rows written all day that no page or snippet refers to: Wagtail's reference
    # index would only queue a background task on every save.
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("visitor pass")
        verbose_name_plural = _("visitor passes")
        ordering = ["-starts_at", "-pk"]
        permissions = [("export_visitorpass", "Can export the visitor log")]
        constraints = [
            models.UniqueConstraint(fields=["community", "code"],
                                    condition=Q(state__in=["active", "awaiting"]),
                                    name="visitor_pass_open_code_unique"),
            models.UniqueConstraint(fields=["invited_by", "idempotency_key"],
                                    condition=~Q(idempotency_key=""),
                                    name="visitor_pass_once_per_key"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                   name="visitor_pass_window_ends_after_start"),
        ]
        indexes = [
            # The gate's typed code (any community: another's is told apart).
            models.Index(fields=["code"], name="visitor_pass_code"),
            # A community's passes, newest first (the visitor log).
            models.Index(fields=["community", "starts_at"], name="visitor_pass_comm_start"),
            models.Index(fields=["house", "starts_at"], name="visitor_pass_house_start"),
            # Retention, and today's passes at the gate (those not yet over).
            models.Index(fields=["community", "ends_at"], name="visitor_pass_comm_end"),
        ]

    def __str__(self):
        return f"{self.visitor_name or _('Visitor')} · {self.house}"

    def save(self, *args, **kwargs):
        self.community_id = self.house.community_id
        if not self.nonce:
            self.nonce = secrets.token_hex(16)
        if self.pk or self.code:
            return super().save(*args, **kwargs)
        # A fresh random code; another open pass of the community holding it: draw again.
        for _attempt in range(10):
            self.code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
            try:
                with transaction.atomic():
                    return super().save(*args, **kwargs)
            except IntegrityError:
                if not VisitorPass.objects.filter(
                        community_id=self.community_id, code=self.code,
                        state__in=self.OPEN_STATES).exists():
                    raise
        raise IntegrityError("no free pass code")

    # --- reading ----------------------------------------------------------------

    @property
    def masked_phone(self):
        return mask_phone(self.visitor_phone)

    @property
    def masked_name(self):
        """The first character: what the shared page and strangers may see."""
        return f"{self.visitor_name[:1]}**" if self.visitor_name else ""

    @cached_property
    def token(self):
        """The signed token of the QR code: the pass id and nonce, nothing personal."""
        return signing.Signer(salt=TOKEN_SALT).sign(f"{self.pk}.{self.nonce}")

    @classmethod
    def from_token(cls, token):
        """The pass a token names, or None if the token is forged, altered or stale."""
        try:
            value = signing.Signer(salt=TOKEN_SALT).unsign(token)
        except signing.BadSignature:
            return None
        pk, _sep, nonce = value.partition(".")
        if not pk.isdigit():
            return None
        found = (cls.objects.filter(pk=int(pk))
                 .select_related("house__unit__building", "community").first())
        if found is None or not constant_time_compare(found.nonce, nonce):
            return None
        return found

    def is_expired(self, now=None):
        return self.state in self.OPEN_STATES and self.ends_at < (now or timezone.now())

    @property
    def status(self):
        """The state as people read it: an open pass past its window is expired."""
        return "expired" if self.is_expired() else self.state

    def get_status_display(self):
        return _("Expired") if self.is_expired() else self.get_state_display()

    @property
    def code_display(self):
        return f"{self.code[:4]} {self.code[4:]}"

    # --- verbs ------------------------------------------------------------------

    def _locked(self):
        return VisitorPass.objects.select_for_update().get(pk=self.pk)

    def _change(self, action, *, by, allowed_from, to, guard=None, note=""):
        with transaction.atomic():
            current = self._locked()
            if current.state not in allowed_from:
                raise TransitionNotAllowed(
                    _("This pass is %(state)s; that cannot be done now.")
                    % {"state": current.get_status_display()})
            if guard is not None:
                guard(current)
            self.state = current.state = to
            self.save(update_fields=["state"])
            return self.record(action, by=by, note=note)

    def record(self, action, *, by, note=""):
        return PassEvent.objects.create(visitor_pass=self, community_id=self.community_id,
                                        action=action, actor=by, note=note)

    def _require_occupant(self, by):
        if not is_verified_occupant(by, self.house_id) and not (
                self.invited_by_id and self.invited_by_id == by.pk):
            raise TransitionNotAllowed(_("Only a verified occupant of the house can do this."))

    def revoke(self, by, note=""):
        """The inviting occupant (or another of the house) cancels a pass not yet used."""
        self._require_occupant(by)

        def not_past(current):
            if current.is_expired():
                raise TransitionNotAllowed(_("This pass has expired already."))

        return self._change(PassEvent.Action.REVOKED, by=by, allowed_from=self.OPEN_STATES,
                            to=self.State.REVOKED, guard=not_past, note=note)

    def confirm_walk_in(self, by):
        """An occupant lets a visitor who came without a pass in: the gate may admit, and
        the guard who registered the visitor is told."""
        self._require_occupant(by)
        with transaction.atomic():
            event = self._change(PassEvent.Action.CONFIRMED, by=by,
                                 allowed_from=[self.State.AWAITING_CONFIRMATION],
                                 to=self.State.ACTIVE)
            self._tell_gate("visitors.walk_in.confirmed")
        return event

    def decline_walk_in(self, by):
        """An occupant turns a visitor who came without a pass away; the guard is told."""
        self._require_occupant(by)
        with transaction.atomic():
            event = self._change(PassEvent.Action.DECLINED, by=by,
                                 allowed_from=[self.State.AWAITING_CONFIRMATION],
                                 to=self.State.DECLINED)
            self._tell_gate("visitors.walk_in.declined")
        return event

    def _tell_gate(self, event):
        # The gate module knows how visitors' messages read; it imports this one.
        from .gate import tell_guard

        tell_guard(self, event)

    @property
    def awaits_entry(self):
        """A walk-in the owner confirmed, not yet let in and within its window: the gate's
        lists offer to record its entry (the guard saw the visitor when registering)."""
        return (self.source == self.Source.WALK_IN and self.state == self.State.ACTIVE
                and not self.is_expired())

    @classmethod
    def revoke_for_ended_occupancy(cls, occupancy):
        """Revoke the passes still to come that this occupant invited to the house."""
        now = timezone.now()
        passes = list(cls.objects.select_for_update().filter(
            house_id=occupancy.house_id, invited_by_id=occupancy.resident.user_id,
            state__in=cls.OPEN_STATES, ends_at__gte=now))
        for visitor_pass in passes:
            visitor_pass.state = cls.State.REVOKED
            visitor_pass.save(update_fields=["state"])
            visitor_pass.record(PassEvent.Action.REVOKED, by=None,
                                note=in_site_language(_("The occupancy ended")))
        return len(passes)


def is_verified_occupant(user, house_id):
    return Occupancy.objects.filter(resident__user=user, house_id=house_id,
                                    state=Occupancy.State.VERIFIED).exists()


class PassEventQuerySet(VisitorStaffQuerySet):
    def for_resident(self, resident):
        return self.filter(visitor_pass__in=VisitorPass.objects.for_resident(resident))


class PassEvent(models.Model):
    """One step of a pass: the audit trail (no personal data)."""

    class Action(models.TextChoices):
        INVITED = "invited", _("Invited")
        REGISTERED = "registered", _("Registered at the gate")
        CONFIRMED = "confirmed", _("Confirmed by the owner")
        DECLINED = "declined", _("Declined by the owner")
        REVOKED = "revoked", _("Revoked")
        USED = "used", _("Used")

    visitor_pass = models.ForeignKey(VisitorPass, on_delete=models.CASCADE,
                                     related_name="events")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", verbose_name=_("by"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    objects = PassEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("pass event")
        verbose_name_plural = _("pass events")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.visitor_pass_id} {self.action}"


class GateEntryQuerySet(VisitorStaffQuerySet):
    def for_resident(self, resident):
        return self.filter(visitor_pass__in=VisitorPass.objects.for_resident(resident))


class GateEntry(models.Model):
    """The gate log: every check that recorded something, admitted or refused, and exits.
    A refused code is kept only as a keyed digest."""

    class Result(models.TextChoices):
        ADMITTED = "admitted", _("Admitted")
        EXITED = "exited", _("Left")
        REFUSED = "refused", _("Refused")

    class Reason(models.TextChoices):
        NOT_YET_VALID = "not_yet_valid", _("Not yet valid")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")
        USED = "used", _("Already used")
        WRONG_COMMUNITY = "wrong_community", _("A pass of another community")
        UNKNOWN = "unknown", _("Unknown or forged code")
        AWAITING_CONFIRMATION = "awaiting", _("Awaiting the owner's confirmation")
        DECLINED = "declined", _("Declined by the owner")

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("community"))
    visitor_pass = models.ForeignKey(VisitorPass, on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="entries",
                                     verbose_name=_("pass"))
    result = models.CharField(_("result"), max_length=8, choices=Result.choices)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices,
                              blank=True)
    guard = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", verbose_name=_("guard"))
    code_digest = models.CharField(max_length=64, blank=True, editable=False)
    at = models.DateTimeField(_("at"), default=timezone.now)

    objects = GateEntryQuerySet.as_manager()
    # Rows written all day that no page or snippet refers to: Wagtail's reference
    # index would only queue a background task on every save.
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("gate entry")
        verbose_name_plural = _("gate log")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["community", "at"], name="gate_entry_comm_at"),
                   models.Index(fields=["visitor_pass", "at"], name="gate_entry_pass_at")]

    def __str__(self):
        return f"{self.get_result_display()} {self.at:%Y-%m-%d %H:%M}"
