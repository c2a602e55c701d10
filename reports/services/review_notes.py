"""The bureau's review of a row, as the department's report page shows it beside the row.

A tiny helper without imports of the page's modules, so reports.web.report.rows can call it.
"""

from __future__ import annotations

import html

from django.utils.translation import gettext as _

from reports.interchange.document import num


def review_note_html(indicator) -> str:
    """A reviewer's score and comment on one indicator row ("" when there is none)."""
    if indicator is None or (not indicator.review_comment and indicator.reviewer_score is None):
        return ""
    # The id is what the return banner's list of comments links to.
    parts = [
        f'<div class="review-note" id="review-note-{indicator.pk}" role="note">'
        f'<span class="review-note-label">{html.escape(_("审核意见"))}</span>'
    ]
    if indicator.reviewer_score is not None:
        score = html.escape(f"{_('审核得分')} {num(indicator.reviewer_score)}")
        parts.append(f' <span class="review-note-score">{score}</span>')
    if indicator.review_comment:
        text = html.escape(indicator.review_comment).replace("\n", "<br>")
        parts.append(f'<div class="review-note-text">{text}</div>')
    parts.append("</div>")
    return "".join(parts)
