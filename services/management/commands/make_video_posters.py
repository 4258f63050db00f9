from django.core.management.base import BaseCommand
from django.db import transaction

from services.models import TicketAttachment
from services.tickets.tasks import process_attachment


class Command(BaseCommand):
    help = ("Queue a poster and length for ticket videos uploaded before videos got them "
            "(processed, yet without either). Run once after upgrading; running it again "
            "queues only what is still missing.")

    def handle(self, **options):
        waiting = TicketAttachment.objects.filter(
            kind=TicketAttachment.Kind.VIDEO, processed=True, thumbnail="",
            duration__isnull=True)
        with transaction.atomic():
            pks = list(waiting.select_for_update().values_list("pk", flat=True))
            # Not processed again: the task works only on what is marked so.
            TicketAttachment.objects.filter(pk__in=pks).update(processed=False)
            for pk in pks:
                transaction.on_commit(lambda pk=pk: process_attachment.enqueue(pk))
        self.stdout.write(f"{len(pks)} video(s) queued for a poster.")
