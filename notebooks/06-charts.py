# %% [markdown]
# # 6. Charts to take away / 图表
#
# **Question.** Which charts would a journalist publish from this corpus, and how are they made and
# saved? Every chart carries a bilingual title, Chinese axis labels with English, and a source line
# (数据来源…) counting the reports that contribute to what is drawn. A value that is missing is
# shown as `n/a`, never as a 0 bar; a total that leaves a missing value out is labelled `≥`.
# `plots.save` writes PNG at 300 dpi and SVG in one call; `xxgk build` writes every chart to its
# `charts/` folder, and `xxgk chart NAME [--by organ|year] --out FILE` renders one.

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
list(plots.CHARTS), plots.BY_CHARTS

# %% [markdown]
# Saving every chart, organ and year variants apart, into a temporary folder (nothing is written
# into the checkout):

# %%
import tempfile
from pathlib import Path

import re

saved = []
svg_text = {}  # <text> elements per SVG: labels kept as editable text, not outlines
with tempfile.TemporaryDirectory(prefix="xxgk-charts-") as folder:
    for name in plots.CHARTS:
        for by in (("organ", "year") if name in plots.BY_CHARTS else (None,)):
            stem = name if by is None else f"{name}_by_{by}"
            for p in plots.save(plots.render(name, by=by), Path(folder) / stem):
                saved.append(p.name)
                if p.suffix == ".svg":
                    svg_text[p.name] = len(re.findall(r"<text\b", p.read_text(encoding="utf-8")))
len(saved), saved[:4], min(svg_text.values())

# %% [markdown]
# **Which organs receive the most applications, and how many are refused** — the chart a
# journalist asks for (`xxgk chart applications_and_refusals --by organ --out FILE` on the command
# line draws each organ's mean per report over its reports' table counts of the template years, 2019
# on, the tick label giving how many and which years, and sums up the organs beyond those drawn in one
# row; counts stated in the text or from before the template are left out, and its source line says
# how many reports that leaves out; a bar resting on a count the report's own text contradicts is
# marked †). To compare organs on one footing
# (docs/METHODS.md), it is drawn here from one report per organ: its latest template year with a
# table count.

# %%
ind = tk.indicators()
apps = ind[(ind["indicator"] == "applications") & (ind["source"] == "table") & (ind["year"] >= 2019)]
latest = apps.dropna(subset=["value"]).sort_values("year").drop_duplicates("organ_id", keep="last")
fig = plots.applications_and_refusals(ind[ind["report_id"].isin(latest["report_id"])], by="organ")
fig

# %% [markdown]
# The same by year, on table values of the template years only (2019 on): a count the narrative
# states because table 3 is absent, or one from before the template, is another measure and is never
# added to a table count in one bar (docs/METHODS.md, "Compare like with like"); the stated counts are listed after the
# chart, and the source line counts them apart from the reports whose count is missing. Each year's bar sums whichever organs reported that year — a single report in some years, several in
# others (the tick label says how many) — so the bars compare different sets of organs, not years: they show no
# trend, and no bar is a total for any place or level. Then the rates behind it with their 95% intervals:

# %%
# The chart leaves stated counts out itself (its default), so its source line can count them apart
# from the reports whose count is missing.
fig = plots.applications_and_refusals(ind[ind["year"] >= 2019], by="year")
by_table = ind[(ind["source"] != "stated").fillna(True) & (ind["year"] >= 2019)]
fig

# %%
stated_apps = ind[(ind["indicator"] == "applications") & (ind["source"] == "stated") & ind["value"].notna()]
stated_apps.sort_values(["year", "agency"])[["agency", "year", "template", "value"]]

# %% [markdown]
# By organ, each rate pools the reports of the organ that have a case; the tick label counts those
# reports and, when some of the organ's reports add nothing (no table 3, a cell unread, no
# application), of how many (`计入 k 份（共 n 份报告）`):

# %%
fig = plots.render("rates", by="organ")
fig

# %% [markdown]
# Proactive disclosure per organ, on the 2021-template reports only, as in notebook 3: the 2019
# template's column has the same name, but nothing shows that it counts the same thing, so the chart
# draws one template (`template="2021"` by default). Then the audit of the reports:

# %%
fig = plots.render("proactive_disclosure", by="organ")
fig

# %%
fig = plots.render("audit_summary")
fig

# %% [markdown]
# **Your own figures with Chinese labels.** `plots.style()` is the house style with the bundled
# Chinese font, for `matplotlib.rc_context`; `plots.apply_font(fig)` keeps the glyphs when the figure
# is drawn later. Here the panel (`tk.load_panel()`) as one line per organ, drawn as the house charts
# are: a year without a value is a gap in the line, not a drop to zero; a count stated in the text
# (the table missing) is a hollow point, a table count a filled one, and no segment joins a hollow point
# to a filled one — they are two different measures, not two years of one, so an organ with both is
# drawn as separate runs of one colour; each line is labelled at its end, in its own colour; and the
# source line counts the reports drawn and those left out. A line needs two years, so organs with a
# value in one year only are left out and named in the source line:

# %%
import matplotlib
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
        # One line per measure: NaN (no value, or the other measure's year) breaks it, so no segment
        # joins a stated count to a table count.
        ax.plot(x, y.where(~said), color=colour, linewidth=1.8)
        ax.plot(x, y.where(said), color=colour, linewidth=1.8)
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
    fig.text(0.01, 0.01, plots.SOURCE_TEMPLATE.format(n=n_drawn) + f"；缺失值未计入（{n_gaps} 份报告）\n"
             + f"仅一年有值、未画出：{'、'.join(sorted(set(single['agency'])))}", fontsize=7.5,
             color=plots.MUTED_COLOUR)
plots.apply_font(fig)
fig

# %%
drawn_by = sorted(plots.BY_CHARTS)
# The report whose own text contradicts its table 3 is in the organ and rate charts: say so, with both numbers.
flagged_apps = ind[(ind["indicator"] == "applications") & ind["conflict"].fillna(False)]
said = tk.load_statements()
said = said[(said["row"] == "new_received") & (said["column"] == "total")]


def charts_with(rid):
    places = [label for label, ids in (("the organ bars", set(latest["report_id"])),
                                       ("the by-year bars", set(by_table["report_id"]))) if rid in ids]
    return ", ".join(places) + (" and " if places else "") + "the rates by organ"


conflict_note = "".join(
    f" {r.agency}（{r.year}） is drawn in {charts_with(r.report_id)} with its table's numbers "
    f"({r.value:,.0f} new applications), but its own text says "
    f"{'、'.join(f'{v:,.0f}' for v in sorted(set(said.loc[said['report_id'] == r.report_id, 'value'])))} (a "
    f"contradiction, or a sentence counting a narrower scope; notebook 4 quotes it): every "
    f"indicator read from its table 3 carries `conflict`, and the bars of applications and refusals, the table 3 "
    f"charts and the rates chart mark every value that includes it with †."
    for r in flagged_apps.itertuples())


def listing_kinds(names):
    kinds = pd.Series([n.split(".", 1)[1] for n in names]).value_counts().sort_index()
    return ", ".join(f"{k} .{ext}" for ext, k in kinds.items())


# Organs of the panel chart with a stated and a table count, which it draws as separate runs.
valued_drawn = drawn[drawn["applications"].notna()]
kinds_per_organ = stated[valued_drawn.index].groupby(valued_drawn["agency"]).nunique()
both_measures = sorted(kinds_per_organ.index[kinds_per_organ > 1])


def listing_names(names):
    return "、".join(names)


font = Path(plots.font_path())
assert font.name.startswith("NotoSansCJK") and "mplfonts" in font.parts
Markdown(f"""**What it shows.** {len(plots.CHARTS)} charts; {len(drawn_by)} of them ({', '.join(f'`{n}`' for n in drawn_by)})
are drawn per organ or per year, never mixing the two in one axis. {len(saved)} files were written for the {len(svg_text)} charts and variants
({listing_kinds(saved)}; the PNGs at 300 dpi, the SVGs keeping their labels as editable `<text>` elements, from
{min(svg_text.values())} to {max(svg_text.values())} per file, not as outlines), to a temporary folder removed afterwards.
The by-year bars of applications and refusals above draw table values of 2019 on only; the {len(stated_apps)} counts stated
in the text are listed apart, added to no bar.{conflict_note} The Chinese
labels use {font.stem} shipped inside the `mplfonts` package, so they render on a machine with no Chinese fonts
installed; your own matplotlib settings are left untouched. The hand-made panel chart draws the
{drawn['organ_id'].nunique()} organs with a value in at least two years since 2019 ({n_drawn} reports; {n_gaps} more of
their reports have no readable count and are not drawn); the {single['organ_id'].nunique()} organs with a value in one
year only are named in its source line""" + (f", and {no_value['organ_id'].nunique()} with no value since 2019 are left out."
                                           if len(no_value) else ".")
         + (f" No segment joins a count stated in the text to a table count: {listing_names(both_measures)} "
            f"{'has' if len(both_measures) == 1 else 'have'} both, drawn as separate runs." if both_measures else ""))
