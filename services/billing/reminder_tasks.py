"""The billing watch's work, done by a task worker: the day's bill reminders."""

from django_tasks import task


@task()
def send_bill_reminders():
    """Remind the owners of bills due soon or just overdue; a reminder already sent (by
    an earlier run, or another at the same moment) is not sent again."""
    from .reminders import send_reminders

    return {"reminded": send_reminders()}
