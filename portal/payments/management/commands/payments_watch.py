from portal.payments.tasks import watch_payments
from portal.watch import WatchCommand


class Command(WatchCommand):
    help = ("Queue the payment watch (late notifications looked up at WeChat Pay, expired "
            "orders closed, late refunds looked up) every --seconds, for the task workers "
            "to run. Running two watches is harmless: each order is settled or closed once.")
    label = "Payment watch"
    watching = "pending orders"

    def tasks(self):
        return [watch_payments]
