from portal.watch import WatchCommand
from services.tickets.tasks import escalate_overdue


class Command(WatchCommand):
    help = ("Queue the SLA watch (escalate_overdue) every --seconds, for the task workers "
            "to run: the scheduler `make run` starts. With cron, run `escalate_tickets` "
            "instead. Running two watches is harmless: each ticket is escalated once.")
    label = "SLA watch"
    watching = "overdue tickets"

    def tasks(self):
        return [escalate_overdue]
