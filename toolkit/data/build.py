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

Everything is written into a staging folder beside the output folder; at the end
the two are switched with two renames, so a build that fails or is killed leaves
the previous outputs whole (a switch interrupted between its two renames is
finished by the next build).  One build at a time writes an output folder (a
lock file in its parent folder).

The outputs are the loaders' frames exactly (``load_reports()``,
``load_tables()``, ``audit()``, ``load_parse_log()``), each as CSV (see
:mod:`toolkit.data.tabular` for the CSV contract) and Parquet, plus
``xxgk.xlsx`` when every sheet fits in Excel.  ``OUT/.cache/`` holds the parse
cache (:mod:`toolkit.data.cache`) and the manifest (:mod:`toolkit.data.manifest`).
"""
from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import zlib
from pathlib import Path
from typing import Callable, Iterator, Sequence

from ..checks import check_report, cross_year_checks
from ..corpus import corpus_dir, metadata_records, resolve_report_path
from ..corpus.metadata import MetadataError
from ..fileio import FolderLock, sha256_file
from ..parsing import Report
from ..progress import progress_bar
from .cache import CACHE_FILE, CacheWriter, ParseCache, toolkit_fingerprint
from .frames import (ParsedReport, apply_metadata, findings_frame, parse_log_frame, reports_frame,
                     tables_frame)
from .home import corpus_home
from .manifest import FileHashes, outputs_hold, read_manifest, stat_list, write_manifest
from .tabular import TableSink, arrow_types
from .workers import ParseOutcome, n_workers, parse_path, worker_pool

__all__ = ["build", "BuildResult", "BuildError", "OutputInCorpus", "OUTPUTS", "CHUNK", "EXCEL_MAX_ROWS"]

#: The four tables a build writes, each as ``NAME.csv`` and ``NAME.parquet``.
OUTPUTS = ("reports", "tables", "audit", "parse_log")
#: Reports per chunk: the unit of parsing, writing and memory.
CHUNK = 1000
#: Data rows an Excel sheet holds below its header row.
EXCEL_MAX_ROWS = 1_048_575
#: Seconds a build waits for another build writing the same output folder.
LOCK_WAIT = 600.0
#: Reports per cross-year bucket file (organs are hashed into buckets).
_BUCKET_REPORTS = 2000
_SHEETS = ("reports", "t2", "t3", "t4", "audit", "parse_log")


class BuildError(RuntimeError):
    """A build cannot run or cannot write its outputs; the message is one line naming the path."""


class OutputInCorpus(BuildError):
    """The output folder is the corpus folder or inside it (a build never writes there)."""


@dataclasses.dataclass
class BuildResult:
    """What a build did: ``lines`` is the summary ``xxgk build`` prints."""

    out: Path
    up_to_date: bool
    lines: list[str]
    skipped: list[tuple[str, str]]  # (file, reason) of reports that could not be read


# ------------------------------------------------------------------ the output folder


def _siblings(out: Path) -> tuple[Path, Path, Path]:
    """(staging folder, previous-outputs folder, lock file) beside *out*."""
    return (out.parent / f".{out.name}.xxgk-stage", out.parent / f".{out.name}.xxgk-old",
            out.parent / f".{out.name}.xxgk-lock")


def _check_out(out: Path, root: Path) -> None:
    if out == root or root in out.parents:
        raise OutputInCorpus(f"{out}: refusing to write into the corpus folder {root}")
    if out.exists() and not out.is_dir():
        raise BuildError(f"{out}: the output folder names an existing file; give a folder with --out")
    if out.is_dir() and any(out.iterdir()) and not (out / ".cache" / "manifest.json").is_file():
        raise BuildError(f"{out}: the output folder holds files xxgk did not write; "
                         "give a new or empty folder with --out")


def _recover(out: Path) -> None:
    """Finish or undo what a killed build left: a half-done switch, a staging folder."""
    stage, old, _lock = _siblings(out)
    if not out.exists() and old.is_dir():
        old.rename(out)  # killed between the two renames: the previous outputs come back
    shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(stage, ignore_errors=True)


def _switch(stage: Path, out: Path) -> None:
    _stage, old, _lock = _siblings(out)
    if out.exists():
        out.rename(old)
    stage.rename(out)
    shutil.rmtree(old, ignore_errors=True)


# ------------------------------------------------------------------ the build


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def build(corpus: str | os.PathLike | None = None, out: str | os.PathLike | None = None, *,
          jobs: int | None = None, cache: bool = True, excel: bool = True,
          progress: bool | None = None, chunk: int = CHUNK,
          extras: Sequence[Callable[[Path], list[str]]] = ()) -> BuildResult:
    """Parse and audit *corpus*; write its tables, audit, parse log and workbook to *out*.

    *out* defaults to the corpus's folder in the data home
    (:func:`toolkit.data.home.corpus_home`), where the loaders look for it.
    *jobs* worker processes parse (``None``: all cores, and never more).  With
    *cache* False the previous build's cache is not used (every file is parsed
    again; the cache is still refreshed).  *excel* False skips ``xxgk.xlsx``.
    Each of *extras* is called with the staging folder before the switch and
    returns the paths (relative to it) it wrote there — the charts, for one.

    Raises :class:`~toolkit.corpus.CorpusNotFound` or
    :class:`~toolkit.corpus.metadata.MetadataError` naming the path when the
    corpus or its ``metadata.csv`` cannot be read; :class:`OutputInCorpus` when
    *out* is inside the corpus folder; :class:`BuildError` when *out* cannot be
    written (with the reason); :class:`~toolkit.fileio.LockBusy` when another
    build is writing *out*.
    """
    root = corpus_dir(corpus)
    out = corpus_home(root) if out is None else Path(out).expanduser().resolve()
    _check_out(out, root)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        lock = FolderLock(_siblings(out)[2], "the output folder (another xxgk build)", timeout=LOCK_WAIT)
        with lock, _file_size_limit_raises():
            return _build_locked(root, out, jobs=jobs, cache=cache, excel=excel, progress=progress,
                                 chunk=chunk, extras=extras)
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


def _build_locked(root: Path, out: Path, *, jobs, cache, excel, progress, chunk, extras) -> BuildResult:
    _recover(out)
    cache_dir = out / ".cache"
    options = {"excel": bool(excel), "extras": [getattr(e, "__name__", str(e)) for e in extras]}
    manifest = read_manifest(cache_dir) if cache else None
    metadata_sha = sha256_file(root / "metadata.csv")
    metas = sorted(metadata_records(root), key=lambda m: str(m["report_id"]))  # raises on bad metadata
    hashes = FileHashes(root, (manifest or {}).get("files"))
    if _up_to_date(manifest, root, out, options, metadata_sha, hashes, metas):
        lines = [f"up to date: nothing changed since the last build of {root}", *manifest["summary"]]
        return BuildResult(out, True, lines, [tuple(s) for s in manifest.get("skipped", [])])

    stage = _siblings(out)[0]
    stage.mkdir(parents=True)
    work = stage / ".cache" / "work"
    work.mkdir(parents=True)
    old_cache = ParseCache(cache_dir / CACHE_FILE if cache else None)
    new_cache = CacheWriter(stage / ".cache" / CACHE_FILE)
    sinks = {name: TableSink(stage, name) for name in ("reports", "tables", "parse_log")}
    staged = _Staging(work, len(metas))
    bar = progress_bar(len(metas), "building", "report", progress)
    workers = min(n_workers(jobs), max(1, len(metas)))
    pool = worker_pool(workers) if workers > 1 else None
    counts = {"ok": 0, "warnings": 0}
    table_rows = {"t2": 0, "t3": 0, "t4": 0}
    skipped: list[tuple[str, str]] = []
    try:
        pending = None
        for part in [*_chunks(metas, chunk), None]:
            # Hand the next chunk to the workers before writing this one, so both go on at once.
            ahead = _start(part, root, hashes, old_cache, pool) if part is not None else None
            if pending is not None:
                parsed = _finish(root, *pending, new_cache)
                sinks["reports"].write(reports_frame(parsed))
                frame = tables_frame(parsed)
                sinks["tables"].write(frame)
                for t, k in frame["table"].value_counts().items():
                    table_rows[t] = table_rows.get(t, 0) + int(k)
                sinks["parse_log"].write(parse_log_frame(parsed))
                findings = []
                for p in parsed:
                    if p.report is None:
                        skipped.append((p.meta.get("file") or p.report_id, p.error))
                        continue
                    counts["warnings" if p.report.warnings else "ok"] += 1
                    findings.extend(check_report(p.report))
                    staged.add_report(p.meta, p.report)
                staged.add_findings(findings, parsed[-1].report_id)
                bar.update(len(parsed))
            pending = ahead
        bar.close()
        empty = {"reports": reports_frame, "tables": tables_frame, "parse_log": parse_log_frame}
        for name, sink in sinks.items():
            if sink.schema is None:  # no report listed: the files still exist, with their columns
                sink.write(empty[name]([]))
            sink.close()
        new_cache.commit()
        sinks["audit"] = TableSink(stage, "audit")
        failed = unchecked = 0
        for frame in staged.audit_chunks():
            sinks["audit"].write(frame)
            failed += int(frame["passed"].eq(False).sum())
            unchecked += int(frame["passed"].isna().sum())
        sinks["audit"].close()
        staged.close()
        shutil.rmtree(work)

        written = [f"{name}.{ext}" for name in OUTPUTS for ext in ("csv", "parquet")]
        excel_note = None
        rows = {"reports": sinks["reports"].rows, "audit": sinks["audit"].rows,
                "parse_log": sinks["parse_log"].rows, **table_rows}
        too_big = {name: rows[name] for name in _SHEETS if rows[name] > EXCEL_MAX_ROWS}
        if not excel:
            excel_note = "xxgk.xlsx not written (--no-excel)"
        elif too_big:
            excel_note = ("xxgk.xlsx not written: " + ", ".join(f"sheet {n} has {k:,} rows" for n, k in too_big.items())
                          + f", more than an Excel sheet holds ({EXCEL_MAX_ROWS:,}); use the CSV or Parquet files")
        if excel_note is None:
            _write_workbook(stage)
            written.append("xxgk.xlsx")
        for extra in extras:
            written += extra(stage)

        total = sinks["audit"].rows
        lines = [f"{len(metas)} reports listed in {root}",
                 f"  parsed: {counts['ok'] + counts['warnings']} ({counts['warnings']} with warnings)",
                 f"  skipped (unreadable): {len(skipped)}",
                 f"  audit: {failed} checks failed, {unchecked} not checkable, of {total}",
                 f"  written to {out}"]
        if excel_note:
            lines.append(f"  {excel_note}")
        write_manifest(stage / ".cache", {
            "toolkit": toolkit_fingerprint(), "options": options,
            "corpus": str(root), "metadata_sha256": metadata_sha,
            "files": {rel: hashes.now[rel] for rel in sorted(hashes.now)},
            "outputs": {rel: stat_list(stage / rel) for rel in written},
            "summary": lines, "skipped": skipped,
        })
    except BaseException:
        for sink in sinks.values():
            sink.close()
        staged.close()
        new_cache.discard()
        if pool is not None:
            pool.shutdown(cancel_futures=True)
            pool = None
        shutil.rmtree(stage, ignore_errors=True)
        raise
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        old_cache.close()
    _switch(stage, out)
    return BuildResult(out, False, lines, skipped)


def _up_to_date(manifest: dict | None, root: Path, out: Path, options: dict, metadata_sha: str | None,
                hashes: FileHashes, metas: list[dict]) -> bool:
    if not manifest or manifest["toolkit"] != toolkit_fingerprint() or manifest.get("options") != options \
            or manifest["corpus"] != str(root) or metadata_sha is None \
            or manifest["metadata_sha256"] != metadata_sha:
        return False
    # Outputs first: a deleted or edited output is cheaper to notice than a changed report.
    if not outputs_hold(manifest, out):
        return False
    listed = {m["file"] for m in metas if m.get("file")}
    if listed != set(manifest["files"]):
        return False
    return all(hashes(rel) == old[2] for rel, old in manifest["files"].items())


def _path_of(root: Path, meta: dict) -> tuple[Path | None, str | None]:
    try:
        return resolve_report_path(root, meta.get("file") or ""), None
    except MetadataError as exc:
        return None, str(exc)


def _start(part: list[dict], root: Path, hashes: FileHashes, old_cache: ParseCache, pool):
    """Look a chunk up in the cache and send the rest to the workers; returns what _finish needs."""
    outcomes: list[ParseOutcome | None] = []
    digests: list[str | None] = []
    paths: list[Path | None] = []
    todo: list[int] = []
    for i, meta in enumerate(part):
        path, problem = _path_of(root, meta)
        paths.append(path)
        if problem is not None:
            outcomes.append(ParseOutcome(None, problem))
            digests.append(None)
            continue
        digest = hashes(meta["file"])
        digests.append(digest)
        cached = old_cache.get(digest, path)
        outcomes.append(cached)
        if cached is None:
            todo.append(i)
    args = [str(paths[i]) for i in todo]
    fresh = pool.map(parse_path, args, chunksize=16) if pool is not None else map(parse_path, args)
    return part, outcomes, digests, paths, todo, fresh


def _finish(root: Path, part, outcomes, digests, paths, todo, fresh, new_cache: CacheWriter) -> list[ParsedReport]:
    for i, outcome in zip(todo, fresh):
        outcomes[i] = outcome
    for digest, outcome in zip(digests, outcomes):
        if digest is not None:
            new_cache.add(digest, outcome)
    new_cache.flush()
    out = []
    for meta, outcome, path in zip(part, outcomes, paths):
        if outcome.report is not None:
            out.append(ParsedReport(meta, apply_metadata(meta, outcome.report), None))
        else:
            out.append(ParsedReport(meta, None, f"{path if path is not None else meta.get('report_id')}: "
                                                f"{outcome.error}"))
    return out


# ------------------------------------------------------------------ audit staging


class _Staging:
    """Per-report findings on disk, plus what the cross-year checks need, bucketed by organ."""

    def __init__(self, work: Path, n_reports: int):
        self.work = work
        self.n_buckets = max(1, min(256, n_reports // _BUCKET_REPORTS + 1))
        self.buckets = [None] * self.n_buckets
        self.bounds: list[str] = []  # last report_id of each staged chunk
        self.writer = None

    def add_report(self, meta: dict, report) -> None:
        # Every readable report is staged; cross_year_checks itself decides which ones it compares.
        adcode = meta.get("adcode") or ""
        k = zlib.crc32(f"{adcode}\0{report.agency}".encode()) % self.n_buckets
        if self.buckets[k] is None:
            self.buckets[k] = (self.work / f"organs-{k:03d}.jsonl").open("w", encoding="utf-8")
        t3 = report.tables.get("t3")
        record = {"report_id": report.report_id, "adcode": adcode, "agency": report.agency,
                  "year": report.year, "section5": report.sections.get("5"),
                  "t3": None if t3 is None else {r: t3.get(r) for r in ("carried_over", "carried_forward")}}
        self.buckets[k].write(json.dumps(record, ensure_ascii=False) + "\n")

    def add_findings(self, findings: list[dict], last_id) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(findings_frame(findings), preserve_index=False)
        if self.writer is None:
            self.schema = table.schema
            self.writer = pq.ParquetWriter(self.work / "findings.parquet", self.schema)
        self.writer.write_table(table.cast(self.schema))
        self.bounds.append(str(last_id))

    def _cross_year(self):
        """All cross-year findings as one Arrow table sorted by report_id (in check order)."""
        import pyarrow as pa

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
                tables.append(pa.Table.from_pandas(findings_frame(rows), preserve_index=False))
        if not tables:
            return None
        table = pa.concat_tables(tables)
        table = table.append_column("_seq", pa.array(range(table.num_rows), pa.int64()))
        return table.sort_by([("report_id", "ascending"), ("_seq", "ascending")]).drop_columns(["_seq"])

    def audit_chunks(self):
        """audit()'s frame, a staged chunk at a time: its reports' checks, then their cross-year ones."""
        import bisect

        import pandas as pd
        import pyarrow.parquet as pq

        if self.writer is None:
            yield findings_frame([])
            return
        self.writer.close()
        self.writer = None
        cross = self._cross_year()
        ids = cross["report_id"].to_pylist() if cross is not None else []
        staged = pq.ParquetFile(self.work / "findings.parquet")
        lo = 0
        for g, last in enumerate(self.bounds):
            frame = staged.read_row_group(g).to_pandas(types_mapper=arrow_types)
            hi = bisect.bisect_right(ids, last)
            if hi > lo:
                extra = cross.slice(lo, hi - lo).to_pandas(types_mapper=arrow_types)
                frame = pd.concat([frame, extra], ignore_index=True).sort_values(
                    "report_id", kind="stable", ignore_index=True)
            lo = hi
            yield frame

    def close(self) -> None:
        for fh in self.buckets:
            if fh is not None and not fh.closed:
                fh.close()
        if self.writer is not None:
            self.writer.close()


def _write_workbook(out: Path) -> None:
    """xxgk.xlsx, one sheet per table, written row by row (xlsxwriter's constant-memory mode)."""
    import pandas as pd
    import xlsxwriter

    tmp = out / "xxgk.xlsx.tmp"
    book = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "strings_to_formulas": False,
                                          "strings_to_urls": False, "strings_to_numbers": False})
    try:
        for sheet in _SHEETS:
            name = "tables" if sheet in ("t2", "t3", "t4") else sheet
            frame = pd.read_parquet(out / f"{name}.parquet",
                                    filters=[("table", "=", sheet)] if name == "tables" else None)
            ws = book.add_worksheet(sheet)
            ws.write_row(0, 0, list(frame.columns))
            columns = [[None if v is pd.NA or v is None or v != v else v for v in frame[c].astype(object).tolist()]
                       for c in frame.columns]
            for i, row in enumerate(zip(*columns), start=1):
                ws.write_row(i, 0, row)
    finally:
        book.close()
    os.replace(tmp, out / "xxgk.xlsx")


