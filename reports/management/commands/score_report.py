import dataclasses
import json

from django.core.management.base import BaseCommand, CommandError

from indicators import engine
from indicators.engine.types import NO_LEVEL1
from reports.interchange.document import DocumentError, load, num, to_engine_input, validate_lenient

SEVERITY_LABEL = {"error": "错误", "warning": "提示", "info": "说明"}


def result_to_json(result: engine.ReportResult) -> dict:
    return {
        "total": num(result.total),
        "self_total": num(result.self_total),
        "grade": result.grade,
        "self_grade": result.self_grade,
        "execution_rate": num(engine.round_half_up(result.execution_rate, 4))
        if result.execution_rate is not None
        else None,
        "execution_score": num(result.execution_score),
        "execution_explanation": result.execution_explanation,
        "total_explanation": result.total_explanation,
        "level1": [
            {"name": r.name, "weight": num(r.weight), "score": num(r.score), "self_score": num(r.self_score)}
            for r in result.level1
        ],
        "level2": [
            {
                "level1": r.level1,
                "name": r.name,
                "weight": num(r.weight),
                "score": num(r.score),
                "self_score": num(r.self_score),
            }
            for r in result.level2
        ],
        "rows": [
            {
                "index": r.index,
                "level1": r.level1,
                "level2": r.level2,
                "level3": r.level3,
                "weight": num(r.weight),
                "score": num(r.score),
                "self_score": num(r.self_score),
                "explanation": r.explanation,
                "flags": list(r.flags),
            }
            for r in result.rows
        ],
        "findings": [
            {"code": f.code, "severity": f.severity, "where": f.where, "message": f.message} for f in result.findings
        ],
    }


def shown(value) -> str:
    return "—" if value is None else num(value)


class Command(BaseCommand):
    help = "Score a perfeval.report/1 file by its own rules, without touching the database."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **options):
        try:
            doc, unreadable = validate_lenient(load(options["file"]))
        except DocumentError as exc:
            raise CommandError("文件无效：\n" + "\n".join(f"  - {e}" for e in exc.errors)) from None
        result = engine.score_report(to_engine_input(doc))
        # Values that could not be read are scored as blank, and said first.
        result = dataclasses.replace(result, findings=(*unreadable, *result.findings))
        if options["json"]:
            self.stdout.write(json.dumps(result_to_json(result), ensure_ascii=False, indent=1))
            return
        department = doc["department"].get("name") or doc["department"].get("code") or "（未写部门）"
        self.stdout.write(f"{department} {doc.get('year', '')} 年度")
        self.stdout.write(f"预算执行率  {shown(result.execution_score)}  {result.execution_explanation}")
        for level in result.level1:
            weight, score, own = num(level.weight), num(level.score), num(level.self_score)
            self.stdout.write(f"{level.name or NO_LEVEL1}  分值 {weight}  规则得分 {score}  自评 {own}")
        total, own = num(result.total), num(result.self_total)
        self.stdout.write(f"总分（按规则） {total} {result.grade}；自评合计 {own} {result.self_grade}")
        self.stdout.write("")
        for row in result.rows:
            name = row.level3 or row.level2 or row.level1 or f"第 {row.index + 1} 行"
            self.stdout.write(f"  {name}：{shown(row.score)}（自评 {shown(row.self_score)}）  {row.explanation}")
        self.stdout.write("")
        self.stdout.write(f"检查发现 {len(result.findings)} 条：")
        for f in result.findings:
            self.stdout.write(f"  [{SEVERITY_LABEL.get(f.severity, f.severity)}] {f.where}  {f.message}")
