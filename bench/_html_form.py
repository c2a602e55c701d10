"""The report page's form read from its HTML, as the browser's `new FormData(form)` sends it.

Benchmarks build their posts from the served page, not from the app's internal functions, so the
same bench works on any revision whose page keeps the form's field names.
"""

from __future__ import annotations

from html.parser import HTMLParser

SKIPPED_TYPES = {"submit", "button", "image", "reset", "file"}


class _FormParser(HTMLParser):
    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.in_form = False
        self.form_attrs: dict[str, str] = {}
        self.fields: list[tuple[str, str]] = []
        self.l3_names: dict[str, str] = {}  # input name prefix ("ind-21") -> level-3 name shown
        self._select: dict | None = None
        self._option: dict | None = None
        self._textarea: dict | None = None
        self._l3_span: str | None = None

    def _ours(self, attrs: dict) -> bool:
        return (self.in_form and "form" not in attrs) or attrs.get("form") == self.form_id

    def handle_starttag(self, tag: str, attrs_list) -> None:
        attrs = {k: (v if v is not None else "") for k, v in attrs_list}
        if tag == "form" and attrs.get("id") == self.form_id:
            self.in_form = True
            self.form_attrs = attrs
            return
        if tag == "span" and "l3" in attrs.get("class", "").split() and attrs.get("data-name", "").endswith("-level3"):
            self._l3_span = attrs["data-name"].rsplit("-", 1)[0]
            self.l3_names[self._l3_span] = ""
        if not self._ours(attrs) and not (tag == "option" and self._select):
            return
        disabled = "disabled" in attrs
        name = attrs.get("name")
        if tag == "input" and name and not disabled:
            kind = attrs.get("type", "text").lower()
            if kind in SKIPPED_TYPES or (kind in ("checkbox", "radio") and "checked" not in attrs):
                return
            value = attrs.get("value", "on" if kind in ("checkbox", "radio") else "")
            self.fields.append((name, value))
            if name.endswith("-level3"):
                self.l3_names[name.rsplit("-", 1)[0]] = value
        elif tag == "textarea" and name and not disabled:
            self._textarea = {"name": name, "text": []}
        elif tag == "select":
            self._select = {"name": name, "disabled": disabled, "multiple": "multiple" in attrs, "options": []}
        elif tag == "option" and self._select is not None:
            self._option = {"value": attrs.get("value"), "selected": "selected" in attrs, "text": []}
            self._select["options"].append(self._option)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.in_form:
            self.in_form = False
        elif tag == "span":
            self._l3_span = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._textarea["text"])
            # HTML drops one newline right after <textarea>.
            if text.startswith("\r\n"):
                text = text[2:]
            elif text.startswith("\n"):
                text = text[1:]
            self.fields.append((self._textarea["name"], text))
            self._textarea = None
        elif tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None:
            select, self._select = self._select, None
            if not select["name"] or select["disabled"] or not select["options"]:
                return
            chosen = [o for o in select["options"] if o["selected"]]
            if not chosen and not select["multiple"]:
                chosen = select["options"][:1]
            for option in chosen if select["multiple"] else chosen[-1:]:
                value = option["value"] if option["value"] is not None else "".join(option["text"]).strip()
                self.fields.append((select["name"], value))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea["text"].append(data)
        elif self._option is not None:
            self._option["text"].append(data)
        elif self._l3_span:
            self.l3_names[self._l3_span] += data


class PageForm:
    """Fields of the form `form_id` in page order, its data-* URLs, and level-3 names by row prefix."""

    def __init__(self, html: str, form_id: str = "report-form") -> None:
        parser = _FormParser(form_id)
        parser.feed(html)
        parser.close()
        if not parser.form_attrs:
            raise ValueError(f"no <form id={form_id}> on the page")
        self.attrs = parser.form_attrs
        self.fields = parser.fields
        self.l3_names = {k: v.strip() for k, v in parser.l3_names.items()}

    def data(self) -> dict[str, str]:
        """The fields as a dict (the report form has no repeated names)."""
        return dict(self.fields)

    def row_prefix(self, level3: str) -> str:
        """The input name prefix (e.g. "ind-21") of the first row named `level3`."""
        for prefix, name in self.l3_names.items():
            if name == level3:
                return prefix
        raise KeyError(level3)
