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
legend (legends sit above the plot; labels that still do not fit are turned,
then made smaller, then left out with a note).  Every sum goes through
:func:`toolkit.analysis.aggregate`.  Empty data gives a figure that says
无数据 / No data instead of an exception.

=============================== ================================================ ================== ==========
name (``CHARTS`` key)           what it shows                                    input              ``by``
=============================== ================================================ ================== ==========
``applications_and_refusals``   new applications per organ (or year) and how     ``indicators()``   organ,year
                                many were refused (不予公开) or not answered
                                (无法提供/不予处理)
``rates``                       disclosure and denial rates with Wilson 95%      ``indicators()``   organ,year
                                intervals, pooled per organ (or year)
``applications_by_applicant``   t3 new applications by applicant type            ``load_tables()``  –
``outcomes``                    t3 outcomes (total column), grouped              ``load_tables()``  –
``proactive_disclosure``        t2 licensing/penalty/coercion decisions per      ``load_tables()``, organ,year
                                organ (or year)                                  ``load_reports()``
``appeals``                     t4 reconsideration/litigation results            ``load_tables()``  –
``audit_summary``               audit checks passed/failed/not checkable         ``audit()``        –
=============================== ================================================ ================== ==========

Organ charts and year charts are separate (``by="organ"`` or ``by="year"``):
an organ chart sums each organ's reports over the years (the tick label says
how many reports and which years), a year chart sums each year's reports over
organs.  Organ charts show the :data:`MAX_ORGANS` largest organs.

``render(name, corpus=None, by=None)`` loads what a chart needs and draws it;
``save(fig, "out/chart")`` writes ``out/chart.png`` (300 dpi) and
``out/chart.svg`` (text as ``<text>``, editable, naming CJK font fallbacks).

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

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .analysis.aggregate import is_missing as _is_na
from .analysis.selection import AmbiguousOrgan, OrganNotFound, resolve_organ, select_reports

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "STYLE",
    "PALETTE",
    "CHARTS",
    "BY_CHARTS",
    "MAX_ORGANS",
    "font_path",
    "font_family",
    "style",
    "apply_font",
    "applications_and_refusals",
    "rates",
    "applications_by_applicant",
    "outcomes",
    "proactive_disclosure",
    "appeals",
    "audit_summary",
    "topic_terms",
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
    "svg.fonttype": "none",
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


# ------------------------------------------------------------------ figure scaffolding

#: Inches above the plot for the title block and below it for the source line.
TOP_BLOCK_IN, BOTTOM_BLOCK_IN = 0.99, 0.33
VALUE_GID, NA_GID = "xxgk-value", "xxgk-na"
NA_LABEL = "n/a"
LABELS_DROPPED_NOTE = "部分数值标签因空间不足省略"
LOWER_BOUND_NOTE = "标 ≥ 者有报告缺失，为下限"
STATED_NOTE = "标 * 者含报告正文所述数字（表格缺失）"


def _new_figure(height: float | None = None) -> "Figure":
    """A figure not registered with pyplot (no global state), drawable with Agg."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    width, default_height = STYLE["figure.figsize"]
    height = max(default_height, height or default_height)
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    # Leave room for the title block (top) and the source line (bottom), fixed in inches.
    bottom, top = BOTTOM_BLOCK_IN / height, (height - TOP_BLOCK_IN) / height
    fig.get_layout_engine().set(rect=(0.0, bottom, 1.0, top - bottom), h_pad=0.08, w_pad=0.08)
    return fig


def apply_font(fig: "Figure") -> "Figure":
    """Give every text object of *fig* the Chinese font family explicitly, so drawing it outside
    the style context (e.g. in a notebook or at ``save`` time) still finds the glyphs."""
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
    height = fig.get_figheight()
    fig.text(0.015, 1 - 0.1375 / height, zh, ha="left", va="top", fontsize=TITLE_SIZE, color=TEXT_COLOUR,
             gid="xxgk-title")
    fig.text(0.015, 1 - 0.4675 / height, en, ha="left", va="top", fontsize=SUBTITLE_SIZE, color=MUTED_COLOUR,
             gid="xxgk-subtitle")
    fig.text(0.015, 0.0825 / height, source, ha="left", va="bottom", fontsize=SOURCE_SIZE,
             color=MUTED_COLOUR, gid="xxgk-source")


def _source(n: int, missing: int, source: str | None, unit: str = "个") -> str:
    text = SOURCE_TEMPLATE.format(n=n) if source is None else source
    if missing:
        text += f"{MISSING_NOTE}（{missing} {unit}）"
    return text


def _no_data(fig: "Figure") -> "Figure":
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.5, NO_DATA, ha="center", va="center", fontsize=16,
            color=MUTED_COLOUR, transform=ax.transAxes)
    return fig


def _chart(zh: str, en: str, n: "int | Sequence[str]", missing: int, source: str | None,
           draw: Callable[["Figure"], None] | None, height: float | None = None,
           missing_unit: str = "个") -> "Figure":
    """Build a figure inside the style context; *draw* None means no data.  *missing* counts
    values (``个``) or, for charts of indicators, reports (``份报告``).  *n* is the number of
    reports drawn on, or their ids (kept as ``fig.xxgk_reports`` for :func:`cite`)."""
    import matplotlib

    ids = None
    if not isinstance(n, int):
        ids, n = list(n), len(n)
    with matplotlib.rc_context(style()):
        fig = _new_figure(height)
        fig.xxgk_reports = ids
        _header(fig, zh, en, _source(n, missing, source, missing_unit))
        if draw is None:
            _no_data(fig)
        else:
            draw(fig)
        apply_font(fig)
        if draw is not None:
            notes = _declutter(fig)
            if any(getattr(ax, "xxgk_stated", False) for ax in fig.axes):
                notes.insert(0, STATED_NOTE)
            if any(getattr(ax, "xxgk_lower_bound", False) for ax in fig.axes):
                notes.insert(0, LOWER_BOUND_NOTE)
            if notes and source is None:
                line = next(t for t in fig.texts if t.get_gid() == "xxgk-source")
                line.set_text(line.get_text() + "；" + "；".join(notes))
        return fig


def _wrap(text: str, width: int = 14) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text


def _integer_axis(ax: "Axes", horizontal: bool = False) -> None:
    """Counts: integer ticks only."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    axis = ax.xaxis if horizontal else ax.yaxis
    axis.set_major_locator(MaxNLocator(integer=True))
    axis.set_major_formatter(FuncFormatter(_count_tick))  # no 1e6 offset


def _count_tick(v: float, _pos) -> str:
    # A module-level function, not a lambda: a figure handed to another process is pickled.
    return f"{v:,.0f}"


def _int(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"


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


def _legend_above(ax: "Axes", ncols: int = 3) -> None:
    """The legend above the plot area, where no value label can be."""
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.01), ncols=ncols, fontsize=9, borderaxespad=0.0)


def _value_label(ax: "Axes", x: float, y: float, text: str, horizontal: bool, *,
                 colour: str = TEXT_COLOUR, gid: str = VALUE_GID):
    """A value label just past the end of a bar at (x, y) (data coordinates)."""
    if horizontal:
        return ax.annotate(text, (y, x), xytext=(3, 0), textcoords="offset points", ha="left", va="center",
                           fontsize=9, color=colour, gid=gid, annotation_clip=False)
    return ax.annotate(text, (x, y), xytext=(0, 3), textcoords="offset points", ha="center", va="bottom",
                       fontsize=9, color=colour, gid=gid, annotation_clip=False)


def _bars(ax: "Axes", positions: Sequence[float], values: Sequence[float | None],
          complete: Sequence[bool] | None = None, *, horizontal: bool = False, width: float = 0.65,
          colour: str = PALETTE[0], label: str | None = None, labels: Sequence[str] | None = None,
          mark_missing: Sequence[bool] | None = None, stated: Sequence[bool] | None = None):
    """Bars with value labels; a value of None is missing: no bar, an ``n/a`` mark instead
    (unless *mark_missing* is false there: the caller marks the whole group once).

    A value that leaves missing inputs out (*complete* false) is labelled ``≥N``; one that rests
    on a number stated in a report's text rather than its table (*stated*) is marked ``*``.
    """
    complete = list(complete) if complete is not None else [True] * len(values)
    drawn = [(p, v) for p, v in zip(positions, values) if v is not None]
    bar = ax.barh if horizontal else ax.bar
    size = {"height": width} if horizontal else {"width": width}
    container = bar([p for p, _v in drawn], [v for _p, v in drawn], color=colour, label=label, **size)
    for i, (p, v) in enumerate(zip(positions, values)):
        if v is None:
            if mark_missing is None or mark_missing[i]:
                _value_label(ax, p, 0.0, NA_LABEL, horizontal, colour=MUTED_COLOUR, gid=NA_GID)
            continue
        text = labels[i] if labels is not None else _int(v)
        if not complete[i]:
            text = f"≥{text}"
            ax.xxgk_lower_bound = True
        if stated is not None and stated[i]:
            text += "*"
            ax.xxgk_stated = True
        _value_label(ax, p, v, text, horizontal)
    return container


def _overlaps(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def _colliding(boxes: list) -> set[int]:
    """Indices of boxes that overlap another (sweep over x, fine for thousands of labels)."""
    order = sorted(range(len(boxes)), key=lambda i: boxes[i].x0)
    hits: set[int] = set()
    active: list[int] = []
    for i in order:
        active = [j for j in active if boxes[j].x1 > boxes[i].x0]
        for j in active:
            if _overlaps(boxes[i], boxes[j]):
                hits.update((i, j))
        active.append(i)
    return hits


def _declutter(fig: "Figure") -> list[str]:
    """Make sure no two value labels overlap and none sits under a legend or outside its axes.

    Steps, each tried only if the previous one leaves a collision: widen the
    value axis (labels past the plot area), turn labels of vertical bars,
    make them smaller, then leave the colliding ones out (with a note).
    """
    from matplotlib.transforms import Bbox

    notes: list[str] = []
    for ax in fig.axes:
        labels = [t for t in ax.texts if t.get_gid() in (VALUE_GID, NA_GID)]
        if not labels:
            continue
        horizontal = labels[0].get_ha() == "left"
        for attempt in range(6):
            fig.draw_without_rendering()  # layout and text extents, no pixels
            renderer = fig.canvas.get_renderer()
            shown = [t for t in labels if t.get_visible()]
            boxes = [t.get_window_extent(renderer).expanded(1.02, 1.05) for t in shown]
            area = ax.get_window_extent(renderer)
            legend = ax.get_legend()
            legend_box = legend.get_window_extent(renderer) if legend is not None else None
            outside = any((b.x1 > area.x1 + 1) if horizontal else (b.y1 > area.y1 + 1) for b in boxes)
            under_legend = legend_box is not None and any(_overlaps(b, legend_box) for b in boxes)
            hits = _colliding(boxes)
            if not (outside or under_legend or hits):
                break
            if (outside or under_legend) and attempt < 3:
                lo, hi = ax.get_xlim() if horizontal else ax.get_ylim()
                (ax.set_xlim if horizontal else ax.set_ylim)(lo, lo + (hi - lo) * 1.15)
                continue
            if hits and not horizontal and attempt < 4 and shown[0].get_rotation() == 0:
                for t in shown:
                    t.set_rotation(90)
                    t.set_va("bottom")
                continue
            if hits and attempt < 5 and shown[0].get_fontsize() > 7:
                for t in shown:
                    t.set_fontsize(7)
                continue
            # Last resort: keep the first label of each colliding run, leave the others out.
            kept: list = [legend_box] if legend_box is not None else []
            kept.append(Bbox.from_extents(area.x1 + 1, -1e9, 1e9, 1e9) if horizontal
                        else Bbox.from_extents(-1e9, area.y1 + 1, 1e9, 1e9))
            dropped = False
            for t, b in sorted(zip(shown, boxes), key=lambda tb: (tb[1].x0, tb[1].y0)):
                if any(_overlaps(b, k) for k in kept):
                    t.set_visible(False)
                    dropped = True
                else:
                    kept.append(b)
            if dropped and LABELS_DROPPED_NOTE not in notes:
                notes.append(LABELS_DROPPED_NOTE)
            break
    return notes


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


def _sums(cells, by: str | list[str]) -> dict:
    """{group key: (sum of the values present or None, complete)} through the missing-aware aggregate."""
    from .analysis import aggregate

    keys = [by] if isinstance(by, str) else list(by)
    frame = cells[["report_id", "value"]].copy()
    for k in keys:
        frame[k] = cells[k].astype(object).to_numpy()
    out = aggregate(frame, "value", keys, "sum")
    result = {}
    for row in out.itertuples(index=False):
        key = tuple(getattr(row, k) for k in keys)
        key = key[0] if len(keys) == 1 else key
        result[key] = (None if _is_na(row.value) else float(row.value), bool(row.complete))
    return result


def _missing_cells(cells) -> int:
    return int(cells["value"].isna().sum())


def _n_contributing(frame, value: str = "value") -> int:
    """Reports with at least one value present: the reports that contribute to what is drawn."""
    return len(_contributing(frame, value))


def _contributing(frame, value: str = "value") -> list[str]:
    """The ids of the reports with at least one value present, sorted (the figure cites them)."""
    return sorted(set(frame.loc[frame[value].notna(), "report_id"].dropna().astype(str)))


def _map_values(series, fn) -> "pd.Series":
    """*fn* of each value, computed once per distinct value (a corpus has few distinct keys)."""
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(series)
    mapped = np.array([fn(u) for u in uniques] + [None], dtype=object)
    # code -1 (missing) takes the None; dtype=object keeps pandas from re-inferring strings
    return pd.Series(mapped[codes], index=series.index, dtype=object)


def _years_text(years: Sequence[int]) -> str:
    ys = sorted(set(int(y) for y in years))
    if not ys:
        return "年份不详"
    return f"{ys[0]}" if len(ys) == 1 else f"{ys[0]}–{ys[-1]}"


def _count_label(members: Sequence[str], counted: set[str] | None) -> str:
    """``N 份报告``, or ``计入 k 份（共 N 份报告）`` when only *counted* of the members contribute."""
    if counted is None:
        return f"{len(members):,} 份报告"
    k = sum(1 for r in members if r in counted)
    return f"{len(members):,} 份报告" if k == len(members) else f"计入 {k:,} 份（共 {len(members):,} 份报告）"


def _report_groups(report_ids: Sequence[str], reports, by: str,
                   counted: set[str] | None = None) -> tuple[dict[str, Any], dict[Any, str], str]:
    """(report_id -> group, group -> tick label, axis label) for an organ or year chart.

    Organs are ``organ_id`` (else the agency, else the report id when *reports*
    is missing); an organ's tick label is its latest name with the number of
    reports and the years they cover.  With *counted* (the reports that
    contribute to what is drawn) the label counts those and, when some of the
    group's reports contribute nothing, says of how many (``计入 3 份（共 9 份报告）``);
    an organ's years are then those of the contributing reports.
    """
    meta: dict[str, dict] = {r: {} for r in report_ids}
    if not _empty(reports) and "report_id" in reports.columns:
        cols = [c for c in ("organ_id", "agency", "year", "province", "admin_level", "sector")
                if c in reports.columns]
        sub = reports.loc[reports["report_id"].isin(list(report_ids)), ["report_id", *cols]]
        for rec in sub.astype(object).to_dict("records"):
            meta[str(rec["report_id"])] = {k: (None if _is_na(v) else v) for k, v in rec.items()}
    group_of: dict[str, Any] = {}
    if by == "year":
        for r in report_ids:
            y = meta[r].get("year")
            group_of[r] = int(y) if y is not None else -1
        members: dict[Any, list[str]] = {}
        for r, g in group_of.items():
            members.setdefault(g, []).append(r)
        labels = {g: (f"{g}年" if g != -1 else "年份不详") + "\n" + _count_label(m, counted)
                  for g, m in members.items()}
        return group_of, labels, "报告年度 / Year"
    if by in GROUP_AXES and by != "organ":
        unknown = GROUP_UNKNOWN[by]
        for r in report_ids:
            value = meta[r].get(by)
            group_of[r] = str(value) if value is not None else unknown
        members = {}
        for r, g in group_of.items():
            members.setdefault(g, []).append(r)
        labels = {}
        for g, rs in members.items():
            shown = [r for r in rs if counted is None or r in counted] or rs
            years = [y for y in (meta[r].get("year") for r in shown) if y]
            name = ADMIN_LEVEL_ZH.get(g, g) if by == "admin_level" else g
            labels[g] = f"{name}\n{_years_text(years)}，{_count_label(rs, counted)}" if years \
                else f"{name}\n{_count_label(rs, counted)}"
        return group_of, labels, GROUP_AXES[by]
    for r in report_ids:
        group_of[r] = meta[r].get("organ_id") or meta[r].get("agency") or r
    members = {}
    for r, g in group_of.items():
        members.setdefault(g, []).append(r)
    labels = {}
    for g, rs in members.items():
        named = sorted(((meta[r].get("year") or 0, meta[r].get("agency") or r) for r in rs))
        shown = [r for r in rs if counted is None or r in counted] or rs
        years = [y for y in (meta[r].get("year") for r in shown) if y]
        labels[g] = f"{named[-1][1]}\n{_years_text(years)}，{_count_label(rs, counted)}" if years \
            else str(named[-1][1])
    return group_of, labels, "报告机关 / Organ"


#: Organ charts show this many organs at most (the largest first).
MAX_ORGANS = 25

#: What a chart drawn ``by=`` groups reports by: the axis label of each grouping.
GROUP_AXES: dict[str, str] = {"organ": "报告机关 / Organ", "year": "报告年度 / Year",
                              "province": "省份 / Province", "admin_level": "行政层级 / Administrative level",
                              "sector": "领域 / Sector"}
#: The group of reports whose province, level or sector is not recorded.
GROUP_UNKNOWN = {"province": "省份不详", "admin_level": "层级不详", "sector": "领域不详"}
#: Title suffixes (Chinese, English) of each grouping.
GROUP_TITLES = {"organ": ("按机关", "by organ"), "year": ("按年度", "by year"), "province": ("按省份", "by province"),
                "admin_level": ("按行政层级", "by administrative level"), "sector": ("按领域", "by sector")}
ADMIN_LEVEL_ZH = {"province": "省级", "city": "市级", "county": "县级"}


def _check_by(by: str) -> None:
    if by not in GROUP_AXES:
        raise ValueError(f"by must be one of {', '.join(GROUP_AXES)}, not {by!r}")


def _bar_height(n_bars: int) -> float:
    """Figure height (inches) giving each horizontal bar room for its label."""
    return TOP_BLOCK_IN + BOTTOM_BLOCK_IN + 1.2 + 0.26 * n_bars


def _grouped_hbars(ax: "Axes", groups: Sequence, labels: dict, series: Sequence[tuple[str, str, str]],
                   sums: dict, stated: set | None = None) -> float:
    """Grouped horizontal bars, one group per row; a row with no value at all is one ``n/a``.

    *series* is (key, legend label, colour); *sums* maps (group, key) to (value or None, complete);
    *stated* holds the (group, key) whose value rests on a number stated in the text.
    Returns the largest value drawn.
    """
    k = len(series)
    empty = [all(sums.get((g, key), (None, True))[0] is None for key, _l, _c in series) for g in groups]
    top_value = 0.0
    for i, (key, label, colour) in enumerate(series):
        vals = [sums.get((g, key), (None, True)) for g in groups]
        pos = [j + (i - (k - 1) / 2) * 0.8 / k for j in range(len(groups))]
        _bars(ax, pos, [v for v, _c in vals], [c for _v, c in vals], horizontal=True, width=0.8 / k * 0.92,
              colour=colour, label=label, mark_missing=[not e for e in empty],
              stated=[(g, key) in (stated or set()) for g in groups])
        top_value = max([top_value] + [v for v, _c in vals if v is not None])
    for j, e in enumerate(empty):
        if e:
            _value_label(ax, j, 0.0, f"{NA_LABEL}（无可读数值 / no readable value）", True, colour=MUTED_COLOUR,
                         gid=NA_GID)
    ax.set_yticks(range(len(groups)), [labels[g] for g in groups], fontsize=9 if len(groups) <= 12 else 8)
    ax.set_ylim(len(groups) - 0.5, -0.5)  # first group on top; rows without bars keep their place
    return top_value


# ------------------------------------------------------------------ charts on indicators

_APP_SERIES = (
    ("applications", "新收申请 / Applications", PALETTE[0]),
    ("denied", "不予公开 / Refused", PALETTE[3]),
    ("unanswered", "无法提供或不予处理 / Not provided", PALETTE[1]),
)


def _indicator_values(indicators, by: str):
    """Per report: group, applications, denied, unanswered (None when missing) from an indicators frame."""
    _require(indicators, ("report_id", "indicator", "value", "numerator"), "indicators() frame expected")
    import pandas as pd

    wanted = {"applications": "value", "denial_rate": "numerator", "unavailable_rate": "numerator",
              "not_processed_rate": "numerator"}
    sub = indicators[indicators["indicator"].astype("string").isin(list(wanted))]
    source = sub["source"].astype("string") if "source" in sub.columns else pd.Series(pd.NA, index=sub.index)
    per: dict[str, dict[str, float | None]] = {}
    stated: dict[str, set[str]] = {}
    for rid, ind, value, num, src in zip(sub["report_id"].astype(object), sub["indicator"].astype(object),
                                         sub["value"].astype(object), sub["numerator"].astype(object),
                                         source.astype(object)):
        # A rate's numerator is present only when all its cells were read (denominator 0 or not).
        v = value if wanted[str(ind)] == "value" else num
        per.setdefault(str(rid), {})[str(ind)] = None if _is_na(v) else float(v)
        if not _is_na(v) and src == "stated":
            stated.setdefault(str(rid), set()).add(str(ind))
    rows = []
    for rid, vals in per.items():
        un, npr = vals.get("unavailable_rate"), vals.get("not_processed_rate")
        said = stated.get(rid, set())
        rows.append({"report_id": rid, "applications": vals.get("applications"),
                     "denied": vals.get("denial_rate"),
                     "unanswered": None if un is None or npr is None else un + npr,
                     "stated": ",".join(sorted(
                         {"applications": "applications", "denial_rate": "denied", "unavailable_rate": "unanswered",
                          "not_processed_rate": "unanswered"}[n] for n in said))})
    frame = pd.DataFrame(rows, columns=["report_id", "applications", "denied", "unanswered", "stated"])
    for c in ("applications", "denied", "unanswered"):
        frame[c] = pd.array(frame[c].tolist(), dtype="Float64")
    group_of, labels, axis = _report_groups(list(frame["report_id"]), indicators.drop_duplicates("report_id"), by)
    frame["group"] = frame["report_id"].map(group_of)
    return frame, labels, axis


def applications_and_refusals(indicators: "pd.DataFrame", by: str = "organ", *, year: int | None = None,
                              top: int | None = None, source: str | None = None) -> "Figure":
    """Which organs receive the most applications, and how many are refused.

    *indicators* is :func:`toolkit.indicators` (its ``applications``, and the
    numerators of ``denial_rate``, ``unavailable_rate`` and
    ``not_processed_rate``).  Horizontal bars per organ (``by="organ"``,
    largest first, at most *top* = :data:`MAX_ORGANS`) or per year
    (``by="year"``): new applications, those refused (不予公开) and those
    not answered with the information (无法提供 or 不予处理), each summed
    over the reports that have it.  An organ with no readable count is listed
    with ``n/a`` rather than dropped; a sum that leaves a report out is
    labelled ``≥N``.  *year* keeps one report year.
    """
    _check_by(by)
    zh = {"organ": "哪些机关收到的申请最多，多少被拒绝", "year": "各年新收申请及拒绝情况"}.get(
        by, f"新收申请及拒绝情况（{GROUP_TITLES[by][0]}）")
    en = {"organ": "Which organs receive the most applications, and how many are refused",
          "year": "Applications received and refused, by year"}.get(
        by, f"Applications received and refused, {GROUP_TITLES[by][1]}")
    if year is not None:
        zh += f"（{year}年）"
    if _empty(indicators):
        return _chart(zh, en, 0, 0, source, None)
    ind = indicators
    if year is not None:
        ind = ind[ind["year"] == year]
        if _empty(ind):
            return _chart(zh, en, 0, 0, source, None)
    frame, labels, axis = _indicator_values(ind, by)
    names = [s[0] for s in _APP_SERIES]
    long = frame.melt(id_vars=["report_id", "group"], value_vars=names, var_name="series", value_name="value")
    sums = _sums(long, ["group", "series"])
    stated = {(g, key) for g, said in zip(frame["group"], frame["stated"]) for key in str(said).split(",") if key}
    groups = list(dict.fromkeys(frame["group"]))
    if by != "year":
        def order(g):
            v = sums.get((g, "applications"), (None, True))[0]
            return (v is None, -(v or 0.0), labels[g])
        groups.sort(key=order)
        groups = groups[: (top or MAX_ORGANS)]
    else:
        groups.sort(key=lambda g: (g == -1, g))
    drawn = long[long["group"].isin(groups)]
    n = _contributing(drawn)
    missing = int(drawn.loc[drawn["value"].isna(), "report_id"].nunique())
    if n == 0 and not groups:
        return _chart(zh, en, 0, 0, source, None)

    def draw(fig):
        ax = fig.add_subplot()
        top_value = _grouped_hbars(ax, groups, labels, _APP_SERIES, sums, stated)
        _headroom(ax, top_value, horizontal=True)
        _integer_axis(ax, horizontal=True)
        if top_value == 0:
            _all_zero_note(ax)
        ax.set_xlabel("件 / Applications")
        ax.set_ylabel(axis)
        _legend_above(ax, ncols=3)

    return _chart(zh, en, n, missing, source, draw, height=_bar_height(len(groups) * 1.6), missing_unit="份报告")


#: Rates drawn by :func:`rates`: (indicator, zh, en, colour).
RATE_SERIES = (
    ("disclosure_rate", "公开率", "Disclosure rate", PALETTE[0]),
    ("denial_rate", "不予公开率", "Denial rate", PALETTE[3]),
)


def rates(indicators: "pd.DataFrame", by: str = "year", *, names: Sequence[str] | None = None,
          source: str | None = None) -> "Figure":
    """Pooled rates with Wilson 95% intervals per year (or organ, the :data:`MAX_ORGANS` organs
    with the most cases): dots with whiskers.

    *indicators* is :func:`toolkit.indicators`; *names* picks rate indicators
    (default disclosure and denial rate).  Each rate is Σ numerator / Σ
    denominator over the reports that have both
    (:func:`toolkit.analysis.pooled_rate`); the label gives the rate and the
    number of cases it rests on.  A group with no usable report is ``n/a``.
    The tick label counts the reports that contribute a case (numerator and
    denominator present, denominator above 0) and, when that is fewer than the
    group's reports, of how many: ``2023年 / 计入 4 份（共 7 份报告）``.
    """
    from .analysis.aggregate import pooled_rate, without_unformed_rates

    _check_by(by)
    series = [s for s in RATE_SERIES if names is None or s[0] in names]
    if names is not None:
        known = {s[0] for s in series}
        series += [(n, n, n, PALETTE[(i + 2) % len(PALETTE)]) for i, n in enumerate(names) if n not in known]
    zh = "公开率与不予公开率（95% 置信区间）：" + GROUP_TITLES[by][0]
    en = "Disclosure and denial rates with 95% intervals, " + GROUP_TITLES[by][1]
    if _empty(indicators):
        return _chart(zh, en, 0, 0, source, None)
    _require(indicators, ("report_id", "indicator", "numerator", "denominator", "value"),
             "indicators() frame expected")
    wanted = [s[0] for s in series]
    sub = indicators[indicators["indicator"].astype("string").isin(wanted)]
    if sub.empty:
        return _chart(zh, en, 0, 0, source, None)
    sub = without_unformed_rates(sub)  # a copy; a rate that could not be formed is left out of the pool
    # Reports with 0 cases add nothing to a pooled rate: they are not counted as contributing,
    # neither in the tick labels nor in the source line.
    contributing = set(sub.loc[sub["numerator"].notna() & (sub["denominator"] > 0).fillna(False),
                               "report_id"].astype(str))
    group_of, labels, axis = _report_groups(list(dict.fromkeys(sub["report_id"].astype(str))), sub
                                            .drop_duplicates("report_id"), by, counted=contributing)
    sub["group"] = sub["report_id"].astype(str).map(group_of)
    sub["indicator"] = sub["indicator"].astype("string")
    pooled = pooled_rate(sub, "numerator", "denominator", ["group", "indicator"])
    got = {(r.group, r.indicator): r for r in pooled.itertuples(index=False)}
    cases = sub.groupby("group")["denominator"].sum(min_count=1)  # only to order organs: most cases first

    def order(g):
        if by == "year":
            return (g == -1, g, "")
        c = cases.get(g)
        return (_is_na(c), -(0.0 if _is_na(c) else float(c)), labels[g])

    groups = sorted(set(sub["group"]), key=order)
    if by != "year":
        groups = groups[:MAX_ORGANS]  # the organs with the most cases, as the other organ charts
        sub = sub[sub["group"].isin(groups)]
    n = sorted(contributing & set(sub["report_id"].astype(str)))
    k = len(series)

    def usable(g, key):
        r = got.get((g, key))
        return r is not None and not _is_na(r.value)

    def draw(fig):
        ax = fig.add_subplot()
        empty = {g for g in groups if not any(usable(g, key) for key, *_rest in series)}
        for j, g in enumerate(groups):
            if g in empty:
                _value_label(ax, j, 0.0, f"{NA_LABEL}（无可计算的比例 / no rate）", True, colour=MUTED_COLOUR,
                             gid=NA_GID)
        for i, (key, szh, sen, colour) in enumerate(series):
            labelled = False
            for j, g in enumerate(groups):
                y = j + (i - (k - 1) / 2) * 0.7 / k
                r = got.get((g, key))
                if not usable(g, key):
                    if g not in empty:
                        _value_label(ax, y, 0.0, NA_LABEL, True, colour=MUTED_COLOUR, gid=NA_GID)
                    continue
                lo = float(r.ci_low) if not _is_na(r.ci_low) else float(r.value)
                hi = float(r.ci_high) if not _is_na(r.ci_high) else float(r.value)
                ax.plot([lo, hi], [y, y], color=colour, linewidth=2, solid_capstyle="butt")
                ax.plot([float(r.value)], [y], "o", color=colour, markersize=6,
                        label=None if labelled else f"{szh} / {sen}")
                labelled = True
                ax.annotate(f"{float(r.value):.0%}（{_int(float(r.numerator))}/{_int(float(r.denominator))}）",
                            (hi, y), xytext=(4, 0), textcoords="offset points", ha="left", va="center",
                            fontsize=8.5, color=TEXT_COLOUR, gid=VALUE_GID, annotation_clip=False)
        ax.set_yticks(range(len(groups)), [labels[g] for g in groups], fontsize=9 if len(groups) <= 12 else 8)
        ax.set_ylim(len(groups) - 0.5, -0.5)
        ax.set_xlim(0, 1.3)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0", "25%", "50%", "75%", "100%"])
        ax.grid(False)
        ax.grid(True, axis="x")
        ax.set_xlabel("比例（点）及 95% 置信区间（线）/ Rate (dot), 95% interval (line)")
        ax.set_ylabel(axis)
        handles = [h for h in ax.get_legend_handles_labels()[0]]
        if handles:
            _legend_above(ax, ncols=2)

    return _chart(zh, en, n, 0, source, draw, height=_bar_height(len(groups) * 1.3))


# ------------------------------------------------------------------ charts on tables

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
    sums = _sums(cells, "column")
    got = [sums.get(c.key, (None, True)) for c in cols]
    values = [v for v, _c in got]
    top = max([v for v in values if v is not None], default=0.0)

    def draw(fig):
        ax = fig.add_subplot()
        labels = [f"{'其他组织' if c.key == 'other_org' else c.zh}\n{_wrap(c.en)}" for c in cols]
        _bars(ax, range(len(cols)), values, [c for _v, c in got], colour=PALETTE[0])
        ax.set_xticks(range(len(cols)), labels, fontsize=9)
        ax.set_xlim(-0.5, len(cols) - 0.5)
        _headroom(ax, top)
        _integer_axis(ax)
        if top == 0:
            _all_zero_note(ax)
        ax.set_xlabel("申请人类型 / Applicant type")
        ax.set_ylabel("申请数（件）/ Applications")

    return _chart(zh, en, _contributing(cells), _missing_cells(cells), source, draw)


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
    ``other.*`` (also the 2019 template's ``other.all``) as 其他处理.  Shares
    are given only when no value is missing.
    """
    zh, en = "政府信息公开申请的办理结果", "How information disclosure applications were handled"
    cells = None if _empty(tables) else _cells(tables, "t3", columns=["total"])
    if not _empty(cells):
        groups = _map_values(cells["row"], lambda r: _outcome_group(str(r)))
        keep = groups.notna().to_numpy()
        cells = cells.loc[keep].assign(group=groups.to_numpy()[keep])
    if _empty(cells):
        return _chart(zh, en, 0, 0, source, None)
    sums = _sums(cells, "group")
    got = [sums.get(i, (None, True)) for i in range(len(OUTCOME_GROUPS))]
    values = [v for v, _c in got]
    present = [v for v in values if v is not None]
    total = sum(present)
    all_complete = all(c for _v, c in got) and len(present) == len(values)

    def draw(fig):
        ax = fig.add_subplot()
        colours = [PALETTE[0], PALETTE[2], PALETTE[3], PALETTE[1], PALETTE[5], PALETTE[4]]
        for i, ((v, c), colour) in enumerate(zip(got, colours)):
            label = f"{_int(v)}（{v / total:.0%}）" if (v is not None and total and all_complete) else None
            _bars(ax, [i], [v], [c], horizontal=True, width=0.6, colour=colour,
                  labels=[label] if label else None)
        ax.set_yticks(range(len(OUTCOME_GROUPS)), [f"{z}\n{e}" for z, e, _k in OUTCOME_GROUPS])
        ax.set_ylim(len(OUTCOME_GROUPS) - 0.5, -0.5)
        _headroom(ax, max(present, default=0.0) * 1.1, horizontal=True)
        _integer_axis(ax, horizontal=True)
        if total == 0:
            _all_zero_note(ax)
        ax.set_xlabel("申请数（件）/ Applications")
        ax.set_ylabel("办理结果 / Outcome")

    return _chart(zh, en, _contributing(cells), _missing_cells(cells), source, draw)


_DISCLOSURE_ROWS = ("licensing", "penalty", "coercion")


def proactive_disclosure(tables: "pd.DataFrame", reports: "pd.DataFrame | None" = None, by: str = "organ", *,
                         top: int | None = None, source: str | None = None,
                         template: str | None = "2021") -> "Figure":
    """Grouped horizontal bars: t2 licensing / penalty / coercion decisions, per organ or per year.

    *tables* is ``load_tables()``; *reports* (``load_reports()``) says which
    organ and year each report belongs to (without it each report is its own
    organ, labelled by its id, and every report falls in 年份不详).
    ``by="organ"`` sums each organ's reports (largest first, at most *top* =
    :data:`MAX_ORGANS` organs); ``by="year"`` sums each year's reports.  The
    2019 template's 处理决定数量 and the 2021 template's 本年处理决定数量 share a
    name, but nothing shows that they count the same thing, so one template is
    drawn: *template* (default ``"2021"``; ``"2019"`` for the other) keeps the
    reports of that template (*reports*' ``template``, else their year:
    2019–2020 are the 2019 template).  ``template=None`` draws every report,
    pooling the two; without *reports* nothing says a report's template and
    every report is drawn.
    """
    from . import schema

    _check_by(by)
    if template not in ("2019", "2021", None):
        raise ValueError(f"template must be '2019', '2021' or None, not {template!r}")
    zh = f"主动公开：行政许可、处罚、强制决定数量（{GROUP_TITLES[by][0]}）"
    en = "Proactive disclosure: licensing, penalty and coercion decisions, " + GROUP_TITLES[by][1]
    if template is not None:
        zh += f"，{template}年模板"
        en += f", {template} template"
    if template is not None and not _empty(tables) and not _empty(reports) and "report_id" in reports.columns:
        if "template" in reports.columns:
            kept = reports["template"].astype("string") == template
        else:
            import pandas as pd

            year = pd.to_numeric(reports["year"], errors="coerce")
            kept = (year.between(2019, 2020) if template == "2019" else year >= 2021)
        ids = set(reports.loc[kept.fillna(False).to_numpy(dtype=bool), "report_id"].astype(str))
        tables = tables[tables["report_id"].astype(str).isin(ids).to_numpy(dtype=bool)]
    cells = None if _empty(tables) else _cells(tables, "t2", _DISCLOSURE_ROWS, ["decisions"])
    if _empty(cells):
        return _chart(zh, en, 0, 0, source, None)
    report_ids = list(dict.fromkeys(str(r) for r in cells["report_id"].dropna()))
    group_of, labels, axis = _report_groups(report_ids, reports, by)
    cells = cells.assign(group=cells["report_id"].astype(object).map(lambda r: group_of.get(str(r))).to_numpy())
    sums = _sums(cells, ["group", "row"])
    groups = list(dict.fromkeys(group_of[r] for r in report_ids))
    if by != "year":
        def total(g):
            vals = [sums.get((g, k), (None, True))[0] for k in _DISCLOSURE_ROWS]
            present = [v for v in vals if v is not None]
            return (not present, -sum(present), labels[g])
        groups.sort(key=total)
        groups = groups[: (top or MAX_ORGANS)]
    else:
        groups.sort(key=lambda g: (g == -1, g))
    drawn = cells[cells["group"].isin(groups)]
    rows = {r.key: r for r in schema.T2_ROWS}
    present = [v for (g, _k), (v, _c) in sums.items() if g in groups and v is not None]
    top_value = max(present, default=0.0)

    short = {"licensing": "Licensing", "penalty": "Penalties", "coercion": "Coercion"}
    series = [(key, f"{rows[key].zh} / {short[key]}", PALETTE[i]) for i, key in enumerate(_DISCLOSURE_ROWS)]

    def draw(fig):
        ax = fig.add_subplot()
        _grouped_hbars(ax, groups, labels, series, sums)
        _headroom(ax, top_value, horizontal=True)
        _integer_axis(ax, horizontal=True)
        if top_value == 0:
            _all_zero_note(ax)
        ax.set_ylabel(axis)
        ax.set_xlabel("本年处理决定数量（件）/ Decisions")
        _legend_above(ax, ncols=3)

    return _chart(zh, en, _contributing(drawn), _missing_cells(drawn), source, draw,
                  height=_bar_height(len(groups) * 1.6))


def appeals(tables: "pd.DataFrame", *, source: str | None = None) -> "Figure":
    """Stacked bars: t4 reconsideration and litigation cases, summed over reports,
    stacked by result (维持 / 纠正 / 其他 / 尚未审结).  A case type with no value is ``n/a``;
    a total that leaves missing cells out is labelled ``≥N``."""
    from . import schema

    zh, en = "政府信息公开行政复议、行政诉讼结果", "Administrative reconsideration and litigation: results"
    parts = [c for c in schema.T4_COLUMNS if c.key != "total"]
    cells = None if _empty(tables) else _cells(tables, "t4", [r.key for r in schema.T4_ROWS],
                                               [c.key for c in parts])
    if _empty(cells):
        return _chart(zh, en, 0, 0, source, None)
    sums = _sums(cells, ["row", "column"])
    by_row = _sums(cells, "row")
    rows = schema.T4_ROWS
    totals = [by_row.get(r.key, (None, True)) for r in rows]
    top = max([v for v, _c in totals if v is not None], default=0.0)

    def draw(fig):
        ax = fig.add_subplot()
        x = list(range(len(rows)))
        bottom = [0.0] * len(rows)
        for i, c in enumerate(parts):
            vals = [sums.get((r.key, c.key), (None, True))[0] or 0.0 for r in rows]
            keep = [j for j in x if totals[j][0] is not None]
            ax.bar([x[j] for j in keep], [vals[j] for j in keep], bottom=[bottom[j] for j in keep], width=0.55,
                   color=PALETTE[i], label=f"{c.zh} / {c.en}")
            bottom = [b + v for b, v in zip(bottom, vals)]
        for xi, (t, complete) in zip(x, totals):
            if t is None:
                _value_label(ax, xi, 0.0, NA_LABEL, False, colour=MUTED_COLOUR, gid=NA_GID)
            else:
                _value_label(ax, xi, t, _int(t) if complete else f"≥{_int(t)}", False)
        ax.set_xticks(x, [f"{r.zh}\n{r.en}" for r in rows], fontsize=9)
        ax.set_xlim(-0.5, len(rows) - 0.5)
        _headroom(ax, top)
        _integer_axis(ax)
        if top == 0:
            _all_zero_note(ax)
        ax.set_xlabel("案件类型 / Case type")
        ax.set_ylabel("案件数（件）/ Cases")
        _legend_above(ax, ncols=4)

    return _chart(zh, en, _contributing(cells), _missing_cells(cells), source, draw)


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
    (a missing table or cell), so nothing is left out.  A count too small for
    its label inside its segment has the label left out (the axis gives it).
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
            bars = ax.barh(y, vals, left=left, height=0.6, color=colour, label=f"{kzh} / {ken}")
            # Each label at its segment's centre (what bar_label(label_type="center") does, but as
            # plain text: bar_label's centred labels hold a lambda, and a figure must pickle).
            texts = [ax.text(a + v / 2, yi, _int(v) if v else "", ha="center", va="center", fontsize=8.5,
                             color="white" if key != "na" else TEXT_COLOUR)
                     for a, v, yi in zip(left, vals, y)]
            for t, bar in zip(texts, bars):
                t.set_gid("xxgk-inside")
                t.xxgk_bar = bar  # the segment the label must fit in
                t.xxgk_kind = kzh
            left = [a + v for a, v in zip(left, vals)]
        ax.set_yticks(y, [f"{z}\n{e}" for _f, z, e in families], fontsize=9)
        ax.invert_yaxis()
        _headroom(ax, max(left) / 1.1, horizontal=True)
        _integer_axis(ax, horizontal=True)
        ax.set_xlabel("核查项数 / Checks")
        ax.set_ylabel("核查类别 / Check family")
        _legend_above(ax, ncols=3)
        hidden = _fit_inside_labels(fig, ax)
        # A count too narrow for its segment is given after the bar instead.
        for j in y:
            if hidden.get(j):
                _value_label(ax, j, left[j], "，".join(hidden[j]), True)

    return _chart(zh, en, sorted(set(sub["report_id"].dropna().astype(str))), 0, source, draw)


def _fit_inside_labels(fig: "Figure", ax: "Axes") -> dict[int, list[str]]:
    """Hide a label placed inside a bar segment when the segment is narrower than the label;
    returns {bar index: ["未通过 15", …]} of the hidden ones."""
    apply_font(fig)
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    hidden: dict[int, list[str]] = {}
    for t in ax.texts:
        if t.get_gid() != "xxgk-inside" or not t.get_text():
            continue
        box = t.get_window_extent(renderer)
        seg = t.xxgk_bar.get_window_extent(renderer)
        if box.width > seg.width - 2 or box.height > seg.height:
            t.set_visible(False)
            index = round(t.xxgk_bar.get_y() + t.xxgk_bar.get_height() / 2)
            hidden.setdefault(index, []).append(f"{t.xxgk_kind} {t.get_text()}")
    return hidden


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
    "applications_and_refusals": applications_and_refusals,
    "rates": rates,
    "applications_by_applicant": applications_by_applicant,
    "outcomes": outcomes,
    "proactive_disclosure": proactive_disclosure,
    "appeals": appeals,
    "audit_summary": audit_summary,
}

#: Charts drawn per organ or per year (``by=``), with their default.
BY_CHARTS: dict[str, str] = {"applications_and_refusals": "organ", "rates": "year",
                             "proactive_disclosure": "organ"}


def _draw(name: str, frames: dict, by: str | None, **kwargs) -> "Figure":
    if by is not None:  # render() has checked that the chart is drawn by organ or year
        kwargs["by"] = by
    if name in ("applications_and_refusals", "rates"):
        return CHARTS[name](frames["indicators"], **kwargs)
    if name == "audit_summary":
        return audit_summary(frames["audit"], **kwargs)
    if name == "proactive_disclosure":
        return proactive_disclosure(frames["tables"], frames["reports"], **kwargs)
    return CHARTS[name](frames["tables"], **kwargs)


def render(name: str, corpus: str | os.PathLike | None = None, by: str | None = None, *,
           organ: str | None = None, province: str | None = None, year: int | None = None,
           title: str | None = None, **kwargs) -> "Figure":
    """Load what chart *name* needs from *corpus* (None: the shipped corpus) and draw it.

    *by* (one of :data:`GROUP_AXES`: organ, year, province, admin_level, sector) is for the
    charts in :data:`BY_CHARTS`.  *organ*, *province* and *year* draw only those reports
    (:func:`select_reports`) and the title says so (``…——河北省教育厅``); *title* replaces the
    Chinese title line.  The figure keeps the reports it draws on (``fig.xxgk_sources``,
    their title, organ, year, URL and retrieval date) for :func:`save` to cite.  Extra keyword
    arguments (e.g. ``source=``) go to the chart function.  Raises ``KeyError`` listing the
    chart names for an unknown *name*, ``ValueError`` for *by* on a chart that has none or a
    selection that matches nothing (:class:`AmbiguousOrgan` lists the candidates).
    """
    from .data import load_reports

    if name not in CHARTS:
        raise KeyError(f"unknown chart {name!r}; charts: {', '.join(CHARTS)}")
    if by is not None and name not in BY_CHARTS:
        raise ValueError(f"chart {name!r} is not drawn by a grouping; charts with by: {', '.join(BY_CHARTS)}")
    if by is not None:
        _check_by(by)
    reports = load_reports(corpus)
    selected = None
    label_zh = label_en = None
    if organ is not None or province is not None or year is not None:
        selected, label_zh, label_en = select_reports(reports, organ=organ, province=province, year=year)

    def only(frame):
        return frame if selected is None else frame[frame["report_id"].astype(str).isin(selected)]

    frames: dict[str, Any] = {}
    if name in ("applications_and_refusals", "rates"):
        from .analysis import indicators

        ind = only(indicators(corpus))
        if by in ("province", "admin_level", "sector"):
            ind = ind.merge(reports[["report_id", by]].astype({by: "string"}), on="report_id", how="left")
        frames["indicators"] = ind
    elif name == "audit_summary":
        from .data import audit

        frames["audit"] = only(audit(corpus))
    else:
        from .data import load_tables

        frames["tables"] = only(load_tables(corpus))
        frames["reports"] = only(reports) if name == "proactive_disclosure" else None
    fig = _draw(name, frames, by, **kwargs)
    _retitle(fig, label_zh, label_en, title)
    fig.xxgk_sources = sources_frame(corpus, getattr(fig, "xxgk_reports", None) or [], reports)
    return fig


def _retitle(fig: "Figure", zh: str | None, en: str | None, title: str | None) -> None:
    """Name the selection in the title (and subtitle); *title* replaces the Chinese line."""
    head = next((t for t in fig.texts if t.get_gid() == "xxgk-title"), None)
    sub = next((t for t in fig.texts if t.get_gid() == "xxgk-subtitle"), None)
    if head is None or sub is None:
        return
    if zh:
        head.set_text(f"{zh}：{head.get_text()}")
        sub.set_text(f"{en}: {sub.get_text()}")
    if title is not None:
        head.set_text(title)


#: Columns of a chart's ``.sources.csv``.
SOURCE_COLUMNS = ["report_id", "title", "organ", "year", "url", "retrieved"]
#: A source line names at most this many reports; beyond, it gives their number and the list's file.
MAX_CITED = 3


def sources_frame(corpus, report_ids: Sequence[str], reports: "pd.DataFrame | None" = None, *,
                  metadata: bool = True) -> "pd.DataFrame":
    """The reports *report_ids* as a chart cites them: title, organ, year, URL, retrieval date
    (``metadata.csv``'s ``source_url`` and ``added``; empty when not recorded, or when
    *metadata* is False)."""
    import pandas as pd

    from .corpus import corpus_dir, metadata_records
    from .data import load_reports

    if reports is None:
        reports = load_reports(corpus)
    meta = {str(m["report_id"]): m for m in metadata_records(corpus_dir(corpus))} if metadata else {}
    info = {str(r): (t, a, y) for r, t, a, y in zip(reports["report_id"], reports["title"], reports["agency"],
                                                   reports["year"])}
    rows = []
    for rid in sorted(set(report_ids)):
        title, agency, year = info.get(rid, (None, None, None))
        m = meta.get(rid, {})
        rows.append([rid, None if _is_na(title) else title, None if _is_na(agency) else agency,
                     None if _is_na(year) else int(year), m.get("source_url") or None, m.get("added") or None])
    return pd.DataFrame(rows, columns=SOURCE_COLUMNS).astype(
        {"report_id": "string", "title": "string", "organ": "string", "year": "Int64", "url": "string",
         "retrieved": "string"})


def cite(fig: "Figure", sources: "pd.DataFrame", sources_file: str) -> None:
    """Make *fig*'s source line name the reports it draws on -- by organ and year
    (``河北省教育厅2022年、2023年政府信息公开工作年度报告``) when :data:`MAX_CITED` or fewer,
    else their number -- and *sources_file*, the list beside the chart with titles and URLs."""
    line = next((t for t in fig.texts if t.get_gid() == "xxgk-source"), None)
    if line is None or sources is None or sources.empty:
        return
    head, sep, rest = line.get_text().partition("· xxgk")
    if len(sources) <= MAX_CITED:
        by_organ: dict[str, list[str]] = {}
        for rid, organ, year in zip(sources["report_id"], sources["organ"], sources["year"]):
            name = str(rid) if _is_na(organ) else str(organ)
            by_organ.setdefault(name, []).append("年份不详" if _is_na(year) else f"{int(year)}年")
        named = "；".join(f"{organ}{'、'.join(years)}" for organ, years in by_organ.items())
        cited = f"数据来源：{named}政府信息公开工作年度报告（见 {sources_file}）"
    else:
        cited = f"数据来源：各机关政府信息公开工作年度报告（{len(sources)} 份，见 {sources_file}）"
    if head.startswith("数据来源：") and sep:  # the default line: keep its notes after "· xxgk"
        line.set_text(f"{cited}{sep}{rest}")


#: The font families an SVG names for its text, in order: the font the PNG is drawn with, the
#: same design under its other names, the Chinese system fonts of macOS, Windows and Linux,
#: then any sans-serif.
SVG_FONT_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
                     "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "SimHei", "WenQuanYi Micro Hei",
                     "DejaVu Sans", "sans-serif")


def _svg_fonts(svg: bytes) -> bytes:
    """Name :data:`SVG_FONT_FAMILIES` in every ``font-family`` of *svg* (matplotlib names only the
    families the figure's text was given)."""
    import re

    families = ", ".join(f"'{f}'" if f != "sans-serif" else f for f in SVG_FONT_FAMILIES)
    return re.sub(rb"font-family: [^;\"]*", b"font-family: " + families.encode("utf-8"), svg)


def save(fig: "Figure", path_stem: str | os.PathLike,
         formats: Sequence[str] = ("png", "svg"), dpi: int = 300) -> list[Path]:
    """Save *fig* as ``<path_stem>.<format>`` for each format; returns the paths.

    PNG is written at *dpi* (300 by default).  SVG keeps its text as ``<text>`` elements
    (``svg.fonttype = 'none'``), so a graphics desk can edit a label; each names the
    Chinese font families of :data:`SVG_FONT_FAMILIES`, in order, so the file displays with
    whichever of them the reader has.  The bytes depend only on the figure: no date, no
    random ids.  Parent folders are created.  A *path_stem* ending in one of the formats'
    suffixes (``chart.png``) has it dropped.

    A figure drawn by :func:`render` knows the reports it draws on (``fig.xxgk_sources``):
    its source line then names them (:func:`cite`) and ``<path_stem>.sources.csv`` lists
    them (title, organ, year, URL, retrieval date; the build's CSV rules), returned last.
    """
    import io

    import matplotlib

    stem = Path(path_stem)
    if stem.suffix.lstrip(".").lower() in {f.lower().lstrip(".") for f in formats}:
        stem = stem.with_suffix("")
    stem.parent.mkdir(parents=True, exist_ok=True)
    sources = getattr(fig, "xxgk_sources", None)
    sources_path = stem.parent / f"{stem.name}.sources.csv"
    if sources is not None:
        cite(fig, sources, sources_path.name)
    out = []
    # Same figure, same bytes: SVG ids from a fixed salt (not random) and no date stamped in.
    with matplotlib.rc_context({"svg.fonttype": "none", "savefig.facecolor": "white", "svg.hashsalt": "xxgk"}):
        for fmt in formats:
            fmt = fmt.lower().lstrip(".")
            path = stem.parent / f"{stem.name}.{fmt}"
            if fmt == "svg":
                buffer = io.BytesIO()
                fig.savefig(buffer, format=fmt, dpi=dpi, facecolor="white", metadata={"Date": None})
                path.write_bytes(_svg_fonts(buffer.getvalue()))
            else:
                fig.savefig(path, format=fmt, dpi=dpi, facecolor="white",
                            metadata={"Date": None} if fmt == "pdf" else None)
            out.append(path)
    if sources is not None:
        from .data.tabular import csv_bytes

        sources_path.write_bytes(csv_bytes(sources))
        out.append(sources_path)
    return out


#: The indicators the charts draw (the build computes only these).
_CHART_INDICATORS = ("applications", "disclosure_rate", "denial_rate", "unavailable_rate", "not_processed_rate")


def _save_as_built(fig: "Figure", stem: str) -> list[str]:
    """:func:`save` under matplotlib's own defaults, not the session's or a matplotlibrc's
    (``savefig.bbox`` and the like would change the bytes): a build's charts are the same
    wherever they are rendered."""
    import matplotlib

    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        return [str(p) for p in save(fig, stem)]


def _save_elsewhere(data: bytes, stem: str) -> list[str]:
    """Worker side of :func:`write_charts`: save a pickled figure (the Chinese font registered
    in this process first, so its text finds the same glyphs)."""
    import pickle

    font_family()
    return _save_as_built(pickle.loads(data), stem)


def write_charts(out: Path, jobs: int | None = 1, corpus: str | os.PathLike | None = None) -> list[str]:
    """Every registered chart into ``out/charts/``, drawn from the Parquet files a build just wrote
    to *out* (only the cells the charts need); returns the paths written, relative to *out*.

    Charts drawn by organ or year are written in both variants (``NAME_by_organ``, ``NAME_by_year``).
    With *jobs* above 1 (``None``: all cores; ``xxgk build`` passes its ``--jobs``), this process
    lays the figures out while spawned worker processes render and encode them (PNG at 300 dpi
    and SVG cost most of a chart) -- a script calling it so needs the
    ``if __name__ == "__main__":`` guard that every spawned pool needs.  The files are the same
    bytes either way, and whatever the session's matplotlib settings.

    Each chart is cited (:func:`save`): its source line names the reports it draws on and
    ``NAME.sources.csv`` beside it lists them, with their URLs and retrieval dates from the
    ``metadata.csv`` of *corpus* (``xxgk build`` passes the corpus it built; None: without them).
    """
    from .data.workers import n_workers, worker_pool

    stems = _chart_stems()
    workers = min(n_workers(jobs, warn=False), len(stems))
    pool = worker_pool(workers) if workers > 1 else None
    if pool is not None:  # the workers start (import matplotlib, register the font) while the data is read
        for _ in range(workers):
            pool.submit(font_family)
    try:
        return _write_charts(out, stems, pool, corpus)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def _chart_stems() -> list[tuple[str, str | None, str]]:
    """(chart, by, file stem) of every file :func:`write_charts` writes: the charts drawn by organ
    or year in both variants (``NAME_by_organ``, ``NAME_by_year``)."""
    return [(name, by, stem) for name in CHARTS
            for by, stem in ([("organ", f"{name}_by_organ"), ("year", f"{name}_by_year")] if name in BY_CHARTS
                             else [(None, name)])]


def _write_charts(out: Path, stems: list[tuple[str, str | None, str]], pool, corpus=None) -> list[str]:
    import pickle

    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from .analysis import compute_indicators
    from .data.tabular import arrow_types

    reports = pq.read_table(out / "reports.parquet").to_pandas()
    statements = pq.read_table(out / "statements.parquet").to_pandas() \
        if (out / "statements.parquet").is_file() else None
    # A row group (the build writes one per chunk of reports) at a time: keep only the cells
    # the charts draw, dictionary-encoded, and the indicators of that chunk's reports; memory
    # follows what is drawn, not the corpus's tables.
    source = pq.ParquetFile(out / "tables.parquet", read_dictionary=["report_id", "table", "row", "column"])
    kept, indicators, covered = [], [], set()
    columns = ["report_id", "table", "row", "column", "value", "status"]
    report_ids = reports["report_id"].astype(str)
    stated_ids = None if statements is None else statements["report_id"].astype(str)
    for g in range(source.num_row_groups):
        chunk = source.read_row_group(g, columns=columns)
        table, row, column = (pc.cast(chunk[name], pa.string()) for name in ("table", "row", "column"))
        t3, t2, t4 = (pc.equal(table, t) for t in ("t3", "t2", "t4"))
        wanted = pc.or_(pc.or_(pc.and_(t3, pc.equal(row, "new_received")), pc.and_(t3, pc.equal(column, "total"))),
                        pc.or_(pc.and_(t2, pc.equal(column, "decisions")), t4))
        kept.append(chunk.filter(wanted))
        tabled = chunk.filter(pc.or_(t3, pc.or_(t2, t4)))
        # The chunk's report ids from Arrow (a Python loop over its ~200,000 cells took seconds).
        ids = set(pc.unique(pc.cast(tabled["report_id"], pa.string())).to_pylist())
        cells = tabled.to_pandas(types_mapper=arrow_types)
        del tabled
        if ids:
            mine = reports[report_ids.isin(ids)]
            said = None if statements is None else statements[stated_ids.isin(ids)]
            indicators.append(compute_indicators(mine, cells, said, names=_CHART_INDICATORS))
            covered |= ids
        del cells
    tables = pa.concat_tables(kept).unify_dictionaries().to_pandas(types_mapper=arrow_types) if kept else \
        pq.read_table(out / "tables.parquet").to_pandas(types_mapper=arrow_types)
    # Reports with no table at all (no rows in tables.parquet) still have indicators: stated ones.
    rest = reports[~report_ids.isin(covered)]
    if len(rest) or not indicators:
        indicators.append(compute_indicators(rest, tables.iloc[0:0], statements, names=_CHART_INDICATORS))

    indicator_frame = pd.concat(indicators, ignore_index=True).sort_values(
        ["report_id"], kind="stable", ignore_index=True)
    audit = pq.read_table(out / "audit.parquet", columns=["report_id", "check", "passed"],
                          read_dictionary=["report_id", "check"]).to_pandas(types_mapper=arrow_types)
    pa.default_memory_pool().release_unused()  # the batches' buffers, back to the system
    frames = {"tables": tables, "reports": reports, "audit": audit, "indicators": indicator_frame}
    saved = []
    for name, by, stem in stems:
        fig = _draw(name, frames, by)
        fig.xxgk_sources = sources_frame(corpus, fig.xxgk_reports or [], reports, metadata=corpus is not None)
        data = None
        if pool is not None:
            try:
                data = pickle.dumps(fig)
            except (AttributeError, TypeError, pickle.PicklingError):
                pass  # an artist matplotlib cannot pickle (a lambda, say): this figure is saved here
        if data is None:
            saved.append(_save_as_built(fig, str(out / "charts" / stem)))
        else:
            saved.append(pool.submit(_save_elsewhere, data, str(out / "charts" / stem)))
    paths = [p for item in saved for p in (item if isinstance(item, list) else item.result())]
    return [Path(p).relative_to(out).as_posix() for p in paths]
