# %% [markdown]
# # 2. Applications: who asks, and what they get / 依申请公开
#
# **Question.** Table 3 counts the disclosure applications each organ received and how it answered
# them. Who applies? Which organs receive the most applications, and how many do they refuse? How
# are applications resolved — granted, partly granted, denied (不予公开), unavailable, not processed?
#
# The numbers come from `tk.indicators()`: one row per report and indicator, with its numerator,
# denominator and a Wilson 95% interval. A missing input gives `<NA>` with the reason, never 0;
# a report that handled no application has no rate. Where a report's table 3 is absent, the count
# the narrative states is used and marked `stated`.
#
# A total over reports can be dominated by the reports with the most applications, so beside every pooled
# figure stands the report that contributes most, the figure without it, and the reports' own median
# (`tk.largest_contributor`).

# %%
# %matplotlib inline
import toolkit as tk
from toolkit import plots
import pandas as pd
pd.set_option("display.width", 120)
pd.set_option("display.max_columns", 20)
pd.set_option("display.max_colwidth", 40)
from IPython.display import Markdown

# %%
ind = tk.indicators()
apps = ind[ind["indicator"] == "applications"]
apps[["report_id", "agency", "year", "template", "value", "source", "reason"]]

# %% [markdown]
# **Who applies.** New applications by applicant type, as each report's own share of its new
# applications (docs/METHODS.md, "Compare like with like": reports of different organs and years
# are compared, not summed), then the median of those shares per type over the reports with at
# least one application whose cell of that type was read (`n_reports`; a missing cell leaves the
# report out of that row, never as a zero). The second table gives each report's own counts:

# %%
from toolkit import schema

tables = tk.load_tables()
t3 = tables[(tables["table"] == "t3") & (tables["status"] != "table_absent")]
new = t3[t3["row"] == "new_received"].pivot(index="report_id", columns="column", values="value")
applicant_types = [c.key for c in schema.T3_COLUMNS if c.key != "total"]
with_any = new[(new["total"] > 0).fillna(False)]
shares = with_any[applicant_types].div(with_any["total"], axis=0)
pd.DataFrame({"median_share": shares.median(), "min_share": shares.min(), "max_share": shares.max(),
              "n_reports": shares.notna().sum()}).round(3)

# %%
new[[c.key for c in schema.T3_COLUMNS]].sort_values("total", ascending=False, na_position="last")

# %% [markdown]
# **Which organs receive the most applications**, per report-year (docs/METHODS.md: organs are never
# ranked by sums over different numbers of years or sources). Only table values of the template
# years count here — a count the narrative states, or one from before the template, is another
# measure and is never added to them. Each organ's median per report is ranked, beside the number
# of reports it rests on; `conflict` marks a count the report's own text contradicts. An organ
# with no readable table count stays in the list with `<NA>`:

# %%
tabled = apps[(apps["source"] == "table") & (apps["year"] >= 2019)]
per_organ = tabled.dropna(subset=["value"]).groupby("organ_id").agg(
    per_report=("value", "median"), n_reports=("report_id", "nunique"), first_year=("year", "min"),
    last_year=("year", "max"), conflict=("conflict", "any"))
names = apps.sort_values("year").drop_duplicates("organ_id", keep="last").set_index("organ_id")["agency"]
ranking = (per_organ.reindex(sorted(set(apps["organ_id"].dropna()))).assign(agency=names)
           .sort_values("per_report", ascending=False, na_position="last", kind="stable")
           [["agency", "per_report", "n_reports", "first_year", "last_year", "conflict"]]
           .astype({"n_reports": "Int64", "first_year": "Int64", "last_year": "Int64"}))
ranking

# %%
# One report per organ (its latest template year with a table count), so that no organ's bar is a
# sum over more years than another's.
latest = tabled.dropna(subset=["value"]).sort_values("year").drop_duplicates("organ_id", keep="last")
fig = plots.applications_and_refusals(ind[ind["report_id"].isin(latest["report_id"])], by="organ")
fig

# %% [markdown]
# **How applications were handled.** The outcome groups are summed only over reports whose every
# outcome cell and (七)总计 were read; over those reports the groups must add up to 总计, which the
# cell after it checks. `share` is the pooled share, `share_without_largest` the same without the
# report that handled the most, `median_share` the median of the reports' own shares:

# %%
groups = {"granted in full": "full_disclosure_rate", "granted in part": None,
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
    ["value", "n_reports", "share", "share_without_largest", "median_share"]].round(3)

# %%
per_report_sum = tk.aggregate(long, "value", by="report_id").set_index("report_id")["value"]
check = pd.DataFrame({"outcome groups": per_report_sum, "(七)总计": den})
breaks = check[check["outcome groups"] != check["(七)总计"]]
print(f"{len(check) - len(breaks)} of {len(check)} complete reports: outcome groups = (七)总计")
breaks

# %% [markdown]
# **Rates per report**, with Wilson 95% intervals. `<NA>` when the organ handled nothing or an
# input cell is missing (the reason says which):

# %%
rates = ind[ind["indicator"].isin(["disclosure_rate", "denial_rate"]) & (ind["year"] >= 2019)]
rates[["report_id", "agency", "year", "indicator", "numerator", "denominator", "value", "ci_low", "ci_high",
       "reason"]].round(3)

# %% [markdown]
# Pooled over all reports, and how far each pooled rate rests on one report (a rate the report's
# own arithmetic does not allow is left out, as in `tk.summarise_indicators`):

# %%
usable = ind["value"].notna() | (ind["denominator"] == 0).fillna(False)
masked = ind.assign(numerator=ind["numerator"].where(usable), denominator=ind["denominator"].where(usable))
rate_names = ["disclosure_rate", "denial_rate"]
spread = {n: tk.largest_contributor(masked[masked["indicator"] == n]).iloc[0] for n in rate_names}
pd.DataFrame(spread).T[["n_reports", "n_zero", "n_missing", "numerator", "denominator", "value", "largest",
                        "largest_share", "rest_numerator", "rest_denominator", "rest_value", "median", "min", "max"]]

# %% [markdown]
# Pooled by year, on the table values of the template years (2019 on) only: a count the narrative
# states (table 3 absent) or one from before the template is another measure and is never added to
# them (docs/METHODS.md, "Compare like with like"); the stated counts are listed apart below. The organs differ from year
# to year, so a difference between years is a difference between organs as much as a change over
# time; `n_conflict` counts the reports whose own text contradicts their table 3, and the third
# table says which report each year rests on most. In the first table `n_reports` also counts a report that
# handled no application (its rate has nothing to divide by: undefined); the third table and the chart count only the reports with a
# rate and give the others apart (`n_zero`, 计入 k 份):

# %%
# Rows with a stated input are dropped; rows with no value at all stay, so that n_missing counts them.
by_table = ind[(ind["source"] != "stated").fillna(True) & (ind["year"] >= 2019)]
by_year = tk.summarise_indicators(by_table, by="year")
by_year[by_year["indicator"].isin(["applications", "disclosure_rate", "denial_rate"])
        & (by_year["n_reports"] > 0)].round(3)

# %%
stated_apps = apps[(apps["source"] == "stated") & apps["value"].notna()].sort_values(["year", "agency"])
stated_apps[["agency", "year", "template", "value"]]

# %%
masked_table = masked[masked["report_id"].isin(by_table["report_id"]) & (masked["source"] != "stated").fillna(True)]
year_spread = tk.largest_contributor(masked_table[masked_table["indicator"] == "disclosure_rate"], by="year")
year_spread = year_spread[year_spread["n_reports"] > 0].assign(
    largest_agency=lambda f: f["largest"].map(ind.drop_duplicates("report_id").set_index("report_id")["agency"]))
year_spread[["year", "n_reports", "n_zero", "n_missing", "value", "largest_agency", "largest_share", "rest_value"]].round(3)

# %% [markdown]
# The rates by year, drawn from the same table values (2019 on, nothing stated):

# %%
fig = plots.rates(by_table, by="year")
fig

# %%
fig = plots.render("applications_by_applicant")
fig

# %%
fig = plots.render("outcomes")
fig

# %%
from toolkit.analysis import SMALL_N


def listing(items):
    items = list(items)
    return "none" if not items else ", ".join(items[:-1]) + (" and " if len(items) > 1 else "") + items[-1]


agency = ind.drop_duplicates("report_id").set_index("report_id")


def name(rid):
    return f"{agency.loc[rid, 'agency']}（{agency.loc[rid, 'year']}）"


# Who applies: each report's own share of natural persons (the unit METHODS compares on); the
# cells are not summed over reports, which would be a total over years and templates.
counted = apps[apps["value"].notna()]
own = new[new["total"] > 0].dropna(subset=["natural_person", "total"])
person_share = own["natural_person"] / own["total"]
no_application = sorted(new.index[(new["total"] == 0).fillna(False)])
cell_missing = sorted(new.index[new[["natural_person", "total"]].isna().any(axis=1)])
known = ranking[ranking["per_report"].notna()]
unknown = ranking[ranking["per_report"].isna()]
conflicted = apps[apps["conflict"].fillna(False)]
flagged_ids = set(ind.loc[ind["conflict"].fillna(False), "report_id"])
stated_said = tk.load_statements().merge(conflicted[["report_id"]], on="report_id")
stated_said = stated_said[(stated_said["row"] == "new_received") & (stated_said["column"] == "total")]
text = "**What it shows.**"
for r in conflicted.itertuples():
    said = listing(f"{v:,.0f}" for v in sorted(set(stated_said.loc[stated_said['report_id'] == r.report_id, 'value'])))
    flagged_here = ind[(ind["report_id"] == r.report_id) & ind["conflict"].fillna(False)]
    text += (f" First, one report's text and table disagree: {name(r.report_id)}'s table 3 gives {r.value:,.0f} new "
             f"applications, its text {said} — a contradiction, or a sentence counting a narrower scope (notebook 4 "
             "quotes it); the toolkit cannot tell the two apart and flags it. The template's identities tie every "
             "cell of table 3 to that one, so "
             f"all of them are in doubt, and each of the {len(flagged_here)} indicators read from it carries the flag "
             f"`conflict` ({listing(f'`{i}`' for i in flagged_here['indicator'].astype(str))}); the table's numbers "
             "stay the values, and every figure below that includes the report names it.")
text += f""" {len(counted)} of {len(apps)} reports give a readable count of new applications
({(counted['source'] == 'table').sum()} from table 3, {(counted['source'] == 'stated').sum()} stated in the text, of
which {((counted['source'] == 'stated') & (counted['year'] < 2019)).sum()} from before the template); they span
{counted['year'].nunique()} years and three ways of reporting, so no grand total is given. Natural persons file
nearly all applications: in the {len(person_share)} reports with at least one application read by applicant type,
their median share is {person_share.median():.0%} (lowest {person_share.min():.0%}; {int((person_share == 1).sum())} at
100%), and the applicant chart draws these shares averaged over reports, each report weighing the same. Of the
{len(new)} reports whose table 3 is in the text, {len(no_application)} received no application (no share) and
{len(cell_missing)} are left out because an applicant cell is missing: {listing(name(r) for r in cell_missing)}."""
shares_flagged = sorted(set(person_share.index) & flagged_ids)
if shares_flagged:
    text += (f" The {len(person_share)} shares include {listing(f'{name(x)} ({person_share[x]:.0%})' for x in shares_flagged)}, "
             "whose table 3 its own text contradicts (`conflict`, above).")
if len(known):
    top = known.iloc[0]
    text += (f" Per report-year of table counts, {top['agency']} receives the most ({top['per_report']:,.0f} "
             f"per report, median over {top['n_reports']} report(s), {top['first_year']}–{top['last_year']}; "
             "the chart above draws one report per organ, its latest with a table count, so the two orders can differ)")
    text += (", then " + listing(f"{r.agency} ({r.per_report:,.0f} over {r.n_reports}, {r.first_year}–{r.last_year}"
                                  + ("; `conflict`: its text contradicts it" if r.conflict else "") + ")"
                                  for r in known.iloc[1:3].itertuples()) + "." if len(known) > 1 else ".")
    if bool(top["conflict"]):
        text += f" The first count, {top['agency']}'s, is one its own text contradicts (`conflict`)."
    ranked_flagged = known[known["conflict"].fillna(False)]
    if len(ranked_flagged):
        places = listing(f"{a} at rank {list(known.index).index(o) + 1}"
                         for o, a in zip(ranked_flagged.index, ranked_flagged["agency"]))
        text += (f" The ranking places {places} on a table its own text contradicts: the rank is the table's, "
                 "and the text states another number.")
if len(unknown):
    text += (f" No table count could be read for {listing(unknown['agency'])}: "
             "the ranking covers only organs whose table counts could be read, and these are not zero.")

# The outcome chart's reports: every outcome cell read and at least one application handled; its
# shares divide by the sum of the outcome cells, so (七)总计 need not have been read.
outcome_cells = t3[(t3["column"] == "total") & t3["row"].str.match(
    r"(granted|partially_granted)$|(denied|unavailable|not_processed|other)\.")]
outcome_read = outcome_cells.groupby("report_id")["value"].agg(["size", "count", "sum"])
charted = sorted(outcome_read.index[(outcome_read["count"] == outcome_read["size"]) & (outcome_read["sum"] > 0)])
tabled_outcomes = sorted(den.index[den > 0])
chart_only = sorted(set(charted) - set(tabled_outcomes))
unavailable_n = outcome_sums.loc["unavailable (无法提供)", "value"]
unavailable_spread = outcome_spread.loc["unavailable (无法提供)"]
text += f"""

How applications were handled: the outcome chart draws each outcome group's share of the sum of a report's outcome
cells, averaged over the {len(charted)} reports whose every outcome cell was read and which handled an application (each
report weighs the same; its title gives how many and which years, its source line the reports left out for a missing
cell). The outcome table counts only the {len(check)} reports whose (七)总计 was read too, {len(tabled_outcomes)} of them
with an application handled, so the chart rests on {len(charted)} reports and the table on {len(tabled_outcomes)}"""
if chart_only:
    text += f" ({listing(name(x) for x in chart_only)} in the chart only: (七)总计 not read)"
text += f""" — granted in full
{outcome_sums.loc['granted in full', 'value']:,.0f} and unavailable {unavailable_n:,.0f}
of {handled['value'].iloc[0]:,.0f} handled — so that its groups can be checked against (七)总计: they add up in
{len(check) - len(breaks)} of them{'' if breaks.empty else '; the others break the template identity (see the audit, notebook 4)'}.
{name(outcome_spread['largest'].iloc[0])} handled {outcome_spread['largest_share'].iloc[0]:.0%} of those applications, so
the pooled shares are largely its own: unavailable (无法提供) {tk.rate_text(unavailable_n, handled['value'].iloc[0])}
pooled, {tk.rate_text(unavailable_spread['rest_numerator'], unavailable_spread['rest_denominator'])} without it, and a
median of {unavailable_spread['median']:.0%} over the reports' own shares. Each interval treats every application as
independent, which applications to one organ in one year are not."""
flagged_complete = sorted(set(check.index) & flagged_ids)
if flagged_complete:
    text += (f" The {len(check)} reports include {listing(name(x) for x in flagged_complete)}, flagged `conflict` "
             "(above): its outcome cells are in the sums and the shares.")

# Rates.
d, r = spread["disclosure_rate"], spread["denial_rate"]
with_case = masked[(masked["indicator"] == "disclosure_rate") & (masked["denominator"] > 0).fillna(False)]
templates = sorted(set(with_case["template"].astype("string")))
per_report_n = with_case["denominator"]
text += f"""

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
rates with the intervals."""
if d["n_conflict"]:
    clean = {n: tk.largest_contributor(masked[(masked["indicator"] == n) & ~masked["conflict"].fillna(False)]).iloc[0]
             for n in rate_names}
    in_pool = sorted(set(with_case["report_id"]) & flagged_ids)
    text += (f" {d['n_conflict']} of the {d['n_reports']} reports pooled is flagged `conflict` "
             f"({listing(name(x) for x in in_pool)}: its table 3 is contradicted by its text, and its rates rest on "
             f"(七)总计, which the template's identity ties to the contradicted count); without it the rates are"
             f" {tk.rate_text(clean['disclosure_rate']['numerator'], clean['disclosure_rate']['denominator'])} and "
             f"{tk.rate_text(clean['denial_rate']['numerator'], clean['denial_rate']['denominator'])}.")

# By year: which reports each year rests on.
alone = year_spread[year_spread["n_reports"] == 1]
several = year_spread[year_spread["n_reports"] > 1]
if len(alone):
    text += (" By year the pooled rate follows the organs that report: "
             + listing(f"{y} rests on {a} alone" for y, a in zip(alone["year"], alone["largest_agency"]))
             + (f", and {listing(str(y) for y in several['year'])} on {several['n_reports'].min()} to "
                f"{several['n_reports'].max()} reports" if len(several) else "")
             + " — a difference between years is a difference between organs, not a trend.")
    contradicted = set(ind.loc[ind["conflict"].fillna(False), "report_id"])
    for y, rid in zip(alone["year"], alone["largest"]):
        if rid in contradicted:
            text += (f" The {y} figure rests on {name(rid)}, whose table 3 its own text contradicts (see above): "
                     "read that year's rate and its rank with that caveat.")
year_flags = by_year[(by_year["indicator"] == "disclosure_rate") & (by_year["n_conflict"] > 0)]
text += (" The by-year table and chart use table values of 2019 on only; "
         f"{len(stated_apps)} counts stated in the text ({stated_apps['year'].min()}–{stated_apps['year'].max()}, "
         f"{(stated_apps['year'] < 2019).sum()} of them before the template) are listed apart and added to nothing"
         + (f"; the pooled disclosure rate of {listing(str(y) for y in year_flags['year'])} includes a report flagged "
            "`conflict` (`n_conflict`)." if len(year_flags) else "."))

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
Markdown(text)
