# %% [markdown]
# # 3. Proactive disclosure and appeals / 主动公开与复议诉讼
#
# **Question.** Table 2 lists what each organ disclosed on its own initiative under Article 20:
# rules and normative documents made, repealed and in force; licensing, penalty and coercion
# decisions; fees collected. Table 4 counts administrative reconsideration and litigation over
# disclosure, and how they ended. How active are these organs, and how often are they corrected?

# %%
# %matplotlib inline
import toolkit as tk
from toolkit import plots
import pandas as pd
pd.set_option("display.width", 120)
pd.set_option("display.max_columns", 20)
pd.set_option("display.max_colwidth", 40)
from IPython.display import Markdown

# %% [markdown]
# Table 2 of the reports on the 2021 template. The 2019 template has other columns (it counts
# documents published, not in force, and fee items, not amounts), so it is kept apart below and in
# the chart:

# %%
tables = tk.load_tables()
reports = tk.load_reports()
on_2021 = reports.loc[reports["template"] == "2021", "report_id"]
t2 = tables[(tables["table"] == "t2") & tables["report_id"].isin(on_2021)]
t2.pivot(index="report_id", columns=["row", "column"], values="value")

# %%
on_2019 = reports.loc[reports["template"] == "2019", "report_id"]
t2_2019 = tables[(tables["table"] == "t2") & tables["report_id"].isin(on_2019)
                 & (tables["status"] != "table_absent")]
t2_2019.pivot(index="report_id", columns=["row", "column"], values="value")

# %% [markdown]
# Decisions per organ, 2021-template reports only, one report per organ — its latest — so that no
# organ's bar rests on more years than another's (docs/METHODS.md; the chart draws each organ's mean per
# report, here its one report's count, and a cell that could not be read is marked `n/a`,
# never 0). The organs differ in kind and level (`admin_level` and `sector` in `tk.load_reports()`),
# so a longer bar says what an organ decides, not how openly it works:

# %%
latest_2021 = (reports[reports["template"] == "2021"].sort_values("year", kind="stable")
               .drop_duplicates("organ_id", keep="last")["report_id"])
fig = plots.proactive_disclosure(tables[tables["report_id"].isin(latest_2021)], reports, by="organ")
ranked = [t.get_text().split("\n")[0] for t in fig.axes[0].get_yticklabels()]  # the chart's order, top first
fig

# %% [markdown]
# The organ × year panel (`tk.load_panel()`): licensing decisions in the 2021-template reports; a
# year without a report, or without the value, is a gap. The 2019 template's column has the same name
# (处理决定数量), but nothing here shows that it counts the same thing, so its values are listed apart:

# %%
panel = tk.load_panel()
in_force = panel[panel["year"] >= 2019]
licensing = in_force[in_force["template"] == "2021"].pivot_table(
    index="agency", columns="year", values="licensing_decisions", aggfunc="first", dropna=False)
licensing

# %%
old_template = in_force[(in_force["template"] == "2019") & in_force["licensing_decisions"].notna()]
old_template[["agency", "year", "template", "licensing_decisions"]]

# %% [markdown]
# Table 4. First, of which reports could it be read at all? A report whose table 4 is absent from the
# corpus text, or whose cells could not be read, says nothing about disputes: unknown, not none.

# %%
ind = tk.indicators()
rec_rows = ind[ind["indicator"] == "reconsideration_correction_rate"].set_index("report_id")


def t4_state(rid):
    row = rec_rows.loc[rid]
    if str(row["template"]) == "pre-2019":
        return "before the template"
    if pd.notna(row["value"]) or (pd.notna(row["denominator"]) and row["denominator"] == 0):
        return "read"
    return "no table 4 in the text" if "table 4 absent" in str(row["reason"]) else "cells missing"


t4_read = rec_rows.index.to_series().map(t4_state).rename("table 4")
pd.crosstab(reports.set_index("report_id")["agency"], t4_read)

# %% [markdown]
# Correction rates with Wilson 95% intervals, pooled over the reports whose table 4 was read (table 4
# is the same in both templates). A rate rests on the cases *decided* (维持 + 纠正 + 其他; pending cases
# are not decided). `tk.largest_contributor` puts beside each pooled figure the report with the most
# decided cases (for the dispute ratio: the most applications), the figure without it, the median of
# the reports' own rates, and `n_conflict`, the reports whose own text contradicts a cell the figure
# rests on:

# %%
t4_names = ["reconsideration_correction_rate", "litigation_correction_rate", "dispute_rate"]
overall = tk.summarise_indicators(ind, by=None)
t4_overall = overall[overall["indicator"].isin(t4_names)].set_index("indicator")
usable = ind["value"].notna() | (ind["denominator"] == 0).fillna(False)  # 0 cases, or a rate that could be formed
masked = ind.assign(numerator=ind["numerator"].where(usable), denominator=ind["denominator"].where(usable))
spread = {n: tk.largest_contributor(masked[masked["indicator"] == n]).iloc[0] for n in t4_names}
dr = spread["dispute_rate"]
# dispute_rate is a ratio (cases per new application; pending and carried-over cases count, 复议后起诉
# twice), so it gets no interval (docs/METHODS.md).
t4_overall.assign(text=[tk.rate_text(k, n) if i != "dispute_rate" else
                        f"{k / n:.3f} per application ({k:,.0f} cases / {n:,.0f} applications; a ratio, no interval); "
                        f"without the report with the most applications {dr['rest_value']:.3f} "
                        f"({dr['rest_numerator']:,.0f} / {dr['rest_denominator']:,.0f})"
                        for i, k, n in zip(t4_overall.index, t4_overall["numerator"], t4_overall["denominator"])])[
    ["numerator", "denominator", "value", "ci_low", "ci_high", "n_reports", "n_missing", "n_stated", "n_conflict",
     "text"]]

# %%
spread_table = pd.DataFrame(spread).T
spread_table.loc["dispute_rate", ["rest_ci_low", "rest_ci_high"]] = pd.NA  # a ratio: no binomial interval
spread_table[["n_reports", "n_zero", "numerator", "denominator", "value", "largest", "largest_numerator",
                        "largest_denominator", "rest_numerator", "rest_denominator", "rest_value", "rest_ci_low",
                        "rest_ci_high", "median", "min", "max", "n_conflict"]]

# %%
by_organ = tk.summarise_indicators(ind, by="organ")
by_organ[by_organ["indicator"].isin(t4_names[:2]) & (by_organ["denominator"] > 0)][
    ["agency", "indicator", "numerator", "denominator", "value", "ci_low", "ci_high", "n_reports"]].round(3)

# %%
fig = plots.render("appeals")
fig

# %%
import re

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


# Table 2: what the chart ranks (each organ's latest 2021-template report), and each organ's median
# per report over all its 2021-template reports.
decisions = t2[t2["row"].isin(["licensing", "penalty", "coercion"]) & (t2["column"] == "decisions")]
per_report_total = tk.aggregate(decisions, "value", by="report_id").merge(
    reports[["report_id", "organ_id", "year"]], on="report_id")
latest_totals = per_report_total[per_report_total["report_id"].isin(latest_2021)].sort_values(
    ["value", "report_id"], ascending=[False, True], na_position="last")
top = latest_totals.iloc[0]
top_licensing = decisions[(decisions["report_id"] == top["report_id"]) & (decisions["row"] == "licensing")]["value"].iloc[0]
assert ranked[0] == meta.loc[top["report_id"], "agency"], "the sentence must name the chart's first organ"
top_all = per_report_total[per_report_total["organ_id"] == top["organ_id"]].dropna(subset=["value"])
per_report = decisions[decisions["row"] == "licensing"].dropna(subset=["value"]).sort_values("value", ascending=False)
single = per_report.iloc[0]
spread_note = ("; it is the organ's only 2021-template report" if len(top_all) == 1 else
               f"; over its {len(top_all)} 2021-template reports ({years(list(top_all['report_id']))}) its median is "
               f"{top_all['value'].median():,.0f} decisions per report")
# Each report's own licensing share, over the reports whose three cells were read (a share with a
# cell unread could lie anywhere below the one computed without it). No total over the reports is
# given: it would sum over years and organs (docs/METHODS.md, "Compare like with like").
per_row = decisions.pivot(index="report_id", columns="row", values="value")[["licensing", "penalty", "coercion"]]
all_read = per_row.notna().all(axis=1)
own_total = per_row[all_read].sum(axis=1)
with_decisions = own_total[own_total > 0].index
own_share = per_row.loc[with_decisions, "licensing"] / own_total[with_decisions]
no_decision = own_total.index[own_total == 0]
unread = per_row.index[~all_read]
decided_total = per_report_total.set_index("report_id")
heaviest = decided_total.dropna(subset=["value"]).sort_index()["value"].idxmax()
heavy = decided_total.loc[heaviest]
text = f"""**What it shows.** In the reports on the 2021 template, licensing decisions make up most of the licensing,
penalty and coercion decisions a report tables: over the {len(own_share)} reports with all three cells read and at
least one decision, the median of the reports' own licensing shares is {own_share.median():.1%} (from
{own_share.min():.0%} to {own_share.max():.0%}); {len(no_decision)} report(s) tabled no decision, and
{len(unread)} {'is' if len(unread) == 1 else 'are'} left out because a cell is unread{(': ' + listing(name(r) for r in unread)) if len(unread) else ''}.
No total over the reports is given: it would add up {per_report_total['year'].nunique()} years and
{per_report_total['organ_id'].nunique()} organs. The report with the most decisions, {name(heaviest)}, tables
{'≥' if not heavy['complete'] else ''}{heavy['value']:,.0f} of them, {per_row.loc[heaviest, 'licensing']:,.0f} licensing"""
if heaviest in own_share.index:
    text += (f" (its own share {own_share[heaviest]:.0%}"
             + (", the lowest of them" if own_share[heaviest] == own_share.min() else "") + ")")
text += f""". The chart draws each organ's
latest 2021-template report: first is {name(top['report_id'])}, with {'≥' if not top['complete'] else ''}{top['value']:,.0f}
decisions, {top_licensing:,.0f} of them licensing ({kind(top['report_id'])}){spread_note}.
The largest licensing count in a single report is {name(single['report_id'])}'s {single['value']:,.0f} ({kind(single['report_id'])})."""
if kind(single["report_id"]) != kind(top["report_id"]):
    text += (" These are different kinds of organ: how many licences an organ grants says what it decides, not how "
             "openly it works.")
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
apps = ind[ind["indicator"] == "applications"]
organ_since = meta["organ_id"].reindex(since.index)
dark = [o for o in sorted(set(organ_since.dropna()))
        if not (since[organ_since == o] == "read").any()]
dark_names = apps.drop_duplicates("organ_id", keep="last").set_index("organ_id")["agency"]
t4_cases = ind[ind["indicator"].isin(t4_names[:2]) & (ind["denominator"] > 0)]
text += f"""

Table 4 could be read in {(since == 'read').sum()} of the {len(since)} reports of 2019 or later. In {len(none_stated)} more
({listing(name(r) for r in none_stated.index)}) table 4 is absent or has cells unread, but a sentence says there was
no reconsideration or litigation. In the other {len(unread)} ({'; '.join(f"{s}: {listing(name(r) for r in unread.index[unread == s])}"
for s in sorted(set(unread)))}) disputes are unknown, not zero."""
if dark:
    text += f" No report of {listing(dark_names[o] for o in dark)} has a readable table 4."
    for o in dark:
        mine = apps[(apps["organ_id"] == o) & apps["value"].notna()]
        tabled = mine[(mine["source"] == "table") & (mine["year"] >= 2019)]
        if len(mine) and tabled.empty:
            early = int((mine["year"] < 2019).sum())
            text += (f" {dark_names[o]}'s application counts ({len(mine)} report{'s' if len(mine) > 1 else ''}) are all "
                     f"stated in its text{f', {early} of them before the template' if early else ''}, so they are not "
                     "ranked with table counts.")
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
             f"{tk.rate_text(sp['rest_numerator'], sp['rest_denominator'])}; the median of the "
             f"{sp['n_reports']} reports' own rates is {sp['median']:.0%} (from {sp['min']:.0%} to {sp['max']:.0%}).")
largest = {spread[n]["largest"] for n in t4_names[:2]}
for rid in sorted(largest):
    section4 = tk.parse_report(resolve_report_path(root, files[rid])).sections.get("4") or ""
    note = re.search(r"注[：:][^。\n]*结转[^。\n]*。?", section4)
    if note:
        text += (f" {name(rid)}'s table 4 counts cases carried over from the year before (“{note.group(0)}”), so its "
                 "cases are not all of the report year.")
flagged = ind[(ind["indicator"] == "dispute_rate") & ind["conflict"].fillna(False) & ind["value"].notna()]
said_apps = tk.load_statements()
said_apps = said_apps[(said_apps["row"] == "new_received") & (said_apps["column"] == "total")]
text += (f" The dispute ratio — cases per new application, a ratio with no interval — is {dr['value']:.3f} "
         f"({dr['numerator']:,.0f} cases / {dr['denominator']:,.0f} applications, {dr['n_reports']} reports); "
         f"{name(dr['largest'])} supplies {dr['largest_numerator']:,.0f} of the cases and {dr['largest_denominator']:,.0f} "
         f"of the applications, and without it the ratio is {dr['rest_value']:.3f} ({dr['rest_numerator']:,.0f} / "
         f"{dr['rest_denominator']:,.0f}); the median of the reports' own ratios is {dr['median']:.3f}.")
for r in flagged.itertuples():
    said = listing(f"{v:,.0f}" for v in sorted(set(said_apps.loc[said_apps["report_id"] == r.report_id, "value"])))
    text += (f" {dr['n_conflict']} of those reports is flagged `conflict`: {name(r.report_id)}'s denominator, "
             f"{r.denominator:,.0f} new applications in its table 3, disagrees with its own text ({said}) — a "
             "contradiction, or a sentence counting a narrower scope (notebook 4 quotes it).")
    if abs(r.value - dr["median"]) < 1e-12:
        text += (f" The median is that report's own ratio ({r.numerator:,.0f} / {r.denominator:,.0f}), so it too "
                 "rests on the contradicted count.")
# summarise_indicators counts a report with 0 cases over 0 applications among a ratio's reports.
dispute_rows = ind[ind["indicator"] == "dispute_rate"]
no_ratio = dispute_rows[(dispute_rows["numerator"] == 0).fillna(False) & (dispute_rows["denominator"] == 0).fillna(False)]
table_n = int(t4_overall.loc["dispute_rate", "n_reports"])
assert table_n == dr["n_reports"] + len(no_ratio), "the table's n_reports is the reports with a ratio plus those with 0 / 0"
if table_n != dr["n_reports"]:
    stated_none = int((no_ratio["source"] == "stated").sum())
    text += (f" The summary table's `n_reports` for the ratio, {table_n}, also counts the {len(no_ratio)} reports with "
             f"no new application and no dispute (0 / 0, no ratio"
             + (f"; {stated_none} of them stated in the text" if stated_none else "") + ").")
organs = t4_cases["organ_id"].nunique()
text += (f" Each interval treats every decided case as independent, which cases of one organ in one year are not: "
         f"with decided cases from {t4_cases['report_id'].nunique()} reports of {organs} organs, these rates describe "
         "these reports and say little about disclosure disputes in general.")
Markdown(text)
