"""The things the portal tells people about, each known by a key ("estates.occupancy.verified").

An event says how its inbox message reads (a title and a body, translatable strings with
``{name}`` placeholders filled from the context the caller passes to ``notify()``), how
its WeChat template message is filled by default (template keyword → string, e.g.
``{"thing1": "{title}", "time2": "{when}"}``; the admin may map them otherwise per
account), and whether it may go out as an SMS to people who cannot get it on WeChat.

Each app declares its events in a module named ``notification_events`` (found when the
app registry is ready), calling ``register(Event(...))``. Besides the caller's context,
every string may use {title}, {body}, {when} (when the message was written) and
{community}.
"""

import re
import string
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

STANDARD_PLACEHOLDERS = ("title", "body", "when", "community")
# WeChat's template keywords are a type and a number ("thing1", "time2"); WeChat refuses a
# message whose value is longer than its type allows (errcode 47003).
KEYWORD = re.compile(r"^([a-z_]+?)(\d+)$")
VALUE_LIMITS = {
    "thing": 20,
    "number": 32,
    "letter": 32,
    "symbol": 5,
    "character_string": 32,
    "phone_number": 17,
    "car_number": 8,
    "name": 10,
    "phrase": 5,
}
WHEN_FORMAT = "%Y-%m-%d %H:%M"


class UnknownEvent(LookupError):
    pass


@dataclass(frozen=True)
class Event:
    key: str
    label: str
    title: str
    body: str = ""
    template_fields: dict = field(default_factory=dict)
    # Names of the context values the strings use, besides STANDARD_PLACEHOLDERS.
    placeholders: tuple = ()
    sms: bool = False

    def __post_init__(self):
        for text in (self.title, self.body, *self.template_fields.values()):
            unknown = placeholders_in(text) - set(self.allowed_placeholders)
            if unknown:
                raise ValueError(f"{self.key}: unknown placeholders {sorted(unknown)}")

    @property
    def allowed_placeholders(self):
        return (*STANDARD_PLACEHOLDERS, *self.placeholders)

    def values(self, context, *, community=None, when=None):
        """Everything a string of this event may use, rendered in the site's language
        (notifications are written for the recipient, not for whoever triggered them)."""
        context = dict(context or {})
        missing = set(self.placeholders) - set(context)
        if missing:
            raise ValueError(f"{self.key}: context lacks {sorted(missing)}")
        when = timezone.localtime(when or timezone.now())
        with translation.override(settings.LANGUAGE_CODE):
            values = {name: str(value) for name, value in context.items()}
            values.update(when=when.strftime(WHEN_FORMAT),
                          community=str(community) if community else "")
            values["title"] = fill(self.title, values)
            values["body"] = fill(self.body, values)
        return values

    def template_data(self, values, mapping=None):
        """The ``data`` of a WeChat template message: each keyword's value, cut to what
        WeChat accepts for its type."""
        with translation.override(settings.LANGUAGE_CODE):
            return {
                keyword: {"value": fit(keyword, fill(text, values))}
                for keyword, text in (mapping or self.template_fields).items()
            }

    def sms_text(self, values):
        return f"{values['title']}\n{values['body']}".strip()


class _Blank(dict):
    def __missing__(self, key):
        return ""


def fill(text, values):
    """``text`` with its placeholders replaced; one the values lack becomes empty."""
    return string.Formatter().vformat(str(text), (), _Blank(values))


def placeholders_in(text):
    try:
        return {name for _literal, name, _spec, _conv in string.Formatter().parse(str(text))
                if name is not None}
    except ValueError as error:
        raise ValueError(f"{text!r}: {error}") from None


def fit(keyword, value):
    match = KEYWORD.match(keyword)
    limit = VALUE_LIMITS.get(match[1]) if match else None
    if limit is not None and len(value) > limit:
        return value[: limit - 1] + "…" if limit > 3 else value[:limit]
    return value


def validate_template_fields(event, mapping):
    """Check a keyword → string mapping an admin typed for ``event``."""
    if not isinstance(mapping, dict):
        raise ValidationError(_("Give an object of template keywords and texts."))
    errors = []
    for keyword, text in mapping.items():
        if not KEYWORD.match(str(keyword)):
            errors.append(_("“%(keyword)s” is not a template keyword such as thing1 or time2.")
                          % {"keyword": keyword})
            continue
        if not isinstance(text, str):
            errors.append(_("The text of %(keyword)s must be a string.") % {"keyword": keyword})
            continue
        try:
            unknown = placeholders_in(text) - set(event.allowed_placeholders)
        except ValueError:
            errors.append(_("The text of %(keyword)s has unbalanced braces.")
                          % {"keyword": keyword})
            continue
        if unknown:
            errors.append(_("%(keyword)s uses %(names)s; this event offers %(allowed)s.") % {
                "keyword": keyword,
                "names": ", ".join(f"{{{name}}}" for name in sorted(unknown)),
                "allowed": ", ".join(f"{{{name}}}" for name in event.allowed_placeholders),
            })
    if errors:
        raise ValidationError(errors)


_registry = {}


def register(event):
    if event.key in _registry and _registry[event.key] != event:
        raise ValueError(f"notification event {event.key!r} is registered twice")
    _registry[event.key] = event
    return event


def get(key):
    if isinstance(key, Event):
        return key
    try:
        return _registry[key]
    except KeyError:
        raise UnknownEvent(f"no notification event {key!r}") from None


def all_events():
    return sorted(_registry.values(), key=lambda event: event.key)


def choices():
    return [(event.key, event.label) for event in all_events()]


def discover():
    autodiscover_modules("notification_events")


TEST_MESSAGE = register(Event(
    key="notifications.test",
    label=_("Test message"),
    title=_("Test message from the property office"),
    body=_("If you can read this, messages from the portal reach you."),
    template_fields={"thing1": "{title}", "time2": "{when}"},
))
