import time

from django.core.management.base import BaseCommand, CommandError

from services.tickets.tasks import escalate_overdue

DEFAULT_SECONDS = 60


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
        while True:
            result = escalate_overdue.enqueue()
            if verbosity > 1:
                self.stdout.write(f"SLA watch queued ({result.id}).")
            if once:
                return
            time.sleep(seconds)
