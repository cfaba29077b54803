"""Parser tests.  Every expected number below was read by hand from the report
text (corpus/reports/ or shared/seeds/), never taken from the parser's output."""
from __future__ import annotations

from pathlib import Path

import pytest

from toolkit import schema
from toolkit.errors import ReportError
from toolkit.parsing import parse_file, parse_path_or_text, parse_text
from toolkit.parsing.tables import split_digits
from toolkit.parsing.title import extract_title
from toolkit.parsing.headers import simplified
from toolkit.parsing.memo import per_text
from toolkit.textnorm import clean, half_width, normalize

from support import T3_LABELS

REPORTS = Path(__file__).resolve().parents[1] / "corpus" / "reports"
SEED = {
    "000": REPORTS / "000_390bec4f8b72bc77.txt",
    "001": REPORTS / "001_0d529075b8579b4b.txt",
    "002": REPORTS / "002_0a737c20a99ed187.txt",
    "003": REPORTS / "003_03a04d677c33f02f.txt",
    "004": REPORTS / "004_90c37852d1e90522.txt",
}

# Table 2, every value, read from each seed's section 二.
T2 = {
    "000": {"rules": (0, 0, 0), "normative_docs": (0, 0, 2), "licensing": 0, "penalty": 0, "coercion": 0, "fees": 0},
    "001": {"rules": (0, 0, 0), "normative_docs": (1, 0, 3), "licensing": 71, "penalty": 6, "coercion": 0, "fees": 150},
    "003": {"rules": (0, 0, 0), "normative_docs": (0, 0, 1), "licensing": 17, "penalty": 0, "coercion": 0, "fees": 0},
    "004": {"rules": (0, 0, 0), "normative_docs": (1, 0, 1), "licensing": 0, "penalty": 0, "coercion": 0, "fees": 0},
}
# Table 3 totals column for the rows that carry the arithmetic, read by hand.
T3_TOTALS = {
    "000": {"new_received": 0, "carried_over": 0, "granted": 0, "total_handled": 0, "carried_forward": 0},
    "001": {"new_received": 0, "carried_over": 0, "granted": 0, "total_handled": 0, "carried_forward": 0},
    "003": {"new_received": 1, "carried_over": 0, "granted": 1, "total_handled": 1, "carried_forward": 0},
    "004": {"new_received": 0, "carried_over": 0, "granted": 0, "total_handled": 0, "carried_forward": 0},
}


def t2_as_expected(t2: dict) -> dict:
    out = {}
    for key, cols in t2.items():
        vals = tuple(cols.values())
        out[key] = vals if len(vals) > 1 else vals[0]
    return out


@pytest.mark.parametrize("seed", ["000", "001", "003", "004"])
def test_seed_table2_every_value(seed):
    report = parse_file(SEED[seed])
    assert report.template == "2021"
    assert t2_as_expected(report.tables["t2"]) == T2[seed]


@pytest.mark.parametrize("seed", ["000", "001", "003", "004"])
def test_seed_table3_totals_and_shape(seed):
    t3 = parse_file(SEED[seed]).tables["t3"]
    assert list(t3) == [r.key for r in schema.T3_ROWS]
    for row, expected in T3_TOTALS[seed].items():
        assert t3[row]["total"] == expected, row
    # Every cell was read (the seeds' tables are complete).
    assert all(v is not None for cols in t3.values() for v in cols.values())


def test_seed_003_table3_nonzero_cells():
    t3 = parse_file(SEED["003"]).tables["t3"]
    nonzero = {(r, c): v for r, cols in t3.items() for c, v in cols.items() if v}
    # 003 received one application from a natural person and granted it.
    assert nonzero == {
        ("new_received", "natural_person"): 1, ("new_received", "total"): 1,
        ("granted", "natural_person"): 1, ("granted", "total"): 1,
        ("total_handled", "natural_person"): 1, ("total_handled", "total"): 1,
    }


@pytest.mark.parametrize("seed", ["000", "001", "003", "004"])
def test_seed_table4_all_zero(seed):
    t4 = parse_file(SEED[seed]).tables["t4"]
    assert list(t4) == ["reconsideration", "litigation_direct", "litigation_after"]
    assert all(v == 0 for cols in t4.values() for v in cols.values())
    assert sum(len(c) for c in t4.values()) == 15


def test_seed_002_has_no_tables_not_zeros():
    report = parse_file(SEED["002"])
    assert report.tables == {"t2": None, "t3": None, "t4": None}
    assert report.template is None
    assert any("t3: table not found" in w for w in report.warnings)
    # Its headings have no numerals (主动公开政府信息情况) yet all six sections are found.
    assert all(report.sections[n] is not None for n in "123456")
    assert report.sections["5"].startswith("2023年，文登区民政局政府信息公开工作取得了新的进展")


@pytest.mark.parametrize("seed,agency,year", [
    ("000", "鸡东县民政局", 2023), ("001", "重庆市开州区民政局", 2024), ("002", "威海市文登区民政局", 2023),
    ("003", "吴忠市民政局", 2023), ("004", "卫辉市民政局", 2022),
])
def test_title_agency_year(seed, agency, year):
    report = parse_file(SEED[seed])
    assert (report.agency, report.year) == (agency, year)
    assert report.report_id == SEED[seed].stem


def test_sections_in_order_and_bounded():
    report = parse_file(SEED["000"])
    assert report.sections["1"].startswith("（一）主动公开情况")
    assert report.sections["6"].startswith("按照《国务院办公厅关于印发")
    assert "存在的问题" in report.sections["5"] and "其他需要报告" not in report.sections["5"]


def test_word_artefacts_removed():
    report = parse_file(SEED["000"])
    assert "[bookmark" not in report.sections["1"]
    assert "**" not in parse_file(SEED["003"]).sections["5"]


# ------------------------------------------------------------ other layouts

def _seed_text(seed: str) -> str:
    return SEED[seed].read_text(encoding="utf-8")


def _t3_block(rows: list[tuple[str, list[int]]], sep: str) -> str:
    return "\n".join(label + sep + sep.join(str(v) for v in vals) for label, vals in rows)


# A t3 that satisfies every identity: 12 received (10 people, 2 firms), 3 carried over.
T3_VALUES = {0: [10, 2, 0, 0, 0, 0, 12], 1: [3, 0, 0, 0, 0, 0, 3], 2: [6, 1, 0, 0, 0, 0, 7],
             3: [1, 0, 0, 0, 0, 0, 1], 12: [4, 0, 0, 0, 0, 0, 4], 23: [11, 1, 0, 0, 0, 0, 12],
             24: [2, 1, 0, 0, 0, 0, 3]}


def _report(t2: str, t3: str, t4: str) -> str:
    return (
        "某某县教育局2023年政府信息公开工作年度报告\n一、总体情况\n本年收到申请12件。\n"
        f"二、主动公开政府信息情况\n{t2}\n三、收到和处理政府信息公开申请情况\n{t3}\n"
        f"四、政府信息公开行政复议、行政诉讼情况\n{t4}\n五、存在的主要问题及改进情况\n一是不足。\n"
        "六、其他需要报告的事项\n无。\n"
    )


def _expected_t3():
    return {i: T3_VALUES.get(i, [0] * 7) for i in range(25)}


def _check_t3(t3):
    rows = [r.key for r in schema.T3_ROWS]
    for i, vals in _expected_t3().items():
        assert list(t3[rows[i]].values()) == vals, rows[i]


T2_TEXT = ("第二十条第(一)项\n信息内容 本年制发件数 本年废止件数 现行有效件数\n规章 1 0 5\n行政规范性文件 3 1 20\n"
           "第二十条第(五)项\n信息内容 本年处理决定数量\n行政许可 135\n第二十条第(六)项\n行政处罚 88\n行政强制 4\n"
           "第二十条第(八)项\n本年收费金额(单位:万元)\n行政事业性收费 12.5")
T4_VALUES = [1, 1, 0, 0, 2, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]


def test_markdown_tables():
    t3 = "| 申请人情况 | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |\n|---|---|---|---|---|---|---|---|\n"
    t3 += "\n".join(f"| {lab} | " + " | ".join(str(v) for v in _expected_t3()[i]) + " |" for i, lab in enumerate(T3_LABELS))
    t4 = "| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |\n|---|---|---|---|---|\n| " + " | ".join(map(str, T4_VALUES)) + " |"
    t2 = "| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n|---|---|---|---|\n| **规章** | 1 | 0 | 5 |\n" \
         "| 行政规范性文件 | 3 | 1 | 20 |\n| 信息内容 | 本年处理决定数量 |\n| 行政许可 | 135 |\n| 行政处罚 | 88 |\n" \
         "| 行政强制 | 4 |\n| 信息内容 | 本年收费金额(单位:万元) |\n| 行政事业性收费 | 12.5 |"
    report = parse_text(_report(t2, t3, t4))
    _check_t3(report.tables["t3"])
    assert report.tables["t2"]["normative_docs"] == {"made": 3, "repealed": 1, "in_force": 20}
    assert report.tables["t2"]["fees"] == {"amount": 12.5}
    assert report.tables["t4"]["reconsideration"] == {"upheld": 1, "corrected": 1, "other": 0, "pending": 0, "total": 2}
    assert report.tables["t4"]["litigation_direct"]["total"] == 1
    assert not [w for w in report.warnings if w.startswith(("t2", "t3", "t4"))]


def test_full_width_digits_and_brackets():
    text = _report(T2_TEXT, _t3_block(list(zip(T3_LABELS, _expected_t3().values())), "\t"),
                   "\t".join(map(str, T4_VALUES)))
    full = text.translate(str.maketrans("0123456789()", "０１２３４５６７８９（）"))
    report = parse_text(full)
    _check_t3(report.tables["t3"])
    assert report.tables["t2"]["licensing"] == {"decisions": 135}


def test_jammed_digits_from_seed_003():
    # Seed 003's table 3 with every separator removed, as web scrapers flatten it.
    text = _seed_text("003")
    start, end = text.index("一、本年新收"), text.index("四、政府信息公开行政复议")
    jammed = text[:start] + "".join(text[start:end].split()) + "\n" + text[end:]
    assert "一、本年新收政府信息公开申请数量1000001二、" in jammed
    t3 = parse_text(jammed).tables["t3"]
    assert t3["new_received"] == {"natural_person": 1, "commercial": 0, "research": 0, "social_org": 0,
                                  "legal_service": 0, "other_org": 0, "total": 1}
    assert t3["granted"]["total"] == 1
    assert t3["denied.state_secret"]["total"] == 0  # "00000002.其他…": the 2. is the next label's number
    assert t3["other.other"]["total"] == 0
    assert all(v is not None for cols in t3.values() for v in cols.values())


def test_jammed_table2_single_values():
    t2 = "规章000行政规范性文件001行政许可273行政处罚135行政强制54行政事业性收费739.0766"
    report = parse_text(_report("第二十条第(一)项信息内容本年制发件数本年废止件数现行有效件数" + t2, "", ""))
    t2 = report.tables["t2"]
    assert t2["rules"] == {"made": 0, "repealed": 0, "in_force": 0}
    assert t2["normative_docs"] == {"made": 0, "repealed": 0, "in_force": 1}
    assert t2["penalty"] == {"decisions": 135} and t2["coercion"] == {"decisions": 54}
    assert t2["fees"] == {"amount": 739.0766}


def test_jammed_ambiguous_row_left_missing():
    # "5225" into three cells: 5|2|25, 5|22|5, 52|2|5 — no arithmetic decides.
    report = parse_text(_report("第二十条第(一)项 本年制发件数\n行政规范性文件5225\n行政许可 3", "", ""))
    assert report.tables["t2"]["normative_docs"] == {"made": None, "repealed": None, "in_force": None}
    assert any("t2.normative_docs" in w and "several splits" in w for w in report.warnings)
    assert report.tables["t2"]["licensing"] == {"decisions": 3}


def test_jammed_row_resolved_only_by_arithmetic():
    rows = [(lab, vals) for lab, vals in zip(T3_LABELS, _expected_t3().values())]
    block = "".join(lab + "".join(map(str, vals)) for lab, vals in rows)
    report = parse_text(_report("", block, ""))
    t3 = report.tables["t3"]
    # "10200012" has several splits; only 10|2|0|0|0|0|12 has the six columns summing to the total.
    assert list(t3["new_received"].values()) == [10, 2, 0, 0, 0, 0, 12]
    assert any("t3.new_received" in w and "arithmetic" in w for w in report.warnings)
    # "111000012" balances both as 11|1|0|0|0|0|12 and 1|11|0|0|0|0|12; the outcome rows,
    # all read (granted 6|1, partial 1|0, not held 4|0), sum to 11|1|0|0|0|0|12: that split.
    assert list(t3["total_handled"].values()) == [11, 1, 0, 0, 0, 0, 12]
    assert any("t3.total_handled" in w and "several splits" in w for w in report.warnings)
    assert any("t3.total_handled" in w and "column sums" in w for w in report.warnings)
    assert list(t3["carried_forward"].values()) == [2, 1, 0, 0, 0, 0, 3]  # 7 digits, 7 cells
    assert list(t3["granted"].values()) == [6, 1, 0, 0, 0, 0, 7]
    # With an outcome row and the carried-forward row unreadable (290余), neither the outcome
    # sum nor the balance pins the split: left missing.
    rows[3] = (rows[3][0], ["290余"] + [0] * 6)
    rows[24] = (rows[24][0], ["290余"] + [0] * 6)
    block = "".join(lab + "".join(map(str, vals)) for lab, vals in rows)
    t3 = parse_text(_report("", block, "")).tables["t3"]
    assert set(t3["partially_granted"].values()) == {None}
    assert set(t3["total_handled"].values()) == {None}


def test_jammed_row_with_no_certain_split_is_missing():
    block = "一、本年新收政府信息公开申请数量121010014二、上年结转政府信息公开申请数量0000000三、本年度办理结果(一)予以公开0000000"
    t3 = parse_text(_report("", block, "")).tables["t3"]
    # 12|1|0|1|0|0|14 and 1|2|10|1|0|0|14 both balance: not certain.
    assert set(t3["new_received"].values()) == {None}
    assert t3["carried_over"]["total"] == 0


def test_jammed_table4():
    t4 = "行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计" + "".join(map(str, T4_VALUES))
    t4_parsed = parse_text(_report("", "", t4)).tables["t4"]
    assert [v for cols in t4_parsed.values() for v in cols.values()] == T4_VALUES


def test_split_digits():
    assert split_digits("1000001", [7]) == [[1, 0, 0, 0, 0, 0, 1]]
    assert len(split_digits("1023", [3])) == 2  # 1|0|23 and 10|2|3 (1|02|3 has a leading zero)
    assert split_digits("100000010", [7], lambda v: sum(v[:-1]) == v[-1]) == [[10, 0, 0, 0, 0, 0, 10]]
    assert split_digits("12", [3]) == []


def test_split_digits_one_digit_a_cell():
    # As many digits as cells: each digit is a cell, the group's arithmetic still applies.
    assert split_digits("2103", [4]) == [[2, 1, 0, 3]]
    assert split_digits("11020", [3, 2]) == [[1, 1, 0, 2, 0]]
    assert split_digits("1102", [4], lambda v: sum(v[:-1]) == v[-1]) == [[1, 1, 0, 2]]
    assert split_digits("1103", [4], lambda v: sum(v[:-1]) == v[-1]) == []
    assert split_digits("1102", [4], max_solutions=0) == []


def test_half_width_and_clean():
    assert half_width("（一）共１２件，Ａ　Ｂ\xa0") == "(一)共12件,A B "
    assert half_width("没有全角字符") == "没有全角字符"
    # Carriage returns, runs of ideographic spaces, zero-width marks and Word/markdown artefacts.
    assert clean("甲\r\n乙\r丙\u3000\u3000丁\u200b**戊**[bookmark: x]己<br/>庚") == "甲\n乙\n丙\n丁戊己庚"
    assert clean("一个　空格") == "一个　空格"


def test_simplified_converts_only_what_t2s_converts():
    # Single characters, and a phrase whose characters are no keys of their own (沈默 → 沉默).
    assert simplified("申請人情況") == "申请人情况"
    assert simplified("沈默") == "沉默"
    assert simplified("行政復議 結果維持") == "行政复议 结果维持"
    # Nothing to convert: the text comes back as it is (有序 maps to itself).
    assert simplified("自然人 法人或其他组织 有序") == "自然人 法人或其他组织 有序"


def test_per_text_keeps_only_short_texts():
    calls = []

    @per_text(maxsize=8, longest=5)
    def reading(text, n):
        calls.append(text)
        return len(text) * n

    assert [reading("短文本", 2), reading("短文本", 2), reading("短文本", 3)] == [6, 6, 9]
    assert calls == ["短文本", "短文本"]  # the second reading of ("短文本", 2) was kept
    assert [reading("六个字的文本", 1), reading("六个字的文本", 1)] == [6, 6]
    assert calls[2:] == ["六个字的文本", "六个字的文本"]  # longer than 5: read each time


def test_a_report_read_twice_is_read_the_same_after_its_first_reading_is_changed():
    text = _report(T2_TEXT, _t3_block(list(zip(T3_LABELS, _expected_t3().values())), "\t"),
                   "\t".join(map(str, T4_VALUES))).replace("本年收到申请12件", "本年收到政府信息公开申请12件")
    first = parse_text(text)
    expected = first.to_dict()
    assert [(s["row"], s["value"]) for s in first.statements] == [("new_received", 12)]
    # What a caller does to one reading never reaches the next one.
    first.tables["t3"]["new_received"]["total"] = 999
    first.tables["t2"]["licensing"]["decisions"] = 999
    first.warnings.append("changed")
    for st in first.statements:
        st["value"] = -1
    assert parse_text(text).to_dict() == expected


def test_blank_cell_is_missing_not_zero():
    rows = list(zip(T3_LABELS, _expected_t3().values()))
    lines = [lab + "\t" + "\t".join(map(str, v)) for lab, v in rows]
    lines[2] = T3_LABELS[2] + "\t6\t1\t\t\t\t\t7"  # blanks, not zeros: which ones is unknowable in text
    lines[2] = T3_LABELS[2] + "\t6\t\t7"
    report = parse_text(_report("", "\n".join(lines), ""))
    assert set(report.tables["t3"]["granted"].values()) == {None}
    assert any("t3.granted" in w and "found 2 values" in w for w in report.warnings)


def test_approximate_number_is_not_a_value():
    report = parse_text(_report("第二十条 本年处理决定数量\n行政许可 290余\n行政处罚 3", "", ""))
    assert report.tables["t2"]["licensing"] == {"decisions": None}
    assert report.tables["t2"]["penalty"] == {"decisions": 3}


def test_label_typos_and_split_labels():
    text = _seed_text("004")  # uses 本年度止件数 and 社会组织
    assert "本年度止件数" in text and "社会组织" in text
    t2 = parse_file(SEED["004"]).tables["t2"]
    assert t2["normative_docs"] == {"made": 1, "repealed": 0, "in_force": 1}
    split = _report("", _t3_block(list(zip(T3_LABELS, _expected_t3().values())), " ").replace(
        "本年新收政府信息公开申请数量", "本年新收政府信息\n公开申请数量"), "")
    assert parse_text(split).tables["t3"]["new_received"]["total"] == 12


def test_absent_row_is_absent():
    report = parse_text(_report("第二十条 本年制发件数\n行政规范性文件 1 0 3\n行政许可 2", "", ""))
    assert "rules" not in report.tables["t2"]
    assert report.tables["t2"]["normative_docs"] == {"made": 1, "repealed": 0, "in_force": 3}


def test_truncated_table3():
    rows = list(zip(T3_LABELS, _expected_t3().values()))[:6]
    report = parse_text(_report("", _t3_block(rows, "\t"), ""))
    t3 = report.tables["t3"]
    assert t3["new_received"]["total"] == 12
    assert set(t3["total_handled"].values()) == {None}
    assert any("t3.total_handled: row label not found" in w for w in report.warnings)


# ------------------------------------------------------------ bad input

def test_empty_file(tmp_path):
    f = tmp_path / "empty.txt"
    f.write_bytes(b"")
    with pytest.raises(ReportError, match=r"empty\.txt: empty file"):
        parse_file(f)


def test_binary_file(tmp_path):
    f = tmp_path / "image.txt"
    f.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(ReportError, match=r"image\.txt: binary file"):
        parse_file(f)


def test_not_a_report(tmp_path):
    f = tmp_path / "recipe.txt"
    f.write_text("番茄炒蛋\n先炒蛋，再炒番茄，最后加盐。\n", encoding="utf-8")
    with pytest.raises(ReportError, match=r"recipe\.txt: not a government information disclosure annual report"):
        parse_file(f)


def test_gbk_file_reads_with_warning(tmp_path):
    f = tmp_path / "gbk.txt"
    f.write_bytes(_seed_text("003").encode("gb18030"))
    report = parse_file(f)
    assert report.tables["t2"]["licensing"] == {"decisions": 17}
    assert report.tables["t3"]["new_received"]["total"] == 1
    assert any("not UTF-8" in w for w in report.warnings)


def test_utf8_bom_and_crlf(tmp_path):
    f = tmp_path / "bom.txt"
    f.write_bytes(b"\xef\xbb\xbf" + _seed_text("001").replace("\n", "\r\n").encode("utf-8"))
    report = parse_file(f)
    assert report.tables["t2"]["licensing"] == {"decisions": 71}
    assert report.agency == "重庆市开州区民政局"


def test_missing_file():
    with pytest.raises(ReportError, match="no such file"):
        parse_path_or_text("does/not/exist.txt")


def test_parse_path_or_text_accepts_text_and_path():
    by_path = parse_path_or_text(SEED["001"])
    by_str = parse_path_or_text(str(SEED["001"]))
    by_text = parse_path_or_text(_seed_text("001"))
    assert by_path.tables == by_str.tables == by_text.tables
    assert by_text.report_id is None


def test_the_public_parse_report_is_the_checked_one():
    # One parse_report in the public API: it parses and audits the report on its own, so its
    # JSON carries the checks `xxgk parse` prints; the parsing layer's path-or-text reader
    # has another name.
    import toolkit as tk
    import toolkit.parsing
    from toolkit.checks import CheckedReport

    report = tk.parse_report(SEED["001"])
    assert isinstance(report, CheckedReport)
    assert report.tables["t2"]["licensing"] == {"decisions": 71}
    assert report.checks and {"check", "passed", "detail"} <= set(report.to_dict()["checks"][0])
    assert not hasattr(toolkit.parsing, "parse_report")


def test_input_not_modified(tmp_path):
    f = tmp_path / "r.txt"
    data = SEED["000"].read_bytes()
    f.write_bytes(data)
    parse_file(f)
    assert f.read_bytes() == data


def test_normalize_and_title():
    assert normalize("（一）１２") == "(一)12"
    assert extract_title("威海市文登区民政局\n\n2023年政府信息公开工作年度报告\n正文") == (
        "威海市文登区民政局2023年政府信息公开工作年度报告", "威海市文登区民政局", 2023)
    assert extract_title("根据《条例》规定，现将我局2023年政府信息公开工作年度报告公布如下，" * 2) == (None, None, None)


def test_a_row_label_printed_twice_is_not_read():
    """Two rows labelled 予以公开 with different numbers: which copy holds the row is not
    certain, so neither is read (reading the first gave 1 where the other copy says 2)."""
    text = (REPORTS / "003_03a04d677c33f02f.txt").read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if "予以公开" in ln)
    twice = text.replace(line, line + "\n" + line.replace("1", "2"), 1)
    report = parse_text(twice)
    assert set(report.tables["t3"]["granted"].values()) == {None}
    assert set(report.cell_status["t3"]["granted"].values()) == {"ambiguous"}
    assert any("t3.granted" in w and "twice" in w for w in report.warnings)
    # Printed once, the same row is read.
    assert parse_text(text).tables["t3"]["granted"]["total"] == 1


def test_a_report_before_the_template_gets_one_note_not_a_warning_per_table():
    # 河北省教育厅 2014: 一、概述 … 六、存在的主要问题 in the older format, no tables, no 其他需要报告的事项.
    path = Path(__file__).resolve().parents[1] / "corpus" / "reports" / "2014_7e3ea66ddf3d7e64.txt"
    report = parse_path_or_text(path)
    assert report.template == "pre-2019"
    assert len(report.warnings) == 1, report.warnings
    note = report.warnings[0]
    assert note.startswith("report year 2014 predates the fixed template (2019)")
    assert note.split("template sections not found: ")[1].split(", ")[-1] == "6"


# The pre-2019 template's problems heading without 及改进措施, as 河北省教育厅 2014 prints it.
_PRE_2019 = ("一、概述\n本年度工作平稳。\n二、主动公开政府信息情况\n主动公开信息1635条。\n"
             "三、依申请公开政府信息情况\n收到申请3件。\n{middle}\n")


def test_bare_pre_2019_problems_heading_is_section_5():
    from toolkit.parsing.sections import find_sections

    text = _PRE_2019.format(middle="六、存在的主要问题\n主要是主动公开的意识有待进一步加强。")
    s, e = find_sections(text)["5"]
    assert text[s:e].strip() == "主要是主动公开的意识有待进一步加强。"
    assert text[slice(*find_sections(text)["2"])].strip() == "主动公开信息1635条。\n三、依申请公开政府信息情况\n收到申请3件。"
    # 七、存在的问题： as a whole numbered line is the same heading
    text = _PRE_2019.format(middle="七、存在的问题：\n一是更新不及时。")
    assert text[slice(*find_sections(text)["5"])].strip() == "一是更新不及时。"


@pytest.mark.parametrize("line", [
    "存在的主要问题",                       # not numbered
    "（一）存在的主要问题",                 # a sub-heading inside a section
    "四、存在的主要问题是人手不足。",        # a numbered sentence, not a heading
    "存在的主要问题是人手不足。",           # a short body line
])
def test_bare_problems_words_are_no_heading_unless_a_whole_numbered_line(line):
    from toolkit.parsing.sections import find_sections

    assert find_sections(_PRE_2019.format(middle=line + "\n一是更新不及时。"))["5"] is None
