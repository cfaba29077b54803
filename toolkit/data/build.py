"""``xxgk build``: a corpus's dataset, written a chunk at a time, committed all at once, and
only when something changed.

The build walks the listed reports in report_id order, :data:`CHUNK` reports at a
time.  Each chunk is parsed (worker processes; files whose bytes were parsed
before come from the parse cache), turned into rows by the loaders' own frame
builders, and appended to the outputs.  Nothing of a chunk outlives it except a
few keys per report, so memory does not grow with the corpus's text:

- section 五 and the two carried-over rows of table 3 go to bucket files on disk,
  one bucket per organ, and the cross-year checks run bucket by bucket;
- the per-report audit findings go to a staging Parquet file and are merged
  with the cross-year findings, chunk by chunk, into ``audit.*``;
- the workbook and any extra outputs (the charts) read back what they need.

Everything is written into a staging folder in the data home (beside the output
folder only when the data home is on another file system); at the end the two
are switched with two renames, so a build that fails or is killed leaves the
previous outputs whole (a switch interrupted between its two renames is finished
by the next build), and a build that fails removes its staging folder.  One
build at a time writes an output folder (a lock file in the data home; see
:mod:`toolkit.data.home`): nothing but the outputs is ever added beside or in
the folder the user names.

The outputs are the loaders' frames exactly (``load_reports()``,
``load_tables()``, ``audit()``, ``load_parse_log()``), each as CSV (see
:mod:`toolkit.data.tabular` for the CSV contract) and Parquet, plus
``xxgk.xlsx`` when every sheet fits in Excel.  ``OUT/.cache/`` holds the parse
cache (:mod:`toolkit.data.cache`) and the manifest (:mod:`toolkit.data.manifest`).
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime
import functools
import json
import os
import shutil
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Protocol, Sequence

from ..corpus import corpus_dir, listed_path, metadata_records
from ..fileio import FolderLock, OutputInCorpus, outside_corpus, sha256_file
from ..progress import progress_bar
from .cache import CACHE_FILE, toolkit_fingerprint
from .home import build_area, corpus_home, note_unwritable, resolve_data_home
from .listing import each_file_once
from .manifest import FileHashes, build_of, read_manifest, stat_list, write_manifest
from .tabular import TableSink, close_all, parquet_writer

# The parser, the checks and pyarrow are imported by the phases that use them, not here: an
# up-to-date build compares the files with the manifest and imports nothing more.
if TYPE_CHECKING:  # pragma: no cover
    from .batch import Task
    from .cache import CacheWriter, ParseCache

__all__ = ["build", "BuildResult", "ChunkHook", "SUMMARY_COUNTS", "BuildError", "OutputInCorpus", "lock_file", "OUTPUTS", "CHUNK", "EXCEL_MAX_ROWS"]

#: The four tables a build writes, each as ``NAME.csv`` and ``NAME.parquet``.
OUTPUTS = ("reports", "tables", "audit", "parse_log", "statements")
#: Reports per chunk: the unit of parsing, writing and memory.
CHUNK = 1000
#: Data rows an Excel sheet holds below its header row.
EXCEL_MAX_ROWS = 1_048_575
#: The creation date written into xxgk.xlsx (any fixed one: the build date is not the data's).
WORKBOOK_DATE = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
#: Seconds a build waits for another build writing the same output folder.
LOCK_WAIT = 600.0
#: Reports per cross-year bucket file (organs are hashed into buckets).
_BUCKET_REPORTS = 2000
_SHEETS = ("reports", "t2", "t3", "t4", "audit", "parse_log", "statements")


class ChunkHook(Protocol):
    """What a build hands each chunk's frames to (see *derived* in :func:`build`)."""

    def add(self, tables: dict) -> None:
        """One chunk's rows of ``reports``, ``tables``, ``parse_log`` and ``statements`` (Arrow
        tables by name, in report_id order; the chunks come in report_id order, and a build of no
        report gives one chunk of empty tables)."""

    def close(self) -> list[str]:
        """Every chunk is in (or the build failed): finish, and return the outputs written."""


class BuildError(RuntimeError):
    """A build cannot run or cannot write its outputs; the message is one line naming the path."""


#: The counts a :class:`BuildResult` carries, kept in the manifest for an up-to-date build.
SUMMARY_COUNTS = ("listed", "parsed", "with_warnings", "checks", "failed", "unchecked")


@dataclasses.dataclass
class BuildResult:
    """What a build did, as facts (``xxgk build`` words them); an up-to-date build carries those
    of the build that wrote the outputs."""

    out: Path  # the output folder
    corpus: Path  # the corpus folder
    up_to_date: bool  # nothing changed since the last build: nothing was written
    listed: int  # reports listed in metadata.csv (a file listed twice counts once)
    parsed: int  # reports read, with or without parser warnings
    with_warnings: int  # of those, reports with parser warnings
    skipped: list[tuple[str, str]]  # (file, reason) of reports that could not be read
    checks: int  # audit findings (rows of audit.*)
    failed: int  # of those, checks that failed
    unchecked: int  # of those, checks that could not be made (a missing cell or table)
    excel: bool  # xxgk.xlsx written
    too_big: dict[str, int]  # sheet -> rows, for sheets longer than Excel holds (xxgk.xlsx not written)
    written: list[str]  # outputs, relative to *out*
    #: seconds each phase took (parse, audit, each derived frame by name, workbook, each extra
    #: by name, manifest); empty
    #: for an up-to-date build.  Also logged at DEBUG level on the ``toolkit.data.build`` logger.
    timings: dict[str, float] = dataclasses.field(default_factory=dict)


# ------------------------------------------------------------------ the output folder


@dataclasses.dataclass(frozen=True)
class _Places:
    """Where a build of *out* works: its staging folder and the folder the previous outputs are
    moved to during the switch (both on *out*'s file system, since the switch renames them), and
    its lock (a lock file, or *out*'s parent folder itself)."""

    stage: Path
    old: Path
    lock: Path


def _beside(out: Path) -> tuple[Path, Path]:
    """The staging and previous-outputs folders beside *out*: used only when the data home is on
    another file system (or cannot be written), and by the versions before the data home held them."""
    return out.parent / f".{out.name}.xxgk-stage", out.parent / f".{out.name}.xxgk-old"


def _places(out: Path, data_home: Path | None = None) -> _Places:
    """The data home's build folder for *out* holds the lock, and the staging folders when it is on
    *out*'s file system; otherwise they go beside *out*.  A data home that cannot be written (or
    lies inside *out*) leaves the lock to *out*'s parent folder itself: nothing is added there."""
    try:
        area = build_area(out, data_home)
    except OSError as exc:
        note_unwritable(exc, "the build locks its output's parent folder and stages beside it", data_home)
        return _Places(*_beside(out), out.parent)
    if area == out or out in area.parents:  # the data home inside the output folder
        return _Places(*_beside(out), out.parent)
    if os.stat(area).st_dev != os.stat(out.parent).st_dev:
        return _Places(*_beside(out), area / "lock")
    return _Places(area / "stage", area / "old", area / "lock")


def lock_file(out: str | os.PathLike, data_home: str | os.PathLike | None = None) -> Path:
    """The lock file builds into the output folder *out* hold (in the data home; *out*'s parent
    folder itself when the data home cannot be written)."""
    out = Path(out).expanduser().resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    return _places(out, resolve_data_home(data_home)).lock


def _check_out(out: Path, root: Path) -> None:
    outside_corpus(out, root)
    if out.exists() and not out.is_dir():
        raise BuildError(f"{out}: the output folder names an existing file; give a folder with --out")
    # A folder xxgk wrote has its .cache (a build's manifest, or the parse cache the loaders
    # keep in the data home before any build); anything else is someone else's folder.
    ours = (out / ".cache" / "manifest.json").is_file() or (out / ".cache" / CACHE_FILE).is_file()
    if out.is_dir() and any(out.iterdir()) and not ours:
        raise BuildError(f"{out}: the output folder holds files xxgk did not write; "
                         "give a new or empty folder with --out")


def _recover(out: Path, places: _Places) -> None:
    """Finish or undo what a killed build left: a half-done switch, a staging folder (where this
    build stages, and beside *out*, where builds staged before the data home held them)."""
    for stage, old in dict.fromkeys([(places.stage, places.old), _beside(out)]):
        if not out.exists() and old.is_dir():
            old.rename(out)  # killed between the two renames: the previous outputs come back
        shutil.rmtree(old, ignore_errors=True)
        shutil.rmtree(stage, ignore_errors=True)
    legacy = out.parent / f".{out.name}.xxgk-lock"  # the lock file of those versions, empty once released
    with contextlib.suppress(OSError):
        if legacy.is_file() and not legacy.is_symlink() and legacy.stat().st_size == 0:
            legacy.unlink()


def _switch(places: _Places, out: Path) -> None:
    """Put the staged outputs in place of *out* with two renames; the staging folder is removed
    when the switch fails (the previous outputs are back in place then)."""
    moved = False
    try:
        if out.exists():
            out.rename(places.old)
            moved = True
        places.stage.rename(out)
    except BaseException:
        if moved and not out.exists():
            with contextlib.suppress(OSError):
                places.old.rename(out)
        shutil.rmtree(places.stage, ignore_errors=True)
        raise
    shutil.rmtree(places.old, ignore_errors=True)


# ------------------------------------------------------------------ the build


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def build(corpus: str | os.PathLike | None = None, out: str | os.PathLike | None = None, *,
          jobs: int | None = None, cache: bool = True, excel: bool = True,
          progress: bool | None = None, chunk: int = CHUNK,
          extras: Sequence[Callable[[Path], list[str]]] = (),
          sheets: Sequence[tuple[str, Callable[[Path], "pd.DataFrame"]]] = (),
          derived: Sequence[Callable[[Path], "ChunkHook"]] = (),
          data_home: str | os.PathLike | None = None) -> BuildResult:
    """Parse and audit *corpus*; write its tables, audit, parse log and workbook to *out*.

    *out* defaults to the corpus's folder in the data home *data_home*
    (:func:`toolkit.data.home.corpus_home`), where the loaders look for it; the
    build's lock and staging folders are in that data home too.
    *jobs* worker processes parse (``None``: all cores, and never more).  With
    *cache* False the previous build's cache is not used (every file is parsed
    again; the cache is still refreshed).  *excel* False skips ``xxgk.xlsx``.
    Each of *extras* is called with the staging folder before the switch and
    returns the paths (relative to it) it wrote there — the charts, for one.
    Each of *sheets* is (name, function of the staging folder returning a frame): a further
    sheet of ``xxgk.xlsx`` after the build's own (the indicators, for one).
    Each of *derived* is called with the staging folder and returns a :class:`ChunkHook`,
    which is given each chunk's frames as they are written: what it computes from them once
    (the indicators; a report's depend on its own rows only) it keeps there for the sheets
    and extras to read, and its ``close`` returns the outputs it wrote, if any.

    Raises :class:`~toolkit.corpus.CorpusNotFound` or
    :class:`~toolkit.corpus.metadata.MetadataError` naming the path when the
    corpus or its ``metadata.csv`` cannot be read; :class:`OutputInCorpus` when
    *out* is inside the corpus folder; :class:`BuildError` when *out* cannot be
    written (with the reason); :class:`~toolkit.fileio.LockBusy` when another
    build is writing *out*.
    """
    root = corpus_dir(corpus)
    home = resolve_data_home(data_home)
    out = corpus_home(root, home) if out is None else Path(out).expanduser().resolve()
    _check_out(out, root)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        places = _places(out, home)
        lock = FolderLock(places.lock, "the output folder (another xxgk build)", timeout=LOCK_WAIT)
        with lock, _file_size_limit_raises():
            return _build_locked(root, out, places, jobs=jobs, cache=cache, excel=excel, progress=progress,
                                 chunk=chunk, extras=extras, sheets=sheets, derived=derived)
    except Exception as exc:
        # A write that failed (disk full, a file size limit, a folder in the way), however a
        # library wrapped it (xlsxwriter's FileCreateError holds the OSError).
        error = _os_error(exc)
        if error is None:
            raise
        where = error.filename or out
        raise BuildError(f"{where}: cannot write the build ({error.strerror or error})") from None


def _os_error(exc: BaseException | None, depth: int = 0) -> OSError | None:
    """The OSError *exc* is or wraps (as its first argument or its cause), if any."""
    if exc is None or depth > 5:
        return None
    if isinstance(exc, OSError):
        return exc
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
    return _os_error(inner or exc.__cause__ or exc.__context__, depth + 1)


@contextlib.contextmanager
def _file_size_limit_raises():
    """While building, a file size limit (``ulimit -f``) makes a write fail with EFBIG, reported
    as an I/O error, instead of killing the process with SIGXFSZ between two outputs."""
    import signal
    import threading

    if not hasattr(signal, "SIGXFSZ") or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGXFSZ, previous)


def _build_locked(root: Path, out: Path, places: _Places, *, jobs, cache, excel, progress, chunk,
                  extras, sheets=(), derived=()) -> BuildResult:
    _recover(out, places)
    plan = _plan(root, out, cache, excel, extras, sheets, derived)
    done = _up_to_date_result(plan)
    if done is not None:
        return done

    import pyarrow as pa

    from .cache import CacheWriter, ParseCache

    stage = places.stage
    old_cache = ParseCache(out / ".cache" / CACHE_FILE if cache else None)
    new_cache = CacheWriter(stage / ".cache" / CACHE_FILE)
    sinks: dict[str, TableSink] = {}
    staged: list[_Staging] = []
    hooks = {_extra_name(make).split("(")[0]: make(stage) for make in derived}
    timings = _Timings()
    try:
        with timings("parse"):
            parsed = _parse_and_stage(plan, stage, old_cache, new_cache, sinks, staged, hooks, timings,
                                      jobs=jobs, chunk=chunk, progress=progress)
        computed = []
        for name, hook in hooks.items():
            with timings(name):
                computed += hook.close()
        with timings("audit"):
            audit = _audit_and_cross_year(stage, staged[0], sinks)
        with timings("workbook"):
            written, too_big = _write_exports(stage, sinks, parsed.table_rows, excel, sheets)
        written += computed + _write_extras(stage, extras, timings)
        result = BuildResult(out=out, corpus=root, up_to_date=False, listed=len(plan.metas),
                             parsed=parsed.ok + parsed.with_warnings, with_warnings=parsed.with_warnings,
                             skipped=parsed.skipped, checks=audit[0], failed=audit[1], unchecked=audit[2],
                             excel=bool(excel) and not too_big, too_big=too_big, written=written,
                             timings=timings.seconds)
        with timings("manifest"):
            _write_build_manifest(plan, stage, result)
    except BaseException:
        # The build has failed: every file is closed (a close that fails too is of no interest
        # now), the workers have stopped, and the staging folder goes.
        with contextlib.suppress(OSError, pa.ArrowException):
            close_all(*(sink.close for sink in sinks.values()), *(s.close for s in staged),
                      *(hook.close for hook in hooks.values()))
        new_cache.discard()
        shutil.rmtree(stage, ignore_errors=True)
        raise
    finally:
        old_cache.close()
    _switch(places, out)
    return result


@dataclasses.dataclass
class _Plan:
    """What a build reads before writing anything: the corpus, its listing and the last build's manifest."""

    root: Path
    out: Path
    options: dict
    manifest: dict | None
    metadata_sha: str | None
    listed: list[dict]  # metadata.csv's rows
    metas: list[dict]  # each file once, in report_id order
    hashes: FileHashes


def _plan(root: Path, out: Path, cache: bool, excel: bool, extras, sheets, derived=()) -> _Plan:
    options = {"excel": bool(excel), "extras": [_extra_name(e) for e in extras]}
    if derived:  # recorded only when asked for, as the sheets
        options["derived"] = [_extra_name(d) for d in derived]
    if sheets:  # recorded only when asked for, so that builds without them stay up to date
        options["sheets"] = [f"{name}={_extra_name(make)}" for name, make in sheets]
    manifest = read_manifest(out / ".cache") if cache else None
    metadata_sha = sha256_file(root / "metadata.csv")
    listed = metadata_records(root)  # raises on bad metadata
    # Each file once (a file listed twice would count twice); every listed file is in the manifest.
    metas = sorted(each_file_once(listed), key=lambda m: str(m["report_id"]))
    hashes = FileHashes(root, (manifest or {}).get("files"))
    return _Plan(root, out, options, manifest, metadata_sha, listed, metas, hashes)


# ------------------------------------------------------------------ phase 1: up to date?


def _up_to_date_result(plan: _Plan) -> BuildResult | None:
    """The last build's result when nothing it read or wrote has changed since; else None."""
    manifest = plan.manifest
    if not _up_to_date(manifest, plan.root, plan.out, plan.options, plan.metadata_sha, plan.hashes, plan.listed):
        return None
    summary = manifest["summary"]
    return BuildResult(out=plan.out, corpus=plan.root, up_to_date=True,
                       skipped=[tuple(s) for s in manifest.get("skipped", [])],
                       too_big=dict(summary["too_big"]), written=list(manifest["outputs"]),
                       **{k: summary[k] for k in SUMMARY_COUNTS}, excel=summary["excel"])


# ------------------------------------------------------------------ phase 2: parse and stage


@dataclasses.dataclass
class _Parsed:
    ok: int = 0
    with_warnings: int = 0
    skipped: list = dataclasses.field(default_factory=list)  # (file, reason)
    table_rows: dict = dataclasses.field(default_factory=dict)  # rows of tables.* per table


def _parse_and_stage(plan: _Plan, stage: Path, old_cache: "ParseCache", new_cache: "CacheWriter",
                     sinks: dict[str, TableSink], staged: list, hooks: dict[str, "ChunkHook"],
                     timings: "_Timings", *, jobs, chunk, progress) -> _Parsed:
    """Parse the reports a chunk at a time and write reports, tables, parse_log and statements into
    *stage* (through *sinks*, closed at the end), the parse cache, and the audit's per-report
    findings and cross-year keys (the :class:`_Staging` appended to *staged*); each chunk's frames
    go to *hooks* too (by name, each timed as a phase of its own)."""
    from .frames import parse_log_arrow, reports_arrow, statements_arrow, tables_arrow
    from .workers import n_workers, worker_pool

    metas, hashes = plan.metas, plan.hashes
    parsed = _Parsed()
    stage.mkdir(parents=True)
    work = stage / ".cache" / "work"
    work.mkdir(parents=True)
    for name in ("reports", "tables", "parse_log", "statements"):
        sinks[name] = TableSink(stage, name)
    staged.append(_Staging(work, len(metas)))
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
                _stage_chunk(done, sinks, staged[0], hooks, hashes, new_cache, parsed, timings)
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
    for sink in sinks.values():
        sink.close()
    new_cache.commit()
    return parsed


def _stage_chunk(done: list, sinks: dict[str, TableSink], staged: "_Staging", hooks: dict[str, "ChunkHook"],
                 hashes: FileHashes, new_cache: "CacheWriter", parsed: _Parsed, timings: "_Timings") -> None:
    """One chunk's batches (``(tasks, BatchResult)`` in report order) written out: its frames, its
    findings and cross-year keys, its cache entries and the hashes of the files read."""
    import pyarrow as pa

    tables = {name: pa.concat_tables([result.tables[name] for _, result in done]) for name in sinks}
    _write_chunk(tables, sinks, hooks, timings)
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
                 timings: "_Timings") -> None:
    for name, sink in sinks.items():
        sink.write(tables[name])
    for name, hook in hooks.items():
        with timings(name):
            hook.add(tables)


# ------------------------------------------------------------------ phase 3: audit and cross-year


def _audit_and_cross_year(stage: Path, staged: "_Staging", sinks: dict[str, TableSink]) -> tuple[int, int, int]:
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


# ------------------------------------------------------------------ phase 4: frames and exports


def _write_exports(stage: Path, sinks: dict[str, TableSink], table_rows: dict[str, int], excel: bool,
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


# ------------------------------------------------------------------ phase 5: extras


def _write_extras(stage: Path, extras, timings: "_Timings") -> list[str]:
    """Each extra output (the charts, the database) written into *stage*; the paths they wrote."""
    written: list[str] = []
    for extra in extras:
        with timings(_extra_name(extra).split("(")[0]):
            written += extra(stage)
    return written


class _Timings:
    """Wall seconds per named phase of a build (what ``python -m benchmarks`` reads)."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self._inner: list[float] = []  # per open phase, the seconds of the phases timed within it

    @contextlib.contextmanager
    def __call__(self, name: str):
        """Time the phase *name*; a phase timed within another (a hook within parse) is not
        counted in the outer one too."""
        import logging
        import time

        t0 = time.perf_counter()
        self._inner.append(0.0)
        try:
            yield
        finally:
            took = time.perf_counter() - t0
            own = took - self._inner.pop()
            if self._inner:
                self._inner[-1] += took
            self.seconds[name] = self.seconds.get(name, 0.0) + own
            logging.getLogger(__name__).debug("build phase %s: %.3f s", name, own)


# ------------------------------------------------------------------ phase 6: manifest


def _write_build_manifest(plan: _Plan, stage: Path, result: BuildResult) -> None:
    """What the build read and wrote, for the next build's up-to-date check and the loaders."""
    hashes = plan.hashes
    for meta in plan.listed:  # files no worker read (unreadable, listed twice): their stat and hash as they stand
        if meta.get("file") and meta["file"] not in hashes.now:
            hashes(meta["file"])
    summary = {k: getattr(result, k) for k in SUMMARY_COUNTS}
    write_manifest(stage / ".cache", {
        "toolkit": toolkit_fingerprint(), "options": plan.options,
        "corpus": str(plan.root), "metadata_sha256": plan.metadata_sha,
        "files": {rel: hashes.now[rel] for rel in sorted(hashes.now)},
        "outputs": {rel: stat_list(stage / rel) for rel in result.written},
        "summary": {**summary, "excel": result.excel, "too_big": result.too_big}, "skipped": result.skipped,
    })


def _extra_name(extra) -> str:
    """What the manifest records of an extra output: its function's name, with the arguments of a
    ``functools.partial`` -- all but ``jobs``, which changes how fast it writes, not what."""
    if isinstance(extra, functools.partial):
        keywords = sorted((k, v) for k, v in extra.keywords.items() if k != "jobs")
        args = ", ".join([*map(repr, extra.args), *(f"{k}={v!r}" for k, v in keywords)])
        name = _extra_name(extra.func)
        return f"{name}({args})" if args else name
    return getattr(extra, "__name__", None) or str(extra)


def _true(column) -> int:
    import pyarrow.compute as pc

    return int(pc.sum(column).as_py() or 0)


def _count_by(table, column: str) -> dict[str, int]:
    counts = table[column].value_counts().to_pylist()
    return {c["values"]: int(c["counts"]) for c in counts}


def _up_to_date(manifest: dict | None, root: Path, out: Path, options: dict, metadata_sha: str | None,
                hashes: FileHashes, metas: list[dict]) -> bool:
    # Outputs before reports: a deleted or edited output is cheaper to notice than a changed report.
    if not build_of(manifest, root, out, metadata_sha) or manifest.get("options") != options:
        return False
    listed = {m["file"] for m in metas if m.get("file")}
    if listed != set(manifest["files"]):
        return False
    return all(hashes(rel) == old[-1] for rel, old in manifest["files"].items())


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
