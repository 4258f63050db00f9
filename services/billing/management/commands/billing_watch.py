import time

from django.core.management.base import BaseCommand, CommandError
from django_tasks.base import TaskResultStatus

from services.billing.reminder_tasks import send_bill_reminders

DEFAULT_SECONDS = 3600
WAITING = (TaskResultStatus.READY, TaskResultStatus.RUNNING)


class Command(BaseCommand):
    help = ("Queue the bill reminders (due soon, just overdue) every --seconds, for the "
            "task workers to run. Each bill's reminder of a kind is sent once, however "
            "often this runs and however many watches run.")

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=int, default=DEFAULT_SECONDS,
                            help="Between two runs (default %(default)s).")
        parser.add_argument("--once", action="store_true", help="Queue one run and stop.")

    def handle(self, seconds, once, verbosity, **options):
        if seconds < 1:
            raise CommandError("--seconds must be at least 1.")
        self.stdout.write(f"Billing watch: bill reminders checked every {seconds} s.")
        queued = None
        while True:
            if queued is not None and queued.status in WAITING:
                queued.refresh()
            if queued is None or queued.status not in WAITING:
                queued = send_bill_reminders.enqueue()
                if verbosity > 1:
                    self.stdout.write(f"Billing watch queued ({queued.id}).")
            if once:
                return
            time.sleep(seconds)
