from portal.watch import WatchCommand
from services.billing.reminder_tasks import charge_late_fees, send_bill_reminders


class Command(WatchCommand):
    help = ("Queue the bill reminders (due soon, just overdue) and the late fees of "
            "overdue bills every --seconds, for the task workers to run. Each bill's "
            "reminder of a kind is sent once and a late fee is charged once a day, however "
            "often this runs and however many watches run.")
    label = "Billing watch"
    watching = "bill reminders and late fees"
    default_seconds = 3600

    def tasks(self):
        return [send_bill_reminders, charge_late_fees]
