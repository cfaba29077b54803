"""A batch of reports, from files (or cached parses) to the rows of every output.

This is the build's unit of work in a worker process: :func:`process_batch` parses
the reports of a batch that the parse cache does not hold, decodes the ones it
does, applies ``metadata.csv``, audits each report, and returns every output's
rows as Arrow tables (and the section 五 items and report text the database reads), the new
cache entries and what the cross-year checks need.
The main process only writes what comes back, so the work a build does per
report runs on every core.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import json

from ..checks import check_report
from .cache import cache_entries, decode, encode, entry_check, parser_fingerprint
from .frames import (ReportRecord, findings_arrow, parse_log_arrow, reports_arrow,
                     report_record, statements_arrow, tables_arrow, text_arrows)
from .workers import ParseOutcome, parse_hashed

__all__ = ["Task", "BatchResult", "process_batch", "cross_year_record"]


@dataclass(frozen=True)
class Task:
    """One listed report to process: its metadata row, the file (or why there is none), the
    file's sha256 when known and the previous build's cached parse of those bytes (JSON, and its
    verified check), if any.
    A file whose sha256 is not known is hashed by the worker as it reads it."""

    meta: dict[str, Any]
    path: str | None
    problem: str | None = None
    sha: str | None = None
    cached: str | None = None
    cached_check: str | None = None


@dataclass
class BatchResult:
    """Every output's rows for a batch (Arrow tables), in report_id order."""

    tables: dict[str, Any]
    # the cache entries of the reports parsed now, as Arrow (sha256, result, check): a table
    # crosses to the main process as a few buffers, where a list of strings is pickled string by string
    fresh: Any = None
    # per task: [size, mtime_ns, ctime_ns, sha256] of the bytes the worker read, or None (not read by it)
    files: list[list | None] = field(default_factory=list)
    # what the cross-year checks need, per readable report: (adcode, agency, JSON line)
    organs: list[tuple[str, str, str]] = field(default_factory=list)
    ok: int = 0
    with_warnings: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)


def cross_year_record(report) -> dict:
    """What :func:`toolkit.checks.cross_year_checks` needs of a report, as plain JSON types."""
    t3 = report.tables.get("t3")
    return {"report_id": report.report_id, "agency": report.agency, "year": report.year,
            "section5": report.sections.get("5"),
            "t3": None if t3 is None else {r: t3.get(r) for r in ("carried_over", "carried_forward")}}


def _outcome(task: Task) -> tuple[ParseOutcome, str | None, list | None]:
    """The task's parse outcome; when it was parsed now, its cache JSON and the file's
    ``[size, mtime_ns, ctime_ns, sha256]``."""
    if task.problem is not None:
        return ParseOutcome(None, task.problem), None, None
    if task.cached is not None:
        try:
            return decode(task.cached, Path(task.path)), None, None
        except (ValueError, KeyError, TypeError):
            pass  # a damaged entry that passed its check: parse the file again
    outcome, sha, stat = parse_hashed(task.path)
    if sha is None:
        return outcome, None, None
    return outcome, encode(outcome), [*stat, sha]


def process_batch(tasks: list[Task]) -> BatchResult:
    """Process a batch of listed reports (worker side); pure in the tasks."""
    parsed: list[ReportRecord] = []
    result = BatchResult(tables={})
    findings: list[dict] = []
    parser = parser_fingerprint()
    fresh: dict[str, list[str]] = {"sha256": [], "result": [], "check": []}
    for task in tasks:
        outcome, encoded, file = _outcome(task)
        result.files.append(file)
        if encoded is not None:
            sha = file[-1]
            for column, value in (("sha256", sha), ("result", encoded), ("check", entry_check(sha, parser, encoded))):
                fresh[column].append(value)
        meta = task.meta
        p = report_record(meta, outcome, task.path)
        if p.report is None:
            result.skipped.append((meta.get("file") or str(meta["report_id"]), p.error))
        else:
            if p.report.warnings:
                result.with_warnings += 1
            else:
                result.ok += 1
        parsed.append(p)
    for p in sorted(parsed, key=lambda p: p.report_id):
        if p.report is not None:
            findings.extend(check_report(p.report))
            record = cross_year_record(p.report)
            record["adcode"] = p.meta.get("adcode") or ""
            result.organs.append((record["adcode"], record["agency"] or "",
                                  json.dumps(record, ensure_ascii=False)))
    items, texts = text_arrows(parsed)
    result.tables = {"reports": reports_arrow(parsed), "tables": tables_arrow(parsed),
                     "parse_log": parse_log_arrow(parsed), "statements": statements_arrow(parsed),
                     "findings": findings_arrow(findings), "items": items, "report_text": texts}
    result.fresh = cache_entries(**fresh)
    return result
