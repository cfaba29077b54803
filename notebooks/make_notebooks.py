"""Write and execute the analysis notebooks (run from the repository root:
``python notebooks/make_notebooks.py``, or ``python notebooks/make_notebooks.py 02 06`` for the
notebooks whose names start with the given prefixes).

The notebooks are the product; this script only keeps their text in one
reviewable place and stores fresh outputs, which nbval then checks on every
test run.
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent

# `%matplotlib inline` registers IPython's PNG formatter for Figure objects: the toolkit's
# charts are built outside pyplot, so without it a notebook shows only "<Figure size …>".
SETUP = """%matplotlib inline
import toolkit as tk
from toolkit import plots
import pandas as pd
from IPython.display import Markdown
pd.set_option("display.width", 120)
pd.set_option("display.max_columns", 20)
pd.set_option("display.max_colwidth", 40)"""

NOTEBOOKS: dict[str, list[tuple[str, str]]] = {
    "01-corpus.ipynb": [
        ("md", """# 1. What is in the corpus? / 语料概况

**Question.** Which reports does the shipped corpus hold — by year, administrative level and
region — and how complete are they: are all six sections and all three statistical tables there,
and where a value is missing, why?

Everything here comes from `toolkit`; point `XXGK_CORPUS` at another folder to run it on your own
corpus. Every number in the closing paragraph is computed in the cell that prints it."""),
        ("code", SETUP),
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
        ("code", SETUP),
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
        ("code", SETUP),
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
        ("code", SETUP),
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
write about, how does the language of problems differ from that of improvements, and how much of
the text is copied from other reports?"""),
        ("code", SETUP),
        ("code", """items = tk.load_narratives()
items.groupby(["report_id", "part"], observed=True)["item"].max().unstack()"""),
        ("md", "Tokens: the toolkit's own jieba tokenizer keeps domain terms whole (依申请公开, 三审三校, 政策解读) and drops the template's boilerplate."),
        ("code", """tok = tk.Tokenizer()
enumerated = items[items["item"] > 0].reset_index(drop=True)
enumerated.assign(tokens=enumerated["text"].map(lambda t: " ".join(tok(t)[:8])))[["report_id", "part", "item", "tokens"]].head(8)"""),
        ("md", "How many topics? Stability of NMF topics across random restarts, for each k (higher is more stable)."),
        ("code", """tk.choose_n_topics(enumerated["text"], ks=range(2, 5), tokenizer=tok, min_df=1).round(3)"""),
        ("code", """model = tk.TopicModel(n_topics=3, tokenizer=tok, min_df=1, random_state=0).fit(enumerated["text"])
model.top_terms(6).pivot(index="rank", columns="label", values="term")"""),
        ("code", """model.representative(enumerated["text"], n=1)[["topic", "text"]]"""),
        ("code", """fig = plots.topic_terms(model.top_terms(6), int(enumerated["report_id"].nunique()))
fig"""),
        ("md", "Words that distinguish problems from improvements (log-odds with an informative Dirichlet prior; positive favours the first group)."),
        ("code", """tk.distinctive_terms(enumerated, "part", tokenizer=tok, top_n=5).round(3)"""),
        ("md", "Template reuse: pairs of reports whose section 五 share character 5-grams (after removing the template's own wording), and each report's share of text found nearly verbatim elsewhere."),
        ("code", """section5 = items.groupby("report_id")["text"].apply("".join)
tk.similarity_pairs(section5)"""),
        ("code", """tk.reused_share(section5)"""),
        ("md", """**What it shows.** Most reports split into problems and improvements; some older ones give only
problems. Three topics are stable across restarts for k = 2 and 3: *disclosure work and training*
(信息公开, 同步, 业务, 培训), *timely proactive disclosure* (公开, 及时, 主动公开, 更新) and *policy
interpretation* (政策解读, 形式, 丰富). Problems are written in the vocabulary of disclosure itself
(信息公开, 政策解读, 主动公开), improvements in that of action (发布, 学习, 公众, 网站). Reuse is real:
河北省科学技术厅's 2021 and 2022 sections share 81% of their 5-grams, and 83% of 河北省教育厅's 2016
text reappears nearly verbatim in its 2017 and 2018 reports."""),
    ],
    "06-charts.ipynb": [
        ("md", """# 6. Charts to take away / 图表

**Question.** Which charts would a journalist publish from this corpus, and how are they made and
saved? Every chart carries a bilingual title, Chinese axis labels with English, and a source line
(数据来源…) counting the reports that contribute to what is drawn. A value that is missing is
shown as `n/a`, never as a 0 bar; a total that leaves a missing value out is labelled `≥`.
`plots.save` writes PNG at 300 dpi and SVG in one call; `xxgk build` writes every chart to its
`charts/` folder, and `xxgk chart NAME [--by organ|year] --out FILE` renders one."""),
        ("code", SETUP),
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


def main(argv: list[str]) -> int:
    names = [n for n in NOTEBOOKS if not argv or any(n.startswith(prefix) for prefix in argv)]
    unknown = [p for p in argv if not any(n.startswith(p) for n in NOTEBOOKS)]
    if unknown:
        print(f"no notebook starts with {', '.join(unknown)}; notebooks: {', '.join(NOTEBOOKS)}", file=sys.stderr)
        return 2
    for name in names:
        build(name, NOTEBOOKS[name])
        print("wrote", name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
