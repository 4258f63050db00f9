"""Publishing a notice or an activity tells the residents it targets: once per page, in
the background. Connected to Wagtail's page_published signal, which also fires for
scheduled publishing (go-live time) and for approval in a workflow."""

from . import targeting
from .models import ActivityPage, ActivityPush, NoticePage, NoticePush

PUSH_MODEL = {NoticePage: NoticePush, ActivityPage: ActivityPush}


def page_published(sender, instance, revision=None, **kwargs):
    # Wagtail also sends page_published when a revision is approved for a later go-live
    # time; the page goes live (and the signal comes again) when that time comes.
    targets = targeting.target_model_of(instance).objects.filter(page_id=instance.pk)
    if not instance.live or not targets.exists():
        return
    by = getattr(revision, "user", None)
    PUSH_MODEL[sender].first_push(instance, by=by)


def connect_signals():
    from wagtail.signals import page_published as published

    for page_model in PUSH_MODEL:
        published.connect(page_published, sender=page_model,
                          dispatch_uid=f"notices_push_on_publish_{page_model.__name__}")
