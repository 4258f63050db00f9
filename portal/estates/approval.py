"""Our approval tasks act only on what the approver may review.

Wagtail's workflow action views (pages and snippets alike) take the task state by its id
from the URL and check the user's actions on the object named in the same URL, not on the
object that task state reviews: a manager with a page of their own in review could approve
another community's notice, or another merchant's new price, by putting its task state's
id in their own page's address. The action is checked here, against the object under
review, with the task's own (community-scoped) get_actions."""

from django.core.exceptions import PermissionDenied


class ActsOnlyWhereAllowed:
    def on_action(self, task_state, user, action_name, **kwargs):
        reviewed = task_state.workflow_state.content_object
        if action_name not in {action[0] for action in self.get_actions(reviewed, user)}:
            raise PermissionDenied
        return super().on_action(task_state, user, action_name, **kwargs)
