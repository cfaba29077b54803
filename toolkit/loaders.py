"""Load a corpus as pandas DataFrames.

A corpus is a folder with ``metadata.csv`` and the report files it lists.  All
loaders share one parse of the corpus per session (see :func:`parse_corpus`),
so calling several of them does not parse the reports again.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
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


def _apply_metadata(meta: dict[str, Any], report: Report) -> Report:
    # metadata.csv is curated by hand; it wins over what the parser inferred.
    from .parse import mark_pre_template

    return mark_pre_template(dataclasses.replace(
        report,
        report_id=meta.get("report_id") or report.report_id,
        agency=meta.get("agency") or report.agency,
        year=meta.get("year") if meta.get("year") is not None else report.year,
        title=meta.get("title") or report.title,
    ))


def _parse_path(path: str) -> tuple[str, Any]:
    """Worker: parse one file.  ("ok", Report) or ("error", reason); pure in the file's bytes."""
    from .parse import parse_file

    try:
        return "ok", parse_file(path)
    except ReportError as exc:
        return "error", exc.reason


def worker_pool(workers: int):
    """Processes that parse reports: spawned fresh, not forked.

    A forked worker would inherit the parent's pandas/pyarrow heap (and its
    threads, which fork does not copy safely); a spawned one imports only the
    parser, so a large build's memory is the parent's plus a few MiB per worker.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


@functools.lru_cache(maxsize=1)
def parser_fingerprint() -> str:
    """Hash of the parser's own source: a cached parse is reused only by the same parser."""
    import importlib

    digest = hashlib.sha256()
    for name in ("parse", "readers", "schema", "report"):
        module = importlib.import_module(f".{name}", __package__)
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:16]


def _read_cache(cache_dir: Path | None) -> dict[str, str]:
    if cache_dir is None or not (cache_dir / "parsed.parquet").is_file():
        return {}
    import pandas as pd

    try:
        frame = pd.read_parquet(cache_dir / "parsed.parquet")
    except (OSError, ValueError) as exc:  # a damaged cache is rebuilt, and said so
        print(f"xxgk: {cache_dir / 'parsed.parquet'}: unreadable cache ignored ({exc})", file=sys.stderr)
        return {}
    frame = frame[frame["parser"] == parser_fingerprint()]
    return dict(zip(frame["sha256"], frame["result"]))


def _write_cache(cache_dir: Path, entries: dict[str, str]) -> None:
    import pandas as pd

    cache_dir.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame({"sha256": list(entries), "parser": parser_fingerprint(),
                          "result": list(entries.values())}).sort_values("sha256")
    tmp = cache_dir / "parsed.parquet.tmp"
    frame.to_parquet(tmp, index=False)
    os.replace(tmp, cache_dir / "parsed.parquet")


def _encode(status: str, payload: Any) -> str:
    if status == "error":
        return json.dumps({"error": payload}, ensure_ascii=False)
    # Report holds only JSON types; dataclasses.asdict would deep-copy every cell first.
    data = {f.name: getattr(payload, f.name) for f in dataclasses.fields(payload)}
    return json.dumps({"report": data}, ensure_ascii=False)


def _decode(result: str, path: Path) -> tuple[str, Any]:
    data = json.loads(result)
    if "error" in data:
        return "error", data["error"]
    report = Report(**data["report"])
    return "ok", dataclasses.replace(report, report_id=path.stem, source=str(path))


def parse_corpus(corpus: str | os.PathLike | None = None, progress: bool | None = None,
                 jobs: int | None = 1, cache_dir: str | os.PathLike | None = None) -> list[Parsed]:
    """Parse every report listed in the corpus's ``metadata.csv``.

    Returns ``(metadata row as dict, Report or None, error or None)`` per listed
    report, in metadata order.  A file that cannot be read is recorded with its
    one-line reason and the batch goes on.

    *jobs* worker processes parse in parallel (``None``: all cores); results
    are identical to a serial run.  With *cache_dir*, parses are stored in
    ``cache_dir/parsed.parquet`` keyed by the file's sha256 and the parser's
    fingerprint, so a rebuild parses only new or changed files.  Within a
    session results are also kept in memory per corpus folder and the
    size/mtime of ``metadata.csv`` and of every listed file.

    Raises ``FileNotFoundError`` (no folder) or ``ValueError`` (unreadable
    ``metadata.csv``), both naming the path.
    """
    return list(_parse_keyed(corpus, progress, jobs, cache_dir)[1])


def _parse_keyed(corpus, progress=None, jobs=1, cache_dir=None) -> tuple[tuple, list[Parsed]]:
    """parse_corpus, also returning the in-memory cache key (the corpus's state)."""
    root = corpus_dir(corpus)
    metas = _metas(root)
    key = _session_key(root, metas)
    if key in _CACHE:
        return key, _CACHE[key]
    if progress is None:
        # A bar for long runs on a terminal; never in notebooks or logs.
        progress = len(metas) > 20 and sys.stderr.isatty()
    from tqdm import tqdm

    cache_path = Path(cache_dir) if cache_dir is not None else None
    cached = _read_cache(cache_path)
    outcomes: list[tuple[str, Any] | None] = [None] * len(metas)
    digests: list[str | None] = [None] * len(metas)
    todo: list[int] = []
    for i, meta in enumerate(metas):
        if not meta.get("file"):
            outcomes[i] = ("error", "metadata.csv lists no file")
            continue
        path = root / meta["file"]
        if cache_path is not None:
            try:
                digests[i] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                digests[i] = None  # the parse reports the reason
            if digests[i] in cached:
                outcomes[i] = _decode(cached[digests[i]], path)
                continue
        todo.append(i)
    paths = [str(root / metas[i]["file"]) for i in todo]
    bar = tqdm(total=len(todo), desc="parsing reports", unit="report", file=sys.stderr,
               disable=not progress)
    workers = (os.cpu_count() or 1) if jobs is None else max(1, jobs)
    if workers > 1 and len(todo) > 1:
        with worker_pool(workers) as pool:
            for i, outcome in zip(todo, pool.map(_parse_path, paths, chunksize=16)):
                outcomes[i] = outcome
                bar.update()
    else:
        for i, path in zip(todo, paths):
            outcomes[i] = _parse_path(path)
            bar.update()
    bar.close()
    if cache_path is not None:
        fresh = {digests[i]: _encode(*outcomes[i]) for i in todo if digests[i] is not None}
        if fresh:
            _write_cache(cache_path, {**cached, **fresh})
    results = [_outcome(root, meta, status, payload) for meta, (status, payload) in zip(metas, outcomes)]
    _CACHE[key] = results
    return key, results


def _outcome(root: Path, meta: dict[str, Any], status: str, payload: Any) -> Parsed:
    """A worker's ("ok", Report) / ("error", reason) as parse_corpus's (meta, Report, error)."""
    if status == "ok":
        return meta, _apply_metadata(meta, payload), None
    where = meta.get("file") or meta.get("report_id")
    return meta, None, f"{root / where if meta.get('file') else where}: {payload}"


def _metas(root: Path) -> list[dict[str, Any]]:
    """metadata.csv's rows as dicts of plain Python values (None for missing)."""
    from .metadata import read_metadata

    return [{k: _none(v) for k, v in row.items()} for row in read_metadata(root).to_dict("records")]


def _session_key(root: Path, metas: list[dict[str, Any]]) -> tuple:
    return (str(root), _stat(root / "metadata.csv"),
            tuple((m.get("file"), _stat(root / m["file"]) if m.get("file") else None) for m in metas))


_TEXT_COLUMNS = ("report_id", "agency", "province", "city", "county", "adcode", "sector",
                 "title", "file", "sha256")
REPORT_COLUMNS = ["report_id", "agency", "province", "city", "county", "adcode", "admin_level",
                  "sector", "year", "title", "file", "sha256", "template", "has_t2", "has_t3",
                  "has_t4", "n_sections", "n_warnings", "status", "error"]
TABLE_COLUMNS = ["report_id", "table", "row", "column", "value", "row_zh", "column_zh", "row_en",
                 "column_en"]
PARSE_LOG_COLUMNS = ["report_id", "file", "level", "message"]
NARRATIVE_COLUMNS = ["report_id", "part", "item", "text", "start", "end"]

# Frames already built this session, per corpus state (see parse_corpus's in-memory cache).
_FRAMES: dict[tuple, Any] = {}


def _by_id(parsed: list[Parsed]) -> list[Parsed]:
    return sorted(parsed, key=lambda t: str(t[0]["report_id"]))


def _memo(name: str, corpus, build):
    """build(parsed) once per corpus state and session; callers get their own copy."""
    key, parsed = _parse_keyed(corpus)
    for stale in [k for k in _FRAMES if k[0] not in _CACHE]:
        del _FRAMES[stale]  # the parse they came from was dropped
    if (key, name) not in _FRAMES:
        _FRAMES[(key, name)] = build(parsed)
    return _FRAMES[(key, name)].copy()


def _reports_frame(parsed: list[Parsed]):
    """load_reports' frame for *parsed* (any order; sorted here)."""
    import pandas as pd

    rows = []
    for meta, report, error in parsed:
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
    from . import schema

    row_items, col_items = schema.items(table, template)
    rlab = {i.key: i for i in row_items}
    clab = {i.key: i for i in col_items}
    return tuple((r, c, rlab[r].zh, clab[c].zh, rlab[r].en, clab[c].en)
                 for r, c in schema.cells(table, template))


def _tables_frame(parsed: list[Parsed]):
    """load_tables' frame for *parsed*, built column by column (it is the largest frame)."""
    import pandas as pd

    cols: dict[str, list] = {c: [] for c in TABLE_COLUMNS}
    for meta, report, _err in _by_id(parsed):
        if report is None:
            continue
        for t in ("t2", "t3", "t4"):
            table = report.tables.get(t)
            if table is None:
                continue
            cells = _template_cells(t, report.template)
            if t == "t2":  # a t2 row the report leaves out is absent, not missing
                cells = tuple(cell for cell in cells if cell[0] in table)
            cols["report_id"].extend([meta["report_id"]] * len(cells))
            cols["table"].extend([t] * len(cells))
            cols["value"].extend([(table.get(r) or {}).get(c) for r, c, *_ in cells])
            for i, name in enumerate(("row", "column", "row_zh", "column_zh", "row_en", "column_en")):
                cols[name].extend([cell[i] for cell in cells])
    return pd.DataFrame({c: pd.array(v, dtype="Float64" if c == "value" else "string")
                         for c, v in cols.items()}, columns=TABLE_COLUMNS)


def _parse_log_frame(parsed: list[Parsed]):
    """load_parse_log's frame for *parsed*."""
    import pandas as pd

    rows = []
    for meta, report, error in parsed:
        base = {"report_id": meta["report_id"], "file": meta.get("file")}
        if error is not None:
            rows.append({**base, "level": "error", "message": error})
        for w in (report.warnings if report is not None else []):
            rows.append({**base, "level": "warning", "message": w})
    frame = pd.DataFrame(rows, columns=PARSE_LOG_COLUMNS)
    frame = frame.astype({"report_id": "string", "file": "string", "message": "string",
                          "level": pd.CategoricalDtype(["warning", "error"])})
    return frame.sort_values("report_id", kind="stable", ignore_index=True)


def _narratives_frame(parsed: list[Parsed]):
    """load_narratives' frame for *parsed*."""
    import pandas as pd

    from .narrative import split_section

    rows = []
    for meta, report, _err in parsed:
        if report is None:
            continue
        for it in split_section(report.sections.get("5")):
            rows.append({"report_id": meta["report_id"], "part": it.part, "item": it.item,
                         "text": it.text, "start": it.start, "end": it.end})
    frame = pd.DataFrame(rows, columns=NARRATIVE_COLUMNS).astype(
        {"report_id": "string", "part": pd.CategoricalDtype(["problem", "improvement"], ordered=True),
         "item": "Int64", "text": "string", "start": "Int64", "end": "Int64"})
    return frame.sort_values(["report_id", "part", "item"], kind="stable", ignore_index=True)


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
    template     category       ``2021`` or ``2019`` (table template); ``pre-2019`` for report
                                years before the fixed template (narrative only); <NA> when
                                no table was found
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
    return _memo("reports", corpus, _reports_frame)


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
    return _memo("tables", corpus, _tables_frame)


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
    return _memo("parse_log", corpus, _parse_log_frame)


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
    return _memo("narratives", corpus, _narratives_frame)
