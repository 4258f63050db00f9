"""The visitors watch's work, done by a task worker."""

from django_tasks import task


@task()
def remove_visitor_personal_data():
    """Remove the personal data of visitors past their community's retention period;
    safe to run again at any time."""
    from .retention import remove_expired_personal_data

    return {"cleared": remove_expired_personal_data()}
