"""Property tests: whatever text the parser is fed, it either returns a report
or raises the toolkit's own ReportError, and every number it returns is
written in the input."""
from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit import schema
from toolkit.errors import ReportError
from toolkit.parsing import parse_text
from toolkit.parsing.tables import split_digits
from toolkit.textnorm import normalize

from support import T3_LABELS

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


# ------------------------------------------------------------------ cells holding several lines

T3_KEYS = [r.key for r in schema.T3_ROWS]
T3_COLS = [c.key for c in schema.T3_COLUMNS]
HEADINGS = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]

# How a cell's content is written: (kind, html). "multi" cells hold two numbers on two
# lines/blocks and must never become one number; "inline" cells split one number over
# inline runs and must be read as that number.
MULTI = [lambda a, b: f"{a}<br>{b}", lambda a, b: f"<p>{a}</p><p>{b}</p>", lambda a, b: f"{a}<br/>\n{b}",
         lambda a, b: f"<div>{a}</div>{b}", lambda a, b: f"<table><tr><td>{a}</td><td>{b}</td></tr></table>",
         lambda a, b: f"<table><tr><td>{a}</td></tr><tr><td>{b}</td></tr></table>"]


def _inline(v: int, k: int) -> str:
    s = str(v)
    k = k % (len(s) + 1)
    return f"<span>{s[:k]}</span><font>{s[k:]}</font><o:p></o:p>"


@st.composite
def t3_with_cells(draw):
    """(values by row, cell html by row): a t3 whose cells may hold several numbers."""
    values, cells, multi = {}, {}, set()
    for key in T3_KEYS:
        parts = draw(st.lists(st.integers(0, 120), min_size=6, max_size=6))
        row = parts + [sum(parts)]
        html = []
        for j, v in enumerate(row):
            kind = draw(st.sampled_from(["plain", "plain", "plain", "inline", "multi"]))
            if kind == "multi":
                a, b = draw(st.integers(0, 99)), draw(st.integers(0, 99))
                html.append(draw(st.sampled_from(MULTI))(a, b))
                multi.add((key, T3_COLS[j]))
            elif kind == "inline":
                html.append(_inline(v, draw(st.integers(0, 5))))
            else:
                html.append(f"&nbsp;{v}")
        values[key] = row
        cells[key] = html
    return values, cells, multi


def _html_report(cells: dict) -> str:
    rows = "".join(f"<tr><td>{lab}</td>" + "".join(f"<td>{c}</td>" for c in cells[key]) + "</tr>"
                   for key, lab in zip(T3_KEYS, T3_LABELS))
    head = "<tr><td>申请人情况</td><td>自然人</td><td>商业企业</td><td>科研机构</td><td>社会公益组织</td>" \
           "<td>法律服务机构</td><td>其他</td><td>总计</td></tr>"
    return ("<html><head><meta charset='utf-8'></head><body><div class='article'>"
            "<h1>某县民政局2023年政府信息公开工作年度报告</h1>"
            + "".join(f"<p>{h}</p><p>正文。</p>" for h in HEADINGS[:2])
            + f"<p>{HEADINGS[2]}</p><table>{head}{rows}</table>"
            + "".join(f"<p>{h}</p><p>正文。</p>" for h in HEADINGS[3:]) + "</div></body></html>")


def _assert_cells(report, values, multi):
    t3 = report.tables["t3"]
    for key in T3_KEYS:
        for j, col in enumerate(T3_COLS):
            got = t3[key][col]
            if (key, col) in multi:
                # Two numbers in one cell: never joined into one, never shifted into a neighbour.
                assert got is None, (key, col, got)
            else:
                assert got is None or got == values[key][j], (key, col, got, values[key][j])


@settings(max_examples=60)
@given(t3_with_cells())
def test_html_cells_with_several_lines_are_never_joined(case):
    from toolkit.parsing import parse_document
    from toolkit.reading import read_data

    values, cells, multi = case
    report = parse_document(read_data(_html_report(cells).encode("utf-8"), "fuzz.html", ".html"))
    _assert_cells(report, values, multi)
    # A row without such a cell is read whole (inline runs are one number, &nbsp; is layout).
    for key in T3_KEYS:
        if not any((key, c) in multi for c in T3_COLS):
            assert list(report.tables["t3"][key].values()) == values[key], key


def _docx_report(values: dict, multi_rows: dict, path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("某县民政局2023年政府信息公开工作年度报告")
    for h in HEADINGS[:3]:
        d.add_paragraph(h)
        d.add_paragraph("正文。")
    table = d.add_table(rows=len(T3_KEYS) + 1, cols=8)
    for j, h in enumerate(["申请人情况", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]):
        table.cell(0, j).text = h
    for i, (key, lab) in enumerate(zip(T3_KEYS, T3_LABELS), 1):
        table.cell(i, 0).text = lab
        for j, v in enumerate(values[key], 1):
            cell = table.cell(i, j)
            extra = multi_rows.get((key, T3_COLS[j - 1]))
            if extra is None:
                cell.text = str(v)
            elif extra[0] == "paragraphs":
                cell.text = str(extra[1])
                cell.add_paragraph(str(extra[2]))
            else:  # a nested table holding two numbers
                cell.text = ""
                inner = cell.add_table(rows=1, cols=2)
                inner.cell(0, 0).text, inner.cell(0, 1).text = str(extra[1]), str(extra[2])
    for h in HEADINGS[3:]:
        d.add_paragraph(h)
        d.add_paragraph("正文。")
    d.save(path)


@settings(max_examples=15)
@given(st.lists(st.tuples(st.integers(0, len(T3_KEYS) - 1), st.integers(0, 6), st.sampled_from(["paragraphs", "nested"]),
                          st.integers(0, 99), st.integers(0, 99)), max_size=6),
       st.lists(st.integers(0, 50), min_size=6, max_size=6))
def test_docx_cells_with_several_paragraphs_are_never_joined(splits, parts):
    import tempfile

    from toolkit.parsing import parse_file

    values = {key: [p + i for p in parts] + [sum(parts) + 6 * i] for i, key in enumerate(T3_KEYS)}
    multi = {(T3_KEYS[r], T3_COLS[c]): (kind, a, b) for r, c, kind, a, b in splits}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.docx"
        _docx_report(values, multi, path)
        report = parse_file(path)
    _assert_cells(report, values, set(multi))


# ------------------------------------------------------------------ every new heuristic yields only input numbers

CASES = Path(__file__).resolve().parent / "fixtures" / "parser_cases"
CASE_TEXTS = [p.read_text(encoding="utf-8") for p in sorted(CASES.glob("case_*.txt"))]
LAYOUTS = CASE_TEXTS + [p.read_text(encoding="utf-8") for p in sorted(REPORTS.glob("*.md"))]


@given(st.from_regex(r"[0-9]{1,24}", fullmatch=True), st.lists(st.integers(1, 23), max_size=6),
       st.lists(st.integers(1, 7), min_size=1, max_size=3))
def test_split_digits_with_breaks_only_true_splits(digits, breaks, sizes):
    cuts = {b for b in breaks if b < len(digits)}
    for solution in split_digits(digits, sizes, breaks=cuts, max_solutions=20):
        assert "".join(map(str, solution)) == digits
        assert len(solution) == sum(sizes)
        ends, pos = set(), 0
        for v in solution:
            pos += len(str(v))
            ends.add(pos)
        assert cuts <= ends  # no cell runs across a token boundary


@given(st.lists(st.from_regex(r"[0-9]{1,6}", fullmatch=True), min_size=2, max_size=7),
       st.sampled_from([[7], [5, 5, 5], [3]]))
def test_stray_space_rows_only_split_their_tokens(tokens, sizes):
    from toolkit.parsing.tables import read_rows

    check = (lambda v: sum(v[:-1]) == v[-1]) if sizes != [3] else None
    read = read_rows(tokens, [], sizes, check, [False] * sum(sizes), "t", [])
    for values in ([read.values] if read.values is not None else []) + read.candidates:
        assert "".join(map(str, values)) == "".join(tokens)
        assert len(values) == sum(sizes)


@st.composite
def row_lines(draw):
    """Lines of a t3 laid out one row per line, labels on the line, before, after, or missing."""
    from toolkit import schema

    lines = []
    for row in schema.T3_ROWS:
        nums = draw(st.lists(st.integers(0, 300), min_size=draw(st.sampled_from([7, 7, 7, 6, 8])),
                             max_size=8))
        run = draw(st.sampled_from([" ", "\t", " | "])).join(map(str, nums[:8]))
        where = draw(st.sampled_from(["same", "before", "after", "none"]))
        if where == "same":
            lines.append(f"{row.zh} {run}")
        elif where == "before":
            lines += [row.zh, run]
        elif where == "after":
            lines += [run, row.zh]
        else:
            lines.append(run)
    if draw(st.booleans()):
        i = draw(st.integers(0, len(lines) - 1))
        j = draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


@given(row_lines())
def test_row_order_reading_only_reads_lines_of_the_input(text):
    from toolkit.parsing.aligned import read_by_row_order

    lines = {tuple(int(x) for x in re.findall(r"\d+", ln)) for ln in text.split("\n")}
    aligned = read_by_row_order(text, "2021", False, [])
    if aligned is None:
        return
    for key, read in aligned.rows.items():
        if read.values is not None:
            assert tuple(read.values) in lines, (key, read.values)  # one whole line of the input


PIECES_STATED = ["收到", "受理", "新收", "办结", "办理", "上年结转", "结转下年度", "政府信息公开申请", "依申请公开",
                 "规范性文件", "行政规范性文件", "现行有效", "制发", "制定", "废止", "规章", "收取行政事业性收费",
                 "万元", "件", "个", "共", "未", "无", "没有", "行政复议", "行政诉讼", "、", "，", "。", "；", "上年",
                 "计划", "2023年", "三", "十二", " "]


@given(st.lists(st.sampled_from(PIECES_STATED) | st.from_regex(r"[0-9]{1,5}(\.[0-9]{1,3})?", fullmatch=True),
                max_size=30).map("".join))
def test_statements_state_only_what_the_sentence_says(text):
    from toolkit.parsing.statements import cn_int, find_statements

    for st_ in find_statements(text, {"1": (0, len(text))}, "2021", 2023):
        assert text[st_["start"]:st_["end"]] == st_["sentence"]
        if st_["value"] == 0:
            continue  # a statement of none: 未/无/没有 … (no digits needed)
        numbers = {float(x) for x in re.findall(r"\d+(?:\.\d+)?", st_["sentence"])}
        numbers |= {float(cn_int(x)) for x in re.findall(r"[零〇一二两三四五六七八九十]{1,3}", st_["sentence"])
                    if cn_int(x) is not None}
        assert float(st_["value"]) in numbers


@given(st.integers(0, len(LAYOUTS) - 1), st.data())
def test_mutated_real_layouts(i, data):
    """The parser cases and the markdown-from-PDF report, mutated: values only from the input."""
    text = LAYOUTS[i]
    for _ in range(data.draw(st.integers(1, 5))):
        a = data.draw(st.integers(0, len(text)))
        b = data.draw(st.integers(a, min(len(text), a + 300)))
        op = data.draw(st.sampled_from(["delete", "duplicate", "digits", "space", "swap", "newline"]))
        if op == "delete":
            text = text[:a] + text[b:]
        elif op == "duplicate":
            text = text[:b] + text[a:b] + text[b:]
        elif op == "digits":
            text = text[:a] + data.draw(st.from_regex(r"[0-9 ]{1,12}", fullmatch=True)) + text[a:]
        elif op == "space":
            text = text[:a] + " " + text[a:]
        elif op == "newline":
            text = text[:a] + "\n" + text[a:]
        else:
            text = text[:a] + text[b:b + 50] + text[a:b] + text[b + 50:]
    check(text)


# Rows with a blank cell or two (most reports), and rows where any cell may be blank.
_SPARSE_ROW = st.tuples(st.lists(st.integers(0, 999), min_size=7, max_size=7),
                        st.sets(st.integers(0, 6), max_size=2)).map(
    lambda p: [None if j in p[1] else v for j, v in enumerate(p[0])])
_ANY_ROW = st.lists(st.one_of(st.none(), st.integers(0, 999)), min_size=7, max_size=7)


@given(st.lists(_SPARSE_ROW | _ANY_ROW, min_size=3, max_size=6),
       st.sampled_from([(3, 5), (2, 3), (3, 4)]), st.integers(0, 5), st.integers(0, 3))
def test_runs_of_line_breaks_give_back_the_cells_or_nothing(rows, layout, row, extra):
    """A table saved with bare line breaks (k after a cell, m after a row; a blank cell adds k):
    a row is read back exactly as written, or not at all — never another number."""
    from toolkit.parsing.runs import run_cells, run_layout

    k, m = layout
    text = ""
    for i, cells in enumerate(rows):
        text += f"第{i}行"
        for c in cells:
            text += "\n" * k + ("" if c is None else str(c))
        text += "\n" * m
    found = run_layout(text)
    if all(c is not None for r in rows for c in r):
        assert found is not None  # no blank cell: the breaks leave no doubt
    if found is None:
        return
    row = row % len(rows)
    start = text.index(f"第{row}行") + len(f"第{row}行")
    got = run_cells(text[start:], found, True, 7)
    if got is not None:
        assert [None if c is None else int(c) for c in got] == rows[row]
    # A stray extra break anywhere in the row makes it unreadable or leaves it unchanged.
    broken = text[:start] + "\n" * extra + text[start:]
    got = run_cells(broken[start:], found, True, 7)
    if got is not None and extra % k == 0:
        assert all(c is None or int(c) in [v for v in rows[row] if v is not None] for c in got)
