"""Write and execute the analysis notebooks (run from the repository root:
``python notebooks/make_notebooks.py`` for all of them, or name some:
``python notebooks/make_notebooks.py 05`` / ``05-problems-and-improvements.ipynb``).

The notebooks are the product; this script only keeps their text in one
reviewable place and stores fresh outputs, which nbval then checks on every
test run.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent

SETUP = """import toolkit as tk
from toolkit import plots
import pandas as pd
pd.set_option("display.width", 120)
pd.set_option("display.max_columns", 20)
pd.set_option("display.max_colwidth", 40)"""
# `%matplotlib inline` registers IPython's PNG formatter for Figure objects: the toolkit's
# charts are built outside pyplot, so without it a notebook shows only "<Figure size …>".
# Closing paragraphs are rendered from the computation with Markdown(f"…").
SETUP_INLINE = "%matplotlib inline\n" + SETUP + "\nfrom IPython.display import Markdown"

NOTEBOOKS: dict[str, list[tuple[str, str]]] = {
    "01-corpus.ipynb": [
        ("md", """# 1. What is in the corpus? / 语料概况

**Question.** Which reports does the shipped corpus hold — by year, administrative level and
region — and how complete are they: are all six sections and all three statistical tables there,
and where a value is missing, why?

Everything here comes from `toolkit`; point `XXGK_CORPUS` at another folder to run it on your own
corpus. Every number in the closing paragraph is computed in the cell that prints it."""),
        ("code", SETUP_INLINE),
        ("code", """reports = tk.load_reports()
reports[["report_id", "agency", "organ_id", "province", "admin_level", "year", "template", "status"]]"""),
        ("md", "Reports by year and administrative level:"),
        ("code", """pd.crosstab(reports["year"], reports["admin_level"], margins=True, margins_name="total")"""),
        ("md", """**By region.** Reports and distinct organs (`organ_id`, stable across years) per province and
administrative level:"""),
        ("code", """by_region = (reports.groupby(["province", "admin_level"], observed=True)
             .agg(reports=("report_id", "size"), organs=("organ_id", "nunique"),
                  first_year=("year", "min"), last_year=("year", "max"))
             .reset_index())
by_region"""),
        ("md", """Completeness: sections found (of 6) and tables found, per report. A table the report does not
contain is *absent* (`has_t3` false), never a table of zeros."""),
        ("code", """reports[["report_id", "template", "n_sections", "has_t2", "has_t3", "has_t4", "n_warnings"]]"""),
        ("md", """Why values are missing. Every cell of `load_tables()` carries the reason for its value
(`status`). The cells of tables the reports *do* contain that were left missing, by reason:"""),
        ("code", """from toolkit.schema import CELL_STATUS

tables = tk.load_tables()
contained = tables[tables["status"] != "table_absent"]
left_missing = contained[contained["value"].isna()]
reasons = left_missing["status"].astype("string").value_counts()
pd.DataFrame({"cells": reasons, "meaning": [CELL_STATUS[s] for s in reasons.index]})"""),
        ("code", """log = tk.load_parse_log()
log[["report_id", "level", "message"]].head(10)"""),
        ("code", """fig = plots.render("audit_summary")
fig"""),
        ("code", """def listing(items):
    items = list(items)
    return "none" if not items else ", ".join(items[:-1]) + (" and " if len(items) > 1 else "") + items[-1]

levels = reports["admin_level"].value_counts()
templates = reports["template"].astype("string").value_counts()
tabled = reports[reports["year"] >= 2019]
no_table = tabled[~tabled[["has_t2", "has_t3", "has_t4"]].fillna(False).any(axis=1)]
provinces = by_region.groupby("province")[["reports", "organs"]].sum().sort_values("reports", ascending=False)
several = provinces[provinces["organs"] > 1]
top_reason = reasons.index[0] if len(reasons) else None
region = (
    f"Regions cannot be compared on this corpus: only {listing(several.index)} "
    f"{'has' if len(several) == 1 else 'have'} reports of more than one organ, and every other province "
    f"contributes {listing(sorted(set(str(n) for n in provinces.loc[provinces['organs'] == 1, 'reports'])))} "
    f"report(s) of a single organ — a description of where the reports come from, not a regional comparison."
    if len(several) < 2 else
    f"{len(several)} provinces have reports of more than one organ ({listing(several.index)}), "
    f"so a comparison by province is possible for them.")
text = f\"\"\"**What it shows.** The corpus holds {len(reports)} reports of {reports['organ_id'].nunique()} organs,
report years {reports['year'].min()}–{reports['year'].max()}: {listing(f'{n} {lvl}-level' for lvl, n in levels.items() if n)}.

**By region.** They come from {len(provinces)} provinces: {listing(f'{p} {n}' for p, n in provinces['reports'].items())}.
{region}

**Templates.** {templates.get('pre-2019', 0)} reports predate the fixed template (`pre-2019`, narrative only; the audit
does not count their missing tables against them); {templates.get('2019', 0)} use the 2019 template and
{templates.get('2021', 0)} the 2021 one. {len(no_table)} reports of 2019 or later have no readable table at all
({listing(sorted(set(no_table['agency'])))}): their tables are *absent*, not zero.

**Missing values.** Of the {len(contained):,} cells of the tables the reports contain, {len(left_missing):,}
({len(left_missing) / max(len(contained), 1):.0%}) were left missing rather than guessed.\"\"\"
if top_reason is not None:
    text += (f" The commonest reason is `{top_reason}` — {CELL_STATUS[top_reason]} — "
             f"for {reasons.iloc[0]:,} of them ({reasons.iloc[0] / len(left_missing):.0%}).")
Markdown(text)"""),
    ],
    "02-applications.ipynb": [
        ("md", """# 2. Applications: who asks, and what they get / 依申请公开

**Question.** Table 3 counts the disclosure applications each organ received and how it answered
them. Who applies? Which organs receive the most applications, and how many do they refuse? How
are applications resolved — granted, partly granted, denied (不予公开), unavailable, not processed?

The numbers come from `tk.indicators()`: one row per report and indicator, with its numerator,
denominator and a Wilson 95% interval. A missing input gives `<NA>` with the reason, never 0;
a report that handled no application has no rate. Where a report's table 3 is absent, the count
the narrative states is used and marked `stated`."""),
        ("code", SETUP_INLINE),
        ("code", """ind = tk.indicators()
apps = ind[ind["indicator"] == "applications"]
apps[["report_id", "agency", "year", "template", "value", "source", "reason"]]"""),
        ("md", """**Who applies.** New applications by applicant type, totalled over the reports that have the
cell; `tk.aggregate` leaves a missing cell out and says how many reports it rests on:"""),
        ("code", """from toolkit import schema

tables = tk.load_tables()
t3 = tables[(tables["table"] == "t3") & (tables["status"] != "table_absent")]
by_applicant = tk.aggregate(t3[t3["row"] == "new_received"], "value", by="column")
by_applicant.set_index("column").reindex([c.key for c in schema.T3_COLUMNS])"""),
        ("md", """**Which organs receive the most applications**, summed over each organ's reports (an organ whose
count could not be read in any year stays in the list with `<NA>`, so it does not silently drop
out):"""),
        ("code", """by_organ = tk.summarise_indicators(ind, by="organ")
ranking = (by_organ[by_organ["indicator"] == "applications"]
           .sort_values("value", ascending=False, na_position="last", kind="stable")
           [["agency", "value", "n_reports", "n_missing", "n_stated"]])
ranking"""),
        ("code", """fig = plots.applications_and_refusals(ind, by="organ")
fig"""),
        ("md", """**How applications were handled.** The outcome groups are summed only over reports whose every
outcome cell and (七)总计 were read; over those reports the groups must add up to 总计, which the
cell checks:"""),
        ("code", """groups = {"granted in full": "full_disclosure_rate", "granted in part": None,
          "denied (不予公开)": "denial_rate", "unavailable (无法提供)": "unavailable_rate",
          "not processed (不予处理)": "not_processed_rate", "other (其他处理)": "other_rate"}
wanted = [v for v in groups.values() if v] + ["disclosure_rate"]
sub = ind[ind["indicator"].isin(wanted)].astype({"indicator": "string"})
num = sub.pivot(index="report_id", columns="indicator", values="numerator")
den = sub[sub["indicator"] == "disclosure_rate"].set_index("report_id")["denominator"]
complete = num.notna().all(axis=1) & den.reindex(num.index).notna()
num, den = num[complete].copy(), den.reindex(num.index)[complete]
num["granted in part"] = num["disclosure_rate"] - num["full_disclosure_rate"]
long = pd.concat([pd.DataFrame({"report_id": num.index, "outcome": name,
                                "value": num[col or "granted in part"].to_numpy()})
                  for name, col in groups.items()])
outcome_sums = tk.aggregate(long, "value", by="outcome").set_index("outcome").reindex(list(groups))
handled = tk.aggregate(pd.DataFrame({"report_id": den.index, "value": den.to_numpy()}), "value")
outcome_sums.assign(share=(outcome_sums["value"] / handled["value"].iloc[0]).round(3))"""),
        ("code", """per_report = tk.aggregate(long, "value", by="report_id").set_index("report_id")["value"]
check = pd.DataFrame({"outcome groups": per_report, "(七)总计": den})
breaks = check[check["outcome groups"] != check["(七)总计"]]
print(f"{len(check) - len(breaks)} of {len(check)} complete reports: outcome groups = (七)总计")
breaks"""),
        ("md", """**Rates per report**, with Wilson 95% intervals. `<NA>` when the organ handled nothing or an
input cell is missing (the reason says which):"""),
        ("code", """rates = ind[ind["indicator"].isin(["disclosure_rate", "denial_rate"])
           & ind["template"].isin(["2019", "2021"])]
rates[["report_id", "agency", "year", "indicator", "numerator", "denominator", "value", "ci_low", "ci_high",
       "reason"]].round(3)"""),
        ("md", "Pooled by year (Σ cases / Σ handled, over the reports that have both):"),
        ("code", """by_year = tk.summarise_indicators(ind, by="year")
by_year[by_year["indicator"].isin(["applications", "disclosure_rate", "denial_rate"])
        & (by_year["n_reports"] > 0)].round(3)"""),
        ("code", """fig = plots.rates(ind, by="year")
fig"""),
        ("code", """fig = plots.render("applications_by_applicant")
fig"""),
        ("code", """fig = plots.render("outcomes")
fig"""),
        ("code", """from toolkit.analysis import SMALL_N


def listing(items):
    items = list(items)
    return "none" if not items else ", ".join(items[:-1]) + (" and " if len(items) > 1 else "") + items[-1]

counted = apps[apps["value"].notna()]
total_apps = tk.aggregate(apps, "value")
persons = by_applicant.set_index("column")
applicant_cells = t3[(t3["row"] == "new_received") & (t3["column"] != "total")]
applicant_total = tk.aggregate(applicant_cells, "value")["value"].iloc[0]
known = ranking[ranking["value"].notna()]
unknown = ranking[ranking["value"].isna()]
top = known.iloc[0] if len(known) else None
overall = tk.summarise_indicators(ind, by=None).set_index("indicator")
def pooled(name):
    row = overall.loc[name]
    return tk.rate_text(row["numerator"], row["denominator"])
no_case = rates[(rates["denominator"] == 0) & (rates["indicator"] == "disclosure_rate")]
per_report_n = rates.loc[(rates["indicator"] == "disclosure_rate") & rates["value"].notna(), "denominator"]
gaps = rates[rates["value"].isna() & (rates["denominator"] != 0).fillna(True)
             & (rates["indicator"] == "denial_rate")]
text = f\"\"\"**What it shows.** {len(counted)} of {len(apps)} reports give a readable count of new applications
({(counted['source'] == 'table').sum()} from table 3, {(counted['source'] == 'stated').sum()} stated in the text):
{total_apps['value'].iloc[0]:,.0f} applications in all. Natural persons filed {persons.loc['natural_person', 'value']:,.0f}
of the {applicant_total:,.0f} applications whose applicant type was read.\"\"\"
if top is not None:
    text += (f" The organ with the most applications on record is {top['agency']} "
             f"({top['value']:,.0f} over {top['n_reports']} report(s)")
    text += f"; {top['n_missing']} of its reports have no readable count)." if top["n_missing"] else ")."
if len(unknown):
    text += (f" No count could be read in any year for {listing(unknown['agency'])}: "
             "the ranking covers only organs whose counts could be read, and these are not zero.")
text += f\"\"\"

Over the {len(check)} reports whose outcome cells were all read (together {handled['value'].iloc[0]:,.0f} applications
handled), the outcome groups add up to (七)总计 in {len(check) - len(breaks)} of them{'' if breaks.empty else '; the others break the template identity (see the audit, notebook 4)'}. Pooled over every report with the cells,
applications were granted in full or in part at a rate of {pooled('disclosure_rate')}, and denied (不予公开) at
{pooled('denial_rate')}. Per report, rates rest on a median of {per_report_n.median():,.0f} handled applications, and
{(per_report_n < SMALL_N).sum()} of the {len(per_report_n)} reports with a rate handled fewer than
{SMALL_N}: read their rates with the intervals. {len(no_case)} report(s) handled no application and so have no rate ({listing(sorted(set(no_case['agency'])))});
{len(gaps)} have no denial rate because an input cell could not be read ({listing(sorted(set(gaps['agency'] + '（' + gaps['year'].astype('string') + '）')))}).\"\"\"
Markdown(text)"""),
    ],
    "03-proactive-and-appeals.ipynb": [
        ("md", """# 3. Proactive disclosure and appeals / 主动公开与复议诉讼

**Question.** Table 2 lists what each organ disclosed on its own initiative under Article 20:
rules and normative documents made, repealed and in force; licensing, penalty and coercion
decisions; fees collected. Table 4 counts administrative reconsideration and litigation over
disclosure, and how they ended. How active are these organs, and how often are they corrected?"""),
        ("code", SETUP_INLINE),
        ("md", """Table 2 of the reports on the 2021 template. The 2019 template has other columns (it counts
documents published, not in force, and fee items, not amounts), so it is kept apart below and in
the chart:"""),
        ("code", """tables = tk.load_tables()
reports = tk.load_reports()
on_2021 = reports.loc[reports["template"] == "2021", "report_id"]
t2 = tables[(tables["table"] == "t2") & tables["report_id"].isin(on_2021)]
t2.pivot(index="report_id", columns=["row", "column"], values="value")"""),
        ("code", """on_2019 = reports.loc[reports["template"] == "2019", "report_id"]
t2_2019 = tables[(tables["table"] == "t2") & tables["report_id"].isin(on_2019)
                 & (tables["status"] != "table_absent")]
t2_2019.pivot(index="report_id", columns=["row", "column"], values="value")"""),
        ("md", """Decisions per organ, 2021-template reports only (an organ's bars sum its reports; a missing
cell is left out and the total marked `≥`):"""),
        ("code", """fig = plots.proactive_disclosure(tables[tables["report_id"].isin(on_2021)], reports, by="organ")
fig"""),
        ("md", """The organ × year panel (`tk.load_panel()`): licensing decisions and their year-on-year change
(the 2019 template's 处理决定数量 is the same count); a year without a report, or without the
value, is a gap, and no change is computed across it:"""),
        ("code", """panel = tk.load_panel()
licensing = panel[panel["year"] >= 2019].pivot_table(index="agency", columns="year", values="licensing_decisions",
                                                     aggfunc="first", dropna=False)
licensing"""),
        ("md", """Table 4: correction rates with Wilson 95% intervals, pooled over all reports (table 4 is the
same in both templates). A rate rests on the cases *decided* (维持 + 纠正 + 其他; pending cases
are not decided):"""),
        ("code", """ind = tk.indicators()
t4_names = ["reconsideration_correction_rate", "litigation_correction_rate", "dispute_rate"]
overall = tk.summarise_indicators(ind, by=None)
t4_overall = overall[overall["indicator"].isin(t4_names)].set_index("indicator")
t4_overall.assign(text=[tk.rate_text(k, n) for k, n in zip(t4_overall["numerator"], t4_overall["denominator"])])[
    ["numerator", "denominator", "value", "ci_low", "ci_high", "n_reports", "n_missing", "text"]]"""),
        ("code", """by_organ = tk.summarise_indicators(ind, by="organ")
by_organ[by_organ["indicator"].isin(t4_names[:2]) & (by_organ["denominator"] > 0)][
    ["agency", "indicator", "numerator", "denominator", "value", "ci_low", "ci_high", "n_reports"]].round(3)"""),
        ("code", """fig = plots.render("appeals")
fig"""),
        ("code", """from toolkit.analysis import SMALL_N


def listing(items):
    items = list(items)
    return "none" if not items else ", ".join(items[:-1]) + (" and " if len(items) > 1 else "") + items[-1]

decisions = t2[t2["row"].isin(["licensing", "penalty", "coercion"]) & (t2["column"] == "decisions")]
volume = tk.aggregate(decisions, "value", by="row").set_index("row")
all_three = tk.aggregate(decisions, "value").iloc[0]
lead = licensing.max(axis=1).sort_values(ascending=False)
top = lead.index[0] if len(lead) and pd.notna(lead.iloc[0]) else None
t4_cases = ind[ind["indicator"].isin(t4_names[:2]) & (ind["denominator"] > 0)]
organs_with_cases = sorted(set(t4_cases["agency"]))
years_with_cases = sorted(set(int(y) for y in t4_cases["year"]))
rec, lit = t4_overall.loc["reconsideration_correction_rate"], t4_overall.loc["litigation_correction_rate"]
text = f\"\"\"**What it shows.** Over the 2021-template reports, licensing decisions make up
{volume.loc['licensing', 'value'] / all_three['value']:.0%} of the {all_three['value']:,.0f} licensing, penalty and coercion
decisions tabled ({all_three['n_reports']} reports; {all_three['n_missing']} with a cell missing, that cell left out).\"\"\"
if top is not None:
    years = licensing.loc[top].dropna()
    text += (f" {top} reports the most: " + listing(f"{v:,.0f} ({int(y)})" for y, v in years.items()) + ".")
text += f\"\"\"

Disclosure disputes come from {len(organs_with_cases)} organ(s) ({listing(organs_with_cases)}), in report years
{listing(str(y) for y in years_with_cases)}. Pooled, reconsideration corrected the organ in
{tk.rate_text(rec['numerator'], rec['denominator'])} of decided cases, and courts in
{tk.rate_text(lit['numerator'], lit['denominator'])}.\"\"\"
decided = [d for d in (rec["denominator"], lit["denominator"]) if pd.notna(d)]
if decided and min(decided) < SMALL_N:
    text += (" With so few decided cases the intervals are wide: these rates describe these organs, and say little "
             "about disclosure disputes in general.")
Markdown(text)"""),
    ],
    "04-audit.ipynb": [
        ("md", """# 4. Where reports break their own arithmetic / 勾稽关系核查

**Question.** The template demands identities: for every column of table 3, new + carried over =
handled + carried forward; the six applicant columns add up to the total; the outcome rows add up to
(七)总计; in table 4, the four results add up to the total. Which reports break them, what is
missing, and does the text agree with the tables?"""),
        ("code", SETUP_INLINE),
        ("code", """audit = tk.audit()
family = audit["check"].map(lambda c: ".".join(c.split(".")[:2]) if c.startswith(("t3.", "t4.")) else c.split(".")[0])
status = audit["passed"].map({True: "passed", False: "failed"}).fillna("not checkable")
summary = pd.crosstab(family, status)
summary"""),
        ("md", "The findings a researcher would cite: every failed check, with what the identity expected and what the report shows."),
        ("code", """failed = audit[audit["passed"].eq(False).fillna(False)]
failed[["report_id", "check", "expected", "actual", "detail"]]"""),
        ("md", "Text against table: the number of applications the narrative states, compared with table 3."),
        ("code", """text_vs_table = audit[audit["check"].str.startswith("text_vs_table")]
text_vs_table[["report_id", "check", "expected", "actual", "passed", "detail"]]"""),
        ("md", "Across years: section 五 repeated nearly verbatim from the same organ's previous report."),
        ("code", """repeats = audit[audit["check"] == "cross_year.narrative_repeat"]
repeats[["report_id", "expected", "actual", "passed", "detail"]]"""),
        ("code", """fig = plots.render("audit_summary")
fig"""),
        ("code", """def listing(items):
    items = list(items)
    return "none" if not items else ", ".join(items[:-1]) + (" and " if len(items) > 1 else "") + items[-1]

reports = tk.load_reports().set_index("report_id")
def name(rid):
    return f"{reports.loc[rid, 'agency']}（{reports.loc[rid, 'year']}）"

arithmetic = family.isin(["t3.balance", "t3.row_sum", "t3.outcomes", "t4.row_sum"])
checked = arithmetic & audit["passed"].notna()
broken = arithmetic & audit["passed"].eq(False).fillna(False)
missing_table = failed[failed["check"].str.startswith("table_present")]
compared = text_vs_table[text_vs_table["passed"].notna()]
disagree = compared[~compared["passed"].astype(bool)]
repeated = repeats[repeats["passed"].eq(False).fillna(False)]
prose = failed[failed["check"].str.startswith("narrative")]
if broken.any():
    arith = (f"{broken.sum()} of the {checked.sum()} arithmetic checks that could be made fail, in "
             f"{listing(sorted(set(name(r) for r in audit.loc[broken, 'report_id'])))}.")
else:
    arith = f"None of the {checked.sum()} arithmetic checks that could be made fails: every identity checked holds."
text = f\"\"\"**What it shows.** {arith} A further {(arithmetic & audit['passed'].isna()).sum()} could not be made because
a cell or a table is missing — a cell the parser could not read with certainty is left missing, never guessed, so
the identity is not checkable rather than broken.

What fails most is completeness: {missing_table['report_id'].nunique()} reports lack at least one table the template
requires ({listing(sorted(set(name(r) for r in missing_table['report_id'])))}).

Text against table: in {len(compared)} report(s) the narrative states a number that could be compared with its table;
{len(compared) - len(disagree)} agree{'' if disagree.empty else ', and ' + listing(sorted(set(name(r) for r in disagree['report_id']))) + ' disagree'}.
In {text_vs_table['passed'].isna().sum()} finding(s) no comparison was possible (no stated number, or the table is
missing — reported as missing, not as a disagreement).\"\"\"
if len(repeated):
    text += ("\\n\\nAcross years, section 五 repeats the previous year's text nearly verbatim in "
             + listing(f"{name(r)} ({a:.0%} of character 5-grams shared)"
                       for r, a in zip(repeated["report_id"], repeated["actual"])) + ".")
text += (f" The {len(prose)} `narrative` failures mark sections 五 written as prose or without an improvements "
         "part: a warning for text mining rather than an error of the report.")
Markdown(text)"""),
    ],
    "05-problems-and-improvements.ipynb": [
        ("md", """# 5. Problems and improvements / 存在的主要问题及改进情况

**Question.** Section 五 is where organs say what went wrong and what they will do. What do they
write about, does it differ between years and administrative levels, and how far can a reader trust
the answer? The analysis codes the problems into the categories researchers of these reports use
(a shipped codebook), reads them in context, checks the automatic coding against a human coder, and
fits topics only to report those whose top terms come back across random restarts. Every number in
the closing paragraph is computed in the cells above it."""),
        ("code", "%matplotlib inline\n" + SETUP + "\nfrom IPython.display import Markdown"),
        ("md", """## 1. The items

`tk.load_narratives()` cuts each section 五 into problem and improvement items. Items that are only
a heading (`（二）整改措施`, `改进措施：`) are flagged and skipped by every tool below; a report that
nearly repeats an earlier one (reuse at or above `DUPLICATE_THRESHOLD`) carries `duplicate_of`."""),
        ("code", """items = tk.load_narratives()
body = items[~items["is_heading"]]
distinct = body[body["duplicate_of"].isna()]
reports = tk.load_reports()
dups = items.groupby("report_id")["duplicate_of"].first().dropna()
parts = body.groupby(["report_id", "part"], observed=True).size().unstack(fill_value=0)
overview = pd.Series({
    "reports in the corpus": len(reports),
    "reports with a section 五": items["report_id"].nunique(),
    "items": len(items),
    "heading-only items (skipped)": int(items["is_heading"].sum()),
    "content items": len(body),
    "reports with both parts": int(((parts["problem"] > 0) & (parts["improvement"] > 0)).sum()),
    "reports nearly repeating an earlier one": len(dups),
}, name="count")
overview.to_frame()"""),
        ("md", "Near-duplicate reports: the share of each report's cleaned section 五 found nearly verbatim in the other (`tk.reuse_pairs`), and which pairs `load_narratives` flags."),
        ("code", """from toolkit.mining.narratives import DUPLICATE_THRESHOLD
section5 = items.groupby("report_id")["text"].apply("\\n".join)
agency_year = reports.set_index("report_id")[["agency", "year"]]
pairs = tk.reuse_pairs(section5)
pairs = pairs.join(agency_year.add_suffix("_a"), on="report_a").join(agency_year.add_suffix("_b"), on="report_b")
pairs["flagged"] = [dups.get(b) == a or dups.get(a) == b for a, b in zip(pairs["report_a"], pairs["report_b"])]
print(f"DUPLICATE_THRESHOLD = {DUPLICATE_THRESHOLD}")
pairs[["agency_a", "year_a", "year_b", "reused_a", "reused_b", "flagged"]].round(2)"""),
        ("md", """## 2. Coding by codebook

The codebook (`tk.load_codebook()`, documented in `toolkit/mining/coding.py`) has categories with
keywords, patterns and two real example items each. `tk.code_items` gives one row per item and
matched category, with the terms that matched."""),
        ("code", """book = tk.load_codebook()
pd.DataFrame([(c["id"], c["zh"], c["en"], len(c["keywords"]), len(c["patterns"])) for c in book],
             columns=["id", "zh", "en", "keywords", "patterns"])"""),
        ("code", """coded = tk.code_items(items)
covered = body.assign(coded=body["item_id"].isin(coded["item_id"]))
coverage = covered.groupby("part", observed=True)["coded"].agg(coded="sum", items="size")
coverage.loc["all"] = coverage.sum()
coverage["share"] = (coverage["coded"] / coverage["items"]).round(3)
coverage"""),
        ("md", "The content items no category matches — read them to see what the codebook misses:"),
        ("code", """uncoded = covered.loc[~covered["coded"], ["item_id", "text"]]
uncoded.assign(text=uncoded["text"].str.slice(0, 60))"""),
        ("md", """How far to trust the automatic coding: one person coded passages of a sample of reports by hand
(`tests/fixtures/codebook/manual_coding.csv`; each passage lies inside one item, and an item with
several coded passages takes its first). `tk.agreement` compares that coder with the automatic primary
category. The coder also wrote the keywords, on these texts, so this is an in-sample, optimistic figure."""),
        ("code", """manual_passages = pd.read_csv("../tests/fixtures/codebook/manual_coding.csv", dtype=str)
manual = {}
for passage in manual_passages.itertuples():
    holder = body[(body["report_id"] == passage.report_id) & body["text"].str.contains(passage.text, regex=False)]
    manual.setdefault(holder["item_id"].iloc[0], passage.category)
manual = pd.DataFrame({"item_id": list(manual), "category": list(manual.values())})
print(f"{len(manual_passages)} passages of {manual_passages['report_id'].nunique()} reports, in {len(manual)} items")
fit = tk.agreement(manual, coded)
fit.per_category.round(2)"""),
        ("code", """same = int(fit.confusion.values.trace())
print(f"items compared: {fit.n_items}; same primary category: {same}; Cohen's kappa: {fit.kappa:.2f}")"""),
        ("md", """## 3. Categories by year and level

A report *names* a category when one of its problem items is coded with it. Per year the counts are
small, so the table gives k/n (reports naming it / reports with problem items) rather than shares."""),
        ("code", """by_year = tk.category_shares(items, "year")
order = [c["zh"] for c in book]
by_year.assign(cell=by_year["k"].astype(str) + "/" + by_year["n"].astype(str)).pivot(
    index="zh", columns="year", values="cell").reindex(order)"""),
        ("md", """By administrative level, with Wilson intervals. Years are pooled here, so the reports that
nearly repeat an earlier one are left out (each text counts once). Cities and counties are few and
are pooled too."""),
        ("code", """levels = distinct.assign(level=distinct["admin_level"].map(
    {"province": "province", "city": "city/county", "county": "city/county"}).astype(
    pd.CategoricalDtype(["province", "city/county"])))
by_level = tk.category_shares(levels, "level")
by_level[["level", "zh", "k", "n", "share", "ci_low", "ci_high"]].round(2)"""),
        ("code", """fig = plots.category_shares(by_level, "level")
fig"""),
        ("md", "What else differs between the levels (so a difference cannot be read as an effect of level alone):"),
        ("code", """level_meta = levels.drop_duplicates("report_id").groupby("level", observed=True).agg(
    reports=("report_id", "size"), sectors=("sector", lambda s: "、".join(sorted(s.dropna().unique()))),
    first_year=("year", "min"), last_year=("year", "max"))
level_meta"""),
        ("md", "## 4. Reading in context\n\nThe deficiency words the tokenizer now keeps, in their sentences (`tk.kwic`):"),
        ("code", """pd.set_option("display.max_colwidth", 30)
deficiency = tk.kwic("不够|不足|有待|不及时|滞后", items, window=12, regex=True)
deficiency[["report_id", "part", "left", "term", "right"]].head(12)"""),
        ("md", "And the most-named category at province level, through its first keyword:"),
        ("code", """top = by_level[by_level["level"] == "province"].sort_values(["k", "category"], ascending=[False, True]).iloc[0]
keyword = next(c for c in book if c["id"] == top["category"])["keywords"][0]
in_context = tk.kwic(keyword, items, window=12)
print(f"category: {top['zh']}; its first keyword: {keyword}; occurrences: {len(in_context)}")
in_context[["report_id", "part", "left", "term", "right"]].head(8)"""),
        ("md", """## 5. Topics and their stability

Topics are fitted on the content items, each text once (near-duplicates left out). First the number
of topics: NMF restarted from the same fixed seeds for every k; stability is how well the runs agree
(mean ± sd over the seeds)."""),
        ("code", """pd.set_option("display.max_colwidth", 40)
tok = tk.Tokenizer()
k_table = tk.choose_n_topics(distinct, ks=range(2, 9), tokenizer=tok)
print("seeds:", k_table.attrs["seeds"])
k_table.assign(stability=k_table["stability"].map("{:.2f}".format) + " ± " + k_table["stability_sd"].map("{:.2f}".format))[
    ["k", "stability", "reconstruction_error"]].round(3)"""),
        ("code", """best_k = int(k_table.loc[k_table["stability"] == k_table["stability"].max(), "k"].max())
model = tk.TopicModel(n_topics=best_k, tokenizer=tok).fit(distinct)
model.topic_stability_.round(2)"""),
        ("code", """model.top_terms(6).pivot(index="rank", columns="label", values="term")"""),
        ("code", """fig = plots.topic_terms(model.top_terms(6), int(distinct["report_id"].nunique()))
fig"""),
        ("md", "Each topic's share of the items, by year, level and template (every report counts in its own year):"),
        ("code", """shares = {by: model.share_by(body, by) for by in ("year", "admin_level", "template")}
shares["year"].pivot(index="label", columns="year", values="share").round(2)"""),
        ("code", """shares["year"].drop_duplicates("year").set_index("year")[["n_items", "n_reports"]].T"""),
        ("code", """def by_group(by):
    frame = shares[by].assign(**{by: shares[by][by].astype("string").fillna("(none)")})
    return frame.pivot(index="label", columns=by, values="share")

pd.concat({by: by_group(by) for by in ("admin_level", "template")}, axis=1).round(2)"""),
        ("md", """## 6. The vocabulary of problems and of improvements

Log-odds with an informative Dirichlet prior, its z-score, and Benjamini–Hochberg-adjusted p-values
over every term used at least `min_count` times. A term is called distinctive only when its adjusted
p-value is below `alpha`."""),
        ("code", """terms = tk.distinctive_terms(body, "part", tokenizer=tok, top_n=None)
print({k: terms.attrs[k] for k in ("min_count", "alpha", "n_tested")})
terms.head(12).round(4)"""),
        ("md", "## 7. Template reuse across the corpus"),
        ("code", """tk.similarity_pairs(section5)"""),
        ("code", """tk.reused_share(section5).round(3)"""),
        ("md", "## What it shows"),
        ("code", """generic = {"公开", "信息", "信息公开", "政府信息公开", "政务公开", "政府信息", "建设"} | set(tk.load_negation_words())
top3 = model.top_terms(3).groupby("topic")["term"].agg(list)
substantive = [model.topic_labels_[t] for t, ts in top3.items() if sum(x not in generic for x in ts) >= 2]
stab = model.topic_stability_
best_row = k_table.set_index("k").loc[best_k]
prov = by_level[by_level["level"] == "province"].sort_values(["k", "category"], ascending=[False, True])
low = by_level[by_level["level"] == "city/county"].set_index("category")
apart = [r.zh for r in prov.itertuples()
         if r.ci_low > low.loc[r.category, "ci_high"] or r.ci_high < low.loc[r.category, "ci_low"]]
meta = level_meta.to_dict("index")
shared_sectors = set(meta["province"]["sectors"].split("、")) & set(meta["city/county"]["sectors"].split("、"))
n_dist = int(terms["distinctive"].sum())
problem_side = terms[terms["group"] == "problem"].head(5)
negation = [t for t in problem_side["term"] if t in tk.load_negation_words()]
top_pair = pairs.iloc[0]
cov = coverage.loc["all"]
lead_ins = int((body.loc[~covered["coded"], "item"] == 0).sum())

def cite(r):
    return f"{r.zh} ({r.k}/{r.n}, 95% interval {r.ci_low:.0%}–{r.ci_high:.0%})"

def years(level):
    return f"{meta[level]['first_year']}–{meta[level]['last_year']}"

text = f\"\"\"**What it shows.** {overview['reports with a section 五']} of {overview['reports in the corpus']} reports have
a section 五 the parser finds; it splits into {overview['items']} items, of which {overview['heading-only items (skipped)']}
are bare headings. {overview['reports with both parts']} of these reports have both a problem and an improvement part.
{len(dups)} reports nearly repeat an earlier one (the closest pair, {top_pair['agency_a']} {top_pair['year_a']} and
{top_pair['year_b']}, shares {top_pair['reused_b']:.0%} of the later text); they count in their own year but once
when years are pooled.

The codebook codes {int(cov['coded'])} of {int(cov['items'])} content items ({cov['share']:.0%}); of the
{int(cov['items'] - cov['coded'])} it leaves uncoded, {lead_ins} are lead-in sentences (item 0), listed above with
the others. Against one human coder it agrees on {same} of {fit.n_items} items (Cohen's kappa {fit.kappa:.2f}) —
in-sample: the same person wrote the keywords on these texts.

Provincial reports ({meta['province']['reports']}, {meta['province']['sectors']}, {years('province')}) most often name
{cite(prov.iloc[0])}, {cite(prov.iloc[1])} and {cite(prov.iloc[2])}. City and county reports are
{meta['city/county']['reports']} ({meta['city/county']['sectors']}, {years('city/county')}), so their intervals are wide;
the two levels' intervals are apart for {len(apart)} of {len(low)} categories{(': ' + '、'.join(apart)) if apart else ''}.
{'The levels share no sector, so a difference between them cannot be told apart from one between sectors or periods.'
 if not shared_sectors else 'The levels share the sectors ' + '、'.join(sorted(shared_sectors)) + '.'}

Topics: {best_k} topics are the most stable choice (stability {best_row['stability']:.2f} ± {best_row['stability_sd']:.2f}
over {int(best_row['n_runs'])} seeds); across {len(model.restart_seeds_)} restarts of the fitted model each topic's top
terms come back with a mean similarity between {stab['stability'].min():.2f} and {stab['stability'].max():.2f}.
{len(substantive)} of {best_k} topics have top terms that name a subject rather than the general vocabulary of
disclosure and deficiency{(': ' + '、'.join(substantive)) if substantive else ''}{'; the codebook categories, not the topics, are the measure to report' if len(substantive) < best_k else ''}.

Problem and improvement wording: {n_dist} of {terms.attrs['n_tested']} tested terms pass the Benjamini–Hochberg
correction at {terms.attrs['alpha']}. The five terms leaning most towards problems are {'、'.join(f"{r.term} (z = {r.z:.2f})" for r in problem_side.itertuples())}
({len(negation)} of them deficiency words the tokenizer keeps{(': ' + '、'.join(negation)) if negation else ''}); on
this corpus {'none of them is' if not problem_side['distinctive'].any() else 'some are'} distinctive by that test.\"\"\"
Markdown(text)"""),
    ],
    "06-charts.ipynb": [
        ("md", """# 6. Charts to take away / 图表

**Question.** Which charts would a journalist publish from this corpus, and how are they made and
saved? Every chart carries a bilingual title, Chinese axis labels with English, and a source line
(数据来源…) counting the reports that contribute to what is drawn. A value that is missing is
shown as `n/a`, never as a 0 bar; a total that leaves a missing value out is labelled `≥`.
`plots.save` writes PNG at 300 dpi and SVG in one call; `xxgk build` writes every chart to its
`charts/` folder, and `xxgk chart NAME [--by organ|year] --out FILE` renders one."""),
        ("code", SETUP_INLINE),
        ("code", """list(plots.CHARTS), plots.BY_CHARTS"""),
        ("md", """Saving every chart, organ and year variants apart, into a temporary folder (nothing is written
into the checkout):"""),
        ("code", """import tempfile
from pathlib import Path

saved = []
with tempfile.TemporaryDirectory(prefix="xxgk-charts-") as folder:
    for name in plots.CHARTS:
        for by in (("organ", "year") if name in plots.BY_CHARTS else (None,)):
            stem = name if by is None else f"{name}_by_{by}"
            saved += [p.name for p in plots.save(plots.render(name, by=by), Path(folder) / stem)]
len(saved), saved[:4]"""),
        ("md", """**Which organs receive the most applications, and how many are refused** — the chart a
journalist asks for, in one call (`xxgk chart applications_and_refusals --by organ --out FILE` on the
command line):"""),
        ("code", """fig = plots.render("applications_and_refusals", by="organ")
fig"""),
        ("md", "The same by year, and the rates behind it with their 95% intervals:"),
        ("code", """fig = plots.render("applications_and_refusals", by="year")
fig"""),
        ("code", """fig = plots.render("rates", by="organ")
fig"""),
        ("md", "Proactive disclosure per organ, and the audit of the reports:"),
        ("code", """fig = plots.render("proactive_disclosure", by="organ")
fig"""),
        ("code", """fig = plots.render("audit_summary")
fig"""),
        ("md", """**Your own figures with Chinese labels.** `plots.style()` is the house style with the bundled
Chinese font, for `matplotlib.rc_context`; `plots.apply_font(fig)` keeps the glyphs when the figure
is drawn later. Here the panel (`tk.load_panel()`) as lines per organ — a year without a value is a
gap in the line, not a drop to zero:"""),
        ("code", """import matplotlib
from matplotlib.figure import Figure

panel = tk.load_panel()
with matplotlib.rc_context(plots.style()):
    fig = Figure(figsize=(9, 4.5), layout="constrained")
    ax = fig.add_subplot()
    for organ, part in panel[panel["year"] >= 2019].groupby("agency"):
        if part["applications"].notna().any():
            ax.plot(part["year"].astype(int), part["applications"].astype(float), marker="o", label=organ)
    ax.set_title("新收政府信息公开申请数 / New applications, by organ and year", loc="left")
    ax.set_xlabel("年度 / Year")
    ax.set_ylabel("件 / Applications")
    ax.legend(fontsize=8)
plots.apply_font(fig)
fig"""),
        ("code", """drawn_by = sorted(plots.BY_CHARTS)
Markdown(f\"\"\"**What it shows.** {len(plots.CHARTS)} charts; {len(drawn_by)} of them ({', '.join(f'`{n}`' for n in drawn_by)})
are drawn per organ or per year, never mixing the two in one axis. {len(saved)} files were written (a PNG at 300 dpi
and an SVG with text as outlines for each chart and variant), to a temporary folder removed afterwards. The Chinese
labels use Noto Sans CJK SC shipped through the `mplfonts` package, so they render on a machine with no Chinese
fonts installed; your own matplotlib settings are left untouched.\"\"\")"""),
    ],
}


def build(name: str, cells: list[tuple[str, str]]) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for kind, source in cells:
        cell = nbformat.v4.new_markdown_cell(source) if kind == "md" else nbformat.v4.new_code_cell(source)
        nb.cells.append(cell)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(HERE)}}).execute()
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"  # stable ids: re-running gives an identical file
        cell.get("metadata", {}).pop("execution", None)
    nbformat.write(nb, HERE / name)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Write and execute the analysis notebooks.")
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="notebooks to regenerate, by file name or its number prefix (e.g. 05); default: all")
    args = parser.parse_args(argv)
    chosen = []
    for wanted in args.names:
        matches = [n for n in NOTEBOOKS if n == wanted or n.split("-")[0] == wanted]
        if not matches:
            parser.error(f"no notebook {wanted!r}; notebooks: {', '.join(NOTEBOOKS)}")
        chosen += [m for m in matches if m not in chosen]
    for name in chosen or list(NOTEBOOKS):
        build(name, NOTEBOOKS[name])
        print("wrote", name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
