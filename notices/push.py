"""Publishing a notice tells the residents it targets: once per page, in the background.
Connected to Wagtail's page_published signal, which also fires for scheduled publishing
(go-live time) and for approval in a workflow."""

from .models import NoticePage, NoticePush, NoticeTarget


def notice_published(sender, instance, revision=None, **kwargs):
    # Wagtail also sends page_published when a revision is approved for a later go-live
    # time; the page goes live (and the signal comes again) when that time comes.
    if not instance.live or not NoticeTarget.objects.filter(page_id=instance.pk).exists():
        return
    by = getattr(revision, "user", None)
    NoticePush.first_push(instance, by=by)


def connect_signals():
    from wagtail.signals import page_published

    page_published.connect(notice_published, sender=NoticePage,
                           dispatch_uid="notices_push_on_publish")
