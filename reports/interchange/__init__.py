"""The report interchange format perfeval.report/1 (see README and schema.json)."""
