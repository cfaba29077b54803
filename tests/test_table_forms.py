"""Each table read in its own form: columns matched by their header, the template decided per
table, (六)其他处理 as one row carried through to load_tables and the indicators, printed rows
kept under a broken column identity, table-3 pieces split over pages, and two reports in one
file.  Every report here is written in the test; expected values are the ones written into
it, never the parser's output."""
from __future__ import annotations

import pytest

from toolkit import schema
from toolkit.analysis import compute_indicators
from toolkit.checks import check_report
from toolkit.data.frames import ReportRecord, reports_frame, tables_frame
from toolkit.errors import ReportError
from toolkit.parsing import parse_file, parse_text
from toolkit.reading import Grid

from support import T3_LABELS

T3_KEYS = [r.key for r in schema.T3_ROWS]
T3_COLS = [c.key for c in schema.T3_COLUMNS]
# 27 received: 20 people, 3 firms, 1 research body, 2 legal services, 1 other; 26 granted, one
# "other" handling (3.其他); nothing carried over or forward.
ZERO = [0] * 7
ROWS = {k: ZERO for k in T3_KEYS}
ROWS.update({"new_received": [20, 3, 1, 0, 2, 1, 27], "granted": [19, 3, 1, 0, 2, 1, 26],
             "other.other": [1, 0, 0, 0, 0, 0, 1], "total_handled": [20, 3, 1, 0, 2, 1, 27]})

T2_2021 = "第二十条第(一)项 信息内容 本年制发件数 本年废止件数 现行有效件数\n规章 2 1 30\n行政规范性文件 1 0 3"
T2_2019 = ("第二十条第(一)项 信息内容 本年新制作数量 本年新公开数量 对外公开总数量\n规章 0 0 0\n"
           "规范性文件 2 2 9\n第二十条第(五)项 信息内容 上一年项目数量 本年增/减 处理决定数量\n行政许可 5 0 7")
T4 = "行政复议 行政诉讼\n结果维持 结果纠正 其他结果 尚未审结 总计\n2 1 0 0 3 0 0 0 0 0 0 0 0 0 0"


def text_report(t3: str, *, t2: str = T2_2021, t4: str = T4, one: str = "本年收到申请若干。",
                year: int = 2023, title: str | None = None) -> str:
    title = title or f"某某县人民政府办公室{year}年政府信息公开工作年度报告"
    return (f"{title}\n一、总体情况\n{one}\n二、主动公开政府信息情况\n{t2}\n"
            f"三、收到和处理政府信息公开申请情况\n{t3}\n四、政府信息公开行政复议、行政诉讼情况\n{t4}\n"
            "五、存在的主要问题及改进情况\n一是不足。\n六、其他需要报告的事项\n无。\n")


def t3_lines(rows=ROWS, keys=T3_KEYS, labels=T3_LABELS) -> str:
    return "\n".join(lab + "\t" + "\t".join(map(str, rows[k])) for k, lab in zip(keys, labels))


def one_other_row_lines(value: list[int]) -> str:
    """A 2021 table 3 printing (六)其他处理 as one row (its three sub-rows not printed)."""
    lines = [lab + "\t" + "\t".join(map(str, ROWS[k])) for k, lab in zip(T3_KEYS, T3_LABELS)
             if not k.startswith("other.")]
    lines.insert(20, "(六)其他处理\t" + "\t".join(map(str, value)))
    return "\n".join(lines)


def frames(rep):
    parsed = [ReportRecord({"report_id": "r", "agency": "某某县人民政府办公室", "year": 2023}, rep)]
    return reports_frame(parsed), tables_frame(parsed)


def other_rate(rep) -> float:
    reports, tables = frames(rep)
    ind = compute_indicators(reports, tables, names=["other_rate"])
    return ind["value"].iloc[0]


# ------------------------------------------------------------------ HTML tables read by header

_T3_HEADER_WORDS = {"natural_person": "自然人", "commercial": "商业<br>企业", "research": "科研<br>机构",
                    "social_org": "社会公益组织", "legal_service": "法律服务机构", "other_org": "其他", "total": "总计"}


def html_t3(order=T3_COLS, words=None) -> str:
    """Table 3 as published HTML (the 申请人情况 / 法人或其他组织 header rows), its applicant
    columns in *order* (header and data alike); *words* replaces header words."""
    words = {**_T3_HEADER_WORDS, **(words or {})}
    org = [c for c in order if c not in ("natural_person", "total")]
    assert order[0] == "natural_person" and order[-1] == "total"
    head = ("<tr><td colspan='2' rowspan='2'>(本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和)</td>"
            "<td colspan='7'>申请人情况</td></tr>"
            f"<tr><td rowspan='2'>{words['natural_person']}</td><td colspan='5'>法人或其他组织</td>"
            f"<td rowspan='2'>{words['total']}</td></tr>"
            "<tr><td colspan='2'>&nbsp;</td>" + "".join(f"<td>{words[c]}</td>" for c in org) + "</tr>")
    body = []
    for k, lab in zip(T3_KEYS, T3_LABELS):
        vals = dict(zip(T3_COLS, ROWS[k]))
        body.append(f"<tr><td colspan='2'>{lab}</td>" + "".join(f"<td>{vals[c]}</td>" for c in order) + "</tr>")
    return "<table>" + head + "".join(body) + "</table>"


def html_t4(first=("结果维持", "结果纠正")) -> str:
    """Table 4 with the reconsideration block's first two columns headed *first* (data alike):
    reconsideration upheld 2, corrected 1, total 3."""
    value = {"结果维持": 2, "结果纠正": 1}
    block = ["其他结果", "尚未审结", "总计"]
    head = ("<tr><td colspan='5'>行政复议</td><td colspan='10'>行政诉讼</td></tr>"
            "<tr>" + "".join(f"<td rowspan='2'>{w}</td>" for w in [*first, *block])
            + "<td colspan='5'>未经复议直接起诉</td><td colspan='5'>复议后起诉</td></tr>"
            "<tr>" + "".join(f"<td>{w}</td>" for w in ["结果维持", "结果纠正", *block] * 2) + "</tr>")
    data = [value[first[0]], value[first[1]], 0, 0, 3] + [0] * 10
    return "<table>" + head + "<tr>" + "".join(f"<td>{v}</td>" for v in data) + "</tr></table>"


def html_t2(header=("本年制发件数", "本年废止件数", "现行有效件数")) -> str:
    """Table 2's first block with its columns headed in *header* order (data alike): rules
    made 2, repealed 1, in force 30."""
    value = {"本年制发件数": 2, "本年废止件数": 1, "现行有效件数": 30, "本年印发件数": 2}
    return ("<table><tr><td colspan='4'>第二十条第（一）项</td></tr>"
            "<tr><td>信息内容</td>" + "".join(f"<td>{h}</td>" for h in header) + "</tr>"
            "<tr><td>规章</td>" + "".join(f"<td>{value[h]}</td>" for h in header) + "</tr>"
            "<tr><td colspan='4'>第二十条第（五）项</td></tr><tr><td>信息内容</td><td colspan='3'>本年处理决定数量</td></tr>"
            "<tr><td>行政许可</td><td colspan='3'>17</td></tr></table>")


def html_report(tmp_path, name: str, t2: str | None = None, t3: str | None = None, t4: str | None = None):
    html = ("<html><head><meta charset='utf-8'></head><body>"
            "<h1>某某县人民政府办公室2023年政府信息公开工作年度报告</h1><p>一、总体情况</p><p>本年收到申请若干。</p>"
            f"<p>二、主动公开政府信息情况</p>{t2 or html_t2()}"
            f"<p>三、收到和处理政府信息公开申请情况</p>{t3 or html_t3()}"
            f"<p>四、政府信息公开行政复议、行政诉讼情况</p>{t4 or html_t4()}"
            "<p>五、存在的主要问题及改进情况</p><p>一是不足。</p><p>六、其他需要报告的事项</p><p>无。</p></body></html>")
    path = tmp_path / f"{name}.html"
    path.write_text(html, encoding="utf-8")
    return parse_file(path)


def t3_values(rep) -> dict:
    return {k: list(v.values()) for k, v in rep.tables["t3"].items()}


def test_html_t3_in_template_order_is_read(tmp_path):
    rep = html_report(tmp_path, "plain")
    assert t3_values(rep) == ROWS
    assert rep.tables["t4"]["reconsideration"]["upheld"] == 2 and rep.tables["t2"]["rules"]["in_force"] == 30


def test_html_t3_columns_swapped_in_header_and_data_are_read_by_header(tmp_path):
    order = ["natural_person", "research", "commercial", "social_org", "legal_service", "other_org", "total"]
    rep = html_report(tmp_path, "swapped", t3=html_t3(order))
    assert rep.tables["t3"]["new_received"] == dict(zip(T3_COLS, [20, 3, 1, 0, 2, 1, 27]))
    assert t3_values(rep) == ROWS


def test_html_t3_header_variants_still_match(tmp_path):
    # 社会组织 for 社会公益组织, 合计 for 总计, 法律服务机构 broken over lines.
    rep = html_report(tmp_path, "variants", t3=html_t3(words={"social_org": "社会组织", "total": "合计",
                                                              "legal_service": "法律服务<br>机构"}))
    assert t3_values(rep) == ROWS


def test_html_t3_header_that_names_another_column_leaves_the_table_missing(tmp_path):
    rep = html_report(tmp_path, "unmatched", t3=html_t3(words={"research": "个体工商户"}))
    t3 = rep.tables["t3"]
    assert t3 is not None and all(v is None for row in t3.values() for v in row.values())
    assert rep.status_of("t3", "new_received", "natural_person") == "label_not_found"
    assert any(w.startswith("t3: the applicant columns cannot be matched by their header") for w in rep.warnings)


def test_html_t4_columns_swapped_are_read_by_header(tmp_path):
    rep = html_report(tmp_path, "t4swap", t4=html_t4(("结果纠正", "结果维持")))
    assert rep.tables["t4"]["reconsideration"] == {"upheld": 2, "corrected": 1, "other": 0, "pending": 0,
                                                  "total": 3}


def test_html_t4_header_naming_a_column_twice_leaves_the_table_missing(tmp_path):
    rep = html_report(tmp_path, "t4bad", t4=html_t4(("结果维持", "结果维持")).replace("<td>1</td>", "<td>2</td>", 1))
    assert all(v is None for row in rep.tables["t4"].values() for v in row.values())
    assert rep.status_of("t4", "reconsideration", "upheld") == "label_not_found"


def test_html_t2_columns_in_another_order_are_read_by_header(tmp_path):
    rep = html_report(tmp_path, "t2swap", t2=html_t2(("现行有效件数", "本年制发件数", "本年废止件数")))
    assert rep.tables["t2"]["rules"] == {"made": 2, "repealed": 1, "in_force": 30}
    assert rep.tables["t2"]["licensing"] == {"decisions": 17}


def test_html_t2_header_naming_other_columns_leaves_the_row_missing(tmp_path):
    rep = html_report(tmp_path, "t2bad", t2=html_t2(("本年制发件数", "本年印发件数", "现行有效件数")))
    assert rep.tables["t2"]["rules"] == {"made": None, "repealed": None, "in_force": None}
    assert rep.status_of("t2", "rules", "made") == "label_not_found"


# ------------------------------------------------------------------ template per table

def test_2021_table_3_beside_a_2019_table_2_is_read_as_2021():
    rep = parse_text(text_report(t3_lines(), t2=T2_2019, year=2020))
    assert rep.template == "2019"
    assert rep.templates == {"t2": "2019", "t3": "2021", "t4": "2019"}
    assert rep.to_dict()["templates"]["t3"] == "2021"
    assert rep.tables["t2"]["licensing"] == {"previous": 5, "change": 0, "decisions": 7}
    assert t3_values(rep) == ROWS
    assert "other.all" not in rep.tables["t3"]
    found = {f["check"]: f["passed"] for f in check_report(rep)}
    assert found["t3.outcomes.total"] is True and found["table_complete.t3"] is True
    _, tables = frames(rep)
    t3 = tables[tables["table"] == "t3"]
    assert set(t3["row"]) == set(T3_KEYS)
    assert t3.set_index(["row", "column"]).loc[("other.other", "total"), "value"] == 1
    assert other_rate(rep) == pytest.approx(1 / 27)


def test_2019_report_keeps_its_one_other_row():
    lines = one_other_row_lines([1, 0, 0, 0, 0, 0, 1])
    rep = parse_text(text_report(lines, t2=T2_2019, year=2020))
    assert rep.templates["t3"] == "2019"
    assert rep.tables["t3"]["other.all"] == dict(zip(T3_COLS, [1, 0, 0, 0, 0, 0, 1]))
    assert other_rate(rep) == pytest.approx(1 / 27)


def test_2021_table_printing_other_handling_as_one_row_reaches_load_tables_and_other_rate():
    rep = parse_text(text_report(one_other_row_lines([1, 0, 0, 0, 0, 0, 1])))
    assert rep.templates["t3"] == "2021"
    _, tables = frames(rep)
    cell = tables[(tables["table"] == "t3") & (tables["row"] == "other.all") & (tables["column"] == "total")]
    assert list(cell["value"]) == [1] and list(cell["status"].astype(str)) == ["read"]
    assert not ((tables["table"] == "t3") & (tables["row"] == "other.no_fee")).any()  # not printed
    assert other_rate(rep) == pytest.approx(1 / 27)


# ------------------------------------------------------------------ statements

def test_other_handling_stated_in_the_text_is_a_statement():
    lines = one_other_row_lines([None] * 7).replace("None", "")
    rep = parse_text(text_report(lines, t2=T2_2019, year=2020,
                                 one="本年收到申请27件，予以公开26件，其他处理0件。"))
    said = [(s["table"], s["row"], s["column"], s["value"]) for s in rep.statements]
    assert ("t3", "other.all", "total", 0) in said
    assert rep.status_of("t3", "other.all", "total") == "blank"  # the table's blank stays blank


def test_other_handling_statement_of_a_table_with_three_other_rows_names_no_cell():
    rep = parse_text(text_report(t3_lines(), one="本年收到申请27件，其他处理1件。"))
    assert not [s for s in rep.statements if s["row"].startswith("other.")]


# ------------------------------------------------------------------ printed numbers under broken identities

def test_row_split_by_its_own_sum_is_kept_when_a_column_identity_breaks():
    rows = {**ROWS, "total_handled": [20, 3, 1, 0, 2, 1, 21]}  # the source prints 21 against 26 + 1
    parts = []
    for k, lab in zip(T3_KEYS, T3_LABELS):
        shown = "1931 0 2 1 26" if k == "granted" else " ".join(map(str, rows[k]))
        parts.append(f"{lab} {shown}")
    rep = parse_text(text_report(" ".join(parts)))
    # 1931 can only be 19|3|1 with 0 2 1 26 keeping the row's own sum: that is what is printed.
    assert rep.tables["t3"]["granted"] == dict(zip(T3_COLS, [19, 3, 1, 0, 2, 1, 26]))
    assert rep.tables["t3"]["total_handled"]["total"] == 21
    failed = {f["check"] for f in check_report(rep) if f["passed"] is False}
    assert "t3.outcomes.total" in failed


# ------------------------------------------------------------------ table 3 split over pages

def _grid_rows(keys) -> list[list[str]]:
    return [[lab, *map(str, ROWS[k])] for k, lab in zip(T3_KEYS, T3_LABELS) if k in keys]


HEADER = [["", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]]


@pytest.mark.parametrize("cut", [2, 23])
def test_table_3_piece_of_fewer_than_three_rows_is_joined(cut):
    first, last = T3_KEYS[:cut], T3_KEYS[cut:]
    grids = [Grid(HEADER + _grid_rows(first)), Grid(_grid_rows(last))]
    text = text_report("\n".join("\t".join(r) for g in grids for r in g.rows))
    rep = parse_text(text, grids=grids)
    assert t3_values(rep) == ROWS
    assert not [w for w in rep.warnings if "label not found" in w]


# ------------------------------------------------------------------ two reports in one file

def test_two_reports_in_one_text_file_are_refused(tmp_path):
    one = text_report(t3_lines())
    two = text_report(t3_lines(), title="某某县民政局2023年政府信息公开工作年度报告")
    path = tmp_path / "two.txt"
    path.write_text(one + "\n\n" + two, encoding="utf-8")
    with pytest.raises(ReportError, match="two reports in one file") as err:
        parse_file(path)
    assert "\n" not in str(err.value) and "two.txt" in str(err.value)
    assert "某某县民政局" in str(err.value)
    # One report alone is read.
    assert parse_text(one).tables["t3"]["new_received"]["total"] == 27


def test_a_batch_carries_on_past_a_file_with_two_reports(tmp_path):
    from toolkit.data.workers import parse_path

    second = text_report(t3_lines(), title="某某县民政局2023年政府信息公开工作年度报告")
    (tmp_path / "bad.txt").write_text(text_report(t3_lines()) + second, encoding="utf-8")
    (tmp_path / "good.txt").write_text(text_report(t3_lines()), encoding="utf-8")
    bad, good = (parse_path(str(tmp_path / n)) for n in ("bad.txt", "good.txt"))
    assert bad.report is None and bad.error.startswith("two reports in one file")
    assert good.error is None and good.report.tables["t3"]["granted"]["total"] == 26


def test_text_t3_columns_swapped_in_header_and_data_are_read_by_header():
    order = [0, 2, 1, 3, 4, 5, 6]  # 科研机构 printed before 商业企业, header and data alike
    header = ("申请人情况\n自然人\t法人或其他组织\t总计\n科研机构\t商业企业\t社会公益组织\t法律服务机构\t其他\n")
    lines = "\n".join(lab + "\t" + "\t".join(str(ROWS[k][i]) for i in order) for k, lab in zip(T3_KEYS, T3_LABELS))
    rep = parse_text(text_report(header + lines))
    assert rep.tables["t3"]["new_received"] == dict(zip(T3_COLS, [20, 3, 1, 0, 2, 1, 27]))
    assert t3_values(rep) == ROWS


def test_text_t3_header_in_template_order_with_grouping_row_is_read_as_printed():
    header = "申请人情况\n自然人\t法人或其他组织\t总计\n商业\n企业\t科研机构\t社会组织\t法律服务机构\t其他\n"
    rep = parse_text(text_report(header + t3_lines()))
    assert t3_values(rep) == ROWS
