"""``xxgk.db``: the dataset as one SQLite database, for browsing in Datasette or any SQLite tool.

:func:`write_database` is one of the build's extra outputs: it reads back the
Parquet files a build just wrote (the loaders' frames exactly), computes the
indicators from them (:func:`toolkit.analysis.compute_indicators`, what
:func:`toolkit.indicators` returns), reads the section 五 items and the reports' text the
build staged as it parsed (what :func:`toolkit.load_narratives` returns; from the build's
parse cache when an older build staged none), and writes

============== ===============================================================
reports        ``load_reports()`` plus ``source``, ``source_url`` and
               ``retrieved`` from ``metadata.csv``
tables         ``load_tables()`` (tidy: one row per cell, with its status)
indicators     ``indicators()`` (every column it returns)
narratives     ``load_narratives()``
statements     ``load_statements()``
audit          ``audit()``
report_text    each report's sections as published, one row per report
============== ===============================================================

``tables``, ``audit`` and ``indicators`` are views (:data:`CODED`): their rows
are stored as integers and numbers (``cells``, ``findings``,
``indicator_values``) with each repeated string (a cell's seven labels, a
status, a report id, a check and its detail, an indicator's name) once in a
lookup table, and the view joins them back into the frame's columns and
values.  With indexes on organ, year, region, report and table/row/column,
FTS5 indexes on ``narratives.text`` and ``report_text.text`` (SQLite's
``trigram`` tokenizer: see ``docs/DATABASE.md`` for why) and the views of
:data:`VIEWS`.  Missing values are NULL, never 0.  :func:`datasette_metadata`
describes every table, view and column in Chinese and English for ``xxgk serve``.
"""
from __future__ import annotations

import os
from pathlib import Path
from collections.abc import Iterator
from typing import Any

__all__ = ["write_database", "built_indicators", "datasette_metadata", "DB_FILE", "TABLES", "VIEWS", "QUERIES", "FTS_TOKENIZER",
           "database_frames", "CODED", "STORAGE"]

DB_FILE = "xxgk.db"
#: Chinese has no spaces between words; the trigram tokenizer indexes every run of three
#: characters, so a search finds a term wherever it occurs, as ``kwic`` does.
FTS_TOKENIZER = "trigram"

_SOURCE = "各机关政府信息公开工作年度报告 / The organs' annual government information disclosure reports"
_LICENSE = "未声明：报告由各机关依《政府信息公开条例》第五十条公开发布 / Not stated by the publishers " \
           "(official reports published under Art. 50 of the Regulations on Open Government Information)"

# name: (zh, en, unit) of every column the database holds, table by table.
_C = dict[str, tuple[str, str, str]]
_REPORT_COLUMNS: _C = {
    "report_id": ("报告编号（metadata.csv）", "Report id from metadata.csv", ""),
    "agency": ("发布机关", "Reporting organ", ""),
    "organ_id": ("机关编号（跨年度稳定）", "Organ id, stable across years", ""),
    "province": ("省级行政区", "Province", ""),
    "city": ("地级行政区", "City (prefecture)", ""),
    "county": ("县级行政区", "County", ""),
    "adcode": ("行政区划代码（六位）", "Six-digit administrative division code", ""),
    "admin_level": ("行政层级：province/city/county", "Administrative level: province, city or county", ""),
    "sector": ("领域（如民政）", "Policy sector (e.g. 民政 civil affairs)", ""),
    "year": ("报告年度", "Report year", "年 / year"),
    "title": ("报告标题", "Report title", ""),
    "file": ("语料库中的文件（相对路径）", "File in the corpus (relative path)", ""),
    "sha256": ("文件 SHA-256", "SHA-256 of the file", ""),
    "template": ("表格模板：2021、2019、pre-2019", "Table template: 2021, 2019 or pre-2019", ""),
    "has_t2": ("含表二（主动公开）", "Contains table 2 (proactive disclosure)", "0/1"),
    "has_t3": ("含表三（依申请公开）", "Contains table 3 (applications)", "0/1"),
    "has_t4": ("含表四（复议诉讼）", "Contains table 4 (reconsideration, litigation)", "0/1"),
    "n_sections": ("读到的章节数", "Sections found", "个 / sections"),
    "n_warnings": ("解析警告数", "Parser warnings", "条 / warnings"),
    "status": ("解析状态：ok/warnings/error", "Parse status: ok, warnings or error", ""),
    "error": ("无法读取的原因", "Why the file could not be read", ""),
    "source": ("来源说明（metadata.csv）", "Source note from metadata.csv", ""),
    "source_url": ("原文网址", "URL the report was downloaded from", ""),
    "retrieved": ("获取日期（加入语料库之日，UTC）", "Retrieval date (the day it was added to the corpus, UTC)",
                  "YYYY-MM-DD"),
}
_TABLE_COLUMNS: _C = {
    "report_id": _REPORT_COLUMNS["report_id"],
    "table": ("表：t2/t3/t4", "Table: t2, t3 or t4", ""),
    "row": ("行（模板键）", "Row (template key)", ""),
    "column": ("列（模板键）", "Column (template key)", ""),
    "value": ("数值，读不准则为空", "The number as published; NULL when it could not be read with certainty",
              "件/万元 (per row)"),
    "status": ("单元格状态（read、blank、ambiguous、table_absent 等）",
               "Cell status (read, blank, ambiguous, table_absent, …): why a value is NULL", ""),
    "row_zh": ("行名（中文）", "Row label in Chinese", ""),
    "column_zh": ("列名（中文）", "Column label in Chinese", ""),
    "row_en": ("行名（英文）", "Row label in English", ""),
    "column_en": ("列名（英文）", "Column label in English", ""),
    "source": ("读取方式：text（文本层）或 ocr（扫描件识别，仅在表内勾稽关系核实时计为 read）",
               "How the report was read: text (its text layer) or ocr (a scan; a number counts as read "
               "only when the table's arithmetic vouches for it)", ""),
}
_INDICATOR_COLUMNS: _C = {
    "report_id": _REPORT_COLUMNS["report_id"],
    "organ_id": _REPORT_COLUMNS["organ_id"],
    "agency": _REPORT_COLUMNS["agency"],
    "year": _REPORT_COLUMNS["year"],
    "template": _REPORT_COLUMNS["template"],
    "indicator": ("指标名", "Indicator name", ""),
    "numerator": ("比例的分子", "Rates: the cases counted", "件 / cases"),
    "denominator": ("比例的分母", "Rates: the cases they are counted among", "件 / cases"),
    "value": ("指标值（计数、金额或比例）", "The count, amount or rate", "件/万元/比例"),
    "ci_low": ("Wilson 95% 置信区间下限", "Wilson 95% interval, lower end", "比例 / share"),
    "ci_high": ("Wilson 95% 置信区间上限", "Wilson 95% interval, upper end", "比例 / share"),
    "source": ("来源：table（表格）或 stated（正文所述）", "Source: table, or stated in the text", ""),
    "reason": ("值为空的原因", "Why value is NULL", ""),
    "conflict": ("所依据的表格单元格与正文所述数字不一致（或与之有勾稽关系）",
                 "Rests on a table cell the report's own text contradicts, or on a cell the template's "
                 "sums tie to it", ""),
}
_NARRATIVE_COLUMNS: _C = {
    "item_id": ("条目编号 <report_id>:<p|i><序号>", "Item id <report_id>:<p|i><item>", ""),
    "report_id": _REPORT_COLUMNS["report_id"],
    "agency": _REPORT_COLUMNS["agency"],
    "year": _REPORT_COLUMNS["year"],
    "admin_level": _REPORT_COLUMNS["admin_level"],
    "sector": _REPORT_COLUMNS["sector"],
    "template": _REPORT_COLUMNS["template"],
    "part": ("部分：problem（问题）或 improvement（改进）", "Part: problem or improvement", ""),
    "item": ("序号（0 为引言）", "Item number (0: lead-in)", ""),
    "text": ("条目原文", "The item's text as published", ""),
    "start": ("在第五部分中的起始位置", "Offset of the item in section 五", "字符 / characters"),
    "end": ("在第五部分中的结束位置", "Offset just past the item", "字符 / characters"),
    "is_heading": ("仅为标题", "The item is only a heading", "0/1"),
    "duplicate_of": ("与之几乎重复的较早报告", "Earlier report this report nearly repeats", ""),
}
_STATEMENT_COLUMNS: _C = {
    "report_id": _REPORT_COLUMNS["report_id"],
    "table": _TABLE_COLUMNS["table"],
    "row": _TABLE_COLUMNS["row"],
    "column": _TABLE_COLUMNS["column"],
    "value": ("正文所述数字", "The number the text states about the cell", "件/万元"),
    "sentence": ("所在句子", "The sentence stating it", ""),
    "start": ("句子在报告正文中的起始位置", "Offset of the sentence in the report's clean text", "字符 / characters"),
    "end": ("句子结束位置", "Offset just past the sentence", "字符 / characters"),
}
_AUDIT_COLUMNS: _C = {
    "report_id": _REPORT_COLUMNS["report_id"],
    "check": ("核查项", "Check name", ""),
    "expected": ("应得数值", "Value the template's arithmetic expects", "件"),
    "actual": ("实际数值", "Value found", "件"),
    "passed": ("通过：1 通过、0 未通过、空为无法核查", "Passed: 1 yes, 0 no, NULL not checkable", "0/1"),
    "detail": ("说明", "Explanation", ""),
}
_TEXT_COLUMNS: _C = {
    "report_id": _REPORT_COLUMNS["report_id"],
    "agency": _REPORT_COLUMNS["agency"],
    "year": _REPORT_COLUMNS["year"],
    "text": ("报告各部分原文", "The report's sections as published", ""),
}

#: table: (zh, en, {column: (zh, en, unit)}).
TABLES: dict[str, tuple[str, str, _C]] = {
    "reports": ("报告：每份报告一行，含标题、原文网址、获取日期、机关、地区、层级",
                "Reports: one row per report, with title, source URL, retrieval date, organ, region and level",
                _REPORT_COLUMNS),
    "tables": ("表格数据：每个单元格一行，含状态", "Table cells, tidy: one row per cell, with its status",
               _TABLE_COLUMNS),
    "indicators": ("指标：每份报告每个指标一行，含分子分母、置信区间、来源",
                   "Indicators: one row per report and indicator, with n, interval and source",
                   _INDICATOR_COLUMNS),
    "narratives": ("第五部分（存在的主要问题及改进情况）的条目", "Section 五 (problems and improvements), one row per item",
                   _NARRATIVE_COLUMNS),
    "statements": ("正文中关于表格单元格的数字", "Numbers the report's text states about table cells",
                   _STATEMENT_COLUMNS),
    "audit": ("核查结果（勾稽关系）", "Audit findings (the template's arithmetic)", _AUDIT_COLUMNS),
    "report_text": ("报告原文（各部分）", "Report text (its sections)", _TEXT_COLUMNS),
}

#: name: (zh, en, SQL) of the views.
VIEWS: dict[str, tuple[str, str, str]] = {
    "organ_indicators_by_year": (
        "某机关各年度指标", "An organ's indicators by year",
        """SELECT i.organ_id, i.agency, r.province, r.city, r.county, r.admin_level, i.indicator, i.year,
       i.value, i.numerator, i.denominator, i.ci_low, i.ci_high, i.source, i.reason, i.report_id
FROM indicators i JOIN reports r ON r.report_id = i.report_id
ORDER BY i.organ_id, i.indicator, i.year, i.report_id"""),
    "refusals_by_reason_by_province": (
        "各省不予公开、无法提供、不予处理的理由（表三合计列）",
        "Refusals by reason by province (table 3, total column)",
        """SELECT r.province, t.row AS reason, t.row_zh AS reason_zh, t.row_en AS reason_en,
       SUM(t.value) AS cases, COUNT(t.value) AS reports_with_value,
       COUNT(*) - COUNT(t.value) AS reports_missing
FROM tables t JOIN reports r ON r.report_id = t.report_id
WHERE t."table" = 't3' AND t."column" = 'total'
  AND (t.row LIKE 'denied.%' OR t.row LIKE 'unavailable.%' OR t.row LIKE 'not_processed.%')
GROUP BY r.province, t.row, t.row_zh, t.row_en
ORDER BY r.province, t.row"""),
}
_VIEW_COLUMNS: dict[str, _C] = {
    "organ_indicators_by_year": {**{c: _INDICATOR_COLUMNS[c] for c in (
        "organ_id", "agency", "indicator", "year", "value", "numerator", "denominator", "ci_low", "ci_high",
        "source", "reason", "report_id")}, **{c: _REPORT_COLUMNS[c] for c in (
            "province", "city", "county", "admin_level")}},
    "refusals_by_reason_by_province": {
        "province": _REPORT_COLUMNS["province"],
        "reason": ("理由（表三行键）", "Reason (table 3 row key)", ""),
        "reason_zh": ("理由（中文）", "Reason in Chinese", ""),
        "reason_en": ("理由（英文）", "Reason in English", ""),
        "cases": ("件数合计（仅计有数值的报告，为下限）",
                  "Cases summed over the reports with a value (a lower bound when some are missing)", "件 / cases"),
        "reports_with_value": ("有数值的报告数", "Reports with a value", "份 / reports"),
        "reports_missing": ("数值缺失的报告数（未计入）", "Reports whose value is missing (not counted)",
                            "份 / reports"),
    },
}

#: The tables that hold the coded ones (:data:`CODED`): name: (zh, en).  Their columns are
#: described from the views' (a code column: "code into <lookup>").
STORAGE: dict[str, tuple[str, str]] = {
    "cells": ("表格单元格（存储）：每格一行，标签、状态以编号表示；视图 tables 还原为文字",
              "Table cells as stored: one row per cell, labels and status as codes; the view tables gives "
              "them back as text"),
    "report_keys": ("报告编号对照（tables、audit 用）", "Report codes and their report_id (for tables and audit)"),
    "cell_labels": ("单元格标签：表、行、列及中英文名", "Cell labels: table, row, column and their names"),
    "statuses": ("单元格状态", "Cell statuses"),
    "cell_sources": ("读取方式", "How a report was read"),
    "findings": ("核查结果（存储）：核查项、说明以编号表示；视图 audit 还原为文字",
                 "Audit findings as stored: check and detail as codes; the view audit gives them back"),
    "audit_checks": ("核查项及其说明", "Checks and their explanations"),
    "indicator_values": ("指标值（存储）：报告、指标以编号表示；视图 indicators 还原为文字",
                         "Indicator values as stored: report and indicator as codes; the view indicators "
                         "gives them back"),
    "indicator_reports": ("指标所属报告：机关、年度、模板", "The reports of the indicators: organ, year, template"),
    "indicator_kinds": ("指标名、来源及值为空的原因", "Indicator names, sources and why a value is NULL"),
}


def _storage_columns() -> dict[str, _C]:
    """The columns of every table of :data:`STORAGE`, described from the views they make."""
    out: dict[str, _C] = {}
    for view, (stored, coded) in CODED.items():
        spec = TABLES[view][2]
        codes: _C = {code: (f"编号，见 {table}", f"Code into {table}", "") for code, (table, _c) in coded.items()}
        in_lookup = {c for _t, columns in coded.values() for c in columns}
        out[stored] = {**codes, **{c: d for c, d in spec.items() if c not in in_lookup}}
        for code, (table, columns) in coded.items():
            out[table] = {code: ("编号", "Code", ""), **{c: spec[c] for c in columns}}
    return out


#: Canned queries for Datasette: name: (title, description, SQL).
QUERIES: dict[str, tuple[str, str, str]] = {
    "search_narratives": (
        "搜索第五部分条目 / Search section 五 items",
        "全文检索（三字及以上；一两个字请用 phrase 查询）/ Full-text search, 3 characters or more "
        "(for 1–2 characters use the phrase query)",
        """SELECT n.item_id, n.agency, n.year, n.part, n.item, n.text
FROM narratives n JOIN narratives_fts f ON f.rowid = n.rowid
WHERE narratives_fts MATCH '"' || replace(:term, '"', '""') || '"'
ORDER BY n.report_id, n.part, n.item"""),
    "phrase_in_narratives": (
        "任意长度的词语 / A phrase of any length in section 五 items",
        "子串匹配，适用于两个字的词如 公开 / Substring match, for 2-character terms such as 公开",
        """SELECT item_id, agency, year, part, item, text FROM narratives
WHERE instr(text, :phrase) > 0 ORDER BY report_id, part, item"""),
    "organ_indicators": (
        "某机关各年度指标 / An organ's indicators by year",
        "机关名称或编号 / Organ name or id",
        """SELECT * FROM organ_indicators_by_year
WHERE organ_id = :organ OR agency = :organ ORDER BY indicator, year"""),
    "refusals_in_province": (
        "某省的拒绝理由 / Refusals by reason in one province",
        "省份全称，如 河北省 / Full province name, e.g. 河北省",
        """SELECT * FROM refusals_by_reason_by_province WHERE province = :province ORDER BY cases DESC"""),
}

#: The tables kept coded: name: (the table that holds its rows, {code column: (lookup table, the
#: frame's columns it stands for)}).  A lookup table holds each distinct tuple of its columns once
#: (a cell's seven labels, a report id), the rows only its code; the frame's other columns are
#: stored as they are.  *name* itself is a view that gives the frame's columns and values back.
CODED: dict[str, tuple[str, dict[str, tuple[str, list[str]]]]] = {
    "tables": ("cells", {
        "report": ("report_keys", ["report_id"]),
        "cell": ("cell_labels", ["table", "row", "column", "row_zh", "column_zh", "row_en", "column_en"]),
        "status_code": ("statuses", ["status"]),
        "source_code": ("cell_sources", ["source"]),
    }),
    "audit": ("findings", {
        "report": ("report_keys", ["report_id"]),
        "finding": ("audit_checks", ["check", "detail"]),
    }),
    "indicators": ("indicator_values", {
        "report": ("indicator_reports", ["report_id", "organ_id", "agency", "year", "template"]),
        "kind": ("indicator_kinds", ["indicator", "source", "reason"]),
    }),
}
# A lookup table is also indexed on all its columns, in the order given (report_id; table, row,
# column, …; check, detail; report_id, organ_id, …; indicator, source, reason).
_INDEXES = {
    "reports": [["organ_id"], ["year"], ["province"], ["province", "city", "county"], ["admin_level"]],
    "cells": [["report"], ["cell"]],
    "indicator_values": [["report"], ["kind"]],
    "indicator_reports": [["organ_id"], ["year"]],
    "narratives": [["report_id"], ["year"]],
    "statements": [["report_id"]],
    "findings": [["report"], ["finding"]],
}
_PRIMARY_KEYS = {"reports": "report_id", "narratives": "item_id", "report_text": "report_id"}


#: Rows per INSERT batch, and reports per chunk read from the parse cache (a build that staged no
#: text): what is held in memory at once, whatever the corpus's size.
BATCH_ROWS = 20_000
CHUNK_REPORTS = 1000
#: Rows per INSERT batch of ``report_text``: a report's whole text is long (about 2,300 characters
#: in the synthetic corpus, often far more in real ones), and a batch is held three times over
#: (Arrow, Python strings, SQLite's copy), so 20,000 of them took some 300 MiB.
TEXT_BATCH_ROWS = 500


def _sql_type(dtype) -> type:
    import pandas as pd

    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_integer_dtype(dtype):
        return int
    if pd.api.types.is_float_dtype(dtype):
        return float
    return str


def _pylist(array) -> list:
    """An Arrow column as plain Python values, at C speed: missing (null, or NaN) is None (NULL),
    booleans 0/1, a dictionary column its labels (looked up through its codes)."""
    import numpy as np
    import pyarrow as pa

    kind = array.type
    if pa.types.is_dictionary(kind):
        labels = np.array([*_pylist(array.dictionary), None], dtype=object)
        return labels[array.indices.fill_null(-1).to_numpy(zero_copy_only=False)].tolist()
    if pa.types.is_boolean(kind) or pa.types.is_integer(kind) or pa.types.is_floating(kind):
        values = array.cast(pa.float64() if pa.types.is_floating(kind) else pa.int64())
        numbers = values.fill_null(0).to_numpy(zero_copy_only=False)
        missing = values.is_null().to_numpy(zero_copy_only=False)
        if pa.types.is_floating(kind):
            missing = missing | np.isnan(numbers)
        out = numbers.tolist()
        for i in np.flatnonzero(missing).tolist():
            out[i] = None
        return out
    return array.to_numpy(zero_copy_only=False).tolist()


def _arrow(frame):
    """A frame of the loaders as Arrow (its categories as dictionaries)."""
    import pyarrow as pa

    return pa.Table.from_pandas(frame, preserve_index=False)


_SQL_TYPES = {int: "INTEGER", float: "FLOAT", str: "TEXT"}


def _columns_sql(empty, pk: str | None = None) -> str:
    return ", ".join(f"[{c}] {_SQL_TYPES[_sql_type(empty[c].dtype)]}" + (" PRIMARY KEY" if c == pk else "")
                     for c in empty.columns)


class _Writer:
    """Appends rows to one table of the database (executemany, one transaction per batch)."""

    #: Parameters per INSERT statement: many rows per statement halve the cost of a row (a
    #: statement run once per row costs as much as the row itself).
    PARAMETERS = 500

    def __init__(self, con, name: str, columns: list[str]):
        self.con, self.name, self.columns = con, name, columns
        self.per = max(1, self.PARAMETERS // len(columns))
        head = f"INSERT INTO [{name}] ({', '.join(f'[{c}]' for c in columns)}) VALUES "
        row = f"({', '.join('?' for _ in columns)})"
        self.sql, self.sql_many = head + row, head + ", ".join([row] * self.per)

    @classmethod
    def create(cls, con, name: str, empty, pk: str | None = None, temp: bool = False) -> "_Writer":
        """A new table with the columns of the frame *empty*, typed as its dtypes (a TEMP one,
        outside the database file, for staging)."""
        con.execute(f"CREATE {'TEMP ' if temp else ''}TABLE [{name}] ({_columns_sql(empty, pk)})")
        return cls(con, name, list(empty.columns))

    def write(self, frame) -> None:
        """Append a pandas frame or an Arrow record batch with these columns."""
        if hasattr(frame, "dtypes"):
            for batch in _arrow(frame[self.columns]).to_batches(max_chunksize=BATCH_ROWS):
                self.write(batch)
            return
        self.write_columns([_pylist(frame.column(c)) for c in self.columns])

    def write_columns(self, columns: list[list]) -> None:
        """Append rows given as columns of plain Python values (all of the same length)."""
        width, rows = len(columns), len(columns[0])
        flat: list = [None] * (width * rows)  # row after row, the columns interleaved
        for i, column in enumerate(columns):
            flat[i::width] = column
        whole = rows // self.per * self.per * width
        with self.con:
            self.con.executemany(self.sql_many, zip(*[iter(flat[:whole])] * (self.per * width)))
            self.con.executemany(self.sql, zip(*[iter(flat[whole:])] * width))


class _Lookup:
    """A lookup table ``(code INTEGER PRIMARY KEY, <columns>)``, one row per distinct tuple of
    values (NULL included), coded in the order first seen.  Only the most recent codes stay in
    memory; an older value is looked up in the table, so memory is bounded whatever the number
    of distinct values (report ids, audit details)."""

    KEEP = 50_000

    def __init__(self, con, name: str, code: str, columns: list[str], types: list[str]):
        self.con, self.name, self.code, self.columns = con, name, code, columns
        con.execute(f"CREATE TABLE [{name}] ([{code}] INTEGER PRIMARY KEY, "
                    + ", ".join(f"[{c}] {t}" for c, t in zip(columns, types)) + ")")
        con.execute(f"CREATE UNIQUE INDEX [idx_{name}_{'_'.join(columns)}] ON [{name}] "
                   f"({', '.join(f'[{c}]' for c in columns)})")
        self.known: dict[tuple, int] = {}
        self.next = 0
        self.find = (f"SELECT [{code}] FROM [{name}] WHERE "
                     + " AND ".join(f"[{c}] IS ?" for c in columns))
        self.add = f"INSERT INTO [{name}] VALUES ({', '.join('?' * (len(columns) + 1))})"

    def codes(self, keys: list[tuple]) -> list[int]:
        """The codes of *keys* (tuples of the columns' values), new ones added."""
        out = []
        for key in keys:
            code = self.known.get(key)
            if code is None:
                found = self.con.execute(self.find, key).fetchone() if self.next > len(self.known) else None
                if found is None:
                    code, self.next = self.next, self.next + 1
                    self.con.execute(self.add, (code, *key))
                else:
                    code = found[0]
                if len(self.known) >= self.KEEP:
                    self.known.clear()
                self.known[key] = code
            out.append(code)
        return out

    def encode(self, arrays: list) -> list[int]:
        """The code of each row of these Arrow columns (one per lookup column): the columns'
        dictionary codes (Arrow's, or made by hashing) combined into one number per row, each
        distinct number looked up once."""
        import numpy as np
        import pyarrow as pa

        indices, labels = [], []
        for array in arrays:
            encoded = array if pa.types.is_dictionary(array.type) else array.dictionary_encode()
            labels.append([*_pylist(encoded.dictionary), None])
            indices.append(encoded.indices.fill_null(len(labels[-1]) - 1).to_numpy(zero_copy_only=False)
                           .astype(np.int64))
        radices = [len(lab) for lab in labels]
        if np.prod([float(r) for r in radices]) >= 2.0 ** 62:  # too many labels to combine in 64 bits
            distinct, inverse = np.unique(np.stack(indices, axis=1), axis=0, return_inverse=True)
            rows = distinct.tolist()
        else:
            combined = indices[0]
            for index, radix in zip(indices[1:], radices[1:]):
                combined = combined * radix + index
            encoded = pa.array(combined).dictionary_encode()
            distinct, inverse = encoded.dictionary.to_numpy(), encoded.indices.to_numpy()
            parts = []
            for radix in reversed(radices):
                parts.append((distinct % radix).tolist())
                distinct = distinct // radix
            rows = zip(*reversed(parts))
        keys = [tuple(lab[i] for lab, i in zip(labels, row)) for row in rows]
        return np.asarray(self.codes(keys), dtype=np.int64)[inverse.reshape(-1)].tolist()


def _batches(path: Path, columns: list[str] | None = None, rows: int = BATCH_ROWS) -> Iterator[Any]:
    """The Parquet file the build wrote at *path* (its *columns*, default all), as Arrow record
    batches of up to *rows* rows."""
    import pyarrow.parquet as pq

    yield from pq.ParquetFile(path).iter_batches(batch_size=rows, columns=columns)


def _empty(path: Path):
    import pyarrow.parquet as pq

    from ..data.frames import to_pandas

    return to_pandas(pq.ParquetFile(path).schema_arrow.empty_table())


def _parsed_chunks(out: Path, root: Path) -> Iterator[list]:
    """The build's parses of every listed report (each file once, as the build reads them),
    :data:`CHUNK_REPORTS` at a time in report_id order (the order the parse cache holds them
    in), read back from the parse cache it wrote (a file missing from it, if any, is parsed again)."""
    from ..corpus import listed_path, metadata_records
    from ..data.cache import CACHE_FILE, ParseCache
    from ..data.frames import report_record
    from ..data.listing import distinct_listings
    from ..data.workers import ParseOutcome, parse_path
    from ..fileio import sha256_file

    cache = ParseCache(out / ".cache" / CACHE_FILE)
    try:
        chunk = []
        metas, _notes = distinct_listings(metadata_records(root))  # the build warned of those left out
        for meta in sorted(metas, key=lambda m: str(m["report_id"])):
            path, problem = listed_path(root, meta)
            if problem is not None:
                chunk.append(report_record(meta, ParseOutcome(None, problem), None))
            else:
                outcome = cache.get(sha256_file(path), path) or parse_path(str(path))
                chunk.append(report_record(meta, outcome, path))
            if len(chunk) == CHUNK_REPORTS:
                yield chunk
                chunk = []
        if chunk:
            yield chunk
    finally:
        cache.close()


def _stage_texts(out: Path, root: Path, where: Path) -> dict[str, Path]:
    """The files :data:`toolkit.data.staging.TEXT_FILES` of the build in *out*, made in the folder
    *where* from its parse cache (for a build that did not stage them); their paths by name."""
    from ..data.frames import text_arrows
    from ..data.staging import TEXT_FILES, TextFiles

    files = TextFiles(where)
    try:
        empty = True
        for chunk in _parsed_chunks(out, root):
            files.add(dict(zip(TEXT_FILES, text_arrows(chunk))))
            empty = False
        if empty:  # no report: the files still exist, with their columns
            files.add(dict(zip(TEXT_FILES, text_arrows([]))))
    finally:
        files.close()
    return {name: where / file for name, file in TEXT_FILES.items()}


def _reports_frame(out: Path, root: Path):
    """``load_reports()`` plus source, source_url and retrieved from ``metadata.csv``."""
    import pandas as pd

    from ..corpus import metadata_records
    from ..data.tabular import read_frame

    reports = read_frame(out / "reports.parquet")
    meta = {str(m["report_id"]): m for m in metadata_records(root, ("report_id", "source", "source_url", "added"))}
    with_meta = reports.copy()
    for column, key in (("source", "source"), ("source_url", "source_url"), ("retrieved", "added")):
        with_meta[column] = pd.array([meta.get(str(r), {}).get(key) or None for r in reports["report_id"]],
                                     dtype="string")
    return with_meta


def _text_frame(rows: list[dict]):
    import pandas as pd

    return pd.DataFrame(rows, columns=list(_TEXT_COLUMNS)).astype(
        {"report_id": "string", "agency": "string", "year": "Int64", "text": "string"})


def _indicators_path(out: Path) -> Path:
    """The indicators the build computed (:func:`~toolkit.analysis.chart_data.write_built_indicators`),
    computed now when it did not: :func:`toolkit.indicators` of the build in *out*, in report_id order."""
    from .chart_data import INDICATORS_FILE, write_built_indicators

    if not (out / INDICATORS_FILE).is_file():
        write_built_indicators(out)
    return out / INDICATORS_FILE


def _write_coded(con, name: str, path: Path, lookups: dict[str, "_Lookup"]) -> None:
    """The Parquet file at *path* (a loader's frame) as the table :data:`CODED` names for *name*,
    its repeated values as codes into lookup tables (shared by name across tables), and *name* as
    a view that gives the frame's columns and values back, in the file's order."""
    stored, coded = CODED[name]
    empty = _empty(path)
    types = {c: _SQL_TYPES[_sql_type(empty[c].dtype)] for c in empty.columns}
    first = {columns[0]: (code, table, columns) for code, (table, columns) in coded.items()}
    in_lookup = {c: table for table, columns in coded.values() for c in columns}
    missing = sorted(set(in_lookup) - set(types))
    if missing:
        raise ValueError(f"{path}: no column {', '.join(missing)} to code")
    parts = [first[c] if c in first else (c, None, [c]) for c in empty.columns if c in first or c not in in_lookup]
    for code, table, columns in parts:
        if table is not None and table not in lookups:
            lookups[table] = _Lookup(con, table, code, columns, [types[c] for c in columns])
    con.execute(f"CREATE TABLE [{stored}] ("
                + ", ".join(f"[{code}] {'INTEGER' if table else types[code]}" for code, table, _c in parts) + ")")
    writer = _Writer(con, stored, [code for code, _t, _c in parts])
    for batch in _batches(path):
        writer.write_columns([lookups[table].encode([batch.column(c) for c in columns]) if table
                              else _pylist(batch.column(code)) for code, table, columns in parts])
    # Inner joins (every row has every code), so the planner may start from a lookup's index
    # (report_id, table/row/column, indicator); a plain SELECT scans the rows in their order.
    owner = {c: f"[{table}]" if table else "s" for _code, table, columns in parts for c in columns}
    con.execute(f"CREATE VIEW [{name}] AS SELECT " + ", ".join(f"{owner[c]}.[{c}]" for c in empty.columns)
                + f" FROM [{stored}] s "
                + " ".join(f"JOIN [{table}] ON [{table}].[{code}] = s.[{code}]" for code, table, _c in parts if table))


def _write_tables(con, out: Path, root: Path) -> None:
    """Every table of :data:`TABLES`, each streamed a batch of rows at a time from the Parquet files
    the build wrote (the section 五 items and the reports' text from its working files
    :data:`~toolkit.data.staging.TEXT_FILES`, staged now from its parse cache when it has none)."""
    import tempfile

    from ..data.staging import TEXT_FILES

    reports = _reports_frame(out, root)
    _Writer.create(con, "reports", reports, pk=_PRIMARY_KEYS["reports"]).write(reports)
    del reports
    lookups: dict[str, _Lookup] = {}
    for name in CODED:
        _write_coded(con, name, _indicators_path(out) if name == "indicators" else out / f"{name}.parquet", lookups)
    del lookups
    statements = _Writer.create(con, "statements", _empty(out / "statements.parquet"))
    for batch in _batches(out / "statements.parquet"):
        statements.write(batch)
    staged = {name: out / file for name, file in TEXT_FILES.items()}
    if all(path.is_file() for path in staged.values()):
        _write_texts(con, staged)
        return
    with tempfile.TemporaryDirectory(prefix="xxgk-db-") as where:
        _write_texts(con, _stage_texts(out, root, Path(where)))


def _write_texts(con, files: dict[str, Path]) -> None:
    """``narratives`` and ``report_text`` from the files of :data:`~toolkit.data.staging.TEXT_FILES`
    (in report_id order, a report's items in order: the frames' order, so the rows go in as they
    come).  Near duplicates need every report's items, so they are found first from the texts
    compared (read back alone) and joined in as the items are written."""
    from ..mining.narratives import items_frame, near_duplicates

    compared: dict[str, str] = {}
    years: dict[str, int | None] = {}
    for batch in _batches(files["report_text"], ["report_id", "year", "compared"]):
        for rid, year, text in zip(*(batch.column(c).to_pylist() for c in ("report_id", "year", "compared"))):
            if text is not None:
                compared[rid] = text
                years[rid] = year
    duplicates = near_duplicates(dict(sorted(compared.items())), years)
    del compared
    narratives = _Writer.create(con, "narratives", items_frame([]), pk=_PRIMARY_KEYS["narratives"])
    for batch in _batches(files["items"]):
        ids = _pylist(batch.column("report_id"))
        narratives.write_columns([[duplicates.get(rid) for rid in ids] if c == "duplicate_of"
                                  else ids if c == "report_id" else _pylist(batch.column(c))
                                  for c in narratives.columns])
    texts = _Writer.create(con, "report_text", _text_frame([]), pk=_PRIMARY_KEYS["report_text"])
    for batch in _batches(files["report_text"], texts.columns, TEXT_BATCH_ROWS):
        texts.write(batch)


def database_frames(out: str | os.PathLike, corpus: str | os.PathLike | None = None) -> dict[str, Any]:
    """The tables :func:`write_database` writes, from the build in *out* of *corpus*, as the
    loaders' frames, all in memory at once (for checking on a small corpus; the database itself
    is written a chunk at a time)."""

    from ..corpus import corpus_dir
    from ..data.frames import report_text
    from ..data.tabular import read_frame
    from ..mining.narratives import narratives_frame

    out, root = Path(out), corpus_dir(corpus)
    parsed = [p for chunk in _parsed_chunks(out, root) for p in chunk]
    texts = [{"report_id": p.report_id, "agency": p.report.agency, "year": p.report.year,
              "text": report_text(p.report)}
             for p in sorted(parsed, key=lambda p: p.report_id) if p.report is not None]
    return {"reports": _reports_frame(out, root), "tables": read_frame(out / "tables.parquet"),
            "indicators": built_indicators(out), "narratives": narratives_frame(parsed),
            "statements": read_frame(out / "statements.parquet"), "audit": read_frame(out / "audit.parquet"),
            "report_text": _text_frame(texts)}


def built_indicators(out: str | os.PathLike):
    """:func:`toolkit.indicators` of the build in *out* (the workbook's ``indicators`` sheet): those
    the build computed once, else computed from the Parquet files it wrote."""
    from .chart_data import read_built_indicators

    return read_built_indicators(Path(out))


#: Bytes of terms FTS5 gathers in memory before it writes them as a segment (its default is 1 MiB):
#: fewer, larger segments to merge make the index in two thirds of the time, in a bounded memory.
FTS_HASH_BYTES = 16 << 20


def _full_text_index(con, name: str) -> None:
    """An FTS5 index of *name*.text, ``<name>_fts``, external-content (the text is not stored
    twice; a contentless index took as long), declared as ``sqlite-utils`` declares it, so that
    Datasette's search box finds it."""
    fts = f"{name}_fts"
    with con:
        con.execute(f"CREATE VIRTUAL TABLE [{fts}] USING FTS5 ([text], tokenize='{FTS_TOKENIZER}', content=[{name}])")
        con.execute(f"INSERT INTO [{fts}] ([{fts}], rank) VALUES ('hashsize', {FTS_HASH_BYTES})")
        con.execute(f"INSERT INTO [{fts}] (rowid, [text]) SELECT rowid, [text] FROM [{name}]")


def _write(out: Path, corpus, target: Path) -> Path:
    import sqlite3

    from ..corpus import corpus_dir

    tmp = target.with_name(f"{target.name}.tmp")
    tmp.unlink(missing_ok=True)
    con = sqlite3.connect(tmp)
    # A temporary file renamed into place when whole: no journal or sync is needed while it is
    # written (they cost most of the write).
    con.execute("PRAGMA journal_mode = OFF")
    con.execute("PRAGMA synchronous = OFF")
    try:
        _write_tables(con, out, corpus_dir(corpus))
        # Indexes and full-text indexes built once the rows are in: one sort each, not an
        # update per row.  Nothing is deleted from the file (staging tables are TEMP), so it
        # needs no VACUUM (which could also renumber the rowids the full-text indexes point to).
        with con:
            for name, indexes in _INDEXES.items():
                for columns in indexes:
                    con.execute(f"CREATE INDEX [idx_{name}_{'_'.join(columns)}] ON [{name}] "
                                f"({', '.join(f'[{c}]' for c in columns)})")
        for name in ("narratives", "report_text"):
            _full_text_index(con, name)
        with con:
            for name, (_zh, _en, sql) in VIEWS.items():
                con.execute(f"CREATE VIEW [{name}] AS {sql}")
    finally:
        con.close()
    os.replace(tmp, target)
    return target


def write_database(out: Path, corpus: str | os.PathLike | None = None) -> list[str]:
    """Write ``out/xxgk.db`` from the build in *out* of *corpus*; returns ``["xxgk.db"]``.

    Every table is streamed (see :func:`_write_tables`), so memory stays bounded whatever the
    corpus's size.  Written to a temporary file beside it and renamed into place, so a failed
    write leaves no half database.
    """
    out = Path(out)
    _write(out, corpus, out / DB_FILE)
    return [DB_FILE]


def datasette_metadata() -> dict[str, Any]:
    """Datasette metadata for ``xxgk.db``: every table, view and column described in Chinese and
    English with its unit, the source and licence, and the canned queries."""
    def columns(spec: _C) -> dict[str, str]:
        return {c: f"{zh} / {en}" + (f"（单位 unit: {unit}）" if unit else "") for c, (zh, en, unit) in spec.items()}

    tables: dict[str, Any] = {}
    for name, (zh, en, spec) in TABLES.items():
        tables[name] = {"title": f"{zh.split('：')[0]} / {en.split(':')[0]}", "description": f"{zh} / {en}",
                        "columns": columns(spec), "units": {c: u for c, (_z, _e, u) in spec.items() if u}}
    for name in CODED:
        tables[name]["description"] += "（视图 view）"
    # The coded tables' storage is described, and hidden from Datasette's list of tables (the views
    # are what a reader browses).
    for name, spec in _storage_columns().items():
        zh, en = STORAGE[name]
        tables[name] = {"title": f"{zh.split('：')[0]} / {en.split(':')[0]}", "description": f"{zh} / {en}",
                        "columns": columns(spec), "hidden": True}
    for name, (zh, en, _sql) in VIEWS.items():
        tables[name] = {"title": f"{zh} / {en}", "description": f"{zh} / {en}（视图 view）",
                        "columns": columns(_VIEW_COLUMNS[name])}
    for name in ("narratives", "report_text"):
        tables[name]["fts_table"] = f"{name}_fts"
        tables[name]["fts_pk"] = "rowid"
    # Datasette's units key expects Pint units; ours are Chinese words, so they stay in the text.
    for spec in tables.values():
        spec.pop("units", None)
    queries = {name: {"title": title, "description": description, "sql": sql}
               for name, (title, description, sql) in QUERIES.items()}
    return {
        "title": "xxgk：政府信息公开工作年度报告数据 / Government information disclosure annual reports",
        "description": "由 xxgk 从各机关公开发布的年度报告解析而得；缺失值为空，从不记为 0。 / Parsed by xxgk "
                       "from the reports the organs published; a missing value is NULL, never 0.",
        "source": _SOURCE,
        "license": _LICENSE,
        "databases": {"xxgk": {"source": _SOURCE, "license": _LICENSE, "tables": tables, "queries": queries}},
    }
