"""Wiring done once at start (called from ReportsConfig.ready): the PDF system checks.

The archive's SQLite triggers are laid with the event log's, in reports/signals.py.
"""


def ready(app_config) -> None:
    from reports.pdf import checks  # noqa: F401  (registers the PDF system checks)
