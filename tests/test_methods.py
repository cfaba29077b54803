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


# ---------------------------------------------------------------- helpers read the executed notebooks

NOTEBOOKS = __import__("pathlib").Path(__file__).resolve().parents[1] / "notebooks"


def _outputs(stem: str) -> list[str]:
    """Every output text (Markdown or plain) of an executed notebook, one string per output."""
    import json

    nb = json.loads((NOTEBOOKS / f"{stem}.ipynb").read_text(encoding="utf-8"))
    texts = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            text = data.get("text/markdown") or data.get("text/plain") or out.get("text", "")
            texts.append("".join(text) if isinstance(text, list) else text)
    return texts


def _hongze_2024() -> str:
    reports = tk.load_reports()
    return reports.loc[(reports["agency"] == "淮安市洪泽区人民政府") & (reports["year"] == 2024), "report_id"].iloc[0]


# The indicators that read a cell of table 3 (docs/METHODS.md §1, read off the definitions table by hand).
READS_T3 = {"applications", "disclosure_rate", "full_disclosure_rate", "denial_rate", "unavailable_rate",
            "not_processed_rate", "other_rate", "refusals_legal_exemption", "refusals_factual_operational",
            "refusals_legal_share", "dispute_rate"}


def test_a_contradicted_table3_cell_flags_every_indicator_that_reads_table3(ind):
    rid = _hongze_2024()
    t, said = tk.load_tables(), tk.load_statements()
    keys = ["report_id", "table", "row", "column"]
    both = said.merge(t, on=keys, suffixes=("_s", "_t"))
    both = both[both["value_t"].notna() & (both["value_s"].astype(float) != both["value_t"].astype(float))]
    mine = both[both["report_id"] == rid]
    # read by hand: the only contradicted cell is table 3 本年新收 总计 (95 in the table, 17 in the text)
    assert set(zip(mine["table"], mine["row"], mine["column"])) == {("t3", "new_received", "total")}
    flags = ind[ind["report_id"] == rid].set_index(ind.loc[ind["report_id"] == rid, "indicator"].astype(str))["conflict"]
    assert {n for n, f in flags.items() if f} == READS_T3
    # table 4 and table 2 are not tied to table 3 by any identity: their indicators stay unflagged
    assert not flags.loc[["reconsideration_correction_rate", "litigation_correction_rate", "licensing_decisions"]].any()


def test_summaries_count_the_contradicted_report(ind):
    rid = _hongze_2024()
    rates = ind[(ind["indicator"] == "disclosure_rate") & (ind["year"] == 2024) & ind["value"].notna()]
    expected = int(rates["report_id"].eq(rid).sum())
    assert expected == 1
    by_year = tk.summarise_indicators(ind, by="year")
    row = by_year[(by_year["year"] == 2024) & (by_year["indicator"] == "disclosure_rate")].iloc[0]
    assert row["n_conflict"] == expected
    usable = ind[(ind["indicator"] == "disclosure_rate") & ind["value"].notna()]
    assert tk.largest_contributor(usable).iloc[0]["n_conflict"] == 1
    assert tk.largest_contributor(usable.drop(columns="conflict")).iloc[0]["n_conflict"] is pd.NA


def test_nb02_by_year_pools_table_values_of_2019_on_only():
    import re

    reports, t = tk.load_reports(), tk.load_tables()
    tabled = reports[reports["has_t3"].fillna(False).astype(bool) & (reports["year"] >= 2019)]
    cells = t[(t["table"] == "t3") & (t["row"] == "new_received") & (t["column"] == "total")]
    cells = cells.merge(tabled[["report_id", "year"]], on="report_id").dropna(subset=["value"])
    expected = cells.groupby("year")["value"].sum().astype(float).to_dict()
    shown = {}
    for text in _outputs("02-applications"):
        if "n_conflict" in text and "applications" in text and "denial_rate" in text:
            for year, value in re.findall(r"^\s*\d+\s+(\d{4})\s+applications\s+all\s+([\d.]+)", text, re.M):
                shown[int(year)] = float(value)
    assert shown == expected
    assert shown[2019] == 16 and min(shown) == 2019  # no stated or pre-template count on the axis


def test_nb03_leads_with_the_reports_own_licensing_shares_and_gives_no_total():
    reports, t = tk.load_reports(), tk.load_tables()
    on_2021 = reports.loc[reports["template"] == "2021", "report_id"]
    d = t[(t["table"] == "t2") & t["report_id"].isin(on_2021) & t["row"].isin(["licensing", "penalty", "coercion"])
          & (t["column"] == "decisions")]
    per = d.pivot_table(index="report_id", columns="row", values="value", aggfunc="first", dropna=False)
    read = per.notna().all(axis=1)
    total = per[read].sum(axis=1)
    own = (per.loc[read, "licensing"] / total)[total > 0].astype(float)
    unread = sorted(per.index[~read])
    text = _outputs("03-proactive-and-appeals")[-1]
    # read by hand: 河北省科学技术厅 2021 prints no coercion count, so its share is left out
    assert [reports.set_index("report_id").loc[r, "agency"] for r in unread] == ["河北省科学技术厅"]
    assert len(own) == 11 and f"{own.median():.1%}" == "99.7%"
    assert (f"over the {len(own)} reports with all three cells read" in text.replace("\n", " ")
            and f"is {own.median():.1%} (from {own.min():.0%} to {own.max():.0%})" in text.replace("\n", " "))
    assert "河北省科学技术厅（2021）" in text.split("The chart draws")[0]
    # no sum over the years and organs: neither the decisions in all nor a pooled licensing share
    every = d.dropna(subset=["value"])
    assert f"{every['value'].sum():,.0f}" not in text
    pooled = every.loc[every["row"] == "licensing", "value"].sum() / every["value"].sum()
    assert f"{pooled:.0%}" not in text.split("The chart draws")[0]


def test_nb03_says_what_the_tables_n_reports_counts_for_the_dispute_ratio(ind):
    rows = ind[ind["indicator"] == "dispute_rate"]
    with_ratio = int(rows["value"].notna().sum())
    none = rows[(rows["numerator"] == 0) & (rows["denominator"] == 0)]
    text = _outputs("03-proactive-and-appeals")[-1]
    assert f"applications, {with_ratio} reports)" in text
    assert (f"`n_reports` for the ratio, {with_ratio + len(none)}, also counts the {len(none)} reports" in text
            and (with_ratio, len(none)) == (13, 5))


def _t4(reports, t):
    """Per report with a readable table 4: decided and corrected cases of each dispute row, and the totals."""
    has = reports.loc[reports["has_t4"].fillna(False).astype(bool), "report_id"]
    cells = t[(t["table"] == "t4") & t["report_id"].isin(has)]
    return cells.pivot_table(index="report_id", columns=["row", "column"], values="value", aggfunc="first",
                             dropna=False)


def test_nb03_correction_rates_have_the_reports_own_median():
    reports, t = tk.load_reports(), tk.load_tables()
    wide = _t4(reports, t)
    text = _outputs("03-proactive-and-appeals")[-1]
    for label, rows in (("reconsideration", ["reconsideration"]), ("litigation", ["litigation_direct", "litigation_after"])):
        dec = sum(wide[(r, c)] for r in rows for c in ("upheld", "corrected", "other"))
        cor = sum(wide[(r, "corrected")] for r in rows)
        ok = dec.notna() & cor.notna() & (dec > 0)
        own = (cor[ok] / dec[ok]).astype(float)
        assert f"the median of the {ok.sum()} reports' own rates is {own.median():.0%}" in text, label
    assert "the median of the 5 reports' own rates is 14%" in text


def test_nb03_dispute_ratio_without_its_largest_report_and_the_conflict_named():
    reports, t = tk.load_reports(), tk.load_tables()
    wide = _t4(reports, t)
    cases = sum(wide[(r, "total")] for r in ("reconsideration", "litigation_direct", "litigation_after"))
    apps = t[(t["table"] == "t3") & (t["row"] == "new_received") & (t["column"] == "total")].set_index("report_id")["value"]
    frame = pd.DataFrame({"cases": cases, "apps": apps.reindex(cases.index)}).dropna()
    big = frame["apps"].idxmax()
    rest = frame.drop(big).sum()
    text = _outputs("03-proactive-and-appeals")[-1]
    assert f"without it the ratio is {rest['cases'] / rest['apps']:.3f} ({rest['cases']:,.0f} / {rest['apps']:,.0f})" in text
    assert (rest["cases"], rest["apps"]) == (42, 270)
    assert "淮安市洪泽区人民政府（2024）'s denominator, 95 new applications" in text and "(17)" in text


def test_nb02_gives_the_reports_own_applicant_shares_and_no_total_of_the_cells():
    t = tk.load_tables()
    cells = t[(t["table"] == "t3") & (t["row"] == "new_received") & (t["status"] != "table_absent")]
    per = cells.pivot_table(index="report_id", columns="column", values="value", aggfunc="first", dropna=False)
    missing = sorted(per.index[per[["natural_person", "total"]].isna().any(axis=1)])
    has = per.dropna(subset=["natural_person", "total"])
    share = (has["natural_person"] / has["total"])[has["total"] > 0].astype(float)
    text = _outputs("02-applications")[-1]
    flat = text.replace("\n", " ")
    assert len(share) == 13 and f"their median share is {share.median():.0%} (lowest {share.min():.0%}" in flat
    # read by hand: 河北省工业和信息化厅 2019 and 2020 print table 3 without readable applicant cells
    names = tk.load_reports().set_index("report_id")
    assert [f"{names.loc[r, 'agency']}（{names.loc[r, 'year']}）" for r in missing] == [
        "河北省工业和信息化厅（2019）", "河北省工业和信息化厅（2020）"]
    assert "left out because an applicant cell is missing: 河北省工业和信息化厅（2019） and 河北省工业和信息化厅（2020）" in flat
    # the contradicted report is among the shares drawn, and named there, after the contradiction is shown
    assert _hongze_2024() in share.index
    assert text.index("text and table disagree") < text.index("shares include 淮安市洪泽区人民政府（2024）")
    # no sum of the applicant cells over reports of different years and templates
    applicants = cells[cells["column"] != "total"]
    assert f"{applicants['value'].sum():,.0f}" not in text
    assert f"{applicants.loc[applicants['column'] == 'natural_person', 'value'].sum():,.0f}" not in text


def _wilson(k: float, n: float) -> tuple[float, float]:
    z = 1.959963984540054
    p, d = k / n, 1 + z * z / n
    centre, half = (p + z * z / (2 * n)) / d, z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / d
    return centre - half, centre + half


def test_nb02_pooled_unavailable_share_has_its_interval_with_and_without_the_largest_report():
    t = tk.load_tables()
    t3 = t[(t["table"] == "t3") & (t["column"] == "total")]
    outcome = t3[t3["row"].str.match(r"(granted|partially_granted)$|(denied|unavailable|not_processed|other)\.")]
    handled = t3[t3["row"] == "total_handled"].set_index("report_id")["value"]
    complete = outcome.groupby("report_id")["value"].count() == outcome.groupby("report_id").size()
    ids = [r for r in complete.index[complete] if pd.notna(handled.get(r, pd.NA))]
    unavailable = outcome[outcome["row"].str.startswith("unavailable.") & outcome["report_id"].isin(ids)]
    k = unavailable.groupby("report_id")["value"].sum()
    n = handled[ids].astype(float)
    big = n.idxmax()
    text = _outputs("02-applications")[-1].replace("\n", " ")
    for kk, nn in ((k.sum(), n.sum()), (k.drop(big).sum(), n.drop(big).sum())):
        low, high = _wilson(kk, nn)
        assert f"{kk / nn:.0%} (95% CI {low:.0%}–{high:.0%}; {kk:,.0f} of {nn:,.0f} cases)" in text
    assert (k.sum(), n.sum(), k.drop(big).sum(), n.drop(big).sum()) == (617, 1434, 53, 243)
    assert "unavailable (无法提供) 43% (95% CI 40%–46%" in text


def test_nb02_says_the_outcome_chart_and_table_rest_on_different_reports():
    t = tk.load_tables()
    t3 = t[(t["table"] == "t3") & (t["column"] == "total") & (t["status"] != "table_absent")]
    outcome = t3[t3["row"].str.match(r"(granted|partially_granted)$|(denied|unavailable|not_processed|other)\.")]
    g = outcome.groupby("report_id")["value"]
    charted = set(g.count().index[(g.count() == g.size()) & (g.sum() > 0)])
    handled = t3[t3["row"] == "total_handled"].set_index("report_id")["value"]
    tabled = {r for r in charted if pd.notna(handled.get(r, pd.NA))}
    text = _outputs("02-applications")[-1].replace("\n", " ")
    assert (len(charted), len(tabled)) == (12, 11)
    assert "share of the sum of a report's outcome cells" in text
    assert f"the chart rests on {len(charted)} reports and the table on {len(tabled)}" in text
    # read by hand: 河北省科学技术厅 2022 prints its outcome rows, but its (七)总计 cannot be read
    assert "河北省科学技术厅（2022） in the chart only" in text


def test_nb05_claims_only_terms_that_pass_the_report_level_test():
    import re
    from collections import Counter

    from scipy.stats import binomtest, false_discovery_control

    items = tk.load_narratives()
    body = items[~items["is_heading"] & items["duplicate_of"].isna()]
    tok = tk.Tokenizer()
    tokens = [list(tok(x)) for x in body["text"]]
    # the terms tested: used at least 5 times over these items (distinctive_terms' min_count)
    tested = sorted(t for t, c in Counter(t for ts in tokens for t in ts).items() if c >= 5)
    per = {}
    for rid, part, ts in zip(body["report_id"], body["part"].astype(str), tokens):
        per.setdefault(rid, {}).setdefault(part, set()).update(ts)
    paired = [v for v in per.values() if "problem" in v and "improvement" in v]
    p = []
    for term in tested:
        a = sum(term in v["problem"] and term not in v["improvement"] for v in paired)
        b = sum(term in v["improvement"] and term not in v["problem"] for v in paired)
        p.append(binomtest(a, a + b, 0.5).pvalue if a + b else 1.0)
    passing = {t for t, q in zip(tested, false_discovery_control(p, method="bh")) if q < 0.05}
    text = _outputs("05-problems-and-improvements")[-1].replace("\n", " ")
    claim = text.split("Problem and improvement wording, with reports as the unit")[1].split("Counting items instead")[0]
    assert re.search(r"finds (\d+) of (\d+) tested terms", claim).groups() == (str(len(passing)), str(len(tested)))
    claimed = {x.split(" (")[0] for x in claim.split("0.05: ")[1].rstrip(". ").split("、")}
    assert len(paired) == 30 and len(tested) == 82
    assert claimed == passing == {"不够", "有待", "不足", "水平", "继续"}
    # 仍需 and 差距 pass Fisher's test over items (7 vs 0 items each) but not the report-level one
    assert "仍需" not in claimed and "差距" not in claimed
    assert "差距、仍需 pass on items only" in text


def test_nb05_illustrates_the_primary_label_leader_not_the_any_match_one():
    items = tk.load_narratives()
    body = items[~items["is_heading"] & items["duplicate_of"].isna()]
    prov = body[(body["admin_level"] == "province") & (body["part"].astype(str) == "problem")]
    coded = tk.code_items(items)
    primary = coded[coded["primary"].fillna(False) & coded["item_id"].isin(prov["item_id"])]
    reports_per = primary.groupby(primary["category"].astype(str))["report_id"].nunique().sort_index()
    leader = reports_per.sort_values(ascending=False, kind="stable").index[0]
    anymatch = coded[coded["item_id"].isin(prov["item_id"])].groupby(coded["category"].astype(str))["report_id"].nunique()
    assert leader == "policy_interpretation" and reports_per[leader] == 6
    assert anymatch.idxmax() != leader  # the two ways of counting disagree, so the choice matters
    zh = tk.load_codebook().set_index("id").loc[leader, "zh"]
    shown = [x for x in _outputs("05-problems-and-improvements") if x.startswith("category: ")]
    assert shown and shown[0].startswith(f"category: {zh} (primary label in 6 of {prov['report_id'].nunique()}")


def test_hand_coding_is_disclosed_as_an_ai_reading_with_item_level_intervals():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    nb05 = "\n".join(_outputs("05-problems-and-improvements"))
    assert "not by a person but by an AI assistant" in nb05 and "bootstrap" in nb05
    for path in (root / "README.md", root / "tests" / "fixtures" / "codebook" / "README.md"):
        text = " ".join(path.read_text(encoding="utf-8").split())
        assert "AI assistant" in text and "not independent" in text and "exclude" in text, path


def test_nb06_does_not_call_its_svgs_outlines():
    text = _outputs("06-charts")[-1]
    assert "text as outlines" not in text and "`<text>` elements" in text


def test_nb06_names_the_contradicted_report_it_draws():
    rid = _hongze_2024()
    t, said = tk.load_tables(), tk.load_statements()
    table = t[(t["report_id"] == rid) & (t["table"] == "t3") & (t["row"] == "new_received") & (t["column"] == "total")]
    text_says = said[(said["report_id"] == rid) & (said["row"] == "new_received") & (said["column"] == "total")]
    text = _outputs("06-charts")[-1]
    assert (f"淮安市洪泽区人民政府（2024） is drawn in" in text
            and f"({float(table['value'].iloc[0]):,.0f} new applications), but its own text says "
                f"{float(text_says['value'].iloc[0]):,.0f}" in text)
