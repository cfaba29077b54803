"""The one parse cache, and the fingerprints that say when a cached parse may be reused.

``parsed.parquet`` holds one row per distinct report file: ``sha256`` (of the
file's bytes), ``parser`` (:func:`parser_fingerprint`), ``result`` (the parse
outcome as JSON) and ``check`` (a SHA-256 of the other three).  An entry is used
only when its parser fingerprint is the current one and its check verifies, so a
damaged or hand-edited entry is never trusted: it is ignored, the report is
parsed again, and a note is logged.  A file that cannot be read as Parquet at all
is ignored the same way and rebuilt.

The cache is read a row group at a time, as the reports are needed (the build
writes it in report order, so a rebuild reads it front to back), and written
with :class:`CacheWriter` beside its final name, then moved into place.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
import os
import platform
from collections import OrderedDict
from pathlib import Path

from typing import TYPE_CHECKING

from .tabular import parquet_writer

if TYPE_CHECKING:  # pragma: no cover
    from .workers import ParseOutcome

__all__ = ["ParseCache", "CacheWriter", "encode", "decode", "entry_check", "cache_entries", "parser_fingerprint",
           "toolkit_fingerprint", "CACHE_FILE"]

log = logging.getLogger("toolkit")

CACHE_FILE = "parsed.parquet"
_PACKAGE = Path(__file__).resolve().parents[1]
# What a parse depends on: the reading and parsing layers and the modules below them, and
# the worker function whose result is cached.
_PARSER_SOURCES = ("reading", "parsing", "schema.py", "textnorm.py", "errors.py", "fileio.py",
                   "data/workers.py")


def _source_files(parts) -> list[Path]:
    files: list[Path] = []
    for part in parts:
        p = _PACKAGE / part
        files.extend(sorted(p.rglob("*.py")) if p.is_dir() else [p])
    return files


def _hash_files(paths):
    """sha256 over each file's path (relative to the package) and bytes, in the order given."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    return digest


@functools.lru_cache(maxsize=1)
def parser_fingerprint() -> str:
    """Hash of the parser's own source and of the OpenCC dictionaries it reads (by their
    package's version): a cached parse is reused only by the same parser."""
    digest = _hash_files(_source_files(_PARSER_SOURCES))
    digest.update(f"opencc-python-reimplemented={_version('opencc-python-reimplemented')};".encode())
    return digest.hexdigest()[:16]


def _version(lib: str) -> str:
    """The installed version of *lib*, '' when it is not installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(lib)
    except PackageNotFoundError:
        return ""


@functools.lru_cache(maxsize=1)
def toolkit_fingerprint() -> str:
    """Hash of the toolkit's source and data, and of the libraries that shape the outputs."""
    from importlib.metadata import PackageNotFoundError, version

    digest = _hash_files(sorted(p for p in _PACKAGE.rglob("*") if p.is_file()
                                and p.suffix in {".py", ".txt", ".json", ".csv"}
                                and "__pycache__" not in p.parts and "_corpus" not in p.parts))
    for lib in ("pandas", "pyarrow", "matplotlib", "xlsxwriter", "mplfonts", "opencc-python-reimplemented"):
        try:
            digest.update(f"{lib}={version(lib)};".encode())
        except PackageNotFoundError:
            digest.update(f"{lib}=;".encode())
    digest.update(platform.python_version().encode())
    return digest.hexdigest()[:16]


# ------------------------------------------------------------------ entries


def encode(outcome: ParseOutcome) -> str:
    """A parse outcome as the cache's JSON text."""
    from ..parsing import Report

    if outcome.report is None:
        return json.dumps({"error": outcome.error}, ensure_ascii=False)
    report = outcome.report
    # Report holds only JSON types; dataclasses.asdict would deep-copy every cell first.
    data = {f.name: getattr(report, f.name) for f in dataclasses.fields(Report)}
    return json.dumps({"report": data}, ensure_ascii=False)


def decode(result: str, path: Path) -> ParseOutcome:
    # The parser is imported by what reads entries, not by what only fingerprints the toolkit.
    from ..parsing import Report
    from .workers import ParseOutcome

    """The cache's JSON text as a parse outcome of the file at *path*.

    Raises ``ValueError`` when the text is not a cache entry (damaged or edited).
    """
    data = json.loads(result)
    if not isinstance(data, dict):
        raise ValueError("cache entry is not an object")
    if "error" in data:
        return ParseOutcome(None, str(data["error"]))
    fields = data["report"]
    report = Report(**{f.name: fields[f.name] for f in dataclasses.fields(Report) if f.name in fields})
    return ParseOutcome(dataclasses.replace(report, report_id=path.stem, source=str(path)), None)


def cache_entries(sha256: list[str], result: list[str], check: list[str]):
    """Cache entries (each file's sha256, its :func:`encode` JSON and :func:`entry_check`) as the
    Arrow table :meth:`CacheWriter.add_entries` takes."""
    import pyarrow as pa

    return pa.table({"sha256": pa.array(sha256, pa.string()), "result": pa.array(result, pa.string()),
                     "check": pa.array(check, pa.string())})


def entry_check(sha: str, parser: str, result: str) -> str:
    """The checksum stored with a cache entry (over its key, parser and JSON)."""
    return hashlib.sha256(f"{sha}\0{parser}\0".encode() + result.encode("utf-8", "surrogatepass")).hexdigest()[:32]


# ------------------------------------------------------------------ reading


class ParseCache:
    """A cache file, read a row group at a time as entries are asked for.

    ``get(sha, path)`` gives the cached :class:`ParseOutcome` of the file with that
    sha256, or ``None`` (not cached, other parser, or an entry that fails its check,
    which is logged and then parsed again).
    """

    def __init__(self, path: Path | None, parser: str | None = None):
        self.path, self.parser = path, parser or parser_fingerprint()
        self.where: dict[str, int] = {}
        self.groups: OrderedDict[int, dict[str, tuple[str, str]]] = OrderedDict()
        self.file = None
        if path is None or not path.is_file():
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            self.file = pq.ParquetFile(path)
            if not {"sha256", "parser", "result", "check"} <= set(self.file.schema_arrow.names):
                raise ValueError("not a parse cache of this toolkit version")
            for g in range(self.file.num_row_groups):
                table = self.file.read_row_group(g, columns=["sha256", "parser"])
                for sha, fp in zip(table["sha256"].to_pylist(), table["parser"].to_pylist()):
                    if fp == self.parser:
                        self.where.setdefault(sha, g)
        except (OSError, ValueError, pa.ArrowException) as exc:
            log.warning("%s: unreadable parse cache ignored and rebuilt (%s)", path, exc)
            self.file, self.where = None, {}

    def __len__(self) -> int:
        return len(self.where)

    def entry(self, sha: str | None) -> tuple[str, str] | None:
        """(cache JSON, its check) of the file with this sha256, verified; ``None`` if there is
        none (a writer given the check need not compute it again)."""
        g = self.where.get(sha) if sha else None
        if g is None:
            return None
        import pyarrow as pa

        if g not in self.groups:
            try:
                table = self.file.read_row_group(g, columns=["sha256", "result", "check"])
                # Damaged bytes can decode as Parquet and fail only here (not UTF-8).
                self.groups[g] = {s: (r, c) for s, r, c in zip(table["sha256"].to_pylist(),
                                                              table["result"].to_pylist(),
                                                              table["check"].to_pylist())}
            except (OSError, ValueError, pa.ArrowException) as exc:
                log.warning("%s: damaged parse cache block ignored (%s); its reports are parsed again",
                            self.path, exc)
                self.where = {k: v for k, v in self.where.items() if v != g}
                return None
            while len(self.groups) > 2:  # entries are in report order: keep the groups at hand
                self.groups.popitem(last=False)
        found = self.groups[g].get(sha)
        if found is None:
            return None
        result, check = found
        if result is None or check != entry_check(sha, self.parser, result):
            log.warning("%s: a cache entry failed verification (checksum); that report is parsed again",
                        self.path)
            return None
        return result, check

    def get(self, sha: str | None, path: Path) -> ParseOutcome | None:
        """The cached :class:`ParseOutcome` of the file at *path* (with this sha256), or ``None``."""
        found = self.entry(sha)
        if found is None:
            return None
        try:
            return decode(found[0], path)
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("%s: cache entry for %s unreadable (%s); parsed again", self.path, path.name, exc)
            return None

    def close(self) -> None:
        self.file = None
        self.groups.clear()


# ------------------------------------------------------------------ writing


class CacheWriter:
    """A new cache file, written beside *path* (``.tmp``) a block at a time, each file's
    bytes once; :meth:`commit` moves it into place, :meth:`discard` removes it."""

    def __init__(self, path: Path, parser: str | None = None):
        self.path, self.parser = path, parser or parser_fingerprint()
        self.tmp = path.with_name(path.name + ".tmp")
        self.seen: set[str] = set()
        self.batch: list[tuple[str, str, str]] = []
        self.tables: list = []  # entries added as Arrow tables (add_entries), not yet written
        self.rows = 0
        self.writer = None

    def add(self, sha: str, encoded: str, check: str | None = None) -> None:
        """One entry: the parse of the file with this sha256, as :func:`encode` gives it
        (*check*, when the caller computed :func:`entry_check` already)."""
        if sha not in self.seen:
            self.seen.add(sha)
            self.batch.append((sha, encoded, check or entry_check(sha, self.parser, encoded)))

    def add_entries(self, table) -> None:
        """Entries as :func:`cache_entries` gives them (their checks computed by the caller)."""
        keep = []
        for sha in table["sha256"].to_pylist():
            keep.append(sha not in self.seen)
            self.seen.add(sha)
        if not all(keep):
            table = table.filter(keep)
        if table.num_rows:
            self.tables.append(table)

    def flush(self) -> None:
        """Write the entries added since the last flush (as one block of the file)."""
        if not self.batch and not self.tables:
            return
        import pyarrow as pa

        if self.batch:
            self.tables.append(cache_entries(*(list(column) for column in zip(*self.batch))))
        entries = pa.concat_tables(self.tables)
        table = pa.table({"sha256": entries["sha256"], "parser": pa.array([self.parser] * entries.num_rows, pa.string()),
                          "result": entries["result"], "check": entries["check"]})
        if self.writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.writer = parquet_writer(self.tmp, table.schema, compression="zstd")
        self.writer.write_table(table)
        self.rows += table.num_rows
        self.batch, self.tables = [], []

    def close(self) -> None:
        self.flush()
        writer, self.writer = self.writer, None
        if writer is not None:
            writer.close()

    def commit(self) -> None:
        self.close()
        if self.rows:
            os.replace(self.tmp, self.path)

    def discard(self) -> None:
        """Remove the file being written; a failure to close it (a full disk) does not matter then."""
        writer, self.writer = self.writer, None
        try:
            if writer is not None:
                writer.close()
        except OSError:
            pass  # the file is removed below: what it failed to hold is not wanted
        finally:
            try:
                self.tmp.unlink()
            except (FileNotFoundError, NotADirectoryError):
                pass  # never written: its folder could not even be made
