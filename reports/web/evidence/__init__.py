"""Evidence files of a report: the panel to list and upload them, download, delete."""
