import time

from django.core.management.base import BaseCommand, CommandError
from django_tasks.base import TaskResultStatus

from services.tickets.tasks import escalate_overdue

DEFAULT_SECONDS = 60
WAITING = (TaskResultStatus.READY, TaskResultStatus.RUNNING)


class Command(BaseCommand):
    help = ("Queue the SLA watch (escalate_overdue) every --seconds, for the task workers "
            "to run: the scheduler `make run` starts. A loop rather than cron so that one "
            "command runs the whole app on any machine; with cron, run `escalate_tickets` "
            "instead. Running two watches is harmless: each ticket is escalated once.")

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=int, default=DEFAULT_SECONDS,
                            help="Between two runs (default %(default)s).")
        parser.add_argument("--once", action="store_true", help="Queue one run and stop.")

    def handle(self, seconds, once, verbosity, **options):
        if seconds < 1:
            raise CommandError("--seconds must be at least 1.")
        self.stdout.write(f"SLA watch: overdue tickets checked every {seconds} s.")
        queued = None
        while True:
            if not still_waiting(queued):
                queued = escalate_overdue.enqueue()
                if verbosity > 1:
                    self.stdout.write(f"SLA watch queued ({queued.id}).")
            if once:
                return
            time.sleep(seconds)


def still_waiting(result):
    """The last run is still queued or running: with the workers busy or stopped, one
    waiting run is enough (rather than one more every interval)."""
    if result is None or result.status not in WAITING:
        return False
    result.refresh()
    return result.status in WAITING
