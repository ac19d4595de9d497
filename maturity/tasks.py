"""Celery tasks of the maturity app: thin wrappers around services."""

from celery import shared_task


@shared_task(name="maturity.rejudge_archive", acks_late=True, reject_on_worker_lost=True)
def rejudge_archive(run_id):
    """Re-judge the archive for one JudgementRun, chunk by chunk (resumes after a lost worker)."""
    from .judgements import run_execute

    run = run_execute(run_id)
    return {"run": run.pk, "status": run.status, "done": run.done, "total": run.total}
