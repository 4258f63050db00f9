from django.core.management.base import BaseCommand

from services.tickets.tasks import escalate_overdue


class Command(BaseCommand):
    help = ("Tell the community managers about overdue tickets (past their response or "
            "completion deadline) once per deadline. For cron, e.g. every five minutes; "
            "`manage.py ticket_watch` does the same in a loop.")

    def handle(self, **options):
        escalated = escalate_overdue.call()
        self.stdout.write(f"{escalated} overdue ticket(s) escalated.")
