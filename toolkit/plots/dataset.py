"""The whole ``xxgk build``: the dataset (:func:`toolkit.data.build.build`), the indicators computed
once from it, the workbook's indicators sheet, the database and the charts.

:func:`build_dataset` is what the command line and ``tk.Corpus(...).build()`` both call, so a build from
Python writes what ``xxgk build`` writes.  The steps it hands the build are small functions that
import their libraries only when they run: an up-to-date build compares files with the manifest
and imports nothing else.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path

__all__ = ["build_dataset"]


#: The columns of each frame that compute_indicators reads.
_READ = {"reports": ["report_id", "organ_id", "agency", "year", "template", "has_t2", "has_t3", "has_t4"],
         "tables": ["report_id", "table", "row", "column", "value", "status"],
         "statements": ["report_id", "table", "row", "column", "value"]}


class _Indicators:
    """Every report's indicators, computed chunk by chunk from the frames the build is writing
    (a report's indicators depend on its own cells and statements only, so the chunks' laid end
    to end are :func:`toolkit.indicators`) into the build's working file
    :data:`~toolkit.analysis.chart_data.INDICATORS_FILE`."""

    def __init__(self, stage: Path):
        from ..analysis.chart_data import INDICATORS_FILE

        self.target = stage / INDICATORS_FILE
        self.writer = self.schema = None

    def add(self, tables: dict) -> None:
        import pyarrow as pa

        from ..analysis.indicator_frames import compute_indicators
        from ..data.frames import to_pandas
        from ..data.tabular import parquet_writer

        # Only the columns compute_indicators reads are made into pandas (the labels are not).
        frame = compute_indicators(*(to_pandas(tables[name].select(columns)) for name, columns in _READ.items()))
        table = pa.Table.from_pandas(frame, preserve_index=False)
        if self.writer is None:
            self.schema = table.schema
            self.target.parent.mkdir(parents=True, exist_ok=True)
            self.writer = parquet_writer(self.target, self.schema)
        # A chunk whose column is all missing has a null type there: the first chunk's types hold.
        self.writer.write_table(table if table.schema.equals(self.schema) else table.cast(self.schema))

    def close(self) -> list[str]:
        writer, self.writer = self.writer, None
        if writer is not None:
            writer.close()
        return []  # a working file of the build, not one of its outputs


def indicators(stage: Path) -> _Indicators:
    """Every report's indicators, computed once, as the build writes its frames."""
    return _Indicators(stage)


def indicators_sheet(stage: Path):
    """The workbook's ``indicators`` sheet: the indicators the build computed."""
    from ..analysis.chart_data import read_built_indicators

    return read_built_indicators(stage)


def database(stage: Path, corpus: str | None = None) -> list[str]:
    """``xxgk.db`` (:func:`toolkit.analysis.database.write_database`)."""
    from ..analysis.database import write_database

    return write_database(stage, corpus=corpus)


def charts(stage: Path, jobs: int | None = None, corpus: str | None = None) -> list[str]:
    """``charts/`` (:func:`toolkit.plots.write_charts`), drawn from what the build computed."""
    from .output import write_charts

    return write_charts(stage, jobs=jobs, corpus=corpus)


def build_dataset(corpus: str | os.PathLike | None = None, out: str | os.PathLike | None = None, *,
                  jobs: int | None = None, cache: bool = True, excel: bool = True, charts_too: bool = True,
                  progress: bool | None = None, data_home: str | os.PathLike | None = None):
    """``xxgk build``: :func:`toolkit.data.build.build` of *corpus* into *out* with the indicators
    (computed once, for the workbook sheet, the database and the charts), ``xxgk.db`` and, with
    *charts_too*, ``charts/``.  Arguments and errors as that function's."""
    from ..corpus import corpus_dir
    from ..data.build import build

    root = str(corpus_dir(corpus))
    extras = [functools.partial(charts, jobs=jobs, corpus=root)] if charts_too else []
    extras.append(functools.partial(database, corpus=root))
    return build(corpus, out, jobs=jobs, cache=cache, excel=excel, progress=progress, extras=extras,
                 sheets=[("indicators", indicators_sheet)], derived=[indicators], data_home=data_home)
