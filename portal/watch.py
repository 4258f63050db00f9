"""The watches `make run` starts: management commands that queue periodic background
tasks every --seconds for the task workers to run. A loop rather than cron, so that one
command runs the whole app on any machine.

A task is queued again only once its last run has finished: with the workers busy or
stopped, one waiting run of each task is enough (rather than one more every interval).
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django_tasks.base import TaskResultStatus

WAITING = (TaskResultStatus.READY, TaskResultStatus.RUNNING)


class WatchCommand(BaseCommand):
    """Subclasses name their ``tasks()``, a ``label`` and a ``default_seconds``."""

    label = "Watch"
    watching = ""  # what is checked, for the start-up line
    default_seconds = 60

    def tasks(self):
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=int, default=self.default_seconds,
                            help="Between two runs (default %(default)s).")
        parser.add_argument("--once", action="store_true", help="Queue one run and stop.")

    def handle(self, seconds, once, verbosity, **options):
        if seconds < 1:
            raise CommandError("--seconds must be at least 1.")
        self.stdout.write(f"{self.label}: {self.watching} checked every {seconds} s.")
        tasks = self.tasks()
        queued = [None] * len(tasks)
        while True:
            for index, task in enumerate(tasks):
                if not still_waiting(queued[index]):
                    queued[index] = task.enqueue()
                    if verbosity > 1:
                        self.stdout.write(f"{self.label} queued ({queued[index].id}).")
            if once:
                return
            time.sleep(seconds)


def still_waiting(result):
    """The last run is still queued or running."""
    if result is None or result.status not in WAITING:
        return False
    result.refresh()
    return result.status in WAITING
