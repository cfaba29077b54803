"""Two phases of ``xxgk build`` (:mod:`toolkit.data.build`): parse and stage, then audit and
cross-year.

The reports are parsed :data:`~toolkit.data.build.CHUNK` at a time by worker processes
(:func:`toolkit.data.batch.process_batch`); each chunk's frames are appended to their CSV and
Parquet files in the staging folder and handed to the build's hooks (the indicators), its new
cache entries go to the parse cache, its section 五 items and report text to the working files
:data:`TEXT_FILES`, and its findings and cross-year keys to :class:`_Staging`:
section 五 and the two carried-over rows of table 3 go to bucket files on disk, one bucket per
organ, so the cross-year checks run bucket by bucket and memory does not grow with the corpus.
"""
from __future__ import annotations

import dataclasses
import json
import shutil
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Callable, ContextManager, Iterator, Protocol

from ..corpus import listed_path
from ..progress import progress_bar
from .manifest import BuildPlan, FileHashes
from .tabular import TableSink, close_all, parquet_writer

if TYPE_CHECKING:  # pragma: no cover
    from .batch import Task
    from .cache import CacheWriter, ParseCache


__all__ = ["ChunkHook", "Parsed", "parse_and_stage", "audit_and_cross_year", "BATCH", "TEXT_FILES", "TextFiles"]

#: The build's working files of text (not outputs: in ``.cache/``, left out of the manifest), by
#: the name of the rows they hold (:func:`toolkit.data.frames.text_arrows`): each report's section 五
#: items and its text, written chunk by chunk in report_id order for the database to read.
TEXT_FILES = {"items": ".cache/items.parquet", "report_text": ".cache/report_text.parquet"}

#: Reports per cross-year bucket file (organs are hashed into buckets).
_BUCKET_REPORTS = 2000


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


class ChunkHook(Protocol):
    """What a build hands each chunk's frames to (see *derived* in :func:`toolkit.data.build.build`)."""

    def add(self, tables: dict) -> None:
        """One chunk's rows of ``reports``, ``tables``, ``parse_log`` and ``statements`` (Arrow
        tables by name, in report_id order; the chunks come in report_id order, and a build of no
        report gives one chunk of empty tables)."""

    def close(self) -> list[str]:
        """Every chunk is in (or the build failed): finish, and return the outputs written."""


# ------------------------------------------------------------------ parse and stage


@dataclasses.dataclass
class Parsed:
    """What the parse phase counted."""

    ok: int = 0
    with_warnings: int = 0
    skipped: list = dataclasses.field(default_factory=list)  # (file, reason)
    table_rows: dict = dataclasses.field(default_factory=dict)  # rows of tables.* per table


def parse_and_stage(plan: "BuildPlan", stage: Path, old_cache: "ParseCache", new_cache: "CacheWriter",
                     sinks: dict[str, TableSink], staged: list, hooks: dict[str, "ChunkHook"],
                     timings: "Callable[[str], ContextManager]", *, jobs, chunk, progress) -> Parsed:
    """Parse the reports a chunk at a time and write reports, tables, parse_log and statements into
    *stage* (through *sinks*, closed at the end), the parse cache, the working files
    :data:`TEXT_FILES`, and the audit's per-report findings and cross-year keys (the
    :class:`_Staging` appended to *staged*, and the text files' writer after it); each chunk's
    frames go to *hooks* too (by name, each timed as a phase of its own)."""
    from .frames import parse_log_arrow, reports_arrow, statements_arrow, tables_arrow, text_arrows
    from .workers import n_workers, worker_pool

    metas, hashes = plan.metas, plan.hashes
    parsed = Parsed()
    stage.mkdir(parents=True)
    work = stage / ".cache" / "work"
    work.mkdir(parents=True)
    for name in ("reports", "tables", "parse_log", "statements"):
        sinks[name] = TableSink(stage, name)
    staged.append(_Staging(work, len(metas)))
    texts = TextFiles(stage)
    staged.append(texts)
    bar = progress_bar(len(metas), "building", "report", progress)
    workers = min(n_workers(jobs), max(1, len(metas)))
    pool = worker_pool(workers) if workers > 1 else None
    try:
        pending = None
        for part in [*_chunks(metas, chunk), None]:
            # Hand the next chunk to the workers before writing this one, so both go on at once.
            ahead = _submit(part, plan.root, hashes, old_cache, pool, workers) if part is not None else None
            if pending is not None:
                done = list(pending)  # this chunk's batches, in report order
                _stage_chunk(done, sinks, staged[0], texts, hooks, hashes, new_cache, parsed, timings)
                bar.update(sum(len(tasks) for tasks, _ in done))
            pending = ahead
    except BaseException:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        raise
    finally:
        bar.close()
    if pool is not None:  # every report is in: the extras (the charts) may start processes of their own
        pool.shutdown()
    if not metas:  # no report listed: the files still exist, with their columns
        empty = {"reports": reports_arrow([]), "tables": tables_arrow([]), "parse_log": parse_log_arrow([]),
                 "statements": statements_arrow([])}
        _write_chunk(empty, sinks, hooks, timings)
        texts.add(dict(zip(TEXT_FILES, text_arrows([]))))
    for sink in sinks.values():
        sink.close()
    texts.close()
    new_cache.commit()
    return parsed


def _stage_chunk(done: list, sinks: dict[str, TableSink], staged: "_Staging", texts: "TextFiles",
                 hooks: dict[str, "ChunkHook"], hashes: FileHashes, new_cache: "CacheWriter", parsed: Parsed,
                 timings: "Callable[[str], ContextManager]") -> None:
    """One chunk's batches (``(tasks, BatchResult)`` in report order) written out: its frames, its
    items and text, its findings and cross-year keys, its cache entries and the hashes of the
    files read."""
    import pyarrow as pa

    tables = {name: pa.concat_tables([result.tables[name] for _, result in done]) for name in sinks}
    _write_chunk(tables, sinks, hooks, timings)
    texts.add({name: pa.concat_tables([result.tables[name] for _, result in done]) for name in TEXT_FILES})
    for t, k in _count_by(tables["tables"], "table").items():
        parsed.table_rows[t] = parsed.table_rows.get(t, 0) + k
    staged.add(pa.concat_tables([r.tables["findings"] for _, r in done]),
               [o for _, r in done for o in r.organs], done[-1][0][-1].meta["report_id"])
    for tasks, result in done:
        new_cache.add_entries(result.fresh)
        for task, file in zip(tasks, result.files):
            if file is not None:
                hashes.record(task.meta["file"], file)
            elif task.cached is not None:  # reused: the previous build's entry stays
                new_cache.add(task.sha, task.cached, task.cached_check)
        parsed.ok += result.ok
        parsed.with_warnings += result.with_warnings
        parsed.skipped.extend(result.skipped)
    new_cache.flush()


def _write_chunk(tables: dict, sinks: dict[str, TableSink], hooks: dict[str, "ChunkHook"],
                 timings: "Callable[[str], ContextManager]") -> None:
    for name, sink in sinks.items():
        sink.write(tables[name])
    for name, hook in hooks.items():
        with timings(name):
            hook.add(tables)


class TextFiles:
    """The working files :data:`TEXT_FILES` in the folder *stage*, appended a chunk at a time
    (tables by name, as :func:`toolkit.data.frames.text_arrows` makes them)."""

    def __init__(self, stage: Path):
        self.stage = stage
        self.writers: dict = {}

    def add(self, tables: dict) -> None:
        for name, where in TEXT_FILES.items():
            if name not in self.writers:
                (self.stage / where).parent.mkdir(parents=True, exist_ok=True)
                # zstd, as the parse cache: the texts take a fifth of the room snappy leaves them
                self.writers[name] = parquet_writer(self.stage / where, tables[name].schema, compression="zstd")
            self.writers[name].write_table(tables[name])

    def close(self) -> None:
        """Close every file, even when one fails (the first error is raised)."""
        writers, self.writers = self.writers, {}
        close_all(*(w.close for w in writers.values()))


# ------------------------------------------------------------------ audit and cross-year


def audit_and_cross_year(stage: Path, staged: "_Staging", sinks: dict[str, TableSink]) -> tuple[int, int, int]:
    """Write ``audit.*``: each report's findings, then its cross-year ones; (findings, failed,
    not checkable)."""
    sinks["audit"] = TableSink(stage, "audit")
    failed = unchecked = 0
    for table in staged.audit_chunks():
        sinks["audit"].write(table)
        passed = table["passed"]
        failed += passed.length() - passed.null_count - _true(passed)
        unchecked += passed.null_count
    sinks["audit"].close()
    staged.close()
    shutil.rmtree(staged.work)
    return sinks["audit"].rows, failed, unchecked


def _true(column) -> int:
    import pyarrow.compute as pc

    return int(pc.sum(column).as_py() or 0)


def _count_by(table, column: str) -> dict[str, int]:
    counts = table[column].value_counts().to_pylist()
    return {c["values"]: int(c["counts"]) for c in counts}


#: Reports per batch handed to a worker: large enough that sending it costs little,
#: small enough that the workers share a chunk evenly.
BATCH = 50


def _tasks(part: list[dict], root: Path, hashes: FileHashes, old_cache: "ParseCache") -> list["Task"]:
    from .batch import Task

    tasks = []
    for meta in part:
        path, problem = listed_path(root, meta)
        if problem is not None:
            tasks.append(Task(meta, None, problem))
            continue
        # The sha256 keys the cache: a file whose size, mtime and ctime still match the last build's
        # keeps its hash; otherwise it is hashed here only when there is a cache to look in,
        # and else by the worker that reads it anyway.
        sha = hashes.known(meta["file"])
        if sha is None and len(old_cache):
            sha = hashes(meta["file"])
        found = old_cache.entry(sha) if sha is not None else None
        tasks.append(Task(meta, str(path), None, sha, *(found or (None, None))))
    return tasks


def _submit(part: list[dict], root: Path, hashes: FileHashes, old_cache: "ParseCache", pool, workers: int):
    """The chunk's tasks in batches, sent to the workers; an iterator of (tasks, result) in order."""
    tasks = _tasks(part, root, hashes, old_cache)
    size = max(1, min(BATCH, -(-len(tasks) // (workers * 2))))
    batches = list(_chunks(tasks, size))
    from .batch import process_batch

    results = pool.map(process_batch, batches) if pool is not None else map(process_batch, batches)
    return zip(batches, results)


# ------------------------------------------------------------------ audit staging


def _by_report(table):
    """*table*'s rows by report_id; a report's own rows keep their order (Arrow's sort is
    stable), so a report's checks come before its cross-year ones."""
    return table.sort_by([("report_id", "ascending")])


class _Staging:
    """Per-report findings on disk, plus what the cross-year checks need, bucketed by organ."""

    def __init__(self, work: Path, n_reports: int):
        self.work = work
        self.n_buckets = max(1, min(256, n_reports // _BUCKET_REPORTS + 1))
        self.buckets = [None] * self.n_buckets
        self.bounds: list[str] = []  # last report_id of each staged batch
        self.writer = None

    def add(self, findings, organs: list[tuple[str, str, str]], last_id) -> None:
        # Every readable report is staged; cross_year_checks itself decides which ones it compares.
        for adcode, agency, line in organs:
            k = zlib.crc32(f"{adcode}\0{agency}".encode()) % self.n_buckets
            if self.buckets[k] is None:
                self.buckets[k] = (self.work / f"organs-{k:03d}.jsonl").open("w", encoding="utf-8")
            self.buckets[k].write(line + "\n")
        if self.writer is None:
            self.writer = parquet_writer(self.work / "findings.parquet", findings.schema)
        self.writer.write_table(findings)
        self.bounds.append(str(last_id))

    def _cross_year(self):
        """All cross-year findings as one Arrow table sorted by report_id (in check order)."""
        import pyarrow as pa

        from ..checks import cross_year_checks
        from ..parsing import Report
        from .frames import findings_arrow

        tables = []
        for k, fh in enumerate(self.buckets):
            if fh is None:
                continue
            fh.close()
            series = []
            with (self.work / f"organs-{k:03d}.jsonl").open(encoding="utf-8") as lines:
                for line in lines:
                    r = json.loads(line)
                    series.append(({"adcode": r["adcode"]},
                                   Report(r["report_id"], None, None, r["agency"], r["year"], None,
                                          {"5": r["section5"]}, {"t3": r["t3"]})))
            rows = cross_year_checks(series)
            if rows:
                tables.append(findings_arrow(rows))
        if not tables:
            return None
        return _by_report(pa.concat_tables(tables))

    def audit_chunks(self):
        """audit()'s rows as Arrow, a staged batch at a time: its reports' checks, then their
        cross-year ones."""
        import bisect

        import pyarrow as pa
        import pyarrow.parquet as pq

        from .frames import findings_arrow

        if self.writer is None:
            yield findings_arrow([])
            return
        writer, self.writer = self.writer, None
        writer.close()
        cross = self._cross_year()
        ids = cross["report_id"].to_pylist() if cross is not None else []
        staged = pq.ParquetFile(self.work / "findings.parquet")
        lo = 0
        for g, last in enumerate(self.bounds):
            table = staged.read_row_group(g)
            hi = bisect.bisect_right(ids, last)
            if hi > lo:
                table = _by_report(pa.concat_tables([table, cross.slice(lo, hi - lo)]))
            lo = hi
            yield table

    def close(self) -> None:
        """Close every file, even when one fails (the first error is raised)."""
        writer, self.writer = self.writer, None
        close_all(*(fh.close for fh in self.buckets if fh is not None and not fh.closed),
                   *([writer.close] if writer is not None else []))
