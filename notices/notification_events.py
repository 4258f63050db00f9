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
