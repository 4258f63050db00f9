"""Sending a notice to the residents it targets, in the background."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from portal.notifications import notify_many

from . import targeting

PUBLISHED = "notices.notice.published"
EMERGENCY = "notices.notice.emergency"


@task
def send_notice_push(push_id):
    """Tell every targeted resident about the notice, once per push: a push that was
    sent is not sent again when the task runs twice."""
    from .models import NoticePush

    with transaction.atomic():
        push = (NoticePush.objects.select_for_update().select_related("page")
                .filter(pk=push_id, sent_at=None).first())
        if push is None:
            return 0
        page = push.page.specific
        residents = targeting.targeted_residents(page)
        told = notify_many(
            get_user_model().objects.filter(resident__in=residents),
            EMERGENCY if page.is_emergency else PUBLISHED,
            {"notice": page.title, "summary": page.summary},
            url=page.url or "",
        )
        push.sent_at = timezone.now()
        push.recipients = told
        push.save(update_fields=["sent_at", "recipients"])
    return told
