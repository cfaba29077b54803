"""Download reports politely and add them to a corpus (``xxgk fetch``).

All HTTP goes through :class:`HttpClient`, the one place where the politeness
policy lives: robots.txt is honoured per host, one request at a time, at least
*delay* seconds between requests to the same host, retries with exponential
backoff on 5xx and timeouts, a size cap, and redirects followed hop by hop (each
hop is checked against robots.txt).  Each download is added through
:func:`toolkit.corpus.add.add_bytes` with its final URL as ``source_url``,
straight from memory: nothing is written to the corpus but the report and its
row, so a killed fetch leaves no temporary folder there.

URLs are IRIs as often as not (``…/年度报告.pdf``): each is sent as its URI form
(host in IDNA, path and query percent-encoded as UTF-8).  Every request has an
overall deadline of *timeout* seconds, headers and body included, so a server
that drips its answer cannot hold a fetch longer than that.  A malformed URL is
skipped with its reason; the run goes on.
"""
from __future__ import annotations

import datetime as _dt
import functools
import http.client
import os
import re
import socket
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import urllib.robotparser
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from ..errors import one_line
from ..fileio import LockBusy
from ..progress import progress_bar
from .add import Added, CorpusWriter, add_bytes, today_utc
from .location import named_corpus
from .metadata import MetadataError

__all__ = ["Fetched", "FetchResult", "HttpClient", "fetch", "iri_to_uri"]


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


def iri_to_uri(url: str) -> str:
    """*url* with its host in IDNA and its path and query percent-encoded as UTF-8 (an IRI
    such as ``http://例子.cn/年度报告.pdf`` as the URI a server expects); existing ``%XX``
    escapes and ASCII URLs are left as they are, the fragment is dropped.

    Raises ``ValueError`` naming what is wrong for a URL that cannot be a URI.
    """
    if any(not c.isprintable() for c in url):
        raise ValueError("URL has control characters")
    parts = urllib.parse.urlsplit(url)  # ValueError for http://[::1 and the like
    host = parts.hostname
    if not host:
        raise ValueError("URL has no host")
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"bad port ({exc})") from None
    if ":" in host:
        netloc_host = f"[{host}]"
    else:
        try:
            netloc_host = host.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise ValueError(f"host {host!r} is not a valid domain name ({exc})") from None
    netloc = netloc_host + (f":{port}" if port is not None else "")
    if parts.username is not None or parts.password is not None:
        userinfo = urllib.parse.quote(urllib.parse.unquote(parts.username or ""), safe="")
        if parts.password is not None:
            userinfo += ":" + urllib.parse.quote(urllib.parse.unquote(parts.password), safe="")
        netloc = f"{userinfo}@{netloc}"
    path = urllib.parse.quote(parts.path, safe="/%:@!$&'()*+,;=~-._")
    query = urllib.parse.quote(parts.query, safe="/?%:@!$&'()*+,;=~-._")
    return urllib.parse.urlunsplit((parts.scheme.lower(), netloc, path, query, ""))


class _Watched:
    """A connection that hands its socket to *on_connect* (for the request deadline)."""

    def __init__(self, *args, on_connect, **kwargs):
        super().__init__(*args, **kwargs)
        self.on_connect = on_connect

    def connect(self):
        super().connect()
        self.on_connect(self.sock)


class _WatchedHTTPConnection(_Watched, http.client.HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, http.client.HTTPSConnection):
    pass


class _WatchedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, on_connect):
        super().__init__()
        self.on_connect = on_connect

    def http_open(self, req):
        return self.do_open(functools.partial(_WatchedHTTPConnection, on_connect=self.on_connect), req)


class _WatchedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, on_connect):
        self.context = ssl.create_default_context()
        super().__init__(context=self.context)
        self.on_connect = on_connect

    def https_open(self, req):
        return self.do_open(functools.partial(_WatchedHTTPSConnection, on_connect=self.on_connect), req,
                            context=self.context)


class _Deadline:
    """Closes the request's socket when its time is up: a dripped answer ends there."""

    def __init__(self, seconds: float):
        self.expired = threading.Event()
        self.sock = None
        self.lock = threading.Lock()
        self.timer = threading.Timer(seconds, self._expire)
        self.timer.daemon = True

    def connected(self, sock) -> None:
        with self.lock:
            self.sock = sock
            if self.expired.is_set():
                self._shut()

    def _expire(self) -> None:
        with self.lock:
            self.expired.set()
            self._shut()

    def _shut(self) -> None:
        if self.sock is not None:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed

    def __enter__(self) -> "_Deadline":
        self.timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self.timer.cancel()


def _is_timeout(exc: BaseException) -> bool:
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return True
    return isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, (socket.timeout, TimeoutError))


class HttpClient:
    """One request at a time; politeness per host (robots.txt, delay), retries, size cap."""

    def __init__(self, *, delay, timeout, max_bytes, retries, user_agent, clock, sleep, opener=None):
        self.delay, self.timeout, self.max_bytes = delay, timeout, max_bytes
        self.retries, self.user_agent = retries, user_agent
        self.clock, self.sleep = clock, sleep
        self.deadline: _Deadline | None = None
        self.opener = opener or urllib.request.build_opener(
            _NoRedirect, _WatchedHTTPHandler(self._connected), _WatchedHTTPSHandler(self._connected))
        self.robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self.robots_status: dict[str, int] = {}
        self.last: dict[str, float] = {}
        self.requests = 0

    def _connected(self, sock) -> None:
        if self.deadline is not None:
            self.deadline.connected(sock)

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
        """One HTTP request: (status, headers, body or None for a redirect, location).

        The whole exchange (connecting, headers, body) ends after ``timeout`` seconds.
        """
        host = self.host(url)
        try:
            uri = iri_to_uri(url)
        except ValueError as exc:
            raise _Skip(f"malformed URL ({one_line(exc)})") from None
        req = urllib.request.Request(uri, headers={"User-Agent": self.user_agent, "Accept": "*/*"})
        self.requests += 1
        self.deadline = _Deadline(self.timeout)
        try:
            with self.deadline:
                try:
                    status, headers, body, location = self._exchange(req)
                except (OSError, http.client.HTTPException, ValueError):
                    if self.deadline.expired.is_set():
                        raise socket.timeout(f"no complete answer within {self.timeout:g} s") from None
                    raise
                if self.deadline.expired.is_set():  # the socket was shut: what was read is cut short
                    raise socket.timeout(f"no complete answer within {self.timeout:g} s")
                return status, headers, body, location
        finally:
            self.deadline = None
            self.last[host] = self.clock()

    def _exchange(self, req):
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
            read = getattr(resp, "read1", resp.read)  # what has arrived, not a full 64 KiB
            while True:
                chunk = read(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > self.max_bytes:
                    raise _Skip(f"too large (more than {self.max_bytes} bytes)")
                chunks.append(chunk)
            return resp.status, resp.headers, b"".join(chunks), None

    def _backoff(self, attempt: int) -> float:
        """Seconds to wait before retry *attempt* + 1: doubling, from the delay (at least 1 s)."""
        return max(1.0, self.delay) * 2 ** attempt

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
                    raise _Skip(f"invalid URL or response ({one_line(exc)})") from None
                if isinstance(exc, http.client.HTTPException) and not isinstance(
                        exc, (http.client.RemoteDisconnected, http.client.IncompleteRead)):
                    # The server answered, but not in HTTP: asking again gives the same answer.
                    raise _Skip(f"invalid HTTP response ({type(exc).__name__}: {one_line(exc)})") from None
                why = "timed out" if _is_timeout(exc) else \
                    f"connection failed ({one_line(getattr(exc, 'reason', exc))})"
                if attempt < retries:
                    backoff = self._backoff(attempt)
                    continue
                raise _Skip(f"{why} after {attempt + 1} attempt{'s' * (attempt > 0)}") from None
            if 500 <= status < 600 and attempt < retries:
                backoff = self._backoff(attempt)
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
                try:
                    nxt = urllib.parse.urljoin(current, location)
                    scheme = urllib.parse.urlsplit(nxt).scheme
                except ValueError as exc:
                    raise _Skip(f"redirected to a malformed URL ({one_line(exc)})") from None
                if scheme not in ("http", "https"):
                    raise _Skip(f"redirected to a non-HTTP URL ({one_line(nxt)})")
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


def _attachment_links(body: bytes, base_url: str, charset: str | None = None) -> list[str]:
    """Links on an HTML page to .pdf/.doc/.docx files that name an annual report (年度报告/年报).

    *charset* is the one the server declared (Content-Type); without it the page's own
    ``<meta charset>`` is honoured.
    """
    import codecs

    import lxml.html

    parser = None
    if charset:
        try:
            parser = lxml.html.HTMLParser(encoding=codecs.lookup(charset).name)
        except (LookupError, ValueError, lxml.etree.LxmlError):
            parser = None  # a charset lxml does not know: let it read the page's meta
    try:
        root = lxml.html.document_fromstring(body, parser=parser)
    except (ValueError, lxml.etree.ParserError):
        return []
    base = root.find(".//base")
    if base is not None and base.get("href"):
        try:
            base_url = urllib.parse.urljoin(base_url, base.get("href").strip())
        except ValueError:
            pass  # a malformed <base href>: links resolve against the page's own URL
    links: list[str] = []
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href:
            continue
        try:
            path = urllib.parse.unquote(urllib.parse.urlsplit(href).path)
            if not _ATTACHMENT.search(path):
                continue
            words = "".join(a.itertext()) + " " + (a.get("title") or "") + " " + path
            if not any(w in words for w in _ATTACHMENT_WORDS):
                continue
            absolute = urllib.parse.urldefrag(urllib.parse.urljoin(base_url, href))[0]
            if urllib.parse.urlsplit(absolute).scheme in ("http", "https") and absolute not in links:
                links.append(absolute)
        except ValueError:  # a malformed link (http://[::1) on the page: not followed
            continue
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
    """Download report pages/files and add them to *corpus* through :func:`~toolkit.corpus.add.add_bytes`.

    Each URL (and each 年度报告/年报 .pdf/.doc/.docx attachment linked from an HTML page)
    gives one :class:`Fetched` item: ``added`` or ``skipped`` with a one-line reason
    (a malformed URL too: the run goes on).  *timeout* is each request's overall
    deadline in seconds.  *clock*/*sleep* are injectable for tests.  Raises like
    :func:`~toolkit.corpus.add.add_reports` if the corpus cannot be read (checked
    before any request is made).
    """
    writer = CorpusWriter(named_corpus(corpus, "fetch"))  # fail early, before any network traffic
    day = today_utc(today)
    client = HttpClient(delay=delay, timeout=timeout, max_bytes=max_bytes, retries=retries,
                        user_agent=user_agent, clock=clock, sleep=sleep)
    queue = [u.strip() for u in urls if u and u.strip()]
    seen: set[str] = set()
    result = FetchResult()
    # A download takes seconds: two of them already earn a bar (on a terminal, like every bar).
    bar = progress_bar(len(queue), "fetching", "url", progress, min_items=1)
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
                try:
                    parts = urllib.parse.urlsplit(url)
                    iri_to_uri(url)
                except ValueError as exc:
                    raise _Skip(f"malformed URL ({one_line(exc)})") from None
                if parts.scheme not in ("http", "https") or not parts.netloc:
                    raise _Skip("not an http(s) URL")
                final, headers, body = client.download(url)
                item.final_url = final
                seen.add(final)
                suffix = _suffix_for(final, headers, body)
                if suffix is None:
                    raise _Skip(f"unsupported content type {headers.get_content_type()!r}")
                # The server's charset counts when the page does not declare its own.
                charset = headers.get_content_charset() if headers is not None else None
                if suffix == ".html" and follow_attachments:
                    links = _attachment_links(body, final, charset)
                    new = [u for u in links if u not in seen and u not in queue]
                    if new:
                        queue.extend(new)
                        bar.total += len(new)
                        bar.refresh()
                name = _safe_name(final, suffix)
                # The same per-file step as add_reports / ``xxgk add``, from memory.
                try:
                    outcome = add_bytes(writer, body, final, name, final, name, day, charset)
                except (OSError, MetadataError, LockBusy) as exc:
                    reason = getattr(exc, "strerror", None) or exc
                    raise _Skip(f"downloaded but not added to the corpus ({one_line(reason)})") from None
                if isinstance(outcome, Added):
                    item.status, item.report_id = "added", outcome.report_id
                    item.reason = outcome.note
                else:
                    item.reason = outcome.reason
            except _Skip as exc:
                item.reason = str(exc)
            result.items.append(item)
            bar.update()
    finally:
        bar.close()
        result.requests = client.requests
    return result
