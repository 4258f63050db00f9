"""Background work for tickets: automatic dispatch right after submission, and the
SLA watch that escalates overdue tickets."""

from django.db import transaction
from django.db.models import Q
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
def escalate_overdue():
    """Run every few minutes (cron or a scheduler calling `manage.py escalate_tickets`)."""
    from .models import Ticket

    escalated = 0
    overdue = Ticket.objects.overdue().filter(Q(escalated_at=None)).values_list("pk", flat=True)
    for pk in overdue.iterator():
        with transaction.atomic():
            escalated += Ticket.objects.get(pk=pk).escalate()
    return escalated
