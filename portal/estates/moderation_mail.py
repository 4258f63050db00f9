"""Who Wagtail emails when a change waits for review. Its notifier writes to every member
of the approval task's groups, whatever community they serve: another community's
managers heard of a merchant's new prices and of notices they may not open. Here the
email goes only to those the task itself offers an action (our approval tasks scope
get_actions to the communities the approver serves)."""

from wagtail.admin import signal_handlers
from wagtail.admin.mail import GroupApprovalTaskStateSubmissionEmailNotifier
from wagtail.models import TaskState
from wagtail.signals import task_submitted

DISPATCH_UID = "group_approval_task_submitted_email_notification"


class ScopedSubmissionNotifier(GroupApprovalTaskStateSubmissionEmailNotifier):
    def get_recipient_users(self, task_state, **kwargs):
        recipients = super().get_recipient_users(task_state, **kwargs)
        task, obj = task_state.task.specific, task_state.workflow_state.content_object
        return [user for user in recipients if task.get_actions(obj, user)]


# Module-level: signals keep only a weak reference to their receivers.
scoped_submission_notifier = ScopedSubmissionNotifier()


def replace_wagtail_notifier():
    """Wagtail connects its notifier under DISPATCH_UID in its ready(), which runs after
    ours: connect Wagtail's now and put ours in its place, and the later connect finds
    the uid taken."""
    signal_handlers.register_signal_handlers()
    task_submitted.disconnect(sender=TaskState, dispatch_uid=DISPATCH_UID)
    task_submitted.connect(scoped_submission_notifier, sender=TaskState,
                           dispatch_uid=DISPATCH_UID)
