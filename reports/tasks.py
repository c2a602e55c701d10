"""Background work of the reports app (django-tasks); the PDF renders are in reports/pdf/tasks.py."""

from django_tasks import task


@task()
def rescore_job_task(job_id: int) -> str:
    """Run one queued RescoreJob; returns its final state."""
    # reports.services.scoring imports this module to enqueue: a module-level import would be a cycle
    from reports.services.scoring import rescore_job_run

    job = rescore_job_run(job_id)
    return job.state if job is not None else ""
