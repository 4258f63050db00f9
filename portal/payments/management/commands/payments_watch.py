import time

from django.core.management.base import BaseCommand, CommandError
from django_tasks.base import TaskResultStatus

from portal.payments.tasks import watch_payments

DEFAULT_SECONDS = 60
WAITING = (TaskResultStatus.READY, TaskResultStatus.RUNNING)


class Command(BaseCommand):
    help = ("Queue the payment watch (late notifications looked up at WeChat Pay, expired "
            "orders closed, late refunds looked up) every --seconds, for the task workers "
            "to run. Running two watches is harmless: each order is settled or closed once.")

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=int, default=DEFAULT_SECONDS,
                            help="Between two runs (default %(default)s).")
        parser.add_argument("--once", action="store_true", help="Queue one run and stop.")

    def handle(self, seconds, once, verbosity, **options):
        if seconds < 1:
            raise CommandError("--seconds must be at least 1.")
        self.stdout.write(f"Payment watch: pending orders checked every {seconds} s.")
        queued = None
        while True:
            # With the workers busy or stopped, one waiting run is enough.
            if queued is not None and queued.status in WAITING:
                queued.refresh()
            if queued is None or queued.status not in WAITING:
                queued = watch_payments.enqueue()
                if verbosity > 1:
                    self.stdout.write(f"Payment watch queued ({queued.id}).")
            if once:
                return
            time.sleep(seconds)
