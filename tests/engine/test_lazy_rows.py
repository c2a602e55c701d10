"""Row results format their explanation when read; they must still behave as RowResults."""

import copy
import pickle
from dataclasses import FrozenInstanceError, asdict, replace
from decimal import Decimal as D

import pytest

from indicators.engine import RowResult, score_report
from tests.engine.helpers import quant, report


@pytest.fixture
def row():
    return score_report(report(quant(self_score="1.99", reason="x", unit="%"))).rows[0]


EXPECTED = "94.5% 未达到 ≥95%，按完成值与指标值之比计分：94.5 ÷ 95 × 2 = 1.99"


def test_reads_as_a_row_result(row):
    assert isinstance(row, RowResult)
    assert isinstance(row.explanation, str) and row.explanation == EXPECTED
    assert repr(row).startswith("RowResult(index=0, ") and EXPECTED in repr(row)


def test_equal_to_a_plain_row_result(row):
    plain = RowResult(0, "产出指标", "数量指标", "测试指标", D("2"), D("1.99"), D("1.99"), EXPECTED, ("short",))
    assert row == plain and plain == row
    assert hash(row) == hash(plain)
    assert row != replace(plain, score=D("1.98"))


def test_replace_copy_pickle_asdict(row):
    changed = replace(row, score=D("1.50"))
    assert changed.score == D("1.50") and changed.explanation == EXPECTED
    assert copy.copy(row) == row and copy.deepcopy(row) == row
    assert pickle.loads(pickle.dumps(row)) == row
    assert asdict(row)["explanation"] == EXPECTED


def test_still_frozen(row):
    with pytest.raises(FrozenInstanceError):
        row.score = D("0")  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        row.explanation = "x"  # type: ignore[misc]
