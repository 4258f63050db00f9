"""Background work for tickets: automatic dispatch right after submission, photos cleaned
and given thumbnails after upload (videos a poster and their length), and the SLA watch
that escalates overdue tickets."""

from django.db import transaction
from django_tasks import task

from portal.estates.errors import TransitionNotAllowed


@task
def dispatch_automatically(ticket_id):
    from . import dispatch

    try:
        worker = dispatch.dispatch_automatically(ticket_id)
    except TransitionNotAllowed:
        # Someone was faster (accepted, cancelled): nothing to do.
        return None
    return worker and worker.pk


@task
def process_attachment(attachment_id):
    """Replace an uploaded photo by its cleaned copy (upright, no EXIF location) and make
    its thumbnail; give a video its poster and length (its location left it at upload).
    Once only, so a retried task does the work once."""
    from services.media.storage import store_processed_photo, store_video_poster

    from .models import TicketAttachment

    with transaction.atomic():
        attachment = (TicketAttachment.objects.select_for_update()
                      .filter(pk=attachment_id, processed=False).first())
        if attachment is None:
            return False
        if attachment.kind == TicketAttachment.Kind.VIDEO:
            attachment.duration = store_video_poster(attachment.file, attachment.thumbnail)
            changed = ["thumbnail", "duration"]
        else:
            store_processed_photo(attachment.file, attachment.thumbnail)
            changed = ["file", "thumbnail"]
        attachment.processed = True
        attachment.save(update_fields=[*changed, "processed"])
    return True


@task
def attach_wechat_photo(event_id, media_id, stage):
    """A photo chosen in WeChat (a JS-SDK serverId): fetched from WeChat's media API,
    attached to the event's ticket, then processed like an upload. Once per ticket: a
    retried task or a form sent twice with the same media_id attaches it once (a unique
    constraint settles two fetches racing). A photo WeChat no longer has is skipped;
    network errors raise, so the task can be retried. Returns the attachment's pk."""
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError

    from portal.wechat.models import OfficialAccount
    from services.media.wechat import fetch_wechat_media

    from .models import TicketAttachment, TicketEvent

    event = TicketEvent.objects.select_related("ticket__community").get(pk=event_id)
    digest = TicketAttachment.media_digest(media_id)
    same = TicketAttachment.objects.filter(ticket_id=event.ticket_id, wechat_media_digest=digest)
    if (pk := same.values_list("pk", flat=True).first()) is not None:
        return pk
    account = OfficialAccount.objects.for_community(event.ticket.community)
    if account is None:
        return None
    try:
        photo = fetch_wechat_media(account, media_id)
    except ValidationError:
        return None
    attachment = TicketAttachment(
        ticket=event.ticket, community_id=event.community_id, event=event, stage=stage,
        uploaded_by_id=event.actor_id, wechat_media_digest=digest)
    attachment.file.save(photo.name, photo, save=False)
    try:
        with transaction.atomic():
            attachment.save()
            transaction.on_commit(lambda: process_attachment.enqueue(attachment.pk),
                                  robust=True)
    except IntegrityError:
        # Another run attached it meanwhile: keep theirs, remove the copy just written.
        attachment.file.storage.delete(attachment.file.name)
        return same.values_list("pk", flat=True).first()
    return attachment.pk


@task
def escalate_overdue():
    """Tell the community managers about every overdue ticket not escalated yet. Runs
    every few minutes: `manage.py ticket_watch` (with `make run`), or cron calling
    `manage.py escalate_tickets`. Returns how many were escalated."""
    from django.db.models import F, Q
    from django.utils import timezone

    from .models import Ticket

    now = timezone.now()
    # Narrows the candidates; Ticket.escalate checks each again under its row lock.
    not_told = Q(escalated_at=None) | Q(completion_due__lt=now,
                                        escalated_at__lt=F("completion_due"))
    escalated = 0
    overdue = Ticket.objects.overdue(now).filter(not_told).values_list("pk", flat=True)
    for pk in overdue.iterator():
        escalated += Ticket.objects.get(pk=pk).escalate()
    return escalated
