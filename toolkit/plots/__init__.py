"""Publication charts of a corpus, with Chinese labels that render anywhere.

Each chart function takes DataFrames from the loaders or from
:func:`toolkit.indicators` (never file paths), leaves them untouched and returns
a :class:`matplotlib.figure.Figure` with

* a bilingual title (Chinese, with the English below it),
* axis labels in Chinese with English,
* a source line at the bottom left:
  ``数据来源：各机关政府信息公开工作年度报告（N 份）· xxgk`` where N is the
  number of distinct reports that contribute a value to what is drawn
  (override it with ``source=``); when missing values (<NA>) were left out of
  a sum the line says how many (``…；缺失值未计入（k 个）``).

Missing is shown as missing: a bar with no value at all is not drawn and is
marked ``n/a``; a total that leaves missing values out is labelled ``≥N`` (a
lower bound).  Value labels never overlap one another and never sit under the
legend.  Every sum goes through :func:`toolkit.analysis.aggregate`.  Empty
data gives a figure that says 无数据 / No data instead of an exception.

Organs are compared like with like (``docs/METHODS.md``): a chart drawn by
organ shows each organ's mean per report, over the reports that have every
value drawn, and its tick label says how many reports and which years; the
:data:`MAX_ORGANS` organs with the largest means are drawn and the others are
summarised in one row (其余 N 个机关 / N others), as the source line says.  A chart drawn by year (or
province, level, sector) sums each group's reports and says how many.  The
charts of one table across all reports (applicants, outcomes, appeals) state
no grand total over organs and years: each bar is the mean of the reports' own
shares, every report weighing the same.

The charts, as :data:`REGISTRY` declares them (``render(name)`` draws one;
``xxgk build`` writes each, by organ and by year where it has groupings):

{charts}

``render(name, corpus=None, by=None)`` loads what a chart needs and draws it;
``save(fig, "out/chart")`` writes ``out/chart.png`` (300 dpi) and
``out/chart.svg`` (text as ``<text>``, editable, naming CJK font fallbacks).
A new chart is one function plus one :func:`register` call
(:mod:`toolkit.plots.registry`).

The package: :mod:`~toolkit.plots.theme` (fonts, style, saving),
:mod:`~toolkit.plots.layout` (figure, labels, grouping),
:mod:`~toolkit.plots.charts` (the chart functions),
:mod:`~toolkit.plots.registry` (what each chart needs) and
:mod:`~toolkit.plots.output` (``render``, ``write_charts``); the frames a build's
charts are drawn from come from :mod:`toolkit.analysis.chart_data`.

Fonts: the Chinese font is Noto Sans CJK SC as shipped inside the ``mplfonts``
package; it is registered with matplotlib on first use (nothing happens at
import).  The user's global ``matplotlib.rcParams`` are never changed: every
chart is built inside ``matplotlib.rc_context`` with :data:`STYLE`, and every
text object of the figure carries the font family explicitly, so the figure
still renders correctly when it is drawn or saved later, outside the context.
For your own figures::

    with matplotlib.rc_context(plots.style()):
        fig, ax = plt.subplots()
        ax.set_title("依申请公开")
    plots.apply_font(fig)   # optional: keeps the glyphs when drawn outside the context
"""
from __future__ import annotations

from ..analysis.selection import AmbiguousOrgan, OrganNotFound, resolve_organ, select_reports
from .charts import (AUDIT_FAMILIES, OUTCOME_GROUPS, RATE_SERIES, applications_and_refusals,
                     applications_by_applicant, appeals, audit_summary, category_shares, outcomes,
                     proactive_disclosure, rates, topic_terms)
from .layout import ADMIN_LEVEL_ZH, GROUP_AXES, GROUP_TITLES, GROUP_UNKNOWN, MAX_ORGANS
from .output import chart_cells, chart_indicators, render, sources_frame, write_charts
from .registry import BY_CHARTS, CHARTS, REGISTRY, Cells, Chart, chart_spec, register, unregister
from .theme import (FAIL_COLOUR, FONT_FILE, FONT_PACKAGE, MAX_CITED, MUTED_COLOUR, NA_COLOUR, NEUTRAL_COLOUR,
                    PALETTE, PASS_COLOUR, SOURCE_COLUMNS, SOURCE_TEMPLATE, STYLE, SVG_FONT_FAMILIES, TEXT_COLOUR,
                    apply_font, cite, font_family, font_path, save, style)

__all__ = [
    "STYLE", "PALETTE", "CHARTS", "BY_CHARTS", "REGISTRY", "Chart", "Cells", "register", "unregister",
    "chart_spec", "MAX_ORGANS", "font_path", "font_family", "style", "apply_font",
    "applications_and_refusals", "rates", "applications_by_applicant", "outcomes", "proactive_disclosure",
    "appeals", "audit_summary", "topic_terms", "category_shares", "render", "save", "write_charts",
    "sources_frame", "cite", "chart_cells", "chart_indicators",
    "AmbiguousOrgan", "OrganNotFound", "resolve_organ", "select_reports",
]


def _chart_table() -> str:
    rows = [(f"``{c.name}``", c.en, ", ".join(c.inputs), ",".join(c.by) or "–") for c in REGISTRY.values()]
    head = ("name", "what it shows", "drawn from", "``by``")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(4)]
    rule = " ".join("=" * w for w in widths)
    line = lambda r: " ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip()  # noqa: E731
    return "\n".join([rule, line(head), rule, *map(line, rows), rule])


if __doc__:  # None under python -OO
    __doc__ = __doc__.replace("{charts}", _chart_table())
