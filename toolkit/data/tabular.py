"""Writing frames to CSV and Parquet chunk by chunk, and reading them back exactly.

The CSV contract (what every ``*.csv`` the build writes looks like): UTF-8 with
a byte-order mark (so Excel reads Chinese text correctly), a header row of the
frame's column names (quoted), ``\\n`` line ends, every text value in double
quotes (a quote inside doubled), an empty unquoted field for a missing value
(never 0), numbers unquoted in their shortest exact form (``3``, ``739.0766``),
booleans as ``true``/``false`` and categories as their labels.  The Parquet file holds the
same frame with its pandas dtypes, so :func:`read_frame` returns it unchanged.
"""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["TableSink", "read_frame", "arrow_types", "CSV_BOM", "csv_bytes"]

CSV_BOM = b"\xef\xbb\xbf"


class TableSink:
    """One output table, appended chunk by chunk to ``NAME.csv`` and ``NAME.parquet`` in *folder*."""

    def __init__(self, folder: Path, name: str):
        self.name, self.rows = name, 0
        self.paths = {ext: folder / f"{name}.{ext}" for ext in ("csv", "parquet")}
        self.csv = self.paths["csv"].open("wb")
        self.csv.write(CSV_BOM)
        self.parquet = None
        self.csv_writer = None
        self.schema = None

    def write(self, table) -> None:
        """Append an Arrow table (all chunks of one sink have the same schema)."""
        import pyarrow as pa
        import pyarrow.csv as pcsv
        import pyarrow.parquet as pq

        if self.schema is None:
            self.schema = table.schema
            self.parquet = pq.ParquetWriter(self.paths["parquet"], self.schema)
            # Dictionary columns (categories) are written as their labels.
            plain = pa.schema([f.with_type(f.type.value_type) if pa.types.is_dictionary(f.type) else f
                               for f in self.schema]).remove_metadata()
            self.plain = plain
            self.csv_writer = pcsv.CSVWriter(self.csv, plain, write_options=pcsv.WriteOptions(
                include_header=True, quoting_style="needed"))
        self.parquet.write_table(table)
        self.csv_writer.write_table(table.cast(self.plain))
        self.rows += table.num_rows

    def close(self) -> None:
        if self.csv_writer is not None:
            self.csv_writer.close()
            self.csv_writer = None
        if not self.csv.closed:
            self.csv.close()
        if self.parquet is not None:
            self.parquet.close()
            self.parquet = None


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
    """*frame* as the build writes a CSV (the contract above), through :class:`TableSink` itself,
    so that every CSV xxgk writes -- the build's, ``xxgk indicators --out``, a chart's
    ``.sources.csv`` -- follows one rule.  The sink works in a temporary folder, removed after."""
    import tempfile

    import pyarrow as pa

    with tempfile.TemporaryDirectory(prefix="xxgk-csv-") as tmp:
        sink = TableSink(Path(tmp), "frame")
        try:
            sink.write(pa.Table.from_pandas(frame, preserve_index=False))
        finally:
            sink.close()
        return (Path(tmp) / "frame.csv").read_bytes()
