"""Writing frames to CSV and Parquet chunk by chunk, and reading them back exactly.

The CSV contract (what every ``*.csv`` the toolkit writes looks like -- the build's
tables and ``xxgk indicators``, all through :class:`CsvSink`): UTF-8 with a
byte-order mark (so Excel reads Chinese text correctly), a header row of the
frame's column names (quoted), ``\\n`` line ends, every text value in double
quotes (a quote inside doubled), an empty unquoted field for a missing value
(never 0), numbers unquoted in their shortest exact form (``3``, ``739.0766``),
booleans as ``true``/``false`` and categories as their labels.

A text value that a spreadsheet would run as a formula -- one starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return -- is written with a single
quote before it (``'=HYPERLINK(…)``), as OWASP recommends against CSV injection
(:func:`csv_safe`); a text value that is just a number (``-3``) is left as it is,
and number columns are never touched.  The Parquet files and the frames keep
the raw text.

The Parquet file holds the same frame with its pandas dtypes, so
:func:`read_frame` returns it unchanged.  Every file is closed when its sink
closes, even when another of its files fails to close (a full disk), so no
writer is left for the garbage collector to close -- and fail -- later.
"""
from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

__all__ = ["TableSink", "CsvSink", "write_csv", "csv_bytes", "csv_safe", "parquet_writer", "close_all", "read_frame",
           "arrow_types", "CSV_BOM", "CSV_TRIGGERS"]

CSV_BOM = b"\xef\xbb\xbf"
#: First characters that make a spreadsheet read a cell as a formula (or part of one).
CSV_TRIGGERS = "=+-@\t\r"
_TRIGGER = "^[=+\\-@\t\r]"
_PLAIN_NUMBER = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$"


def csv_safe(table):
    """*table* (Arrow) with each text cell that starts with one of :data:`CSV_TRIGGERS` prefixed by
    ``'``, unless the cell is a plain number (``-3``, ``+1.5``); other columns unchanged.  A
    category (dictionary) column is made safe in its dictionary, once per label, not per row."""
    import pyarrow as pa

    columns = []
    for column in table.columns:
        if pa.types.is_dictionary(column.type) and _is_text(column.type.value_type):
            column = pa.chunked_array([pa.DictionaryArray.from_arrays(chunk.indices, _safe_text(chunk.dictionary))
                                       for chunk in column.chunks], column.type)
        elif _is_text(column.type):
            column = _safe_text(column)
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=table.schema)


def _is_text(arrow_type) -> bool:
    import pyarrow as pa

    return pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)


def _safe_text(column):
    """A text column (array or chunked array) with its risky cells quoted; the column itself when
    none is (the usual case: the quoting is computed only when some cell needs it)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    risky = pc.match_substring_regex(column, _TRIGGER)
    if not pc.any(risky).as_py():
        return column
    risky = pc.and_(risky, pc.invert(pc.match_substring_regex(column, _PLAIN_NUMBER)))
    quoted = pc.binary_join_element_wise(pa.scalar("'", column.type), column, pa.scalar("", column.type))
    return pc.if_else(risky, quoted, column)


class _ParquetWriter:
    """A :class:`pyarrow.parquet.ParquetWriter` closed once: a close that fails (a full disk) is
    not tried again when the writer is collected, where its error could only be printed."""

    def __init__(self, where, schema, **options):
        import pyarrow.parquet as pq

        self._writer = pq.ParquetWriter(where, schema, **options)

    def write_table(self, table) -> None:
        self._writer.write_table(table)

    def close(self) -> None:
        writer = self._writer
        try:
            writer.close()
        finally:
            if writer.is_open:  # the footer could not be written: the file is lost anyway
                writer.is_open = False
                if writer.file_handle is not None:
                    with contextlib.suppress(OSError):
                        writer.file_handle.close()


def parquet_writer(where, schema, **options) -> _ParquetWriter:
    """A Parquet writer of *schema* to *where* (``pyarrow.parquet.ParquetWriter``'s arguments)
    whose :meth:`close` is final even when it fails; every Parquet file the toolkit writes
    goes through it."""
    return _ParquetWriter(where, schema, **options)


def close_all(*closers) -> None:
    """Call every closer, even when one fails; the first failure is raised (later ones chained)."""
    with contextlib.ExitStack() as stack:
        for close in reversed(closers):
            stack.callback(close)


class CsvSink:
    """One CSV file of the contract above, written a chunk (an Arrow table) at a time to *sink*
    (a path or a binary file object)."""

    def __init__(self, sink):
        self.file = open(sink, "wb") if isinstance(sink, (str, os.PathLike)) else sink
        self.owned = self.file is not sink
        self.file.write(CSV_BOM)
        self.writer = None

    def write(self, table) -> None:
        import pyarrow.csv as pcsv

        # Arrow's CSV writer writes a category (dictionary) column as its labels.
        table = table.replace_schema_metadata(None)
        if self.writer is None:
            self.writer = pcsv.CSVWriter(self.file, table.schema, write_options=pcsv.WriteOptions(
                include_header=True, quoting_style="needed"))
        self.writer.write_table(csv_safe(table))

    def close(self) -> None:
        writer, self.writer = self.writer, None
        close_all(*([writer.close] if writer is not None else []),
                   *([self.file.close] if self.owned and not self.file.closed else []))


def write_csv(frame, path: str | os.PathLike) -> None:
    """Write a pandas frame to *path* as one CSV of the contract above (atomically)."""
    from ..fileio import atomic_write

    atomic_write(path, csv_bytes(frame))


class TableSink:
    """One output table, appended chunk by chunk to ``NAME.csv`` and ``NAME.parquet`` in *folder*."""

    def __init__(self, folder: Path, name: str):
        self.name, self.rows = name, 0
        self.paths = {ext: folder / f"{name}.{ext}" for ext in ("csv", "parquet")}
        self.csv = CsvSink(self.paths["csv"])
        self.parquet = None
        self.schema = None

    def write(self, table) -> None:
        """Append an Arrow table (all chunks of one sink have the same schema)."""
        if self.schema is None:
            self.schema = table.schema
            self.parquet = parquet_writer(self.paths["parquet"], self.schema)
        self.parquet.write_table(table)
        self.csv.write(table)
        self.rows += table.num_rows

    def close(self) -> None:
        """Close both files; both are closed even when one fails (its error is raised)."""
        parquet, self.parquet = self.parquet, None
        close_all(self.csv.close, *([parquet.close] if parquet is not None else []))


def read_frame(path: str | os.PathLike):
    """A frame the build wrote to Parquet, with the loaders' dtypes."""
    import pyarrow.parquet as pq

    from .frames import to_pandas

    # ParquetFile.read, not read_table: the latter imports pyarrow.dataset, a third of a second.
    return to_pandas(pq.ParquetFile(Path(path)).read(use_threads=True))


def arrow_types(arrow_type):
    """Arrow → pandas dtypes of the audit frame (string, Float64, boolean)."""
    import pandas as pd
    import pyarrow as pa

    return {pa.string(): pd.StringDtype(), pa.large_string(): pd.StringDtype(),
            pa.float64(): pd.Float64Dtype(), pa.bool_(): pd.BooleanDtype()}.get(arrow_type)


def csv_bytes(frame) -> bytes:
    """*frame* as the build writes a CSV (the contract above), through :class:`CsvSink` itself,
    so that every CSV xxgk writes -- the build's, ``xxgk indicators --out``, a chart's
    ``.sources.csv`` -- follows one rule."""
    import pyarrow as pa

    buffer = io.BytesIO()
    sink = CsvSink(buffer)
    sink.write(pa.Table.from_pandas(frame, preserve_index=False))
    sink.close()
    return buffer.getvalue()
