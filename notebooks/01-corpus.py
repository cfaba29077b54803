# %% [markdown]
# # 1. What is in the corpus? / 语料概况
#
# **Question.** Which reports does the shipped corpus hold — by year, administrative level and
# region — and how complete are they: are all six sections and all three statistical tables there,
# and where a value is missing, why?
#
# Everything here comes from `toolkit`; point `XXGK_CORPUS` at another folder to run it on your own
# corpus. Every number in the closing paragraph is computed in the cell that prints it.

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
reports = tk.load_reports()
reports[["report_id", "agency", "organ_id", "province", "admin_level", "year", "template", "status"]]

# %% [markdown]
# **Where the texts come from.** `metadata.csv` records each report's source. Not every text was
# taken from the organ's own site: a crawler's copy of a web page flattens the tables (cells run
# together, or are lost), and a file from another project's repository is that project's copy:

# %%
from toolkit.corpus import corpus_dir, read_metadata

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
provenance.groupby(["origin", "format"]).size().rename("reports").to_frame()

# %%
provenance[~provenance["origin"].str.startswith(("crawler", "text extracted"))]

# %% [markdown]
# Reports by year and administrative level:

# %%
pd.crosstab(reports["year"], reports["admin_level"], margins=True, margins_name="total")

# %% [markdown]
# **By region.** Reports and distinct organs (`organ_id`, stable across years) per province and
# administrative level:

# %%
by_region = (reports.groupby(["province", "admin_level"], observed=True)
             .agg(reports=("report_id", "size"), organs=("organ_id", "nunique"),
                  first_year=("year", "min"), last_year=("year", "max"))
             .reset_index())
by_region

# %% [markdown]
# Completeness: sections found (of 6) and tables found, per report. A table the report does not
# contain is *absent* (`has_t3` false), never a table of zeros.

# %%
reports[["report_id", "template", "n_sections", "has_t2", "has_t3", "has_t4", "n_warnings"]]

# %% [markdown]
# Why values are missing. Every cell of `load_tables()` carries the reason for its value
# (`status`). The cells of tables the reports *do* contain that were left missing, by reason:

# %%
from toolkit.schema import CELL_STATUS

tables = tk.load_tables()
contained = tables[tables["status"] != "table_absent"]
left_missing = contained[contained["value"].isna()]
reasons = left_missing["status"].astype("string").value_counts()
pd.DataFrame({"cells": reasons, "meaning": [CELL_STATUS[s] for s in reasons.index]})

# %%
log = tk.load_parse_log()
log[["report_id", "level", "message"]].head(10)

# %%
fig = plots.render("audit_summary")
fig


# %%
def listing(items):
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
text = f"""**What it shows.** The corpus holds {len(reports)} reports of {reports['organ_id'].nunique()} organs,
report years {reports['year'].min()}–{reports['year'].max()}: {listing(f'{n} {lvl}-level' for lvl, n in levels.items() if n)}.

**Provenance.** {by_origin.get('text extracted from the published file', 0)} texts were extracted from the published
files; the {len(crawled)} reports of {listing(sorted(set(crawled['agency'])))} are a crawler's text of their web pages,
kept in a third-party scraping repository, so their tables are often run together or missing (notebook 4); and
{listing(f"{name(r.report_id)} ({r.format}, {r.origin.split(' in ')[0]})" for r in elsewhere.itertuples())} are copies
in another project's GitHub repository, not files downloaded from an official site."""
d, c = heavy["disclosure_rate"], heavy["reconsideration_correction_rate"]
if {d["largest"], c["largest"]} & set(elsewhere["report_id"]):
    handled = (f"handled {d['largest_denominator']:,.0f} of the {d['denominator']:,.0f} applications behind the pooled "
               "disclosure rate")
    decided = f"supplies {c['largest_denominator']:,.0f} of the {c['denominator']:,.0f} decided reconsideration cases"
    text += (" Such copies weigh heavily in the pooled figures of notebooks 2 and 3: "
             + (f"{name(d['largest'])} alone {handled} and {decided}." if d["largest"] == c["largest"] else
                f"{name(d['largest'])} {handled}, and {name(c['largest'])} {decided}."))
text += f"""

**By region.** They come from {len(provinces)} provinces: {listing(f'{p} {n}' for p, n in provinces['reports'].items())}.
{region}

**Templates.** {templates.get('pre-2019', 0)} reports predate the fixed template (`pre-2019`, narrative only; the audit
does not count their missing tables against them); {templates.get('2019', 0)} use the 2019 template and
{templates.get('2021', 0)} the 2021 one; the other {len(no_template)}, all of 2019 or later, have no template because no
table was found in their text ({listing(name(r) for r in sorted(no_template['report_id']))}): their tables are *absent*,
not zero.

**Missing values.** Of the {len(contained):,} cells of the tables the reports contain, {len(left_missing):,}
({len(left_missing) / max(len(contained), 1):.0%}) were left missing rather than guessed."""
if top_reason is not None:
    text += (f" The commonest reason is `{top_reason}` — {CELL_STATUS[top_reason]} — "
             f"for {reasons.iloc[0]:,} of them ({reasons.iloc[0] / len(left_missing):.0%}).")
Markdown(text)
