"""The frames charts are drawn from, read back from a build's Parquet outputs.

:func:`built_frames` reads only what the charts declare: the cells they draw
and the cells their indicators read (a filter Parquet applies while reading,
row group by row group, so memory follows what is drawn, not the corpus's
tables), computes those indicators once over all reports, and the audit's
three columns.  :func:`built_parts` gives the same a run of reports at a time
(the charts that gather an aggregate read the build so, in one pass).
:func:`indicator_cells` says which cells an indicator reads.

A build computes every report's indicators once (:func:`write_built_indicators`, into
``.cache/indicators.parquet`` of its output folder) and its workbook sheet, database
and charts read them from there (:func:`read_built_indicators`).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["built_frames", "built_parts", "report_bounds", "built_indicators_of", "indicator_cells", "cell_filter", "write_built_indicators",
           "read_built_indicators", "built_indicator_runs", "INDICATORS_FILE"]

#: Where a build keeps its indicators, relative to its output folder.
INDICATORS_FILE = ".cache/indicators.parquet"
#: Reports whose indicators are computed at once when a build writes them.
CHUNK_REPORTS = 1000
#: Reports whose rows the charts' pass over a build holds at once (:func:`built_parts`): a run's
#: rows are few (the cells charts declare), and fewer runs cost less.
RUN_REPORTS = 5000

Cell = tuple[str, str | None, str | None]  # (table, row or None: all rows, column or None: all columns)


def indicator_cells(names: Iterable[str]) -> set[tuple[str, str, str]]:
    """Every (table, row, column) the indicators *names* read, under any template."""
    from .indicator_frames import get_indicator

    cells: set[tuple[str, str, str]] = set()
    for name in names:
        ind = get_indicator(name)
        for part in (ind.numerator, ind.denominator, ind.alternative):
            for group in part.values():
                cells.update(group)
    return cells


def _split_cells(cells: Iterable[Cell]) -> tuple[dict[tuple[str, str], set[str]], list[Cell]]:
    """*cells* as exact rows grouped by (table, column), which keeps a filter short, and the
    cells naming a whole row or column."""
    exact: dict[tuple[str, str], set[str]] = {}
    wide = []
    for table, row, column in cells:
        if row is not None and column is not None:
            exact.setdefault((table, column), set()).add(row)
        else:
            wide.append((table, row, column))
    return exact, wide


def cell_filter(cells: Iterable[Cell]):
    """A pyarrow expression keeping the tidy rows of *cells* (None as row or column: any)."""
    import pyarrow.compute as pc

    exact, wide = _split_cells(cells)
    terms = []
    for (table, column), rows in sorted(exact.items()):
        terms.append((pc.field("table") == table) & (pc.field("column") == column)
                     & pc.field("row").isin(sorted(rows)))
    for table, row, column in sorted(wide, key=str):
        term = pc.field("table") == table
        if row is not None:
            term = term & (pc.field("row") == row)
        if column is not None:
            term = term & (pc.field("column") == column)
        terms.append(term)
    if not terms:
        return pc.field("table") != pc.field("table")  # nothing
    expr = terms[0]
    for t in terms[1:]:
        expr = expr | t
    return expr


def built_indicators_of(out: str | Path, report_ids: Sequence[str] | None, indicators: Sequence[str]) -> "pd.DataFrame":
    """The *indicators* of the reports *report_ids* (None: all) of the build in *out*, computed from
    the cells they read and the statements (reports are independent: a corpus's indicators are
    the concatenation of its parts')."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from ..data.tabular import arrow_types
    from .indicator_frames import compute_indicators

    out = Path(out)
    only = None if report_ids is None else pc.field("report_id").isin(list(report_ids))
    reports = pq.read_table(out / "reports.parquet", filters=only).to_pandas()
    statements = pq.read_table(out / "statements.parquet", filters=only).to_pandas() \
        if (out / "statements.parquet").is_file() else None
    wanted = cell_filter(sorted(indicator_cells(indicators)))
    cells = pq.read_table(out / "tables.parquet", columns=["report_id", "table", "row", "column", "value", "status"],
                          filters=wanted if only is None else wanted & only,
                          read_dictionary=["report_id", "table", "row", "column"])
    return compute_indicators(reports, cells.unify_dictionaries().to_pandas(types_mapper=arrow_types), statements,
                              names=list(indicators))


def built_frames(out: str | Path, cells: Sequence[Cell] = (), indicators: Sequence[str] = (),
                 audit: bool = True, report_columns: Sequence[str] | None = None) -> "dict[str, pd.DataFrame | None]":
    """``reports`` (only *report_columns* when given and no indicator is asked for), ``tables``
    (only *cells*), ``indicators`` (only *indicators*, computed over every report from the cells
    they read and the statements; see :func:`built_indicators_of` to compute them in parts) and
    ``audit`` (report_id, check, passed) of the build in *out*."""
    import pandas as pd
    import pyarrow.parquet as pq

    from ..data.tabular import arrow_types
    from .indicator_frames import compute_indicators

    out = Path(out)
    columns = None
    if report_columns is not None and not indicators:  # the ones the file has, in its order
        columns = [c for c in pq.ParquetFile(out / "reports.parquet").schema_arrow.names if c in set(report_columns)]
    reports = pq.read_table(out / "reports.parquet", columns=columns).to_pandas()
    statements = pq.read_table(out / "statements.parquet").to_pandas() \
        if indicators and (out / "statements.parquet").is_file() else None
    needed = set(indicator_cells(indicators)) if indicators else set()
    wanted = list(cells) + sorted(needed)
    columns = ["report_id", "table", "row", "column", "value", "status"]
    read_dictionary = ["report_id", "table", "row", "column"]
    if wanted:
        read = pq.read_table(out / "tables.parquet", columns=columns, filters=cell_filter(wanted),
                             read_dictionary=read_dictionary)
    else:  # no cell wanted: the file is not scanned
        read = pq.ParquetFile(out / "tables.parquet", read_dictionary=read_dictionary).schema_arrow.empty_table() \
            .select(columns)
    kept = read.unify_dictionaries().to_pandas(types_mapper=arrow_types)
    frames: dict[str, pd.DataFrame | None] = {"reports": reports}
    if cells:
        keep = pd.Series(False, index=kept.index)
        for table, row, column in cells:
            sel = kept["table"] == table
            if row is not None:
                sel &= kept["row"] == row
            if column is not None:
                sel &= kept["column"] == column
            keep |= sel.fillna(False).astype(bool)
        frames["tables"] = kept.loc[keep.to_numpy()].reset_index(drop=True)
    else:
        frames["tables"] = kept.iloc[0:0]
    if indicators:
        ind = compute_indicators(reports, kept, statements, names=list(indicators))
        frames["indicators"] = ind.sort_values(["report_id"], kind="stable", ignore_index=True)
    else:
        frames["indicators"] = None
    frames["audit"] = pq.read_table(out / "audit.parquet", columns=["report_id", "check", "passed"],
                                    read_dictionary=["report_id", "check"]).to_pandas(types_mapper=arrow_types) \
        if audit else None
    return frames


def _report_runs(out: Path, name: str, bounds: Sequence[str], columns: Sequence[str] | None = None,
                 threads: bool = True):
    """The Arrow rows of ``out/NAME.parquet`` (written in report_id order) cut at *bounds*: for each
    bound, the rows whose report_id is at most it and above the previous one, read in batches
    (only *columns*, when given; report_id among them; decoded on Arrow's threads unless
    *threads* is false)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    file = pq.ParquetFile(out / f"{name}.parquet")
    schema = file.schema_arrow if columns is None else pa.schema([file.schema_arrow.field(c) for c in columns])
    batches = file.iter_batches(batch_size=20_000, columns=None if columns is None else list(columns),
                                use_threads=threads)
    held = schema.empty_table()
    done = False
    for bound in bounds:
        while not done and (held.num_rows == 0 or pc.max(held["report_id"]).as_py() <= bound):
            batch = next(batches, None)
            if batch is None:
                done = True
            else:
                held = pa.concat_tables([held, pa.Table.from_batches([batch], schema=schema)])
        # report_id order is the order the build writes: the rows up to *bound* are a prefix.
        n = int(pc.sum(pc.less_equal(held["report_id"], bound)).as_py() or 0)
        yield held.slice(0, n)
        held = held.slice(n)


def _cell_mask(cells: Sequence[Cell]):
    """A function of an Arrow record batch of tidy rows: which of its rows are among *cells* (None as
    row or column: any), found on the dictionaries of table, row and column (few values, many
    rows), as :func:`cell_filter` keeps them."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    exact, wide = _split_cells(cells)

    def coded(batch, name):
        """(codes, values) of column *name*; a missing value has code len(values), matching nothing."""
        arr = batch.column(name)
        if not pa.types.is_dictionary(arr.type):
            arr = pc.dictionary_encode(arr)
        values = np.array(arr.dictionary.to_pylist() + [None], dtype=object)
        codes = pc.fill_null(arr.indices, len(values) - 1).to_numpy(zero_copy_only=False)
        return codes, values

    def keep(batch):
        (t, tv), (r, rv), (c, cv) = (coded(batch, n) for n in ("table", "row", "column"))
        mask = np.zeros(batch.num_rows, dtype=bool)
        for (table, column), rows in exact.items():
            mask |= (tv == table)[t] & (cv == column)[c] & np.isin(rv, sorted(rows))[r]
        for table, row, column in wide:
            hit = (tv == table)[t]
            if row is not None:
                hit &= (rv == row)[r]
            if column is not None:
                hit &= (cv == column)[c]
            mask |= hit
        return pa.array(mask)

    return keep


def _kept_runs(out: Path, name: str, bounds: Sequence[str], columns: Sequence[str], keep=None,
               read_dictionary: Sequence[str] = ()):
    """The Arrow rows of ``out/NAME.parquet`` (written in report_id order) cut at *bounds*, as
    :func:`_report_runs`, holding only the rows *keep* (a function of a record batch giving a
    boolean mask; None: all) keeps of each batch as it is read: memory follows the rows kept of
    one run."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    # report_id read as a dictionary too: a run's ids are compared once per distinct id.
    file = pq.ParquetFile(out / f"{name}.parquet", read_dictionary=["report_id", *read_dictionary])
    # Decoded on this thread: the pass runs beside the chart workers, and Arrow's threads would
    # contend with them for the cores (costing more CPU in all than they save).
    batches = file.iter_batches(batch_size=65_536, columns=list(columns), use_threads=False)
    schema = None
    held: list = []
    last = None  # the report_id of the last row read
    done = False
    for bound in bounds:
        while not done and (last is None or last <= bound):
            batch = next(batches, None)
            if batch is None:
                done = True
                break
            if batch.num_rows:
                last = batch.column("report_id")[-1].as_py()
            schema = schema or batch.schema
            held.append(batch if keep is None else batch.filter(keep(batch)))
        table = pa.Table.from_batches(held, schema=schema) if schema is not None else \
            pa.schema([file.schema_arrow.field(c) for c in columns]).empty_table()
        # report_id order is the order the build writes: the rows up to *bound* are a prefix.
        n = 0
        for chunk in table["report_id"].chunks:
            ids = np.array(chunk.dictionary.to_pylist(), dtype=object)
            n += int(np.count_nonzero((ids <= bound)[chunk.indices.to_numpy(zero_copy_only=False)])) \
                if len(ids) else 0
        yield table.slice(0, n)
        held = table.slice(n).to_batches()


def report_bounds(out: str | Path, size: int = CHUNK_REPORTS) -> list[str]:
    """The last report_id of each run of *size* reports of the build in *out* (report_id order)."""
    import pyarrow.parquet as pq

    ids = sorted(set(pq.read_table(Path(out) / "reports.parquet", columns=["report_id"])["report_id"].to_pylist()))
    return [ids[min(i + size, len(ids)) - 1] for i in range(0, len(ids), size)]


def built_parts(out: str | Path, bounds: Sequence[str], cells: Sequence[Cell] = (),
                audit: bool = False) -> "Iterator[dict[str, pd.DataFrame | None]]":
    """The build in *out* a run of reports at a time (runs cut at *bounds*, :func:`report_bounds`):
    for each run, ``tables`` (its tidy rows of *cells*, as :func:`built_frames` gives them; None
    without cells) and ``audit`` (report_id, check, passed; None unless *audit*).  Only one run
    of each file is held at a time, so memory follows the run, not the corpus."""
    from ..data.tabular import arrow_types

    out = Path(out)
    none = iter(lambda: None, 0)  # endless Nones: the file is not read
    tables = _kept_runs(out, "tables", bounds, ["report_id", "table", "row", "column", "value", "status"],
                        _cell_mask(cells)) if cells else none
    findings = _kept_runs(out, "audit", bounds, ["report_id", "check", "passed"], read_dictionary=["check"]) \
        if audit else none
    for _bound, cut, found in zip(bounds, tables, findings):
        part: dict[str, pd.DataFrame | None] = {"tables": None, "audit": None}
        if cut is not None:
            part["tables"] = cut.unify_dictionaries().to_pandas(types_mapper=arrow_types, use_threads=False)
        if found is not None:
            part["audit"] = found.unify_dictionaries().to_pandas(types_mapper=arrow_types, use_threads=False)
        yield part


def write_built_indicators(out: str | Path) -> list[str]:
    """Compute the indicators of the build in *out* once, :data:`CHUNK_REPORTS` reports at a time
    (a report's indicators depend on its own cells and statements only, so the parts laid end to
    end are :func:`toolkit.indicators`), into :data:`INDICATORS_FILE`; returns ``[]`` (a build's
    working file, not one of its outputs)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from ..data.frames import to_pandas
    from ..data.tabular import parquet_writer
    from .indicator_frames import compute_indicators

    out = Path(out)
    ids = sorted(set(pq.read_table(out / "reports.parquet", columns=["report_id"])["report_id"].to_pylist()))
    bounds = [ids[min(i + CHUNK_REPORTS, len(ids)) - 1] for i in range(0, len(ids), CHUNK_REPORTS)]
    target = out / INDICATORS_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    writer = schema = None
    try:
        parts = zip(*(_report_runs(out, name, bounds) for name in ("reports", "tables", "statements")))
        for reports, tables, statements in parts:
            frame = compute_indicators(to_pandas(reports), to_pandas(tables), to_pandas(statements))
            table = pa.Table.from_pandas(frame, preserve_index=False)
            if writer is None:
                schema = table.schema
                writer = parquet_writer(target, schema)
            # A chunk whose column is all missing has a null type there: the first chunk's types hold.
            writer.write_table(table if table.schema.equals(schema) else table.cast(schema))
        if writer is None:  # no report: the file still has the indicators' columns
            def empty(name):
                return to_pandas(pq.ParquetFile(out / f"{name}.parquet").schema_arrow.empty_table())

            table = pa.Table.from_pandas(compute_indicators(empty("reports"), empty("tables"), empty("statements")),
                                         preserve_index=False)
            writer = parquet_writer(target, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
    return []


def read_built_indicators(out: str | Path, names: Sequence[str] | None = None) -> "pd.DataFrame":
    """The indicators (only *names*, if given) of the build in *out*: those it computed
    (:data:`INDICATORS_FILE`), else computed now from its Parquet files."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    out = Path(out)
    path = out / INDICATORS_FILE
    if not path.is_file():
        if names is not None:
            return built_indicators_of(out, None, list(names))
        from ..data.tabular import read_frame
        from .indicator_frames import compute_indicators

        return compute_indicators(read_frame(out / "reports.parquet"), read_frame(out / "tables.parquet"),
                                  read_frame(out / "statements.parquet"))
    only = None if names is None else pc.field("indicator").isin(list(names))
    return pq.read_table(path, filters=only).to_pandas()


def built_indicator_runs(out: str | Path, bounds: Sequence[str],
                         indicators: Sequence[str]) -> "Iterator[pd.DataFrame]":
    """The *indicators* of the build in *out* a run of reports at a time (runs cut at *bounds*,
    :func:`report_bounds`): read from :data:`INDICATORS_FILE` (written in report_id order) when
    the build computed them, else computed run by run; only one run is held at a time."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    out = Path(out)
    if (out / INDICATORS_FILE).is_file():
        wanted = pa.array(sorted(set(indicators)), type=pa.string())
        for run in _report_runs(out, INDICATORS_FILE.removesuffix(".parquet"), bounds, threads=False):
            # Only the rows of *indicators* are made into pandas.
            keep = pc.is_in(pc.cast(run["indicator"], pa.string()), value_set=wanted)
            yield run.filter(pc.fill_null(keep, False)).to_pandas(use_threads=False)
        return
    ids = sorted(set(pq.read_table(out / "reports.parquet", columns=["report_id"])["report_id"].to_pylist()))
    start = 0
    for bound in bounds:
        end = start
        while end < len(ids) and ids[end] <= bound:
            end += 1
        yield built_indicators_of(out, ids[start:end], list(indicators))
        start = end
