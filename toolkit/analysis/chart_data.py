"""The frames charts are drawn from, read back from a build's Parquet outputs.

:func:`built_frames` reads only what the charts declare: the cells they draw
and the cells their indicators read (a filter Parquet applies while reading,
row group by row group, so memory follows what is drawn, not the corpus's
tables), computes those indicators once over all reports, and the audit's
three columns.  :func:`indicator_cells` says which cells an indicator reads.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["built_frames", "built_indicators_of", "indicator_cells", "cell_filter"]

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


def cell_filter(cells: Iterable[Cell]):
    """A pyarrow expression keeping the tidy rows of *cells* (None as row or column: any)."""
    import pyarrow.compute as pc

    # Group exact cells by (table, column) so that the expression stays short.
    exact: dict[tuple[str, str], set[str]] = {}
    wide = []
    for table, row, column in cells:
        if row is not None and column is not None:
            exact.setdefault((table, column), set()).add(row)
        else:
            wide.append((table, row, column))
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
                 audit: bool = True) -> "dict[str, pd.DataFrame | None]":
    """``reports``, ``tables`` (only *cells*), ``indicators`` (only *indicators*, computed over every
    report from the cells they read and the statements; see :func:`built_indicators_of` to compute
    them in parts) and ``audit`` (report_id, check, passed) of the build in *out*."""
    import pandas as pd
    import pyarrow.parquet as pq

    from ..data.tabular import arrow_types
    from .indicator_frames import compute_indicators

    out = Path(out)
    reports = pq.read_table(out / "reports.parquet").to_pandas()
    statements = pq.read_table(out / "statements.parquet").to_pandas() \
        if (out / "statements.parquet").is_file() else None
    needed = set(indicator_cells(indicators)) if indicators else set()
    wanted = list(cells) + sorted(needed)
    columns = ["report_id", "table", "row", "column", "value", "status"]
    read = pq.read_table(out / "tables.parquet", columns=columns, filters=cell_filter(wanted),
                         read_dictionary=["report_id", "table", "row", "column"])
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
