"""What owners are told about their bills (see portal.notifications.events): a bill
due soon, a bill overdue, and finance's dunning notice (催缴通知)."""

from django.utils.translation import gettext_lazy as _

from portal.notifications.events import Event, register

BILL = ("house", "period", "amount", "due_date")
BILL_FIELDS = {"thing1": "{house}", "character_string2": "{period}",
               "amount3": "{amount}", "time4": "{due_date}"}

register(Event(key="billing.bill.due_soon", label=_("Bill due soon"),
               title=_("Your bill for {period} is due on {due_date}"),
               body=_("{house}: {amount} yuan to pay by {due_date}."),
               template_fields=BILL_FIELDS, placeholders=BILL))
register(Event(key="billing.bill.overdue", label=_("Bill overdue"),
               title=_("Your bill for {period} is overdue"),
               body=_("{house}: {amount} yuan was due on {due_date}. Please pay it soon."),
               template_fields=BILL_FIELDS, placeholders=BILL, sms=True))
register(Event(key="billing.dunning", label=_("Dunning notice"),
               title=_("Payment reminder for {house}"),
               body=_("{house} owes {amount} yuan for {bills} bills, the oldest due on "
                      "{due_date}. Please pay at the service centre or online."),
               template_fields={"thing1": "{house}", "amount2": "{amount}",
                                "time3": "{due_date}"},
               placeholders=("house", "amount", "bills", "due_date"), sms=True))
