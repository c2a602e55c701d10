"""The department's report page: the form, its live score and its save."""
