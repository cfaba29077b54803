"""``xxgk build``: a corpus's dataset, written a chunk at a time, and only when something changed.

The build walks the listed reports in report_id order, :data:`CHUNK` reports at a
time.  Each chunk is parsed (worker processes; files whose bytes were parsed
before come from the parse cache), turned into rows by the loaders' and the
audit's own functions, and appended to the outputs.  Nothing of a chunk outlives
it except a few keys per report, so memory does not grow with the corpus's text:

- section 五 and the two carried-over rows of table 3 go to bucket files on disk,
  one bucket per organ, and the cross-year checks run bucket by bucket;
- the per-report audit findings go to a staging Parquet file and are merged
  with the cross-year findings, chunk by chunk, into ``audit.*``;
- the charts read only the cells they draw back from ``tables.parquet``.

The outputs are the loaders' frames exactly (``load_reports()``,
``load_tables()``, ``audit()``, ``load_parse_log()``; a test checks it), each as
CSV (UTF-8 with BOM, for Excel) and Parquet, plus ``xxgk.xlsx`` when every sheet
fits in Excel, and ``charts/``.  They are written next to their final names and
moved into place at the end, so a failed build leaves the previous outputs whole.

``OUT/.cache/`` holds:

``parsed.parquet``
    the parse cache: ``sha256``, ``parser`` (fingerprint of the parser's source)
    and ``result`` (the parsed report as JSON), in report_id order so a rebuild
    reads it front to back.  Rewritten by every build with exactly the entries
    it used.
``manifest.json``
    what the last build read (toolkit fingerprint and library versions, options,
    ``metadata.csv``'s sha256, every report file's size, mtime and sha256) and
    wrote (every output's size and mtime).  When all of it still holds, the
    build says "up to date" and writes nothing.  A file whose size or mtime
    changed is hashed again; only its sha256 decides.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import platform
import shutil
import sys
import zlib
from collections import OrderedDict
from pathlib import Path
from typing import Any, Iterator

from . import loaders

__all__ = ["build", "BuildResult", "OutputInCorpus", "OUTPUTS", "CHUNK", "EXCEL_MAX_ROWS"]

#: The four tables a build writes, each as ``NAME.csv`` and ``NAME.parquet``.
OUTPUTS = ("reports", "tables", "audit", "parse_log")
#: Reports per chunk: the unit of parsing, writing and memory.
CHUNK = 1000
#: Data rows an Excel sheet holds below its header row.
EXCEL_MAX_ROWS = 1_048_575
#: Reports per cross-year bucket file (organs are hashed into buckets).
_BUCKET_REPORTS = 2000
_MANIFEST_FORMAT = 1
_CSV_ENCODING = "utf-8-sig"  # the BOM makes Excel read the CSV as UTF-8 (Chinese labels)
_SHEETS = ("reports", "t2", "t3", "t4", "audit", "parse_log")


class OutputInCorpus(ValueError):
    """The output folder is the corpus folder or inside it (a build never writes there)."""


@dataclasses.dataclass
class BuildResult:
    """What a build did: ``lines`` is the summary ``xxgk build`` prints."""

    out: Path
    up_to_date: bool
    lines: list[str]
    skipped: list[tuple[str, str]]  # (file, reason) of reports that could not be read


# ------------------------------------------------------------------ fingerprints


@functools.lru_cache(maxsize=1)
def toolkit_fingerprint() -> str:
    """Hash of the toolkit's source and data, and of the libraries that shape the outputs."""
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted(p for p in package.rglob("*") if p.is_file() and p.suffix in {".py", ".txt", ".json"}
                       and "__pycache__" not in p.parts):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    for lib in ("pandas", "pyarrow", "matplotlib", "xlsxwriter", "mplfonts", "opencc"):
        try:
            digest.update(f"{lib}={version(lib)};".encode())
        except PackageNotFoundError:
            digest.update(f"{lib}=;".encode())
    digest.update(platform.python_version().encode())
    return digest.hexdigest()[:16]


def _sha256(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None  # the parse says why
    return digest.hexdigest()


def _stat(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


class _Hashes:
    """sha256 of corpus files, trusting the last build's hash while size and mtime are unchanged."""

    def __init__(self, root: Path, previous: dict[str, list]):
        self.root, self.previous, self.now = root, previous, {}

    def __call__(self, rel: str) -> str | None:
        if rel not in self.now:
            stat = _stat(self.root / rel)
            old = self.previous.get(rel)
            if stat is not None and old is not None and old[:2] == stat:
                self.now[rel] = [*stat, old[2]]
            else:
                self.now[rel] = [*(stat or [None, None]), _sha256(self.root / rel) if stat else None]
        return self.now[rel][2]


# ------------------------------------------------------------------ manifest


def _read_manifest(cache_dir: Path) -> dict | None:
    try:
        data = json.loads((cache_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == _MANIFEST_FORMAT else None


def _up_to_date(manifest: dict | None, root: Path, out: Path, options: dict, metadata_sha: str | None,
                hashes: _Hashes) -> bool:
    if not manifest or manifest.get("toolkit") != toolkit_fingerprint() or manifest.get("options") != options \
            or manifest.get("corpus") != str(root) or metadata_sha is None \
            or manifest.get("metadata_sha256") != metadata_sha:
        return False
    # Outputs first: a deleted or edited output is cheaper to notice than a changed report.
    if any(_stat(out / rel) != stat for rel, stat in manifest.get("outputs", {}).items()):
        return False
    return all(hashes(rel) == old[2] for rel, old in manifest.get("files", {}).items())


def _write_manifest(cache_dir: Path, data: dict) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = cache_dir / "manifest.json.tmp"
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, cache_dir / "manifest.json")


# ------------------------------------------------------------------ parse cache


class _ParseCache:
    """The previous build's parse cache, read a row group at a time as the chunks need it."""

    def __init__(self, path: Path | None, parser: str):
        self.path, self.where, self.groups = path, {}, OrderedDict()
        self.file = None
        if path is None or not path.is_file():
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            self.file = pq.ParquetFile(path)
            for g in range(self.file.num_row_groups):
                table = self.file.read_row_group(g, columns=["sha256", "parser"])
                for sha, fp in zip(table["sha256"].to_pylist(), table["parser"].to_pylist()):
                    if fp == parser:
                        self.where.setdefault(sha, g)
        except (OSError, pa.ArrowException) as exc:  # a damaged cache is rebuilt, and said so
            print(f"xxgk: {path}: unreadable cache ignored ({exc})", file=sys.stderr)
            self.file, self.where = None, {}

    def get(self, sha: str | None) -> str | None:
        g = self.where.get(sha)
        if g is None:
            return None
        if g not in self.groups:
            table = self.file.read_row_group(g, columns=["sha256", "result"])
            self.groups[g] = dict(zip(table["sha256"].to_pylist(), table["result"].to_pylist()))
            while len(self.groups) > 2:  # the cache is in report order: keep the groups at hand
                self.groups.popitem(last=False)
        return self.groups[g].get(sha)


# ------------------------------------------------------------------ sinks


class _Sink:
    """One output table, appended chunk by chunk to NAME.csv and NAME.parquet (as .tmp files)."""

    def __init__(self, out: Path, name: str):
        self.name, self.rows = name, 0
        self.paths = {ext: out / f"{name}.{ext}" for ext in ("csv", "parquet")}
        self.tmp = {ext: p.with_name(p.name + ".tmp") for ext, p in self.paths.items()}
        self.csv = self.tmp["csv"].open("w", encoding=_CSV_ENCODING, newline="")
        self.writer = None

    def write(self, frame) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        # %.15g writes counts as 3, not 3.0, and keeps fee decimals exact.
        frame.to_csv(self.csv, header=self.writer is None, index=False, float_format="%.15g",
                     lineterminator="\n")
        if self.writer is None:
            self.schema = pa.Schema.from_pandas(frame, preserve_index=False)
            self.writer = pq.ParquetWriter(self.tmp["parquet"], self.schema)
        self.writer.write_table(pa.Table.from_pandas(frame, schema=self.schema, preserve_index=False))
        self.rows += len(frame)

    def close(self) -> None:
        self.csv.close()
        if self.writer is not None:
            self.writer.close()

    def commit(self) -> None:
        for ext in ("csv", "parquet"):
            os.replace(self.tmp[ext], self.paths[ext])

    def discard(self) -> None:
        for path in self.tmp.values():
            path.unlink(missing_ok=True)


# ------------------------------------------------------------------ the build


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def build(corpus: str | os.PathLike | None = None, out: str | os.PathLike = "build", *,
          jobs: int | None = None, cache: bool = True, excel: bool = True,
          progress: bool | None = None, chunk: int = CHUNK) -> BuildResult:
    """Parse and audit *corpus*; write its tables, audit, parse log, workbook and charts to *out*.

    *jobs* worker processes parse (``None``: all cores).  With *cache* False
    the previous build's cache is not used (every file is parsed again; the
    cache is still refreshed).  *excel* False skips ``xxgk.xlsx``.

    Raises ``FileNotFoundError``/``ValueError`` naming the path when the corpus
    or its ``metadata.csv`` cannot be read, and ``ValueError`` when *out* is
    inside the corpus folder (nothing is written into a corpus).
    """
    from .audit import check_report

    root = loaders.corpus_dir(corpus)
    out = Path(out).expanduser().resolve()
    if out == root or root in out.parents:
        raise OutputInCorpus(f"{out}: refusing to write into the corpus folder {root}")
    cache_dir = out / ".cache"
    options = {"excel": bool(excel)}
    manifest = _read_manifest(cache_dir) if cache else None
    metadata_sha = _sha256(root / "metadata.csv")
    hashes = _Hashes(root, (manifest or {}).get("files", {}))
    if _up_to_date(manifest, root, out, options, metadata_sha, hashes):
        lines = [f"up to date: nothing changed since the last build of {root}", *manifest["summary"]]
        return BuildResult(out, True, lines, [tuple(s) for s in manifest.get("skipped", [])])

    metas = sorted(loaders._metas(root), key=lambda m: str(m["report_id"]))  # raises on bad metadata
    out.mkdir(parents=True, exist_ok=True)
    parser = loaders.parser_fingerprint()
    old_cache = _ParseCache(cache_dir / "parsed.parquet" if cache else None, parser)
    work = cache_dir / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    sinks = {name: _Sink(out, name) for name in ("reports", "tables", "parse_log")}
    staged = _Staging(work, len(metas))
    new_cache = _CacheWriter(work / "parsed.parquet", parser)
    if progress is None:
        progress = len(metas) > 20 and sys.stderr.isatty()
    from tqdm import tqdm

    bar = tqdm(total=len(metas), desc="building", unit="report", file=sys.stderr, disable=not progress)
    workers = (os.cpu_count() or 1) if jobs is None else max(1, jobs)
    pool = None
    if workers > 1 and len(metas) > 1:
        pool = loaders.worker_pool(workers)
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
                sinks["reports"].write(loaders._reports_frame(parsed))
                frame = loaders._tables_frame(parsed)
                sinks["tables"].write(frame)
                for t, k in frame["table"].value_counts().items():
                    table_rows[t] = table_rows.get(t, 0) + int(k)
                sinks["parse_log"].write(loaders._parse_log_frame(parsed))
                findings = []
                for meta, report, error in parsed:
                    if report is None:
                        skipped.append((meta.get("file") or meta.get("report_id"), error))
                        continue
                    counts["warnings" if report.warnings else "ok"] += 1
                    report = dataclasses.replace(report, report_id=meta["report_id"])
                    findings.extend(check_report(report))
                    staged.add_report(meta, report)
                staged.add_findings(findings, parsed[-1][0]["report_id"])
                bar.update(len(parsed))
            pending = ahead
        bar.close()
        empty = {"reports": loaders._reports_frame, "tables": loaders._tables_frame,
                 "parse_log": loaders._parse_log_frame}
        for name, sink in sinks.items():
            if sink.writer is None:  # no report listed: the files still exist, with their columns
                sink.write(empty[name]([]))
            sink.close()
        new_cache.close()
        sinks["audit"] = _Sink(out, "audit")
        failed = unchecked = 0
        for frame in staged.audit_chunks():
            sinks["audit"].write(frame)
            failed += int(frame["passed"].eq(False).sum())
            unchecked += int(frame["passed"].isna().sum())
        sinks["audit"].close()
        for sink in sinks.values():
            sink.commit()
    except BaseException:
        for sink in sinks.values():
            sink.close()
            sink.discard()
        staged.close()
        new_cache.close()
        shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    new_cache.close()
    staged.close()
    if new_cache.rows:
        os.replace(work / "parsed.parquet", cache_dir / "parsed.parquet")
    shutil.rmtree(work, ignore_errors=True)

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
        _write_workbook(out)
        written.append("xxgk.xlsx")
    else:
        (out / "xxgk.xlsx").unlink(missing_ok=True)  # an older workbook would no longer match
    written += _write_charts(out)

    total = sinks["audit"].rows
    lines = [f"{len(metas)} reports listed in {root}",
             f"  parsed: {counts['ok'] + counts['warnings']} ({counts['warnings']} with warnings)",
             f"  skipped (unreadable): {len(skipped)}",
             f"  audit: {failed} checks failed, {unchecked} not checkable, of {total}",
             f"  written to {out} (charts in {out / 'charts'})"]
    if excel_note:
        lines.append(f"  {excel_note}")
    _write_manifest(cache_dir, {
        "format": _MANIFEST_FORMAT, "toolkit": toolkit_fingerprint(), "options": options,
        "corpus": str(root), "metadata_sha256": metadata_sha,
        "files": {rel: hashes.now[rel] for rel in sorted(hashes.now)},
        "outputs": {rel: _stat(out / rel) for rel in written},
        "summary": lines, "skipped": skipped,
    })
    return BuildResult(out, False, lines, skipped)


def _start(part: list[dict], root: Path, hashes: _Hashes, old_cache: _ParseCache, pool):
    """Look a chunk up in the cache and send the rest to the workers; returns what _finish needs."""
    outcomes: list[Any] = []
    digests: list[str | None] = []
    todo: list[int] = []
    for i, meta in enumerate(part):
        if not meta.get("file"):
            outcomes.append(("error", "metadata.csv lists no file"))
            digests.append(None)
            continue
        digest = hashes(meta["file"])
        digests.append(digest)
        cached = old_cache.get(digest)
        if cached is not None:
            outcomes.append(loaders._decode(cached, root / meta["file"]))
        else:
            outcomes.append(None)
            todo.append(i)
    paths = [str(root / part[i]["file"]) for i in todo]
    fresh = pool.map(loaders._parse_path, paths, chunksize=16) if pool is not None \
        else map(loaders._parse_path, paths)
    return part, outcomes, digests, todo, fresh


def _finish(root: Path, part, outcomes, digests, todo, fresh, new_cache) -> list[loaders.Parsed]:
    for i, outcome in zip(todo, fresh):
        outcomes[i] = outcome
    for digest, outcome in zip(digests, outcomes):
        if digest is not None:
            new_cache.add(digest, outcome)
    new_cache.flush()
    return [loaders._outcome(root, meta, *outcome) for meta, outcome in zip(part, outcomes)]


class _CacheWriter:
    """The new parse cache, one row group per chunk, each file's bytes once."""

    def __init__(self, path: Path, parser: str):
        self.path, self.parser, self.seen, self.batch, self.rows = path, parser, set(), [], 0
        self.writer = None

    def add(self, digest: str, outcome) -> None:
        if digest not in self.seen:
            self.seen.add(digest)
            self.batch.append((digest, loaders._encode(*outcome)))

    def flush(self) -> None:
        if not self.batch:
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.table({"sha256": [d for d, _ in self.batch], "parser": [self.parser] * len(self.batch),
                          "result": [r for _, r in self.batch]})
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, table.schema, compression="zstd")
        self.writer.write_table(table)
        self.rows += len(self.batch)
        self.batch = []

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


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

        from .audit import findings_frame

        table = pa.Table.from_pandas(findings_frame(findings), preserve_index=False)
        if self.writer is None:
            self.schema = table.schema
            self.writer = pq.ParquetWriter(self.work / "findings.parquet", self.schema)
        self.writer.write_table(table.cast(self.schema))
        self.bounds.append(str(last_id))

    def _cross_year(self):
        """All cross-year findings as one Arrow table sorted by report_id (in check order)."""
        import pyarrow as pa

        from .audit import cross_year_checks, findings_frame
        from .report import Report

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
            from .audit import findings_frame

            yield findings_frame([])
            return
        self.writer.close()
        self.writer = None
        cross = self._cross_year()
        ids = cross["report_id"].to_pylist() if cross is not None else []
        staged = pq.ParquetFile(self.work / "findings.parquet")
        lo = 0
        for g, last in enumerate(self.bounds):
            frame = staged.read_row_group(g).to_pandas(types_mapper=_types)
            hi = bisect.bisect_right(ids, last)
            if hi > lo:
                extra = cross.slice(lo, hi - lo).to_pandas(types_mapper=_types)
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


def _types(arrow_type):
    """Arrow → pandas dtypes of the audit frame (string, Float64, boolean)."""
    import pandas as pd
    import pyarrow as pa

    return {pa.string(): pd.StringDtype(), pa.large_string(): pd.StringDtype(),
            pa.float64(): pd.Float64Dtype(), pa.bool_(): pd.BooleanDtype()}.get(arrow_type)


# ------------------------------------------------------------------ workbook and charts


def _write_workbook(out: Path) -> None:
    """xxgk.xlsx, one sheet per table, written row by row (xlsxwriter's constant-memory mode)."""
    import pandas as pd
    import pyarrow.parquet as pq
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


def _write_charts(out: Path) -> list[str]:
    """Every registered chart, drawn from the Parquet just written (only the cells it needs)."""
    import pyarrow.parquet as pq

    from . import plots

    # Read a batch at a time, keep only the cells the charts draw, dictionary-encoded (categoricals
    # in pandas): a few bytes per kept cell, never the whole table in memory.
    import pyarrow as pa
    import pyarrow.compute as pc

    source = pq.ParquetFile(out / "tables.parquet", read_dictionary=["report_id", "table", "row", "column"])
    kept = []
    for batch in source.iter_batches(batch_size=1 << 16, columns=["report_id", "table", "row", "column", "value"]):
        table, row, column = (pc.cast(batch.column(name), pa.string()) for name in ("table", "row", "column"))
        t3, t2, t4 = (pc.equal(table, t) for t in ("t3", "t2", "t4"))
        wanted = pc.or_(pc.or_(pc.and_(t3, pc.equal(row, "new_received")), pc.and_(t3, pc.equal(column, "total"))),
                        pc.or_(pc.and_(t2, pc.equal(column, "decisions")), t4))
        kept.append(pa.Table.from_batches([batch.filter(wanted)]))
    tables = pa.concat_tables(kept).unify_dictionaries().to_pandas(types_mapper=_types) if kept else \
        pq.read_table(out / "tables.parquet").to_pandas(types_mapper=_types)
    reports = pq.read_table(out / "reports.parquet", columns=["report_id", "agency", "year"]).to_pandas()
    audit = pq.read_table(out / "audit.parquet", columns=["report_id", "check", "passed"],
                          read_dictionary=["report_id", "check"]).to_pandas(types_mapper=_types)
    pa.default_memory_pool().release_unused()  # the batches' buffers, back to the system
    written = []
    for name in plots.CHARTS:
        if name == "audit_summary":
            fig = plots.audit_summary(audit)
        elif name == "proactive_disclosure":
            fig = plots.proactive_disclosure(tables, reports)
        else:
            fig = plots.CHARTS[name](tables)
        for path in plots.save(fig, out / "charts" / name):
            written.append(path.relative_to(out).as_posix())
    return written
