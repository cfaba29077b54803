"""Property tests: whatever text the parser is fed, it either returns a report
or raises the toolkit's own ReportError, and every number it returns is
written in the input."""
from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.errors import ReportError
from toolkit.parsing import parse_text
from toolkit.parsing.tables import split_digits
from toolkit.textnorm import normalize

REPORTS = Path(__file__).resolve().parents[1] / "corpus" / "reports"
SEEDS = [p.read_text(encoding="utf-8") for p in sorted(REPORTS.glob("*.txt"))]

PIECES = [
    "一、总体情况\n", "二、主动公开政府信息情况\n", "三、收到和处理政府信息公开申请情况\n",
    "四、政府信息公开行政复议、行政诉讼情况\n", "五、存在的主要问题及改进情况\n", "六、其他需要报告的事项\n",
    "某县民政局2023年政府信息公开工作年度报告\n", "第二十条第(一)项", "本年制发件数", "规章", "行政规范性文件",
    "行政许可", "行政处罚", "行政强制", "行政事业性收费", "一、本年新收政府信息公开申请数量",
    "二、上年结转政府信息公开申请数量", "(一)予以公开", "(二)部分公开", "1.属于国家秘密", "(七)总计",
    "3.其他", "四、结转下年度继续办理", "结果维持", "总计", "290余", "12.5", "0", "1", "17", "0000000",
    "\t", "|", " ", "\n", "\n\n", "（", "）", "１", "**", "[bookmark: _GoBack]", "\u3000\u3000", "\r",
]

settings.register_profile("xxgk", deadline=None, max_examples=300,
                          suppress_health_check=[HealthCheck.too_slow], derandomize=True)
settings.load_profile("xxgk")


def numbers_in(text: str) -> set[str]:
    return set(re.findall(r"\d+(?:\.\d+)?", normalize(text)))


def assert_values_from_input(report, text: str) -> None:
    digits = normalize(text)
    for table in report.tables.values():
        if table is None:
            continue
        for cols in table.values():
            for value in cols.values():
                if value is None:
                    continue
                shown = str(int(value)) if float(value).is_integer() else repr(value)
                assert shown in digits, f"{value!r} is not written in the input"


def check(text: str) -> None:
    try:
        report = parse_text(text)
    except ReportError as exc:
        assert str(exc)  # a clear, non-empty reason
        return
    assert_values_from_input(report, text)


@given(st.lists(st.sampled_from(PIECES) | st.text(max_size=8), max_size=80).map("".join))
def test_random_report_like_text(text):
    check(text)


@given(st.integers(0, len(SEEDS) - 1), st.data())
def test_mutated_seeds(i, data):
    text = SEEDS[i]
    for _ in range(data.draw(st.integers(1, 6))):
        a = data.draw(st.integers(0, len(text)))
        b = data.draw(st.integers(a, min(len(text), a + 400)))
        op = data.draw(st.sampled_from(["delete", "duplicate", "digits", "strip_space", "swap"]))
        if op == "delete":
            text = text[:a] + text[b:]
        elif op == "duplicate":
            text = text[:b] + text[a:b] + text[b:]
        elif op == "digits":
            text = text[:a] + data.draw(st.from_regex(r"[0-9]{1,12}", fullmatch=True)) + text[a:]
        elif op == "strip_space":
            text = text[:a] + re.sub(r"\s+", "", text[a:b]) + text[b:]
        else:
            text = text[:a] + text[b:b + 50] + text[a:b] + text[b + 50:]
    check(text)


@given(st.text())
def test_arbitrary_unicode(text):
    check(text)


@given(st.from_regex(r"[0-9]{0,40}", fullmatch=True), st.lists(st.integers(1, 7), min_size=1, max_size=4))
def test_split_digits_only_returns_true_splits(digits, sizes):
    for solution in split_digits(digits, sizes):
        assert "".join(map(str, solution)) == digits
        assert len(solution) == sum(sizes)
