import time

from django.core.management.base import BaseCommand, CommandError
from django_tasks.base import TaskResultStatus

from services.billing.reminder_tasks import charge_late_fees, send_bill_reminders

DEFAULT_SECONDS = 3600
WAITING = (TaskResultStatus.READY, TaskResultStatus.RUNNING)


class Command(BaseCommand):
    help = ("Queue the bill reminders (due soon, just overdue) and the late fees of "
            "overdue bills every --seconds, for the task workers to run. Each bill's "
            "reminder of a kind is sent once and a late fee is charged once a day, however "
            "often this runs and however many watches run.")

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=int, default=DEFAULT_SECONDS,
                            help="Between two runs (default %(default)s).")
        parser.add_argument("--once", action="store_true", help="Queue one run and stop.")

    def handle(self, seconds, once, verbosity, **options):
        if seconds < 1:
            raise CommandError("--seconds must be at least 1.")
        self.stdout.write(f"Billing watch: bill reminders and late fees checked every "
                          f"{seconds} s.")
        queued = [None, None]
        while True:
            for index, task in enumerate((send_bill_reminders, charge_late_fees)):
                result = queued[index]
                if result is not None and result.status in WAITING:
                    result.refresh()
                if result is None or result.status not in WAITING:
                    queued[index] = result = task.enqueue()
                    if verbosity > 1:
                        self.stdout.write(f"Billing watch queued ({result.id}).")
            if once:
                return
            time.sleep(seconds)
