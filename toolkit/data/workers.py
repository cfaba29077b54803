"""Parsing reports in worker processes: the worker function, its result type, the pool."""
from __future__ import annotations

import dataclasses
import logging
import os
from dataclasses import dataclass

from ..errors import ReportError
from ..fileio import read_with_stat, sha256_bytes
from ..parsing import Report, parse_bytes, parse_file

__all__ = ["ParseOutcome", "parse_path", "parse_hashed", "worker_pool", "n_workers", "cap_warnings",
           "MAX_WARNINGS", "MAX_WARNING_CHARS"]

log = logging.getLogger("toolkit")


#: Warnings kept per report, and characters kept per warning.  A warning that lists
#: the values it could not place grows with the file (a row repeated a million
#: times gave one 14 MB warning); what is cut is said, never silently dropped.
MAX_WARNINGS = 100
MAX_WARNING_CHARS = 1000


def cap_warnings(report: Report) -> Report:
    """*report* with at most :data:`MAX_WARNINGS` warnings of at most :data:`MAX_WARNING_CHARS`
    characters each (the report itself if nothing needs cutting)."""
    warnings = report.warnings
    if len(warnings) <= MAX_WARNINGS and all(len(w) <= MAX_WARNING_CHARS for w in warnings):
        return report
    kept = [w if len(w) <= MAX_WARNING_CHARS
            else f"{w[:MAX_WARNING_CHARS]}… (cut: the warning has {len(w):,} characters)"
            for w in warnings[:MAX_WARNINGS - 1 if len(warnings) > MAX_WARNINGS else MAX_WARNINGS]]
    if len(warnings) > MAX_WARNINGS:
        kept.append(f"… and {len(warnings) - len(kept):,} more warnings (cut)")
    return dataclasses.replace(report, warnings=kept)


@dataclass(frozen=True)
class ParseOutcome:
    """What parsing one file gave: a report, or the one-line reason it could not be read."""

    report: Report | None
    error: str | None = None


def parse_path(path: str) -> ParseOutcome:
    """Worker: parse one file; pure in the file's bytes.  Never raises for bad input."""
    try:
        return ParseOutcome(cap_warnings(parse_file(path)), None)
    except ReportError as exc:
        return ParseOutcome(None, exc.reason)


def parse_hashed(path: str) -> tuple[ParseOutcome, str | None, list[int] | None]:
    """Worker: parse one file read once, and say which bytes were parsed:
    ``(outcome, sha256, [size, mtime_ns, ctime_ns])`` (the last two ``None`` when unreadable)."""
    try:
        data, stat = read_with_stat(path)
    except ReportError as exc:
        return ParseOutcome(None, exc.reason), None, None
    sha = sha256_bytes(data)
    try:
        report = parse_bytes(data, path)
    except ReportError as exc:
        return ParseOutcome(None, exc.reason), sha, list(stat)
    return ParseOutcome(cap_warnings(report), None), sha, list(stat)


def n_workers(jobs: int | None, warn: bool = True) -> int:
    """Worker processes for *jobs* (``None``: all cores), capped at the core count: more
    processes than cores only cost memory and time (*warn*: say so, once per command)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if jobs is None:
        return cores
    if jobs > cores:
        if warn:
            log.warning("--jobs %d is more than the %d cores here; using %d", jobs, cores, cores)
        return cores
    return max(1, jobs)


#: Seconds between a worker's checks that the process that started it is alive.
PARENT_CHECK = 0.2


def _exit_with_parent(parent: int) -> None:
    """Worker initializer: end this worker as soon as its parent is gone.

    A parent killed with ``kill -9`` cannot shut its pool down; its workers are
    then adopted by another process (their parent pid changes) and would wait
    for work forever, and the resource tracker with them (it ends when the last
    process holding its pipe does).  A daemon thread notices and exits.
    """
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK)
        os._exit(1)

    threading.Thread(target=watch, name="xxgk-parent-watch", daemon=True).start()


def worker_pool(workers: int):
    """Processes that parse reports: spawned fresh, not forked, and ending with their parent.

    A forked worker would inherit the parent's pandas/pyarrow heap (and its
    threads, which fork does not copy safely); a spawned one imports only the
    parser, so a large build's memory is the parent's plus a few MiB per worker.
    Each worker exits when its parent dies, however it died (see :func:`_exit_with_parent`).
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_exit_with_parent, initargs=(os.getpid(),))
