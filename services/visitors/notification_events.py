"""What occupants are told about their visitors, and guards about the walk-ins they
registered (see portal.notifications.events)."""

from django.utils.translation import gettext_lazy as _

from portal.notifications.events import Event, register

VISITOR = ("house", "visitor", "people", "time")
TEMPLATE_FIELDS = {"thing1": "{house}", "name2": "{visitor}", "time3": "{time}"}


def _visitor_event(key, label, title, body):
    return register(Event(key=key, label=label, title=title, body=body,
                          template_fields=TEMPLATE_FIELDS, placeholders=VISITOR))


_visitor_event("visitors.arrived", _("Visitor arrived"), _("Your visitor has arrived"),
               _("{visitor} ({people} people) came in at the gate for {house} at {time}."))
_visitor_event("visitors.walk_in.awaiting", _("Visitor waiting at the gate"),
               _("A visitor is waiting at the gate"),
               _("{visitor} ({people} people) asks to visit {house}. Open the message "
                 "to let them in or decline."))
# The guard who registered a walk-in, when the owner answers.
_visitor_event("visitors.walk_in.confirmed", _("Walk-in confirmed by the owner"),
               _("The owner lets the visitor in"),
               _("{visitor} ({people} people) for {house} is confirmed by the owner. "
                 "Record the entry on the gate's page."))
_visitor_event("visitors.walk_in.declined", _("Walk-in declined by the owner"),
               _("The owner declined the visitor"),
               _("{visitor} ({people} people) for {house} is declined by the owner. "
                 "Do not let them in."))
