"""Admin menus and viewsets of the estate directory."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from . import import_admin  # noqa: F401  (the spreadsheet import's admin views and menu item)


@hooks.register("register_log_actions")
def register_estate_log_actions(actions):
    # Every audit action the estate models write must be registered, or log() refuses it.
    actions.register_action("estates.resident.disable", _("Disable account"),
                            _("Account disabled"))
    actions.register_action("estates.resident.enable", _("Enable account"),
                            _("Account enabled"))
    actions.register_action("estates.occupancy.request", _("Request house binding"),
                            _("House binding requested"))
    actions.register_action("estates.occupancy.verify", _("Verify house binding"),
                            _("House binding verified"))
    actions.register_action("estates.occupancy.reject", _("Reject house binding"),
                            _("House binding rejected"))
    actions.register_action("estates.occupancy.end", _("End house binding"),
                            _("House binding ended"))
