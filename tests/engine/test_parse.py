from decimal import Decimal as D

import pytest

from indicators.engine.parse import Measure, parse_decimal, parse_measure


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("≥95%", Measure(">=", D("95"), "%", True)),
        (">=95", Measure(">=", D("95"), "", True)),
        ("=94.5%", Measure("=", D("94.5"), "%", True)),
        ("41个", Measure(None, D("41"), "个", False)),
        ("≥41个城市社区", Measure(">=", D("41"), "个城市社区", True)),
        ("≤ 3 天", Measure("<=", D("3"), "天", True)),
        ("１００％", Measure(None, D("100"), "%", False)),
        ("＝１００％", Measure("=", D("100"), "%", True)),
        ("94.5", Measure(None, D("94.5"), "", False)),
        ("完成", Measure(None, None, "", False)),
        ("", Measure(None, None, "", False)),
        ("1,234.5万元", Measure(None, D("1234.5"), "万元", False)),
        ("不低于90%", Measure(">=", D("90"), "%", True)),
        ("95%以上", Measure(">=", D("95"), "%", True)),
        ("3天以内", Measure("<=", D("3"), "天", True)),
        ("<5", Measure("<=", D("5"), "", True)),
        ("−5%", Measure(None, D("-5"), "%", False)),
        ("≥", Measure(">=", None, "", True)),
    ],
)
def test_parse_measure(text, expected):
    assert parse_measure(text) == expected


def test_parse_measure_keeps_exact_decimals():
    m = parse_measure("=94.50%")
    assert m.value == D("94.50") and str(m.value) == "94.50"


@pytest.mark.parametrize("garbage", [None, 12.5, object(), b"95", ["95"]])
def test_parse_measure_never_raises(garbage):
    assert parse_measure(garbage).value is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("477.48", D("477.48")),
        (" 1,234.5 ", D("1234.5")),
        ("１２３", D("123")),
        ("-3", D("-3")),
        ("−3.5", D("-3.5")),
        ("0", D("0")),
        ("", None),
        ("   ", None),
        ("abc", None),
        ("94.5%", None),
        ("NaN", None),
        ("Infinity", None),
        ("1e5", None),
        ("12,34", None),
        (None, None),
        (D("2.50"), D("2.50")),
        (D("NaN"), None),
        (7, D("7")),
        (True, None),
        (1.5, None),
    ],
)
def test_parse_decimal(text, expected):
    got = parse_decimal(text)
    assert got == expected
    if expected is not None:
        assert isinstance(got, D)


# Numbers written in a notation the reader does not know are not read at all: reading the
# leading digits only would turn "1e10" into 1, "0x10" into 0, "12.345.6" into 12.345.
@pytest.mark.parametrize("text", ["1e10", "1E10", "0x10", "12.345.6", "1_000", "1,0000", "2e-3个", "≥1e10"])
def test_parse_measure_refuses_unknown_notations(text):
    assert parse_measure(text).value is None


@pytest.mark.parametrize("text", ["1e10", "0x10", "12.345.6", "1_000", "1,0000"])
def test_parse_decimal_refuses_unknown_notations(text):
    assert parse_decimal(text) is None


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [("1,000", D("1000"), ""), ("1,000个", D("1000"), "个"), ("30个", D("30"), "个"), ("3ex", D("3"), "ex")],
)
def test_parse_measure_reads_as_written(text, value, unit):
    m = parse_measure(text)
    assert (m.value, m.unit) == (value, unit)
