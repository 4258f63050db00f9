"""Sending a targeted page (a notice, an activity) to the residents it targets, in the
background."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from portal.notifications import notify_many

from . import targeting

PUBLISHED = "notices.notice.published"
EMERGENCY = "notices.notice.emergency"
ACTIVITY_PUBLISHED = "notices.activity.published"


def _send(push_model, push_id):
    """Tell every targeted resident about the page, once per push: a push that was
    sent is not sent again when the task runs twice."""
    with transaction.atomic():
        push = (push_model.objects.select_for_update().select_related("page")
                .filter(pk=push_id, sent_at=None).first())
        if push is None:
            return 0
        page = push.page.specific
        event, context = page.push_message()
        told = notify_many(
            get_user_model().objects.filter(resident__in=targeting.targeted_residents(page)),
            event, context, url=page.url or "",
        )
        push.sent_at = timezone.now()
        push.recipients = told
        push.save(update_fields=["sent_at", "recipients"])
    return told


# Ahead of the search and reference index updates that publishing queues just before:
# residents hear of a notice (a water cut) without waiting behind the site's upkeep.
PUSH_PRIORITY = 10


@task(priority=PUSH_PRIORITY)
def send_notice_push(push_id):
    from .models import NoticePush

    return _send(NoticePush, push_id)


@task(priority=PUSH_PRIORITY)
def send_activity_push(push_id):
    from .models import ActivityPush

    return _send(ActivityPush, push_id)
