"""The house style of the charts: fonts, colours, matplotlib settings, and saving.

The Chinese font is Noto Sans CJK SC as shipped inside the ``mplfonts``
package; it is registered with matplotlib on first use (nothing happens at
import).  The user's global ``matplotlib.rcParams`` are never changed: charts
are built inside ``matplotlib.rc_context(style())`` and :func:`apply_font`
gives every text object the family explicitly.  :func:`save` writes PNG and
SVG (text as ``<text>``) with bytes that depend only on the figure.
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..analysis.aggregation import is_missing as _is_na

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.figure import Figure

#: The font file inside the ``mplfonts`` package.
FONT_PACKAGE = "mplfonts"
FONT_FILE = ("fonts", "NotoSansCJKsc-Regular.otf")

#: A small fixed palette (colour-blind friendly, prints well in greyscale order).
#: blue, orange, teal, red, grey, purple.
PALETTE: tuple[str, ...] = ("#1F5F8B", "#E08A2E", "#2A9D8F", "#C8553D", "#8D99AE", "#6D597A")
#: Colours with a meaning (audit results): passed, failed, not checkable, and a neutral sand for
#: a finding that describes the report rather than an error.
PASS_COLOUR, FAIL_COLOUR, NA_COLOUR, NEUTRAL_COLOUR = "#2A9D8F", "#C8553D", "#B8BEC8", "#DCCB9C"
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


def font_families() -> list[str]:
    # DejaVu Sans (bundled with matplotlib) as fallback for any symbol the CJK font lacks.
    return [font_family(), "DejaVu Sans"]


def style() -> dict[str, Any]:
    """:data:`STYLE` with the Chinese font and the palette filled in (for ``rc_context``)."""
    rc = dict(STYLE)
    rc["font.family"] = "sans-serif"
    rc["font.sans-serif"] = font_families()
    return rc

def apply_font(fig: "Figure") -> "Figure":
    """Give every text object of *fig* the Chinese font family explicitly, so drawing it outside
    the style context (e.g. in a notebook or at ``save`` time) still finds the glyphs."""
    from matplotlib.text import Text

    families = font_families()
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

#: Inches kept below the plot for the source line (one line); the title block's are in layout.
BOTTOM_BLOCK_IN = 0.33
#: Height of each further line of the source line, inches.
_SOURCE_LINE_IN = SOURCE_SIZE * 1.35 / 72


def _ems(text: str) -> float:
    """Width of *text* in ems: a CJK (wide) character is one, anything else about half."""
    import unicodedata

    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.55 for c in text)


def fit_source(fig: "Figure") -> None:
    """Break the source line at its clauses (；, ·) so that it fits the figure's width, and give
    the layout the room the extra lines take: a source line is never cut at the right edge."""
    line = next((t for t in fig.texts if t.get_gid() == "xxgk-source"), None)
    if line is None:
        return
    text = line.get_text().replace("\n", "")  # fitted again after cite() lengthens it
    room = (fig.get_figwidth() * 72 * 0.97) / SOURCE_SIZE  # ems across, less the left margin
    lines: list[str] = []
    for clause in _clauses(text):
        if lines and _ems(lines[-1] + clause) <= room:
            lines[-1] += clause
        else:
            lines.append(clause)
    line.set_text("\n".join(lines))
    extra = (len(lines) - 1) * _SOURCE_LINE_IN
    height = fig.get_figheight()
    engine = fig.get_layout_engine()
    if engine is not None and hasattr(engine, "get") and "rect" in engine.get():
        x, y, w, h = engine.get()["rect"]
        top = y + h
        bottom = (BOTTOM_BLOCK_IN + extra) / height
        engine.set(rect=(x, bottom, w, top - bottom))


def _clauses(text: str) -> list[str]:
    """*text* cut after each ；and before each ·, the places a reader expects a break."""
    import re

    return [part for part in re.split(r"(?<=；)|(?=· )", text) if part]


#: Columns of a chart's ``.sources.csv``.
SOURCE_COLUMNS = ["report_id", "title", "organ", "year", "url", "retrieved"]
#: A source line names at most this many reports; beyond, it gives their number and the list's file.
MAX_CITED = 3
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
        fit_source(fig)


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
        from ..data.tabular import csv_bytes

        sources_path.write_bytes(csv_bytes(sources))
        out.append(sources_path)
    return out

