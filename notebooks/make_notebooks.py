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
        ("md", """**Where the texts come from.** `metadata.csv` records each report's source. Not every text was
taken from the organ's own site: a crawler's copy of a web page flattens the tables (cells run
together, or are lost), and a file from another project's repository is that project's copy:"""),
        ("code", """from toolkit.corpus import corpus_dir, read_metadata

meta = read_metadata(corpus_dir()).set_index("report_id")


def origin(rid):
    source, url = str(meta.loc[rid, "source"]), str(meta.loc[rid, "source_url"])
    if "crawler text" in source:
        return "crawler text of a web page (via a third-party scraping repository)"
    if "github.com" in url or "github.com" in source:
        what = "a test fixture" if "/fixtures/" in url else "a sample file" if "sample" in url else "a file"
        return f"{what} in another project's GitHub repository"
    return "text extracted from the published file"


provenance = reports[["report_id", "agency", "year"]].assign(
    origin=reports["report_id"].map(origin),
    format=reports["file"].str.rsplit(".", n=1).str[-1],
    source_url=reports["report_id"].map(meta["source_url"]))
provenance.groupby(["origin", "format"]).size().rename("reports").to_frame()"""),
        ("code", """provenance[~provenance["origin"].str.startswith(("crawler", "text extracted"))]"""),
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
no_template = reports[reports["template"].isna()]
assert set(no_template["report_id"]) == set(no_table["report_id"])  # no table found: no template to read
assert templates.sum() + len(no_template) == len(reports) and (no_template["year"] >= 2019).all()


def name(rid):
    row = reports.set_index("report_id").loc[rid]
    return f"{row['agency']}（{row['year']}）"


by_origin = provenance["origin"].value_counts()
elsewhere = provenance[provenance["origin"].str.contains("GitHub")]
crawled = provenance[provenance["origin"].str.startswith("crawler")]
ind = tk.indicators()
usable = ind["value"].notna() | (ind["denominator"] == 0).fillna(False)
masked = ind.assign(numerator=ind["numerator"].where(usable), denominator=ind["denominator"].where(usable))
heavy = {n: tk.largest_contributor(masked[masked["indicator"] == n]).iloc[0]
         for n in ("disclosure_rate", "reconsideration_correction_rate")}
text = f\"\"\"**What it shows.** The corpus holds {len(reports)} reports of {reports['organ_id'].nunique()} organs,
report years {reports['year'].min()}–{reports['year'].max()}: {listing(f'{n} {lvl}-level' for lvl, n in levels.items() if n)}.

**Provenance.** {by_origin.get('text extracted from the published file', 0)} texts were extracted from the published
files; the {len(crawled)} reports of {listing(sorted(set(crawled['agency'])))} are a crawler's text of their web pages,
kept in a third-party scraping repository, so their tables are often run together or missing (notebook 4); and
{listing(f"{name(r.report_id)} ({r.format}, {r.origin.split(' in ')[0]})" for r in elsewhere.itertuples())} are copies
in another project's GitHub repository, not files downloaded from an official site.\"\"\"
d, c = heavy["disclosure_rate"], heavy["reconsideration_correction_rate"]
if {d["largest"], c["largest"]} & set(elsewhere["report_id"]):
    handled = (f"handled {d['largest_denominator']:,.0f} of the {d['denominator']:,.0f} applications behind the pooled "
               "disclosure rate")
    decided = f"supplies {c['largest_denominator']:,.0f} of the {c['denominator']:,.0f} decided reconsideration cases"
    text += (" Such copies weigh heavily in the pooled figures of notebooks 2 and 3: "
             + (f"{name(d['largest'])} alone {handled} and {decided}." if d["largest"] == c["largest"] else
                f"{name(d['largest'])} {handled}, and {name(c['largest'])} {decided}."))
text += f\"\"\"

**By region.** They come from {len(provinces)} provinces: {listing(f'{p} {n}' for p, n in provinces['reports'].items())}.
{region}

**Templates.** {templates.get('pre-2019', 0)} reports predate the fixed template (`pre-2019`, narrative only; the audit
does not count their missing tables against them); {templates.get('2019', 0)} use the 2019 template and
{templates.get('2021', 0)} the 2021 one; the other {len(no_template)}, all of 2019 or later, have no template because no
table was found in their text ({listing(name(r) for r in sorted(no_template['report_id']))}): their tables are *absent*,
not zero.

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
the narrative states is used and marked `stated`.

A total over reports can be dominated by the reports with the most applications, so beside every pooled
figure stands the report that contributes most, the figure without it, and the reports' own median
(`tk.largest_contributor`)."""),
        ("code", SETUP_INLINE),
        ("code", """ind = tk.indicators()
apps = ind[ind["indicator"] == "applications"]
apps[["report_id", "agency", "year", "template", "value", "source", "reason"]]"""),
        ("md", """**Who applies.** New applications by applicant type, totalled over the reports that have the
cell; `tk.aggregate` leaves a missing cell out and says how many reports it rests on. The second
table gives each report's own count, to see which reports make the total:"""),
        ("code", """from toolkit import schema

tables = tk.load_tables()
t3 = tables[(tables["table"] == "t3") & (tables["status"] != "table_absent")]
by_applicant = tk.aggregate(t3[t3["row"] == "new_received"], "value", by="column")
by_applicant.set_index("column").reindex([c.key for c in schema.T3_COLUMNS])"""),
        ("code", """new = t3[t3["row"] == "new_received"].pivot(index="report_id", columns="column", values="value")
new[[c.key for c in schema.T3_COLUMNS]].sort_values("total", ascending=False, na_position="last")"""),
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
cell after it checks. `share` is the pooled share, `share_without_largest` the same without the
report that handled the most, `median_share` the median of the reports' own shares:"""),
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
per_report = long.assign(handled=long["report_id"].map(den))
outcome_spread = tk.largest_contributor(per_report, "value", "handled", by="outcome").set_index("outcome")
outcome_sums.assign(share=(outcome_sums["value"] / handled["value"].iloc[0]),
                    share_without_largest=outcome_spread["rest_value"],
                    median_share=outcome_spread["median"])[
    ["value", "n_reports", "share", "share_without_largest", "median_share"]].round(3)"""),
        ("code", """per_report_sum = tk.aggregate(long, "value", by="report_id").set_index("report_id")["value"]
check = pd.DataFrame({"outcome groups": per_report_sum, "(七)总计": den})
breaks = check[check["outcome groups"] != check["(七)总计"]]
print(f"{len(check) - len(breaks)} of {len(check)} complete reports: outcome groups = (七)总计")
breaks"""),
        ("md", """**Rates per report**, with Wilson 95% intervals. `<NA>` when the organ handled nothing or an
input cell is missing (the reason says which):"""),
        ("code", """rates = ind[ind["indicator"].isin(["disclosure_rate", "denial_rate"]) & (ind["year"] >= 2019)]
rates[["report_id", "agency", "year", "indicator", "numerator", "denominator", "value", "ci_low", "ci_high",
       "reason"]].round(3)"""),
        ("md", """Pooled over all reports, and how far each pooled rate rests on one report (a rate the report's
own arithmetic does not allow is left out, as in `tk.summarise_indicators`):"""),
        ("code", """usable = ind["value"].notna() | (ind["denominator"] == 0).fillna(False)
masked = ind.assign(numerator=ind["numerator"].where(usable), denominator=ind["denominator"].where(usable))
rate_names = ["disclosure_rate", "denial_rate"]
spread = {n: tk.largest_contributor(masked[masked["indicator"] == n]).iloc[0] for n in rate_names}
pd.DataFrame(spread).T[["n_reports", "n_zero", "n_missing", "numerator", "denominator", "value", "largest",
                        "largest_share", "rest_numerator", "rest_denominator", "rest_value", "median", "min", "max"]]"""),
        ("md", """Pooled by year. The organs differ from year to year, so a difference between years is a
difference between organs as much as a change over time; the second table says which report each
year rests on most:"""),
        ("code", """by_year = tk.summarise_indicators(ind, by="year")
by_year[by_year["indicator"].isin(["applications", "disclosure_rate", "denial_rate"])
        & (by_year["n_reports"] > 0)].round(3)"""),
        ("code", """year_spread = tk.largest_contributor(masked[masked["indicator"] == "disclosure_rate"], by="year")
year_spread = year_spread[year_spread["n_reports"] > 0].assign(
    largest_agency=lambda f: f["largest"].map(ind.drop_duplicates("report_id").set_index("report_id")["agency"]))
year_spread[["year", "n_reports", "n_zero", "n_missing", "value", "largest_agency", "largest_share", "rest_value"]].round(3)"""),
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


agency = ind.drop_duplicates("report_id").set_index("report_id")


def name(rid):
    return f"{agency.loc[rid, 'agency']}（{agency.loc[rid, 'year']}）"


# Who applies.
counted = apps[apps["value"].notna()]
total_apps = tk.aggregate(apps, "value")
persons = by_applicant.set_index("column")
applicant_cells = t3[(t3["row"] == "new_received") & (t3["column"] != "total")]
applicant_total = tk.aggregate(applicant_cells, "value").iloc[0]
no_type = sorted(set(applicant_cells.loc[applicant_cells["value"].isna(), "report_id"]))
by_report = tk.aggregate(applicant_cells, "value", by="report_id").set_index("report_id")["value"]
biggest = by_report.idxmax()
biggest_persons = new.loc[biggest, "natural_person"]
known = ranking[ranking["value"].notna()]
unknown = ranking[ranking["value"].isna()]
top = known.iloc[0] if len(known) else None
text = f\"\"\"**What it shows.** {len(counted)} of {len(apps)} reports give a readable count of new applications
({(counted['source'] == 'table').sum()} from table 3, {(counted['source'] == 'stated').sum()} stated in the text):
{total_apps['value'].iloc[0]:,.0f} applications in all. Natural persons filed {persons.loc['natural_person', 'value']:,.0f}
of the {applicant_total['value']:,.0f} applications whose applicant type was read, in {applicant_total['n_reports']} reports
({applicant_total['n_missing']} missing: {listing(name(r) for r in no_type)}); {name(biggest)} alone accounts for
{biggest_persons:,.0f} of them ({by_report[biggest]:,.0f} of the {applicant_total['value']:,.0f}).\"\"\"
if top is not None:
    text += (f" The organ with the most applications on record is {top['agency']} "
             f"({top['value']:,.0f} over {top['n_reports']} report(s)")
    text += f"; {top['n_missing']} of its reports have no readable count)." if top["n_missing"] else ")."
if len(unknown):
    text += (f" No count could be read in any year for {listing(unknown['agency'])}: "
             "the ranking covers only organs whose counts could be read, and these are not zero.")

# Outcomes: the chart and the table count different sets of reports.
chart_cells = t3[(t3["column"] == "total")].assign(
    group=lambda f: [next((zh for zh, _en, key in plots.OUTCOME_GROUPS
                           if r == key or (key.endswith(".") and r.startswith(key))), None) for r in f["row"]])
chart_cells = chart_cells.dropna(subset=["group"])
chart_sums = tk.aggregate(chart_cells, "value", by="group").set_index("group")


def drawn(zh):
    return f"{'' if chart_sums.loc[zh, 'complete'] else '≥'}{chart_sums.loc[zh, 'value']:,.0f}"


text += f\"\"\"

How applications were handled: the outcome chart sums every outcome cell that was read, over the
{chart_cells.dropna(subset=['value'])['report_id'].nunique()} reports with at least one outcome cell read, leaving unread cells out (a
total marked ≥ is a lower bound): granted in full {drawn('予以公开')}, unavailable {drawn('无法提供')}. The outcome table
counts only the {len(check)} reports whose every outcome cell and (七)总计 were read — granted in full
{outcome_sums.loc['granted in full', 'value']:,.0f} and unavailable {outcome_sums.loc['unavailable (无法提供)', 'value']:,.0f}
of {handled['value'].iloc[0]:,.0f} handled — so that its groups can be checked against (七)总计: they add up in
{len(check) - len(breaks)} of them{'' if breaks.empty else '; the others break the template identity (see the audit, notebook 4)'}.
{name(outcome_spread['largest'].iloc[0])} handled {outcome_spread['largest_share'].iloc[0]:.0%} of those applications, so
the pooled shares are largely its own: {outcome_sums.loc['unavailable (无法提供)', 'value'] / handled['value'].iloc[0]:.0%}
unavailable (无法提供) pooled, {outcome_spread.loc['unavailable (无法提供)', 'rest_value']:.0%} without it, and a median of
{outcome_spread.loc['unavailable (无法提供)', 'median']:.0%} over the reports.\"\"\"

# Rates.
d, r = spread["disclosure_rate"], spread["denial_rate"]
with_case = masked[(masked["indicator"] == "disclosure_rate") & (masked["denominator"] > 0).fillna(False)]
templates = sorted(set(with_case["template"].astype("string")))
per_report_n = with_case["denominator"]
text += f\"\"\"

Pooled over the {d['n_reports']} reports with a case (on the {listing(templates)} template; {d['n_zero']} handled none,
{d['n_missing']} have no rate), applications were granted in full or in part at a rate of
{tk.rate_text(d['numerator'], d['denominator'])}, and denied (不予公开) at {tk.rate_text(r['numerator'], r['denominator'])}.
These pooled figures describe no organ: {name(d['largest'])} handled {d['largest_denominator']:,.0f} of the
{d['denominator']:,.0f} applications, and without it the rates are {tk.rate_text(d['rest_numerator'], d['rest_denominator'])}
and {tk.rate_text(r['rest_numerator'], r['rest_denominator'])}. The reports' own disclosure rates have a median of
{d['median']:.0%} (from {d['min']:.0%} to {d['max']:.0%}); their denial rates a median of {r['median']:.0%} (from
{r['min']:.0%} to {r['max']:.0%}). Each interval treats every application as independent, which applications to one
organ in one year are not. Per report, rates rest on a median of {per_report_n.median():,.0f} handled applications, and
{(per_report_n < SMALL_N).sum()} of the {len(per_report_n)} reports with a rate handled fewer than {SMALL_N}: read their
rates with the intervals.\"\"\"

# By year: which reports each year rests on.
alone = year_spread[year_spread["n_reports"] == 1]
several = year_spread[year_spread["n_reports"] > 1]
if len(alone):
    text += (" By year the pooled rate follows the organs that report: "
             + listing(f"{y} rests on {a} alone" for y, a in zip(alone["year"], alone["largest_agency"]))
             + (f", and {listing(str(y) for y in several['year'])} on {several['n_reports'].min()} to "
                f"{several['n_reports'].max()} reports" if len(several) else "")
             + " — a difference between years is a difference between organs, not a trend.")

# Reports without a rate, and why.
no_case = ind[(ind["indicator"] == "disclosure_rate") & (ind["denominator"] == 0).fillna(False)]
gaps = ind[(ind["indicator"] == "denial_rate") & (ind["year"] >= 2019) & ind["value"].isna()
           & (ind["denominator"] != 0).fillna(True)]
why = gaps["reason"].fillna("").map(lambda s: "no table 3 in the corpus text" if "table 3 absent" in s
                                     else "a cell printed blank or not readable")
text += (f" {len(no_case)} report(s) handled no application and so have no rate "
         f"({listing(sorted(set(no_case['agency'])))}); {len(gaps)} reports of 2019 or later have no denial rate — "
         + "; ".join(f"{w}: {listing(name(x) for x in gaps.loc[why == w, 'report_id'])}" for w in sorted(set(why)))
         + ".")
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
cell is left out and the total marked `≥`). The organs differ in kind and level (`admin_level` and
`sector` in `tk.load_reports()`), so a longer bar says what an organ decides, not how openly it
works:"""),
        ("code", """fig = plots.proactive_disclosure(tables[tables["report_id"].isin(on_2021)], reports, by="organ")
ranked = [t.get_text().split("\\n")[0] for t in fig.axes[0].get_yticklabels()]  # the chart's order, top first
fig"""),
        ("md", """The organ × year panel (`tk.load_panel()`): licensing decisions in the 2021-template reports; a
year without a report, or without the value, is a gap. The 2019 template's column has the same name
(处理决定数量), but nothing here shows that it counts the same thing, so its values are listed apart:"""),
        ("code", """panel = tk.load_panel()
in_force = panel[panel["year"] >= 2019]
licensing = in_force[in_force["template"] == "2021"].pivot_table(
    index="agency", columns="year", values="licensing_decisions", aggfunc="first", dropna=False)
licensing"""),
        ("code", """old_template = in_force[(in_force["template"] == "2019") & in_force["licensing_decisions"].notna()]
old_template[["agency", "year", "template", "licensing_decisions"]]"""),
        ("md", """Table 4. First, of which reports could it be read at all? A report whose table 4 is absent from the
corpus text, or whose cells could not be read, says nothing about disputes: unknown, not none."""),
        ("code", """ind = tk.indicators()
rec_rows = ind[ind["indicator"] == "reconsideration_correction_rate"].set_index("report_id")


def t4_state(rid):
    row = rec_rows.loc[rid]
    if str(row["template"]) == "pre-2019":
        return "before the template"
    if pd.notna(row["value"]) or (pd.notna(row["denominator"]) and row["denominator"] == 0):
        return "read"
    return "no table 4 in the text" if "table 4 absent" in str(row["reason"]) else "cells missing"


t4_read = rec_rows.index.to_series().map(t4_state).rename("table 4")
pd.crosstab(reports.set_index("report_id")["agency"], t4_read)"""),
        ("md", """Correction rates with Wilson 95% intervals, pooled over the reports whose table 4 was read (table 4
is the same in both templates). A rate rests on the cases *decided* (维持 + 纠正 + 其他; pending cases
are not decided). `tk.largest_contributor` puts beside each pooled rate the report with the most
decided cases and the rate without it:"""),
        ("code", """t4_names = ["reconsideration_correction_rate", "litigation_correction_rate", "dispute_rate"]
overall = tk.summarise_indicators(ind, by=None)
t4_overall = overall[overall["indicator"].isin(t4_names)].set_index("indicator")
t4_overall.assign(text=[tk.rate_text(k, n) for k, n in zip(t4_overall["numerator"], t4_overall["denominator"])])[
    ["numerator", "denominator", "value", "ci_low", "ci_high", "n_reports", "n_missing", "text"]]"""),
        ("code", """usable = ind["value"].notna() | (ind["denominator"] == 0).fillna(False)  # 0 cases, or a rate that could be formed
masked = ind.assign(numerator=ind["numerator"].where(usable), denominator=ind["denominator"].where(usable))
spread = {n: tk.largest_contributor(masked[masked["indicator"] == n]).iloc[0] for n in t4_names[:2]}
pd.DataFrame(spread).T[["n_reports", "n_zero", "numerator", "denominator", "value", "largest", "largest_numerator",
                        "largest_denominator", "rest_numerator", "rest_denominator", "rest_value", "rest_ci_low",
                        "rest_ci_high"]]"""),
        ("code", """by_organ = tk.summarise_indicators(ind, by="organ")
by_organ[by_organ["indicator"].isin(t4_names[:2]) & (by_organ["denominator"] > 0)][
    ["agency", "indicator", "numerator", "denominator", "value", "ci_low", "ci_high", "n_reports"]].round(3)"""),
        ("code", """fig = plots.render("appeals")
fig"""),
        ("code", """import re

from toolkit.corpus import corpus_dir, read_metadata, resolve_report_path


def listing(items):
    items = list(items)
    return "none" if not items else ", ".join(items[:-1]) + (" and " if len(items) > 1 else "") + items[-1]


meta = reports.set_index("report_id")


def name(rid):
    return f"{meta.loc[rid, 'agency']}（{meta.loc[rid, 'year']}）"


def years(rids):
    ys = sorted(int(meta.loc[r, "year"]) for r in rids)
    return str(ys[0]) if ys[0] == ys[-1] else f"{ys[0]}–{ys[-1]}"


def kind(rid):
    return f"{meta.loc[rid, 'admin_level']} level, sector {meta.loc[rid, 'sector']}"


# Table 2: what the chart ranks (each organ's decisions summed over its 2021-template reports).
decisions = t2[t2["row"].isin(["licensing", "penalty", "coercion"]) & (t2["column"] == "decisions")]
volume = tk.aggregate(decisions, "value", by="row").set_index("row")
all_three = tk.aggregate(decisions, "value").iloc[0]
with_organ = decisions.merge(reports[["report_id", "organ_id"]], on="report_id")
per_organ = tk.aggregate(with_organ, "value", by="organ_id").sort_values("value", ascending=False, na_position="last")
top_organ = per_organ.iloc[0]
top_reports = sorted(set(with_organ.loc[with_organ["organ_id"] == top_organ["organ_id"], "report_id"]))
top_licensing = tk.aggregate(with_organ[(with_organ["organ_id"] == top_organ["organ_id"])
                                        & (with_organ["row"] == "licensing")], "value").iloc[0]
assert ranked[0] == meta.loc[top_reports[-1], "agency"], "the sentence must name the chart's first organ"
per_report = decisions[decisions["row"] == "licensing"].dropna(subset=["value"]).sort_values("value", ascending=False)
single = per_report.iloc[0]
text = f\"\"\"**What it shows.** Over the reports on the 2021 template ({all_three['n_reports']} of them), licensing
decisions make up {volume.loc['licensing', 'value'] / all_three['value']:.0%} of the {all_three['value']:,.0f} licensing,
penalty and coercion decisions tabled ({all_three['n_missing']} report(s) with a cell missing, that cell left out). The
chart ranks organs by their decisions summed over their reports: first is {meta.loc[top_reports[-1], 'agency']}, with
{top_organ['value']:,.0f} decisions, {top_licensing['value']:,.0f} of them licensing, over {len(top_reports)} reports
({years(top_reports)}; {kind(top_reports[-1])}). The largest licensing count in a single report is
{name(single['report_id'])}'s {single['value']:,.0f} ({kind(single['report_id'])}).\"\"\"
if kind(single["report_id"]) != kind(top_reports[-1]):
    text += (" These are different kinds of organ: how many licences an organ grants says what it decides, not how "
             "openly it works, and a sum over several years is not a year's count.")
valued = in_force.dropna(subset=["licensing_decisions"])
bridged = sorted(set(valued.loc[valued["template"] == "2019", "organ_id"])
                 & set(valued.loc[valued["template"] == "2021", "organ_id"]))
if bridged:
    def step(organ):
        rows = valued[valued["organ_id"] == organ].sort_values("year")
        last, first = rows[rows["template"] == "2019"].iloc[-1], rows[rows["template"] == "2021"].iloc[0]
        return (f"{first['agency']}, {last['licensing_decisions']:,.0f} in {last['year']} (2019 template) and "
                f"{first['licensing_decisions']:,.0f} in {first['year']} (2021 template)")
    text += (" The 2019 template's 处理决定数量 is not shown to be the same count — the only organ"
             f"{'' if len(bridged) == 1 else 's'} with a value under both templates: {listing(step(o) for o in bridged)} "
             "— so the two are kept apart.")

# Table 4: which reports could be read, and what is unknown.
since = t4_read[t4_read != "before the template"]
# Without a readable table 4, the text may still say there was no dispute (load_statements).
said = tk.load_statements()
said = said[(said["table"] == "t4") & (said["column"] == "total")]
T4_ROWS = {"reconsideration", "litigation_direct", "litigation_after"}


def states_none(rid):
    mine = said[said["report_id"] == rid]
    return set(mine["row"]) == T4_ROWS and (mine["value"] == 0).all()


since = since.where(~((since != "read") & since.index.to_series().map(states_none)), "the text states none")
unread = since[~since.isin(["read", "the text states none"])]
none_stated = since[since == "the text states none"]
ranking = by_organ[by_organ["indicator"] == "applications"].sort_values("value", ascending=False, na_position="last")
ranking = ranking.reset_index(drop=True)
organ_since = meta["organ_id"].reindex(since.index)
dark = [o for o in ranking["organ_id"] if (organ_since == o).any() and not (since[organ_since == o] == "read").any()]
t4_cases = ind[ind["indicator"].isin(t4_names[:2]) & (ind["denominator"] > 0)]
text += f\"\"\"

Table 4 could be read in {(since == 'read').sum()} of the {len(since)} reports of 2019 or later. In {len(none_stated)} more
({listing(name(r) for r in none_stated.index)}) table 4 is absent or has cells unread, but a sentence says there was
no reconsideration or litigation. In the other {len(unread)} ({'; '.join(f"{s}: {listing(name(r) for r in unread.index[unread == s])}"
for s in sorted(set(unread)))}) disputes are unknown, not zero.\"\"\"
if dark:
    top_dark = ranking[ranking["organ_id"] == dark[0]].iloc[0]
    text += (f" No report of {listing(ranking.loc[ranking['organ_id'].isin(dark), 'agency'])} has a readable table 4, "
             f"and {top_dark['agency']} ranks {int(top_dark.name) + 1} of {len(ranking)} organs by applications on record "
             f"({top_dark['value']:,.0f} over {top_dark['n_reports']} reports, {top_dark['n_stated']} of them stated in "
             "the text).")
text += (f" Where table 4 was read, decided disputes appear in {t4_cases['report_id'].nunique()} reports of "
         f"{t4_cases['organ_id'].nunique()} organs ({listing(sorted(set(name(r) for r in t4_cases['report_id'])))}).")

# Correction rates, and how far each rests on one report.
root = corpus_dir()
files = read_metadata(root).set_index("report_id")["file"]
for label, n in (("reconsideration", t4_names[0]), ("litigation", t4_names[1])):
    sp = spread[n]
    text += (f" Pooled, {label} corrected the organ in {tk.rate_text(sp['numerator'], sp['denominator'])} of decided "
             f"cases ({sp['n_reports']} reports with a decided case, {sp['n_zero']} with none; {sp['n_missing']} "
             f"without a readable table 4 or before the template); {name(sp['largest'])} supplies {sp['largest_denominator']:,.0f} of the "
             f"{sp['denominator']:,.0f} ({sp['largest_numerator']:,.0f} corrected), and without it the rate is "
             f"{tk.rate_text(sp['rest_numerator'], sp['rest_denominator'])}.")
largest = {spread[n]["largest"] for n in t4_names[:2]}
for rid in sorted(largest):
    section4 = tk.parse_report(resolve_report_path(root, files[rid])).sections.get("4") or ""
    note = re.search(r"注[：:][^。\\n]*结转[^。\\n]*。?", section4)
    if note:
        text += (f" {name(rid)}'s table 4 counts cases carried over from the year before (“{note.group(0)}”), so its "
                 "cases are not all of the report year.")
organs = t4_cases["organ_id"].nunique()
text += (f" Each interval treats every decided case as independent, which cases of one organ in one year are not: "
         f"with decided cases from {t4_cases['report_id'].nunique()} reports of {organs} organs, these rates describe "
         "these reports and say little about disclosure disputes in general.")
Markdown(text)"""),
    ],
    "04-audit.ipynb": [
        ("md", """# 4. Where reports break their own arithmetic / 勾稽关系核查

**Question.** The template demands identities: for every column of table 3, new + carried over =
handled + carried forward; the six applicant columns add up to the total; the outcome rows add up to
(七)总计; in table 4, the four results add up to the total. Which reports break them, what is
missing, and does the text agree with the tables?

The audit reads the corpus *text*. What a text lacks is not always what the published report lacks,
and a check on a number the parser chose with the template's own arithmetic cannot fail; both are
sorted out below before anything is counted against a report."""),
        ("code", SETUP_INLINE),
        ("code", """audit = tk.audit()
family = audit["check"].map(lambda c: ".".join(c.split(".")[:2]) if c.startswith(("t3.", "t4.")) else c.split(".")[0])
status = audit["passed"].map({True: "passed", False: "failed"}).fillna("not checkable").rename("result")
summary = pd.crosstab(family, status)
summary"""),
        ("md", "Every failed check, with what the identity expected and what the report shows:"),
        ("code", """failed = audit[audit["passed"].eq(False).fillna(False)]
failed[["report_id", "check", "expected", "actual", "detail"]]"""),
        ("md", """## 1. What the corpus text lacks, and why

A `table_present` failure says that the corpus text has no such table. For each one, what the text has
where the table should be: a pointer to a separate annex (附表); a sentence stating the table's numbers
instead (from `tk.load_statements()`, found inside that section); or nothing — the heading with nothing
under it, another section's text, or no heading at all. `text_from` says where the text comes from
(`metadata.csv`): most of these are a crawler's copy of a web page, which keeps the headings but not
always the tables."""),
        ("code", """import re

from toolkit.corpus import corpus_dir, read_metadata, resolve_report_path
from toolkit.reading import read_document

reports = tk.load_reports().set_index("report_id")
root = corpus_dir()
meta = read_metadata(root).set_index("report_id")
statements = tk.load_statements()
log = tk.load_parse_log()


def name(rid):
    return f"{reports.loc[rid, 'agency']}（{reports.loc[rid, 'year']}）"


lacking = failed[failed["check"].str.startswith(("table_present", "section_present"))]
paths = {rid: resolve_report_path(root, meta.loc[rid, "file"]) for rid in lacking["report_id"].unique()}
parsed = {rid: tk.parse_report(path) for rid, path in paths.items()}
full_text = {rid: read_document(path).text for rid, path in paths.items()}
SECTION_OF = {"t2": "2", "t3": "3", "t4": "4"}


def crawled(rid):
    return "crawler text" in str(meta.loc[rid, "source"])


def in_place_of(rid, table):
    \"\"\"(kind, what the corpus text has where *table* should be).\"\"\"
    section = parsed[rid].sections.get(SECTION_OF[table])
    said = statements.loc[(statements["report_id"] == rid) & (statements["table"] == table), "sentence"]
    sentence = next((s for s in said if section and s in section), None)
    annex = re.search(r"[^。，]*附表[^。，]*", full_text[rid])
    if annex and not section:
        return "annex", f"“{annex.group(0).strip()}”"
    if sentence:
        return "sentence", f"“{sentence}”"
    if section is None:
        return "nothing", "(the heading is not found)"
    if section == "":
        return "nothing", "(the heading, nothing under it)"
    return "nothing", f"another section's text: “{section[:24]}…”"


tables_lacking = lacking[lacking["check"].str.startswith("table_present")].assign(
    table=lambda f: f["check"].str.split(".").str[1])
found = [in_place_of(r, t) for r, t in zip(tables_lacking["report_id"], tables_lacking["table"])]
tables_lacking = tables_lacking.assign(
    report=tables_lacking["report_id"].map(name),
    text_from=["crawler text of a web page" if crawled(r) else "text of the published file"
               for r in tables_lacking["report_id"]],
    kind=[k for k, _ in found], in_its_place=[w for _, w in found])
pd.set_option("display.max_colwidth", 60)
tables_lacking[["report", "table", "text_from", "kind", "in_its_place"]]"""),
        ("md", """Sections: `section_present` looks for each section's heading, so a failure means the heading was
not found, or that nothing stands under it (above: the sections whose only content was a table).
Where section 五's heading was not found, is its text elsewhere? A search of every section the
parser did find for the usual wording of problems (`tk.kwic`):"""),
        ("code", """sections_lacking = lacking[lacking["check"].str.startswith("section_present")].assign(
    section=lambda f: f["check"].str.split(".").str[1])
not_found = {(r, m.split(" ")[1]) for r, m in zip(log["report_id"], log["message"])
             if m.startswith("section ") and m.endswith("heading not found")}
sections_lacking = sections_lacking.assign(
    heading=["not found" if (r, s) in not_found else "found, nothing under it"
             for r, s in zip(sections_lacking["report_id"], sections_lacking["section"])])
no_five = sorted(sections_lacking.loc[sections_lacking["section"] == "5", "report_id"])
texts = pd.DataFrame([{"report_id": rid, "part": f"section {k}", "item": int(k), "text": t}
                      for rid in no_five for k, t in parsed[rid].sections.items() if t],
                     columns=["report_id", "part", "item", "text"])
PROBLEMS = r"存在的主要问题|(仍|还|但)存在[^。]{0,30}(问题|不足)"
five_elsewhere = tk.kwic(PROBLEMS, texts, window=15, regex=True).drop_duplicates("report_id")
display(pd.crosstab(sections_lacking["section"], sections_lacking["heading"]))
five_elsewhere[["report_id", "part", "left", "term", "right"]]"""),
        ("md", """## 2. The arithmetic, and what it cannot show

Crawled tables often lose the separators between cells (seven cells printed as one run of digits). The parser
reads such a row only when the template's arithmetic leaves one way to split it — the row's own sum,
or the column sums of the other rows — and it keeps a row placed by row order only when the sums
hold (`tk.load_parse_log()` says which rows). A check of the identity that chose a reading passes by
construction; a jammed row that no split makes add up is left missing, so its checks are *not
checkable*, never *failed*."""),
        ("code", """ROW = re.compile(r"^(t[234])(?:\\.([a-z_.]+))?:")
RULES = {  # parse-log wording -> how the row was read
    "own sum": r"satisfying the template's arithmetic",
    "column sums": r"the only one equal to the column sums",
    "kept if the sums hold": r"by row order|agreeing with the narrative|fewer tokens than cells; read as",
}
FLOW = {"new_received", "carried_over", "total_handled", "carried_forward"}


def rows_read(pattern):
    \"\"\"(report_id, table, row) the parse log names with *pattern* (row None: the whole table).\"\"\"
    hits = log[log["message"].str.contains(pattern, regex=True)]
    found = zip(hits["report_id"], [ROW.match(m) for m in hits["message"]])
    return {(r, m.group(1), m.group(2)) for r, m in found if m}


def arithmetic_rows(pattern):
    return {row for row in rows_read(pattern) if row[1] in ("t3", "t4")}


by_rule = {rule: arithmetic_rows(pattern) for rule, pattern in RULES.items()}
chosen = set().union(*by_rule.values())
jammed = arithmetic_rows(r"ran together and (?:no split|several splits) fit") - chosen


def rows_in(rid, check, rows):
    \"\"\"The rows of *rows* that arithmetic check *check* of report *rid* uses.\"\"\"
    table, kind, rest = (check.split(".", 2) + [""])[:3]
    mine = {row for r, t, row in rows if r == rid and t == table}
    if None in mine:
        return mine
    if kind == "row_sum":
        return mine & {rest}
    return mine & (FLOW if kind == "balance" else {r for r in mine if r not in FLOW - {"total_handled"}})


def by_construction(rid, check):
    kind = check.split(".")[1]
    if kind == "row_sum":  # every rule keeps only readings whose own sum holds, when one does
        return bool(rows_in(rid, check, chosen))
    return bool(rows_in(rid, check, by_rule["column sums"] | by_rule["kept if the sums hold"]))


arithmetic = family.isin(["t3.balance", "t3.row_sum", "t3.outcomes", "t4.row_sum"])
on_chosen = arithmetic & pd.Series([bool(rows_in(r, c, chosen)) for r, c in zip(audit["report_id"], audit["check"])],
                                   index=audit.index)
circular = on_chosen & pd.Series([by_construction(r, c) for r, c in zip(audit["report_id"], audit["check"])],
                                 index=audit.index)
on_jammed = arithmetic & pd.Series([bool(rows_in(r, c, jammed)) for r, c in zip(audit["report_id"], audit["check"])],
                                   index=audit.index)
checked = arithmetic & audit["passed"].notna()
broken = arithmetic & audit["passed"].eq(False).fillna(False)
unclear = arithmetic & audit["passed"].isna()
rows_table = pd.DataFrame(sorted((r, t, row or "(whole table)", rule) for rule, rows in by_rule.items()
                                 for r, t, row in rows), columns=["report_id", "table", "row", "read by"])
rows_table.assign(report=rows_table["report_id"].map(name))[["report", "table", "row", "read by"]]"""),
        ("code", """pd.DataFrame({"checks that could be made": [checked.sum()],
              "… on rows read as printed": [(checked & ~on_chosen).sum()],
              "… on a row the arithmetic chose": [(checked & on_chosen).sum()],
              "of which by construction": [(checked & circular).sum()],
              "failed": [broken.sum()],
              "not checkable": [unclear.sum()],
              "… of which on a jammed row left missing": [(unclear & on_jammed).sum()]}, index=["checks"]).T"""),
        ("md", """## 3. Text against table

The numbers the narrative states, compared with the tables — one row per comparison made, so a report
can have several. A row of table 2 whose run-together digits were split to agree with a sentence of the
narrative (the parse log says so) agrees with that sentence by construction:"""),
        ("code", """text_vs_table = audit[audit["check"].str.startswith("text_vs_table")]


def cell_of(check):
    parts = check.split(".")
    return ("t3", "new_received") if parts[1] == "new_received" else (parts[1], parts[2])


from_narrative = rows_read(r"agreeing with the narrative")
text_vs_table = text_vs_table.assign(
    by_construction=[(r, *cell_of(c)) in from_narrative for r, c in zip(text_vs_table["report_id"], text_vs_table["check"])])
text_vs_table.loc[text_vs_table["passed"].notna(),
                  ["report_id", "check", "expected", "actual", "passed", "by_construction", "detail"]]"""),
        ("md", """## 4. Repeated text: two measures

The audit's `cross_year.narrative_repeat` compares section 五 with the same organ's report of the
year before only, and flags it when the Jaccard similarity of the two texts' sets of five-character
sequences reaches `REPEAT_THRESHOLD`. The text-mining notebook (notebook 5) flags a report
(`duplicate_of` in `tk.load_narratives()`) when at least `DUPLICATE_THRESHOLD` of its own cleaned
section 五 lies in long verbatim runs found in *any* earlier report. Both, side by side, for every report either flags:"""),
        ("code", """import inspect

from toolkit.checks import REPEAT_THRESHOLD
from toolkit.mining.narratives import DUPLICATE_THRESHOLD

repeats = audit[audit["check"] == "cross_year.narrative_repeat"]
jaccard = repeats.set_index("report_id")["actual"]
narr = tk.load_narratives()
duplicate_of = narr.groupby("report_id")["duplicate_of"].first()
section5 = narr.groupby("report_id")["text"].apply("\\n".join)
reuse = tk.reuse_pairs(section5)
share = {(b, a): s for a, b, s in zip(reuse["report_a"], reuse["report_b"], reuse["reused_b"])}
share |= {(a, b): s for a, b, s in zip(reuse["report_a"], reuse["report_b"], reuse["reused_a"])}
min_run = inspect.signature(tk.reuse_pairs).parameters["min_match_chars"].default
flagged = sorted(set(repeats.loc[repeats["passed"].eq(False).fillna(False), "report_id"]) | set(duplicate_of.dropna().index))
both = pd.DataFrame({
    "report": [name(r) for r in flagged],
    "jaccard_prev_year": [jaccard.get(r) for r in flagged],
    "audit_flags": [bool(pd.notna(jaccard.get(r)) and jaccard.get(r) >= REPEAT_THRESHOLD) for r in flagged],
    "earlier_report": [name(duplicate_of[r]) if pd.notna(duplicate_of.get(r)) else None for r in flagged],
    "share_reused": [share.get((r, duplicate_of[r])) if pd.notna(duplicate_of.get(r)) else None for r in flagged],
    "nb5_flags": [pd.notna(duplicate_of.get(r)) for r in flagged]}, index=flagged)
print(f"REPEAT_THRESHOLD = {REPEAT_THRESHOLD}; DUPLICATE_THRESHOLD = {DUPLICATE_THRESHOLD}; runs of at least "
      f"{min_run} characters")
both.round(2)"""),
        ("code", """fig = plots.render("audit_summary")
fig"""),
        ("code", """def listing(items):
    items = list(items)
    return "none" if not items else ", ".join(items[:-1]) + (" and " if len(items) > 1 else "") + items[-1]


def tables_of(frame):
    \"\"\"'河北省科学技术厅（2019） (tables 3 and 4)' for each report of *frame*.\"\"\"
    out = []
    for rid, part in frame.groupby("report_id", sort=True):
        nums = sorted(t[1] for t in part["table"])
        out.append(f"{name(rid)} (table{'s' if len(nums) > 1 else ''} {listing(nums)})")
    return listing(out)


# Arithmetic.
if broken.any():
    arith = (f"{broken.sum()} of the {checked.sum()} arithmetic checks that could be made fail, in "
             f"{listing(sorted(set(name(r) for r in audit.loc[broken, 'report_id'])))}.")
else:
    arith = (f"None of the {(checked & ~on_chosen).sum():,} arithmetic checks on rows read as printed fails. "
             f"{(checked & on_chosen).sum()} more involve one of the {len(chosen)} rows (in "
             f"{len({r for r, _t, _row in chosen})} reports) that the parser read with the template's arithmetic; "
             f"{(checked & circular).sum()} of these pass by construction (the identity that chose the reading), and "
             f"the other {(checked & on_chosen & ~circular).sum()} test a reading the arithmetic chose, so none of "
             "them is independent confirmation.")
arith += (f" A further {unclear.sum():,} checks could not be made because a cell or a table is missing — among them "
          f"{(unclear & on_jammed).sum():,} on the {len(jammed)} run-together rows (in {len({r for r, _t, _row in jammed})} "
          "reports) that could not be split with certainty (no split, or more than one, fits). Such a row is left "
          "missing, so a report whose jammed row breaks its own sum shows as *not checkable*, never as *failed*: the "
          "audit cannot catch that error.")

# Completeness.
kinds = {k: tables_lacking[tables_lacking["kind"] == k] for k in ("nothing", "annex", "sentence")}
nothing_crawled = kinds["nothing"][kinds["nothing"]["text_from"].str.startswith("crawler")]
assert len(nothing_crawled) == len(kinds["nothing"]), "a table missing from a text that is not crawled: say why"
complete = (f"Completeness is about the corpus text before it is about the reports: the texts of "
            f"{tables_lacking['report_id'].nunique()} reports lack at least one table the template requires. ")
if len(kinds["nothing"]):
    complete += (f"In {tables_of(kinds['nothing'])} the text is a crawler's copy of the web page with nothing under "
                 "the table's heading (or another section's text, or not even the heading): the crawl did not capture "
                 "the table, and whether the published report had one cannot be told from the corpus. ")
if len(kinds["annex"]):
    quote = kinds["annex"]["in_its_place"].iloc[0]
    complete += (f"{tables_of(kinds['annex'])} says its statistics are in a separate annex ({quote}), which the "
                 "corpus text does not hold. ")
if len(kinds["sentence"]):
    complete += (f"Only in {tables_of(kinds['sentence'])} does a sentence stand where the table would be "
                 f"(e.g. {kinds['sentence']['in_its_place'].iloc[0]}): these reports appear to give no table "
                 "themselves.")

# Sections.
five_found = sorted(set(five_elsewhere["report_id"]))
sect = (f"`section_present` fails {len(sections_lacking)} times in {sections_lacking['report_id'].nunique()} reports: "
        f"{(sections_lacking['heading'] == 'not found').sum()} times the heading was not found, "
        f"{(sections_lacking['heading'] != 'not found').sum()} times nothing stands under it.")
if no_five:
    sect += f" Section 五 is among them in {listing(name(r) for r in no_five)}"
    if five_found:
        sect += ((": " if five_found == no_five else f"; in {listing(name(r) for r in five_found)} ")
                 + "its text is there, under another heading (found above: the heading of section 五 is missing or "
                   "worded differently), so the check could not find the section — it is not missing from the report.")
    else:
        sect += "."

# Text against table.
compared = text_vs_table[text_vs_table["passed"].notna()]
disagree = compared[~compared["passed"].astype(bool)]
agree_all = compared.groupby("report_id")["passed"].all()
circular_text = compared[compared["by_construction"]]
text = (f"Text against table: {len(compared)} comparisons in {compared['report_id'].nunique()} reports; "
        f"{len(compared) - len(disagree)} comparisons agree, and {int(agree_all.sum())} reports agree in every "
        f"comparison. {len(circular_text)} of the agreeing comparisons (in "
        f"{listing(sorted(set(name(r) for r in circular_text['report_id'])))}) are about a table-2 row whose digits "
        "were split to agree with that very sentence, so they agree by construction.")
# Read by hand: each note holds only while the phrases it rests on are in the report's text.
NOTES = {("2024_82ba40ade55a9310", "text_vs_table.new_received"): (
    ("区政府办代表区政府", "指导各部门"),
    "the sentence counts what the district government's office (区政府办) received on the government's behalf, and "
    "the same paragraph speaks of guiding the district's departments (指导各部门) in handling applications; the table "
    "may count the whole district, so this is possibly a difference of scope rather than an error")}
for row in disagree.itertuples():
    sentence = statements.loc[(statements["report_id"] == row.report_id)
                              & (statements["table"] + "." + statements["row"] == ".".join(cell_of(row.check))),
                              "sentence"].iloc[0]
    quoted = re.sub(r"\\s*\\n\\s*", "", sentence)  # a line break of the PDF, not of the sentence
    text += (f" {name(row.report_id)} disagrees: the text says “{quoted}” ({row.actual:,.0f}), "
             f"table 3 has {row.expected:,.0f}")
    phrases, note = NOTES.get((row.report_id, row.check), ((), ""))
    whole = read_document(resolve_report_path(root, meta.loc[row.report_id, "file"])).text
    assert all(p in " ".join(whole.split()).replace(" ", "") for p in phrases), "re-read the report: the note may not hold"
    text += f" — {note}." if note else "."
text += (f" In {text_vs_table['passed'].isna().sum()} findings no comparison was possible (no stated number, or the "
         "table is missing — reported as missing, not as a disagreement).")

# Repeats.
audit_only = both[both["audit_flags"] & ~both["nb5_flags"]]
nb5_only = both[both["nb5_flags"] & ~both["audit_flags"]]
why = []
for r in nb5_only.index:
    earlier = duplicate_of[r]
    if reports.loc[earlier, "year"] != reports.loc[r, "year"] - 1:
        why.append(f"{name(r)} repeats {name(earlier)}, not the year before, which the audit does not compare")
    else:
        why.append(f"{name(r)} takes {both.loc[r, 'share_reused']:.0%} of its text from {name(earlier)}, but the "
                   f"5-gram Jaccard similarity of the two is {jaccard[r]:.2f}")
rep = (f"Repeated text: the audit flags {int(both['audit_flags'].sum())} report(s) "
       f"({listing(name(r) for r in both.index[both['audit_flags']])}) — section 五's character 5-grams "
       f"{REPEAT_THRESHOLD:.0%} or more the same as the same organ's report of the year before (Jaccard: shared over "
       f"all 5-grams of both texts); notebook 5 flags {int(both['nb5_flags'].sum())} "
       f"({listing(name(r) for r in both.index[both['nb5_flags']])}) — {DUPLICATE_THRESHOLD:.0%} or more of the "
       f"later text found in runs of at least {min_run} characters in any earlier report. The second measure is a share "
       "of the later text only, so a report that copies part of a longer one scores high on it and low on the first.")
if len(nb5_only):
    rep += " Flagged by notebook 5 alone: " + "; ".join(why) + "."
if len(audit_only):
    rep += f" Flagged by the audit alone: {listing(name(r) for r in audit_only.index)}."

# Section 五's form.
narrative = audit[audit["check"].str.startswith("narrative")]
prose = narrative[narrative["passed"].eq(False).fillna(False)]
kinds_failed = sorted(set(prose["check"]))
parts = narrative[narrative["check"] == "narrative.parts"]
form = (f"The {len(prose)} `narrative` failures are all `{'`, `'.join(kinds_failed)}`"
        + (": sections 五 written as prose without enumerated items, so each part is one item — a limit for text "
           "mining, not an error of arithmetic or completeness." if kinds_failed == ["narrative.enumerated"] else ".")
        + (f" Every one of the {parts['passed'].notna().sum()} sections 五 that could be split has both a problem "
           "and an improvement part (`narrative.parts`)." if parts["passed"].notna().sum() == parts["passed"].eq(True).sum()
           else f" {parts['passed'].eq(True).sum()} of the {parts['passed'].notna().sum()} sections 五 that could be "
                "split have both a problem and an improvement part (`narrative.parts`)."))

Markdown("\\n\\n".join([f"**What it shows.** {arith}", complete, sect, text, rep, form]))"""),
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
        ("md", """The reports without a section 五 the parser finds are left out of everything below. Is their
text about problems simply filed elsewhere (section 五's heading missing, or worded differently)?
A search of every section the parser did find, for the usual wording of problems (`tk.kwic`):"""),
        ("code", """from toolkit.corpus import corpus_dir, read_metadata, resolve_report_path

root = corpus_dir()
files = read_metadata(root).set_index("report_id")["file"]
without_five = sorted(set(reports["report_id"]) - set(items["report_id"]))
sections_of = {rid: tk.parse_report(resolve_report_path(root, files[rid])).sections for rid in without_five}
texts = pd.DataFrame([{"report_id": rid, "part": f"section {k}", "item": int(k), "text": t}
                      for rid, secs in sections_of.items() for k, t in secs.items() if t],
                     columns=["report_id", "part", "item", "text"])
PROBLEMS = r"存在的主要问题|(仍|还|但)存在[^。]{0,30}(问题|不足)"
elsewhere = tk.kwic(PROBLEMS, texts, window=15, regex=True).drop_duplicates("report_id").set_index("report_id")
no_section = [rid for rid in without_five if not any(sections_of[rid].values())]
reports.set_index("report_id").loc[without_five, ["agency", "year", "template"]].assign(
    problems_found_in=elsewhere["part"].reindex(without_five).astype("string"),
    term=elsewhere["term"].reindex(without_five),
    no_section_found=[rid in no_section for rid in without_five])"""),
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
agree_low, agree_high = tk.wilson_interval(same, fit.n_items)
# A category's kappa rests on the items either coder put in it (the rest agree on "not this one").
in_category = fit.per_category["manual"] + fit.per_category["automatic"] - fit.per_category["both"]
print(f"items compared: {fit.n_items}; same primary category: {same} (95% interval {agree_low:.0%}–{agree_high:.0%}); "
      f"Cohen's kappa: {fit.kappa:.2f}; items in a category, by either coder: {in_category.min()}–{in_category.max()}")"""),
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
    sector_missing=("sector", lambda s: int(s.isna().sum())),  # counted, never dropped silently
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
        ("md", """Each topic's share of the items by year (every report counts in its own year), and by level and
template, where years are pooled and each text counts once:"""),
        ("code", """shares = {"year": model.share_by(body, "year")} | {by: model.share_by(distinct, by) for by in ("admin_level", "template")}
shares["year"].pivot(index="label", columns="year", values="share").round(2)"""),
        ("code", """shares["year"].drop_duplicates("year").set_index("year")[["n_items", "n_reports"]].T"""),
        ("code", """def by_group(by):
    frame = shares[by].assign(**{by: shares[by][by].astype("string").fillna("(none)")})
    return frame.pivot(index="label", columns=by, values="share")

pd.concat({by: by_group(by) for by in ("admin_level", "template")}, axis=1).round(2)"""),
        ("md", """## 6. The vocabulary of problems and of improvements

Log-odds with an informative Dirichlet prior, its z-score, and Benjamini–Hochberg-adjusted p-values
over every term used at least `min_count` times. A term is called distinctive only when its adjusted
p-value is below `alpha`. Years are pooled, so each text counts once (near-duplicates left out)."""),
        ("code", """terms = tk.distinctive_terms(distinct, "part", tokenizer=tok, top_n=None)
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

def sectors(level):
    unknown = meta[level]["sector_missing"]
    return meta[level]["sectors"] + (f"; sector unknown for {unknown}" if unknown else "")

def listing(names):
    names = list(names)
    return "none" if not names else "、".join(names)

def rname(rid):
    row = reports.set_index("report_id").loc[rid]
    return f"{row['agency']}（{row['year']}）"

filed_elsewhere = [r for r in without_five if r in elsewhere.index]
audit = tk.audit()
audit_flags = audit[(audit["check"] == "cross_year.narrative_repeat") & audit["passed"].eq(False).fillna(False)]
text = f\"\"\"**What it shows.** {overview['reports with a section 五']} of {overview['reports in the corpus']} reports have
a section 五 the parser finds; it splits into {overview['items']} items, of which {overview['heading-only items (skipped)']}
are bare headings. {overview['reports with both parts']} of these reports have both a problem and an improvement part.
Of the {len(without_five)} reports left out, {len(filed_elsewhere)} ({listing(rname(r) for r in filed_elsewhere)}) do write
about problems, under a heading the parser does not take for section 五 (missing or worded differently; see the search
above), and {len(no_section)} ({listing(rname(r) for r in no_section)}) have no section the parser finds at all; neither
group may be read as reports that name no problem. {len(dups)} reports nearly repeat an earlier one (the closest pair, {top_pair['agency_a']}
{top_pair['year_a']} and {top_pair['year_b']}, shares {top_pair['reused_b']:.0%} of the later text); they are left out
wherever years are pooled (levels, topics, vocabulary) and counted in their own year elsewhere (categories and topic
shares by year), while the codebook's coverage and its check against the human coder use every item. Notebook 4's
audit measures repetition differently (against the same organ's previous year only) and flags
{len(set(audit_flags['report_id']) & set(dups.index))} of these {len(dups)}.

The codebook codes {int(cov['coded'])} of {int(cov['items'])} content items ({cov['share']:.0%}); of the
{int(cov['items'] - cov['coded'])} it leaves uncoded, {lead_ins} are lead-in sentences (item 0), listed above with
the others. Against one human coder it agrees on {same} of {fit.n_items} items ({same / fit.n_items:.0%}, 95% interval
{agree_low:.0%}–{agree_high:.0%}; Cohen's kappa {fit.kappa:.2f}) — in-sample: the same person wrote the keywords on
these texts. The per-category kappas rest on {in_category.min()}–{in_category.max()} items each (those either coder put
in the category), so one by one they say little.

Provincial reports ({meta['province']['reports']}, {sectors('province')}, {years('province')}) most often name
{cite(prov.iloc[0])}, {cite(prov.iloc[1])} and {cite(prov.iloc[2])}. City and county reports are
{meta['city/county']['reports']} ({sectors('city/county')}, {years('city/county')}), so their intervals are wide;
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
        ("md", """By organ, each rate pools the reports of the organ that have a case; the tick label counts those
reports and, when some of the organ's reports add nothing (no table 3, a cell unread, no
application), of how many (`计入 k 份（共 n 份报告）`):"""),
        ("code", """fig = plots.render("rates", by="organ")
fig"""),
        ("md", """Proactive disclosure per organ, on the 2021-template reports only, as in notebook 3: the 2019
template's column has the same name, but nothing shows that it counts the same thing
(`plots.render("proactive_disclosure")` would draw both templates together). Then the audit of the
reports:"""),
        ("code", """tables, reports = tk.load_tables(), tk.load_reports()
on_2021 = reports.loc[reports["template"] == "2021", "report_id"]
fig = plots.proactive_disclosure(tables[tables["report_id"].isin(on_2021)], reports, by="organ")
fig"""),
        ("code", """fig = plots.render("audit_summary")
fig"""),
        ("md", """**Your own figures with Chinese labels.** `plots.style()` is the house style with the bundled
Chinese font, for `matplotlib.rc_context`; `plots.apply_font(fig)` keeps the glyphs when the figure
is drawn later. Here the panel (`tk.load_panel()`) as one line per organ, drawn as the house charts
are: a year without a value is a gap in the line, not a drop to zero; a count stated in the text
(the table missing) is a hollow point; each line is labelled at its end, in its own colour; and the
source line counts the reports drawn and those left out. A line needs two years, so organs with a
value in one year only are left out and named in the source line:"""),
        ("code", """import matplotlib
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

panel = tk.load_panel()
recent = panel[panel["year"] >= 2019]
valued = recent.dropna(subset=["applications"])
n_years = valued.groupby("organ_id")["year"].nunique()
drawn = recent[recent["organ_id"].isin(n_years.index[n_years >= 2])].sort_values(["organ_id", "year"])
single = recent[recent["organ_id"].isin(n_years.index[n_years < 2])]
no_value = recent[~recent["organ_id"].isin(n_years.index)]
stated = drawn["stated"].fillna("").str.split(",").map(lambda names: "applications" in names)
n_drawn = int(drawn.loc[drawn["applications"].notna(), "n_reports"].sum())
n_gaps = int(drawn.loc[drawn["has_report"] & drawn["applications"].isna(), "n_reports"].sum())
markers = "os^Dv<>"
assert drawn["organ_id"].nunique() <= len(plots.PALETTE) * len(markers), "more organs than colour-marker pairs"
with matplotlib.rc_context(plots.style()):
    fig = Figure(figsize=(9, 5), layout="constrained")
    ax = fig.add_subplot()
    ends = []
    for i, (organ, part) in enumerate(drawn.groupby("organ_id", sort=True)):
        colour, marker = plots.PALETTE[i % len(plots.PALETTE)], markers[i // len(plots.PALETTE)]
        x, y, said = part["year"].astype(int), part["applications"].astype(float), stated[part.index]
        ax.plot(x, y, color=colour, linewidth=1.8)  # NaN (no value) breaks the line
        ax.plot(x[~said], y[~said], linestyle="none", marker=marker, color=colour)
        ax.plot(x[said], y[said], linestyle="none", marker=marker, color=colour, markerfacecolor="white")
        end = part.dropna(subset=["applications"]).iloc[-1]
        ends.append((float(end["applications"]), int(end["year"]), end["agency"], colour))
    # End labels, moved apart vertically where two lines end close together (a thin line joins a
    # moved label to its point).
    gap = 0.06 * (drawn["applications"].max() - min(drawn["applications"].min(), 0))
    placed = []
    for y, x, label, colour in sorted(ends):
        at = max(y, placed[-1] + gap) if placed else y
        placed.append(at)
        ax.annotate(label, (x, y), xytext=(x + 0.25, at), textcoords="data", va="center", fontsize=9, color=colour,
                    arrowprops={"arrowstyle": "-", "color": colour, "linewidth": 0.6} if at != y else None)
    ax.set_xlim(drawn["year"].min() - 0.3, drawn["year"].max() + 1.8)  # room for the end labels
    ax.set_xticks(range(int(drawn["year"].min()), int(drawn["year"].max()) + 1))
    ax.set_title("新收政府信息公开申请数 / New applications, by organ and year", loc="left")
    ax.set_xlabel("年度 / Year")
    ax.set_ylabel("件 / Applications")
    ax.legend(handles=[Line2D([], [], marker="o", linestyle="none", color=plots.MUTED_COLOUR, label="表格 / table"),
                       Line2D([], [], marker="o", linestyle="none", color=plots.MUTED_COLOUR, markerfacecolor="white",
                              label="正文所述 / stated in the text")], loc="upper left", fontsize=8)
    fig.get_layout_engine().set(rect=(0, 0.06, 1, 0.94))
    fig.text(0.01, 0.01, plots.SOURCE_TEMPLATE.format(n=n_drawn) + f"；缺失值未计入（{n_gaps} 份报告）\\n"
             + f"仅一年有值、未画出：{'、'.join(sorted(set(single['agency'])))}", fontsize=7.5,
             color=plots.MUTED_COLOUR)
plots.apply_font(fig)
fig"""),
        ("code", """drawn_by = sorted(plots.BY_CHARTS)
font = Path(plots.font_path())
assert font.name.startswith("NotoSansCJK") and "mplfonts" in font.parts
Markdown(f\"\"\"**What it shows.** {len(plots.CHARTS)} charts; {len(drawn_by)} of them ({', '.join(f'`{n}`' for n in drawn_by)})
are drawn per organ or per year, never mixing the two in one axis. {len(saved)} files were written (a PNG at 300 dpi
and an SVG with text as outlines for each chart and variant), to a temporary folder removed afterwards. The Chinese
labels use {font.stem} shipped inside the `mplfonts` package, so they render on a machine with no Chinese fonts
installed; your own matplotlib settings are left untouched. The hand-made panel chart draws the
{drawn['organ_id'].nunique()} organs with a value in at least two years since 2019 ({n_drawn} reports; {n_gaps} more of
their reports have no readable count and are not drawn); the {single['organ_id'].nunique()} organs with a value in one
year only are named in its source line\"\"\" + (f", and {no_value['organ_id'].nunique()} with no value since 2019 are left out."
                                           if len(no_value) else "."))"""),
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
