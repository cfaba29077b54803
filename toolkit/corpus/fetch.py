"""Download reports politely and add them to a corpus (``xxgk fetch``).

All HTTP goes through :class:`HttpClient`, the one place where the politeness
and safety policy lives:

- robots.txt is honoured per host as RFC 9309 reads it (Protego: ``*`` and ``$``
  in paths, the longest match deciding, ``Crawl-delay``); a robots.txt that
  answers 5xx, 401/403 or cannot be reached at all means the whole host is off
  limits;
- one request at a time, at least *delay* seconds (or the host's
  ``Crawl-delay``, whichever is longer) between requests to the same host;
- retries only of what can recover (timeouts, 5xx, 429, a dropped connection)
  with exponential backoff; a refused connection, an unreachable network or an
  unknown host fails at once;
- every hop of every request (robots.txt and redirects included) to a host all
  of whose addresses are public: loopback, private, link-local, shared
  (100.64/10), reserved, multicast and unspecified addresses -- in any spelling
  a resolver accepts (``2130706433``, ``0177.0.0.1``, ``[::ffff:127.0.0.1]``,
  6to4) -- are refused unless *allow_private*; the connection is then made to the
  very address that was checked, so a name that resolves differently a moment
  later cannot slip through;
- at most *max_requests* HTTP requests in a run, and at most *max_links*
  attachment links followed from one page, each limit said when reached;
- a size cap, and redirects followed hop by hop.

Attachment links (年度报告/年报 .pdf/.doc/.docx) are followed only on the page's
own site unless *follow_offsite*: the same host name, where ``www.`` in front
counts as the same site (``www.x.gov.cn`` and ``x.gov.cn``) but any other
subdomain does not, and port and scheme do not matter (``http`` and ``https`` of
one host are one operator).  The stored file's suffix comes from its bytes
(:func:`toolkit.reading.sniffing.sniff`), not the server's ``Content-Type``: a PDF
served as ``text/plain`` is stored as ``.pdf``; a picture (a scan) is kept only when
its URL is one the user gave.  The pictures an HTML report shows in its body are
downloaded with it under the same rules (own site, *max_links*, the request limit,
public addresses) and those that can hold a table are put into the stored page as
``data:`` URIs (:func:`_with_pictures`), so it reads them wherever it is stored.
Each download is added through
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
import errno
import functools
import http.client
import ipaddress
import os
import re
import socket
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from ..errors import one_line
from ..fileio import LockBusy
from ..progress import progress_bar
from ..reading.formats import FALLBACK, attachment_suffixes, format_of, registered
from ..reading.sniffing import sniff, suffix_for_kind
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
    notes: list[str] = field(default_factory=list)  # limits reached, links not followed: one line each

    @property
    def added(self) -> list[Fetched]:
        return [i for i in self.items if i.status == "added"]

    @property
    def skipped(self) -> list[Fetched]:
        return [i for i in self.items if i.status == "skipped"]


_ATTACHMENT_WORDS = ("年度报告", "年报")
_MAX_REDIRECTS = 10
#: Seconds a 429's Retry-After is honoured up to (a longer one is waited for this long).
_MAX_RETRY_AFTER = 120.0
#: Connection errors that asking again will not mend: fail at once.
_FAIL_FAST = {errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EADDRNOTAVAIL}


class _Skip(Exception):
    """A URL is skipped; the message is the one-line reason."""


class _Refused(_Skip):
    """The host resolves to an address xxgk does not fetch from (loopback, private, ...)."""


class _Unreachable(_Skip):
    """No connection can be made to the host (refused, unknown name): not retried."""


class _Capped(_Skip):
    """The run's request limit is reached."""


def _address_kind(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """What makes *ip* an address xxgk does not fetch from ("loopback", "private", ...), or
    ``None`` for a public one.  An IPv6 address carrying an IPv4 one (IPv4-mapped, 6to4,
    Teredo) is judged by that too."""
    if isinstance(ip, ipaddress.IPv6Address):
        for inner in (ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())):
            if inner is not None and _address_kind(inner) is not None:
                return _address_kind(inner) + " (inside an IPv6 address)"
    for attr, kind in (("is_unspecified", "unspecified"), ("is_loopback", "loopback"),
                       ("is_link_local", "link-local"), ("is_multicast", "multicast"),
                       ("is_reserved", "reserved"), ("is_private", "private")):
        if getattr(ip, attr):
            return kind
    return None if ip.is_global else "non-public"


def resolve_public(host: str, port: int, allow_private: bool = False) -> list[tuple]:
    """The addresses *host* resolves to, as ``getaddrinfo`` gives them (so every spelling of
    an address the resolver accepts is judged by what it means).

    Raises :class:`_Refused` naming the address when any of them is not public (unless
    *allow_private*), :class:`_Unreachable` when the name does not resolve.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise _Unreachable(f"host {host} not found ({one_line(getattr(exc, 'strerror', None) or exc)})") from None
    if not infos:
        raise _Unreachable(f"host {host} not found")
    if not allow_private:
        for info in infos:
            address = str(info[4][0])
            try:
                ip = ipaddress.ip_address(address.split("%", 1)[0])  # fe80::1%eth0: the scope is not the address
            except ValueError:
                raise _Refused(f"refused: {host} resolves to {address!r}, not an IP address") from None
            kind = _address_kind(ip)
            if kind is not None:
                shown = host if host == address else f"{host} ({address})"
                raise _Refused(f"refused: {shown} is a {kind} address; xxgk fetches only from public "
                               "addresses (--allow-private to fetch from this one)")
    return infos


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
    """A connection that hands its socket to *on_connect* (for the request deadline) and
    connects through *resolve*: ``resolve(host, port)`` gives the addresses it may use."""

    def __init__(self, *args, on_connect, resolve, **kwargs):
        super().__init__(*args, **kwargs)
        self.on_connect, self.resolve = on_connect, resolve
        self._create_connection = self._connect_checked

    def _connect_checked(self, address, timeout, source_address=None):
        # Connect to an address the check passed, not whatever the name resolves to next.
        host, port = address
        error: OSError | None = None
        for family, socktype, proto, _name, sockaddr in self.resolve(host, port):
            sock = socket.socket(family, socktype, proto)
            try:
                if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:
                    sock.settimeout(timeout)
                if source_address:
                    sock.bind(source_address)
                sock.connect(sockaddr)
                return sock
            except OSError as exc:
                error = exc
                sock.close()
        raise error if error is not None else OSError(f"no address for {host}")

    def connect(self):
        super().connect()
        self.on_connect(self.sock)


class _WatchedHTTPConnection(_Watched, http.client.HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, http.client.HTTPSConnection):
    pass


class _WatchedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, on_connect, resolve):
        super().__init__()
        self.on_connect, self.resolve = on_connect, resolve

    def http_open(self, req):
        return self.do_open(functools.partial(_WatchedHTTPConnection, on_connect=self.on_connect,
                                              resolve=self.resolve), req)


class _WatchedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, on_connect, resolve):
        self.context = ssl.create_default_context()
        super().__init__(context=self.context)
        self.on_connect, self.resolve = on_connect, resolve

    def https_open(self, req):
        return self.do_open(functools.partial(_WatchedHTTPSConnection, on_connect=self.on_connect,
                                              resolve=self.resolve), req, context=self.context)


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
    """One request at a time; politeness per host (robots.txt, delay, Crawl-delay), retries,
    size cap, public addresses only (unless *allow_private*), at most *max_requests* requests."""

    def __init__(self, *, delay, timeout, max_bytes, retries, user_agent, clock, sleep, opener=None,
                 allow_private: bool = False, max_requests: int | None = None):
        self.delay, self.timeout, self.max_bytes = delay, timeout, max_bytes
        self.retries, self.user_agent = retries, user_agent
        self.clock, self.sleep = clock, sleep
        self.allow_private, self.max_requests = allow_private, max_requests
        self.deadline: _Deadline | None = None
        self.target: str | None = None  # the host of the request being made (IDNA form)
        self.opener = opener or urllib.request.build_opener(
            _NoRedirect, _WatchedHTTPHandler(self._connected, self._resolve),
            _WatchedHTTPSHandler(self._connected, self._resolve))
        self.robots: dict[str, Any] = {}  # host -> Protego rules, or None (everything allowed)
        self.robots_refusal: dict[str, str] = {}  # host -> why the whole host is off limits
        self.last: dict[str, float] = {}
        self.requests = 0
        self.capped = False

    def _connected(self, sock) -> None:
        if self.deadline is not None:
            self.deadline.connected(sock)

    def _resolve(self, host: str, port: int) -> list[tuple]:
        # A proxy (from the environment) is the user's own choice of address: only the
        # request's own host is held to the public-address rule.
        check = self.target is not None and host.lower() == self.target
        return resolve_public(host, port, allow_private=self.allow_private or not check)

    @staticmethod
    def host(url: str) -> str:
        parts = urllib.parse.urlsplit(url)
        return f"{parts.scheme.lower()}://{parts.netloc.lower()}"

    def host_delay(self, host: str) -> float:
        """Seconds between requests to *host*: the delay asked for, or the host's robots.txt
        ``Crawl-delay`` for xxgk when that is longer."""
        rules = self.robots.get(host)
        crawl = rules.crawl_delay(self.user_agent) if rules not in (None, False) else None
        return max(self.delay, float(crawl)) if crawl is not None else self.delay

    def _wait(self, host: str, at_least: float = 0.0) -> None:
        wait = at_least
        if host in self.last:
            wait = max(wait, self.host_delay(host) - (self.clock() - self.last[host]))
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
        parts = urllib.parse.urlsplit(uri)
        # Checked before any request is counted or sent, for a clear reason; the connection
        # itself is then made only to an address this check passes.
        try:
            resolve_public(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80),
                           allow_private=self.allow_private)
        except _Unreachable:
            # Behind a proxy (http_proxy/https_proxy) the proxy resolves the name, which need not
            # resolve here; a name that does resolve here is still held to the rule above.
            if not _proxied(uri):
                raise
        if self.max_requests is not None and self.requests >= self.max_requests:
            self.capped = True
            raise _Capped(f"not fetched: the limit of {self.max_requests} requests (--max-requests) "
                          "was reached")
        req = urllib.request.Request(uri, headers={"User-Agent": self.user_agent, "Accept": "*/*"})
        self.requests += 1
        self.deadline = _Deadline(self.timeout)
        self.target = (parts.hostname or "").lower()
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
            self.target = None
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
        """GET with retries of what can recover: timeouts, 5xx, 429 and a dropped connection,
        with exponential backoff (a 429's ``Retry-After`` honoured up to 120 s).  A refused
        connection, an unreachable network or an unknown host fails at once.
        Returns (status, headers, body, location)."""
        retries = self.retries if retries is None else retries
        host = self.host(url)
        backoff = 0.0
        for attempt in range(retries + 1):
            if check_robots and not self.allowed(url):
                if host in self.robots_refusal:
                    raise _Skip(f"{host}/robots.txt {self.robots_refusal[host]}; not fetching from this host")
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
                reason = getattr(exc, "reason", exc)
                if isinstance(reason, _Skip):  # raised while connecting (the address check)
                    raise reason from None
                why = "timed out" if _is_timeout(exc) else f"connection failed ({one_line(reason)})"
                if isinstance(reason, OSError) and reason.errno in _FAIL_FAST:
                    raise _Unreachable(why) from None  # nobody listens there: asking again will not help
                if attempt < retries:
                    backoff = self._backoff(attempt)
                    continue
                raise _Skip(f"{why} after {attempt + 1} attempt{'s' * (attempt > 0)}") from None
            if (status == 429 or 500 <= status < 600) and attempt < retries:
                backoff = self._backoff(attempt)
                if status == 429:
                    backoff = max(backoff, _retry_after(headers))
                continue
            return status, headers, body, location
        raise AssertionError("unreachable")

    def allowed(self, url: str) -> bool:
        """Whether robots.txt of *url*'s host lets xxgk fetch it (fetched once per host)."""
        from protego import Protego

        host = self.host(url)
        if host not in self.robots:
            robots_url = host + "/robots.txt"
            status, body, failure = None, None, None
            try:
                current = robots_url
                for _ in range(5):  # RFC 9309: follow at least five redirects
                    status, _headers, body, location = self.get(current, retries=0, check_robots=False)
                    if status not in (301, 302, 303, 307, 308) or not location:
                        break
                    current = urllib.parse.urljoin(current, location)
            except (_Refused, _Capped):
                raise  # said for the page itself; the host's robots.txt stays unknown
            except _Skip as exc:
                status, body, failure = None, None, str(exc)
            if status == 200 and body is not None:
                self.robots[host] = Protego.parse(body.decode("utf-8", errors="replace"))
            elif failure is not None:
                # RFC 9309: a robots.txt that cannot be reached means complete disallow.
                self.robots[host] = False
                self.robots_refusal[host] = f"could not be fetched ({one_line(failure)})"
            elif status is not None and (status in (401, 403) or status >= 500):
                self.robots[host] = False  # server error (RFC 9309), or access refused: complete disallow
                self.robots_refusal[host] = f"answered HTTP {status}"
            else:
                self.robots[host] = None  # 404 and other 4xx: everything allowed
        rules = self.robots[host]
        if rules is False:
            return False
        return rules is None or rules.can_fetch(url, self.user_agent)

    def download(self, url: str) -> tuple[str, Any, bytes]:
        """Follow redirects hop by hop (each checked as a request of its own: address, robots.txt,
        the request limit); return (final URL, headers, body) of a 200 response."""
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


def _proxied(uri: str) -> bool:
    """Whether urllib sends *uri* through a proxy from the environment."""
    scheme, host = urllib.parse.urlsplit(uri).scheme, urllib.parse.urlsplit(uri).hostname or ""
    return scheme in urllib.request.getproxies() and not urllib.request.proxy_bypass(host)


def _retry_after(headers) -> float:
    """A 429's ``Retry-After`` in seconds (a number of seconds only), at most 120; 0 without one."""
    value = (headers.get("Retry-After") if headers is not None else None) or ""
    try:
        seconds = float(value.strip())
    except ValueError:
        return 0.0
    return min(max(seconds, 0.0), _MAX_RETRY_AFTER) if seconds == seconds else 0.0


def _http_reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _suffix_for(url: str, headers, body: bytes) -> str | None:
    """The suffix the download is stored under, from its bytes (:func:`~toolkit.reading.sniffing.sniff`):
    a PDF, DOCX or HTML page (or any registered kind with a mark) is one whatever the server
    calls it, unless it is read only from a file named one by one (an image).  Bytes with no such mark are a kind that can be told only by name (HTML whose
    first tag lies past the sniffer's window, text) when the server's type or the URL's suffix
    names it, text when the server says ``text/*``; anything else is ``None`` (not a report
    format)."""
    kind = sniff(body)
    if kind != FALLBACK:
        return None if format_of(kind).by_name_only else suffix_for_kind(kind)
    ctype = ((headers.get_content_type() if headers is not None else "") or "").lower()
    url_suffix = Path(urllib.parse.unquote(urllib.parse.urlsplit(url).path)).suffix.lower()
    for f in registered():
        if f.trust_name and (ctype in f.mime_types or url_suffix in f.suffixes):
            return f.stored_suffix
    if ctype.startswith("text/"):
        return suffix_for_kind(FALLBACK)
    return None


def _kinds_read() -> str:
    """"neither PDF, DOCX, … nor text": the kinds a download may be, from the format registry."""
    kinds = [f.kind.upper() for f in registered() if f.reader is not None and not f.by_name_only
             and f.kind != FALLBACK]
    return f"neither {', '.join(kinds)} nor {FALLBACK}"


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
    suffixes = attachment_suffixes()
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href:
            continue
        try:
            path = urllib.parse.unquote(urllib.parse.urlsplit(href).path)
            if not path.lower().endswith(suffixes):
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


def _site(url: str) -> str:
    """The site a URL belongs to: its host name, lower case, without a trailing dot or a
    leading ``www.`` (port and scheme do not count)."""
    host = (urllib.parse.urlsplit(url).hostname or "").rstrip(".")
    return host[4:] if host.startswith("www.") else host


def fetch(urls: Iterable[str], corpus: str | os.PathLike | None, delay: float = 1.0, timeout: float = 20,
          max_bytes: int = 20 * 2**20, retries: int = 3, user_agent: str = "xxgk/0.1 (+research)", *,
          progress: bool | None = None, today: str | _dt.date | None = None,
          clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
          follow_attachments: bool = True, follow_offsite: bool = False, allow_private: bool = False,
          max_requests: int | None = 50, max_links: int | None = 20) -> FetchResult:
    """Download report pages/files and add them to *corpus* through :func:`~toolkit.corpus.add.add_bytes`.

    Each URL (and each 年度报告/年报 .pdf/.doc/.docx attachment linked from an HTML page:
    on the page's own site unless *follow_offsite*, at most *max_links* per page) gives one
    :class:`Fetched` item: ``added`` or ``skipped`` with a one-line reason (a malformed URL
    too: the run goes on).  *timeout* is each request's overall deadline in seconds; at most
    *max_requests* HTTP requests are made in all (``None``: no limit); hosts at loopback,
    private, link-local and other non-public addresses are refused unless *allow_private*.
    What was cut short is said in :attr:`FetchResult.notes`.  *clock*/*sleep* are
    injectable for tests (every wait, ``Crawl-delay`` included, goes through *sleep*).
    Raises like :func:`~toolkit.corpus.add.add_reports` if the corpus cannot be read
    (checked before any request is made).
    """
    writer = CorpusWriter(named_corpus(corpus, "fetch"))  # fail early, before any network traffic
    day = today_utc(today)
    client = HttpClient(delay=delay, timeout=timeout, max_bytes=max_bytes, retries=retries,
                        user_agent=user_agent, clock=clock, sleep=sleep, allow_private=allow_private,
                        max_requests=max_requests)
    queue = [u.strip() for u in urls if u and u.strip()]
    given = set(queue)
    seen: set[str] = set()
    result = FetchResult()
    capped = 0
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
                if suffix is None and url in given:
                    # A picture (a scanned page) named by the user is a report, as with ``xxgk add``.
                    kind = sniff(body)
                    if kind != FALLBACK and format_of(kind).by_name_only and format_of(kind).reader is not None:
                        suffix = suffix_for_kind(kind)
                if suffix is None:
                    raise _Skip(f"not a report format ({_kinds_read()}; served as {headers.get_content_type()!r})")
                # The server's charset counts when the page does not declare its own.
                charset = headers.get_content_charset() if headers is not None else None
                if suffix == format_of("html").stored_suffix and follow_attachments:
                    new = _follow(_attachment_links(body, final, charset), url, final, queue, seen,
                                  follow_offsite, max_links, result.notes)
                    if new:
                        queue.extend(new)
                        bar.total += len(new)
                        bar.refresh()
                if suffix == format_of("html").stored_suffix:
                    body = _with_pictures(client, body, url, final, charset, follow_offsite, max_links,
                                          result.notes)
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
            except _Capped as exc:
                item.reason = str(exc)
                capped += 1
            except _Skip as exc:
                item.reason = str(exc)
            result.items.append(item)
            bar.update()
    finally:
        bar.close()
        result.requests = client.requests
    if capped:
        result.notes.append(f"stopped at {max_requests} requests (--max-requests): {capped} "
                            f"URL{'s' * (capped > 1)} not fetched")
    return result


def _with_pictures(client: HttpClient, body: bytes, url: str, final: str, charset: str | None,
                   follow_offsite: bool, max_links: int | None, notes: list[str]) -> bytes:
    """The page *body* with the pictures its report shows (tables pasted as pictures) downloaded
    and put into it as ``data:`` URIs (:func:`~toolkit.reading.embedded.inline_pictures`), so the
    stored page reads them wherever it lies.  Through *client* (robots.txt, delays, size cap,
    public addresses, request limit); on the page's own site unless *follow_offsite*, at most
    *max_links*; only pictures large enough to hold a table are kept.  What is left out is noted."""
    from ..errors import ReportError
    from ..reading.embedded import inline_pictures, table_sized
    from ..reading.html import report_pictures

    try:
        srcs = report_pictures(body, final, charset)
    except ReportError:
        return body  # adding the page says why it cannot be read
    base_url = _base_href(body, final)
    wanted: dict[str, str] = {}
    for src in srcs:
        if src.lower().startswith("data:"):
            continue
        try:
            absolute = urllib.parse.urldefrag(urllib.parse.urljoin(base_url, src))[0]
            iri_to_uri(absolute)
        except ValueError:
            continue
        if urllib.parse.urlsplit(absolute).scheme in ("http", "https"):
            wanted.setdefault(src, absolute)
    if not follow_offsite:
        site = _site(final)
        offsite = [s for s, u in wanted.items() if _site(u) != site]
        if offsite:
            notes.append(f"{one_line(url)}: {len(offsite)} picture{'s' * (len(offsite) > 1)} on other sites "
                         f"not fetched (--follow-offsite to fetch them)")
            wanted = {s: u for s, u in wanted.items() if _site(u) == site}
    if max_links is not None and len(wanted) > max_links:
        notes.append(f"{one_line(url)}: {len(wanted)} pictures, only the first {max_links} fetched (--max-links)")
        wanted = dict(list(wanted.items())[:max_links])
    found: dict[str, bytes] = {}
    failed = 0
    for src, absolute in wanted.items():
        try:
            _, _, data = client.download(absolute)
        except _Capped:
            notes.append(f"{one_line(url)}: request limit reached while fetching its pictures")
            break
        except _Skip:
            failed += 1
            continue
        if table_sized(data):  # icons, logos and seals are not kept
            found[src] = data
    if failed:
        notes.append(f"{one_line(url)}: {failed} picture{'s' * (failed > 1)} could not be fetched")
    return inline_pictures(body, found, charset)


def _base_href(body: bytes, url: str) -> str:
    """The URL the page's relative links resolve against: its ``<base href>``, else *url*."""
    import lxml.html

    m = re.search(rb"<base\s[^>]*>", body[:65536], re.I)
    if m is None:
        return url
    try:
        href = lxml.html.fragment_fromstring(m.group(0).decode("latin-1")).get("href")
        return urllib.parse.urljoin(url, href.strip()) if href and href.strip() else url
    except (ValueError, lxml.etree.LxmlError):
        return url  # a malformed <base href>: links resolve against the page's own URL


def _follow(links: list[str], url: str, final: str, queue: list[str], seen: set[str], follow_offsite: bool,
            max_links: int | None, notes: list[str]) -> list[str]:
    """The attachment links of the page *final* (asked for as *url*) to queue: new ones, on its
    own site unless *follow_offsite*, at most *max_links*; a note for what is left out."""
    new = [u for u in links if u not in seen and u not in queue]
    if not follow_offsite:
        site = _site(final)
        offsite = [u for u in new if _site(u) != site]
        if offsite:
            notes.append(f"{one_line(url)}: {len(offsite)} attachment link{'s' * (len(offsite) > 1)} to "
                         f"other sites not followed (--follow-offsite to follow them)")
            new = [u for u in new if _site(u) == site]
    if max_links is not None and len(new) > max_links:
        notes.append(f"{one_line(url)}: {len(new)} attachment links, only the first {max_links} followed "
                     "(--max-links)")
        new = new[:max_links]
    return new
