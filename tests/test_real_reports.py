"""Real reports from shared/corpus-candidates (copied into corpus/), in layouts beyond
the seeds.  Every expected value was read by hand from the raw text; where the
text cannot be read with certainty the expected value is None (missing), never
a guess."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from toolkit.parsing import parse_file

REPORTS = Path(__file__).resolve().parents[1] / "corpus" / "reports"
ZERO7 = [0] * 7


def t3_row(report, key):
    return list(report.tables["t3"][key].values())


def test_jammed_cells_hebei_gxt_2021():
    # 河北省工业和信息化厅 2021: the crawler ran every table cell together.
    r = parse_file(REPORTS / "2021_41c39e25c754bc40.txt")
    t2 = r.tables["t2"]
    assert t2["rules"] == {"made": 0, "repealed": 0, "in_force": 0}  # 规章000
    # 行政规范性文件5225: 5|2|25, 5|22|5, 52|2|5 … no arithmetic decides → missing.
    assert t2["normative_docs"] == {"made": None, "repealed": None, "in_force": None}
    assert t2["licensing"] == {"decisions": 273}
    assert t2["penalty"] == {"decisions": 54}
    assert t2["coercion"] == {"decisions": 0}
    assert t2["fees"] == {"amount": 739.0766}
    assert t3_row(r, "new_received") == [4, 0, 0, 0, 0, 0, 4]      # 4000004
    assert t3_row(r, "granted") == [3, 0, 0, 0, 0, 0, 3]           # 3000003
    assert t3_row(r, "partially_granted") == [1, 0, 0, 0, 0, 0, 1]  # 1000001
    assert t3_row(r, "denied.state_secret") == ZERO7               # 0000000 then "2."
    assert t3_row(r, "total_handled") == [4, 0, 0, 0, 0, 0, 4]
    assert t3_row(r, "carried_forward") == ZERO7
    assert all(v == 0 for row in r.tables["t4"].values() for v in row.values())  # 15 zeros


def test_jammed_row_resolved_by_arithmetic_hebei_kjt_2023():
    # 河北省科学技术厅 2023: "170000017" = 17|0|0|0|0|0|17 is the only split whose
    # six applicant columns sum to the total.
    r = parse_file(REPORTS / "2023_5baa6a500d4520b8.txt")
    assert t3_row(r, "new_received") == [17, 0, 0, 0, 0, 0, 17]
    assert t3_row(r, "granted") == [17, 0, 0, 0, 0, 0, 17]
    assert t3_row(r, "total_handled") == [17, 0, 0, 0, 0, 0, 17]


def test_carriage_return_cells_hebei_jyt_2023():
    # 河北省教育厅 2023: bare CR line breaks, one cell per line.
    r = parse_file(REPORTS / "2023_1c540d17821f0932.txt")
    assert r.template == "2021"
    assert t3_row(r, "new_received") == [18, 1, 0, 0, 0, 0, 19]
    assert t3_row(r, "granted") == [9, 0, 0, 0, 0, 0, 9]
    assert t3_row(r, "partially_granted") == [2, 0, 0, 0, 0, 0, 2]
    assert t3_row(r, "denied.security_stability") == [1, 0, 0, 0, 0, 0, 1]
    assert t3_row(r, "denied.third_party") == [2, 1, 0, 0, 0, 0, 3]
    assert t3_row(r, "unavailable.not_held") == [2, 0, 0, 0, 0, 0, 2]
    assert t3_row(r, "unavailable.needs_creation") == [1, 0, 0, 0, 0, 0, 1]
    assert t3_row(r, "not_processed.complaint") == [1, 0, 0, 0, 0, 0, 1]
    assert t3_row(r, "total_handled") == [18, 1, 0, 0, 0, 0, 19]
    assert t3_row(r, "carried_forward") == ZERO7
    t4 = r.tables["t4"]
    assert t4["reconsideration"] == {"upheld": 6, "corrected": 1, "other": 0, "pending": 0, "total": 7}
    assert t4["litigation_direct"] == {"upheld": 0, "corrected": 0, "other": 0, "pending": 0, "total": 0}
    assert t4["litigation_after"] == {"upheld": 6, "corrected": 1, "other": 0, "pending": 0, "total": 7}


def test_2019_template_hebei_jyt_2019():
    # 河北省教育厅 2019: the 2019 template, read under its own keys.
    r = parse_file(REPORTS / "2019_98277dbb4c7dd133.txt")
    assert r.template == "2019"
    t2 = r.tables["t2"]
    assert t2["rules"] == {"made": 0, "published": 0, "total_published": 0}
    assert t2["normative_docs"] == {"made": 16, "published": 16, "total_published": 16}
    assert t2["licensing"] == {"previous": 9, "change": 0, "decisions": 16}
    assert t2["other_services"] == {"previous": 17, "change": 0, "decisions": 0}
    assert t2["penalty"] == {"previous": 5, "change": 0, "decisions": 0}
    assert t2["fees"] == {"previous": 21, "change": 0}
    assert t2["procurement"] == {"items": 22, "amount": 256146.0}
    t3 = r.tables["t3"]
    assert "other.all" in t3 and "other.no_fee" not in t3
    assert t3_row(r, "new_received") == [16, 0, 0, 0, 0, 0, 16]
    assert t3_row(r, "granted") == [9, 0, 0, 0, 0, 0, 9]
    assert t3_row(r, "unavailable.not_held") == [3, 0, 0, 0, 0, 0, 3]
    assert t3_row(r, "unavailable.needs_creation") == [4, 0, 0, 0, 0, 0, 4]
    assert t3_row(r, "total_handled") == [16, 0, 0, 0, 0, 0, 16]
    # The page left these rows' cells empty: unknown, not zero.
    assert set(t3["partially_granted"].values()) == {None}


def test_empty_cells_dropped_are_missing_hebei_gxt_2019():
    # 工信厅 2019: empty cells vanished in the crawl, "22" cannot be placed in 7 cells.
    r = parse_file(REPORTS / "2019_1e55a00be4595af9.txt")
    assert set(r.tables["t3"]["new_received"].values()) == {None}


def test_pre_2019_prose_report_has_no_tables():
    r = parse_file(REPORTS / "2016_ca0b1b687dff487a.txt")  # 河北省教育厅 2016
    assert r.tables == {"t2": None, "t3": None, "t4": None}
    # No title line: the year is the statistics period's (自2016年1月1日起至2016年12月31日止),
    # the agency the signature's (河北省教育厅, before the date 2017年2月24日).
    assert (r.agency, r.year) == ("河北省教育厅", 2016)
    assert r.template == "pre-2019"


def test_pre_2019_marked_and_not_failed_by_audit():
    import toolkit as tk

    reports = tk.load_reports().set_index("report_id")
    assert reports.loc["2016_ca0b1b687dff487a", "template"] == "pre-2019"
    audit = tk.audit()
    mine = audit[audit["report_id"] == "2016_ca0b1b687dff487a"].set_index("check")
    assert mine.loc["table_present.t3", "passed"] is pd.NA
    assert "predates the fixed template" in mine.loc["section_present.1", "detail"]


# ------------------------------------------------------------------ the first PDF and markdown-from-PDF reports
# Every value below was read by hand from the rendered pages (淮安市洪泽区人民政府 2024, PDF)
# and from the raw markdown line by line (上海市人民政府办公厅 2025); see tests/truth/
# (2024_82ba40ade55a9310.json, 2025_fb8bfcf9bb4fc033.json) and jiangsu-shanghai-README.md there.
# The parser's output was not consulted.

HONGZE = REPORTS / "2024_82ba40ade55a9310.pdf"
SHANGHAI = REPORTS / "2025_fb8bfcf9bb4fc033.md"

HONGZE_T2 = {"rules": [0, 0, 0], "normative_docs": [3, 0, 8], "licensing": [9487], "penalty": [2776],
             "coercion": [84], "fees": [7545.0]}  # fees printed "7545" under 本年收费金额（单位：万元）
HONGZE_T3 = {
    "new_received": [95, 0, 0, 0, 0, 0, 95], "carried_over": ZERO7, "granted": [50, 0, 0, 0, 0, 0, 50],
    "partially_granted": [9, 0, 0, 0, 0, 0, 9], "denied.state_secret": ZERO7,
    "denied.prohibited_by_law": ZERO7,  # label printed with a typo: 2.其他法律行政止公开
    "denied.security_stability": [1, 0, 0, 0, 0, 0, 1], "denied.third_party": ZERO7,
    "denied.internal_affairs": ZERO7, "denied.process_info": [1, 0, 0, 0, 0, 0, 1],
    "denied.enforcement_file": [1, 0, 0, 0, 0, 0, 1], "denied.inquiry": ZERO7,
    "unavailable.not_held": [31, 0, 0, 0, 0, 0, 31],
    "unavailable.needs_creation": [1, 0, 0, 0, 0, 0, 1],  # first row of page 4, its labels' cells blank
    "unavailable.unclear": ZERO7, "not_processed.complaint": [1, 0, 0, 0, 0, 0, 1],
    "not_processed.duplicate": ZERO7, "not_processed.publication": ZERO7, "not_processed.excessive": ZERO7,
    "not_processed.confirmation": ZERO7,
    "other.all": ZERO7,  # (六)其他处理 printed as one row; its three sub-rows are not printed
    "total_handled": [95, 0, 0, 0, 0, 0, 95], "carried_forward": ZERO7,
}
HONGZE_T4 = {"reconsideration": [1, 1, 0, 0, 2], "litigation_direct": [1, 0, 0, 0, 1],
             "litigation_after": [2, 0, 1, 0, 3]}

SHANGHAI_T3 = {
    "new_received": [1259, 36, 0, 0, 0, 0, 1295], "carried_over": [170, 15, 0, 0, 4, 0, 189],
    "granted": [201, 5, 0, 0, 0, 0, 206],
    "partially_granted": [2, 0, 0, 0, 0, 0, 2],  # its label on the lines before its numbers
    "denied.state_secret": [4, 0, 0, 0, 0, 0, 4], "denied.prohibited_by_law": ZERO7,
    "denied.security_stability": [1, 0, 0, 0, 0, 0, 1], "denied.third_party": ZERO7,
    "denied.internal_affairs": [8, 0, 0, 0, 1, 0, 9], "denied.process_info": [1, 0, 0, 0, 0, 0, 1],
    "denied.enforcement_file": ZERO7, "denied.inquiry": [5, 0, 0, 0, 0, 0, 5],
    "unavailable.not_held": [484, 28, 0, 0, 1, 0, 513], "unavailable.needs_creation": [47, 1, 0, 0, 0, 0, 48],
    "unavailable.unclear": [3, 0, 0, 0, 0, 0, 3], "not_processed.complaint": [61, 1, 0, 0, 0, 0, 62],
    "not_processed.duplicate": [16, 0, 0, 0, 0, 0, 16], "not_processed.publication": [1, 0, 0, 0, 0, 0, 1],
    "not_processed.excessive": [1, 0, 0, 0, 0, 0, 1],
    # The next three rows have no (or a cut) label in the markdown; by template order, which the
    # narrative's category sums (80 不予处理, 319 其他处理) confirm.
    "not_processed.confirmation": ZERO7, "other.no_correction": [40, 1, 0, 0, 2, 0, 43], "other.no_fee": ZERO7,
    "other.other": [264, 12, 0, 0, 0, 0, 276], "total_handled": [1139, 48, 0, 0, 4, 0, 1191],
    "carried_forward": [290, 3, 0, 0, 0, 0, 293],
}
SHANGHAI_T4 = {"reconsideration": [40, 0, 10, 5, 55], "litigation_direct": [2, 0, 4, 6, 12],
               "litigation_after": [6, 0, 9, 7, 22]}


def rows_of(table: dict) -> dict:
    return {key: list(cols.values()) for key, cols in table.items()}


def test_first_pdf_hongze_2024_every_value():
    r = parse_file(HONGZE)
    assert (r.agency, r.year, r.template) == ("淮安市洪泽区人民政府", 2024, "2021")
    assert r.title == "淮安市洪泽区人民政府2024年政府信息公开工作年度报告"
    assert rows_of(r.tables["t2"]) == HONGZE_T2
    t3 = rows_of(r.tables["t3"])
    # The 2021 sub-rows of (六) are not printed: missing, with the reason.
    for key in ("other.no_correction", "other.no_fee", "other.other"):
        assert t3.pop(key) == [None] * 7
        assert r.status_of("t3", key, "total") == "label_not_found"
    assert t3 == HONGZE_T3
    assert rows_of(r.tables["t4"]) == HONGZE_T4
    assert all(r.sections[n] for n in "123456")


def test_first_pdf_hongze_2024_narrative_disagrees_with_its_table():
    # Section 一(二): 区政府办代表区政府受理政府信息公开申请 17 件 — the table says 95 (the district).
    from toolkit.checks import check_report

    r = parse_file(HONGZE)
    stated = [s for s in r.statements if (s["table"], s["row"], s["column"]) == ("t3", "new_received", "total")]
    assert [s["value"] for s in stated] == [17]
    assert "受理政府信息公开申请 17 件" in stated[0]["sentence"].replace("\n", "")  # wrapped in the PDF
    finding = next(f for f in check_report(r) if f["check"] == "text_vs_table.new_received")
    assert (finding["passed"], finding["expected"], finding["actual"]) == (False, 95, 17)
    # The audit sums (六)其他处理 as the one row it is printed as.
    outcomes = next(f for f in check_report(r) if f["check"] == "t3.outcomes.total")
    assert outcomes["passed"] is True


def test_first_markdown_from_pdf_shanghai_2025_every_certain_value():
    r = parse_file(SHANGHAI)
    assert (r.agency, r.year, r.template) == ("上海市人民政府办公厅", 2025, "2021")
    assert r.title == "2025年上海市人民政府办公厅政府信息公开工作年度报告"  # md lines 2–3 joined
    t2 = r.tables["t2"]
    assert (t2["licensing"], t2["penalty"], t2["coercion"]) == ({"decisions": 0},) * 3
    assert t2["fees"] == {"amount": 0.0}
    # Doubt recorded by the hand reading: the 规章 and 行政规范性文件 rows lost one cell each
    # (`| 规章 | 22 | 235 |`), and the loose lines 22 / 55 before them were placed by layout,
    # not read. Not certain, so not pinned as values: the parser must leave them missing.
    for row in ("rules", "normative_docs"):
        assert set(t2[row].values()) == {None}
        assert r.status_of("t2", row, "made") == "ambiguous"
    assert rows_of(r.tables["t3"]) == SHANGHAI_T3
    assert rows_of(r.tables["t4"]) == SHANGHAI_T4


def test_first_markdown_from_pdf_shanghai_2025_statements():
    # 市政府共受理政府信息公开申请 1295 件，办结 1191 件（含上年结转 189 件）: all agree with the table.
    from toolkit.checks import check_report

    r = parse_file(SHANGHAI)
    stated = {(s["table"], s["row"], s["column"]): s["value"] for s in r.statements}
    assert stated[("t3", "new_received", "total")] == 1295
    assert stated[("t3", "total_handled", "total")] == 1191
    assert stated[("t3", "carried_over", "total")] == 189
    # 全年主动公开市政府规章 22 件 … is about publishing, not making: no statement of t2 made.
    assert ("t2", "rules", "made") not in stated
    checks = {f["check"]: f for f in check_report(r)}
    for check in ("text_vs_table.new_received", "text_vs_table.t3.total_handled.total",
                  "text_vs_table.t3.carried_over.total"):
        assert checks[check]["passed"] is True
    # 全年未发生因依申请公开被行政复议纠错或行政诉讼败诉情形 is about outcomes, not a count of zero.
    assert ("t4", "reconsideration", "total") not in stated


def test_first_pdf_hongze_2024_from_its_text_layer_alone():
    # The same PDF as plain text (pdfplumber's extract_text, page by page): header cells one
    # character per line, numbers before or in the middle of their labels, t4's fifteen
    # values on one line.  Read by row order to the same hand-read values.
    import pdfplumber

    from toolkit.parsing import parse_text

    with pdfplumber.open(HONGZE) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    assert "9 0 0 0 0 0 9\n计其他情形）" in text  # the layout this test is about
    r = parse_text(text)
    assert rows_of(r.tables["t2"]) == HONGZE_T2
    t3 = rows_of(r.tables["t3"])
    for key in ("other.no_correction", "other.no_fee", "other.other"):
        assert t3.pop(key) == [None] * 7
    assert t3 == HONGZE_T3
    assert rows_of(r.tables["t4"]) == HONGZE_T4


@pytest.mark.parametrize("path", sorted(p for p in REPORTS.glob("201[3-8]_*.txt")), ids=lambda p: p.stem)
def test_prose_reports_before_the_template_have_no_tables(path):
    # Before 2019 there were no tables; a sentence such as 受理政府信息公开行政复议1件 in
    # section 四 is prose, never a table 4.
    r = parse_file(path)
    assert r.tables == {"t2": None, "t3": None, "t4": None}


def test_every_missing_cell_of_the_corpus_has_its_reason():
    from toolkit import schema

    for path in sorted(REPORTS.iterdir()):
        r = parse_file(path)
        for table, rows in r.tables.items():
            for row, cols in (rows or {}).items():
                for col, value in cols.items():
                    if value is None:
                        assert r.cell_status[table][row][col] in schema.CELL_STATUS, (path.name, table, row, col)
                    else:
                        assert col not in r.cell_status.get(table, {}).get(row, {}), (path.name, table, row, col)
        for table, rows in r.derived.items():  # derived values only for cells the tables leave missing
            for row, cols in rows.items():
                for col in cols:
                    assert r.tables[table][row][col] is None
