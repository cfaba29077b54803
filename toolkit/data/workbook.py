"""The exports phase of ``xxgk build`` (:mod:`toolkit.data.build`): the frames' files listed, and
``xxgk.xlsx`` written from them when every sheet fits in Excel."""
from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from .tabular import TableSink

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["write_exports", "OUTPUTS", "EXCEL_MAX_ROWS", "WORKBOOK_DATE"]

#: The tables a build writes, each as ``NAME.csv`` and ``NAME.parquet``.
OUTPUTS = ("reports", "tables", "audit", "parse_log", "statements")
#: Data rows an Excel sheet holds below its header row.
EXCEL_MAX_ROWS = 1_048_575
#: The creation date written into xxgk.xlsx (any fixed one: the build date is not the data's).
WORKBOOK_DATE = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
_SHEETS = ("reports", "t2", "t3", "t4", "audit", "parse_log", "statements")


def write_exports(stage: Path, sinks: dict[str, TableSink], table_rows: dict[str, int], excel: bool,
                   sheets) -> tuple[list[str], dict[str, int]]:
    """The frames' files written, and ``xxgk.xlsx`` when asked for and every sheet fits;
    (the outputs written, the sheets too big for Excel with their rows)."""
    written = [f"{name}.{ext}" for name in OUTPUTS for ext in ("csv", "parquet")]
    rows = {"reports": sinks["reports"].rows, "audit": sinks["audit"].rows,
            "parse_log": sinks["parse_log"].rows, "statements": sinks["statements"].rows,
            **{t: table_rows.get(t, 0) for t in ("t2", "t3", "t4")}}
    too_big = {name: rows[name] for name in _SHEETS if rows[name] > EXCEL_MAX_ROWS} if excel else {}
    if excel and not too_big:
        _write_workbook(stage, sheets)
        written.append("xxgk.xlsx")
    return written, too_big


def _wide_table(tables, reports, table: str):
    """One table of the workbook laid out for reading: a row per report and table row, a column
    per template column, and ``missing`` saying why each empty cell is empty."""

    from .. import schema

    sub = tables[tables["table"] == table]
    columns = list(dict.fromkeys(c for template in ("2021", "2019") for _r, c in schema.cells(table, template)))
    keys = ["report_id", "row"]
    first = sub.drop_duplicates(keys)[keys + ["row_zh", "row_en"]].astype(object)
    values = sub.pivot(index=keys, columns="column", values="value")
    values = values.reindex(columns=[c for c in columns if c in values.columns])
    why = sub[sub["value"].isna()].astype({"column": object, "status": object})
    missing = (why["column"] + ": " + why["status"]).groupby([why["report_id"], why["row"].astype(object)]).agg("; ".join)
    wide = first.merge(values.reset_index().astype({"row": object}), on=keys, how="left", sort=False)
    wide = wide.merge(missing.rename("missing").reset_index(), on=keys, how="left", sort=False)
    who = reports[["report_id", "agency", "year"]]
    wide = who.merge(wide, on="report_id", how="right", sort=False)
    return wide[["report_id", "agency", "year", "row", "row_zh", "row_en", *values.columns, "missing"]]


def _write_workbook(out: Path, sheets: Sequence[tuple[str, Callable[[Path], "pd.DataFrame"]]] = ()) -> None:
    """xxgk.xlsx: the reports, each table laid out wide (a row per report and table row), the
    audit, the parse log and the statements, then *sheets* (name, frame of *out*); written row by
    row (constant memory).  A further sheet with more rows than Excel holds says so in its first
    cell instead."""
    import xlsxwriter

    from .tabular import read_frame

    tmp = out / "xxgk.xlsx.tmp"
    book = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "strings_to_formulas": False,
                                          "strings_to_urls": False, "strings_to_numbers": False})
    # A fixed creation date: the workbook's bytes depend on the corpus only, not on when it was built.
    book.set_properties({"created": WORKBOOK_DATE})
    try:
        reports = read_frame(out / "reports.parquet")
        tables = read_frame(out / "tables.parquet")
        for sheet in _SHEETS:
            if sheet in ("t2", "t3", "t4"):
                frame = _wide_table(tables, reports, sheet)
            elif sheet == "reports":
                frame = reports
            else:
                frame = read_frame(out / f"{sheet}.parquet")
            _write_sheet(book.add_worksheet(sheet), frame)
        for sheet, make in sheets:
            frame = make(out)
            ws = book.add_worksheet(sheet)
            if len(frame) > EXCEL_MAX_ROWS:
                ws.write_string(0, 0, f"{len(frame):,} rows, more than an Excel sheet holds: "
                                      f"see the CSV or xxgk.db")
            else:
                _write_sheet(ws, frame)
    finally:
        book.close()
    os.replace(tmp, out / "xxgk.xlsx")


def _write_sheet(ws, frame) -> None:
    import pandas as pd

    ws.write_row(0, 0, list(frame.columns))
    columns = [[None if v is pd.NA or v is None or v != v else v for v in frame[c].astype(object).tolist()]
               for c in frame.columns]
    for i, row in enumerate(zip(*columns), start=1):
        ws.write_row(i, 0, row)
