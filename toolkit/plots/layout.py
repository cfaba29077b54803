"""How a chart is laid out: the figure with its title block and source line, bars and their
value labels (kept apart, never under the legend), and the shaping of frames into groups
(organs, years, provinces …) with tick labels that say how many reports each rests on."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..analysis.aggregation import is_missing as _is_na
from .theme import (BOTTOM_BLOCK_IN, MISSING_NOTE, MUTED_COLOUR, NO_DATA, PALETTE, SOURCE_SIZE, SOURCE_TEMPLATE,
                    STYLE, SUBTITLE_SIZE, TEXT_COLOUR, TITLE_SIZE, apply_font, fit_source, style)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# ------------------------------------------------------------------ figure scaffolding

#: Inches above the plot for the title block and below it for the source line.
TOP_BLOCK_IN = 0.99
VALUE_GID, NA_GID = "xxgk-value", "xxgk-na"
NA_LABEL = "n/a"
LABELS_DROPPED_NOTE = "部分数值标签因空间不足省略"
LOWER_BOUND_NOTE = "标 ≥ 者有报告缺失，为下限"
STATED_NOTE = "标 * 者含报告正文所述数字（表格缺失）"


def new_figure(height: float | None = None) -> "Figure":
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

def header(fig: "Figure", zh: str, en: str, source: str) -> None:
    height = fig.get_figheight()
    fig.text(0.015, 1 - 0.1375 / height, zh, ha="left", va="top", fontsize=TITLE_SIZE, color=TEXT_COLOUR,
             gid="xxgk-title")
    fig.text(0.015, 1 - 0.4675 / height, en, ha="left", va="top", fontsize=SUBTITLE_SIZE, color=MUTED_COLOUR,
             gid="xxgk-subtitle")
    fig.text(0.015, 0.0825 / height, source, ha="left", va="bottom", fontsize=SOURCE_SIZE,
             color=MUTED_COLOUR, gid="xxgk-source")


def source_line(n: int, missing: int, source: str | None, unit: str = "个") -> str:
    text = SOURCE_TEMPLATE.format(n=n) if source is None else source
    if missing:
        text += f"{MISSING_NOTE}（{missing} {unit}）"
    return text


def no_data(fig: "Figure") -> "Figure":
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.5, NO_DATA, ha="center", va="center", fontsize=16,
            color=MUTED_COLOUR, transform=ax.transAxes)
    return fig


def chart_figure(zh: str, en: str, n: "int | Sequence[str]", missing: int, source: str | None,
           draw: Callable[["Figure"], None] | None, height: float | None = None,
           missing_unit: str = "个", notes: Sequence[str] = ()) -> "Figure":
    """Build a figure inside the style context; *draw* None means no data.  *missing* counts
    values (``个``) or, for charts of indicators, reports (``份报告``).  *n* is the number of
    reports drawn on, or their ids (kept as ``fig.xxgk_reports`` for :func:`cite`).  *notes* are
    the chart's own clauses for the source line (what it left out, what a mark means)."""
    import matplotlib

    ids = None
    if not isinstance(n, int):
        ids, n = list(n), len(n)
    with matplotlib.rc_context(style()):
        fig = new_figure(height)
        fig.xxgk_reports = ids
        header(fig, zh, en, source_line(n, missing, source, missing_unit))
        if draw is None:
            no_data(fig)
        else:
            draw(fig)
        apply_font(fig)
        said = list(notes)
        if draw is not None:
            said = declutter(fig) + said
            if any(getattr(ax, "xxgk_stated", False) for ax in fig.axes):
                said.insert(0, STATED_NOTE)
            if any(getattr(ax, "xxgk_lower_bound", False) for ax in fig.axes):
                said.insert(0, LOWER_BOUND_NOTE)
        if said and source is None:
            line = next(t for t in fig.texts if t.get_gid() == "xxgk-source")
            line.set_text(line.get_text() + "；" + "；".join(said))
        fit_source(fig)
        return fig


def wrap_label(text: str, width: int = 14) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text


def integer_axis(ax: "Axes", horizontal: bool = False) -> None:
    """Counts: integer ticks only."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    axis = ax.xaxis if horizontal else ax.yaxis
    axis.set_major_locator(MaxNLocator(integer=True))
    axis.set_major_formatter(FuncFormatter(count_tick))  # no 1e6 offset


def count_tick(v: float, _pos) -> str:
    # A module-level function, not a lambda: a figure handed to another process is pickled.
    return f"{v:,.0f}"


def number_text(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"


def headroom(ax: "Axes", top: float, horizontal: bool = False) -> None:
    """Room for value labels; a sensible axis when everything is zero."""
    lim = top * 1.15 if top > 0 else 1.0
    (ax.set_xlim if horizontal else ax.set_ylim)(0, lim)
    grid_axis = "x" if horizontal else "y"
    ax.grid(False)
    ax.grid(True, axis=grid_axis)


def all_zero_note(ax: "Axes") -> None:
    ax.text(0.5, 0.5, "全部为 0 / All zero", ha="center", va="center", fontsize=12,
            color=MUTED_COLOUR, transform=ax.transAxes)


def legend_above(ax: "Axes", ncols: int = 3) -> None:
    """The legend above the plot area, where no value label can be."""
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.01), ncols=ncols, fontsize=9, borderaxespad=0.0)


def value_label(ax: "Axes", x: float, y: float, text: str, horizontal: bool, *,
                 colour: str = TEXT_COLOUR, gid: str = VALUE_GID):
    """A value label just past the end of a bar at (x, y) (data coordinates)."""
    if horizontal:
        return ax.annotate(text, (y, x), xytext=(3, 0), textcoords="offset points", ha="left", va="center",
                           fontsize=9, color=colour, gid=gid, annotation_clip=False)
    return ax.annotate(text, (x, y), xytext=(0, 3), textcoords="offset points", ha="center", va="bottom",
                       fontsize=9, color=colour, gid=gid, annotation_clip=False)


def draw_bars(ax: "Axes", positions: Sequence[float], values: Sequence[float | None],
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
                value_label(ax, p, 0.0, NA_LABEL, horizontal, colour=MUTED_COLOUR, gid=NA_GID)
            continue
        text = labels[i] if labels is not None else number_text(v)
        if not complete[i]:
            text = f"≥{text}"
            ax.xxgk_lower_bound = True
        if stated is not None and stated[i]:
            text += "*"
            ax.xxgk_stated = True
        value_label(ax, p, v, text, horizontal)
    return container


def overlaps(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def colliding(boxes: list) -> set[int]:
    """Indices of boxes that overlap another (sweep over x, fine for thousands of labels)."""
    order = sorted(range(len(boxes)), key=lambda i: boxes[i].x0)
    hits: set[int] = set()
    active: list[int] = []
    for i in order:
        active = [j for j in active if boxes[j].x1 > boxes[i].x0]
        for j in active:
            if overlaps(boxes[i], boxes[j]):
                hits.update((i, j))
        active.append(i)
    return hits


def declutter(fig: "Figure") -> list[str]:
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
            under_legend = legend_box is not None and any(overlaps(b, legend_box) for b in boxes)
            hits = colliding(boxes)
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
                if any(overlaps(b, k) for k in kept):
                    t.set_visible(False)
                    dropped = True
                else:
                    kept.append(b)
            if dropped and LABELS_DROPPED_NOTE not in notes:
                notes.append(LABELS_DROPPED_NOTE)
            break
    return notes


# ------------------------------------------------------------------ data helpers

def is_empty(frame) -> bool:
    return frame is None or len(frame) == 0


def require_columns(frame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what}: the frame lacks column(s) {', '.join(missing)}; "
                         f"pass the DataFrame returned by the toolkit loader.")


TIDY = ("report_id", "table", "row", "column", "value")


def select_cells(tables, table: str, rows=None, columns=None):
    """Rows of the tidy frame for *table* (optionally filtered), as a new frame."""
    require_columns(tables, TIDY, "load_tables() frame expected")
    sel = tables["table"] == table
    if "status" in tables.columns:
        # A table a report does not contain is not a contribution of missing cells.
        sel &= tables["status"].notna().to_numpy(dtype=bool) & ~matches(tables["status"], ["table_absent"])
    if rows is not None:
        sel &= tables["row"].isin(list(rows))
    if columns is not None:
        sel &= tables["column"].isin(list(columns))
    return tables.loc[sel.fillna(False).astype(bool)]


def matches(series, values: Iterable) -> "Any":
    """A boolean array: which items of *series* (strings; missing: no) are among *values*, found
    on its distinct values (a corpus has few indicators, tables and statuses, many rows)."""
    import numpy as np
    import pandas as pd

    wanted = set(values)
    codes, uniques = pd.factorize(series)
    return np.array([u in wanted for u in uniques] + [False], dtype=bool)[codes]


def group_sums(cells, by: str | list[str]) -> dict:
    """{group key: (sum of the values present or None, complete)} through the missing-aware aggregate."""
    from ..analysis import aggregate

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


def n_missing_cells(cells) -> int:
    return int(cells["value"].isna().sum())


def contributing_ids(frame, value: str = "value") -> list[str]:
    """The ids of the reports with at least one value present, sorted (the figure cites them)."""
    return sorted(set(plain(frame.loc[frame[value].notna(), "report_id"].dropna().astype(str))))


def map_values(series, fn) -> "pd.Series":
    """*fn* of each value, computed once per distinct value (a corpus has few distinct keys)."""
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(series)
    mapped = np.array([fn(u) for u in uniques] + [None], dtype=object)
    # code -1 (missing) takes the None; dtype=object keeps pandas from re-inferring strings
    return pd.Series(mapped[codes], index=series.index, dtype=object)


def years_text(years: Sequence[int]) -> str:
    ys = sorted(set(int(y) for y in years))
    if not ys:
        return "年份不详"
    return f"{ys[0]}" if len(ys) == 1 else f"{ys[0]}–{ys[-1]}"


def count_label(members: Sequence[str], counted: set[str] | None) -> str:
    """``N 份报告``, or ``计入 k 份（共 N 份报告）`` when only *counted* of the members contribute."""
    if counted is None:
        return f"{len(members):,} 份报告"
    k = sum(1 for r in members if r in counted)
    return f"{len(members):,} 份报告" if k == len(members) else f"计入 {k:,} 份（共 {len(members):,} 份报告）"


#: The columns of a report :func:`report_groups` reads, besides its id.
REPORT_GROUP_COLUMNS = ("organ_id", "agency", "year", "province", "admin_level", "sector")


def first_rows(frame: "pd.DataFrame") -> "pd.DataFrame":
    """The first row of each report in *frame*, of the columns :func:`report_groups` reads (the
    others are not copied)."""
    return frame[[c for c in ("report_id", *REPORT_GROUP_COLUMNS) if c in frame.columns]].drop_duplicates("report_id")


def report_groups(report_ids: Sequence[str], reports, by: str,
                   counted: set[str] | None = None) -> tuple[dict[str, Any], dict[Any, str], str]:
    """(report_id -> group, group -> tick label, axis label) for an organ or year chart.

    Organs are ``organ_id`` (else the agency, else the report id when *reports*
    is missing); an organ's tick label is its latest name with the number of
    reports and the years they cover.  With *counted* (the reports that
    contribute to what is drawn) the label counts those and, when some of the
    group's reports contribute nothing, says of how many (``计入 3 份（共 9 份报告）``);
    an organ's years are then those of the contributing reports.
    """
    import numpy as np
    import pandas as pd

    ids = list(dict.fromkeys(report_ids))
    frame = pd.DataFrame({"report_id": pd.array(ids, dtype=object)})
    cols = [c for c in REPORT_GROUP_COLUMNS
            if not is_empty(reports) and "report_id" in reports.columns and c in reports.columns]
    if cols:
        # Column by column as plain objects (missing: None); a report listed twice keeps its last row.
        sub = pd.DataFrame({"report_id": reports["report_id"].astype(str).to_numpy(dtype=object)})
        for c in cols:
            sub[c] = _objects(reports[c])
        frame = frame.merge(sub.drop_duplicates("report_id", keep="last"), on="report_id", how="left")
    # Plain arrays, not frame columns: pandas would store the None of a string column as NaN again.
    col = {c: _objects(frame[c]) if c in frame.columns else np.full(len(frame), None, dtype=object)
           for c in REPORT_GROUP_COLUMNS}
    rid = frame["report_id"].to_numpy(dtype=object)
    year = col["year"]
    if by == "year":
        group = np.array([int(y) if y is not None else -1 for y in year], dtype=object)
        axis = "报告年度 / Year"
    elif by in GROUP_AXES and by != "organ":
        unknown = GROUP_UNKNOWN[by]
        group = np.array([str(v) if v is not None else unknown for v in col[by]], dtype=object)
        axis = GROUP_AXES[by]
    else:
        group = np.array([o or a or r for o, a, r in zip(col["organ_id"], col["agency"], rid)], dtype=object)
        axis = "报告机关 / Organ"
    group_of = dict(zip(rid.tolist(), group.tolist()))
    codes, uniques = pd.factorize(pd.Series(group, dtype=object), sort=False)
    n = np.bincount(codes, minlength=len(uniques))
    hit = np.ones(len(rid), dtype=bool) if counted is None else np.array([r in counted for r in rid], dtype=bool)
    k = np.bincount(codes, weights=hit, minlength=len(uniques)).astype(int)

    def count_text(i):
        if counted is None or k[i] == n[i]:
            return f"{int(n[i]):,} 份报告"
        return f"计入 {int(k[i]):,} 份（共 {int(n[i]):,} 份报告）"

    if by == "year":
        labels = {g: (f"{g}年" if g != -1 else "年份不详") + "\n" + count_text(i) for i, g in enumerate(uniques)}
        return group_of, labels, axis
    # The years of a group's contributing reports (all its reports when none contributes); a year
    # of 0 or none is not a year.
    y = np.array([float(v) if v else np.nan for v in year], dtype=float)
    shown = hit | (k[codes] == 0)
    ys = pd.DataFrame({"g": codes, "y": np.where(shown, y, np.nan)}).groupby("g")["y"].agg(["min", "max"])
    lo = ys["min"].reindex(range(len(uniques))).to_numpy()
    hi = ys["max"].reindex(range(len(uniques))).to_numpy()

    def span(i):
        if np.isnan(lo[i]):
            return None
        return f"{int(lo[i])}" if int(lo[i]) == int(hi[i]) else f"{int(lo[i])}–{int(hi[i])}"

    labels = {}
    if by in GROUP_AXES and by != "organ":
        for i, g in enumerate(uniques):
            name = ADMIN_LEVEL_ZH.get(g, g) if by == "admin_level" else g
            years = span(i)
            labels[g] = f"{name}\n{years}，{count_text(i)}" if years else f"{name}\n{count_text(i)}"
        return group_of, labels, axis
    # An organ is named by the agency of its latest report (its name, else its id, breaking ties).
    named = pd.DataFrame({"g": codes, "y": [v or 0 for v in year],
                          "a": [a or r for a, r in zip(col["agency"], rid)]})
    latest = named.sort_values(["g", "y", "a"], kind="stable").drop_duplicates("g", keep="last")
    name_of = dict(zip(latest["g"], latest["a"]))
    for i, g in enumerate(uniques):
        years = span(i)
        labels[g] = f"{name_of[i]}\n{years}，{count_text(i)}" if years else str(name_of[i])
    return group_of, labels, axis


def plain(series) -> "Any":
    """*series*'s values as a numpy object array (missing values as the series gives them), to
    iterate over in Python: iterating an Arrow-backed series boxes each value on its own, many
    times slower."""
    return series.to_numpy(dtype=object)


def _objects(series) -> "Any":
    """*series* as a numpy object array, a missing value (None, NaN, NA) as None."""
    import pandas as pd

    values = series.to_numpy(dtype=object, copy=True)
    values[pd.isna(values)] = None
    return values


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


def check_by(by: str) -> None:
    if by not in GROUP_AXES:
        raise ValueError(f"by must be one of {', '.join(GROUP_AXES)}, not {by!r}")


def bar_height(n_bars: int) -> float:
    """Figure height (inches) giving each horizontal bar room for its label."""
    return TOP_BLOCK_IN + BOTTOM_BLOCK_IN + 1.2 + 0.26 * n_bars


def grouped_hbars(ax: "Axes", groups: Sequence, labels: dict, series: Sequence[tuple[str, str, str]],
                   sums: dict, stated: set | None = None, texts: dict | None = None) -> float:
    """Grouped horizontal bars, one group per row; a row with no value at all is one ``n/a``.

    *series* is (key, legend label, colour); *sums* maps (group, key) to (value or None, complete);
    *stated* holds the (group, key) whose value rests on a number stated in the text; *texts*
    gives the value label of a (group, key) (default: the value).  Returns the largest value drawn.
    """
    k = len(series)
    empty = [all(sums.get((g, key), (None, True))[0] is None for key, _l, _c in series) for g in groups]
    top_value = 0.0
    for i, (key, label, colour) in enumerate(series):
        vals = [sums.get((g, key), (None, True)) for g in groups]
        pos = [j + (i - (k - 1) / 2) * 0.8 / k for j in range(len(groups))]
        shown = [(texts or {}).get((g, key)) or (number_text(v) if v is not None else "")
                 for g, (v, _c) in zip(groups, vals)]
        draw_bars(ax, pos, [v for v, _c in vals], [c for _v, c in vals], horizontal=True, width=0.8 / k * 0.92,
                  colour=colour, label=label, mark_missing=[not e for e in empty], labels=shown,
                  stated=[(g, key) in (stated or set()) for g in groups])
        top_value = max([top_value] + [v for v, _c in vals if v is not None])
    for j, e in enumerate(empty):
        if e:
            value_label(ax, j, 0.0, f"{NA_LABEL}（无可读数值 / no readable value）", True, colour=MUTED_COLOUR,
                         gid=NA_GID)
    ax.set_yticks(range(len(groups)), [labels[g] for g in groups], fontsize=9 if len(groups) <= 12 else 8)
    ax.set_ylim(len(groups) - 0.5, -0.5)  # first group on top; rows without bars keep their place
    return top_value


def fit_inside_labels(fig: "Figure", ax: "Axes") -> dict[int, list[str]]:
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



#: The group that summarises the organs (or provinces …) beyond the ones drawn.
OTHERS = "__others__"
#: Unit words of each grouping, for the summary row (其余 N 个机关 / N others).
GROUP_UNITS = {"organ": ("个机关", "organs"), "province": ("个省份", "provinces"),
               "admin_level": ("个层级", "levels"), "sector": ("个领域", "sectors"), "year": ("个年度", "years")}


def others_label(by: str, n: int, members: Sequence[str], counted: set[str] | None) -> str:
    """The tick label of the row summarising *n* groups of *by* (their reports *members*)."""
    zh_unit, en_unit = GROUP_UNITS.get(by, ("组", "groups"))
    return f"其余 {n} {zh_unit} / {n} other {en_unit}\n{count_label(members, counted)}"


def others_note(by: str, shown: int, n: int) -> str:
    """The source-line clause of a chart that draws *shown* groups of *by* and sums up *n* in one row."""
    zh_unit, en_unit = GROUP_UNITS.get(by, ("组", "groups"))
    return f"仅单列前 {shown} {zh_unit}，其余 {n} {zh_unit}合为一行 / {shown} {en_unit} drawn, the other {n} in one row"


def table_or_stated(long: "pd.DataFrame") -> "pd.DataFrame":
    """The present values of *long* (report_id, group, series, value, stated), with a group's stated
    values of a series left out when any of its reports has that series from a table: a figure
    never adds a number stated in a report's text to numbers read from tables."""
    present = long[long["value"].notna().to_numpy(dtype=bool)]
    stated = present["stated"].astype(bool).to_numpy()
    tabled = present.loc[~stated, ["group", "series"]].drop_duplicates()
    has_table = present[["group", "series"]].merge(tabled.assign(_t=True), how="left", on=["group", "series"])
    drop = stated & has_table["_t"].fillna(False).astype(bool).to_numpy()
    return present.loc[~drop]


def group_means(long: "pd.DataFrame", keys: Sequence[str], labels: dict, by: str, top: int,
                rank: Callable[[dict], float]) -> tuple[list, dict, dict, set, set]:
    """Each group's mean per report of each series in *keys* (like with like: organs of many reports
    and of one compare per report), the *top* groups with the largest ``rank({key: mean})`` first
    and the rest in one summary row (:data:`OTHERS`, its label added to *labels*).

    *long* has report_id, group, series, value (missing: NA) and stated.  A mean is over the
    reports that have the value (table values, or, in a group without any, stated ones).  Returns
    (groups in order, {(group, key): (mean, True)}, {(group, key): bar label} where a bar rests on
    fewer reports than its group's row says, the (group, key) resting on stated values, the ids of
    the reports drawn).
    """
    used = table_or_stated(long)
    stats = used.groupby(["group", "series"], sort=False)["value"].agg(["mean", "count"])
    means = {k: float(v) for k, v in stats["mean"].items()}
    counts = {k: int(v) for k, v in stats["count"].items()}
    all_groups = list(dict.fromkeys(plain(long["group"])))

    def order(g):
        got = {key: means[(g, key)] for key in keys if (g, key) in means}
        return (not got, -rank(got) if got else 0.0, str(labels.get(g, g)))

    all_groups.sort(key=order)
    shown, rest = all_groups[:top], all_groups[top:]
    if len(rest) == 1:  # one group more: draw it rather than a summary of one
        shown, rest = all_groups, []
    in_rest = matches(used["group"], rest)
    if rest:
        part = used[in_rest]
        other = part.groupby("series", sort=False)["value"].agg(["mean", "count"])
        for key, row in other.iterrows():
            means[(OTHERS, key)], counts[(OTHERS, key)] = float(row["mean"]), int(row["count"])
        members = long.loc[matches(long["group"], rest), "report_id"].astype(str).unique().tolist()
        counted = set(plain(part["report_id"].astype(str)))
        labels[OTHERS] = others_label(by, len(rest), members, counted)
        shown = shown + [OTHERS]
    drawn = used[matches(used["group"], shown[:top] + rest)]
    rows = drawn.groupby("group", sort=False)["report_id"].nunique().to_dict()
    if rest:
        rows[OTHERS] = int(used.loc[in_rest, "report_id"].nunique())
    texts = {}
    for (g, key), k in counts.items():
        if g in shown and k < rows.get(g, 0):
            texts[(g, key)] = f"{number_text(means[(g, key)])}（{k} 份）"
    group, series, said = plain(used["group"]), plain(used["series"]), plain(used["stated"])
    shown_set = set(shown)
    stated = {(g, s) for g, s in zip(group, series) if g in shown_set} & \
        {(g, s) for g, s, st in zip(group, series, said) if st}
    if rest:
        stated |= {(OTHERS, s) for s, st in zip(series[in_rest], said[in_rest]) if st}
    sums = {(g, key): (means[(g, key)], True) for (g, key) in means if g in shown}
    return shown, sums, texts, stated, set(plain(drawn["report_id"].astype(str)))


# ------------------------------------------------------------------ each report's own shares

#: What a report is for :func:`report_shares`, per unit: its shares were formed, its parts are all
#: 0 (no case: no share), or a part is missing (no share can be formed).
SHARE, ZERO, MISSING = "share", "zero", "missing"


def report_shares(cells: "pd.DataFrame", part: str, unit: str | None = None) -> tuple["pd.DataFrame", "pd.DataFrame"]:
    """Each report's own shares: per report (and *unit*), each *part*'s value over the sum of its
    parts, so that every report weighs the same whatever its size (``docs/METHODS.md`` §2.1: no
    sum over reports of different organs and years).

    *cells* has report_id, value and the columns *part* and *unit* (None: one unit); the cells of
    one part add up, a part with a missing cell is missing.  Returns (``report_id, unit, part,
    share`` for the (report, unit) whose parts were all read and add up to more than 0;
    ``report_id, unit, status`` for every (report, unit): :data:`SHARE`, :data:`ZERO` (every part
    0, so no share) or :data:`MISSING` (a part missing)).
    """
    import numpy as np
    import pandas as pd

    # Counted on integer codes (a corpus has many reports but few units and parts); a cell whose
    # report, unit or part is not known belongs to no group.
    # Factorized as they come (a dictionary column on its codes), the few distinct values then
    # made plain: the same codes, in order of first appearance, as on the values themselves.
    report, reports = pd.factorize(cells["report_id"], sort=False)
    reports = np.array([str(r) for r in plain(reports)], dtype=object)
    if unit is not None:
        u, units = pd.factorize(cells[unit], sort=False)
        units = np.asarray(units, dtype=object)
    else:
        u, units = np.zeros(len(cells), dtype=np.intp), np.array([""], dtype=object)
    p, parts = pd.factorize(cells[part], sort=False)
    parts = np.asarray(parts, dtype=object)
    value = cells["value"].astype("Float64").array
    na = np.asarray(value.isna(), dtype=bool)
    value = value.to_numpy(dtype=float, na_value=0.0)
    ok = (report >= 0) & (u >= 0) & (p >= 0)
    report, u, p, value, na = report[ok], u[ok], p[ok], value[ok], na[ok]
    # Each (report, unit, part) in the order first met: its cells' sum (missing ones left out) and
    # whether one is missing; then each (report, unit) from its parts alike.
    each, firsts = pd.factorize((report.astype(np.int64) * len(units) + u) * len(parts) + p, sort=False)
    first = np.unique(each, return_index=True)[1]
    part_value = np.bincount(each, weights=value, minlength=len(firsts))
    part_na = np.bincount(each, weights=na, minlength=len(firsts)) > 0
    head = first  # the first cell of each (report, unit, part), in order
    g_report, g_unit, g_part = report[head], u[head], p[head]
    whole, whole_head = pd.factorize(g_report.astype(np.int64) * len(units) + g_unit, sort=False)
    starts = np.unique(whole, return_index=True)[1]
    total = np.bincount(whole, weights=part_value, minlength=len(whole_head))
    whole_na = np.bincount(whole, weights=part_na, minlength=len(whole_head)) > 0
    status = np.full(len(whole_head), SHARE, dtype=object)
    status[total == 0] = ZERO
    status[whole_na] = MISSING
    formed = status[whole] == SHARE
    shares = pd.DataFrame({"report_id": reports[g_report[formed]].astype(object),
                           "unit": units[g_unit[formed]].astype(object),
                           "part": parts[g_part[formed]].astype(object),
                           "share": (part_value[formed] / total[whole[formed]]).astype(float)})
    w_report, w_unit = g_report[starts], g_unit[starts]
    whole = pd.DataFrame({"report_id": reports[w_report].astype(object), "unit": units[w_unit].astype(object),
                          "status": status})
    # Keys as a groupby gives them (integer parts as integers).
    return shares.infer_objects(), whole.infer_objects()


def share_text(v: float) -> str:
    """A share as a percentage: whole percents, one decimal below 1% (never a 0% for a share above 0)."""
    return "0%" if v == 0 else f"{v:.1%}" if v < 0.01 else f"{v:.0%}"


def named_reports(ids: Iterable[str], meta: dict, limit: int = 4) -> str:
    """Reports by organ and year (``河北省工业和信息化厅 2019、2020``), the first *limit* reports
    (by organ, then year), then ``等 N 份``; *meta* maps report_id to (agency, year)."""
    named: dict[str, list[str]] = {}
    ids = sorted(set(ids), key=lambda r: (str(meta.get(r, (r, None))[0]), str(meta.get(r, (r, None))[1]), r))
    for rid in ids[:limit]:
        agency, year = meta.get(rid, (rid, None))
        agency = rid if _is_na(agency) else str(agency)
        named.setdefault(agency, []).append("" if _is_na(year) else str(int(year)))
    text = "，".join(f"{a} {'、'.join(y for y in ys if y)}".strip() for a, ys in named.items())
    return text + (f" 等 {len(ids):,} 份" if len(ids) > limit else "")
