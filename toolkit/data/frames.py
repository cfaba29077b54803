"""The frames the loaders return and the build writes: their columns, dtypes and builders.

Each frame has one builder, which makes an Arrow table from a list of
:class:`ReportRecord` (a ``metadata.csv`` row, the parsed report or the reason it
could not be read); :func:`to_pandas` turns any of them into the typed pandas
frame the loaders return.  The build writes the same Arrow tables to CSV and
Parquet (in worker processes, a batch at a time), and a frame read back from the
Parquet file goes through the same :func:`to_pandas` — so the loaders' frames,
the build's files and a frame built chunk by chunk are one and the same.

pandas dtypes: text is ``string`` (Arrow-backed), counts ``Int64``, values
``Float64``, flags ``boolean``, closed vocabularies ``category`` with a fixed
category list (:data:`CATEGORIES`).
"""
from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from typing import Any

from .. import schema
from ..checks import FINDING_KEYS
from ..corpus.organs import organ_id
from ..parsing import Report, mark_pre_template
from ..parsing.section_items import split_section

__all__ = ["ReportRecord", "report_record", "apply_metadata", "REPORT_COLUMNS", "PARSE_LOG_COLUMNS",
           "AUDIT_COLUMNS", "STATEMENT_COLUMNS", "CATEGORIES", "reports_arrow",
           "tables_arrow", "parse_log_arrow", "findings_arrow", "statements_arrow", "to_pandas",
           "reports_frame", "tables_frame", "parse_log_frame", "findings_frame",
           "statements_frame", "table_template", "ITEM_COLUMNS", "REPORT_TEXT_COLUMNS", "item_id",
           "report_items", "report_text", "text_arrows"]


@dataclass(frozen=True)
class ReportRecord:
    """One listed report: its ``metadata.csv`` row (plain Python values), the parsed
    :class:`~toolkit.parsing.Report` (``None`` when unreadable) and the one-line error."""

    meta: dict[str, Any]
    report: Report | None
    error: str | None = None

    @property
    def report_id(self) -> str:
        return str(self.meta["report_id"])


def report_record(meta: dict[str, Any], outcome, path) -> ReportRecord:
    """A metadata row with its parse outcome: the report with the row's metadata applied, or the
    one-line error naming the file (*path*; without one, the report id)."""
    if outcome.report is not None:
        return ReportRecord(meta, apply_metadata(meta, outcome.report), None)
    where = path if path is not None else meta.get("report_id")
    return ReportRecord(meta, None, f"{where}: {outcome.error}")


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
REPORT_COLUMNS = ["report_id", "agency", "organ_id", "province", "city", "county", "adcode", "admin_level",
                  "sector", "year", "title", "file", "sha256", "template", "has_t2", "has_t3",
                  "has_t4", "n_sections", "n_warnings", "status", "error"]
PARSE_LOG_COLUMNS = ["report_id", "file", "level", "message"]
AUDIT_COLUMNS = list(FINDING_KEYS)
STATEMENT_COLUMNS = ["report_id", "table", "row", "column", "value", "sentence", "start", "end"]
#: The section 五 items' columns (``load_narratives()``'s but ``duplicate_of``, which needs every report).
ITEM_COLUMNS = ["item_id", "report_id", "agency", "year", "admin_level", "sector", "template", "part",
                "item", "text", "start", "end", "is_heading"]
#: A report's text: its sections as published (``text``) and its section 五 items' text as the
#: near-duplicate search compares it (``compared``; null without items).
REPORT_TEXT_COLUMNS = ["report_id", "agency", "year", "text", "compared"]

#: The fixed category lists of the ``category`` columns, by column name.
CATEGORIES: dict[str, list[str]] = {
    "admin_level": list(schema.ADMIN_LEVELS),
    "template": list(schema.TEMPLATES),
    "status": list(schema.CELL_STATUS),  # tables; the reports frame's status is below
    "report_status": ["ok", "warnings", "error"],
    "level": ["warning", "error"],
    # How a report's cells were read: its text (or text layer), or OCR of a scanned page.
    "source": ["text", "ocr"],
    "part": ["problem", "improvement"],  # section 五 items
}


# ------------------------------------------------------------------ Arrow <-> pandas


@functools.lru_cache(maxsize=None)
def _dictionary(name: str):
    import pyarrow as pa

    return pa.array(CATEGORIES[name], pa.large_string())


def _categorical(values: list[str | None], name: str):
    """An Arrow dictionary array over the full category list *name* (unused categories kept)."""
    import pyarrow as pa

    index = {c: i for i, c in enumerate(CATEGORIES[name])}
    codes = pa.array([None if v is None else index[v] for v in values], pa.int8())
    return pa.DictionaryArray.from_arrays(codes, _dictionary(name))


def _mapper(arrow_type):
    import pandas as pd
    import pyarrow as pa

    return {pa.string(): pd.StringDtype("pyarrow"), pa.large_string(): pd.StringDtype("pyarrow"),
            pa.float64(): pd.Float64Dtype(), pa.int64(): pd.Int64Dtype(),
            pa.bool_(): pd.BooleanDtype()}.get(arrow_type)


def to_pandas(table):
    """An Arrow table of this module (or read back from the build's Parquet) as its typed frame.

    Dictionary columns become ``category`` with their whole dictionary as the
    category list (the builders always give the full list, so an empty frame has it too).
    """
    return table.to_pandas(types_mapper=_mapper)


def _sorted(parsed: list[ReportRecord]) -> list[ReportRecord]:
    return sorted(parsed, key=lambda p: p.report_id)


# ------------------------------------------------------------------ reports


def _organ(cols: dict[str, list]) -> str | None:
    """organ_id of the report whose values were just appended to *cols*."""
    return organ_id(cols["agency"][-1], cols["adcode"][-1], cols["province"][-1], cols["city"][-1],
                    cols["county"][-1])


def reports_arrow(parsed: list[ReportRecord]):
    """load_reports' rows for *parsed*, as Arrow (sorted by report_id)."""
    import pyarrow as pa

    cols: dict[str, list] = {c: [] for c in REPORT_COLUMNS}
    for p in _sorted(parsed):
        meta, report = p.meta, p.report
        for c in _TEXT_COLUMNS + ("admin_level", "year"):
            cols[c].append(meta.get(c))
        if report is None:
            for c in ("template", "has_t2", "has_t3", "has_t4", "n_sections", "n_warnings"):
                cols[c].append(None)
            cols["status"].append("error")
            cols["error"].append(p.error)
            cols["organ_id"].append(_organ(cols))
            continue
        cols["agency"][-1], cols["year"][-1], cols["title"][-1] = report.agency, report.year, report.title
        cols["organ_id"].append(_organ(cols))
        cols["template"].append(report.template)
        for t in ("t2", "t3", "t4"):
            cols[f"has_{t}"].append(report.tables.get(t) is not None)
        cols["n_sections"].append(sum(bool(s and s.strip()) for s in report.sections.values()))
        cols["n_warnings"].append(len(report.warnings))
        cols["status"].append("warnings" if report.warnings else "ok")
        cols["error"].append(None)
    arrays = {}
    for c in REPORT_COLUMNS:
        if c in ("admin_level", "template"):
            arrays[c] = _categorical(cols[c], c)
        elif c == "status":
            arrays[c] = _categorical(cols[c], "report_status")
        elif c in ("year", "n_sections", "n_warnings"):
            arrays[c] = pa.array(cols[c], pa.int64())
        elif c.startswith("has_"):
            arrays[c] = pa.array(cols[c], pa.bool_())
        else:
            arrays[c] = pa.array(cols[c], pa.large_string())
    return pa.table(arrays)


# ------------------------------------------------------------------ tables


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


def _block_template(report: Report, table: str, template: str) -> str:
    """Whose rows *table* of *report* is listed with: the table's own template (a transition
    year's 2021 table 3 beside a 2019 table 2), and for a 2021 table 3 printing (六)其他处理
    as the one row ``other.all`` the 2019 rows (the same rows, with ``other.all``)."""
    own = (report.templates or {}).get(table) or template
    if table == "t3" and own == "2021" and "other.all" in (report.tables.get("t3") or {}):
        return "2019"
    return own


_LABELS = ("table", "row", "column", "row_zh", "column_zh", "row_en", "column_en")


@functools.lru_cache(maxsize=None)
def _cell_index() -> tuple[dict[str, tuple[Any, Any]], dict[tuple[str, str], list[tuple[str, int, tuple[str, ...]]]]]:
    """Every template cell once, and for each (table, template) its rows as ``(row key, first
    cell's position, column keys)``.  For each label column: (its dictionary — every label of
    every template, in template order — and each template cell's code in it), so a report's
    label columns are dictionary arrays built from positions, without copying a string."""
    import numpy as np
    import pyarrow as pa

    rows: dict[str, list[str]] = {c: [] for c in _LABELS}
    blocks: dict[tuple[str, str], list[tuple[str, int, tuple[str, ...]]]] = {}
    for template in ("2021", "2019"):
        for t in ("t2", "t3", "t4"):
            row_items, col_items = schema.items(t, template)
            rlab = {i.key: i for i in row_items}
            clab = {i.key: i for i in col_items}
            block: list[tuple[str, int, tuple[str, ...]]] = []
            for r, c in schema.cells(t, template):
                if not block or block[-1][0] != r:
                    block.append((r, len(rows["table"]), ()))
                block[-1] = (r, block[-1][1], (*block[-1][2], c))
                for name, value in (("table", t), ("row", r), ("column", c), ("row_zh", rlab[r].zh),
                                    ("column_zh", clab[c].zh), ("row_en", rlab[r].en), ("column_en", clab[c].en)):
                    rows[name].append(value)
            blocks[(t, template)] = block
    codes = {}
    for name, values in rows.items():
        dictionary = list(dict.fromkeys(values))
        index = {v: i for i, v in enumerate(dictionary)}
        codes[name] = (pa.array(dictionary, pa.large_string()), np.array([index[v] for v in values], np.int16))
    return codes, blocks


@functools.lru_cache(maxsize=None)
def _status_code() -> dict[str, int]:
    return {c: i for i, c in enumerate(CATEGORIES["status"])}


def tables_arrow(parsed: list[ReportRecord], derived: bool = False):
    """load_tables' rows for *parsed*, as Arrow (sorted by report_id, then template order).

    A table a report does not contain is listed with every template cell <NA> and
    status ``table_absent``; with *derived*, a missing cell the template's arithmetic
    implies gets that value and status ``derived``.
    """
    import pyarrow as pa

    labels, blocks = _cell_index()
    code = _status_code()
    read, absent, derived_code = code["read"], code["table_absent"], code["derived"]
    take: list[int] = []
    ids: list[str] = []
    values: list[Any] = []
    status: list[int] = []
    sources: list[int] = []
    for p in _sorted(parsed):
        report = p.report
        if report is None:
            continue
        template = table_template(report)
        if template is None:
            continue
        n = 0
        for t in ("t2", "t3", "t4"):
            table = report.tables.get(t)
            block = blocks[(t, template if table is None else _block_template(report, t, template))]
            if table is None:
                first, last = block[0][1], block[-1][1] + len(block[-1][2])
                take.extend(range(first, last))
                values.extend([None] * (last - first))
                status.extend([absent] * (last - first))
                n += last - first
                continue
            extra = report.derived.get(t) if derived else None
            for r, start, columns in block:
                row = table.get(r)
                if row is None and t == "t2":
                    continue  # a t2 row the report leaves out is absent, not missing
                vals = [row.get(c) for c in columns] if row is not None else [None] * len(columns)
                take.extend(range(start, start + len(columns)))
                n += len(columns)
                if None not in vals:
                    values.extend(vals)
                    status.extend([read] * len(vals))
                    continue
                for c, v in zip(columns, vals):
                    if v is not None:
                        status.append(read)
                    elif extra and (extra.get(r) or {}).get(c) is not None:
                        v = extra[r][c]
                        status.append(derived_code)
                    else:
                        status.append(code[report.status_of(t, r, c)])
                    values.append(v)
        ids.extend([p.report_id] * n)
        sources.extend([1 if report.ocr else 0] * n)
    import numpy as np

    positions = np.array(take, np.int64)
    label = {name: pa.DictionaryArray.from_arrays(pa.array(codes[positions]), dictionary)
             for name, (dictionary, codes) in labels.items()}
    return pa.table({
        "report_id": pa.array(ids, pa.large_string()),
        "table": label["table"], "row": label["row"], "column": label["column"],
        "value": pa.array(values, pa.float64()),
        "status": pa.DictionaryArray.from_arrays(pa.array(status, pa.int8()), _dictionary("status")),
        "row_zh": label["row_zh"], "column_zh": label["column_zh"],
        "row_en": label["row_en"], "column_en": label["column_en"],
        "source": pa.DictionaryArray.from_arrays(pa.array(sources, pa.int8()), _dictionary("source")),
    })


# ------------------------------------------------------------------ parse log, findings, statements


def parse_log_arrow(parsed: list[ReportRecord]):
    """load_parse_log's rows for *parsed*, as Arrow (sorted by report_id, then as logged)."""
    import pyarrow as pa

    cols: dict[str, list] = {c: [] for c in PARSE_LOG_COLUMNS}
    for p in _sorted(parsed):
        entries = ([("error", p.error)] if p.error is not None else []) + \
            [("warning", w) for w in (p.report.warnings if p.report is not None else [])]
        for level, message in entries:
            cols["report_id"].append(p.report_id)
            cols["file"].append(p.meta.get("file"))
            cols["level"].append(level)
            cols["message"].append(message)
    return pa.table({"report_id": pa.array(cols["report_id"], pa.large_string()),
                     "file": pa.array(cols["file"], pa.large_string()),
                     "level": _categorical(cols["level"], "level"),
                     "message": pa.array(cols["message"], pa.large_string())})


def findings_arrow(rows: list[dict]):
    """Findings (dicts as :func:`toolkit.checks.check_report` returns them), as Arrow, in order."""
    import pyarrow as pa

    types = {"report_id": pa.large_string(), "check": pa.large_string(), "expected": pa.float64(), "actual": pa.float64(),
             "passed": pa.bool_(), "detail": pa.large_string()}
    return pa.table({c: pa.array([r[c] for r in rows], types[c]) for c in AUDIT_COLUMNS})


def statements_arrow(parsed: list[ReportRecord]):
    """load_statements' rows for *parsed*, as Arrow (sorted by report_id, then position)."""
    import pyarrow as pa

    cols: dict[str, list] = {c: [] for c in STATEMENT_COLUMNS}
    for p in _sorted(parsed):
        if p.report is None:
            continue
        for st in sorted(p.report.statements, key=lambda s: (s["start"], s["table"], s["row"], s["column"])):
            cols["report_id"].append(p.report_id)
            for c in STATEMENT_COLUMNS[1:]:
                cols[c].append(st[c])
    types = {"value": pa.float64(), "start": pa.int64(), "end": pa.int64()}
    return pa.table({c: pa.array([float(v) if c == "value" and v is not None else v for v in vals],
                                 types.get(c, pa.large_string())) for c, vals in cols.items()})


# ------------------------------------------------------------------ pandas frames


def reports_frame(parsed: list[ReportRecord]):
    """load_reports' frame for *parsed* (any order; sorted here)."""
    return to_pandas(reports_arrow(parsed))


def tables_frame(parsed: list[ReportRecord], derived: bool = False):
    """load_tables' frame for *parsed*."""
    return to_pandas(tables_arrow(parsed, derived))


def parse_log_frame(parsed: list[ReportRecord]):
    """load_parse_log's frame for *parsed*."""
    return to_pandas(parse_log_arrow(parsed))


def findings_frame(rows: list[dict]):
    """audit()'s typed frame of findings, in the order given."""
    return to_pandas(findings_arrow(rows))


def statements_frame(parsed: list[ReportRecord]):
    """load_statements' frame for *parsed*."""
    return to_pandas(statements_arrow(parsed))


# ------------------------------------------------------------------ section 五 items and report text


def item_id(report_id: str, part: str, item: int) -> str:
    """The stable id of an item: ``<report_id>:<p|i><item>`` (``2023_5baa6a500d4520b8:p1``)."""
    return f"{report_id}:{part[0]}{int(item)}"


def report_items(p: ReportRecord) -> tuple[list[dict], str | None]:
    """The item rows of one report's section 五 (:data:`ITEM_COLUMNS`, split by
    :func:`~toolkit.parsing.section_items.split_section`) and its items' text as compared for
    near duplicates (None: no section 五 items)."""
    report = p.report
    if report is None:
        return [], None
    items = split_section(report.sections.get("5"))
    if not items:
        return [], None
    rid = p.report_id
    base = {"report_id": rid, "agency": report.agency, "year": report.year,
            "admin_level": p.meta.get("admin_level"), "sector": p.meta.get("sector"),
            "template": report.template}
    rows = [{"item_id": item_id(rid, it.part, it.item), **base, "part": it.part, "item": it.item,
             "text": it.text, "start": it.start, "end": it.end, "is_heading": it.is_heading} for it in items]
    return rows, "\n".join(it.text for it in items)


def report_text(report: Report) -> str:
    """A report's sections as published, joined by blank lines."""
    return "\n\n".join(s for s in report.sections.values() if s)


def text_arrows(parsed: list[ReportRecord]):
    """(the section 五 items, each report's text) of *parsed*, as Arrow tables of :data:`ITEM_COLUMNS`
    and :data:`REPORT_TEXT_COLUMNS`, sorted by report_id; a report's items in the order
    :func:`report_items` gives them (problems before improvements, then by item), and a row of
    text for each readable report."""
    import pyarrow as pa

    items: dict[str, list] = {c: [] for c in ITEM_COLUMNS}
    texts: dict[str, list] = {c: [] for c in REPORT_TEXT_COLUMNS}
    for p in _sorted(parsed):
        if p.report is None:
            continue
        rows, compared = report_items(p)
        for row in rows:
            for c in ITEM_COLUMNS:
                items[c].append(row[c])
        for c, value in (("report_id", p.report_id), ("agency", p.report.agency), ("year", p.report.year),
                         ("text", report_text(p.report)), ("compared", compared)):
            texts[c].append(value)
    numbers = {"year": pa.int64(), "item": pa.int64(), "start": pa.int64(), "end": pa.int64(), "is_heading": pa.bool_()}
    return (pa.table({c: _categorical(vals, c) if c in ("admin_level", "template", "part")
                      else pa.array(vals, numbers.get(c, pa.large_string())) for c, vals in items.items()}),
            pa.table({c: pa.array(vals, numbers.get(c, pa.large_string())) for c, vals in texts.items()}))
