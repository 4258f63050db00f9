"""An occupant invites a visitor: only to a house they are a verified occupant of, within
the window the community allows (VisitorSetting), one pass per form however often it is
posted (the form's one-time key)."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import PassEvent, VisitorPass, VisitorSetting, is_verified_occupant
from .plates import InvalidPlate, normalise_plate

MAX_PEOPLE = 50
# A start a few minutes ago is "now": the form was filled in before it was sent.
START_GRACE = timedelta(minutes=10)


def visitor_errors(*, visitor_name, people, plate):
    """Errors by field for the visitor's facts, and the plate written one way."""
    errors = {}
    if not (visitor_name or "").strip():
        errors["visitor_name"] = _("Give the visitor's name.")
    if not isinstance(people, int) or not 1 <= people <= MAX_PEOPLE:
        errors["people"] = _("Between 1 and %(most)s people.") % {"most": MAX_PEOPLE}
    if (plate or "").strip():
        try:
            plate = normalise_plate(plate)
        except InvalidPlate as error:
            errors["plate"] = error.messages[0]
    return errors, (plate or "").strip() and plate


def window_errors(setting, starts_at, ends_at, now=None):
    """Errors by field for a visit window under the community's setting."""
    now = now or timezone.now()
    if ends_at <= starts_at:
        return {"ends_at": _("The end must come after the start.")}
    if starts_at < now - START_GRACE:
        return {"starts_at": _("The start is in the past: choose a time from now on.")}
    if ends_at <= now:
        return {"ends_at": _("This window is already over: choose a time to come.")}
    if starts_at > now + timedelta(days=setting.max_days_ahead):
        return {"starts_at": _("Visitors can be invited at most %(days)s days ahead.")
                % {"days": setting.max_days_ahead}}
    if ends_at - starts_at > timedelta(hours=setting.max_window_hours):
        return {"ends_at": _("A pass lasts at most %(hours)s hours.")
                % {"hours": setting.max_window_hours}}
    return {}


def kind_errors(setting, kind):
    """Errors by field for a kind of pass the community may not allow."""
    if kind not in setting.kinds():
        return {"kind": _("This community does not allow this kind of pass.")}
    return {}


def invite(by, house, *, visitor_name, starts_at, ends_at, visitor_phone="", people=1,
           plate="", purpose="", kind=VisitorPass.Kind.SINGLE, key=""):
    """A pass for a visitor to ``house``, invited by ``by``. Raises ValidationError (by
    field) and records nothing when a rule refuses; returns the pass the key made already
    when the same form comes again."""
    if key:
        existing = VisitorPass.objects.filter(invited_by=by, idempotency_key=key).first()
        if existing is not None:
            return existing
    if not is_verified_occupant(by, house.pk):
        raise ValidationError({"house": _("You can invite visitors only to a house you are "
                                          "a verified occupant of.")})
    setting = VisitorSetting.for_community(house.community_id)
    errors, plate = visitor_errors(visitor_name=visitor_name, people=people, plate=plate)
    errors.update(window_errors(setting, starts_at, ends_at))
    errors.update(kind_errors(setting, kind))
    if errors:
        raise ValidationError(errors)
    visitor_pass = VisitorPass(
        house=house, invited_by=by, visitor_name=visitor_name.strip(),
        visitor_phone=visitor_phone or "", people=people, plate=plate,
        purpose=(purpose or "").strip(), starts_at=starts_at, ends_at=ends_at, kind=kind,
        idempotency_key=key)
    try:
        with transaction.atomic():
            visitor_pass.save()
            visitor_pass.record(PassEvent.Action.INVITED, by=by)
    except IntegrityError:
        # The same key posted twice at once: the other request made the pass.
        existing = VisitorPass.objects.filter(invited_by=by, idempotency_key=key).first()
        if not key or existing is None:
            raise
        return existing
    return visitor_pass
