"""Load a corpus as pandas DataFrames.

A corpus is a folder with ``metadata.csv`` and the report files it lists.  All
loaders share one parse of the corpus per session (see :func:`parse_corpus`),
so calling several of them does not parse the reports again.
"""
from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path
from typing import Any

from .errors import ReportError
from .report import Report

__all__ = ["corpus_dir", "parse_corpus", "load_reports", "load_tables", "load_narratives",
           "load_parse_log"]

#: Environment variable naming a corpus folder to use when none is given.
ENV_VAR = "XXGK_CORPUS"

Parsed = tuple[dict[str, Any], Report | None, str | None]
_CACHE: dict[tuple, list[Parsed]] = {}


def corpus_dir(corpus: str | os.PathLike | None = None) -> Path:
    """The corpus folder: *corpus*, else ``$XXGK_CORPUS``, else the shipped ``corpus/``.

    Raises ``FileNotFoundError`` naming the folder if it does not exist.
    """
    if corpus is None:
        corpus = os.environ.get(ENV_VAR) or Path(__file__).resolve().parents[1] / "corpus"
    path = Path(corpus).expanduser().resolve()
    if not path.is_dir():
        raise FileNotFoundError(f"{path}: corpus folder not found")
    return path


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def _none(value: Any) -> Any:
    """pandas' missing markers as None, so metadata dicts hold plain Python values."""
    import pandas as pd

    if value is None or (not isinstance(value, (list, dict)) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def _parse_one(root: Path, meta: dict[str, Any]) -> Parsed:
    from .parse import parse_file

    if not meta.get("file"):
        return meta, None, f"{meta.get('report_id')}: metadata.csv lists no file"
    try:
        report = parse_file(root / meta["file"])
    except ReportError as exc:
        return meta, None, str(exc)
    # metadata.csv is curated by hand; it wins over what the parser inferred.
    report = dataclasses.replace(
        report,
        report_id=meta.get("report_id") or report.report_id,
        agency=meta.get("agency") or report.agency,
        year=meta.get("year") if meta.get("year") is not None else report.year,
        title=meta.get("title") or report.title,
    )
    return meta, report, None


def parse_corpus(corpus: str | os.PathLike | None = None,
                 progress: bool | None = None) -> list[Parsed]:
    """Parse every report listed in the corpus's ``metadata.csv``.

    Returns ``(metadata row as dict, Report or None, error or None)`` per listed
    report, in metadata order.  A file that cannot be read is recorded with its
    one-line reason and the batch goes on.  Results are cached per corpus folder
    and the size/mtime of ``metadata.csv`` and of every listed file.

    Raises ``FileNotFoundError`` (no folder) or ``ValueError`` (unreadable
    ``metadata.csv``), both naming the path.
    """
    from .metadata import read_metadata

    root = corpus_dir(corpus)
    frame = read_metadata(root)
    metas = [{k: _none(v) for k, v in row.items()} for row in frame.to_dict("records")]
    key = (str(root), _stat(root / "metadata.csv"),
           tuple((m.get("file"), _stat(root / m["file"]) if m.get("file") else None) for m in metas))
    if key in _CACHE:
        return list(_CACHE[key])
    if progress is None:
        progress = len(metas) > 20
    from tqdm import tqdm

    results = [_parse_one(root, m) for m in tqdm(metas, desc="parsing reports", unit="report",
                                                   file=sys.stderr, disable=not progress)]
    _CACHE[key] = results
    return list(results)


_TEXT_COLUMNS = ("report_id", "agency", "province", "city", "county", "adcode", "sector",
                 "title", "file", "sha256")


def load_reports(corpus: str | os.PathLike | None = None):
    """One row per report listed in the corpus: metadata and parse status.

    ============ ======== ===== ==============================================================
    name         dtype    unit  meaning
    ============ ======== ===== ==============================================================
    report_id    string         id from ``metadata.csv``
    agency       string         reporting organ (metadata, else read from the title)
    province     string         省
    city         string         市 (for districts of 北京/天津/上海/重庆, the municipality)
    county       string         区/县
    adcode       string         six-digit administrative division code
    admin_level  category       province / city / county
    sector       string         policy sector (e.g. 民政)
    year         Int64    year  report year (metadata, else the title)
    title        string         report title
    file         string         report file, relative to the corpus folder
    sha256       string         SHA-256 of the file as published
    template     category       ``2021`` or ``2019`` (table template); <NA> when no table
    has_t2       boolean        table 2 found (<NA> when the report could not be read)
    has_t3       boolean        table 3 found
    has_t4       boolean        table 4 found
    n_sections   Int64    count sections (of 6) found with text
    n_warnings   Int64    count parser warnings
    status       category       ``ok``, ``warnings`` or ``error`` (not readable)
    error        string         one-line reason when status is ``error``
    ============ ======== ===== ==============================================================

    Sorted by report_id.
    """
    import pandas as pd

    rows = []
    for meta, report, error in parse_corpus(corpus):
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
    columns = ["report_id", "agency", "province", "city", "county", "adcode", "admin_level",
               "sector", "year", "title", "file", "sha256", "template", "has_t2", "has_t3",
               "has_t4", "n_sections", "n_warnings", "status", "error"]
    frame = pd.DataFrame(rows, columns=columns)
    dtypes: dict[str, Any] = {c: "string" for c in _TEXT_COLUMNS + ("error",)}
    dtypes.update(year="Int64", n_sections="Int64", n_warnings="Int64", has_t2="boolean",
                  has_t3="boolean", has_t4="boolean",
                  admin_level=pd.CategoricalDtype(["province", "city", "county"]),
                  template=pd.CategoricalDtype(["2021", "2019"]),
                  status=pd.CategoricalDtype(["ok", "warnings", "error"]))
    frame = frame.astype(dtypes)
    return frame.sort_values("report_id", kind="stable", ignore_index=True)


def load_tables(corpus: str | os.PathLike | None = None):
    """Tidy table values: one row per template cell of each table a report contains.

    A table a report does not contain contributes no rows; a cell that could
    not be read is a row with value <NA> (never zero).

    ========== ======= ========== ===========================================================
    name       dtype   unit       meaning
    ========== ======= ========== ===========================================================
    report_id  string             id from ``metadata.csv``
    table      string             ``t2``, ``t3`` or ``t4``
    row        string             row key (DESIGN.md; 2019-template keys for 2019 reports)
    column     string             column key
    value      Float64 件 or 万元  the number; 万元 for t2 ``amount`` (decimal), else a count
    row_zh     string             row label in the template (Chinese)
    column_zh  string             column label (Chinese)
    row_en     string             row label (English)
    column_en  string             column label (English)
    ========== ======= ========== ===========================================================

    Sorted by report_id, table, then template row and column order.
    """
    import pandas as pd

    from . import schema

    rows = []
    parsed = sorted(parse_corpus(corpus), key=lambda t: str(t[0]["report_id"]))
    for meta, report, _err in parsed:
        if report is None:
            continue
        for t in ("t2", "t3", "t4"):
            table = report.tables.get(t)
            if table is None:
                continue
            row_items, col_items = schema.items(t, report.template)
            rlab = {i.key: i for i in row_items}
            clab = {i.key: i for i in col_items}
            for r, c in schema.cells(t, report.template):
                if t == "t2" and r not in table:
                    continue  # a t2 row the report leaves out is absent, not missing
                rows.append({"report_id": meta["report_id"], "table": t, "row": r, "column": c,
                             "value": (table.get(r) or {}).get(c),
                             "row_zh": rlab[r].zh, "column_zh": clab[c].zh,
                             "row_en": rlab[r].en, "column_en": clab[c].en})
    columns = ["report_id", "table", "row", "column", "value", "row_zh", "column_zh", "row_en",
               "column_en"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({c: ("Float64" if c == "value" else "string") for c in columns})


def load_parse_log(corpus: str | os.PathLike | None = None):
    """What the parser skipped or could not read, and why.

    ========= ======== ==== ===========================================================
    name      dtype    unit meaning
    ========= ======== ==== ===========================================================
    report_id string        id from ``metadata.csv``
    file      string        report file, relative to the corpus folder
    level     category      ``warning`` (part of the report left missing) or ``error``
                            (the whole file could not be read)
    message   string        one line saying what and why
    ========= ======== ==== ===========================================================

    Sorted by report_id, in the order the parser logged.
    """
    import pandas as pd

    rows = []
    for meta, report, error in parse_corpus(corpus):
        base = {"report_id": meta["report_id"], "file": meta.get("file")}
        if error is not None:
            rows.append({**base, "level": "error", "message": error})
        for w in (report.warnings if report is not None else []):
            rows.append({**base, "level": "warning", "message": w})
    frame = pd.DataFrame(rows, columns=["report_id", "file", "level", "message"])
    frame = frame.astype({"report_id": "string", "file": "string", "message": "string",
                          "level": pd.CategoricalDtype(["warning", "error"])})
    return frame.sort_values("report_id", kind="stable", ignore_index=True)


def load_narratives(corpus: str | os.PathLike | None = None):
    """Section 五 (存在的主要问题及改进情况), one row per item.

    Each report's section is cut into a ``problem`` and an ``improvement``
    part and each part into its enumerated items (see :mod:`toolkit.narrative`).
    Item 0 of a part is the text before its first enumerated item (sub-heading,
    lead-in); a part with no enumeration is a single item 1.  A report with no
    section 五 has no rows (the audit's ``section_present.5`` says so).

    ========== ======== ===== ===============================================================
    name       dtype    unit  meaning
    ========== ======== ===== ===============================================================
    report_id  string         id from ``metadata.csv``
    part       category       ``problem`` or ``improvement``
    item       Int64          0 = lead-in, 1.. = enumerated items in order
    text       string         the item's text, as published (artefacts such as ``**`` removed)
    start      Int64    char  offset of the item in the section 五 text
    end        Int64    char  offset just past the item
    ========== ======== ===== ===============================================================

    Sorted by report_id, then problems before improvements, then item.
    """
    import pandas as pd

    from .narrative import split_section

    rows = []
    for meta, report, _err in parse_corpus(corpus):
        if report is None:
            continue
        for it in split_section(report.sections.get("5")):
            rows.append({"report_id": meta["report_id"], "part": it.part, "item": it.item,
                         "text": it.text, "start": it.start, "end": it.end})
    columns = ["report_id", "part", "item", "text", "start", "end"]
    frame = pd.DataFrame(rows, columns=columns).astype(
        {"report_id": "string", "part": pd.CategoricalDtype(["problem", "improvement"], ordered=True),
         "item": "Int64", "text": "string", "start": "Int64", "end": "Int64"})
    return frame.sort_values(["report_id", "part", "item"], kind="stable", ignore_index=True)
