"""Spreadsheets in and out, for every app: the safety checks on uploads and cells, the formats,
widgets and resources of django-import-export, and the admin's import with a dry run."""
