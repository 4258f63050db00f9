"""What the workbench writes to the admin's history."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from .workbench_calls import CALL_ACTION


@hooks.register("register_log_actions")
def register_workbench_log_actions(actions):
    actions.register_action(CALL_ACTION, _("Call the owner"),
                            _("The worker called the owner"))
