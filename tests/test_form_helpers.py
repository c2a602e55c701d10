"""Helpers for tests of the report form: log in a persona and post the page's form back."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.urls import reverse

from reports.models import NARRATIVE_FIELDS, Report, ReportIndicator


def login(client, user) -> None:
    client.force_login(user)


def form_data(client, report) -> dict:
    """The report page's form as the browser would post it, unchanged."""
    response = client.get(reverse("report", args=[report.pk]))
    assert response.status_code == 200, response.status_code
    data = FormData(response.context["form"].raw)
    data.level3 = [data.get(f"ind-{i}-level3", "") for i in range(int(data["ind-TOTAL_FORMS"]))]
    # A template row's definition cells are text on the page, not inputs: the browser does not send them.
    for i in range(int(data["ind-TOTAL_FORMS"])):
        if not data.get(f"ind-{i}-custom"):
            for name in TEMPLATE_ROW_TEXT:
                data.pop(f"ind-{i}-{name}", None)
    return data


TEMPLATE_ROW_TEXT = ("custom", "level1", "level2", "level3", "kind", "sign", "target_text", "unit")


class FormData(dict):
    """The posted fields, plus the rows' names as the page shows them (`level3`, by row)."""

    level3: list[str]

    def copy(self) -> FormData:
        other = FormData(self)
        other.level3 = list(self.level3)
        return other


def row_index(data: dict, level3: str) -> int:
    names = getattr(data, "level3", None) or [
        data.get(f"ind-{i}-level3", "") for i in range(int(data["ind-TOTAL_FORMS"]))
    ]
    return names.index(level3)


def set_row(data: dict, level3: str, **values) -> int:
    i = row_index(data, level3)
    for name, value in values.items():
        data[f"ind-{i}-{name}"] = value
    return i


def post_form(client, url: str, data: dict, *, as_json: bool = True, **extra):
    """POST as the page's script does (a JSON object of the fields, asking for JSON), or with
    as_json=False as the browser posts the form without the script (URL-encoded, for a page)."""
    if not as_json:
        return client.post(url, urlencode(data), content_type="application/x-www-form-urlencoded", **extra)
    extra.setdefault("HTTP_ACCEPT", "application/json")
    return client.post(url, json.dumps(data), content_type="application/json", **extra)


def _rows(data: dict, prefix: str) -> list[dict]:
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    rows = []
    for i in range(total):
        head = f"{prefix}-{i}-"
        rows.append({k[len(head) :]: data.pop(k) for k in [k for k in data if k.startswith(head)]})
    return rows


def _put_rows(data: dict, prefix: str, rows: list[dict]) -> None:
    for i, row in enumerate(rows):
        for k, v in row.items():
            data[f"{prefix}-{i}-{k}"] = v
    data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))


def edit_rows(data: dict, prefix: str, edit) -> None:
    """Reorder, insert or remove rows as the page's script does: `edit(rows, names)` works on lists."""
    rows = _rows(data, prefix)
    names = list(getattr(data, "level3", [])) if prefix == "ind" else [r.get("name", "") for r in rows]
    edit(rows, names)
    _put_rows(data, prefix, rows)
    if prefix == "ind" and isinstance(data, FormData):
        data.level3 = names


def fill_required(report) -> None:
    """What 送审 needs beyond the engine (reports.services.completeness), written as test setup:
    a contact, the goals and the narrative where blank, a tier on each qualitative row without one."""
    report = Report.objects.get(pk=report.pk)
    blank = {
        name: "测试填写"
        for name in ("contact", "goal", "goal_completion", *NARRATIVE_FIELDS)
        if not getattr(report, name).strip()
    }
    if blank:
        Report.objects.filter(pk=report.pk).update(**blank)
    ReportIndicator.objects.filter(report=report, kind="qualitative", applicable=True, tier="").update(tier="met")
