"""Writes of mid-year monitoring: a department's figures to date at an open monitoring point."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from reports.models import MonitoringEntry, MonitoringPoint, MonitoringRow, Report, ReportIndicator

ROW_FIELDS = ("actual_text", "actual", "at_risk", "note")


class MonitoringConflict(ValidationError):
    """Someone saved the entry after the version the page showed."""


@dataclass(frozen=True)
class RowInput:
    actual_text: str = ""
    actual: Decimal | None = None  # the number read from actual_text
    at_risk: bool = False
    note: str = ""


def monitoring_entry_save(
    *,
    point: MonitoringPoint,
    report: Report,
    actor,
    budget_executed: Decimal | None,
    rows: dict[int, RowInput],
    version: int | None = None,
) -> MonitoringEntry:
    """Store the report's figures at the point, all or nothing: the entry and each row given
    (keyed by indicator id; rows not given are left as they were).

    version: the entry's version the page showed (0 before the first save); when someone saved
    since, nothing is written (MonitoringConflict). None: no check (the demo, scripts).
    """
    if not rules.has_perm("reports.edit_report_object", actor, report):
        raise PermissionDenied(_("只有本部门填报人可以填报运行监控。"))
    if report.round_id != point.round_id:
        raise ValidationError(_("该报告不属于此监控点的评价任务。"))
    with transaction.atomic():
        # The point locked: closing it and saving into it do not interleave.
        point = MonitoringPoint.objects.select_for_update().get(pk=point.pk)
        if not point.is_open:
            raise ValidationError(_("该监控点已结束填报，不能修改。"))
        indicator_ids = set(ReportIndicator.objects.filter(report=report).values_list("pk", flat=True))
        unknown = set(rows) - indicator_ids
        if unknown:
            raise ValidationError(_("指标不属于该报告。"))
        entry, _created = MonitoringEntry.objects.get_or_create(point=point, report=report)
        if version is not None and entry.version != version:
            raise MonitoringConflict(
                _("运行监控数据已被他人修改（您编辑的是第 %(mine)s 版，当前为第 %(current)s 版），请刷新后再填写。")
                % {"mine": version, "current": entry.version}
            )
        entry.budget_executed = budget_executed
        entry.updated_by = actor
        entry.version += 1
        entry.save(update_fields=["budget_executed", "updated_by", "updated_at", "version"])
        existing = {r.indicator_id: r for r in MonitoringRow.objects.filter(entry=entry)}
        changed, new = [], []
        for indicator_id, given in rows.items():
            row = existing.get(indicator_id)
            if row is None:
                if given != RowInput():
                    new.append(MonitoringRow(entry=entry, indicator_id=indicator_id, **asdict(given)))
                continue
            if any(getattr(row, name) != getattr(given, name) for name in ROW_FIELDS):
                for name in ROW_FIELDS:
                    setattr(row, name, getattr(given, name))
                changed.append(row)
        if changed:
            MonitoringRow.objects.bulk_update(changed, list(ROW_FIELDS))
        if new:
            MonitoringRow.objects.bulk_create(new)
    return entry
