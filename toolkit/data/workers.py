"""Parsing reports in worker processes: the worker function, its result type, the pool."""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from ..errors import ReportError
from ..fileio import read_with_stat, sha256_bytes
from ..parsing import Report, parse_document, parse_file
from ..reading import read_data

__all__ = ["ParseOutcome", "parse_path", "parse_hashed", "worker_pool", "n_workers"]

log = logging.getLogger("toolkit")


@dataclass(frozen=True)
class ParseOutcome:
    """What parsing one file gave: a report, or the one-line reason it could not be read."""

    report: Report | None
    error: str | None = None


def parse_path(path: str) -> ParseOutcome:
    """Worker: parse one file; pure in the file's bytes.  Never raises for bad input."""
    try:
        return ParseOutcome(parse_file(path), None)
    except ReportError as exc:
        return ParseOutcome(None, exc.reason)


def parse_hashed(path: str) -> tuple[ParseOutcome, str | None, list[int] | None]:
    """Worker: parse one file read once, and say which bytes were parsed:
    ``(outcome, sha256, [size, mtime_ns])`` (the last two ``None`` when unreadable)."""
    try:
        data, stat = read_with_stat(path)
    except ReportError as exc:
        return ParseOutcome(None, exc.reason), None, None
    sha = sha256_bytes(data)
    try:
        name = os.path.basename(path)
        report = parse_document(read_data(data, path, os.path.splitext(name)[1]),
                                report_id=os.path.splitext(name)[0], source=path)
    except ReportError as exc:
        return ParseOutcome(None, exc.reason), sha, list(stat)
    return ParseOutcome(report, None), sha, list(stat)


def n_workers(jobs: int | None) -> int:
    """Worker processes for *jobs* (``None``: all cores), capped at the core count: more
    processes than cores only cost memory and time."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if jobs is None:
        return cores
    if jobs > cores:
        log.warning("--jobs %d is more than the %d cores here; using %d", jobs, cores, cores)
        return cores
    return max(1, jobs)


def worker_pool(workers: int):
    """Processes that parse reports: spawned fresh, not forked.

    A forked worker would inherit the parent's pandas/pyarrow heap (and its
    threads, which fork does not copy safely); a spawned one imports only the
    parser, so a large build's memory is the parent's plus a few MiB per worker.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
