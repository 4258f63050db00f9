"""What residents are told about their house bindings (see portal.notifications.events)."""

from django.utils.translation import gettext_lazy as _

from portal.notifications.events import Event, register

OCCUPANCY_VERIFIED = register(Event(
    key="estates.occupancy.verified",
    label=_("House binding verified"),
    title=_("Your house {house} is verified"),
    body=_("The property office has verified your binding to {house}."),
    template_fields={"thing1": "{house}", "thing2": "{title}", "time3": "{when}"},
    placeholders=("house",),
    sms=True,
))

OCCUPANCY_REJECTED = register(Event(
    key="estates.occupancy.rejected",
    label=_("House binding rejected"),
    title=_("Your binding to {house} was not verified"),
    body=_("Reason: {reason}. Please contact the property office."),
    template_fields={"thing1": "{house}", "thing2": "{reason}", "time3": "{when}"},
    placeholders=("house", "reason"),
    sms=True,
))
