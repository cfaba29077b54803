"""Indicators, the panel, organ identity and the missing-aware aggregation.

Expected values are worked out by hand from the hand-built frames below (and,
for the Wilson interval, from its closed form), never from the code under test.
"""
from __future__ import annotations

import math

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import toolkit as tk
from toolkit import schema
from toolkit.analysis import (INDICATORS, aggregate, compute_indicators, indicator_definitions, panel_frame, pooled_rate,
                              summarise_indicators, wilson_interval)
from toolkit.corpus.organs import OrganAlias, organ_id

Z = 1.959963984540054


# ------------------------------------------------------------------ hand-built frames

def _report(rid, year=2022, template="2021", agency="某县民政局", adcode="100001", has=(True, True, True)):
    return {"report_id": rid, "agency": agency, "organ_id": organ_id(agency, adcode), "year": year,
            "template": template, "has_t2": has[0], "has_t3": has[1], "has_t4": has[2]}


def _reports(*rows):
    frame = pd.DataFrame(list(rows))
    return frame.astype({"report_id": "string", "agency": "string", "organ_id": "string", "year": "Int64",
                         "has_t2": "boolean", "has_t3": "boolean", "has_t4": "boolean"})


def _tables(rid, template="2021", values=None, status=None, present=("t2", "t3", "t4")):
    """Every template cell of the tables in *present*: 0 unless *values* says otherwise."""
    values, status = values or {}, status or {}
    rows = []
    for t in ("t2", "t3", "t4"):
        for r, c in schema.cells(t, template):
            key = (t, r, c)
            if t not in present:
                rows.append((rid, t, r, c, None, "table_absent"))
                continue
            v = values.get(key, 0)
            rows.append((rid, t, r, c, v, status.get(key, "read" if v is not None else "ambiguous")))
    frame = pd.DataFrame(rows, columns=["report_id", "table", "row", "column", "value", "status"])
    return frame.astype({"report_id": "string", "table": "string", "row": "string", "column": "string",
                         "value": "Float64", "status": "string"})


def _statements(*rows):
    frame = pd.DataFrame(list(rows), columns=["report_id", "table", "row", "column", "value", "sentence",
                                              "start", "end"])
    return frame.astype({"report_id": "string", "table": "string", "row": "string", "column": "string",
                         "value": "Float64", "sentence": "string", "start": "Int64", "end": "Int64"})


def _row(frame, rid, indicator):
    sel = frame[(frame["report_id"] == rid) & (frame["indicator"] == indicator)]
    assert len(sel) == 1
    return sel.iloc[0]


# ------------------------------------------------------------------ Wilson

def test_wilson_interval_against_the_closed_form():
    # k = n = 1: p = 1, centre = (1 + z²/2)/(1 + z²), half = z/(1 + z²) · z/2,
    # so low = 1/(1 + z²) = 0.206549… and high = 1.
    low, high = wilson_interval(1, 1)
    assert low == pytest.approx(1 / (1 + Z ** 2)) and low == pytest.approx(0.2065493, abs=1e-6)
    assert high == pytest.approx(1.0)
    # k = 3, n = 10 computed by hand: p = 0.3, z² = 3.841459
    # centre = (0.3 + 0.1920729)/(1.3841459) = 0.3555073; half = 1.959964/1.3841459 ·
    # sqrt(0.021 + 0.00960365) = 1.4160157 · 0.1749389 = 0.2477162
    low, high = wilson_interval(3, 10)
    assert low == pytest.approx(0.1077913, abs=1e-6) and high == pytest.approx(0.6032219, abs=1e-6)
    assert wilson_interval(0, 0) == (None, None)
    for k, n in ((5, 3), (-1, 3), (1.5, 3), (1, 2.5)):
        with pytest.raises(ValueError, match="wilson_interval"):
            wilson_interval(k, n)
    assert wilson_interval(None, 3) == (None, None)


# ------------------------------------------------------------------ indicators

def test_total_handled_zero_gives_na_rate_with_reason():
    ind = compute_indicators(_reports(_report("r1")), _tables("r1"))
    row = _row(ind, "r1", "disclosure_rate")
    assert row["value"] is pd.NA and row["ci_low"] is pd.NA and row["ci_high"] is pd.NA
    assert row["denominator"] == 0
    assert "denominator is 0" in row["reason"]
    assert _row(ind, "r1", "applications")["value"] == 0  # a count of 0 is a count


def test_one_of_one_granted_is_rate_one_with_wilson_interval():
    values = {("t3", "new_received", "total"): 1, ("t3", "granted", "total"): 1,
              ("t3", "total_handled", "total"): 1}
    ind = compute_indicators(_reports(_report("r1")), _tables("r1", values=values))
    row = _row(ind, "r1", "disclosure_rate")
    assert (row["numerator"], row["denominator"], row["value"]) == (1, 1, 1.0)
    assert row["ci_low"] == pytest.approx(1 / (1 + Z ** 2)) and row["ci_high"] == pytest.approx(1.0)
    assert row["source"] == "table" and row["reason"] is pd.NA
    assert _row(ind, "r1", "denial_rate")["value"] == 0.0


def test_missing_input_gives_na_and_names_the_cell():
    values = {("t3", "granted", "total"): 5, ("t3", "total_handled", "total"): 10,
              ("t3", "denied.third_party", "total"): None}
    ind = compute_indicators(_reports(_report("r1")), _tables("r1", values=values))
    row = _row(ind, "r1", "denial_rate")
    assert row["value"] is pd.NA
    assert "denied.third_party/total" in row["reason"] and "ambiguous" in row["reason"]
    assert _row(ind, "r1", "full_disclosure_rate")["value"] == 0.5  # other rates are unaffected
    assert _row(ind, "r1", "refusals_legal_exemption")["value"] is pd.NA


def test_all_denied_cells_missing_is_not_a_zero_denial_rate():
    missing = {("t3", r, "total"): None for r in schema.t3_outcome_rows() if r.startswith("denied.")}
    values = {("t3", "granted", "total"): 3, ("t3", "total_handled", "total"): 3, **missing}
    ind = compute_indicators(_reports(_report("r1")), _tables("r1", values=values))
    assert _row(ind, "r1", "denial_rate")["value"] is pd.NA


def test_stated_fallback_is_marked_stated():
    reports = _reports(_report("r1", has=(False, False, False)), _report("r2"))
    tables = pd.concat([_tables("r1", present=()), _tables("r2", values={("t3", "new_received", "total"): 4})])
    statements = _statements(
        ("r1", "t3", "new_received", "total", 166, "全年共收到信息公开申请166件。", 10, 25),
        # r2 has its table: a statement never replaces a table value.
        ("r2", "t3", "new_received", "total", 99, "收到申请99件。", 0, 8))
    ind = compute_indicators(reports, tables, statements)
    row = _row(ind, "r1", "applications")
    assert row["value"] == 166 and row["source"] == "stated" and row["reason"] is pd.NA
    assert _row(ind, "r2", "applications")["value"] == 4
    assert _row(ind, "r2", "applications")["source"] == "table"
    # A rate whose other inputs are neither tabled nor stated stays missing.
    rate = _row(ind, "r1", "disclosure_rate")
    assert rate["value"] is pd.NA and "table 3 absent" in rate["reason"]
    # Without statements the same report has no value.
    assert _row(compute_indicators(reports, tables), "r1", "applications")["value"] is pd.NA


def test_statements_that_disagree_give_na():
    reports = _reports(_report("r1", has=(False, False, False)))
    statements = _statements(("r1", "t3", "new_received", "total", 64, "收到申请64件。", 0, 8),
                             ("r1", "t3", "new_received", "total", 78, "收到申请78件。", 20, 28))
    row = _row(compute_indicators(reports, _tables("r1", present=()), statements), "r1", "applications")
    assert row["value"] is pd.NA and "64, 78" in row["reason"]


def test_2019_template_never_pooled_where_rows_differ():
    values = {("t3", "other.all", "total"): 2, ("t3", "total_handled", "total"): 4,
              ("t3", "granted", "total"): 2, ("t2", "licensing", "decisions"): 7}
    ind = compute_indicators(_reports(_report("r1", year=2020, template="2019")),
                             _tables("r1", "2019", values=values))
    assert _row(ind, "r1", "other_rate")["value"] == 0.5  # (六) as one row, same group total
    assert _row(ind, "r1", "licensing_decisions")["value"] == 7
    for name in ("refusals_factual_operational", "refusals_legal_share", "fees_amount",
                 "normative_docs_in_force"):
        row = _row(ind, "r1", name)
        assert row["value"] is pd.NA and "2019 template" in row["reason"]
    table = indicator_definitions().set_index("indicator")
    assert not table.loc["fees_amount", "comparable"] and table.loc["applications", "comparable"]
    assert list(table.index) == [i.name for i in INDICATORS]


def test_broken_arithmetic_gives_na_rate():
    values = {("t3", "granted", "total"): 5, ("t3", "total_handled", "total"): 3}
    row = _row(compute_indicators(_reports(_report("r1")), _tables("r1", values=values)), "r1",
               "full_disclosure_rate")
    assert row["value"] is pd.NA and "exceeds" in row["reason"]


def test_row_left_out_of_table_2_is_missing_not_zero():
    tables = _tables("r1", values={("t2", "licensing", "decisions"): 3})
    tables = tables[~((tables["table"] == "t2") & (tables["row"] == "coercion"))]
    ind = compute_indicators(_reports(_report("r1")), tables)
    assert _row(ind, "r1", "licensing_decisions")["value"] == 3
    row = _row(ind, "r1", "coercion_decisions")
    assert row["value"] is pd.NA and "not in the report" in row["reason"]


def test_unreadable_report_has_rows_with_reason():
    rep = _report("r1", has=(None, None, None))
    ind = compute_indicators(_reports(rep), _tables("r1", present=()).iloc[0:0])
    assert len(ind) == len(INDICATORS)
    assert ind["value"].isna().all() and ind["reason"].str.contains("could not be read").all()


def test_compute_indicators_leaves_inputs_unchanged():
    reports, tables = _reports(_report("r1")), _tables("r1")
    before = (reports.copy(), tables.copy())
    compute_indicators(reports, tables)
    assert_frame_equal(reports, before[0])
    assert_frame_equal(tables, before[1])


def test_litigation_and_dispute_rates():
    values = {("t3", "new_received", "total"): 20,
              ("t4", "reconsideration", "upheld"): 2, ("t4", "reconsideration", "corrected"): 1,
              ("t4", "reconsideration", "pending"): 1, ("t4", "reconsideration", "total"): 4,
              ("t4", "litigation_direct", "corrected"): 1, ("t4", "litigation_direct", "other"): 1,
              ("t4", "litigation_direct", "total"): 2, ("t4", "litigation_after", "upheld"): 2,
              ("t4", "litigation_after", "total"): 2}
    ind = compute_indicators(_reports(_report("r1")), _tables("r1", values=values))
    rec = _row(ind, "r1", "reconsideration_correction_rate")
    assert (rec["numerator"], rec["denominator"]) == (1, 3)  # pending is not decided
    lit = _row(ind, "r1", "litigation_correction_rate")
    assert (lit["numerator"], lit["denominator"]) == (1, 4)
    dis = _row(ind, "r1", "dispute_rate")
    assert (dis["numerator"], dis["denominator"], dis["value"]) == (8, 20, 0.4)


# ------------------------------------------------------------------ aggregation

def test_aggregate_never_reads_missing_as_zero():
    frame = pd.DataFrame({"report_id": ["a", "b", "c", "d"], "g": ["x", "x", "x", "y"],
                          "value": pd.array([1, None, 3, None], dtype="Float64")})
    out = aggregate(frame, "value", "g").set_index("g")
    assert out.loc["x", "value"] == 4 and out.loc["x", "n_reports"] == 2 and out.loc["x", "n_missing"] == 1
    assert not out.loc["x", "complete"]
    # A group with nothing present is <NA>, not 0.
    assert out.loc["y", "value"] is pd.NA and out.loc["y", "n_reports"] == 0 and out.loc["y", "n_missing"] == 1
    # The mean is over the values present: (1 + 3) / 2, not (1 + 0 + 3) / 3.
    assert aggregate(frame[frame["g"] == "x"], "value", how="mean")["value"].iloc[0] == 2
    total = aggregate(frame, "value")
    assert total["value"].iloc[0] == 4 and total["n_missing"].iloc[0] == 2
    assert frame["value"].isna().sum() == 2  # input unchanged


def test_aggregate_counts_reports_not_cells():
    frame = pd.DataFrame({"report_id": ["a", "a", "b"], "value": pd.array([1, 2, None], dtype="Float64")})
    out = aggregate(frame, "value")
    assert (out["n_reports"].iloc[0], out["n_missing"].iloc[0], out["n_values"].iloc[0]) == (1, 1, 2)


def test_pooled_rate_uses_reports_with_both_values():
    frame = pd.DataFrame({"report_id": ["a", "b", "c"],
                          "numerator": pd.array([1, 2, None], dtype="Float64"),
                          "denominator": pd.array([4, 6, 10], dtype="Float64")})
    out = pooled_rate(frame)
    assert out["value"].iloc[0] == pytest.approx(3 / 10) and out["n_reports"].iloc[0] == 2
    assert out["n_missing"].iloc[0] == 1
    assert (out["ci_low"].iloc[0], out["ci_high"].iloc[0]) == pytest.approx(wilson_interval(3, 10))
    zero = pooled_rate(frame.assign(denominator=pd.array([0, 0, 0], dtype="Float64"),
                                    numerator=pd.array([0, 0, 0], dtype="Float64")))
    assert zero["value"].iloc[0] is pd.NA


def test_largest_contributor_gives_the_rate_without_the_biggest_report():
    from toolkit.analysis import largest_contributor

    # Hand-made: "big" has 90 of the 100 cases (9 granted); the others 5 + 5 cases (4 + 1 granted);
    # "zero" handled nothing, "gap" has a missing numerator, "split" has two rows, one missing.
    frame = pd.DataFrame({"report_id": ["big", "a", "b", "zero", "gap", "split", "split"],
                          "year": [2021, 2021, 2022, 2022, 2022, 2022, 2022],
                          "numerator": pd.array([9, 4, 1, 0, None, 1, None], dtype="Float64"),
                          "denominator": pd.array([90, 5, 5, 0, 7, 2, 3], dtype="Float64")})
    before = frame.copy()
    out = largest_contributor(frame).iloc[0]
    pd.testing.assert_frame_equal(frame, before)
    assert (out["n_reports"], out["n_zero"], out["n_missing"]) == (3, 1, 2)
    assert (out["numerator"], out["denominator"]) == (14, 100) and out["value"] == pytest.approx(0.14)
    assert (out["ci_low"], out["ci_high"]) == pytest.approx(wilson_interval(14, 100))
    assert out["largest"] == "big" and out["largest_share"] == pytest.approx(0.9)
    assert (out["rest_numerator"], out["rest_denominator"]) == (5, 10) and out["rest_value"] == pytest.approx(0.5)
    assert (out["rest_ci_low"], out["rest_ci_high"]) == pytest.approx(wilson_interval(5, 10))
    # The reports' own rates: 0.1, 0.8, 0.2.
    assert (out["median"], out["min"], out["max"]) == pytest.approx((0.2, 0.1, 0.8))
    by_year = largest_contributor(frame, by="year").set_index("year")
    # 2021: "big" and "a"; 2022: "b" alone (besides the report without a case and the missing ones).
    assert by_year.loc[2021, "largest"] == "big" and by_year.loc[2021, "rest_value"] == pytest.approx(0.8)
    one = by_year.loc[2022]
    assert one["largest"] == "b" and one["largest_share"] == 1 and one["rest_value"] is pd.NA
    assert (one["n_reports"], one["n_zero"], one["n_missing"]) == (1, 1, 2)
    none = largest_contributor(frame[frame["report_id"].isin(["zero", "gap"])]).iloc[0]
    assert none["value"] is pd.NA and none["largest"] is pd.NA and none["n_reports"] == 0


def test_summarise_by_year_pools_rates_and_keeps_templates_apart():
    reports = _reports(_report("a", year=2021), _report("b", year=2021, agency="某市民政局", adcode="100000"),
                       _report("c", year=2020, template="2019"))
    t = {("t3", "granted", "total"): 1, ("t3", "total_handled", "total"): 2, ("t3", "new_received", "total"): 2}
    tables = pd.concat([_tables("a", values=t), _tables("b", values={("t3", "new_received", "total"): None}),
                        _tables("c", "2019", values=t)])
    ind = compute_indicators(reports, tables)
    out = summarise_indicators(ind, "year")
    apps = out[out["indicator"] == "applications"].set_index("year")
    assert apps.loc[2021, "value"] == 2 and apps.loc[2021, "n_reports"] == 1 and apps.loc[2021, "n_missing"] == 1
    rate = out[(out["indicator"] == "full_disclosure_rate") & (out["year"] == 2021)].iloc[0]
    # b handled 0 cases: it adds nothing to the pool (0/0) and is not "missing".
    assert rate["value"] == 0.5 and rate["n_reports"] == 2 and rate["n_missing"] == 0
    fees = out[out["indicator"] == "fees_amount"]
    assert set(fees["template"]) == {"2021", "2019"}
    by_organ = summarise_indicators(ind, "organ")
    assert set(by_organ["organ_id"]) == {"100001:某县民政局", "100000:某市民政局"}


# ------------------------------------------------------------------ organ identity

def test_organ_id_drops_higher_divisions_and_applies_aliases():
    assert organ_id("重庆市开州区民政局", "500154", "重庆市", "重庆市", "开州区") == "500154:开州区民政局"
    assert organ_id("开州区民政局", "500154", "重庆市", "重庆市", "开州区") == "500154:开州区民政局"
    assert organ_id("威海市文登区民政局", "371003", "山东省", "威海市", "文登区") == "371003:文登区民政局"
    assert organ_id("吴忠市民政局", "640300", "宁夏回族自治区", "吴忠市", None) == "640300:吴忠市民政局"
    # Short forms and 2018 renamings (alias table) map to one organ.
    assert organ_id("河北省科技厅", "130000", "河北省") == organ_id("河北省科学技术厅", "130000", "河北省")
    assert organ_id("某市环境保护局", "100000") == organ_id("某市生态环境局", "100000")
    # Full-width and spaces do not make a new organ; another place does.
    assert organ_id("河北省 教育厅", "130000") == "130000:河北省教育厅"
    assert organ_id("河北省教育厅", "130000") != organ_id("河北省教育厅", "130100")
    assert organ_id(None, "130000") is None and organ_id(pd.NA) is None
    assert organ_id("某局", None) == "?:某局"


def test_organ_id_custom_alias_table():
    aliases = (OrganAlias("name", "130000", "河北省工业和信息化委员会", "河北省工业和信息化厅", "renamed 2018"),)
    assert organ_id("河北省工业和信息化委员会", "130000", aliases=aliases) == "130000:河北省工业和信息化厅"
    # Scoped to its adcode.
    assert organ_id("河北省工业和信息化委员会", "130100", aliases=aliases) == "130100:河北省工业和信息化委员会"


def test_load_reports_has_organ_id(seed_corpus):
    reports = tk.load_reports(seed_corpus).set_index("report_id")
    assert reports["organ_id"].dtype == "string"
    assert reports.loc["001_0d529075b8579b4b", "organ_id"] == "500154:开州区民政局"
    assert reports.loc["002_0a737c20a99ed187", "organ_id"] == "371003:文登区民政局"
    assert reports["organ_id"].notna().all()


def test_shipped_corpus_organ_ids_stable_across_years():
    reports = tk.load_reports()
    hebei = reports[reports["province"] == "河北省"]
    assert hebei.groupby("agency")["organ_id"].nunique().eq(1).all()
    assert hebei["organ_id"].nunique() == hebei["agency"].nunique() == 4


# ------------------------------------------------------------------ panel

def test_panel_keeps_gaps_and_changes_only_consecutive_years():
    rows = [_report(f"r{y}", year=y) for y in (2019, 2020, 2022)]
    reports = _reports(*[dict(r, template="2021") for r in rows])
    tables = pd.concat([_tables(f"r{y}", values={("t3", "new_received", "total"): n})
                        for y, n in ((2019, 5), (2020, 8), (2022, 3))])
    panel = panel_frame(compute_indicators(reports, tables)).set_index("year")
    assert list(panel.index) == [2019, 2020, 2021, 2022]
    assert not panel.loc[2021, "has_report"] and panel.loc[2021, "applications"] is pd.NA
    assert panel.loc[2020, "applications_change"] == 3
    assert panel.loc[2019, "applications_change"] is pd.NA
    assert panel.loc[2022, "applications_change"] is pd.NA  # 2021 is a gap: no change across it
    assert panel.loc[2022, "n_reports"] == 1 and panel.loc[2021, "n_reports"] == 0


def test_panel_marks_stated_values():
    reports = _reports(_report("r1", has=(False, False, False)))
    statements = _statements(("r1", "t3", "new_received", "total", 12, "收到申请12件。", 0, 8))
    panel = panel_frame(compute_indicators(reports, _tables("r1", present=()), statements))
    assert panel["applications"].iloc[0] == 12 and panel["stated"].iloc[0] == "applications"


def test_load_panel_and_indicators_on_seeds(seed_corpus):
    ind = tk.indicators(seed_corpus)
    assert list(ind.columns) == ["report_id", "organ_id", "agency", "year", "template", "indicator",
                                 "numerator", "denominator", "value", "ci_low", "ci_high", "source", "conflict", "reason"]
    # 003 (吴忠市民政局, read by hand): one application received, granted; handled 1.
    row = _row(ind, "003_03a04d677c33f02f", "disclosure_rate")
    assert (row["numerator"], row["denominator"], row["value"]) == (1, 1, 1.0)
    # 000 (鸡东县民政局): no application handled, so no disclosure rate.
    assert _row(ind, "000_390bec4f8b72bc77", "disclosure_rate")["value"] is pd.NA
    # 002 published its tables as images: absent, never zeros; its text states 2023年收到1件信息公开申请
    # (read by hand), so applications is that number, marked as stated, and no rate is computed.
    stated = _row(ind, "002_0a737c20a99ed187", "applications")
    assert (stated["value"], stated["source"]) == (1, "stated")
    assert _row(ind, "002_0a737c20a99ed187", "disclosure_rate")["value"] is pd.NA
    panel = tk.load_panel(seed_corpus)
    assert len(panel) == 5 and panel["organ_id"].is_unique
    assert math.isclose(panel.set_index("organ_id").loc["640300:吴忠市民政局", "applications"], 1)


def test_rate_text_gives_interval_and_small_n_note():
    from toolkit.analysis import rate_text

    # 3 of 12: Wilson 95% interval by hand: p = 0.25, z²/n = 0.3201, centre = (0.25 + 0.160061)/1.320122
    # = 0.310624, half = 1.484687 · sqrt(0.015625 + 0.006669) = 0.221706 → 8.9% to 53.2%.
    assert rate_text(3, 12) == "25% (95% CI 9%–53%; 3 of 12 cases; small n)"
    assert rate_text(60, 100).endswith("60 of 100 cases)")
    assert rate_text(0, 0) == "n/a (no case)"
    assert rate_text(pd.NA, 5) == "n/a (missing)"


# ------------------------------------------------------------------ proportions, ratios, conflicts

def test_pooled_rate_refuses_counts_no_proportion_is_made_of():
    for k, n in ((5, 3), (-1, 3), (1.5, 3)):
        frame = pd.DataFrame({"report_id": ["a", "b"], "numerator": [1, k], "denominator": [2, n]})
        with pytest.raises(ValueError, match=r"pooled_rate \(b\)"):
            pooled_rate(frame)
    # a ratio (cases per application) may exceed 1 and gets no interval
    frame = pd.DataFrame({"report_id": ["a", "b"], "numerator": [1, 5], "denominator": [2, 3]})
    out = pooled_rate(frame, kind="ratio").iloc[0]
    assert out["value"] == pytest.approx(6 / 5) and out["ci_low"] is pd.NA and out["ci_high"] is pd.NA


def test_conflict_flags_a_table_cell_the_text_contradicts():
    # Table 3 says 95 new applications; the text says 17 (as 洪泽 2024 does).
    values = {("t3", "new_received", "total"): 95, ("t3", "granted", "total"): 50,
              ("t3", "total_handled", "total"): 95, ("t4", "reconsideration", "total"): 6}
    reports = _reports(_report("r1"), _report("r2", agency="某市民政局"))
    tables = pd.concat([_tables("r1", values=values), _tables("r2", values=values)], ignore_index=True)
    said = _statements(("r1", "t3", "new_received", "total", 17, "受理申请17件", 0, 8),
                       ("r2", "t3", "new_received", "total", 95, "受理申请95件", 0, 8))
    ind = compute_indicators(reports, tables, said)
    assert bool(_row(ind, "r1", "applications")["conflict"]) is True
    assert _row(ind, "r1", "applications")["value"] == 95  # the table's number stays, flagged
    assert bool(_row(ind, "r1", "dispute_rate")["conflict"]) is True  # its denominator is the contradicted cell
    # (七)总计 is tied to 本年新收 by the template's identity (new + carried = handled + forward), so a
    # rate over it rests on the contradiction too; table 4 is tied to no cell of table 3.
    assert bool(_row(ind, "r1", "disclosure_rate")["conflict"]) is True
    assert bool(_row(ind, "r1", "reconsideration_correction_rate")["conflict"]) is False
    assert bool(_row(ind, "r2", "applications")["conflict"]) is False  # the text agrees
    summary = summarise_indicators(ind, None)
    assert summary.set_index("indicator").loc["applications", "n_conflict"] == 1


def test_conflict_in_table_4_flags_its_row_and_in_table_2_its_cell_alone():
    values = {("t3", "new_received", "total"): 10, ("t4", "reconsideration", "corrected"): 1,
              ("t4", "reconsideration", "total"): 1, ("t4", "litigation_direct", "upheld"): 1,
              ("t4", "litigation_direct", "corrected"): 1, ("t4", "litigation_direct", "total"): 2,
              ("t2", "penalty", "decisions"): 30, ("t2", "licensing", "decisions"): 8}
    tables = _tables("r1", values=values)
    # The text gives 5 direct suits where table 4 gives 2, and 12 penalties where table 2 gives 30;
    # it agrees with table 2 on licensing.
    said = _statements(("r1", "t4", "litigation_direct", "total", 5, "行政诉讼5件", 0, 6),
                       ("r1", "t2", "penalty", "decisions", 12, "行政处罚12件", 7, 13),
                       ("r1", "t2", "licensing", "decisions", 8, "行政许可8件", 14, 20))
    # The build hands the cells' keys as categories, the tests as text: both read the same.
    coded = tables.astype({c: "category" for c in ("table", "row", "column", "status")})
    for frame in (tables, coded):
        ind = compute_indicators(_reports(_report("r1")), frame, said)
        flags = ind.set_index("indicator")["conflict"].astype(bool)
        assert flags["litigation_correction_rate"] and flags["dispute_rate"] and flags["penalty_decisions"]
        assert not (flags["reconsideration_correction_rate"] or flags["licensing_decisions"]
                    or flags["applications"] or flags["disclosure_rate"])
        # The tables' numbers stay: (1 + 0) corrected of (1 + 1) decided suits; (1 + 2 + 0) / 10.
        assert _row(ind, "r1", "litigation_correction_rate")["value"] == 0.5
        assert _row(ind, "r1", "dispute_rate")["value"] == pytest.approx(0.3)
        assert _row(ind, "r1", "penalty_decisions")["value"] == 30


def test_dispute_rate_is_a_ratio_without_interval():
    values = {("t3", "new_received", "total"): 4, ("t4", "reconsideration", "total"): 3,
              ("t4", "litigation_direct", "total"): 2}
    ind = compute_indicators(_reports(_report("r1")), _tables("r1", values=values))
    row = _row(ind, "r1", "dispute_rate")
    assert row["value"] == pytest.approx(5 / 4) and row["ci_low"] is pd.NA and row["ci_high"] is pd.NA
    summary = summarise_indicators(ind, None).set_index("indicator").loc["dispute_rate"]
    assert summary["value"] == pytest.approx(5 / 4) and summary["ci_low"] is pd.NA
    defs = indicator_definitions().set_index("indicator")
    assert defs.loc["dispute_rate", "kind"] == "ratio"


def test_a_stated_report_with_no_case_counts_as_stated_in_the_summary():
    # As 河北省科学技术厅 2019 writes it: no tables, and the text says no application and no dispute.
    reports = _reports(_report("r1", has=(False, False, False)), _report("r2", agency="某市民政局"))
    values = {("t3", "new_received", "total"): 4, ("t4", "reconsideration", "total"): 1}
    tables = pd.concat([_tables("r1", present=()), _tables("r2", values=values)], ignore_index=True)
    said = _statements(("r1", "t3", "new_received", "total", 0, "未收到政府信息公开申请。", 0, 12),
                       *[("r1", "t4", row, "total", 0, "未发生涉及政府信息公开的行政复议、行政诉讼案件。", 13, 40)
                         for row in ("reconsideration", "litigation_direct", "litigation_after")])
    ind = compute_indicators(reports, tables, said)
    r1 = _row(ind, "r1", "dispute_rate")
    assert (r1["numerator"], r1["denominator"], r1["source"]) == (0, 0, "stated") and r1["value"] is pd.NA
    summary = summarise_indicators(ind, None).set_index("indicator").loc["dispute_rate"]
    # r1 adds 0/0 to the pool and is counted in it, so it is counted as stated too
    assert (summary["numerator"], summary["denominator"]) == (1, 4)
    assert (summary["n_reports"], summary["n_stated"], summary["n_missing"]) == (2, 1, 0)
    assert summarise_indicators(ind, None).set_index("indicator").loc["applications", "n_stated"] == 1


def test_summarise_by_any_report_column_and_linked_rates_on_the_same_reports():
    # r1 (省 A): full 2 of 4, partial 1; r2 (省 A): full 3 of 5 but 部分公开 unreadable, so its
    # disclosure rate is missing; r3 (省 B): full 1 of 2, partial 1.
    def vals(granted, partial, handled):
        return {("t3", "granted", "total"): granted, ("t3", "partially_granted", "total"): partial,
                ("t3", "total_handled", "total"): handled}
    reports = _reports(_report("r1"), _report("r2", agency="某市局"), _report("r3", agency="某区局"))
    reports["province"] = ["省A", "省A", "省B"]
    tables = pd.concat([_tables("r1", values=vals(2, 1, 4)), _tables("r2", values=vals(3, None, 5)),
                        _tables("r3", values=vals(1, 1, 2))], ignore_index=True)
    ind = compute_indicators(reports, tables)
    out = summarise_indicators(ind, "province", reports=reports).set_index(["province", "indicator"])
    # Both rates of province A rest on r1 alone: 2/4 full ≤ 3/4 any (not 5/9 full from r1 + r2).
    assert out.loc[("省A", "full_disclosure_rate"), "value"] == pytest.approx(2 / 4)
    assert out.loc[("省A", "disclosure_rate"), "value"] == pytest.approx(3 / 4)
    assert out.loc[("省A", "full_disclosure_rate"), "n_reports"] == 1
    assert out.loc[("省B", "disclosure_rate"), "value"] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="by must be one of"):
        summarise_indicators(ind, "colour")
    # pooled_rate and aggregate take a report column through reports=
    rates = ind[ind["indicator"] == "full_disclosure_rate"]
    pooled = pooled_rate(rates, by="province", reports=reports).set_index("province")
    assert pooled.loc["省A", "value"] == pytest.approx(5 / 9)
    counts = aggregate(ind[ind["indicator"] == "refusals_legal_exemption"], by="province", reports=reports)
    assert list(counts["province"]) == ["省A", "省B"] and list(counts["n_reports"]) == [2, 1]


def test_summarise_by_province_on_the_shipped_corpus():
    ind = tk.indicators()
    out = summarise_indicators(ind, by="province")
    reports = tk.load_reports()
    assert set(out["province"].dropna()) == set(reports["province"].dropna())
    hz = ind[(ind["agency"] == "淮安市洪泽区人民政府") & (ind["year"] == 2024)]
    # Its table 3 gives 95 new applications; its text says 受理政府信息公开申请 17 件.
    assert bool(hz.set_index("indicator").loc["applications", "conflict"]) is True


def test_other_rate_reads_other_all_when_a_2021_report_prints_one_row():
    values = {("t3", "granted", "total"): 5, ("t3", "total_handled", "total"): 10}
    tables = _tables("r1", values=values)
    tables = tables[~tables["row"].astype(str).str.startswith("other.")]
    one_row = pd.DataFrame({"report_id": ["r1"], "table": ["t3"], "row": ["other.all"], "column": ["total"],
                            "value": [2.0], "status": ["read"]}).astype(tables.dtypes.to_dict())
    ind = compute_indicators(_reports(_report("r1")), pd.concat([tables, one_row], ignore_index=True))
    row = _row(ind, "r1", "other_rate")
    assert (row["numerator"], row["denominator"]) == (2, 10)
    # without that row the rate is missing, with the reason
    ind = compute_indicators(_reports(_report("r1")), tables)
    assert _row(ind, "r1", "other_rate")["value"] is pd.NA


def test_a_rate_over_zero_cases_with_cases_counted_is_left_out_of_the_pool():
    # A report whose table says 2 refused of 0 handled: its arithmetic is broken, the rate unformed.
    import pandas as pd

    from toolkit.analysis.aggregation import pooled_rate, without_unformed_rates

    rows = pd.DataFrame({"report_id": ["broken", "none", "fine"], "numerator": [2, 0, 3],
                         "denominator": [0, 0, 10], "value": [pd.NA, pd.NA, 0.3]}).astype(
        {"numerator": "Float64", "denominator": "Float64", "value": "Float64"})
    kept = without_unformed_rates(rows)
    assert kept["numerator"].isna().tolist() == [True, False, False]
    pooled = pooled_rate(kept)
    assert pooled["numerator"].iloc[0] == 3 and pooled["denominator"].iloc[0] == 10
    assert pooled["n_reports"].iloc[0] == 2 and pooled["n_missing"].iloc[0] == 1
