"""Drawing the registered charts: :func:`render` (one chart of a corpus) and
:func:`write_charts` (every chart of a build, from the build's Parquet files)."""
from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..analysis.aggregation import is_missing as _is_na
from ..analysis.selection import select_reports
from .layout import check_by, matches, plain
from .registry import REGISTRY, Cells, Chart, chart_spec
from .theme import SOURCE_COLUMNS, font_family, save

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = ["render", "write_charts", "sources_frame", "chart_cells", "chart_indicators"]


def chart_cells(charts: Sequence[Chart] | None = None) -> list[tuple[str, str | None, str | None]]:
    """The (table, row or None, column or None) cells *charts* (default: every registered chart)
    declare, each once."""
    out: list[tuple[str, str | None, str | None]] = []
    for chart in (REGISTRY.values() if charts is None else charts):
        for c in chart.cells:
            for row in (c.rows or (None,)):
                for column in (c.columns or (None,)):
                    if (c.table, row, column) not in out:
                        out.append((c.table, row, column))
    return out


def chart_indicators(charts: Sequence[Chart] | None = None) -> list[str]:
    """The indicators *charts* (default: every registered chart) declare, each once."""
    return list(dict.fromkeys(n for c in (REGISTRY.values() if charts is None else charts) for n in c.indicators))


def _declared_cells(tables, cells: Sequence[Cells]):
    """The rows of *tables* among *cells* (a chart sees only the cells it declares)."""
    if tables is None or len(tables) == 0 or "table" not in tables.columns:
        return tables
    import numpy as np

    keep = np.zeros(len(tables), dtype=bool)
    for c in cells:
        sel = matches(tables["table"], [c.table])
        if c.rows is not None and "row" in tables.columns:
            sel &= matches(tables["row"], c.rows)
        if c.columns is not None and "column" in tables.columns:
            sel &= matches(tables["column"], c.columns)
        keep |= sel
    return tables.loc[keep]


def _inputs(chart: Chart, frames: dict) -> list:
    """The frames of *chart*'s inputs in order, tables cut to the cells it declares and
    indicators to those it declares."""
    args = []
    for name in chart.inputs:
        frame = frames.get(name)
        if name == "tables":
            frame = _declared_cells(frame, chart.cells)
        elif name == "indicators" and frame is not None and chart.indicators:
            frame = frame[matches(frame["indicator"], chart.indicators)]
        args.append(frame)
    return args


def _draw(chart: Chart, frames: dict, by: str | None, **kwargs) -> "Figure":
    """*chart* drawn from *frames*: its inputs in order, tables cut to the cells it declares."""
    if chart.by:
        kwargs["by"] = by or chart.default_by
    return chart.draw(*_inputs(chart, frames), **kwargs)


def _runs(frame: "pd.DataFrame | None", bounds: Sequence[str]):
    """The rows of *frame* cut at *bounds* (report_id order): for each bound, the rows whose
    report_id is at most it and above the previous one (None for each when *frame* is None)."""
    import numpy as np

    if frame is None:
        yield from (None for _ in bounds)
        return
    ids = frame["report_id"].astype(str)
    if not ids.is_monotonic_increasing:
        order = np.argsort(ids.to_numpy(dtype=object), kind="stable")
        frame, ids = frame.iloc[order], ids.iloc[order]
    ends = np.searchsorted(ids.to_numpy(dtype=object), np.array(bounds, dtype=object), side="right")
    start = 0
    for end in ends:
        yield frame.iloc[start:int(end)]
        start = int(end)


def _gathered(out: Path, charts: Sequence[Chart], frames: dict) -> dict:
    """{(chart name, by): its aggregate} of the *charts* that declare one, gathered in one pass over
    the build in *out*, a run of reports at a time (:data:`RUN_REPORTS`): tables, audit and the
    indicators the charts declare are read run by run (only the cells the charts declare kept;
    the indicators the build computed, else computed run by run), the reports (in *frames*) cut
    to each run."""
    import pyarrow as pa

    from ..analysis.chart_data import RUN_REPORTS, built_indicator_runs, built_parts, report_bounds

    aggregates = {}
    fed = []  # (chart, aggregate) of the aggregates reports are added to
    for c in charts:
        first = None
        for by, _stem in c.stems():
            if first is not None and hasattr(first, "grouped"):  # the same rows whatever the grouping: once
                aggregates[(c.name, by)] = first.grouped(by or c.default_by)
                continue
            aggregates[(c.name, by)] = c.aggregate(by=by or c.default_by) if c.by else c.aggregate()
            first = first or aggregates[(c.name, by)]
            fed.append((c, aggregates[(c.name, by)]))
    if not aggregates:
        return {}
    bounds = report_bounds(out, RUN_REPORTS)
    names = chart_indicators(charts)
    indicators = built_indicator_runs(out, bounds, names) if names else _runs(None, bounds)
    runs = zip(bounds, built_parts(out, bounds, chart_cells(charts), any("audit" in c.inputs for c in charts)),
               _runs(frames.get("reports"), bounds), indicators)
    pool = pa.default_memory_pool()
    for _upto, part, reports, found in runs:
        run = {"tables": part["tables"], "audit": part["audit"], "reports": reports, "indicators": found}
        for chart, aggregate in fed:
            aggregate.add(*_inputs(chart, run))
        run = part = reports = found = None
        # Arrow's pool keeps the pages of a run's batches for reuse; the aggregates keep numbers and
        # Python objects, so those pages would only add up run after run: given back each run.
        pool.release_unused()
    return aggregates


def render(name: str, corpus: str | os.PathLike | None = None, by: str | None = None, *,
           organ: str | None = None, province: str | None = None, year: int | None = None,
           title: str | None = None, **kwargs) -> "Figure":
    """Load what chart *name* needs from *corpus* (None: the shipped corpus) and draw it.

    What a chart needs is what :data:`REGISTRY` declares for it: its inputs, indicators and
    cells (a chart sees no other cell, as under ``xxgk build``).  *by* (one of the chart's
    declared groupings: organ, year, province, admin_level, sector) is for the charts in
    :data:`BY_CHARTS`.  *organ*, *province* and *year* draw only those reports
    (:func:`select_reports`) and the title says so (``…——河北省教育厅``); with *organ* a chart
    drawn by a grouping is drawn by year unless *by* says otherwise; *title* replaces the
    Chinese title line.  The figure keeps the reports it draws on (``fig.xxgk_sources``,
    their title, organ, year, URL and retrieval date) for :func:`save` to cite.  Extra keyword
    arguments (e.g. ``source=``) go to the chart function.  Raises ``KeyError`` listing the
    chart names for an unknown *name*, ``ValueError`` for *by* on a chart that has none or a
    selection that matches nothing (:class:`AmbiguousOrgan` lists the candidates).
    """
    from ..data import load_reports

    chart = chart_spec(name)
    if by is not None and not chart.by:
        charts = [n for n, c in REGISTRY.items() if c.by]
        raise ValueError(f"chart {name!r} is not drawn by a grouping; charts with by: {', '.join(charts)}")
    if by is not None:
        check_by(by)
        if by not in chart.by:
            raise ValueError(f"chart {name!r} is drawn by {', '.join(chart.by)}, not {by!r}")
    asked = {"organ": organ, "province": province, "year": year}
    refused = [k for k, v in asked.items() if v is not None and k not in chart.filters]
    if refused:
        raise ValueError(f"chart {name!r} takes no {', '.join(refused)} selection")
    if by is None and organ is not None and "year" in chart.by:
        by = "year"  # one organ's bars by organ would be a single row: its years are the story
    reports = load_reports(corpus)
    selected = None
    label_zh = label_en = None
    if organ is not None or province is not None or year is not None:
        selected, label_zh, label_en = select_reports(reports, organ=organ, province=province, year=year)

    def only(frame):
        return frame if selected is None else frame[frame["report_id"].astype(str).isin(selected)]

    frames: dict[str, Any] = {"reports": only(reports)}
    if "indicators" in chart.inputs:
        from ..analysis import indicators

        ind = only(indicators(corpus))
        if by in ("province", "admin_level", "sector"):
            ind = ind.merge(reports[["report_id", by]].astype({by: "string"}), on="report_id", how="left")
        frames["indicators"] = ind
    if "audit" in chart.inputs:
        from ..data import audit

        frames["audit"] = only(audit(corpus))
    if "tables" in chart.inputs:
        from ..data import load_tables

        frames["tables"] = only(load_tables(corpus))
    fig = _draw(chart, frames, by, **kwargs)
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

def sources_frame(corpus, report_ids: Sequence[str], reports: "pd.DataFrame | None" = None, *,
                  metadata: bool = True) -> "pd.DataFrame":
    """The reports *report_ids* as a chart cites them: title, organ, year, URL, retrieval date
    (``metadata.csv``'s ``source_url`` and ``added``; empty when not recorded, or when
    *metadata* is False)."""
    import pandas as pd

    from ..corpus import corpus_dir, metadata_columns
    from ..data import load_reports

    if reports is None:
        reports = load_reports(corpus)
    meta = {}
    if metadata:  # two columns of every row, not a dict of each row
        got = metadata_columns(corpus_dir(corpus), ("report_id", "source_url", "added"))
        meta = {str(r): (u, a) for r, u, a in zip(got["report_id"], got["source_url"], got["added"]) if r is not None}
    info = {str(r): (t, a, y) for r, t, a, y in zip(plain(reports["report_id"]), plain(reports["title"]),
                                                   plain(reports["agency"]), plain(reports["year"]))}
    rows = []
    for rid in sorted(set(report_ids)):
        title, agency, year = info.get(rid, (None, None, None))
        url, added = meta.get(rid, (None, None))
        rows.append([rid, None if _is_na(title) else title, None if _is_na(agency) else agency,
                     None if _is_na(year) else int(year), url or None, added or None])
    return pd.DataFrame(rows, columns=SOURCE_COLUMNS).astype(
        {"report_id": "string", "title": "string", "organ": "string", "year": "Int64", "url": "string",
         "retrieved": "string"})


def _cite_here(fig: "Figure", cited: "pd.DataFrame", stem: Path) -> str:
    """Cite on *fig* the rows of *cited* (every report's citation) of the reports it draws on and
    write ``STEM.sources.csv`` here, as :func:`save` would; the figure is left without them, so
    that what is handed to a worker does not grow with the corpus.  Returns the CSV's path."""
    import matplotlib
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from ..data.tabular import csv_bytes
    from .theme import cite

    ids = fig.xxgk_reports or []
    # Matched in Arrow: pandas' isin on Arrow strings makes a Python scalar of each wanted id.
    wanted = pc.is_in(pa.array(cited["report_id"], type=pa.string(), from_pandas=True),
                      value_set=pa.array([str(r) for r in ids], type=pa.string()))
    sources = cited[np.asarray(pc.fill_null(wanted, False), dtype=bool)].reset_index(drop=True)
    path = stem.parent / f"{stem.name}.sources.csv"
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        cite(fig, sources, path.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(csv_bytes(sources))
    fig.xxgk_sources = fig.xxgk_reports = None
    return str(path)


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
    to *out* (only the cells and indicators the registry declares); returns the paths written,
    relative to *out*.

    Charts drawn by a grouping are written once per grouping the registry says the build writes
    (``NAME_by_organ``, ``NAME_by_year``).  With *jobs* above 1 (``None``: all cores; ``xxgk build``
    passes its ``--jobs``), this process lays the figures out while spawned worker processes
    render and encode them (PNG at 300 dpi and SVG cost most of a chart) -- a script calling it
    so needs the ``if __name__ == "__main__":`` guard that every spawned pool needs.  The files
    are the same bytes either way, and whatever the session's matplotlib settings.

    A chart that declares an aggregate (:class:`~toolkit.plots.registry.Chart`) is gathered in
    one pass over the build's tables and audit, shared by all such charts, a run of reports at a
    time (:data:`~toolkit.analysis.chart_data.RUN_REPORTS`), and drawn from what was gathered;
    the others are drawn from the frames of the whole build.

    Each chart is cited (:func:`save`): its source line names the reports it draws on and
    ``NAME.sources.csv`` beside it lists them, with their URLs and retrieval dates from the
    ``metadata.csv`` of *corpus* (``xxgk build`` passes the corpus it built; None: without them),
    both made in this process from one citation frame of every report.
    """
    from ..data.workers import n_workers, worker_pool

    stems = [(chart, by, stem) for chart in REGISTRY.values() for by, stem in chart.stems()]
    workers = min(n_workers(jobs, warn=False), len(stems))
    pool = worker_pool(workers) if workers > 1 else None
    if pool is not None:  # the workers start (import matplotlib, register the font) while the data is read
        for _ in range(workers):
            pool.submit(font_family)
    try:
        return _write_charts(out, stems, pool, corpus, workers)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


#: The columns of the reports a chart's citations read (:func:`sources_frame`).
CITED_COLUMNS = ("report_id", "title", "agency", "year")


def _report_columns(charts: Sequence[Chart]) -> list[str] | None:
    """The columns of the reports *charts* read, with those their citations read; None (every
    column) when a chart taking the reports is drawn from the whole frame, or its aggregate does
    not say which it reads (``REPORT_COLUMNS``)."""
    columns = dict.fromkeys(CITED_COLUMNS)
    for chart in charts:
        if "reports" in chart.inputs:
            read = getattr(chart.aggregate, "REPORT_COLUMNS", None)
            if read is None:
                return None
            columns.update(dict.fromkeys(read))
    return list(columns)


def _write_charts(out: Path, stems: list[tuple[Chart, str | None, str]], pool, corpus=None,
                  workers: int = 1) -> list[str]:
    import pickle

    import pandas as pd
    import pyarrow as pa

    from ..analysis.chart_data import INDICATORS_FILE, built_frames, built_indicators_of, read_built_indicators

    charts = list(dict.fromkeys(chart for chart, _by, _stem in stems))
    whole = [c for c in charts if c.aggregate is None]  # drawn from whole frames; the others gathered
    names = chart_indicators(whole)  # the gathered charts read theirs run by run
    computed = names and (out / INDICATORS_FILE).is_file()  # the build computed them: read, not again
    parts = []
    if names and pool is not None and not computed:
        # The indicators are computed in parts by the workers while this process lays out the
        # charts drawn from tables; reports are independent, so the parts add up to the whole.
        import pyarrow.parquet as pq

        ids = sorted(pq.read_table(out / "reports.parquet", columns=["report_id"]).column(0).to_pylist())
        size = -(-len(ids) // workers) if ids else 1
        parts = [pool.submit(built_indicators_of, str(out), ids[i:i + size], names)
                 for i in range(0, len(ids), size)]
    frames = built_frames(out, chart_cells(whole), () if parts or computed else names,
                          audit=any("audit" in c.inputs for c in whole), report_columns=_report_columns(charts))
    if computed:
        frames["indicators"] = read_built_indicators(out, names)
    # Every report's citation once; each chart takes the rows of the reports it draws on.
    cited = sources_frame(corpus, frames["reports"]["report_id"].astype(str).tolist(), frames["reports"],
                          metadata=corpus is not None)
    saved: dict[str, Any] = {}
    gathered: dict | None = None

    def indicators_now():
        if parts and frames.get("indicators") is None:
            found = [f.result() for f in parts]
            frames["indicators"] = pd.concat(found, ignore_index=True).sort_values(
                ["report_id"], kind="stable", ignore_index=True) if found else built_indicators_of(out, [], names)

    # Charts that need no indicators first: their figures are laid out while the indicators are computed.
    for chart, by, stem in sorted(stems, key=lambda s: bool(s[0].indicators and parts)):
        if chart.indicators and chart.aggregate is None:
            indicators_now()
        if chart.aggregate is None:
            fig = _draw(chart, frames, by)
        else:
            if gathered is None:  # every aggregate in one pass
                gathered = _gathered(out, [c for c in charts if c.aggregate is not None], frames)
                if not any("reports" in c.inputs for c in whole):
                    frames.pop("reports", None)  # cited and gathered: no longer read
                # What Arrow's pool kept of the pass's batches goes back to the system before the
                # figures are laid out (the pool keeps freed pages for reuse that will not come).
                pa.default_memory_pool().release_unused()
            # Each aggregate is let go once its figure is made: memory falls as the charts are drawn.
            fig = gathered.pop((chart.name, by)).figure()
        cites = _cite_here(fig, cited, out / "charts" / stem)
        data = None
        if pool is not None:
            try:
                data = pickle.dumps(fig)
            except (AttributeError, TypeError, pickle.PicklingError):
                pass  # an artist matplotlib cannot pickle (a lambda, say): this figure is saved here
        if data is None:
            saved[stem] = _save_as_built(fig, str(out / "charts" / stem))
        else:
            saved[stem] = pool.submit(_save_elsewhere, data, str(out / "charts" / stem))
        saved[stem] = (saved[stem], cites)
        fig = data = None  # saved or handed over: not held while the next figure is laid out
    paths = []
    for _chart, _by, stem in stems:
        done, cites = saved[stem]
        paths += [*(done if isinstance(done, list) else done.result()), cites]
    return [Path(p).relative_to(out).as_posix() for p in paths]
