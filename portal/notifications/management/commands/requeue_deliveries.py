from django.core.management.base import BaseCommand

from portal.notifications.tasks import requeue_stale


class Command(BaseCommand):
    help = ("Queue again the deliveries whose sending task was lost (a worker killed "
            "mid-batch). Safe to run at any time, e.g. from cron every few minutes.")

    def add_arguments(self, parser):
        parser.add_argument("--minutes", type=int, default=30,
                            help="how long a delivery waits before it counts as lost")

    def handle(self, *args, minutes, **options):
        count = requeue_stale.call(minutes)
        self.stdout.write(f"{count} deliveries queued again")
