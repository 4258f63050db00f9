"""What owners, workers and managers are told about tickets (see
portal.notifications.events). Every event has the ticket's reference, category and
location."""

from django.utils.translation import gettext_lazy as _

from portal.notifications.events import Event, register

TICKET = ("reference", "category", "location")
PROGRESS_FIELDS = {"character_string1": "{reference}", "thing2": "{category}",
                   "thing3": "{title}", "time4": "{when}"}


def _ticket_event(key, label, title, body, extra=(), sms=False):
    return register(Event(key=f"services.ticket.{key}", label=label, title=title, body=body,
                          template_fields=PROGRESS_FIELDS, placeholders=(*TICKET, *extra),
                          sms=sms))


_ticket_event("accepted", _("Ticket accepted"), _("We have your ticket {reference}"),
              _("{handler} of customer service is looking after your {category} ticket."),
              extra=("handler",))
_ticket_event("dispatched", _("Worker on the job"), _("A worker is assigned to {reference}"),
              _("{worker} ({phone}) will come to {location}. Expected: {arrival}"),
              extra=("worker", "phone", "arrival"), sms=True)
_ticket_event("on_the_way", _("Worker on the way"), _("{worker} is on the way"),
              _("Your {category} repair at {location}. Expected: {arrival}"),
              extra=("worker", "arrival"))
_ticket_event("completed", _("Ticket completed"), _("{reference} is done"),
              _("Please confirm the repair and rate the service."))
_ticket_event("replied", _("Reply to your ticket"), _("We replied to {reference}"),
              _("{reply}"), extra=("reply",))
_ticket_event("merged", _("Ticket merged"), _("{reference} is handled with {other}"),
              _("The same problem was reported before; follow ticket {other}."),
              extra=("other",))
_ticket_event("message", _("New message on a ticket"), _("New message on {reference}"),
              _("{category} at {location}"))
_ticket_event("assigned", _("New work order"), _("New work order {reference}"),
              _("{category} at {location}"), sms=True)
_ticket_event("reopened", _("Ticket reopened"), _("{reference} was reopened"),
              _("The owner says the {category} problem at {location} is not solved."))
_ticket_event("overdue", _("Ticket overdue"), _("{reference} is overdue"),
              _("{category} at {location} has passed its deadline."), sms=True)
