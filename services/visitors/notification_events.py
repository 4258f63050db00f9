"""What occupants are told about their visitors (see portal.notifications.events)."""

from django.utils.translation import gettext_lazy as _

from portal.notifications.events import Event, register

VISITOR = ("house", "visitor", "people", "time")

register(Event(key="visitors.arrived", label=_("Visitor arrived"),
               title=_("Your visitor has arrived"),
               body=_("{visitor} ({people} people) came in at the gate for {house} at {time}."),
               template_fields={"thing1": "{house}", "name2": "{visitor}",
                                "time3": "{time}"},
               placeholders=VISITOR))
register(Event(key="visitors.walk_in.awaiting", label=_("Visitor waiting at the gate"),
               title=_("A visitor is waiting at the gate"),
               body=_("{visitor} ({people} people) asks to visit {house}. Open the message "
                      "to let them in or decline."),
               template_fields={"thing1": "{house}", "name2": "{visitor}",
                                "time3": "{time}"},
               placeholders=VISITOR))
