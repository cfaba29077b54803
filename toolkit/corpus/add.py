"""Add report files to a corpus (``xxgk add``).

Adding a file (:func:`add_reports`):

1. its SHA-256 is computed; a file already listed in ``metadata.csv`` is skipped
   (adding is idempotent);
2. it is read and parsed exactly as :func:`toolkit.parsing.parse_file` does; a file
   that is not a report is skipped with the parser's one-line reason, and so is a
   page that only *names* a report (fewer than 3 of the 6 sections and no tables:
   a listing page or notice).  A report without tables is still added;
3. it is copied byte for byte to ``reports/<year|nd>_<sha256[:16]><suffix>`` (temp
   file in ``reports/`` + ``os.replace``; an existing file is never overwritten);
4. one row is appended to ``metadata.csv`` through :class:`~toolkit.corpus.metadata.MetadataFile`
   (the one strict reader and writer the build uses too): the columns of
   :data:`~toolkit.corpus.metadata.METADATA_COLUMNS` then the provenance columns
   :data:`~toolkit.corpus.metadata.PROVENANCE_COLUMNS`.  If that write fails the
   copy is removed.

The source files a user gives are never modified.
"""
from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from ..errors import ReportError, one_line
from ..fileio import atomic_write, read_bytes, sha256_bytes, sha256_file, umask
from ..parsing import parse_document
from ..parsing.metadata import infer_metadata
from ..progress import progress_bar
from ..reading import read_data, sniff
from ..reading.sniff import suffix_for_kind
from .location import corpus_dir
from .metadata import MetadataFile

__all__ = ["REPORT_SUFFIXES", "AddResult", "Added", "Skipped", "add_reports", "add_file", "today_utc"]

#: A file shorter than this (characters) with fewer template sections than
#: _MIN_SECTIONS and no tables is a listing or notice page, not a report.
_MIN_PROSE_CHARS = 800
#: A file with fewer template sections than this and no tables is not added.
_MIN_SECTIONS = 3

#: File kinds taken when a directory is expanded.
REPORT_SUFFIXES = frozenset({".txt", ".md", ".html", ".htm", ".docx", ".pdf"})


@dataclass
class Added:
    path: str          # the file given (or downloaded)
    report_id: str
    file: str          # path relative to the corpus, e.g. reports/2023_0123456789abcdef.html
    parse_status: str  # ok | warnings
    parse_note: str


@dataclass
class Skipped:
    path: str
    reason: str


@dataclass
class AddResult:
    added: list[Added] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def n_added(self) -> int:
        return len(self.added)

    @property
    def n_skipped(self) -> int:
        return len(self.skipped)


def _expand(paths: Iterable[str | os.PathLike]) -> list[tuple[Path, str | None]]:
    """Files to add: (path, reason to skip or None).  Directories are walked recursively."""
    out: list[tuple[Path, str | None]] = []
    for given in paths:
        p = Path(given)
        if p.is_dir():
            found = sorted(
                (f for f in p.rglob("*")
                 if f.is_file() and f.suffix.lower() in REPORT_SUFFIXES
                 and not any(part.startswith(".") for part in f.relative_to(p).parts)
                 and not f.name.startswith("~$")),
                key=lambda f: f.as_posix())
            out.extend((f, None) for f in found)
        elif p.is_file():
            out.append((p, None))
        elif p.exists():
            out.append((p, "not a regular file"))
        else:
            out.append((p, "no such file or directory"))
    return out


def _stored_suffix(path: Path, data: bytes) -> str:
    """The copy keeps the file's suffix (the readers rely on it); a file without one is sniffed."""
    suffix = path.suffix.lower()
    if suffix and suffix[1:].isascii() and suffix[1:].isalnum() and len(suffix) <= 9:
        return suffix
    return suffix_for_kind(sniff(data))


def add_file(meta: MetadataFile, path: Path, source_url: str | None, original_name: str | None,
             today: str, charset: str | None = None) -> Added | Skipped:
    """Add one file to the corpus whose metadata is *meta*: the step ``add`` and ``fetch`` share.

    *charset*: the encoding the server declared for a downloaded file (see
    :func:`toolkit.reading.read_data`)."""
    label = str(path)
    try:
        data = read_bytes(path)
    except ReportError as exc:
        return Skipped(label, one_line(exc.reason))
    digest = sha256_bytes(data)
    if digest in meta.hashes:
        return Skipped(label, f"already in corpus (sha256 {digest[:16]}…)")
    if not data.strip():
        return Skipped(label, "empty file")
    try:
        doc = read_data(data, label, path.suffix, charset)
        report = parse_document(doc, report_id=path.stem, source=label)
    except ReportError as exc:
        reason = exc.reason
        if path.suffix.lower() == ".doc":
            reason += " (legacy Word .doc is not supported; save it as .docx)"
        return Skipped(label, one_line(reason))
    text = doc.text

    n_sections = sum(1 for body in report.sections.values() if body is not None)
    if (n_sections < _MIN_SECTIONS and not any(report.tables.values())
            and len(text.strip()) < _MIN_PROSE_CHARS):
        # The parser accepts a bare title; a corpus needs the report itself, not a
        # listing page or notice that merely names one.  Reports before 2019 have
        # no template sections, but they are pages of prose, not a few lines.
        return Skipped(label, f"names a report but is not one: {n_sections} of 6 report sections, "
                              f"no tables and only {len(text.strip())} characters "
                              "(a listing or notice page?)")

    inferred = infer_metadata(text)
    agency = report.agency or inferred.get("agency")
    year = report.year if report.year is not None else inferred.get("year")
    suffix = _stored_suffix(path, data)

    reports_dir = meta.root / "reports"
    # A new id whose file name is free (or already holds these very bytes).
    report_id = target = None
    preexisting = False
    for n in (16, 24, 32, 64):
        candidate = f"{year if year is not None else 'nd'}_{digest[:n]}"
        dest = reports_dir / f"{candidate}{suffix}"
        if candidate in meta.ids:
            continue
        if dest.exists():
            try:
                same = sha256_file(dest) == digest
            except OSError:
                same = False
            if not same:
                continue
            preexisting = True
        report_id, target = candidate, dest
        break
    if report_id is None:
        return Skipped(label, "no free report id: reports/ already holds different files with this id")

    if not preexisting:
        try:
            reports_dir.mkdir(exist_ok=True)
            atomic_write(target, data, mode=0o666 & ~umask(), overwrite=False)
        except OSError as exc:
            return Skipped(label, f"cannot copy into {reports_dir} ({exc.strerror or exc})")

    warnings = [w for w in report.warnings if w]
    row = {
        "report_id": report_id,
        "agency": agency or "",
        "province": inferred.get("province") or "",
        "city": inferred.get("city") or "",
        "county": inferred.get("county") or "",
        "adcode": inferred.get("adcode") or "",
        "admin_level": inferred.get("admin_level") or "",
        "sector": "",
        "year": "" if year is None else str(year),
        "title": report.title or inferred.get("title") or "",
        "file": target.relative_to(meta.root).as_posix(),
        "sha256": digest,
        "source": source_url or f"local file {original_name or path.name}",
        "original_name": original_name or path.name,
        "source_url": source_url or "",
        "added": today,
        "parse_status": "warnings" if warnings else "ok",
        "parse_note": one_line(warnings[0]) if warnings else "",
    }
    try:
        meta.append(row)
    except BaseException:
        if not preexisting:
            try:
                target.unlink()
            except FileNotFoundError:
                pass
        raise
    return Added(label, report_id, row["file"], row["parse_status"], row["parse_note"])


def today_utc(today: str | _dt.date | None = None) -> str:
    """The ``added`` date: *today* as ISO text, or today's date in UTC."""
    if today is None:
        return _dt.datetime.now(_dt.timezone.utc).date().isoformat()
    return today.isoformat() if isinstance(today, _dt.date) else str(today)


def add_reports(paths: Iterable[str | os.PathLike], corpus: str | os.PathLike | None,
                source_url: str | None = None, progress: bool | None = None, *,
                today: str | _dt.date | None = None) -> AddResult:
    """Add report files (directories are walked recursively) to *corpus*.

    Returns an :class:`AddResult` with what was added and what was skipped and why.
    Raises :class:`~toolkit.corpus.location.CorpusNotFound` or
    :class:`~toolkit.corpus.metadata.MetadataError` naming the path if the corpus
    folder or its ``metadata.csv`` cannot be read; an ``OSError`` while writing
    ``metadata.csv`` propagates after the file's copy has been removed.
    *progress*: show a bar on stderr (default: for more than 20 files on a terminal).
    *today*: the ``added`` date (default: today, UTC).
    """
    meta = MetadataFile(corpus_dir(corpus))
    files = _expand(paths)
    day = today_utc(today)
    result = AddResult()
    bar = progress_bar(len(files), "adding reports", "file", progress)
    for path, problem in files:
        if problem is not None:
            result.skipped.append(Skipped(str(path), problem))
        else:
            outcome = add_file(meta, path, source_url, None, day)
            (result.added if isinstance(outcome, Added) else result.skipped).append(outcome)
        bar.update()
    bar.close()
    return result
