"""Add report files to a corpus (``xxgk add``) and download them politely (``xxgk fetch``).

Adding a file (:func:`add_reports`):

1. its SHA-256 is computed; a file already listed in ``metadata.csv`` is skipped
   (adding is idempotent);
2. it is parsed (:func:`toolkit.readers.read_document` + :func:`toolkit.parse.parse_text`,
   i.e. exactly :func:`toolkit.parse.parse_file`); a file that is not a report is skipped
   with the parser's one-line reason, and so is a page that only *names* a report
   (fewer than 3 of the 6 sections and no tables: a listing page or notice).  A report
   without tables is still added;
3. it is copied byte for byte to ``reports/<year|nd>_<sha256[:16]><suffix>`` (temp
   file in ``reports/`` + ``os.replace``; an existing file is never overwritten);
4. one row is appended to ``metadata.csv`` (temp file + ``os.replace``): the
   columns of :data:`toolkit.metadata.METADATA_COLUMNS` then the provenance
   columns :data:`PROVENANCE_COLUMNS`.  If that write fails the copy is removed.

The first time provenance columns are needed, ``metadata.csv`` is rewritten once
with them added (old rows get empty provenance values; their existing cells are
written back unchanged) and ``datapackage.json`` gets the matching field
descriptions.  After that, rows are appended and earlier bytes never change.

Fetching (:func:`fetch`) uses the standard library only: robots.txt is honoured
per host, one request at a time, at least *delay* seconds between requests to the
same host, retries with exponential backoff on 5xx and timeouts, a size cap, and
redirects followed hop by hop (each hop is checked against robots.txt).  Each
download is added through :func:`add_reports` with its final URL as ``source_url``.
The source files a user gives are never modified.
"""
from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import http.client
import io
import json
import os
import re
import socket
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import urllib.robotparser
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from .errors import ReportError
from .metadata import METADATA_COLUMNS

__all__ = [
    "PROVENANCE_COLUMNS", "REPORT_SUFFIXES", "AddResult", "Added", "Skipped", "add_reports",
    "FetchResult", "Fetched", "fetch", "add_arguments", "run_add", "run_fetch",
]

#: Provenance columns appended after METADATA_COLUMNS in ``metadata.csv``.
PROVENANCE_COLUMNS: tuple[str, ...] = ("original_name", "source_url", "added", "parse_status", "parse_note")

#: A file shorter than this (characters) with fewer template sections than
#: _MIN_SECTIONS and no tables is a listing or notice page, not a report.
_MIN_PROSE_CHARS = 800
#: A file with fewer template sections than this and no tables is not added.
_MIN_SECTIONS = 3

#: File kinds taken when a directory is expanded.
REPORT_SUFFIXES = frozenset({".txt", ".md", ".html", ".htm", ".docx", ".pdf"})

_PROVENANCE_FIELDS: dict[str, dict[str, Any]] = {
    "original_name": {
        "name": "original_name", "type": "string", "title": "Original file name",
        "description": "Name of the file the report was added from (xxgk add / xxgk fetch); "
                       "empty for reports added before provenance was recorded.",
    },
    "source_url": {
        "name": "source_url", "type": "string", "format": "uri", "title": "Source URL",
        "description": "URL the report was downloaded from (the final URL after redirects); "
                       "empty when it was added from a local file.",
    },
    "added": {
        "name": "added", "type": "date", "title": "Date added",
        "description": "Date (UTC, ISO 8601 YYYY-MM-DD) the report was added to the corpus.",
    },
    "parse_status": {
        "name": "parse_status", "type": "string", "title": "Parse status when added",
        "description": "Result of parsing the report when it was added: ok (no warnings) or "
                       "warnings (see parse_note).",
        "constraints": {"enum": ["ok", "warnings"]},
    },
    "parse_note": {
        "name": "parse_note", "type": "string", "title": "Parse note",
        "description": "First parser warning when the report was added; empty if there was none.",
    },
}


# ====================================================================== results


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


@dataclass
class Fetched:
    """One URL's outcome: ``status`` is ``added`` or ``skipped`` (with ``reason``)."""

    url: str
    final_url: str | None
    status: str
    reason: str = ""
    report_id: str | None = None


@dataclass
class FetchResult:
    items: list[Fetched] = field(default_factory=list)
    requests: int = 0  # HTTP requests made (robots.txt, redirects and retries included)

    @property
    def added(self) -> list[Fetched]:
        return [i for i in self.items if i.status == "added"]

    @property
    def skipped(self) -> list[Fetched]:
        return [i for i in self.items if i.status == "skipped"]


# ====================================================================== corpus I/O


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _atomic_write(path: Path, data: bytes, mode: int | None = None, overwrite: bool = True) -> None:
    """Write *data* to *path* via a temp file in the same folder and ``os.replace``.

    With ``overwrite=False`` an existing *path* (even one that appeared while
    writing) is never replaced: ``FileExistsError`` is raised instead.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is None:
            try:
                mode = path.stat().st_mode & 0o7777
            except FileNotFoundError:
                mode = 0o666 & ~_umask()
        os.chmod(tmp, mode)
        if not overwrite and path.exists():
            raise FileExistsError(str(path))
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _csv_line(values: Sequence[str], terminator: str) -> str:
    """One CSV record quoted as pandas' ``to_csv`` does by default (QUOTE_MINIMAL)."""
    buf = io.StringIO()
    csv.writer(buf, quoting=csv.QUOTE_MINIMAL, lineterminator=terminator).writerow(values)
    return buf.getvalue()


class _Corpus:
    """The corpus folder's metadata table, read once and kept in step with each write."""

    def __init__(self, corpus: str | os.PathLike | None):
        from .loaders import corpus_dir

        self.root = corpus_dir(corpus)  # FileNotFoundError naming the folder
        self.meta_path = self.root / "metadata.csv"
        self.reports = self.root / "reports"
        try:
            raw = self.meta_path.read_bytes()
        except FileNotFoundError:
            raise ValueError(f"{self.meta_path}: metadata file not found (not a corpus folder?)") from None
        except OSError as exc:
            raise ValueError(f"{self.meta_path}: cannot read ({exc.strerror or exc})") from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(f"{self.meta_path}: not UTF-8") from None
        self.raw = raw
        self.bom = text.startswith("\ufeff")
        body = text[1:] if self.bom else text
        self.terminator = "\r\n" if "\r\n" in body.split("\n", 1)[0] + "\n" else "\n"
        try:
            records = list(csv.reader(io.StringIO(body, newline="")))
        except csv.Error as exc:
            raise ValueError(f"{self.meta_path}: cannot parse CSV ({exc})") from None
        if not records:
            raise ValueError(f"{self.meta_path}: empty metadata file (no header)")
        self.header = records[0]
        missing = [c for c in METADATA_COLUMNS if c not in self.header]
        if missing:
            raise ValueError(f"{self.meta_path}: missing required columns: {', '.join(missing)}")
        rows = [dict(zip(self.header, r)) for r in records[1:] if r]
        self.hashes = {r.get("sha256", "").lower() for r in rows} - {""}
        self.ids = {r.get("report_id", "") for r in rows} - {""}
        self.records = records

    # -- metadata.csv -----------------------------------------------------

    def needs_rewrite(self) -> bool:
        return any(c not in self.header for c in PROVENANCE_COLUMNS)

    def append(self, row: dict[str, str]) -> None:
        """Add one row to metadata.csv atomically (append, or a one-time rewrite adding columns)."""
        if self.needs_rewrite():
            header = self.header + [c for c in PROVENANCE_COLUMNS if c not in self.header]
            out = [_csv_line(header, self.terminator)]
            for rec in self.records[1:]:
                if rec:
                    out.append(_csv_line(rec + [""] * (len(header) - len(rec)), self.terminator))
            out.append(_csv_line([row.get(c, "") for c in header], self.terminator))
            data = "".join(out).encode("utf-8")  # rewritten without a BOM
            old_raw = self.raw
            _atomic_write(self.meta_path, data)
            try:
                self._update_datapackage(header)
            except BaseException:
                _atomic_write(self.meta_path, old_raw)  # keep csv and descriptor in step
                raise
            self.header = header
            self.records = [header] + [r for r in self.records[1:] if r]
        else:
            sep = b"" if not self.raw or self.raw.endswith(b"\n") else self.terminator.encode()
            data = self.raw + sep + _csv_line([row.get(c, "") for c in self.header],
                                              self.terminator).encode("utf-8")
            _atomic_write(self.meta_path, data)
        self.raw = data
        self.records.append([row.get(c, "") for c in self.header])
        self.hashes.add(row["sha256"])
        self.ids.add(row["report_id"])

    def _update_datapackage(self, header: list[str]) -> None:
        """Describe the provenance columns in datapackage.json (if there is one)."""
        path = self.root / "datapackage.json"
        if not path.is_file():
            return
        package = json.loads(path.read_text(encoding="utf-8"))
        resource = next((r for r in package.get("resources", []) if r.get("path") == "metadata.csv"
                         or r.get("name") == "metadata"), None)
        if resource is None:
            return
        fields = resource.setdefault("schema", {}).setdefault("fields", [])
        names = {f.get("name") for f in fields}
        changed = False
        for column in header:
            if column in _PROVENANCE_FIELDS and column not in names:
                fields.append(dict(_PROVENANCE_FIELDS[column]))
                changed = True
        if changed:
            _atomic_write(path, (json.dumps(package, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


# ====================================================================== add


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


def _one_line(text: str, limit: int = 300) -> str:
    text = re.sub(r"\s+", " ", str(text)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _stored_suffix(path: Path, data: bytes) -> str:
    """The copy keeps the file's suffix (the readers rely on it); a file without one is sniffed."""
    suffix = path.suffix.lower()
    if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix):
        return suffix
    head = data[:4096].lstrip()
    if head.startswith(b"%PDF-"):
        return ".pdf"
    if head.startswith(b"PK"):
        return ".docx"
    if re.search(rb"<(html|body|table)[\s>]", head, re.I):
        return ".html"
    return ".txt"


def _parse(path: Path):
    """(document text, Report) of a file; raises ReportError — exactly parse_file's reading."""
    from .parse import parse_text
    from .readers import read_document

    doc = read_document(path)
    report = parse_text(doc.text, report_id=path.stem, source=str(path), warnings=doc.warnings,
                        grids=doc.grids)
    return doc.text, report


def _add_one(state: _Corpus, path: Path, source_url: str | None, original_name: str | None,
             today: str) -> Added | Skipped:
    label = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Skipped(label, f"cannot read file ({exc.strerror or exc})")
    digest = hashlib.sha256(data).hexdigest()
    if digest in state.hashes:
        return Skipped(label, f"already in corpus (sha256 {digest[:16]}…)")
    if not data.strip():
        return Skipped(label, "empty file")
    try:
        text, report = _parse(path)
    except ReportError as exc:
        reason = exc.reason
        if path.suffix.lower() == ".doc":
            reason += " (legacy Word .doc is not supported; save it as .docx)"
        return Skipped(label, _one_line(reason))
    except Exception as exc:  # a reader library failing on a malformed file
        return Skipped(label, _one_line(f"could not be read as a report ({type(exc).__name__}: {exc})"))

    n_sections = sum(1 for body in report.sections.values() if body is not None)
    if (n_sections < _MIN_SECTIONS and not any(report.tables.values())
            and len(text.strip()) < _MIN_PROSE_CHARS):
        # The parser accepts a bare title; a corpus needs the report itself, not a
        # listing page or notice that merely names one.  Reports before 2019 have
        # no template sections, but they are pages of prose, not a few lines.
        return Skipped(label, f"names a report but is not one: {n_sections} of 6 report sections, "
                              f"no tables and only {len(text.strip())} characters "
                              "(a listing or notice page?)")

    from .metadata import infer_metadata

    meta = infer_metadata(text)
    agency = report.agency or meta.get("agency")
    year = report.year if report.year is not None else meta.get("year")
    suffix = _stored_suffix(path, data)

    # A new id whose file name is free (or already holds these very bytes).
    report_id = target = None
    preexisting = False
    for n in (16, 24, 32, 64):
        candidate = f"{year if year is not None else 'nd'}_{digest[:n]}"
        dest = state.reports / f"{candidate}{suffix}"
        if candidate in state.ids:
            continue
        if dest.exists():
            try:
                same = dest.is_file() and hashlib.sha256(dest.read_bytes()).hexdigest() == digest
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
            state.reports.mkdir(exist_ok=True)
            _atomic_write(target, data, mode=0o666 & ~_umask(), overwrite=False)
        except OSError as exc:
            return Skipped(label, f"cannot copy into {state.reports} ({exc.strerror or exc})")

    warnings = [w for w in report.warnings if w]
    row = {
        "report_id": report_id,
        "agency": agency or "",
        "province": meta.get("province") or "",
        "city": meta.get("city") or "",
        "county": meta.get("county") or "",
        "adcode": meta.get("adcode") or "",
        "admin_level": meta.get("admin_level") or "",
        "sector": "",
        "year": "" if year is None else str(year),
        "title": report.title or meta.get("title") or "",
        "file": target.relative_to(state.root).as_posix(),
        "sha256": digest,
        "source": source_url or f"local file {original_name or path.name}",
        "original_name": original_name or path.name,
        "source_url": source_url or "",
        "added": today,
        "parse_status": "warnings" if warnings else "ok",
        "parse_note": _one_line(warnings[0]) if warnings else "",
    }
    try:
        state.append(row)
    except BaseException:
        if not preexisting:
            try:
                target.unlink()
            except FileNotFoundError:
                pass
        raise
    return Added(label, report_id, row["file"], row["parse_status"], row["parse_note"])


def _today(today: str | _dt.date | None) -> str:
    if today is None:
        return _dt.datetime.now(_dt.timezone.utc).date().isoformat()
    return today.isoformat() if isinstance(today, _dt.date) else str(today)


def add_reports(paths: Iterable[str | os.PathLike], corpus: str | os.PathLike | None,
                source_url: str | None = None, progress: bool | None = None, *,
                today: str | _dt.date | None = None) -> AddResult:
    """Add report files (directories are walked recursively) to *corpus*.

    Returns an :class:`AddResult` with what was added and what was skipped and why.
    Raises ``FileNotFoundError``/``ValueError`` naming the path if the corpus folder
    or its ``metadata.csv`` cannot be read; an ``OSError`` while writing
    ``metadata.csv`` propagates after the file's copy has been removed.
    *progress*: show a tqdm bar on stderr (default: only for more than 20 files).
    *today*: the ``added`` date (default: today, UTC).
    """
    from tqdm import tqdm

    state = _Corpus(corpus)
    files = _expand(paths)
    day = _today(today)
    result = AddResult()
    show = len(files) > 20 if progress is None else bool(progress)
    for path, problem in tqdm(files, desc="adding reports", unit="file", file=sys.stderr, disable=not show):
        if problem is not None:
            result.skipped.append(Skipped(str(path), problem))
            continue
        outcome = _add_one(state, path, source_url, None, day)
        (result.added if isinstance(outcome, Added) else result.skipped).append(outcome)
    return result


# ====================================================================== fetch

_CONTENT_TYPES = {
    "text/html": ".html", "application/xhtml+xml": ".html", "application/pdf": ".pdf",
    "application/x-pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/msword": ".doc", "text/plain": ".txt",
}
_URL_SUFFIXES = {".html", ".htm", ".shtml", ".pdf", ".docx", ".doc", ".txt"}
_ATTACHMENT = re.compile(r"\.(pdf|docx?)$", re.I)
_ATTACHMENT_WORDS = ("年度报告", "年报")
_MAX_REDIRECTS = 10


class _Skip(Exception):
    """A URL is skipped; the message is the one-line reason."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D401
        return None  # urllib then raises HTTPError(3xx); redirects are followed by hand


def _is_timeout(exc: BaseException) -> bool:
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return True
    return isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, (socket.timeout, TimeoutError))


class _Client:
    """One request at a time; politeness per host (robots.txt, delay), retries, size cap."""

    def __init__(self, *, delay, timeout, max_bytes, retries, user_agent, clock, sleep, opener=None):
        self.delay, self.timeout, self.max_bytes = delay, timeout, max_bytes
        self.retries, self.user_agent = retries, user_agent
        self.clock, self.sleep = clock, sleep
        self.opener = opener or urllib.request.build_opener(_NoRedirect)
        self.robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self.robots_status: dict[str, int] = {}
        self.last: dict[str, float] = {}
        self.requests = 0

    @staticmethod
    def host(url: str) -> str:
        parts = urllib.parse.urlsplit(url)
        return f"{parts.scheme.lower()}://{parts.netloc.lower()}"

    def _wait(self, host: str, at_least: float = 0.0) -> None:
        wait = at_least
        if host in self.last:
            wait = max(wait, self.delay - (self.clock() - self.last[host]))
        if wait > 0:
            self.sleep(wait)

    def _once(self, url: str):
        """One HTTP request: (status, headers, body or None for a redirect, location)."""
        host = self.host(url)
        req = urllib.request.Request(url, headers={"User-Agent": self.user_agent, "Accept": "*/*"})
        self.requests += 1
        try:
            try:
                resp = self.opener.open(req, timeout=self.timeout)
            except urllib.error.HTTPError as exc:
                with exc:
                    return exc.code, exc.headers, None, exc.headers.get("Location") if exc.headers else None
            with resp:
                length = resp.headers.get("Content-Length")
                if length and length.strip().isdigit() and int(length) > self.max_bytes:
                    raise _Skip(f"too large ({int(length)} bytes > limit {self.max_bytes})")
                chunks, size = [], 0
                while True:
                    chunk = resp.read(65536)
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise _Skip(f"too large (more than {self.max_bytes} bytes)")
                    chunks.append(chunk)
                return resp.status, resp.headers, b"".join(chunks), None
        finally:
            self.last[host] = self.clock()

    def get(self, url: str, *, retries: int | None = None, check_robots: bool = True):
        """GET with retries on 5xx/timeouts/connection errors. Returns (status, headers, body)."""
        retries = self.retries if retries is None else retries
        host = self.host(url)
        backoff = 0.0
        for attempt in range(retries + 1):
            if check_robots and not self.allowed(url):
                if host in self.robots_status:
                    raise _Skip(f"{host}/robots.txt answered HTTP {self.robots_status[host]}; "
                                "not fetching from this host")
                raise _Skip(f"disallowed by {host}/robots.txt")
            self._wait(host, backoff)
            try:
                status, headers, body, location = self._once(url)
            except _Skip:
                raise
            except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
                # ValueError: http.client rejects some malformed responses/URLs.
                if isinstance(exc, ValueError) and not isinstance(exc, UnicodeError):
                    raise _Skip(f"invalid URL or response ({_one_line(exc)})") from None
                why = "timed out" if _is_timeout(exc) else \
                    f"connection failed ({_one_line(getattr(exc, 'reason', exc))})"
                if attempt < retries:
                    backoff = max(1.0, self.delay) * 2 ** attempt
                    continue
                raise _Skip(f"{why} after {attempt + 1} attempt{'s' * (attempt > 0)}") from None
            if 500 <= status < 600 and attempt < retries:
                backoff = max(1.0, self.delay) * 2 ** attempt
                continue
            return status, headers, body, location
        raise AssertionError("unreachable")

    def allowed(self, url: str) -> bool:
        host = self.host(url)
        if host not in self.robots:
            robots_url = host + "/robots.txt"
            parser = urllib.robotparser.RobotFileParser(robots_url)
            status, body = None, None
            try:
                current = robots_url
                for _ in range(5):  # RFC 9309: follow at least five redirects
                    status, _headers, body, location = self.get(current, retries=0, check_robots=False)
                    if status not in (301, 302, 303, 307, 308) or not location:
                        break
                    current = urllib.parse.urljoin(current, location)
            except _Skip:
                status, body = None, None  # no answer: the page request reports its own error
            if status == 200 and body is not None:
                parser.parse(body.decode("utf-8", errors="replace").splitlines())
                self.robots[host] = parser
            elif status is not None and (status in (401, 403) or status >= 500):
                parser.disallow_all = True  # RFC 9309: server error = complete disallow
                self.robots[host] = parser
                self.robots_status[host] = status
            else:
                self.robots[host] = None  # 404 and other 4xx, or unreachable: everything allowed
        parser = self.robots[host]
        return parser is None or parser.can_fetch(self.user_agent, url)

    def download(self, url: str) -> tuple[str, Any, bytes]:
        """Follow redirects hop by hop; return (final URL, headers, body) of a 200 response."""
        current = url
        for _ in range(_MAX_REDIRECTS + 1):
            status, headers, body, location = self.get(current)
            if status in (301, 302, 303, 307, 308):
                if not location:
                    raise _Skip(f"HTTP {status} redirect without a Location header")
                nxt = urllib.parse.urljoin(current, location)
                if urllib.parse.urlsplit(nxt).scheme not in ("http", "https"):
                    raise _Skip(f"redirected to a non-HTTP URL ({nxt})")
                current = nxt
                continue
            if not 200 <= status < 300 or status == 204 or body is None:
                reason = _http_reason(status)
                raise _Skip(f"HTTP {status}{' ' + reason if reason else ''}")
            return current, headers, body
        raise _Skip(f"more than {_MAX_REDIRECTS} redirects")


def _http_reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _suffix_for(url: str, headers, body: bytes) -> str | None:
    ctype = (headers.get_content_type() if headers is not None else "") or ""
    suffix = _CONTENT_TYPES.get(ctype.lower())
    url_suffix = Path(urllib.parse.unquote(urllib.parse.urlsplit(url).path)).suffix.lower()
    if suffix is None or (suffix in (".txt",) and url_suffix in (".html", ".htm")):
        if url_suffix in _URL_SUFFIXES:
            suffix = ".html" if url_suffix in (".htm", ".shtml") else url_suffix
    if suffix is None:
        head = body[:4096].lstrip()
        if head.startswith(b"%PDF-"):
            suffix = ".pdf"
        elif head.startswith(b"PK"):
            suffix = ".docx"
        elif re.search(rb"<(html|body|table)[\s>]", head, re.I):
            suffix = ".html"
    return suffix


def _attachment_links(body: bytes, base_url: str) -> list[str]:
    """Links on an HTML page to .pdf/.doc/.docx files that name an annual report (年度报告/年报)."""
    import lxml.html

    try:
        root = lxml.html.document_fromstring(body)  # the page's own charset (meta) is honoured
    except (ValueError, lxml.etree.ParserError):
        return []
    base = root.find(".//base")
    if base is not None and base.get("href"):
        base_url = urllib.parse.urljoin(base_url, base.get("href").strip())
    links: list[str] = []
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href:
            continue
        path = urllib.parse.unquote(urllib.parse.urlsplit(href).path)
        if not _ATTACHMENT.search(path):
            continue
        words = "".join(a.itertext()) + " " + (a.get("title") or "") + " " + path
        if not any(w in words for w in _ATTACHMENT_WORDS):
            continue
        absolute = urllib.parse.urldefrag(urllib.parse.urljoin(base_url, href))[0]
        if urllib.parse.urlsplit(absolute).scheme in ("http", "https") and absolute not in links:
            links.append(absolute)
    return links


def _safe_name(url: str, suffix: str) -> str:
    stem = Path(urllib.parse.unquote(urllib.parse.urlsplit(url).path)).stem or "index"
    stem = re.sub(r"[^\w.\-]+", "_", stem)[:80].strip("._") or "download"
    return stem + suffix


def fetch(urls: Iterable[str], corpus: str | os.PathLike | None, delay: float = 1.0, timeout: float = 20,
          max_bytes: int = 20 * 2**20, retries: int = 3, user_agent: str = "xxgk/0.1 (+research)", *,
          progress: bool | None = None, today: str | _dt.date | None = None,
          clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
          follow_attachments: bool = True) -> FetchResult:
    """Download report pages/files and add them to *corpus* through :func:`add_reports`.

    Each URL (and each 年度报告/年报 .pdf/.doc/.docx attachment linked from an HTML page)
    gives one :class:`Fetched` item: ``added`` or ``skipped`` with a one-line reason.
    *clock*/*sleep* are injectable for tests.  Raises like :func:`add_reports` if the
    corpus cannot be read (checked before any request is made).
    """
    from tqdm import tqdm

    state = _Corpus(corpus)  # fail early, before any network traffic
    day = _today(today)
    client = _Client(delay=delay, timeout=timeout, max_bytes=max_bytes, retries=retries,
                     user_agent=user_agent, clock=clock, sleep=sleep)
    queue = [u.strip() for u in urls if u and u.strip()]
    seen: set[str] = set()
    result = FetchResult()
    bar = tqdm(total=len(queue), desc="fetching", unit="url", file=sys.stderr,
               disable=(progress is False) or (progress is None and len(queue) < 2))
    tmpdir = Path(tempfile.mkdtemp(prefix=".xxgk-fetch-", dir=state.root))
    try:
        i = 0
        while i < len(queue):
            url = queue[i]
            i += 1
            if url in seen:
                bar.update()
                continue
            seen.add(url)
            item = Fetched(url, None, "skipped")
            try:
                if urllib.parse.urlsplit(url).scheme not in ("http", "https") or not urllib.parse.urlsplit(url).netloc:
                    raise _Skip("not an http(s) URL")
                final, headers, body = client.download(url)
                item.final_url = final
                seen.add(final)
                suffix = _suffix_for(final, headers, body)
                if suffix is None:
                    raise _Skip(f"unsupported content type {headers.get_content_type()!r}")
                if suffix == ".html" and follow_attachments:
                    new = [u for u in _attachment_links(body, final) if u not in seen and u not in queue]
                    if new:
                        queue.extend(new)
                        bar.total += len(new)
                        bar.refresh()
                local = tmpdir / f"{len(seen):04d}" / _safe_name(final, suffix)
                local.parent.mkdir()
                local.write_bytes(body)
                # The same per-file step as add_reports / ``xxgk add``.
                outcome = _add_one(state, local, final, local.name, day)
                if isinstance(outcome, Added):
                    item.status, item.report_id = "added", outcome.report_id
                else:
                    item.reason = outcome.reason
            except _Skip as exc:
                item.reason = str(exc)
            result.items.append(item)
            bar.update()
    finally:
        bar.close()
        import shutil

        shutil.rmtree(tmpdir, ignore_errors=True)
        result.requests = client.requests
    return result


# ====================================================================== CLI


def add_arguments(subparsers) -> None:
    """Register the ``add`` and ``fetch`` subcommands on an argparse subparsers object.

    Each sets ``func`` (``run_add`` / ``run_fetch``) as a default.
    """
    a = subparsers.add_parser("add", help="add report files (or folders of them) to the corpus")
    a.add_argument("paths", nargs="+", metavar="FILE_OR_DIR",
                   help="report files (.txt .md .html .htm .docx .pdf) or folders (searched recursively)")
    a.add_argument("--corpus", help="corpus folder (default: $XXGK_CORPUS or the shipped corpus/)")
    a.add_argument("--source-url", help="URL the files were downloaded from (recorded in metadata.csv)")
    a.set_defaults(func=run_add)
    f = subparsers.add_parser("fetch", help="download reports politely and add them to the corpus")
    f.add_argument("urls", nargs="*", metavar="URL")
    f.add_argument("--from-file", metavar="FILE", help="read URLs from FILE, one per line (# comments)")
    f.add_argument("--corpus", help="corpus folder (default: $XXGK_CORPUS or the shipped corpus/)")
    f.add_argument("--delay", type=_non_negative, default=1.0,
                   help="seconds between requests to the same host (default: 1)")
    f.add_argument("--timeout", type=_positive_float, default=20.0, help="seconds per request (default: 20)")
    f.set_defaults(func=run_fetch)


def _non_negative(value: str) -> float:
    import argparse

    try:
        x = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not x >= 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return x


def _positive_float(value: str) -> float:
    import argparse

    x = _non_negative(value)
    if x == 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return x


def _err(message: str) -> None:
    print(f"xxgk: {message}", file=sys.stderr)


def run_add(args) -> int:
    """``xxgk add``: 0 when the run completed (skips included), 1 if the corpus is unreadable."""
    try:
        result = add_reports(args.paths, args.corpus, source_url=getattr(args, "source_url", None))
    except (OSError, ValueError) as exc:
        _err(_one_line(exc))
        return 1
    for a in result.added:
        note = f" ({a.parse_status}: {a.parse_note})" if a.parse_note else ""
        print(f"added {a.path} -> {a.file}{note}")
    for s in result.skipped:
        print(f"skipped {s.path}: {s.reason}")
    print(f"{result.n_added} added, {result.n_skipped} skipped")
    return 0


def run_fetch(args) -> int:
    """``xxgk fetch``: 0 when the run completed (skips included), 1 if the corpus or the
    URL file is unreadable, 2 when no URL is given."""
    urls = list(getattr(args, "urls", None) or [])
    from_file = getattr(args, "from_file", None)
    if from_file:
        try:
            lines = Path(from_file).read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            _err(f"{from_file}: cannot read URL list ({_one_line(getattr(exc, 'strerror', None) or exc)})")
            return 1
        urls += [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    if not urls:
        _err("fetch: give at least one URL or --from-file FILE")
        return 2
    try:
        result = fetch(urls, args.corpus, delay=getattr(args, "delay", 1.0),
                       timeout=getattr(args, "timeout", 20.0))
    except (OSError, ValueError) as exc:
        _err(_one_line(exc))
        return 1
    for item in result.items:
        where = item.url if item.final_url in (None, item.url) else f"{item.url} -> {item.final_url}"
        if item.status == "added":
            print(f"added {where} as {item.report_id}")
        else:
            print(f"skipped {where}: {item.reason}")
    print(f"{len(result.added)} added, {len(result.skipped)} skipped, {result.requests} requests")
    return 0
