"""Tables whose header prints the columns in another order than the template's are read
by header, in every form (text, markdown, HTML, DOCX, PDF); a header present but not
naming each column once leaves the cells missing, never read by position.  Expected
values are the fixtures' own numbers (tests/header_fixtures.py), distinct per column."""
from __future__ import annotations

import pytest

from toolkit.parsing import parse_file, parse_text

import header_fixtures as F

MISSING = {"label_not_found", "ambiguous"}


def t3_exact(rep):
    assert {k: [rep.tables["t3"][k][c] for c in F.COLS] for _, k in F.ROWS} == F.T3_TRUTH


def t3_missing(rep, status=MISSING):
    t3 = rep.tables["t3"]
    assert t3 is not None
    for _, k in F.ROWS:
        for c in F.COLS:
            assert t3[k][c] is None, (k, c)
            assert rep.status_of("t3", k, c) in status
    assert any(w.startswith("t3: the applicant columns cannot be matched by their header") for w in rep.warnings)


def t3_never_wrong(rep):
    """Every cell the truth's value or missing with a reason."""
    for _, k in F.ROWS:
        for c, want in zip(F.COLS, F.T3_TRUTH[k]):
            got = rep.tables["t3"][k][c]
            assert got == want or got is None and rep.status_of("t3", k, c) is not None, (k, c, got, want)


def t4_exact(rep):
    assert {r: [rep.tables["t4"][r][c] for c in F.T4_COLS] for r in F.T4_TRUTH} == F.T4_TRUTH


def t2_exact(rep):
    t2 = rep.tables["t2"]
    assert {r: [t2[r][c] for c in ("made", "repealed", "in_force")] for r in F.T2_TRUTH} == F.T2_TRUTH


# ------------------------------------------------------------------ text table 3

TEXT_T3 = {
    # Two-row header: 其他 printed on the first row, after 总计 (the four orgs on the second).
    "other_after_total_on_first_row": (F.NOTE + "\t自然人\t法人或其他组织\t\t\t\t总计\t其他\n"
                                       "\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t\t\n", [0, 1, 2, 3, 4, 6, 5]),
    "natural_person_after_the_orgs": (F.NOTE + "\t法人或其他组织\t\t\t\t\t自然人\t总计\n"
                                      "\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t\t\n", [1, 2, 3, 4, 5, 0, 6]),
    "total_first": (F.NOTE + "\t总计\t自然人\t法人或其他组织\n"
                    "\t\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\n", [6, 0, 1, 2, 3, 4, 5]),
    "header_in_traditional_characters": (F.NOTE + "\t自然人\t法人或其他組織\t\t\t\t\t總計\n"
                                         "\t\t科研機構\t商業企業\t社會公益組織\t法律服務機構\t其他\t\n", F.SWAPPED),
}


@pytest.mark.parametrize("name", sorted(TEXT_T3))
def test_text_t3_header_order_decides_every_column(name):
    header, order = TEXT_T3[name]
    t3_exact(parse_text(F.text_report(t3=F.t3_text(header, order))))


def test_text_t3_header_naming_a_column_twice_is_missing():
    header = F.NOTE + "\t自然人\t法人或其他组织\t\t\t\t\t总计\n\t\t科研机构\t科研机构\t社会公益组织\t法律服务机构\t其他\t\n"
    t3_missing(parse_text(F.text_report(t3=F.t3_text(header, F.SWAPPED))), {"ambiguous"})


def test_markdown_t3_header_ending_total_other_is_read_by_header():
    md = ("| 申请人情况 | | | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 总计 | 其他 |\n"
          "|---|---|---|---|---|---|---|---|---|---|\n")
    for label, k in F.ROWS:
        parts = ([p for p in label.split("\t") if p] + ["", ""])[:3]
        md += "| " + " | ".join(parts + [str(F.T3_TRUTH[k][i]) for i in [0, 1, 2, 3, 4, 6, 5]]) + " |\n"
    t3_exact(parse_text(F.text_report(t3=md)))


# ------------------------------------------------------------------ text tables 4 and 2

TEXT_T4 = {
    "total_first": ("行政复议\t\t\t\t\t行政诉讼\n总计\t结果维持\t结果纠正\t其他结果\t尚未审结\t未经复议直接起诉\t\t\t\t\t复议后起诉\n"
                    "\t\t\t\t\t总计\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t结果维持\t结果纠正\t其他结果\t尚未审结\n"
                    "10\t3\t1\t2\t4\t8\t5\t0\t1\t2\t6\t1\t2\t0\t3\n"),
    "litigation_first": ("行政诉讼\t\t\t\t\t\t\t\t\t\t行政复议\n未经复议直接起诉\t\t\t\t\t复议后起诉\t\t\t\t\t\n"
                         + "\t".join(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3)
                         + "\n5\t0\t1\t2\t8\t1\t2\t0\t3\t6\t3\t1\t2\t4\t10\n"),
    "after_before_direct": ("行政复议\t\t\t\t\t行政诉讼\n结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t复议后起诉\t\t\t\t\t未经复议直接起诉\n"
                            "\t\t\t\t\t" + "\t".join(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2)
                            + "\n3\t1\t2\t4\t10\t1\t2\t0\t3\t6\t5\t0\t1\t2\t8\n"),
    "pending_before_other": ("行政复议\t\t\t\t\t行政诉讼\n结果维持\t结果纠正\t尚未审结\t其他结果\t总计\t未经复议直接起诉\t\t\t\t\t复议后起诉\n"
                             "\t\t\t\t\t" + "\t".join(["结果维持", "结果纠正", "尚未审结", "其他结果", "总计"] * 2)
                             + "\n3\t1\t4\t2\t10\t5\t0\t2\t1\t8\t1\t2\t3\t0\t6\n"),
}


@pytest.mark.parametrize("name", sorted(TEXT_T4))
def test_text_t4_header_order_decides_every_cell(name):
    t4_exact(parse_text(F.text_report(t4=TEXT_T4[name])))


@pytest.mark.parametrize("header, row", [
    ("信息内容\t现行有效件数\t本年制发件数\t本年废止件数", "行政规范性文件\t12\t3\t1"),
    ("信息内容\t本年废止件数\t本年制发件数\t现行有效件数", "行政规范性文件\t1\t3\t12"),
], ids=["in_force_first", "repealed_first"])
def test_text_t2_header_order_decides_the_columns(header, row):
    t2 = F.T2.replace(F.T2_HEAD, header).replace("行政规范性文件\t3\t1\t12", row)
    t2_exact(parse_text(F.text_report(t2=t2)))


# ------------------------------------------------------------------ HTML grids

HTML = {
    "header_in_its_own_table": lambda: F.t3_html(
        head=[F.HTML_HEAD[0], F.HTML_HEAD[1], F.SWAPPED_ORGS], order=F.SWAPPED, sep_header=True),
    "header_only_traditional": lambda: F.t3_html(
        head=[F.HTML_HEAD[0], [("自然人", 'rowspan="2"'), ("法人或其他組織", 'colspan="5"'), ("總計", 'rowspan="2"')],
              F.TRAD_SWAPPED_ORGS], order=F.SWAPPED),
    "numbering_row_above_the_header": lambda: F.t3_html(
        head=[[("栏次", 'colspan="3"'), "1", "2", "3", "4", "5", "6", "7"], F.HTML_HEAD[0], F.HTML_HEAD[1],
              F.SWAPPED_ORGS], order=F.SWAPPED),
    "renamed_header_words": lambda: F.t3_html(
        head=[F.HTML_HEAD[0], [("个人", 'rowspan="2"'), ("法人或其它组织", 'colspan="5"'), ("合计", 'rowspan="2"')],
              ["科研", "企业", "公益组织", "法律服务", "其它"]], order=F.SWAPPED),
    "split_with_another_label_layout": lambda: F.t3_html_split_widths(
        head=[F.HTML_HEAD[0], F.HTML_HEAD[1], F.SWAPPED_ORGS]),
}


@pytest.mark.parametrize("name", sorted(HTML))
def test_html_t3_header_decides_the_columns(tmp_path, name):
    path = tmp_path / f"{name}.html"
    path.write_text(F.html_report(t3=HTML[name]()), encoding="utf-8")
    t3_exact(parse_file(path))


def test_html_t2_abbreviated_header_in_another_order(tmp_path):
    path = tmp_path / "t2.html"
    path.write_text(F.html_report(t2=F.t2_html(cols=("本年废止", "本年制发", "现行有效件数"), nd=("1", "3", "12"))),
                    encoding="utf-8")
    t2_exact(parse_file(path))


# ------------------------------------------------------------------ DOCX and PDF

@pytest.mark.parametrize("name, head, sep", [
    ("own_table", [F.GRID_H1, F.GRID_H2, F.grid_h3(F.SWAPPED_ORGS)], True),
    ("traditional", [F.GRID_H1, F.GRID_H2_TRAD, F.grid_h3(F.TRAD_SWAPPED_ORGS)], False),
])
def test_docx_t3_header_decides_the_columns(tmp_path, name, head, sep):
    path = tmp_path / f"{name}.docx"
    F.build_docx(path, head, F.SWAPPED, sep_header=sep)
    t3_exact(parse_file(path))


def test_docx_t2_abbreviated_header_in_another_order(tmp_path):
    path = tmp_path / "t2.docx"
    F.build_docx(path, [F.GRID_H1, F.GRID_H2, F.grid_h3(F.STD_ORGS)], list(range(7)),
                 t2_header=("本年废止", "本年制发", "现行有效件数"), t2_nd=(1, 3, 12))
    t2_exact(parse_file(path))


def test_pdf_t2_abbreviated_header_in_another_order(tmp_path):
    path = tmp_path / "t2.pdf"
    F.build_pdf(path, [F.GRID_H1, F.GRID_H2, F.grid_h3(F.STD_ORGS)], list(range(7)),
                t2_header=("本年废止", "本年制发", "现行有效件数"), t2_nd=(1, 3, 12))
    t2_exact(parse_file(path))


def test_pdf_t3_split_piece_eight_columns_wide_is_never_read_by_position(tmp_path):
    path = tmp_path / "split.pdf"
    F.build_pdf(path, [F.GRID_H1, F.GRID_H2, F.grid_h3(F.SWAPPED_ORGS)], F.SWAPPED, split_at=12, narrow_second=True)
    rep = parse_file(path)
    t3_never_wrong(rep)
    # The rows of the narrow piece that hold numbers: read under their headers.
    assert rep.tables["t3"]["unavailable.not_held"]["commercial"] in (1, None)
    assert rep.tables["t3"]["total_handled"]["research"] in (1, None)


# ------------------------------------------------------------------ template

def test_2021_t3_with_other_sub_rows_worded_differently_is_not_read_as_2019():
    truth = {k: list(v) for k, v in F.T3_TRUTH.items()}
    truth["other.other"] = [1, 0, 0, 0, 0, 0, 1]
    truth["new_received"] = truth["total_handled"] = [a + b for a, b in zip(F.NR, truth["other.other"])]
    rows = [(label.replace("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "1.申请人无正当理由逾期未补正的")
             .replace("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "2.申请人逾期未缴纳信息处理费的"), k)
            for label, k in F.ROWS]
    rep = parse_text(F.text_report(t2=F.T2_2019, t3=F.t3_text(truth=truth, rows=rows)))
    assert rep.templates["t3"] == "2021"
    # (六)其他处理 sums to 1 (its 3.其他 row): never the first sub-row's 0 read as the whole.
    other_all = (rep.tables["t3"].get("other.all") or {}).get("total")
    assert other_all in (1, None)
    assert rep.tables["t3"]["other.other"]["total"] == 1


def test_html_t4_header_only_traditional_in_another_order(tmp_path):
    # 結果糾正 printed before 結果維持 in the reconsideration block (data alike).
    t4 = F.T4_HTML.replace('<td rowspan="2">结果维持</td><td rowspan="2">结果纠正</td>',
                           '<td rowspan="2">結果糾正</td><td rowspan="2">結果維持</td>')
    t4 = t4.replace("<td>3</td><td>1</td><td>2</td>", "<td>1</td><td>3</td><td>2</td>", 1)
    t4 = t4.replace("行政复议", "行政復議").replace("行政诉讼", "行政訴訟").replace("复议后起诉", "復議後起訴")
    path = tmp_path / "t4.html"
    path.write_text(F.html_report().replace(F.T4_HTML, t4), encoding="utf-8")
    t4_exact(parse_file(path))
