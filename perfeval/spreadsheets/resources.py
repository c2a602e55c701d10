"""The base of every spreadsheet resource: header checks, cheap validation, errors by column, fast diffs."""

from __future__ import annotations

from collections import OrderedDict

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.html import conditional_escape, format_html
from import_export import resources
from import_export.instance_loaders import BaseInstanceLoader
from import_export.resources import Diff
from import_export.results import RowResult
from openpyxl.utils import get_column_letter

from perfeval.spreadsheets.formats import normalise_header
from perfeval.spreadsheets.safety import SpreadsheetRefused, to_text


class KeyedInstanceLoader(BaseInstanceLoader):
    """Existing instances for every row of the file, loaded up front by the resource."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        self.instances = {} if resource.refused or not len(dataset) else resource.load_instances(dataset)

    def get_instance(self, row):
        key = self.resource.row_key = self.resource.instance_key(row)
        return None if key is None else self.instances.get(key)


PREVIEW_ROWS = 200  # rows the admin's preview lists (templates/xlsx/admin_import.html)


class PlainDiff(Diff):
    """The preview's cells: the new value, or old struck through and new (no character diff)."""

    def as_html(self):
        cells = []
        for old, new in zip(self.left, self.right, strict=False):
            old_text = "" if old is None else str(old)
            new_text = "" if new is None else str(new)
            if self.new or old_text == new_text:
                cells.append(conditional_escape(new_text))
            else:
                cells.append(format_html("<del>{}</del> <ins>{}</ins>", old_text, new_text))
        return cells


class LightRowResult(RowResult):
    """A row result that names its instance only when asked (str() of a model costs queries)."""

    def __init__(self):
        self._instance_for_repr = None
        self._object_repr = None
        super().__init__()

    @property
    def object_repr(self):
        if self._object_repr is None and self._instance_for_repr is not None:
            self._object_repr = str(self._instance_for_repr)
        return self._object_repr

    @object_repr.setter
    def object_repr(self, value):
        self._object_repr = value

    def add_instance_info(self, instance):
        if instance is not None:
            self.object_id = getattr(instance, "pk", None)
            self._instance_for_repr = instance


class SheetResource(resources.ModelResource):
    """A model resource that speaks Chinese, checks the whole header first and validates cheaply."""

    required_columns: tuple[str, ...] = ()
    ignored_columns: tuple[str, ...] = ("序号", "备注", "部门名称", "部门(单位)名称", "部门（单位）名称")
    # Model fields never validated through full_clean (foreign keys are checked against the
    # dicts loaded once per file; ForeignKey.validate would run a query per row).
    clean_exclude: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.letters: dict[str, str] = {}
        self.seen: dict[tuple, int] = {}
        self.refused = False
        self._import_fields = None
        self._checked = None
        self.row_stop = False  # a row whose first error makes the rest meaningless
        self.previewed = 0
        self.row_key = None
        self.current = None  # the row's instance, and its values before the row
        self.before = None

    def get_import_fields(self):
        # Asked several times per row by import-export; the answer never changes.
        if self._import_fields is None:
            self._import_fields = super().get_import_fields()
        return self._import_fields

    def get_diff_class(self):
        return PlainDiff

    def get_row_result_class(self):
        return LightRowResult

    # The file as a whole --------------------------------------------------------------------

    def column_names(self) -> list[str]:
        return [f.column_name for f in self.get_import_fields()]

    def before_import(self, dataset, **kwargs):
        # Headings match whatever the parentheses, spaces or a （万元） suffix.
        canonical = {normalise_header(c): c for c in (*self.column_names(), *self.ignored_columns)}
        headers = [canonical.get(normalise_header(h), normalise_header(h)) for h in dataset.headers or ()]
        letters = getattr(dataset, "perfeval_letters", None) or {}
        self.letters = {
            header: letters.get(normalise_header(original)) or get_column_letter(i)
            for i, (header, original) in enumerate(zip(headers, dataset.headers or (), strict=True), start=1)
        }
        dataset.headers = headers
        known = set(self.column_names())
        missing = [c for c in self.required_columns if c not in headers]
        unknown = [h for h in headers if h and h not in known and h not in self.ignored_columns]
        problems = []
        if missing:
            problems.append("缺少列：" + "、".join(missing))
        if unknown:
            problems.append("无法识别的列：" + "、".join(unknown))
        if problems:
            expected = "、".join(self.column_names())
            # Nothing below is read: the rows would only repeat the same complaint.
            for _ in range(len(dataset)):
                dataset.rpop()
            self.refused = True
            raise SpreadsheetRefused([*problems, f"第 1 行应为这些列标题：{expected}。"])
        self.seen = {}
        self.prepare(dataset, **kwargs)

    def prepare(self, dataset, **kwargs):
        """Load what the rows refer to (departments by code …), once per file."""

    def values(self, dataset, column: str) -> set[str]:
        if column not in (dataset.headers or ()):
            return set()
        return {to_text(v).strip() for v in dataset[column] if to_text(v).strip()}

    # One row ----------------------------------------------------------------------------------

    def import_row(self, row, instance_loader, **kwargs):
        self.row_stop = False
        self.row_key = None  # set by KeyedInstanceLoader for the row at hand
        self.current = self.before = None
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row.values()):
            result = self.get_row_result_class()()
            result.import_type = RowResult.IMPORT_TYPE_SKIP
            return result
        return super().import_row(row, instance_loader, **kwargs)

    # import-export's own diff deep-copies every instance (a third of the time of a large file);
    # with skip_diff on, these three keep what it gave: unchanged rows skipped, the preview's cells.

    def field_values(self, instance) -> list:
        return [field.export(instance) for field in self.get_import_fields()]

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors or not self._meta.skip_unchanged or self.before is None:
            return False
        return self.field_values(instance) == self.before

    def after_import_row(self, row, row_result, **kwargs):
        # Only the preview shows cells, and only its first PREVIEW_ROWS rows.
        if self.current is None or not row_result.is_valid() or not kwargs.get("dry_run"):
            return
        if self.previewed >= PREVIEW_ROWS:
            return
        self.previewed += 1
        diff = PlainDiff.__new__(PlainDiff)
        diff.new = self.before is None
        diff.right = self.field_values(self.current)
        diff.left = self.before if self.before is not None else diff.right
        row_result.diff = diff.as_html()

    def import_instance(self, instance, row, **kwargs):
        self.current = instance
        self.before = self.field_values(instance) if instance.pk is not None else None
        errors: dict = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for column in self.required_columns:
            if to_text(row.get(column)).strip() == "":
                attribute = self.fields_by_column()[column].attribute or column
                errors.setdefault(attribute, []).append(ValidationError("必填，不能为空"))
        self.check_row(instance, row, errors, **kwargs)
        if errors:
            raise ValidationError(errors)

    def check_row(self, instance, row, errors: dict, **kwargs) -> None:
        """Add errors (attribute -> [messages]) for rules across cells; subclasses override."""

    def duplicate(self, key, row_number, errors: dict, attribute: str) -> None:
        if key is None:
            return
        first = self.seen.get(key)
        if first is not None and first != row_number:
            errors.setdefault(attribute, []).append(
                ValidationError(f"与第 {first + 1} 行重复（同一记录在文件中出现两次）")
            )
        else:
            self.seen[key] = row_number

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The model's own field rules (lengths, digits, choices, validators), without a query.

        What `full_clean` would check for the fields the file sets, minus its per-row costs:
        the widgets have already made each value its Python type, foreign keys were resolved
        against dicts loaded once, and uniqueness is the instance loader's and `duplicate`'s.
        """
        errors = dict(import_validation_errors or {})
        if self.row_stop:
            raise ValidationError(self.cell_errors(errors))
        for field in self.checked_fields():
            if field.name in errors:
                continue
            value = getattr(instance, field.attname)
            if value is None or value == "":
                if (value is None and not field.null) or (value == "" and not field.blank):
                    errors[field.name] = [ValidationError(field.error_messages["null" if value is None else "blank"])]
                continue
            problems = []
            if field.choices and value not in self._choice_values(field):
                problems.append(ValidationError(field.error_messages["invalid_choice"], params={"value": value}))
            for validator in field.validators:
                try:
                    validator(value)
                except ValidationError as exc:
                    problems.extend(exc.error_list)
            if problems:
                errors[field.name] = problems
        if errors:
            raise ValidationError(self.cell_errors(errors))

    def checked_fields(self) -> list:
        """Model fields set from the file's cells (not `clean_exclude`, not through a relation)."""
        if self._checked is None:
            set_here = {f.attribute for f in self.get_import_fields() if f.attribute and "__" not in f.attribute}
            self._checked = [
                f
                for f in self._meta.model._meta.concrete_fields
                if f.name in set_here and f.name not in self.clean_exclude
            ]
        return self._checked

    @staticmethod
    def _choice_values(field) -> set:
        return {str(key) for key, _label in field.flatchoices}

    def fields_by_column(self) -> dict:
        return {f.column_name: f for f in self.get_import_fields()}

    def cell_errors(self, errors: dict) -> dict:
        """Errors keyed by the sheet's column heading and letter, e.g. 全年预算数（E 列）."""
        names = {}
        for field in self.get_import_fields():
            if field.attribute:
                names[field.attribute] = field.column_name
            names[field.column_name] = field.column_name
        model_fields = {f.name: str(getattr(f, "verbose_name", f.name)) for f in self._meta.model._meta.fields}
        out: dict = OrderedDict()
        for key, messages_ in errors.items():
            if key == NON_FIELD_ERRORS:
                label = key
            elif key in names:
                column = names[key]
                letter = self.letters.get(column)
                label = f"{column}（{letter} 列）" if letter else column
            else:
                label = model_fields.get(key, key)
            out.setdefault(label, []).extend(messages_ if isinstance(messages_, list) else [messages_])
        return out

    # Loading ----------------------------------------------------------------------------------

    def instance_key(self, row):
        """The identity of a row's record from its raw cells, or None if it cannot be read."""
        raise NotImplementedError

    def load_instances(self, dataset) -> dict:
        raise NotImplementedError
