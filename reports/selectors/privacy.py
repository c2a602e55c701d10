"""What the public may not read: the filer's phone numbers in 填表人及联系方式.

Plain text in, plain text out (no Django): the public page, the public JSON and the
archive PDF (public once the report is published) all show the contact through here.
"""

from __future__ import annotations

import re

# A label that only introduces the number goes with it: "电话：0371-1234567" leaves nothing behind.
_LABEL = r"(?:(?:联系)?(?:电话|手机|座机|固话|tel|phone|mobile)\s*[:：]?\s*)?"
_NUMBER = (
    r"(?:"
    r"(?:\+?86[-\s]?)?1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}"  # mobile, 138 0013 8000 too
    r"|[48]00[-\s]?\d{3}[-\s]?\d{4}"  # 400 / 800 service numbers
    r"|(?:[(（]?0\d{2,3}[)）]?[-\s]?)?[2-9]\d{6,7}(?:\s*(?:-|转|ext\.?)\s*\d{1,6})?"  # landline, with extension
    r")"
)
PHONE = re.compile(rf"{_LABEL}(?<![\d\w]){_NUMBER}(?!\d)", re.IGNORECASE)
_EMPTY_BRACKETS = re.compile(r"[(（]\s*[)）]")
_SEPARATORS = " \t,，;；、/|:：-"


def contact_public(text: str) -> str:
    """The contact without phone numbers: usually the filer's name or office only."""
    stripped = PHONE.sub(" ", text or "")
    stripped = _EMPTY_BRACKETS.sub(" ", stripped)
    return re.sub(r"\s+", " ", stripped).strip(_SEPARATORS)
