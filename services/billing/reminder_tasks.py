"""The billing watch's work, done by a task worker: the day's bill reminders and late
fees."""

from django_tasks import task


@task()
def send_bill_reminders():
    """Remind the owners of bills due soon or just overdue; a reminder already sent (by
    an earlier run, or another at the same moment) is not sent again."""
    from .reminders import send_reminders

    return {"reminded": send_reminders()}


@task()
def charge_late_fees():
    """Bring the late fees of overdue bills up to date (communities with an active late
    fee rule); running it again the same day changes nothing."""
    from .late_fees import charge_late_fees as charge

    return {"bills": charge()}
