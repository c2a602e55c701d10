"""What changed between two snapshots of a report, in words a person reads.

Snapshots are perfeval.report/1 documents (`report_to_document`). `flatten` turns one
into {path: Entry(label, value)}; `diff` compares two and lists every changed figure
or text. Rows are keyed by their names (tasks by name, indicators by level 1/2/3), so
inserting or reordering a row reports that row alone, not every row after it.
The report form writes one ReportEvent per Change; the review work reuses the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

# Labels are stored with the events, so they are plain Chinese data, not UI strings.
HEADER_LABELS = {
    "contact": "填表人及联系方式",
    "preamble": "报告引言",
    "goal": "年度总体目标",
    "goal_completion": "年度总体目标完成情况",
}
NARRATIVE_LABELS = {
    "1": "一、部门单位基本情况",
    "2": "二、绩效自评工作开展情况",
    "3": "三、综合评价结论",
    "4": "四、绩效目标实现情况分析",
    "5": "五、发现的主要问题和改进措施",
    "6": "六、绩效自评结果拟应用和公开情况",
    "7": "七、绩效自评工作的经验、问题和建议",
    "8": "八、其他需要说明的问题",
}
BUDGET_ROW_LABELS = {
    "total": "部门预算总额",
    "fiscal": "财政性资金",
    "other": "其他资金",
    "basic": "基本支出",
    "project": "项目支出",
}
BUDGET_FIELD_LABELS = {"initial": "年初预算数", "annual": "全年预算数", "executed": "预算执行数"}
TASK_FIELD_LABELS = {
    "content": "主要内容",
    "budget": "预算资金",
    "budget_fiscal": "其中:财政资金",
    "completion": "任务完成情况",
    "executed": "预算执行数",
    "executed_fiscal": "其中:财政资金（执行）",
    "rate_text": "原表执行率",
}
INDICATOR_FIELD_LABELS = {
    "kind": "性质",
    "sign": "符号",
    "target": "指标值（数）",
    "target_text": "指标值",
    "unit": "度量单位",
    "actual": "实际完成值（数）",
    "actual_text": "实际完成值",
    "tier": "完成档次",
    "weight": "分值",
    "self_score": "得分",
    "reason": "未完成原因分析",
    "not_applicable": "不适用",
}
VALUE_WORDS = {
    "kind": {"quantitative": "定量", "qualitative": "定性"},
    "sign": {">=": "≥", "<=": "≤", "=": "="},
    "tier": {
        "met": "达成年度指标",
        "partial": "部分达成年度指标并具有一定效果",
        "unmet": "未达成年度指标且效果较差",
    },
}


class Entry(NamedTuple):
    label: str
    value: str


@dataclass(frozen=True)
class Change:
    path: str  # e.g. "indicators[产出指标/履职目标和主要任务完成情况/服务社区数量].actual_text"
    label: str  # e.g. "服务社区数量 · 实际完成值"
    old: str
    new: str


def _text(value, field: str = "") -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    words = VALUE_WORDS.get(field)
    if words and value in words:
        return words[value]
    return str(value)


def _unique(key: str, seen: dict[str, int]) -> str:
    """Row keys stay unique when two rows share a name: the second is key#2."""
    n = seen.get(key, 0) + 1
    seen[key] = n
    return key if n == 1 else f"{key}#{n}"


def flatten(doc: dict) -> dict[str, Entry]:
    """Every figure and text of a document that a person edits, by path, in document order."""
    out: dict[str, Entry] = {}
    header = doc.get("header") or {}
    for key, label in HEADER_LABELS.items():
        out[f"header.{key}"] = Entry(label, _text(header.get(key)))
    out["weight_note"] = Entry("指标权重调整说明", _text(doc.get("weight_note")))
    budget = doc.get("budget") or {}
    for row in budget.get("rows") or ():
        row_label = BUDGET_ROW_LABELS.get(row.get("row"), row.get("row", ""))
        for key, label in BUDGET_FIELD_LABELS.items():
            out[f"budget.{row.get('row')}.{key}"] = Entry(f"{row_label} · {label}", _text(row.get(key)))
    out["budget.self_score"] = Entry("预算执行率 · 自评得分", _text(budget.get("self_score")))

    seen: dict[str, int] = {}
    names = []
    for task in doc.get("tasks") or ():
        key = _unique(task.get("name", ""), seen)
        names.append(key)
        out[f"tasks[{key}]"] = Entry("年度主要任务", task.get("name", ""))
        for field, label in TASK_FIELD_LABELS.items():
            if field in task:
                out[f"tasks[{key}].{field}"] = Entry(f"{task.get('name', '')} · {label}", _text(task[field]))
    out["tasks.order"] = Entry("年度主要任务 · 顺序", "、".join(names))

    seen = {}
    groups: dict[str, list[str]] = {}
    for row in doc.get("indicators") or ():
        group = f"{row.get('level1', '')}/{row.get('level2', '')}"
        key = _unique(f"{group}/{row.get('level3', '')}", seen)
        groups.setdefault(group, []).append(row.get("level3", ""))
        name = row.get("level3", "")
        # The nearest named level (a flat list, a 2-level tree have fewer).
        parent = row.get("level2") or row.get("level1") or ""
        out[f"indicators[{key}]"] = Entry(f"三级指标（{parent}）" if parent else "三级指标", name)
        for field, label in INDICATOR_FIELD_LABELS.items():
            value = (row.get("applicable") is False or None) if field == "not_applicable" else row.get(field)
            out[f"indicators[{key}].{field}"] = Entry(f"{name} · {label}", _text(value, field))
    for group, members in groups.items():
        parent = next((name for name in reversed(group.split("/")) if name), "")
        label = f"{parent} · 三级指标顺序" if parent else "三级指标顺序"
        out[f"indicators[{group}].order"] = Entry(label, "、".join(members))

    narrative = doc.get("narrative") or {}
    for key, label in NARRATIVE_LABELS.items():
        out[f"narrative.{key}"] = Entry(label, _text(narrative.get(key)))
    return out


def diff(before: dict[str, Entry], after: dict[str, Entry]) -> list[Change]:
    """Changes from `before` to `after` (flattened); a path missing on one side is blank there."""
    changes = []
    for path, entry in after.items():
        old = before.get(path)
        old_value = old.value if old else ""
        if old_value != entry.value:
            changes.append(Change(path, entry.label, old_value, entry.value))
    for path, entry in before.items():
        if path not in after and entry.value != "":
            changes.append(Change(path, entry.label, entry.value, ""))
    return changes


def diff_documents(before: dict, after: dict) -> list[Change]:
    return diff(flatten(before), flatten(after))


# A figure the form reads from a text: shown to people only when the text did not change with it.
DERIVED = {"actual": "actual_text", "target": "target_text"}


def without_derived(changes: Iterable[Change]) -> list[Change]:
    """Changes as a person reads them: "实际完成值 41个 → 30" without "实际完成值（数） 41 → 30" too."""
    changes = list(changes)
    paths = {c.path for c in changes}
    out = []
    for c in changes:
        head, _dot, name = c.path.rpartition(".")
        sibling = DERIVED.get(name)
        if sibling and f"{head}.{sibling}" in paths:
            continue
        out.append(c)
    return out


def summary(changes: Iterable[Change], limit: int = 3) -> str:
    """A one-line digest: "服务社区数量 · 实际完成值 等 4 项"."""
    changes = without_derived(changes)
    if not changes:
        return ""
    head = "、".join(c.label for c in changes[:limit])
    return head if len(changes) <= limit else f"{head} 等 {len(changes)} 项"
