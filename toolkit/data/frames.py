"""The frames the loaders return and the build writes: their columns, dtypes and builders.

Every builder takes a list of :class:`ParsedReport` (a ``metadata.csv`` row, the
parsed report or the reason it could not be read) and returns a typed frame in a
fixed column and row order, so a frame built chunk by chunk (the build) and one
built at once (the loaders) are the same.
"""
from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from typing import Any

from .. import schema
from ..checks import FINDING_KEYS
from ..parsing import Report, mark_pre_template

__all__ = ["ParsedReport", "apply_metadata", "REPORT_COLUMNS", "TABLE_COLUMNS", "PARSE_LOG_COLUMNS",
           "AUDIT_COLUMNS", "reports_frame", "tables_frame", "parse_log_frame",
           "findings_frame", "statements_frame", "STATEMENT_COLUMNS", "table_template"]


@dataclass(frozen=True)
class ParsedReport:
    """One listed report: its ``metadata.csv`` row (plain Python values), the parsed
    :class:`~toolkit.parsing.Report` (``None`` when unreadable) and the one-line error."""

    meta: dict[str, Any]
    report: Report | None
    error: str | None = None

    @property
    def report_id(self) -> str:
        return str(self.meta["report_id"])


def apply_metadata(meta: dict[str, Any], report: Report) -> Report:
    """*report* with the curated ``metadata.csv`` values, which win over what the parser read."""
    return mark_pre_template(dataclasses.replace(
        report,
        report_id=meta.get("report_id") or report.report_id,
        agency=meta.get("agency") or report.agency,
        year=meta.get("year") if meta.get("year") is not None else report.year,
        title=meta.get("title") or report.title,
    ))


_TEXT_COLUMNS = ("report_id", "agency", "province", "city", "county", "adcode", "sector",
                 "title", "file", "sha256")
REPORT_COLUMNS = ["report_id", "agency", "province", "city", "county", "adcode", "admin_level",
                  "sector", "year", "title", "file", "sha256", "template", "has_t2", "has_t3",
                  "has_t4", "n_sections", "n_warnings", "status", "error"]
TABLE_COLUMNS = ["report_id", "table", "row", "column", "value", "status", "row_zh", "column_zh", "row_en",
                 "column_en"]
PARSE_LOG_COLUMNS = ["report_id", "file", "level", "message"]


def _by_id(parsed: list[ParsedReport]) -> list[ParsedReport]:
    return sorted(parsed, key=lambda p: p.report_id)


def reports_frame(parsed: list[ParsedReport]):
    """load_reports' frame for *parsed* (any order; sorted here)."""
    import pandas as pd

    rows = []
    for p in parsed:
        meta, report, error = p.meta, p.report, p.error
        row = {c: meta.get(c) for c in _TEXT_COLUMNS + ("admin_level", "year")}
        if report is None:
            row.update(template=None, has_t2=None, has_t3=None, has_t4=None, n_sections=None,
                       n_warnings=None, status="error", error=error)
        else:
            row.update(agency=report.agency, year=report.year, title=report.title,
                       template=report.template,
                       **{f"has_{t}": report.tables.get(t) is not None for t in ("t2", "t3", "t4")},
                       n_sections=sum(bool(s and s.strip()) for s in report.sections.values()),
                       n_warnings=len(report.warnings),
                       status="warnings" if report.warnings else "ok", error=None)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=REPORT_COLUMNS)
    dtypes: dict[str, Any] = {c: "string" for c in _TEXT_COLUMNS + ("error",)}
    dtypes.update(year="Int64", n_sections="Int64", n_warnings="Int64", has_t2="boolean",
                  has_t3="boolean", has_t4="boolean",
                  admin_level=pd.CategoricalDtype(["province", "city", "county"]),
                  template=pd.CategoricalDtype(["2021", "2019", "pre-2019"]),
                  status=pd.CategoricalDtype(["ok", "warnings", "error"]))
    frame = frame.astype(dtypes)
    return frame.sort_values("report_id", kind="stable", ignore_index=True)


@functools.lru_cache(maxsize=None)
def _template_cells(table: str, template: str | None) -> tuple[tuple[str, str, str, str, str, str], ...]:
    """(row, column, row_zh, column_zh, row_en, column_en) of every template cell, in order."""
    row_items, col_items = schema.items(table, template)
    rlab = {i.key: i for i in row_items}
    clab = {i.key: i for i in col_items}
    return tuple((r, c, rlab[r].zh, clab[c].zh, rlab[r].en, clab[c].en)
                 for r, c in schema.cells(table, template))


def table_template(report: Report) -> str | None:
    """The template whose cells a report's tables have: its own, or — when it has no
    table at all — the one its year calls for; ``None`` for reports before the fixed
    template (no tables expected, so none are listed as absent)."""
    if report.template in ("2021", "2019"):
        return report.template
    if report.template == "pre-2019":
        return None
    if report.year is not None and report.year < 2019:
        return None
    return "2019" if report.year in (2019, 2020) else "2021"


def tables_frame(parsed: list[ParsedReport], derived: bool = False):
    """load_tables' frame for *parsed*, built column by column (it is the largest frame).

    A table a report does not contain is listed with every template cell <NA> and
    status ``table_absent``; with *derived*, a missing cell the template's arithmetic
    implies gets that value and status ``derived``.
    """
    import pandas as pd

    cols: dict[str, list] = {c: [] for c in TABLE_COLUMNS}
    names = ("row", "column", "row_zh", "column_zh", "row_en", "column_en")
    for p in _by_id(parsed):
        report = p.report
        if report is None:
            continue
        template = table_template(report)
        if template is None:
            continue
        for t in ("t2", "t3", "t4"):
            table = report.tables.get(t)
            cells = _template_cells(t, template)
            if table is None:
                values = [None] * len(cells)
                status = ["table_absent"] * len(cells)
            else:
                if t == "t2":  # a t2 row the report leaves out is absent, not missing
                    cells = tuple(cell for cell in cells if cell[0] in table)
                values = [(table.get(r) or {}).get(c) for r, c, *_ in cells]
                status = [("read" if v is not None else report.status_of(t, r, c))
                          for v, (r, c, *_) in zip(values, cells)]
                if derived and report.derived.get(t):
                    extra = report.derived[t]
                    for k, (r, c, *_) in enumerate(cells):
                        if values[k] is None and (extra.get(r) or {}).get(c) is not None:
                            values[k], status[k] = extra[r][c], "derived"
            cols["report_id"].extend([p.report_id] * len(cells))
            cols["table"].extend([t] * len(cells))
            cols["value"].extend(values)
            cols["status"].extend(status)
            for i, name in enumerate(names):
                cols[name].extend([cell[i] for cell in cells])
    frame = pd.DataFrame({c: pd.array(v, dtype="Float64" if c == "value" else "string")
                          for c, v in cols.items() if c != "status"}, columns=TABLE_COLUMNS)
    frame["status"] = pd.Categorical(cols["status"], categories=list(schema.CELL_STATUS))
    return frame[TABLE_COLUMNS]


def parse_log_frame(parsed: list[ParsedReport]):
    """load_parse_log's frame for *parsed*."""
    import pandas as pd

    rows = []
    for p in parsed:
        meta, report, error = p.meta, p.report, p.error
        base = {"report_id": meta["report_id"], "file": meta.get("file")}
        if error is not None:
            rows.append({**base, "level": "error", "message": error})
        for w in (report.warnings if report is not None else []):
            rows.append({**base, "level": "warning", "message": w})
    frame = pd.DataFrame(rows, columns=PARSE_LOG_COLUMNS)
    frame = frame.astype({"report_id": "string", "file": "string", "message": "string",
                          "level": pd.CategoricalDtype(["warning", "error"])})
    return frame.sort_values("report_id", kind="stable", ignore_index=True)


AUDIT_COLUMNS = list(FINDING_KEYS)


def findings_frame(rows: list[dict]):
    """Findings (dicts as :func:`toolkit.checks.check_report` returns them) as audit()'s typed frame."""
    import pandas as pd

    dtypes = {"report_id": "string", "check": "string", "expected": "Float64", "actual": "Float64",
              "passed": "boolean", "detail": "string"}
    return pd.DataFrame({c: pd.array([r[c] for r in rows], dtype=dtypes[c]) for c in AUDIT_COLUMNS},
                        columns=AUDIT_COLUMNS)


STATEMENT_COLUMNS = ["report_id", "table", "row", "column", "value", "sentence", "start", "end"]


def statements_frame(parsed: list[ParsedReport]):
    """load_statements' frame: one row per number a report's narrative states about a table cell."""
    import pandas as pd

    cols: dict[str, list] = {c: [] for c in STATEMENT_COLUMNS}
    for p in _by_id(parsed):
        if p.report is None:
            continue
        for st in sorted(p.report.statements, key=lambda s: (s["start"], s["table"], s["row"], s["column"])):
            cols["report_id"].append(p.report_id)
            for c in STATEMENT_COLUMNS[1:]:
                cols[c].append(st[c])
    dtypes = {"report_id": "string", "table": "string", "row": "string", "column": "string", "value": "Float64",
              "sentence": "string", "start": "Int64", "end": "Int64"}
    return pd.DataFrame({c: pd.array(v, dtype=dtypes[c]) for c, v in cols.items()}, columns=STATEMENT_COLUMNS)
