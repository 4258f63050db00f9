"""The gate's rules: what a typed code or a scanned QR token says about a pass, admitting
it, recording the visitor's exit, registering a visitor who came without a pass, and the
day's expected visitors.

``inspect`` only reads. ``admit`` locks the pass, checks it again under the lock and writes
the gate log in one transaction, so two guards admitting the same single-entry pass at the
same moment let it in once: the second is refused as already used. Refused attempts are
logged too, a code that names no pass only as a keyed digest.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.crypto import blind_index
from portal.estates.errors import TransitionNotAllowed
from portal.estates.models import Occupancy

from .invitations import visitor_errors
from .models import CODE_DIGITS, GateEntry, PassEvent, VisitorPass, VisitorSetting
from .plates import InvalidPlate, normalise_plate

__all__ = ["Verdict", "inspect", "admit", "record_exit", "register_walk_in",
           "expected_today", "walk_ins_at_gate", "tell_guard", "normalise_plate",
           "InvalidPlate"]

Reason = GateEntry.Reason
# How long a walk-in's pass lasts (at most the community's longest window).
WALK_IN_HOURS = 4


@dataclass(frozen=True)
class Verdict:
    pass_: VisitorPass | None
    ok: bool
    reason: str = ""  # a GateEntry.Reason, empty when ok

    @property
    def message(self):
        if self.ok:
            return _("Valid")
        return _reason_text(self.reason, self.pass_)


def _when(moment):
    return timezone.localtime(moment).strftime("%m-%d %H:%M")


def _reason_text(reason, visitor_pass):
    if reason == Reason.NOT_YET_VALID:
        return _("Not yet valid: the pass starts at %(start)s.") % {
            "start": _when(visitor_pass.starts_at)}
    if reason == Reason.EXPIRED:
        return _("Expired: the pass ended at %(end)s.") % {"end": _when(visitor_pass.ends_at)}
    if reason == Reason.USED and visitor_pass.used_at:
        return _("Already used: this single-entry pass let its visitor in at %(used)s.") % {
            "used": _when(visitor_pass.used_at)}
    return {
        Reason.USED: _("Already used: this single-entry pass let its visitor in."),
        Reason.REVOKED: _("Revoked: the owner cancelled this pass."),
        Reason.WRONG_COMMUNITY: _("Wrong community: this pass is for another community."),
        Reason.UNKNOWN: _("Unknown code: it names no pass, or it was altered or forged."),
        Reason.AWAITING_CONFIRMATION: _("Waiting for the owner to confirm this visitor."),
        Reason.DECLINED: _("Declined: the owner did not confirm this visitor."),
    }[reason]


def _refusal(visitor_pass, now):
    """Why this pass of the right community does not admit now, or "" if it does."""
    state = visitor_pass.state
    if state == VisitorPass.State.REVOKED:
        return Reason.REVOKED
    if state == VisitorPass.State.DECLINED:
        return Reason.DECLINED
    if state == VisitorPass.State.AWAITING_CONFIRMATION:
        return Reason.AWAITING_CONFIRMATION
    if state == VisitorPass.State.USED:
        return Reason.USED
    if now < visitor_pass.starts_at:
        return Reason.NOT_YET_VALID
    if now > visitor_pass.ends_at:
        return Reason.EXPIRED
    return ""


def _as_code(text):
    digits = text.replace(" ", "")
    return digits if len(digits) == CODE_DIGITS and digits.isdigit() else None


def _find(community, code_or_token):
    """(the pass of this community, reason it is not found): a typed code is looked up
    among all communities' passes so that another community's is told apart, the one
    still open first; a token names its pass by itself."""
    text = (code_or_token or "").strip()
    code = _as_code(text)
    if code is None:
        found = VisitorPass.from_token(text) if text else None
        if found is None:
            return None, Reason.UNKNOWN
        if found.community_id != community.pk:
            return None, Reason.WRONG_COMMUNITY
        return found, ""
    candidates = list(VisitorPass.objects.filter(code=code)
                      .select_related("house__unit__building")
                      .order_by("-starts_at")[:20])
    ours = [p for p in candidates if p.community_id == community.pk]
    if not ours:
        return None, (Reason.WRONG_COMMUNITY if candidates else Reason.UNKNOWN)
    ours.sort(key=lambda p: p.state not in VisitorPass.OPEN_STATES)
    return ours[0], ""


def inspect(community, code_or_token):
    """What the code says at this gate now; records nothing."""
    visitor_pass, reason = _find(community, code_or_token)
    if visitor_pass is None:
        return Verdict(None, False, reason)
    reason = _refusal(visitor_pass, timezone.now())
    return Verdict(visitor_pass, not reason, reason)


def check(community, code_or_token, guard):
    """What the guard sees on scanning or typing a code: the verdict of ``inspect``. A
    valid code records nothing until the entry is recorded (``admit``); a refused one is
    written to the gate log at once, as the attempt it is (a forged code as its digest
    only)."""
    verdict = inspect(community, code_or_token)
    if not verdict.ok:
        GateEntry.objects.create(
            community=community, visitor_pass=verdict.pass_, guard=guard,
            at=timezone.now(), result=GateEntry.Result.REFUSED, reason=verdict.reason,
            code_digest="" if verdict.pass_ else _digest(code_or_token))
    return verdict


def _digest(code_or_token):
    return blind_index(f"visitors.gate:{(code_or_token or '').strip()}")


def admit(community, code_or_token, guard):
    """Let the visitor in if the pass admits now: the check, the single-entry pass
    marked used and the gate log row in one transaction; the owner told on commit."""
    with transaction.atomic():
        found, reason = _find(community, code_or_token)
        visitor_pass = None
        now = timezone.now()
        if found is not None:
            visitor_pass = VisitorPass.objects.select_for_update().get(pk=found.pk)
            visitor_pass.house = found.house
            reason = _refusal(visitor_pass, now)
        entry = GateEntry(community=community, visitor_pass=visitor_pass, guard=guard,
                          at=now, result=GateEntry.Result.REFUSED, reason=reason)
        if reason:
            if visitor_pass is None:
                entry.code_digest = _digest(code_or_token)
            entry.save()
            return Verdict(visitor_pass, False, reason)
        entry.result = GateEntry.Result.ADMITTED
        entry.save()
        _mark_used(visitor_pass, guard, now)
        transaction.on_commit(lambda: tell_arrived(visitor_pass), robust=True)
    return Verdict(visitor_pass, True)


def _mark_used(visitor_pass, guard, now):
    if visitor_pass.kind != VisitorPass.Kind.SINGLE:
        return
    visitor_pass.state = VisitorPass.State.USED
    visitor_pass.used_at = now
    visitor_pass.save(update_fields=["state", "used_at"])
    visitor_pass.record(PassEvent.Action.USED, by=guard)


def record_exit(pass_, guard):
    """The visitor leaves: allowed once after each entry."""
    with transaction.atomic():
        VisitorPass.objects.select_for_update().filter(pk=pass_.pk).first()
        last = (pass_.entries.filter(result__in=[GateEntry.Result.ADMITTED,
                                                 GateEntry.Result.EXITED])
                .order_by("-at", "-pk").first())
        if last is None or last.result != GateEntry.Result.ADMITTED:
            raise TransitionNotAllowed(
                _("No entry of this visitor is recorded since they last left."))
        return GateEntry.objects.create(community_id=pass_.community_id, visitor_pass=pass_,
                                        guard=guard, result=GateEntry.Result.EXITED)


def is_inside(visitor_pass):
    """Admitted and not recorded leaving since: the gate may record the exit."""
    if visitor_pass.kind == VisitorPass.Kind.SINGLE and (
            visitor_pass.state != VisitorPass.State.USED):
        return False  # never let in: nothing to look up
    last = (visitor_pass.entries.exclude(result=GateEntry.Result.REFUSED)
            .order_by("-at", "-pk").values_list("result", flat=True).first())
    return last == GateEntry.Result.ADMITTED


def occupants(house_id):
    """The users who answer for a house: its verified occupants."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        resident__occupancies__house_id=house_id,
        resident__occupancies__state=Occupancy.State.VERIFIED).distinct()


def _tell(visitor_pass, event, recipients, url=None):
    from portal.notifications import notify

    context = {"house": visitor_pass.house.label, "visitor": visitor_pass.visitor_name,
               "people": visitor_pass.people,
               "time": _when(visitor_pass.used_at or timezone.now())}
    url = url or reverse("visitors:detail", args=[visitor_pass.pk])
    for user in recipients:
        notify(user, event, context, url=url, community=visitor_pass.community)


def tell_guard(visitor_pass, event):
    """The owner answered about a walk-in: the guard who registered it is told, with a
    link to the gate's page that lists it (and its "record entry" once confirmed)."""
    guard = visitor_pass.registered_by
    if guard is None or not guard.is_active:
        return
    _tell(visitor_pass, event, [guard],
          url=f"{reverse('gate:home')}#pass-{visitor_pass.pk}")


def tell_arrived(visitor_pass):
    """"Your visitor arrived": the inviting occupant, or the house's for a walk-in."""
    if visitor_pass.invited_by_id:
        recipients = [visitor_pass.invited_by]
    else:
        recipients = occupants(visitor_pass.house_id)
    _tell(visitor_pass, "visitors.arrived", recipients)


def register_walk_in(community, house, guard, *, visitor_name, visitor_phone="", people=1,
                     plate="", purpose=""):
    """A visitor without a pass: registered by the guard for the house they visit. Admitted
    at once, or waiting for an occupant's confirmation if the community wants it."""
    if house.community_id != community.pk:
        raise TransitionNotAllowed(_("This house is not in this gate's community."))
    errors, plate = visitor_errors(visitor_name=visitor_name, people=people, plate=plate)
    if errors:
        raise ValidationError(errors)
    setting = VisitorSetting.for_community(community)
    if setting.walk_ins_need_confirmation and not occupants(house.pk).exists():
        # Nobody would ever answer: the visitor would wait at the gate for nothing.
        raise ValidationError({"house": _(
            "No verified occupant of this house can confirm the visitor. Call the "
            "management office before letting them in.")})
    now = timezone.now()
    visitor_pass = VisitorPass(
        house=house, community=community, registered_by=guard,
        visitor_name=(visitor_name or "").strip(), visitor_phone=visitor_phone or "",
        people=people, plate=plate,
        purpose=(purpose or "").strip(), starts_at=now,
        ends_at=now + timedelta(hours=min(WALK_IN_HOURS, setting.max_window_hours)),
        kind=VisitorPass.Kind.SINGLE, source=VisitorPass.Source.WALK_IN,
        state=(VisitorPass.State.AWAITING_CONFIRMATION
               if setting.walk_ins_need_confirmation else VisitorPass.State.ACTIVE))
    with transaction.atomic():
        visitor_pass.save()
        visitor_pass.record(PassEvent.Action.REGISTERED, by=guard)
        if visitor_pass.state == VisitorPass.State.AWAITING_CONFIRMATION:
            transaction.on_commit(lambda: _tell(visitor_pass, "visitors.walk_in.awaiting",
                                                occupants(house.pk)), robust=True)
            return visitor_pass
        GateEntry.objects.create(community=community, visitor_pass=visitor_pass, guard=guard,
                                 at=now, result=GateEntry.Result.ADMITTED)
        _mark_used(visitor_pass, guard, now)
        transaction.on_commit(lambda: tell_arrived(visitor_pass), robust=True)
    return visitor_pass


def expected_today(community, building=None):
    """The passes the gate may see today: open, not yet over, starting before midnight."""
    now = timezone.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0,
                                               microsecond=0) + timedelta(days=1)
    passes = VisitorPass.objects.filter(community=community, ends_at__gte=now,
                                        starts_at__lt=midnight,
                                        state__in=VisitorPass.OPEN_STATES)
    if building is not None:
        passes = passes.filter(house__building=building)
    return passes.select_related("house__unit__building").order_by("starts_at", "pk")


def walk_ins_at_gate(community):
    """The walk-ins the gate is still dealing with, newest first, until their window
    ends: waiting for the owner, confirmed and not yet let in, or declined."""
    return (VisitorPass.objects
            .filter(community=community, source=VisitorPass.Source.WALK_IN,
                    ends_at__gte=timezone.now(),
                    state__in=[*VisitorPass.OPEN_STATES, VisitorPass.State.DECLINED])
            .select_related("house__unit__building").order_by("-created_at", "-pk"))


def validation_messages(error):
    """The sentences of a refusal (a domain error or a ValidationError) for a message."""
    if isinstance(error, ValidationError):
        return error.messages
    return [str(error)]
