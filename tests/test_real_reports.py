"""Real reports from shared/corpus-candidates (now in corpus/), in layouts beyond
the seeds.  Every expected value was read by hand from the raw text; where the
text cannot be read with certainty the expected value is None (missing), never
a guess."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

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
