"""Indicator templates as a spreadsheet: the tree as rows, one per level-3 indicator.

A row names its template (name, year, version; created when new), its level-1 and level-2
indicators and the level-3 row itself. Level-1 nodes are created as the file names them, in the
order they first appear; a new node's weight is the optional 一级指标分值 column or else the sum
of its rows. Level cells read as merged cells: a blank 一级指标 continues the row above (none above:
the row is under no level-1 label), and a blank 二级指标 continues the row above within such a run;
（无一级指标） names the absence where a blank would continue a named level 1. Both columns may be
left out: a flat list of level-3 rows. A locked template (one a submitted report uses) refuses every
row: copy it as a new version first.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Max, Sum
from import_export.fields import Field

from indicators.models import Kind, Sign, Template, TemplateIndicator, TemplateLevel1
from perfeval.spreadsheets.importing import (
    ChoiceWidget,
    DecimalWidget,
    KeyedInstanceLoader,
    SheetResource,
    TextWidget,
    VersionWidget,
    YearWidget,
)
from perfeval.spreadsheets.safety import to_text

NO_LEVEL1 = "（无一级指标）"
LEVEL_COLUMNS = ("一级指标", "二级指标")

SIGN_ALIASES = {"≥": ">=", "≤": "<=", "＝": "=", "大于等于": ">=", "小于等于": "<=", "等于": "="}


def _text(value) -> str:
    return to_text(value).strip()


def _error(errors: dict, attribute: str, message: str) -> None:
    errors.setdefault(attribute, []).append(ValidationError(message))


class TemplateRowResource(SheetResource):
    template_name = Field(attribute="template__name", column_name="模板名称", widget=TextWidget())
    template_year = Field(attribute="template__year", column_name="年度", widget=YearWidget())
    template_version = Field(attribute="template__version", column_name="版本", widget=VersionWidget())
    level1 = Field(attribute="level1__name", column_name="一级指标", widget=TextWidget())
    level1_weight = Field(
        attribute="level1__weight", column_name="一级指标分值", widget=DecimalWidget(), saves_null_values=False
    )
    level2 = Field(attribute="level2", column_name="二级指标", widget=TextWidget())
    level3 = Field(attribute="level3", column_name="三级指标", widget=TextWidget())
    kind = Field(attribute="kind", column_name="性质", widget=ChoiceWidget(Kind.choices))
    sign = Field(attribute="sign", column_name="符号", widget=ChoiceWidget(Sign.choices, aliases=SIGN_ALIASES))
    target = Field(attribute="target", column_name="指标值（数）", widget=DecimalWidget(non_negative=False))
    target_text = Field(attribute="target_text", column_name="指标值", widget=TextWidget())
    unit = Field(attribute="unit", column_name="度量单位", widget=TextWidget())
    weight = Field(attribute="weight", column_name="分值", widget=DecimalWidget())

    required_columns = ("模板名称", "年度", "版本", "三级指标", "性质", "分值")
    clean_exclude = ("template", "level1")

    class Meta:
        model = TemplateIndicator
        fields = (
            "template_name",
            "template_year",
            "template_version",
            "level1",
            "level1_weight",
            "level2",
            "level3",
            "kind",
            "sign",
            "target",
            "target_text",
            "unit",
            "weight",
        )
        import_id_fields = ("template_name", "template_year", "template_version", "level1", "level2", "level3")
        instance_loader_class = KeyedInstanceLoader
        use_transactions = True
        skip_unchanged = True
        skip_diff = True  # see SheetResource.skip_row
        report_skipped = True

    @classmethod
    def get_display_name(cls):
        return "指标模板（每行一个三级指标）"

    def get_queryset(self):
        return TemplateIndicator.objects.select_related("template", "level1").order_by(
            "template__year", "template__name", "template__version", "order", "pk"
        )

    def template_key(self, row):
        try:
            year = YearWidget().clean(row.get("年度"))
            version = VersionWidget().clean(row.get("版本")) if _text(row.get("版本")) else 1
        except ValueError:
            return None
        name = _text(row.get("模板名称"))
        if not name or year is None:
            return None
        return (name, year, version)

    def instance_key(self, row):
        template = self.template_key(row)
        if template is None:
            return None
        return (*template, _text(row.get("一级指标")), _text(row.get("二级指标")), _text(row.get("三级指标")))

    def prepare(self, dataset, **kwargs):
        self.fill_levels(dataset)
        names = self.values(dataset, "模板名称")
        self.templates = {(t.name, t.year, t.version): t for t in Template.objects.filter(name__in=names)}
        self.nodes = {
            (node.template_id, node.name): node
            for node in TemplateLevel1.objects.filter(template__name__in=names).select_related("template")
        }
        self.next_node_order = defaultdict(int)
        for template_id, top in (
            TemplateLevel1.objects.filter(template__name__in=names)
            .values_list("template_id")
            .annotate(top=Max("order"))
        ):
            self.next_node_order[template_id] = (top or 0) + 1
        self.row_order: dict = defaultdict(int)
        self.new_nodes: set = set()
        self.touched_templates: set = set()

    @staticmethod
    def fill_levels(dataset) -> None:
        """Merged level cells written out: the filled names replace the columns (added when absent)."""
        headers = list(dataset.headers or ())

        def column(name: str) -> list[str]:
            return [_text(v) for v in dataset[name]] if name in headers else [""] * len(dataset)

        keys = list(zip(column("模板名称"), column("年度"), column("版本"), strict=True))
        filled1, filled2 = [], []
        above: tuple = (None, "", "")  # template, level 1, level 2 of the row above
        for key, l1, l2 in zip(keys, column("一级指标"), column("二级指标"), strict=True):
            if key != above[0]:
                above = (key, "", "")
            if not l1:
                l1, l2 = above[1], l2 or above[2]
            elif l1 == NO_LEVEL1:
                l1 = ""
            filled1.append(l1)
            filled2.append(l2)
            if any(key):  # a blank row does not end a merged run
                above = (key, l1, l2)
        for name, values in (("一级指标", filled1), ("二级指标", filled2)):
            if name in headers:
                del dataset[name]
            dataset.append_col(values, header=name)

    def dehydrate_level1(self, obj) -> str:
        # A row under no level 1 after a named one: a blank would read back as continuing it.
        above = getattr(self, "_exported_above", None)
        self._exported_above = (obj.template_id, obj.level1_id)
        if obj.level1_id:
            return obj.level1.name
        return NO_LEVEL1 if above and above[0] == obj.template_id and above[1] else ""

    def load_instances(self, dataset):
        rows = TemplateIndicator.objects.filter(template__name__in=self.values(dataset, "模板名称")).select_related(
            "template", "level1"
        )
        return {
            (r.template.name, r.template.year, r.template.version, r.level1_name, r.level2, r.level3): r for r in rows
        }

    def _in_use(self, template) -> bool:
        """Locked, or behind a report past draft/returned (once per template and import)."""
        cache = self.__dict__.setdefault("_in_use_cache", {})
        if template.pk not in cache:
            cache[template.pk] = template.in_use()
        return cache[template.pk]

    def import_instance(self, instance, row, **kwargs):
        errors: dict = {}
        key = self.template_key(row)
        if key is not None:
            template = self.templates.get(key)
            if template is None:
                template = Template(name=key[0], year=key[1], version=key[2])
                self.templates[key] = template
            instance.template = template
            if template.pk is not None and self._in_use(template):
                _error(
                    errors,
                    "template__name",
                    f"模板“{template}”已锁定（已有报告送审使用），不能修改；请先在模板列表中“复制为新版本”。",
                )
            level1_name = _text(row.get("一级指标"))
            if level1_name:
                node_key = (id(template) if template.pk is None else template.pk, level1_name)
                node = self.nodes.get(node_key)
                if node is None:
                    node = TemplateLevel1(template=template, name=level1_name, order=self.next_node_order[node_key[0]])
                    self.next_node_order[node_key[0]] += 1
                    self.nodes[node_key] = node
                    self.new_nodes.add(node_key)
                instance.level1 = node
            else:
                instance.level1 = None
        if errors:
            # A locked template: say so once, and check nothing else of the row.
            self.row_stop = True
            raise ValidationError(errors)
        row = dict(row)
        if not _text(row.get("版本")):
            row["版本"] = 1
        super().import_instance(instance, row, **kwargs)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.attribute and field.attribute.startswith("level1__") and instance.level1 is None:
            return  # under no level 1: nothing to name or weigh
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def check_row(self, instance, row, errors, **kwargs):
        self.duplicate(self.instance_key(row), kwargs.get("row_number"), errors, "level3")
        if instance.level1 is None and _text(row.get("一级指标分值")):
            _error(errors, "level1__weight", "未填一级指标，不能填写一级指标分值")
        if "kind" not in errors and "sign" not in errors:
            if instance.kind == Kind.QUALITATIVE and instance.sign:
                _error(errors, "sign", "定性指标不填符号")
            if instance.kind == Kind.QUANTITATIVE and not instance.sign:
                _error(errors, "sign", "定量指标须填写符号（≥、≤ 或 =）")
        if instance.kind == Kind.QUALITATIVE and "target" not in errors and instance.target is not None:
            _error(errors, "target", "定性指标不填指标值（数）")

    def before_save_instance(self, instance, row, **kwargs):
        template = instance.template
        if template.pk is None:
            template.save()
            # Nodes of a new template were keyed by the object until it had a primary key.
            for (owner, name), node in list(self.nodes.items()):
                if owner == id(template):
                    self.nodes[(template.pk, name)] = node
                    if (owner, name) in self.new_nodes:
                        self.new_nodes.add((template.pk, name))
        instance.template = template
        node = instance.level1
        if node is not None:
            node.template = template
            node.save()
            instance.level1 = node
        key = template.pk
        self.row_order[key] += 1
        instance.order = self.row_order[key]
        self.touched_templates.add(key)

    def after_import(self, dataset, result, **kwargs):
        if result.has_errors() or result.has_validation_errors():
            return
        # New level-1 nodes without a declared weight carry the sum of their rows.
        for (owner, _name), node in self.nodes.items():
            if (owner, _name) not in self.new_nodes or node.pk is None or node.weight is not None:
                continue
            total = TemplateIndicator.objects.filter(level1=node).aggregate(total=Sum("weight"))["total"]
            node.weight = total if total is not None else Decimal("0")
            node.save(update_fields=["weight"])
        touched = {pk for pk in self.touched_templates if pk is not None}  # a new template has no rounds yet
        if kwargs.get("dry_run") or not touched:
            return
        # reports' services import this app's models: imported here
        from reports.models import Round
        from reports.services.scoring import rounds_rescore_job

        names = "、".join(f"“{t}”" for t in Template.objects.filter(pk__in=touched).order_by("pk"))
        # In the background once the import commits; the admin links to it (TemplateAdmin.import_done).
        result.rescore_job = rounds_rescore_job(
            rounds=Round.objects.filter(template_id__in=touched),
            actor=kwargs.get("user"),
            what=f"指标模板{names}已由表格导入修改",
        )
