"""The target declaration (绩效目标申报) and adjustment (目标调整) pages, for the department and the bureau."""
