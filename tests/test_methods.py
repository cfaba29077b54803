"""The notebooks' claims that a test can pin, each computed here independently from the data
(plain pandas/scipy on the loaders' frames), never from the toolkit function under test."""
from __future__ import annotations

import pandas as pd
import pytest
from scipy.stats import fisher_exact

import toolkit as tk
from toolkit import plots


@pytest.fixture(scope="module")
def ind():
    return tk.indicators()


def test_dispute_rate_is_a_ratio_and_has_no_interval_anywhere(ind):
    rows = ind[ind["indicator"] == "dispute_rate"]
    assert rows["value"].notna().any()
    assert rows["ci_low"].isna().all() and rows["ci_high"].isna().all()
    summary = tk.summarise_indicators(ind, by=None).set_index("indicator").loc["dispute_rate"]
    assert summary["ci_low"] is pd.NA
    assert tk.indicator_definitions().set_index("indicator").loc["dispute_rate", "kind"] == "ratio"


def test_hongze_2024_table_contradicts_its_text_and_is_flagged(ind):
    reports = tk.load_reports()
    rid = reports.loc[(reports["agency"] == "淮安市洪泽区人民政府") & (reports["year"] == 2024), "report_id"].iloc[0]
    t = tk.load_tables()
    cell = t[(t["report_id"] == rid) & (t["table"] == "t3") & (t["row"] == "new_received") & (t["column"] == "total")]
    said = tk.load_statements()
    said = said[(said["report_id"] == rid) & (said["row"] == "new_received")]
    # read by hand: table 3 本年新收 总计 95; text "受理政府信息公开申请 17 件"
    assert float(cell["value"].iloc[0]) == 95 and set(said["value"].astype(float)) == {17}
    mine = ind[ind["report_id"] == rid].set_index("indicator")
    assert bool(mine.loc["applications", "conflict"]) and bool(mine.loc["dispute_rate", "conflict"])
    # and no report is flagged that the data do not contradict
    merged = said.merge(t, on=["report_id", "table", "row", "column"], suffixes=("_s", "_t"))
    contradicted = set(merged.loc[merged["value_s"] != merged["value_t"], "report_id"])
    everywhere = tk.load_statements().merge(t, on=["report_id", "table", "row", "column"], suffixes=("_s", "_t"))
    contradicted = set(everywhere.loc[everywhere["value_s"] != everywhere["value_t"], "report_id"])
    assert set(ind.loc[ind["conflict"].fillna(False), "report_id"]) == contradicted


def test_buga_is_distinctive_of_problems_at_the_item_level():
    # 不够 ("not enough"): counted by substring over content items, each text once.
    items = tk.load_narratives()
    body = items[~items["is_heading"] & items["duplicate_of"].isna()]
    has = body["text"].str.contains("不够")
    problem = body["part"].astype(str) == "problem"
    a, b = int((has & problem).sum()), int((has & ~problem).sum())
    assert a >= 20 and b == 0
    p = fisher_exact([[a, int(problem.sum()) - a], [b, int((~problem).sum()) - b]])[1]
    assert p < 1e-6  # far below any Benjamini–Hochberg threshold over < 100 terms


def test_default_proactive_chart_draws_one_template():
    reports, tables = tk.load_reports(), tk.load_tables()
    edu = reports[reports["agency"] == "河北省教育厅"][["report_id", "template"]]
    cells = tables[(tables["table"] == "t2") & (tables["row"] == "licensing") & (tables["column"] == "decisions")]
    cells = cells.merge(edu, on="report_id")
    on_2021 = cells.loc[cells["template"] == "2021", "value"].dropna()
    pooled = cells["value"].dropna()
    assert pooled.sum() > on_2021.sum() > 0  # the 2019 template adds to it when pooled
    fig = plots.proactive_disclosure(tables, reports, by="organ")
    # The organ's bar is its mean per report (like with like), over its 2021-template reports only.
    widths = {round(p.get_width(), 6) for p in fig.axes[0].patches}
    assert round(on_2021.mean(), 6) in widths and round(pooled.mean(), 6) not in widths


def test_no_grand_total_of_applications_in_the_notebooks():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "notebooks" / "02-applications.py").read_text(encoding="utf-8")
    assert "applications in all" not in text
    assert 'by_organ[by_organ["indicator"] == "applications"]' not in text  # no ranking by sums over years


def test_linked_rates_of_an_organ_rest_on_the_same_reports(ind):
    # Independently: per organ, pool granted/handled and (granted + partial)/handled over the
    # reports where both rates could be formed (0/0 reports add nothing).
    rates = ind[ind["indicator"].isin(["full_disclosure_rate", "disclosure_rate"])]
    formed = rates[rates["value"].notna() | (rates["denominator"] == 0).fillna(False)]
    both = formed.groupby("report_id")["indicator"].nunique()
    both = set(both[both == 2].index)
    summary = tk.summarise_indicators(ind, by="organ").set_index(["organ_id", "indicator"])
    checked = 0
    for organ, part in formed[formed["report_id"].isin(both)].groupby("organ_id"):
        sums = part.groupby(part["indicator"].astype(str))[["numerator", "denominator"]].sum()
        for name in ("full_disclosure_rate", "disclosure_rate"):
            row = summary.loc[(organ, name)]
            assert (row["numerator"], row["denominator"]) == tuple(sums.loc[name])
        full, any_ = summary.loc[(organ, "full_disclosure_rate")], summary.loc[(organ, "disclosure_rate")]
        assert full["n_reports"] == any_["n_reports"]
        if full["denominator"] > 0:
            assert full["value"] <= any_["value"]
            checked += 1
    assert checked >= 5
