"""Audit checks on hand-built reports: for every check, one report that passes
and one that breaks it; a missing cell or table is "not checkable", never zero.

Semantics under test: ``expected`` is what the identity demands (the sum of the
components; for text_vs_table the table's value), ``actual`` is what the report
shows (the total cell; for text_vs_table the count stated in the text).
"""
from __future__ import annotations

import copy

import pytest

from toolkit import schema
from toolkit.checks import CHECK_ORDER, check_report, stated_new_received
from toolkit.parsing import Report

T3_COLS = [c.key for c in schema.T3_COLUMNS]
APPLICANTS = T3_COLS[:-1]


def _t3(new: int = 0, carried: int = 0, granted: int = 0, forward: int = 0) -> dict:
    """A consistent t3: all applications from natural persons."""
    table = {r.key: {c: 0 for c in T3_COLS} for r in schema.T3_ROWS}
    for row, n in (("new_received", new), ("carried_over", carried), ("granted", granted),
                   ("total_handled", granted), ("carried_forward", forward)):
        table[row]["natural_person"] = n
        table[row]["total"] = n
    return table


def _t2() -> dict:
    return {r.key: {c: (0.5 if c == "amount" else 0) for c in r.columns} for r in schema.T2_ROWS}


def _t4() -> dict:
    return {r.key: {"upheld": 1, "corrected": 0, "other": 0, "pending": 1, "total": 2}
            for r in schema.T4_ROWS}


def make_report(text1: str = "一、总体情况\n本年度收到信息公开申请3件。", **tables) -> Report:
    """A report that passes every check (3 received, 2 granted, 1 carried forward)."""
    all_tables = {"t2": _t2(), "t3": _t3(new=3, granted=2, forward=1), "t4": _t4()}
    all_tables.update(tables)
    sections = {str(n): f"section {n} text" for n in range(1, 7)}
    sections["1"] = text1
    sections["5"] = "(一)存在的问题\n一是更新不及时；二是解读不足。\n(二)改进措施\n一是加强更新；二是丰富解读。"
    return Report(report_id="r1", source=None, title=None, agency="某局", year=2023,
                  template="2021", sections=sections, tables=all_tables)


def findings(report: Report) -> dict[str, dict]:
    return {f["check"]: f for f in check_report(report)}


def test_consistent_report_passes_everything():
    result = check_report(make_report())
    assert [f["check"] for f in result] == list(CHECK_ORDER)
    # Kinds of statement the narrative does not make are no finding at all (not a failure, and
    # not a row of "nothing stated" either); only applications received is always there.
    assert [f["check"] for f in result if f["check"].startswith("text_vs_table.")] == ["text_vs_table.new_received"]
    assert [f["check"] for f in result if f["passed"] is None] == []
    failed = [f for f in result if f["passed"] is False]
    assert failed == []
    for f in result:
        assert set(f) == {"report_id", "check", "expected", "actual", "passed", "detail"}
        assert f["report_id"] == "r1"
        assert isinstance(f["detail"], str) and f["detail"].endswith(".")


@pytest.mark.parametrize("n", [str(i) for i in range(1, 7)])
def test_section_present(n):
    report = make_report()
    report.sections[n] = None if n != "3" else "   "
    f = findings(report)
    assert f[f"section_present.{n}"]["passed"] is False
    assert all(f[f"section_present.{m}"]["passed"] for m in "123456" if m != n)


@pytest.mark.parametrize("t", ["t2", "t3", "t4"])
def test_table_present_and_absent_table_is_not_checkable(t):
    f = findings(make_report(**{t: None}))
    assert f[f"table_present.{t}"]["passed"] is False
    assert f[f"table_complete.{t}"]["passed"] is None
    assert "missing" in f[f"table_complete.{t}"]["detail"]
    dependent = [k for k in f if k.startswith(f"{t}.")]
    assert dependent or t == "t2"
    assert all(f[k]["passed"] is None for k in dependent)


@pytest.mark.parametrize("t,row,col", [("t2", "fees", "amount"), ("t3", "granted", "research"),
                                       ("t4", "litigation_after", "pending")])
def test_table_complete_lists_missing_cells(t, row, col):
    report = make_report()
    report.tables[t][row][col] = None
    f = findings(report)[f"table_complete.{t}"]
    assert f["passed"] is False
    assert f"{row}/{col}" in f["detail"]
    assert f["expected"] - f["actual"] == 1


def test_table_complete_t2_absent_row_is_not_incomplete():
    t2 = _t2()
    del t2["rules"]
    f = findings(make_report(t2=t2))["table_complete.t2"]
    assert f["passed"] is True
    assert f["expected"] == len(schema.cells("t2")) - 3


def test_table_complete_t2_row_missing_a_column():
    t2 = _t2()
    del t2["rules"]["repealed"]
    f = findings(make_report(t2=t2))["table_complete.t2"]
    assert f["passed"] is False and "rules/repealed" in f["detail"]


def test_t3_balance_fails_with_expected_inflow_actual_outflow():
    t3 = _t3(new=5, granted=4)
    t3["other.other"]["natural_person"] = 0  # outcomes still add up to 4
    f = findings(make_report(t3=t3))
    bal = f["t3.balance.total"]
    assert (bal["passed"], bal["expected"], bal["actual"]) == (False, 5, 4)
    assert f["t3.balance.natural_person"]["passed"] is False
    assert f["t3.balance.research"]["passed"] is True
    assert f["t3.outcomes.total"]["passed"] is True


@pytest.mark.parametrize("row", [r.key for r in schema.T3_ROWS])
def test_t3_row_sum(row):
    report = make_report()
    report.tables["t3"][row]["research"] += 1  # total not updated
    f = findings(report)[f"t3.row_sum.{row}"]
    assert f["passed"] is False
    assert f["expected"] == f["actual"] + 1


@pytest.mark.parametrize("col", T3_COLS)
def test_t3_outcomes(col):
    report = make_report()
    report.tables["t3"]["denied.inquiry"][col] += 2
    f = findings(report)[f"t3.outcomes.{col}"]
    assert f["passed"] is False
    assert f["expected"] == f["actual"] + 2


@pytest.mark.parametrize("row", [r.key for r in schema.T4_ROWS])
def test_t4_row_sum(row):
    report = make_report()
    report.tables["t4"][row]["total"] = 3
    f = findings(report)
    assert (f[f"t4.row_sum.{row}"]["passed"], f[f"t4.row_sum.{row}"]["expected"],
            f[f"t4.row_sum.{row}"]["actual"]) == (False, 2, 3)
    assert sum(f[f"t4.row_sum.{r.key}"]["passed"] is False for r in schema.T4_ROWS) == 1


def test_none_cell_is_not_checkable_not_zero():
    report = make_report()
    report.tables["t3"]["carried_over"]["total"] = None
    report.tables["t4"]["reconsideration"]["upheld"] = None
    f = findings(report)
    for check in ("t3.balance.total", "t3.row_sum.carried_over", "t4.row_sum.reconsideration"):
        assert f[check]["passed"] is None, check
        assert f[check]["expected"] is None
    assert "carried_over/total" in f["t3.balance.total"]["detail"]
    assert "reconsideration/upheld" in f["t4.row_sum.reconsideration"]["detail"]
    assert f["t3.balance.natural_person"]["passed"] is True


def test_2019_template_uses_other_all_row():
    t3 = {r.key: {c: 0 for c in T3_COLS} for r in schema.t3_rows("2019")}
    for row in ("new_received", "other.all", "total_handled"):
        t3[row]["natural_person"] = t3[row]["total"] = 2
    report = make_report(t3=t3, text1="收到信息公开申请2件")
    report.template = "2019"
    report.tables["t2"] = {r.key: {c: 0 for c in r.columns} for r in schema.T2_ROWS_2019}
    assert [f for f in check_report(report) if f["passed"] is not True] == []


# ------------------------------------------------------------------ text vs table


@pytest.mark.parametrize("text,count", [
    ("2023年收到1件信息公开申请，比上年增加1件。", 1),
    ("本年度收到政府信息公开申请共3件。", 3),
    ("全年新收政府信息公开申请 3 件", 3),
    ("共受理依申请公开申请三件", 3),
    ("2023年未收到政府信息公开申请。", 0),
    ("未接到公民、法人或者其他组织提出的依申请公开请求", 0),
    ("本年度无依申请公开事项。", 0),
])
def test_stated_counts(text, count):
    assert stated_new_received(text)[0] == count


@pytest.mark.parametrize("text", [
    "全年累计办理申请 1 件。",
    "无上年结转政府信息公开申请。",
    "未收到因政府信息公开申请引发的行政复议。",
    "严格落实依申请公开职责。",
])
def test_statements_not_about_received_applications(text):
    assert stated_new_received(text) is None


def test_text_vs_table_agrees():
    f = findings(make_report())["text_vs_table.new_received"]
    assert (f["passed"], f["expected"], f["actual"]) == (True, 3, 3)


def test_text_vs_table_disagrees():
    f = findings(make_report(text1="今年收到信息公开申请5件。"))["text_vs_table.new_received"]
    assert (f["passed"], f["expected"], f["actual"]) == (False, 3, 5)


def test_text_vs_table_zero_statement_against_table():
    f = findings(make_report(text1="本年度未收到政府信息公开申请。"))["text_vs_table.new_received"]
    assert (f["passed"], f["expected"], f["actual"]) == (False, 3, 0)


def test_text_vs_table_nothing_stated():
    f = findings(make_report(text1="加强组织领导。"))["text_vs_table.new_received"]
    assert f["passed"] is None and f["detail"] == "No count stated in the text."


def test_text_vs_table_unreadable_cell():
    report = make_report()
    report.tables["t3"]["new_received"]["total"] = None
    f = findings(report)["text_vs_table.new_received"]
    assert f["passed"] is None and "unreadable" in f["detail"]


def test_seed_002_situation_table_missing():
    """Narrative states one application, table 3 was an image: not a disagreement."""
    report = make_report(text1="2023年收到1件信息公开申请，比上年增加1件，已处理完毕。", t3=None)
    f = findings(report)
    assert f["table_present.t3"]["passed"] is False
    tvt = f["text_vs_table.new_received"]
    assert tvt["passed"] is None
    assert tvt["actual"] == 1 and tvt["expected"] is None
    assert "table 3 is missing" in tvt["detail"]


def test_check_report_does_not_modify_the_report():
    report = make_report()
    before = copy.deepcopy(report)
    check_report(report)
    assert report == before


def _narrative(report):
    return {f["check"]: f for f in check_report(report) if f["check"].startswith("narrative.")}


def test_narrative_checks_flag_missing_one_part_and_prose():
    import dataclasses

    base = make_report()
    ok = _narrative(base)
    assert ok["narrative.parts"]["passed"] is True and ok["narrative.enumerated"]["passed"] is True
    missing = _narrative(dataclasses.replace(base, sections={**base.sections, "5": None}))
    assert missing["narrative.parts"]["passed"] is None
    assert "missing" in missing["narrative.parts"]["detail"]
    one_part = _narrative(dataclasses.replace(base, sections={**base.sections, "5": "一是更新慢；二是解读少。"}))
    assert one_part["narrative.parts"]["passed"] is False and one_part["narrative.parts"]["actual"] == 1
    prose = _narrative(dataclasses.replace(base, sections={**base.sections, "5": "更新慢。今后将加强。"}))
    assert prose["narrative.parts"]["passed"] is True
    assert prose["narrative.enumerated"]["passed"] is False


def test_cross_year_carried_over_and_narrative_repeat():
    import dataclasses

    from toolkit.checks import cross_year_checks

    base = make_report()
    prev = dataclasses.replace(base, report_id="a2022", agency="某县民政局", year=2022)
    t3 = {r: dict(c) for r, c in base.tables["t3"].items()}
    t3["carried_over"] = {**t3["carried_over"], "natural_person": 99}
    cur = dataclasses.replace(base, report_id="a2023", agency="某县民政局", year=2023,
                              tables={**base.tables, "t3": t3})
    other = dataclasses.replace(base, report_id="b2023", agency="别县民政局", year=2023)
    far = dataclasses.replace(base, report_id="a2025", agency="某县民政局", year=2025)
    meta = {"adcode": "230321"}
    found = {(f["report_id"], f["check"]): f for f in
             cross_year_checks([(meta, prev), (meta, cur), (meta, other), (meta, far)])}
    assert {rid for rid, _ in found} == {"a2023"}  # only consecutive years of the same organ
    np = found[("a2023", "cross_year.carried_over.natural_person")]
    expected_prev = prev.tables["t3"]["carried_forward"]["natural_person"]
    assert (np["expected"], np["actual"], np["passed"]) == (float(expected_prev), 99.0,
                                                           expected_prev == 99)
    assert found[("a2023", "cross_year.carried_over.total")]["passed"] is (
        prev.tables["t3"]["carried_forward"]["total"] == cur.tables["t3"]["carried_over"]["total"])
    # Same section 五 both years: repeated verbatim.
    assert found[("a2023", "cross_year.narrative_repeat")]["passed"] is False
    changed = dataclasses.replace(cur, sections={**cur.sections, "5": "今年网站改版，新增政策问答栏目，开展培训三次，公开指南已修订完毕。"})
    again = {f["check"]: f for f in cross_year_checks([(meta, prev), (meta, changed)])}
    assert again["cross_year.narrative_repeat"]["passed"] is True
    missing = dataclasses.replace(cur, tables={**cur.tables, "t3": None})
    miss = {f["check"]: f for f in cross_year_checks([(meta, prev), (meta, missing)])}
    assert miss["cross_year.carried_over.total"]["passed"] is None


# ------------------------------------------------------------------ every statement against its cell

STATED = ("本年度收到信息公开申请3件，办结2件，结转下年度继续办理1件。无上年结转政府信息公开申请。"
          "全年制发规范性文件0件，现行有效规范性文件0件。收取行政事业性收费0.5万元。")


def _stated_report(text: str) -> Report:
    from toolkit.parsing.statements import find_statements

    report = make_report(text1=text)
    report.statements = find_statements(text, {"1": (0, len(text))})
    return report


def test_every_kind_of_statement_is_compared():
    f = findings(_stated_report(STATED))
    for check, table_value in [("text_vs_table.new_received", 3), ("text_vs_table.t3.total_handled.total", 2),
                               ("text_vs_table.t3.carried_forward.total", 1),
                               ("text_vs_table.t3.carried_over.total", 0),
                               ("text_vs_table.t2.normative_docs.made", 0),
                               ("text_vs_table.t2.normative_docs.in_force", 0),
                               ("text_vs_table.t2.fees.amount", 0.5)]:
        assert (f[check]["passed"], f[check]["expected"], f[check]["actual"]) == (True, table_value, table_value), check
    assert "text_vs_table.t4.reconsideration.total" not in f  # nothing stated about it: no finding


def test_a_statement_disagreeing_with_its_cell_fails():
    f = findings(_stated_report(STATED.replace("办结2件", "办结5件")))
    tvt = f["text_vs_table.t3.total_handled.total"]
    assert (tvt["passed"], tvt["expected"], tvt["actual"]) == (False, 2, 5)
    assert "办结5件" in tvt["detail"]
    f = findings(_stated_report("2023年未发生因政府信息公开引发的行政复议、行政诉讼。"))
    for row in ("reconsideration", "litigation_direct", "litigation_after"):
        tvt = f[f"text_vs_table.t4.{row}.total"]
        assert (tvt["passed"], tvt["expected"], tvt["actual"]) == (False, 2, 0)  # the table says 2


def test_statement_of_an_unreadable_cell_is_not_checkable():
    report = _stated_report(STATED)
    report.tables["t3"]["total_handled"]["total"] = None
    tvt = findings(report)["text_vs_table.t3.total_handled.total"]
    assert tvt["passed"] is None and tvt["actual"] == 2 and "unreadable" in tvt["detail"]
