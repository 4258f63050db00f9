"""What residents are told about notices (see portal.notifications.events)."""

from django.utils.translation import gettext_lazy as _

from portal.notifications.events import Event, register

NOTICE_PUBLISHED = register(Event(
    key="notices.notice.published",
    label=_("Notice published"),
    title=_("Notice: {notice}"),
    body=_("{summary}"),
    template_fields={"thing1": "{notice}", "thing2": "{summary}", "time3": "{when}"},
    placeholders=("notice", "summary"),
))

EMERGENCY_NOTICE = register(Event(
    key="notices.notice.emergency",
    label=_("Emergency notice"),
    title=_("Emergency notice: {notice}"),
    body=_("{summary}"),
    template_fields={"thing1": "{notice}", "thing2": "{summary}", "time3": "{when}"},
    placeholders=("notice", "summary"),
    sms=True,
))

ACTIVITY_PUBLISHED = register(Event(
    key="notices.activity.published",
    label=_("Activity published"),
    title=_("Activity: {activity}"),
    body=_("{starts} at {place}. {summary}"),
    template_fields={"thing1": "{activity}", "time2": "{starts}", "thing3": "{place}"},
    placeholders=("activity", "summary", "starts", "place"),
))

ACTIVITY_PROMOTED = register(Event(
    key="notices.activity.promoted",
    label=_("Moved up from an activity's waitlist"),
    title=_("You have a place: {activity}"),
    body=_("A place came free and your sign-up for {activity} is now confirmed."),
    template_fields={"thing1": "{activity}", "time2": "{when}"},
    placeholders=("activity",),
))

PERSONAL_NOTICE = register(Event(
    key="notices.personal",
    label=_("Personal notice from the office"),
    title=_("{subject}"),
    body=_("{text}"),
    template_fields={"thing1": "{subject}", "thing2": "{text}", "time3": "{when}"},
    placeholders=("subject", "text"),
))
