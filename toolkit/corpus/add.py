"""Add report files to a corpus (``xxgk add``).

Adding a file (:func:`add_reports`):

1. its SHA-256 is computed; a file already listed in ``metadata.csv`` (the same
   ``sha256``) is refused (adding is idempotent) unless *replace* is given: then
   its row is made again from this parse, in the same place in ``metadata.csv``
   (see :func:`add_reports`);
2. it is read and parsed exactly as :func:`toolkit.parsing.parse_file` does; a file
   that is not a report is skipped with the parser's one-line reason, and so is a
   page that only *names* a report (fewer than 3 of the 6 sections and no tables:
   a listing page or notice).  A report without tables is still added;
3. it is copied byte for byte to ``reports/<year|nd>_<sha256[:16]><suffix>`` (temp
   file in ``reports/`` + ``os.replace``; an existing file is never overwritten).  An
   HTML page whose report shows pictures from files beside it (tables pasted as
   pictures) is copied with those pictures put into it as ``data:`` URIs, only their
   ``src`` changed, so the copy reads as the page did (the sha256 is the copy's);
4. the agency, year and title the parse found are replaced by those the user gives
   (:class:`Overrides`, for one file only), and the place follows from the agency;
   what is still missing (agency, year, region) is reported with the result
   (:attr:`Added.missing`);
5. one row is appended to ``metadata.csv`` through :class:`~toolkit.corpus.metadata.MetadataFile`
   (the one strict reader and writer the build uses too): the columns of
   :data:`~toolkit.corpus.metadata.METADATA_COLUMNS` then the provenance columns
   :data:`~toolkit.corpus.metadata.PROVENANCE_COLUMNS`.  If that write fails the
   copy is removed.

Steps 3 and 5 run under a lock on the corpus folder (:class:`CorpusWriter`), so
concurrent ``xxgk add``/``xxgk fetch`` runs each land every row: a writer that
finds ``metadata.csv`` replaced by another re-reads it first, and checks again
under the lock that the file is not already listed — by its sha256, or by its
bytes when a listed row's sha256 does not match its file.  A report whose agency
and year match a listed report (the same report in another format?) is added
with a note naming that report (``xxgk audit`` lists such pairs).

The source files a user gives are never modified.
"""
from __future__ import annotations

import datetime as _dt
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from ..errors import ReportError, one_line
from ..fileio import FolderLock, atomic_write, read_bytes, sha256_bytes, sha256_file, umask
from ..parsing import parse_document
from ..parsing.inferred_metadata import place
from ..progress import progress_bar
from ..reading import read_data, sniff
from ..reading.formats import walked_suffixes
from ..reading.sniffing import suffix_for_kind
from .location import named_corpus
from .metadata import MetadataError, MetadataFile, resolve_report_path

__all__ = ["AddResult", "Added", "Skipped", "CorpusWriter", "Overrides", "OverrideError",
           "add_reports", "add_file", "add_bytes", "today_utc", "check_source_url", "check_year", "LOCK_WAIT"]

#: A file shorter than this (characters) with fewer template sections than
#: _MIN_SECTIONS and no tables is a listing or notice page, not a report.
_MIN_PROSE_CHARS = 800
#: A file with fewer template sections than this and no tables is not added.
_MIN_SECTIONS = 3

#: Seconds a writer waits for another ``add``/``fetch`` on the same corpus (each holds the
#: lock only while it copies one file and appends its row).
LOCK_WAIT = 120.0


#: Years a report may be for (the regulations took effect in 2008; a few places reported earlier).
YEARS = range(2000, 2100)


class OverrideError(ValueError):
    """Overrides given for more than one file, or not valid; the message says which."""


@dataclass(frozen=True)
class Overrides:
    """What the user says of one report, in place of what the parse found (``None``: the parse's)."""

    agency: str | None = None
    year: int | None = None
    title: str | None = None

    def __bool__(self) -> bool:
        return any(v is not None for v in (self.agency, self.year, self.title))


def check_year(year) -> int:
    """*year* as an int when it is a four-digit year in :data:`YEARS`; ``OverrideError`` otherwise."""
    try:
        value = int(str(year).strip())
    except ValueError:
        value = None
    if value is None or not str(year).strip().isdigit() or value not in YEARS:
        raise OverrideError(f"year {str(year)!r} is not a report year ({YEARS.start}-{YEARS.stop - 1})")
    return value


def _check_overrides(overrides: Overrides) -> Overrides:
    """*overrides* with their text stripped; ``OverrideError`` for an empty or multi-line text or
    a year that is not one."""
    texts = {}
    for name in ("agency", "title"):
        value = getattr(overrides, name)
        texts[name] = None if value is None else str(value).strip()
        if texts[name] is not None and (not texts[name] or not texts[name].isprintable()):
            raise OverrideError(f"{name} {one_line(repr(value))} is empty or not one line of text")
    year = None if overrides.year is None else check_year(overrides.year)
    return Overrides(texts["agency"], year, texts["title"])


@dataclass
class Added:
    path: str          # the file given (or downloaded)
    report_id: str
    file: str          # path relative to the corpus, e.g. reports/2023_0123456789abcdef.html
    parse_status: str  # ok | warnings
    parse_note: str
    note: str = ""     # e.g. the listed report with the same agency and year
    #: What neither the parse nor the user gave, of ``agency``, ``year`` and ``region`` (the
    #: place the agency's name gives): the row's cells are empty and its numbers fall out of
    #: every grouping by organ, year or region.
    missing: tuple[str, ...] = ()
    #: The report_id of the row this one replaced (``replace=True``), else ``""``.
    replaced: str = ""


@dataclass
class Skipped:
    path: str
    reason: str
    #: ``True`` when the file is already in the corpus (not an error: adding is idempotent);
    #: ``False`` when it could not be read or is not a report.
    present: bool = False


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

    @property
    def failed(self) -> list[Skipped]:
        """The inputs not added for a reason other than being in the corpus already."""
        return [s for s in self.skipped if not s.present]


def check_source_url(url: str) -> str:
    """*url* if it is an absolute http(s) URL of one line; ``ValueError`` saying why otherwise."""
    import urllib.parse

    if not isinstance(url, str) or not url or url != url.strip() or any(not c.isprintable() or c.isspace()
                                                                        for c in url):
        raise ValueError(f"source URL {one_line(repr(url))} has spaces or control characters")
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises for a port that is not a number
    except ValueError as exc:
        raise ValueError(f"source URL {url!r} is malformed ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"source URL {url!r} is not an http(s) URL with a host")
    return url


# Temporary files atomic_write leaves when its process is killed (".NAME.xxxxxxxx.tmp": in
# reports/, or of metadata.csv and datapackage.json), and the download folders of earlier
# versions of ``xxgk fetch``.
_LEFTOVER = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")
_LEFTOVER_ROOT = re.compile(r"^\.(metadata\.csv|datapackage\.json)\.[a-z0-9_]{8}\.tmp$")
_OLD_FETCH_DIR = re.compile(r"^\.xxgk-fetch-[a-z0-9_]{8}$")


class CorpusWriter:
    """A corpus's ``metadata.csv`` and ``reports/``, written by one process at a time.

    :meth:`locked` holds a lock on the corpus folder (``flock``, released by the
    system if the holder dies) and yields the current :class:`MetadataFile`: if
    another process replaced ``metadata.csv`` since it was read, it is read again.
    """

    def __init__(self, root: Path, wait: float | None = None):
        self.root = Path(root)
        self.meta = MetadataFile(self.root)
        self.wait = LOCK_WAIT if wait is None else wait
        self._sizes: dict[int, list[dict[str, str]]] | None = None
        self._digests: dict[str, str | None] = {}
        self._tidied = False

    @contextmanager
    def locked(self):
        with FolderLock(self.root, "the corpus (xxgk add or fetch)", timeout=self.wait):
            if not self.meta.is_current():
                self.meta = MetadataFile(self.root)
                self._sizes = None
            if not self._tidied:
                self._tidy()
                self._tidied = True
            yield self.meta

    def _tidy(self) -> None:
        """Remove what a killed writer left (under the lock, no writer is active)."""
        import shutil

        for folder in (self.root, self.root / "reports"):
            try:
                names = os.listdir(folder)
            except OSError:
                continue
            for name in names:
                path = folder / name
                pattern = _LEFTOVER_ROOT if folder == self.root else _LEFTOVER
                if pattern.match(name) and path.is_file() and not path.is_symlink():
                    path.unlink(missing_ok=True)
                elif folder == self.root and _OLD_FETCH_DIR.match(name) and path.is_dir() \
                        and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)

    def listed_with_bytes(self, digest: str, size: int) -> dict[str, str] | None:
        """The listed row whose file holds these bytes though its sha256 cell says otherwise."""
        if self._sizes is None:
            self._sizes = {}
            for row in self.meta.rows:
                try:
                    path = resolve_report_path(self.root, row.get("file", ""))
                    st = os.stat(path)
                except (MetadataError, OSError):
                    continue
                self._sizes.setdefault(st.st_size, []).append(row)
        for row in self._sizes.get(size, []):
            if row.get("sha256", "").strip().lower() == digest:
                continue  # listed under its digest: meta.hashes already said so
            rel = row["file"]
            if rel not in self._digests:
                self._digests[rel] = sha256_file(self.root / rel)
            if self._digests[rel] == digest:
                return row
        return None

    def appended(self, row: dict[str, str], size: int) -> None:
        if self._sizes is not None:
            self._sizes.setdefault(size, []).append(row)


def _expand(paths: Iterable[str | os.PathLike]) -> list[tuple[Path, str | None]]:
    """Files to add: (path, reason to skip or None).  Directories are walked recursively."""
    out: list[tuple[Path, str | None]] = []
    suffixes = walked_suffixes()  # the registry's: images only when named one by one
    for given in paths:
        p = Path(given)
        if p.is_dir():
            found = sorted(
                (f for f in p.rglob("*")
                 if f.is_file() and f.suffix.lower() in suffixes
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


def add_file(writer: CorpusWriter, path: Path, source_url: str | None, original_name: str | None,
             today: str, charset: str | None = None, *, overrides: Overrides = Overrides(),
             replace: bool = False) -> Added | Skipped:
    """Add one file to the corpus of *writer*: the step ``add`` and ``fetch`` share.

    *charset*: the encoding the server declared for a downloaded file (see
    :func:`toolkit.reading.read_data`); *overrides* and *replace*: see :func:`add_reports`."""
    label = str(path)
    try:
        data = read_bytes(path)
    except ReportError as exc:
        return Skipped(label, one_line(exc.reason))
    data = _with_pictures(data, path)
    return add_bytes(writer, data, label, path.name, source_url, original_name or path.name, today, charset,
                     overrides=overrides, replace=replace)


def _with_pictures(data: bytes, path: Path) -> bytes:
    """An HTML page whose report shows pictures from files beside it (tables pasted as pictures),
    with those pictures put into the page as ``data:`` URIs: the stored copy then reads the same
    as the page in its folder.  Any other file, or a page without such pictures, unchanged."""
    if sniff(data, path.suffix) != "html":
        return data
    from ..reading.embedded import inline_pictures, local_picture, table_sized
    from ..reading.html import report_pictures

    try:
        srcs = report_pictures(data, str(path))
    except ReportError:
        return data  # the read below says why the page cannot be read
    folder = path.resolve().parent
    found = {}
    for src in srcs:
        if src.lower().startswith("data:"):
            continue
        pic = local_picture(src, folder)
        if pic.data is not None and table_sized(pic.data):
            found[src] = pic.data
    return inline_pictures(data, found)


def _same_organ_year(meta: MetadataFile, agency: str | None, year: int | None,
                     adcode: str | None, but: str | None = None) -> dict[str, str] | None:
    if not agency or year is None:
        return None
    for row in meta.rows:
        if row["report_id"] == but:
            continue  # the row being replaced
        if row.get("agency", "").strip() == agency.strip() and row.get("year", "").strip() == str(year):
            other = row.get("adcode", "").strip()
            if other and adcode and other != adcode:
                continue  # two organs of one name in different places
            return row
    return None


def _listed(meta: MetadataFile, digest: str) -> dict[str, str] | None:
    """The first row of *meta* listing the file with this sha256."""
    if digest not in meta.hashes:
        return None
    return next(r for r in meta.rows if r["sha256"].strip().lower() == digest)


def _already(label: str, row: dict[str, str]) -> Skipped:
    return Skipped(label, f"already in corpus (listed as {row['report_id']}, {row['file']}, sha256 "
                          f"{row['sha256'].strip()[:16]}…)", present=True)


def add_bytes(writer: CorpusWriter, data: bytes, label: str, name: str, source_url: str | None,
              original_name: str, today: str, charset: str | None = None, *,
              overrides: Overrides = Overrides(), replace: bool = False) -> Added | Skipped:
    """Add a report's bytes (read from *label*, file name *name*) to the corpus of *writer*;
    *charset* is the encoding a server declared for them, if any; *overrides* and *replace*:
    see :func:`add_reports`."""
    path = Path(name)
    digest = sha256_bytes(data)
    listed = _listed(writer.meta, digest)
    if listed is not None and not replace:  # checked again under the lock
        return _already(label, listed)
    if not data.strip():
        return Skipped(label, "empty file")
    try:
        doc = read_data(data, label, path.suffix, charset)
        report = parse_document(doc, report_id=path.stem, source=label)
    except ReportError as exc:
        return Skipped(label, one_line(exc.reason))
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

    # The parse read the title, agency and year from this same text, unless the user gave them;
    # the place follows from the agency.
    agency = overrides.agency or report.agency
    year = overrides.year if overrides.year is not None else report.year
    title = overrides.title or report.title
    inferred = place(agency)
    suffix = _stored_suffix(path, data)
    with writer.locked() as meta:
        return _commit(writer, meta, data, digest, label, suffix, report, inferred, agency, year, title,
                       source_url, original_name, today, replace)


def _commit(writer, meta, data, digest, label, suffix, report, inferred, agency, year, title, source_url,
            original_name, today, replace) -> Added | Skipped:
    """Copy and list one parsed report; runs under the corpus lock with the current metadata."""
    old = _listed(meta, digest)
    if old is not None and not replace:
        return _already(label, old)
    same_bytes = writer.listed_with_bytes(digest, len(data))
    if same_bytes is not None:
        return Skipped(label, f"already in corpus as {same_bytes['report_id']} ({same_bytes['file']}), whose "
                              f"sha256 in metadata.csv does not match its file; correct that row",
                       present=True)
    old_id = old["report_id"] if old is not None else None
    twin = _same_organ_year(meta, agency, year, inferred.get("adcode"), but=old_id)

    reports_dir = meta.root / "reports"
    # A new id whose file name is free (or already holds these very bytes).
    report_id = target = None
    preexisting = False
    for n in (16, 24, 32, 64):
        candidate = f"{year if year is not None else 'nd'}_{digest[:n]}"
        dest = reports_dir / f"{candidate}{suffix}"
        if candidate in meta.ids and candidate != old_id:
            continue
        if dest.exists():
            if sha256_file(dest) != digest:  # None when unreadable: not the same file
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
        "title": title or "",
        "file": target.relative_to(meta.root).as_posix(),
        "sha256": digest,
        "source": source_url or f"local file {original_name}",
        "original_name": original_name,
        "source_url": source_url or "",
        "added": today,
        "parse_status": "warnings" if warnings else "ok",
        "parse_note": one_line(warnings[0]) if warnings else "",
    }
    if old is not None:
        # Listed again from this parse: what add does not read from the report (the sector) and,
        # unless a new source URL is given, where the file came from stay as they were.
        kept = ["sector"] + ([] if source_url else ["source", "original_name", "source_url", "added"])
        row.update({c: old.get(c, "") for c in kept})
    try:
        if old is None:
            meta.append(row)
        else:
            meta.replace(old_id, row)
    except BaseException:
        if not preexisting:
            try:
                target.unlink()
            except FileNotFoundError:
                pass
        raise
    if old is not None and old["file"] != row["file"] and not any(r["file"] == old["file"] for r in meta.rows):
        try:  # its bytes are in the new copy; no row lists the old name any more
            resolve_report_path(meta.root, old["file"]).unlink()
        except (MetadataError, OSError):
            pass  # a listed path outside the corpus, or gone already: nothing of ours to remove
    writer.appended(row, len(data))
    note = ""
    if twin is not None:
        note = (f"same agency ({agency}) and year ({year}) as {twin['report_id']} ({twin['file']}): "
                "the same report in another format? Remove one of them if so")
    missing = tuple(name for name, found in (("agency", agency), ("year", year), ("region", row["adcode"]))
                    if found is None or found == "")
    return Added(label, report_id, row["file"], row["parse_status"], row["parse_note"], note, missing,
                 old_id or "")


def today_utc(today: str | _dt.date | None = None) -> str:
    """The ``added`` date: *today* as ISO text, or today's date in UTC."""
    if today is None:
        return _dt.datetime.now(_dt.timezone.utc).date().isoformat()
    return today.isoformat() if isinstance(today, _dt.date) else str(today)


def add_reports(paths: Iterable[str | os.PathLike], corpus: str | os.PathLike | None,
                source_url: str | None = None, progress: bool | None = None, *,
                today: str | _dt.date | None = None, overrides: Overrides | None = None,
                replace: bool = False) -> AddResult:
    """Add report files (directories are walked recursively) to *corpus*.

    A file already listed (the same sha256) is skipped (``present``) unless
    *replace*: then its row is made again from this parse (and *overrides*), in
    its place in ``metadata.csv``; the sector, and unless *source_url* is given
    the provenance columns, are kept; a new report_id renames its copy.
    *overrides* (:class:`Overrides`) set the agency, year and title in place of
    the parse's; they describe one report, so *paths* must then be one file
    (:class:`OverrideError` otherwise, or for a year that is not one).
    Returns an :class:`AddResult` with what was added and what was skipped and why;
    each :class:`Added` says what is still missing (agency, year, region).
    Raises :class:`~toolkit.corpus.location.CorpusNotFound` or
    :class:`~toolkit.corpus.metadata.MetadataError` naming the path if the corpus
    folder or its ``metadata.csv`` cannot be read; an ``OSError`` while writing
    ``metadata.csv`` propagates after the file's copy has been removed.
    *progress*: show a bar on stderr (default: for more than 20 files on a terminal).
    *today*: the ``added`` date (default: today, UTC).  *source_url* must be an
    http(s) URL (``ValueError`` otherwise).  Waits up to :data:`LOCK_WAIT` seconds
    for another writer of the corpus, then raises :class:`~toolkit.fileio.LockBusy`.
    """
    if source_url is not None:
        check_source_url(source_url)
    paths = list(paths)
    overrides = _check_overrides(overrides or Overrides())
    if overrides and (len(paths) != 1 or Path(paths[0]).is_dir()):
        given = f"{paths[0]} is a folder" if len(paths) == 1 else f"{len(paths)} paths given"
        raise OverrideError(f"--agency, --year and --title describe one report: give exactly one file ({given})")
    writer = CorpusWriter(named_corpus(corpus, "add"))
    files = _expand(paths)
    day = today_utc(today)
    result = AddResult()
    bar = progress_bar(len(files), "adding reports", "file", progress)
    for path, problem in files:
        if problem is not None:
            result.skipped.append(Skipped(str(path), problem))
        else:
            outcome = add_file(writer, path, source_url, None, day, overrides=overrides, replace=replace)
            (result.added if isinstance(outcome, Added) else result.skipped).append(outcome)
        bar.update()
    bar.close()
    return result
