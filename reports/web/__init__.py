"""The pages, one package per audience: the department's report form, the bureau's review, the public, the dashboard."""
