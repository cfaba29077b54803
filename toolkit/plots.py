"""Publication charts of a corpus, with Chinese labels that render anywhere.

Each chart function takes DataFrames from the loaders (never file paths),
leaves them untouched and returns a :class:`matplotlib.figure.Figure` with

* a bilingual title (Chinese, with the English below it),
* axis labels in Chinese with English,
* a source line at the bottom left:
  ``数据来源：各机关政府信息公开工作年度报告（N 份）· xxgk`` where N is the
  number of distinct reports the chart uses (override it with ``source=``);
  when missing values (<NA>) were left out of a sum the line says so
  (``…；缺失值未计入``).

Empty data gives a figure that says 无数据 / No data instead of an exception.

=========================== ======================================== ==================
name (``CHARTS`` key)       what it shows                            input
=========================== ======================================== ==================
``applications_by_applicant`` t3 new applications by applicant type  ``load_tables()``
``outcomes``                t3 outcomes (total column), grouped      ``load_tables()``
``proactive_disclosure``    t2 licensing/penalty/coercion decisions  ``load_tables()``,
                            per report                               ``load_reports()``
``appeals``                 t4 reconsideration/litigation results    ``load_tables()``
``audit_summary``           audit checks passed/failed/not checkable ``audit()``
=========================== ======================================== ==================

``render(name, corpus=None)`` loads what a chart needs and draws it;
``save(fig, "out/chart")`` writes ``out/chart.png`` (300 dpi) and
``out/chart.svg`` (text as paths, so it needs no font to display).

Fonts: the Chinese font is Noto Sans CJK SC as shipped inside the ``mplfonts``
package; it is registered with matplotlib on first use (nothing happens at
import).  The user's global ``matplotlib.rcParams`` are never changed: every
chart is built inside ``matplotlib.rc_context`` with :data:`STYLE`, and every
text object of the figure carries the font family explicitly, so the figure
still renders correctly when it is drawn or saved later, outside the context.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "STYLE",
    "PALETTE",
    "CHARTS",
    "font_path",
    "font_family",
    "style",
    "applications_by_applicant",
    "outcomes",
    "proactive_disclosure",
    "appeals",
    "audit_summary",
    "category_shares",
    "render",
    "save",
    "write_charts",
]

#: The font file inside the ``mplfonts`` package.
FONT_PACKAGE = "mplfonts"
FONT_FILE = ("fonts", "NotoSansCJKsc-Regular.otf")

#: A small fixed palette (colour-blind friendly, prints well in greyscale order).
#: blue, orange, teal, red, grey, purple.
PALETTE: tuple[str, ...] = ("#1F5F8B", "#E08A2E", "#2A9D8F", "#C8553D", "#8D99AE", "#6D597A")
#: Colours with a meaning (audit results).
PASS_COLOUR, FAIL_COLOUR, NA_COLOUR = "#2A9D8F", "#C8553D", "#B8BEC8"
TEXT_COLOUR, MUTED_COLOUR = "#222222", "#666666"

#: The house style, applied with ``matplotlib.rc_context`` inside each chart
#: (the font family is added at run time by :func:`style`; ``STYLE`` itself
#: works with ``plt.style.context`` too): white background,
#: light horizontal/vertical grid behind the data, no top/right spines,
#: readable sizes for a 9 × 5.5 inch figure, and :data:`PALETTE` as colour cycle.
STYLE: dict[str, Any] = {
    "figure.figsize": (9.0, 5.5),
    "figure.dpi": 100,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "axes.facecolor": "white",
    "axes.edgecolor": "#BBBBBB",
    "axes.linewidth": 0.8,
    "axes.grid": True,
    "axes.axisbelow": True,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.labelsize": 11,
    "axes.labelcolor": TEXT_COLOUR,
    "axes.titlesize": 13,
    "axes.unicode_minus": False,
    "axes.prop_cycle": "cycler(color=[%s])" % ", ".join(repr(c) for c in PALETTE),
    "grid.color": "#E6E6E6",
    "grid.linewidth": 0.8,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "xtick.color": TEXT_COLOUR,
    "ytick.color": TEXT_COLOUR,
    "legend.fontsize": 10,
    "legend.frameon": False,
    "font.size": 10,
    "text.color": TEXT_COLOUR,
    "svg.fonttype": "path",
}

TITLE_SIZE, SUBTITLE_SIZE, SOURCE_SIZE = 15, 11, 8.5
SOURCE_TEMPLATE = "数据来源：各机关政府信息公开工作年度报告（{n} 份）· xxgk"
MISSING_NOTE = "；缺失值未计入"
NO_DATA = "无数据 / No data"

_FONT: tuple[str, str] | None = None  # (path, family name) once registered


# ------------------------------------------------------------------ fonts and style

def font_path() -> str:
    """Path of Noto Sans CJK SC inside the installed ``mplfonts`` package.

    Raises ``RuntimeError`` naming the package to install when it is missing.
    """
    import importlib.resources

    hint = (f"Chinese chart labels need the font shipped with the '{FONT_PACKAGE}' package: "
            f"pip install 'mplfonts>=0.0.8'")
    try:
        resource = importlib.resources.files(FONT_PACKAGE).joinpath(*FONT_FILE)
    except ModuleNotFoundError:
        raise RuntimeError(f"{hint} (it is not installed).") from None
    path = Path(os.fspath(resource)) if isinstance(resource, os.PathLike) else None
    if path is None or not path.is_file():
        raise RuntimeError(f"{hint} ({'/'.join(FONT_FILE)} not found in it).")
    return str(path)


def font_family() -> str:
    """Register the Chinese font with matplotlib (once) and return its family name."""
    global _FONT
    if _FONT is None:
        from matplotlib.font_manager import FontProperties, fontManager

        path = font_path()
        name = FontProperties(fname=path).get_name()
        if not any(f.fname == path for f in fontManager.ttflist):
            fontManager.addfont(path)
        _FONT = (path, name)
    return _FONT[1]


def _families() -> list[str]:
    # DejaVu Sans (bundled with matplotlib) as fallback for any symbol the CJK font lacks.
    return [font_family(), "DejaVu Sans"]


def style() -> dict[str, Any]:
    """:data:`STYLE` with the Chinese font and the palette filled in (for ``rc_context``)."""
    rc = dict(STYLE)
    rc["font.family"] = "sans-serif"
    rc["font.sans-serif"] = _families()
    return rc


def _new_figure(**kw) -> "Figure":
    """A figure not registered with pyplot (no global state), drawable with Agg."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(layout="constrained", **kw)
    FigureCanvasAgg(fig)
    # Leave room for the title block (top) and the source line (bottom).
    fig.get_layout_engine().set(rect=(0.0, 0.06, 1.0, 0.82), h_pad=0.08, w_pad=0.08)
    return fig


def _finish(fig: "Figure") -> "Figure":
    """Give every text object the font family explicitly, so drawing outside the
    style context (e.g. in a notebook or at ``save`` time) still finds the glyphs."""
    from matplotlib.text import Text

    families = _families()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                for t in (tick.label1, tick.label2):
                    t.set_fontfamily(families)
        try:  # matplotlib >= 3.8: ticks created later inherit it too
            ax.tick_params(which="both", labelfontfamily=families)
        except (TypeError, ValueError, AttributeError):
            pass
    for t in fig.findobj(Text):
        t.set_fontfamily(families)
    return fig


def _header(fig: "Figure", zh: str, en: str, source: str) -> None:
    fig.text(0.015, 0.975, zh, ha="left", va="top", fontsize=TITLE_SIZE, color=TEXT_COLOUR)
    fig.text(0.015, 0.915, en, ha="left", va="top", fontsize=SUBTITLE_SIZE, color=MUTED_COLOUR)
    fig.text(0.015, 0.015, source, ha="left", va="bottom", fontsize=SOURCE_SIZE,
             color=MUTED_COLOUR, gid="xxgk-source")


def _source(n: int, missing: int, source: str | None) -> str:
    text = SOURCE_TEMPLATE.format(n=n) if source is None else source
    if missing:
        text += f"{MISSING_NOTE}（{missing} 个）"
    return text


def _no_data(fig: "Figure") -> "Figure":
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.5, NO_DATA, ha="center", va="center", fontsize=16,
            color=MUTED_COLOUR, transform=ax.transAxes)
    return fig


def _chart(zh: str, en: str, n: int, missing: int, source: str | None,
           draw: Callable[["Figure"], None] | None) -> "Figure":
    """Build a figure inside the style context; *draw* None means no data."""
    import matplotlib

    with matplotlib.rc_context(style()):
        fig = _new_figure()
        _header(fig, zh, en, _source(n, missing, source))
        if draw is None:
            _no_data(fig)
        else:
            draw(fig)
        return _finish(fig)


def _wrap(text: str, width: int = 14) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text


def _integer_axis(ax: "Axes", horizontal: bool = False) -> None:
    """Counts: integer ticks only."""
    from matplotlib.ticker import MaxNLocator

    (ax.xaxis if horizontal else ax.yaxis).set_major_locator(MaxNLocator(integer=True))


def _int(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"


def _label_bars(ax: "Axes", containers, horizontal: bool = False) -> None:
    for bars in containers:
        ax.bar_label(bars, labels=[_int(b.get_width() if horizontal else b.get_height())
                                   for b in bars],
                     padding=3, fontsize=9, color=TEXT_COLOUR)


def _headroom(ax: "Axes", top: float, horizontal: bool = False) -> None:
    """Room for value labels; a sensible axis when everything is zero."""
    lim = top * 1.15 if top > 0 else 1.0
    (ax.set_xlim if horizontal else ax.set_ylim)(0, lim)
    grid_axis = "x" if horizontal else "y"
    ax.grid(False)
    ax.grid(True, axis=grid_axis)


def _all_zero_note(ax: "Axes") -> None:
    ax.text(0.5, 0.5, "全部为 0 / All zero", ha="center", va="center", fontsize=12,
            color=MUTED_COLOUR, transform=ax.transAxes)


# ------------------------------------------------------------------ data helpers

def _empty(frame) -> bool:
    return frame is None or len(frame) == 0


def _require(frame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what}: the frame lacks column(s) {', '.join(missing)}; "
                         f"pass the DataFrame returned by the toolkit loader.")


_TIDY = ("report_id", "table", "row", "column", "value")


def _cells(tables, table: str, rows=None, columns=None):
    """Rows of the tidy frame for *table* (optionally filtered), as a new frame."""
    _require(tables, _TIDY, "load_tables() frame expected")
    sel = tables["table"] == table
    if "status" in tables.columns:
        # A table a report does not contain is not a contribution of missing cells.
        sel &= tables["status"].astype("string") != "table_absent"
    if rows is not None:
        sel &= tables["row"].isin(list(rows))
    if columns is not None:
        sel &= tables["column"].isin(list(columns))
    return tables.loc[sel.fillna(False).astype(bool)]


def _sums(cells, by: str | list[str]):
    """Sum of ``value`` per group with <NA> left out; returns (sums, n_missing)."""
    values = cells["value"].astype("Float64")
    missing = int(values.isna().sum())
    sums = values.groupby([cells[b] for b in ([by] if isinstance(by, str) else by)],
                          sort=False, observed=True).sum(min_count=0)
    return sums.astype(float), missing


def _map_values(series, fn) -> "pd.Series":
    """*fn* of each value, computed once per distinct value (a corpus has few distinct keys)."""
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(series)
    mapped = np.array([fn(u) for u in uniques] + [None], dtype=object)
    # code -1 (missing) takes the None; dtype=object keeps pandas from re-inferring strings
    return pd.Series(mapped[codes], index=series.index, dtype=object)


def _n_reports(frame) -> int:
    return int(frame["report_id"].dropna().nunique())


# ------------------------------------------------------------------ charts

def applications_by_applicant(tables: "pd.DataFrame", *, source: str | None = None) -> "Figure":
    """Bar chart: t3 ``new_received`` summed over reports, by applicant type.

    *tables* is ``load_tables()``; the six applicant columns (自然人 … 其他) in
    template order, labels from :data:`toolkit.schema.T3_COLUMNS`.
    """
    from . import schema

    zh, en = "新收政府信息公开申请：按申请人类型", "New information disclosure applications by applicant type"
    cols = [c for c in schema.T3_COLUMNS if c.key != "total"]
    cells = None if _empty(tables) else _cells(tables, "t3", ["new_received"], [c.key for c in cols])
    if _empty(cells):
        return _chart(zh, en, 0, 0, source, None)
    sums, missing = _sums(cells, "column")
    values = [float(sums.get(c.key, 0.0)) for c in cols]

    def draw(fig):
        ax = fig.add_subplot()
        labels = [f"{'其他组织' if c.key == 'other_org' else c.zh}\n{_wrap(c.en)}" for c in cols]
        bars = ax.bar(range(len(cols)), values, color=PALETTE[0], width=0.65)
        ax.set_xticks(range(len(cols)), labels, fontsize=9)
        _label_bars(ax, [bars])
        _headroom(ax, max(values))
        _integer_axis(ax)
        if max(values) == 0:
            _all_zero_note(ax)
        ax.set_xlabel("申请人类型 / Applicant type")
        ax.set_ylabel("申请数（件）/ Applications")

    return _chart(zh, en, _n_reports(cells), missing, source, draw)


#: Outcome groups of table 3: (zh, en, row keys or prefix).
OUTCOME_GROUPS: tuple[tuple[str, str, str], ...] = (
    ("予以公开", "Granted", "granted"),
    ("部分公开", "Partially granted", "partially_granted"),
    ("不予公开", "Denied", "denied."),
    ("无法提供", "Unavailable", "unavailable."),
    ("不予处理", "Not processed", "not_processed."),
    ("其他处理", "Other handling", "other."),
)


def _outcome_group(row: str) -> int | None:
    for i, (_zh, _en, key) in enumerate(OUTCOME_GROUPS):
        if row == key or (key.endswith(".") and row.startswith(key)):
            return i
    return None


def outcomes(tables: "pd.DataFrame", *, source: str | None = None) -> "Figure":
    """Horizontal bars: how t3 applications were handled (``total`` column, summed).

    予以公开 and 部分公开 as they are; ``denied.*`` summed as 不予公开,
    ``unavailable.*`` as 无法提供, ``not_processed.*`` as 不予处理 and
    ``other.*`` (also the 2019 template's ``other.all``) as 其他处理.
    """
    zh, en = "政府信息公开申请的办理结果", "How information disclosure applications were handled"
    cells = None if _empty(tables) else _cells(tables, "t3", columns=["total"])
    if not _empty(cells):
        groups = _map_values(cells["row"], lambda r: _outcome_group(str(r)))
        cells = cells.loc[groups.notna().to_numpy()]
    if _empty(cells):
        return _chart(zh, en, 0, 0, source, None)
    group = _map_values(cells["row"], lambda r: _outcome_group(str(r)))
    values_f = cells["value"].astype("Float64")
    missing = int(values_f.isna().sum())
    sums = values_f.groupby(group.to_numpy()).sum(min_count=0).astype(float)
    values = [float(sums.get(i, 0.0)) for i in range(len(OUTCOME_GROUPS))]
    total = sum(values)

    def draw(fig):
        ax = fig.add_subplot()
        y = list(range(len(OUTCOME_GROUPS)))
        colours = [PALETTE[0], PALETTE[2], PALETTE[3], PALETTE[1], PALETTE[5], PALETTE[4]]
        bars = ax.barh(y, values, color=colours, height=0.6)
        ax.set_yticks(y, [f"{z}\n{e}" for z, e, _k in OUTCOME_GROUPS])
        ax.invert_yaxis()
        labels = [f"{_int(v)}（{v / total:.0%}）" if total else _int(v) for v in values]
        ax.bar_label(bars, labels=labels, padding=3, fontsize=9, color=TEXT_COLOUR)
        _headroom(ax, max(values) * 1.1, horizontal=True)
        _integer_axis(ax, horizontal=True)
        if total == 0:
            _all_zero_note(ax)
        ax.set_xlabel("申请数（件）/ Applications")
        ax.set_ylabel("办理结果 / Outcome")

    return _chart(zh, en, _n_reports(cells), missing, source, draw)


_DISCLOSURE_ROWS = ("licensing", "penalty", "coercion")


def _agency_labels(report_ids: Sequence[str], reports) -> dict[str, str]:
    """report_id -> agency name (with the year when an agency has several reports)."""
    labels = {r: r for r in report_ids}
    if _empty(reports) or "report_id" not in reports.columns or "agency" not in reports.columns:
        return labels
    meta = reports.loc[reports["report_id"].isin(list(report_ids))]
    agencies = meta["agency"].astype(object)
    repeated = set(agencies[agencies.duplicated(keep=False)].dropna())
    for rid, agency, year in zip(meta["report_id"], agencies,
                                 meta["year"] if "year" in meta.columns else [None] * len(meta)):
        if agency is None or agency != agency:  # None or NaN/NA
            continue
        has_year = year is not None and not (isinstance(year, float) and year != year) \
            and str(year) != "<NA>"
        labels[rid] = f"{agency}（{year}）" if agency in repeated and has_year else str(agency)
    return labels


#: Above this many reports, :func:`proactive_disclosure` sums the reports of each year.
MAX_REPORT_BARS = 40


def proactive_disclosure(tables: "pd.DataFrame", reports: "pd.DataFrame | None" = None, *,
                         source: str | None = None) -> "Figure":
    """Grouped bars: t2 licensing / penalty / coercion decisions (本年处理决定数量) per report.

    *tables* is ``load_tables()``; *reports* (``load_reports()``) gives the
    agency names for the x axis (report ids without it).  With more than
    :data:`MAX_REPORT_BARS` reports, bars are per report year instead (summed
    over that year's reports; the year comes from *reports*, so without it
    all reports form one group).
    """
    from . import schema

    zh, en = "主动公开：行政许可、处罚、强制决定数量", \
        "Proactive disclosure: licensing, penalty and coercion decisions"
    cells = None if _empty(tables) else _cells(tables, "t2", _DISCLOSURE_ROWS, ["decisions"])
    if _empty(cells):
        return _chart(zh, en, 0, 0, source, None)
    report_ids = list(dict.fromkeys(str(r) for r in cells["report_id"].dropna()))
    if len(report_ids) <= MAX_REPORT_BARS:
        sums, missing = _sums(cells, ["report_id", "row"])
        groups = report_ids
        labels = _agency_labels(report_ids, reports)
        xlabel = "报告机关 / Reporting agency"
    else:
        years = {}
        if not _empty(reports) and {"report_id", "year"} <= set(reports.columns):
            years = {str(r): int(y) for r, y in zip(reports["report_id"], reports["year"])
                     if y is not None and y == y and str(y) != "<NA>"}
        group = cells["report_id"].astype(object).map(lambda r: years.get(str(r), -1))
        cells = cells.assign(group=group.to_numpy())
        sums, missing = _sums(cells, ["group", "row"])
        pairs = cells[["group", "report_id"]].astype({"report_id": object}).drop_duplicates()
        n_reports = pairs.groupby("group").size().to_dict()
        groups = sorted(n_reports, key=lambda g: (g == -1, g))
        labels = {g: (f"{g}年" if g != -1 else "年份不详") + f"\n{n_reports[g]:,} 份报告" for g in groups}
        xlabel = "报告年度（各年报告合计）/ Report year (sum over reports)"
    rows = {r.key: r for r in schema.T2_ROWS}
    top = float(sums.max()) if len(sums) else 0.0

    def draw(fig):
        ax = fig.add_subplot()
        n = len(_DISCLOSURE_ROWS)
        width = 0.8 / n
        for i, key in enumerate(_DISCLOSURE_ROWS):
            vals = [float(sums.get((g, key), 0.0)) for g in groups]
            xs = [j + (i - (n - 1) / 2) * width for j in range(len(groups))]
            bars = ax.bar(xs, vals, width=width * 0.95, color=PALETTE[i],
                          label=f"{rows[key].zh} / {rows[key].en}")
            _label_bars(ax, [bars])
        ax.set_xticks(range(len(groups)), [labels[g] for g in groups],
                      fontsize=9 if len(groups) <= 6 else 8,
                      rotation=0 if len(groups) <= 5 else 30,
                      ha="center" if len(groups) <= 5 else "right")
        _headroom(ax, top)
        _integer_axis(ax)
        if top == 0:
            _all_zero_note(ax)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("本年处理决定数量（件）/ Decisions")
        ax.legend(loc="upper left", ncols=3, fontsize=9)

    return _chart(zh, en, len(report_ids), missing, source, draw)


def appeals(tables: "pd.DataFrame", *, source: str | None = None) -> "Figure":
    """Stacked bars: t4 reconsideration and litigation cases, summed over reports,
    stacked by result (维持 / 纠正 / 其他 / 尚未审结)."""
    from . import schema

    zh, en = "政府信息公开行政复议、行政诉讼结果", "Administrative reconsideration and litigation: results"
    parts = [c for c in schema.T4_COLUMNS if c.key != "total"]
    cells = None if _empty(tables) else _cells(tables, "t4", [r.key for r in schema.T4_ROWS],
                                               [c.key for c in parts])
    if _empty(cells):
        return _chart(zh, en, 0, 0, source, None)
    sums, missing = _sums(cells, ["row", "column"])
    rows = schema.T4_ROWS
    totals = [sum(float(sums.get((r.key, c.key), 0.0)) for c in parts) for r in rows]

    def draw(fig):
        ax = fig.add_subplot()
        x = list(range(len(rows)))
        bottom = [0.0] * len(rows)
        for i, c in enumerate(parts):
            vals = [float(sums.get((r.key, c.key), 0.0)) for r in rows]
            ax.bar(x, vals, bottom=bottom, width=0.55, color=PALETTE[i],
                   label=f"{c.zh} / {c.en}")
            bottom = [b + v for b, v in zip(bottom, vals)]
        for xi, t in zip(x, totals):
            ax.text(xi, t, _int(t), ha="center", va="bottom", fontsize=10, color=TEXT_COLOUR)
        ax.set_xticks(x, [f"{r.zh}\n{r.en}" for r in rows], fontsize=9)
        _headroom(ax, max(totals))
        _integer_axis(ax)
        if max(totals) == 0:
            _all_zero_note(ax)
        ax.set_xlabel("案件类型 / Case type")
        ax.set_ylabel("案件数（件）/ Cases")
        ax.legend(loc="upper right", fontsize=9)

    return _chart(zh, en, _n_reports(cells), missing, source, draw)


#: Audit check families shown by :func:`audit_summary`: (id prefix, zh, en).
AUDIT_FAMILIES: tuple[tuple[str, str, str], ...] = (
    ("section_present", "报告部分存在", "Section present"),
    ("table_present", "表格存在", "Table present"),
    ("table_complete", "表格数据完整", "Table complete"),
    ("t3.balance", "表三收支平衡", "T3 balance"),
    ("t3.row_sum", "表三行合计", "T3 row sums"),
    ("t3.outcomes", "表三办理结果合计", "T3 outcome totals"),
    ("t4.row_sum", "表四行合计", "T4 row sums"),
    ("text_vs_table", "正文与表格一致", "Text vs table"),
    ("narrative", "问题与改进可拆分", "Section 5 split"),
)


def _family(check: str) -> str:
    parts = check.split(".")
    return ".".join(parts[:2]) if parts[0] in ("t3", "t4") else parts[0]


def audit_summary(audit: "pd.DataFrame", *, source: str | None = None) -> "Figure":
    """Stacked horizontal bars: per check family, findings passed / failed / not checkable.

    *audit* is ``toolkit.audit()``; ``passed`` <NA> counts as not checkable
    (a missing table or cell), so nothing is left out.
    """
    zh, en = "年度报告核查结果：按核查类别", "Audit of the reports: checks by family"
    if _empty(audit):
        return _chart(zh, en, 0, 0, source, None)
    _require(audit, ("report_id", "check", "passed"), "audit() frame expected")
    import numpy as np
    import pandas as pd

    # Counted on small integer codes: an audit of 100,000 reports has millions of findings.
    names = [f for f, _z, _e in AUDIT_FAMILIES]
    check_codes, checks = pd.factorize(audit["check"])
    fam_of = np.array([names.index(f) if (f := _family(str(c))) in names else -1 for c in checks] + [-1],
                      dtype=np.int16)
    fam = fam_of[check_codes]
    keep = fam >= 0
    if not keep.any():
        return _chart(zh, en, 0, 0, source, None)
    passed = audit["passed"].astype("boolean")
    status = np.where(passed.isna().to_numpy(), 2,
                      np.where(passed.fillna(False).to_numpy(dtype=bool), 0, 1)).astype(np.int16)
    tally = np.bincount(fam[keep].astype(np.int32) * 3 + status[keep], minlength=3 * len(names))
    counts = {(names[i // 3], ("passed", "failed", "na")[i % 3]): int(k) for i, k in enumerate(tally)}
    families = [f for i, f in enumerate(AUDIT_FAMILIES) if tally[3 * i:3 * i + 3].sum()]
    sub = audit.loc[keep, ["report_id"]]
    kinds = (("passed", "通过", "Passed", PASS_COLOUR), ("failed", "未通过", "Failed", FAIL_COLOUR),
             ("na", "无法核查", "Not checkable", NA_COLOUR))

    def draw(fig):
        ax = fig.add_subplot()
        y = list(range(len(families)))
        left = [0.0] * len(families)
        for key, kzh, ken, colour in kinds:
            vals = [float(counts.get((f, key), 0)) for f, _z, _e in families]
            bars = ax.barh(y, vals, left=left, height=0.6, color=colour,
                           label=f"{kzh} / {ken}")
            ax.bar_label(bars, labels=[_int(v) if v else "" for v in vals],
                         label_type="center", fontsize=8.5,
                         color="white" if key != "na" else TEXT_COLOUR)
            left = [a + v for a, v in zip(left, vals)]
        ax.set_yticks(y, [f"{z}\n{e}" for _f, z, e in families], fontsize=9)
        ax.invert_yaxis()
        _headroom(ax, max(left) / 1.1, horizontal=True)
        _integer_axis(ax, horizontal=True)
        ax.set_xlabel("核查项数 / Checks")
        ax.set_ylabel("核查类别 / Check family")
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3, fontsize=9)

    return _chart(zh, en, _n_reports(sub), 0, source, draw)


def topic_terms(top_terms: "pd.DataFrame", n_reports: int, *, source: str | None = None) -> "Figure":
    """Small multiples: the top terms of each topic with their weights.

    *top_terms* is ``TopicModel.top_terms()`` (topic, label, rank, term,
    weight); *n_reports* is how many reports the texts came from (for the
    source line).
    """
    zh, en = "问题与改进：主题及其关键词", "Problems and improvements: topics and their top terms"
    if _empty(top_terms):
        return _chart(zh, en, 0, 0, source, None)
    _require(top_terms, ("topic", "label", "rank", "term", "weight"), "TopicModel.top_terms() frame expected")
    topics = sorted(int(t) for t in top_terms["topic"].dropna().unique())

    def draw(fig):
        axes = fig.subplots(1, len(topics), sharex=False, squeeze=False)[0]
        for ax, topic, colour in zip(axes, topics, PALETTE * (len(topics) // len(PALETTE) + 1)):
            sub = top_terms[top_terms["topic"] == topic].sort_values("rank")
            ax.barh(range(len(sub)), sub["weight"].astype(float).to_numpy(), color=colour, height=0.6)
            ax.set_yticks(range(len(sub)), sub["term"].astype(str).tolist(), fontsize=9)
            ax.invert_yaxis()
            ax.set_title(f"主题 {topic}：{sub['label'].iloc[0]}", fontsize=10, loc="left")
            ax.set_xlabel("权重 / Weight", fontsize=9)
            ax.grid(False)
            ax.grid(True, axis="x")

    return _chart(zh, en, n_reports, 0, source, draw)


def category_shares(shares: "pd.DataFrame", by: str, *, n_reports: int | None = None,
                    source: str | None = None) -> "Figure":
    """Dot plot of how often each codebook category is named, by group, with intervals.

    *shares* is ``toolkit.category_shares(items, by)`` (``by``, category, zh, k,
    n, share, ci_low, ci_high): one row of dots per category, one colour per
    group of *by*, each dot the share with its interval as a line; the legend
    gives each group's denominator n.  Groups with n = 0 are left out.
    *n_reports* is the number of reports behind the chart (source line);
    default: the sum of the groups' n when the unit is reports.
    """
    part = shares.attrs.get("part", "problem")
    zh, en = {"problem": ("问题类别：提及各类问题的比例", "Problem categories"),
              "improvement": ("改进类别：提及各类改进的比例", "Improvement categories")}.get(
        part, ("问题与改进类别：提及各类的比例", "Problem and improvement categories"))
    level = shares.attrs.get("confidence", 0.95)
    en = f"{en}: share naming each, with its {level:.0%} Wilson interval"
    if _empty(shares):
        return _chart(zh, en, 0, 0, source, None)
    _require(shares, (by, "category", "zh", "k", "n", "share", "ci_low", "ci_high"),
             "toolkit.category_shares() frame expected")
    data = shares[shares["n"].fillna(0) > 0]
    groups = list(dict.fromkeys(data[by].tolist()))
    cats = list(dict.fromkeys(data["category"].astype(str).tolist()))
    names = dict(zip(data["category"].astype(str), data["zh"].astype(str)))
    unit = shares.attrs.get("unit", "report")
    if n_reports is None:
        n_reports = int(data.drop_duplicates(by)["n"].sum()) if unit == "report" else 0
    if not groups:
        return _chart(zh, en, n_reports, 0, source, None)

    def draw(fig):
        ax = fig.add_subplot()
        step = 0.7 / max(len(groups), 1)
        for g, (group, colour) in enumerate(zip(groups, PALETTE * (len(groups) // len(PALETTE) + 1))):
            sub = data[data[by] == group].set_index(data.loc[data[by] == group, "category"].astype(str))
            ys = [c + (g - (len(groups) - 1) / 2) * step for c in range(len(cats))]
            x = sub.reindex(cats)["share"].astype(float).to_numpy() * 100
            lo = sub.reindex(cats)["ci_low"].astype(float).to_numpy() * 100
            hi = sub.reindex(cats)["ci_high"].astype(float).to_numpy() * 100
            n = int(sub["n"].iloc[0])
            ax.hlines(ys, lo, hi, color=colour, linewidth=1.6, alpha=0.8)
            ax.plot(x, ys, "o", color=colour, markersize=5, label=f"{group}（n = {n}）")
        ax.set_yticks(range(len(cats)), [names[c] for c in cats])
        ax.invert_yaxis()
        ax.set_xlim(-2, 102)  # dots at 0% and 100% stay whole
        ax.set_xlabel("提及该类的报告比例 % / Share of reports naming the category, %" if unit == "report"
                      else "条目比例 % / Share of items, %")
        ax.grid(False)
        ax.grid(True, axis="x")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))

    return _chart(zh, en, n_reports, 0, source, draw)


#: Chart name -> chart function.
CHARTS: dict[str, Callable[..., "Figure"]] = {
    "applications_by_applicant": applications_by_applicant,
    "outcomes": outcomes,
    "proactive_disclosure": proactive_disclosure,
    "appeals": appeals,
    "audit_summary": audit_summary,
}


def render(name: str, corpus: str | os.PathLike | None = None, **kwargs) -> "Figure":
    """Load what chart *name* needs from *corpus* (None: the shipped corpus) and draw it.

    Extra keyword arguments (e.g. ``source=``) go to the chart function.
    Raises ``KeyError`` listing the chart names for an unknown *name*.
    """
    if name not in CHARTS:
        raise KeyError(f"unknown chart {name!r}; charts: {', '.join(CHARTS)}")
    from .data import audit, load_reports, load_tables

    if name == "audit_summary":
        return audit_summary(audit(corpus), **kwargs)
    if name == "proactive_disclosure":
        return proactive_disclosure(load_tables(corpus), load_reports(corpus), **kwargs)
    return CHARTS[name](load_tables(corpus), **kwargs)


def save(fig: "Figure", path_stem: str | os.PathLike,
         formats: Sequence[str] = ("png", "svg"), dpi: int = 300) -> list[Path]:
    """Save *fig* as ``<path_stem>.<format>`` for each format; returns the paths.

    PNG is written at *dpi* (300 by default); SVG with text as paths
    (``svg.fonttype = 'path'``) so it displays without the font installed.
    Parent folders are created.  A *path_stem* ending in one of the formats'
    suffixes (``chart.png``) has it dropped.
    """
    import matplotlib

    stem = Path(path_stem)
    if stem.suffix.lstrip(".").lower() in {f.lower().lstrip(".") for f in formats}:
        stem = stem.with_suffix("")
    stem.parent.mkdir(parents=True, exist_ok=True)
    out = []
    with matplotlib.rc_context({"svg.fonttype": "path", "savefig.facecolor": "white"}):
        for fmt in formats:
            fmt = fmt.lower().lstrip(".")
            path = stem.parent / f"{stem.name}.{fmt}"
            fig.savefig(path, format=fmt, dpi=dpi, facecolor="white")
            out.append(path)
    return out


def write_charts(out: Path) -> list[str]:
    """Every registered chart into ``out/charts/``, drawn from the Parquet files a build just wrote
    to *out* (only the cells the charts need); returns the paths written, relative to *out*."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from .data.tabular import arrow_types

    # Read a batch at a time, keep only the cells the charts draw, dictionary-encoded (categoricals
    # in pandas): a few bytes per kept cell, never the whole table in memory.

    source = pq.ParquetFile(out / "tables.parquet", read_dictionary=["report_id", "table", "row", "column"])
    kept = []
    for batch in source.iter_batches(batch_size=1 << 16, columns=["report_id", "table", "row", "column", "value"]):
        table, row, column = (pc.cast(batch.column(name), pa.string()) for name in ("table", "row", "column"))
        t3, t2, t4 = (pc.equal(table, t) for t in ("t3", "t2", "t4"))
        wanted = pc.or_(pc.or_(pc.and_(t3, pc.equal(row, "new_received")), pc.and_(t3, pc.equal(column, "total"))),
                        pc.or_(pc.and_(t2, pc.equal(column, "decisions")), t4))
        kept.append(pa.Table.from_batches([batch.filter(wanted)]))
    tables = pa.concat_tables(kept).unify_dictionaries().to_pandas(types_mapper=arrow_types) if kept else \
        pq.read_table(out / "tables.parquet").to_pandas(types_mapper=arrow_types)
    reports = pq.read_table(out / "reports.parquet", columns=["report_id", "agency", "year"]).to_pandas()
    audit = pq.read_table(out / "audit.parquet", columns=["report_id", "check", "passed"],
                          read_dictionary=["report_id", "check"]).to_pandas(types_mapper=arrow_types)
    pa.default_memory_pool().release_unused()  # the batches' buffers, back to the system
    written = []
    for name in CHARTS:
        if name == "audit_summary":
            fig = audit_summary(audit)
        elif name == "proactive_disclosure":
            fig = proactive_disclosure(tables, reports)
        else:
            fig = CHARTS[name](tables)
        for path in save(fig, out / "charts" / name):
            written.append(path.relative_to(out).as_posix())
    return written
