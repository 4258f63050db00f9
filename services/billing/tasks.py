"""Bill generation in the background: a run requested in the admin is queued and done
by a task worker (100,000 houses take seconds, longer than a request should)."""

from django_tasks import task


@task()
def run_bill_run(run_id):
    """Do a queued run once: a run already started or done is left alone, so a task
    delivered twice generates once (and generation itself creates nothing twice)."""
    from .generation import generate
    from .models import BillRun

    claimed = BillRun.objects.filter(pk=run_id, status=BillRun.Status.QUEUED).update(
        status=BillRun.Status.RUNNING)
    if not claimed:
        return None
    run = BillRun.objects.select_related("community", "requested_by").get(pk=run_id)
    run = generate(run.community, run.period, by=run.requested_by, run=run)
    return {"bills": run.bills_created, "lines": run.lines_created}
