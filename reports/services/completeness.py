"""What a report must have before 送审, beyond what the engine checks.

The engine scores what is there and reports blank budget totals and quantitative actuals
itself; it cannot know that the narrative, the contact or a qualitative tier are required
(a shape without a narrative is still a table it can score). These are findings of their
own, with the engine's `where` so that the page places them at their field and the submit
page links to them, but they are not scores and are not stored with the report's findings:
they are computed from the loaded report whenever they are shown or checked.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from indicators import engine
from reports.models import NARRATIVE_SECTIONS, Report

ERROR = "error"
# header field -> its code
HEADER_REQUIRED = {
    "contact": "required.contact",
    "goal": "required.goal",
    "goal_completion": "required.goal_completion",
}


def _finding(code: str, where: str, message: str) -> engine.Finding:
    return engine.Finding(code=code, severity=ERROR, where=where, message=message)


def submit_missing(report: Report) -> list[engine.Finding]:
    """Each required part the report (loaded by report_queryset, or as typed) leaves blank, once."""
    labels = {
        "contact": _("请填写填表人及联系方式。"),
        "goal": _("请填写年度总体目标。"),
        "goal_completion": _("请填写年度总体目标完成情况。"),
    }
    found = [
        _finding(code, f"header.{name}", labels[name])
        for name, code in HEADER_REQUIRED.items()
        if not (getattr(report, name) or "").strip()
    ]
    for key, title in NARRATIVE_SECTIONS:
        if not (getattr(report, f"narrative_{key}") or "").strip():
            found.append(
                _finding("required.narrative", f"narrative.{key}", _("请填写“%(title)s”。") % {"title": title})
            )
    for k, row in enumerate(report.indicators.all()):
        # A quantitative row's blank actual is the engine's actual.missing already.
        if row.applicable and row.kind == "qualitative" and not row.tier:
            found.append(
                _finding("required.tier", f"indicators[{k}]", _("%(name)s：请选择完成档次。") % {"name": row.level3})
            )
    return found
