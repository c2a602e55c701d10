"""Background work (django-tasks): the immediate backend by default, the database backend with a worker."""

from django_tasks import task


@task()
def render_report_task(render_id: int) -> str:
    """Render one queued ReportRender; returns its final status."""
    # reports.pdf.services imports this module to enqueue: a module-level import would be a cycle
    from reports.pdf.services import render_run

    return render_run(render_id).status
