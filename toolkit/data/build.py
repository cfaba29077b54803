"""``xxgk build``: a corpus's dataset, written a chunk at a time, committed all at once, and
only when something changed.

The build walks the listed reports in report_id order, :data:`CHUNK` reports at a
time.  Each chunk is parsed (worker processes; files whose bytes were parsed
before come from the parse cache), turned into rows by the loaders' own frame
builders, appended to the outputs and handed to the caller's hooks (the indicators).
Nothing of a chunk outlives it except a few keys per report, so memory does not
grow with the corpus's text:

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

The build runs in phases, each a function of its own module: the output folder,
its lock and the final switch (:func:`toolkit.data.home.staged_output`); the plan
and up-to-date check (:func:`toolkit.data.manifest.plan_build`); parse and stage,
then audit and cross-year (:mod:`toolkit.data.staging`); frames and exports
(:mod:`toolkit.data.workbook`); the extras (the charts); the manifest
(:func:`toolkit.data.manifest.write_build_manifest`).

The outputs are the loaders' frames exactly (``load_reports()``,
``load_tables()``, ``audit()``, ``load_parse_log()``), each as CSV (see
:mod:`toolkit.data.tabular` for the CSV contract) and Parquet, plus
``xxgk.xlsx`` when every sheet fits in Excel.  ``OUT/.cache/`` holds the parse
cache (:mod:`toolkit.data.cache`), the manifest (:mod:`toolkit.data.manifest`) and
the build's working files, which are not outputs: the indicators computed once,
and the section 五 items and report text staged for the database.
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from ..corpus import corpus_dir
from ..fileio import OutputInCorpus
from .home import BuildError, build_places, resolve_data_home, staged_output
from .manifest import SUMMARY_COUNTS, BuildPlan, plan_build, write_build_manifest
from .workbook import EXCEL_MAX_ROWS, OUTPUTS

# The parser, the checks and pyarrow are imported by the phases that use them, not here: an
# up-to-date build compares the files with the manifest and imports nothing more.
if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .staging import ChunkHook

__all__ = ["build", "BuildResult", "SUMMARY_COUNTS", "BuildError", "OutputInCorpus", "lock_file",
           "OUTPUTS", "CHUNK", "EXCEL_MAX_ROWS"]

#: Reports per chunk: the unit of parsing, writing and memory.
CHUNK = 1000
#: Seconds a build waits for another build writing the same output folder.
LOCK_WAIT = 600.0


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


# ------------------------------------------------------------------ the build


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
    Each of *derived* is called with the staging folder and returns a :class:`~toolkit.data.staging.ChunkHook`,
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
    options = _options(excel, extras, sheets, derived)
    with staged_output(root, out, data_home, LOCK_WAIT) as places, _file_size_limit_raises():
        plan = plan_build(root, places.out, options, cache)  # phase 1: up to date?
        if plan.up_to_date is not None:
            return BuildResult(out=plan.out, corpus=plan.root, up_to_date=True, **plan.up_to_date)
        return _build_into(plan, places.stage, jobs=jobs, cache=cache, excel=excel, progress=progress,
                           chunk=chunk, extras=extras, sheets=sheets, derived=derived)


def lock_file(out: str | os.PathLike, data_home: str | os.PathLike | None = None) -> Path:
    """The lock file builds into the output folder *out* hold (in the data home; *out*'s parent
    folder itself when the data home cannot be written)."""
    out = Path(out).expanduser().resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    return build_places(out, resolve_data_home(data_home)).lock


def _options(excel: bool, extras, sheets, derived) -> dict:
    """The options a build records in its manifest: a build with others is not up to date."""
    options = {"excel": bool(excel), "extras": [_extra_name(e) for e in extras]}
    if derived:  # recorded only when asked for, as the sheets
        options["derived"] = [_extra_name(d) for d in derived]
    if sheets:  # recorded only when asked for, so that builds without them stay up to date
        options["sheets"] = [f"{name}={_extra_name(make)}" for name, make in sheets]
    return options


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


def _build_into(plan: BuildPlan, stage: Path, *, jobs, cache, excel, progress, chunk, extras, sheets,
                derived) -> BuildResult:
    """Phases 2 to 6 of the build of *plan*, written into the staging folder *stage*."""
    import pyarrow as pa

    from .cache import CACHE_FILE, CacheWriter, ParseCache
    from .staging import audit_and_cross_year, parse_and_stage
    from .tabular import close_all
    from .workbook import write_exports

    old_cache = ParseCache(plan.out / ".cache" / CACHE_FILE if cache else None)
    new_cache = CacheWriter(stage / ".cache" / CACHE_FILE)
    sinks: dict = {}
    staged: list = []
    hooks = {_extra_name(make).split("(")[0]: make(stage) for make in derived}
    timings = _Timings()
    try:
        with timings("parse"):  # phase 2: parse and stage (the hooks timed apart)
            parsed = parse_and_stage(plan, stage, old_cache, new_cache, sinks, staged, hooks, timings,
                                     jobs=jobs, chunk=chunk, progress=progress)
        plan.drop_parsed_rows()
        computed = []
        for name, hook in hooks.items():
            with timings(name):
                computed += hook.close()
        with timings("audit"):  # phase 3: audit and cross-year
            checks, failed, unchecked = audit_and_cross_year(stage, staged[0], sinks)
        with timings("workbook"):  # phase 4: frames and exports
            written, too_big = write_exports(stage, sinks, parsed.table_rows, excel, sheets)
        written += computed + _write_extras(stage, extras, timings)  # phase 5: the charts and other extras
        result = BuildResult(out=plan.out, corpus=plan.root, up_to_date=False, listed=plan.n_files,
                             parsed=parsed.ok + parsed.with_warnings, with_warnings=parsed.with_warnings,
                             skipped=parsed.skipped, checks=checks, failed=failed, unchecked=unchecked,
                             excel=bool(excel) and not too_big, too_big=too_big, written=written,
                             timings=timings.seconds)
        with timings("manifest"):  # phase 6: manifest
            write_build_manifest(plan, stage, dataclasses.asdict(result))
    except BaseException:
        # The build has failed: every file is closed (a close that fails too is of no interest
        # now) and the workers have stopped; the staging folder goes (staged_output).
        with contextlib.suppress(OSError, pa.ArrowException):
            close_all(*(sink.close for sink in sinks.values()), *(s.close for s in staged),
                      *(hook.close for hook in hooks.values()))
        new_cache.discard()
        raise
    finally:
        old_cache.close()
    return result


# ------------------------------------------------------------------ phase 5: extras


def _write_extras(stage: Path, extras, timings: "_Timings") -> list[str]:
    """Each extra output (the charts, the database) written into *stage*; the paths they wrote."""
    written: list[str] = []
    for extra in extras:
        _release_memory()
        with timings(_extra_name(extra).split("(")[0]):
            written += extra(stage)
    return written


def _release_memory() -> None:
    """Hand what the previous phase freed back to the system before the next phase allocates its own
    (Arrow's pool and the C allocator keep freed memory otherwise, and the peaks of the phases add up)."""
    import ctypes
    import ctypes.util
    import gc

    import pyarrow as pa

    gc.collect()
    pa.default_memory_pool().release_unused()
    libc = ctypes.util.find_library("c")
    if libc:
        trim = getattr(ctypes.CDLL(libc), "malloc_trim", None)
        if trim is not None:
            trim(0)


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


def _extra_name(extra) -> str:
    """What the manifest records of an extra output: its function's name, with the arguments of a
    ``functools.partial`` -- all but ``jobs``, which changes how fast it writes, not what."""
    if isinstance(extra, functools.partial):
        keywords = sorted((k, v) for k, v in extra.keywords.items() if k != "jobs")
        args = ", ".join([*map(repr, extra.args), *(f"{k}={v!r}" for k, v in keywords)])
        name = _extra_name(extra.func)
        return f"{name}({args})" if args else name
    return getattr(extra, "__name__", None) or str(extra)


