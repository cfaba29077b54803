"""``xxgk fetch`` against a hostile server on 127.0.0.1: IRIs with Chinese
characters, answers dripped past the deadline, malformed URLs, a killed fetch, raw control
bytes from the server, and page links that cannot be parsed."""
from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
import urllib.parse

import pytest

from adv_support import CITIES, metadata_rows, report_text, run_cli, tree
from support import FakeTime, LocalServer, QuietHandler
from toolkit.corpus.fetch import fetch

NAME = "年度报告"


class Hostile(LocalServer):
    """A server whose paths each misbehave in one way; ``log`` holds the raw request paths."""

    def __init__(self):
        self.log: list[str] = []
        server = self

        class Handler(QuietHandler):
            default_type = "text/html; charset=utf-8"  # the page of Chinese links has no <meta charset>

            def do_GET(self):
                path = self.path
                server.log.append(path)
                plain = urllib.parse.unquote(path)
                try:
                    if path == "/robots.txt":
                        return self._send(404, b"")
                    if plain == f"/{NAME}.txt":
                        return self._send(200, report_text(CITIES[0]).encode("utf-8"), "text/plain; charset=utf-8")
                    if plain == f"/list/{NAME}.html":
                        links = "".join(f'<a href="files/{NAME}{i}.pdf">{NAME}{i}</a>' for i in range(5))
                        bad = '<a href="http://[::1/年度报告.pdf">年度报告</a>'
                        return self._send(200, f"<html><body>{bad}{links}</body></html>".encode("utf-8"))
                    if plain.startswith(f"/list/files/{NAME}"):
                        return self._send(404, b"gone")
                    if path == "/drip-body":
                        self.send_response(200)
                        self.send_header("Content-Type", "text/plain")
                        self.send_header("Content-Length", "400")
                        self.end_headers()
                        for _ in range(400):
                            self.wfile.write(b"x")
                            self.wfile.flush()
                            time.sleep(0.05)
                        return None
                    if path == "/drip-headers":
                        self.wfile.write(b"HTTP/1.0 200 OK\r\n")
                        for i in range(400):
                            self.wfile.write(f"X-Slow-{i}: 1\r\n".encode())
                            self.wfile.flush()
                            time.sleep(0.05)
                        self.wfile.write(b"\r\n")
                        return None
                    if path == "/hang":
                        time.sleep(30)
                        return None
                    if path == "/nul-status":
                        self.wfile.write(b"HTTP/1.0 2\x00\x1b[31m0 OK\r\n\r\n")
                        return None
                    if path == "/nul-location":
                        return self._send(302, b"", headers=[("Location", "/x\x1b[2Jy\x07")])
                    if path == "/nul-type":
                        return self._send(200, b"\x00\x01", ctype="app/\x1b[31mred")
                    if path == "/bad-redirect":
                        return self._send(301, b"", headers=[("Location", "http://[::1")])
                    return self._send(404, b"no")
                except (BrokenPipeError, ConnectionResetError):
                    return None

        super().__init__(Handler)


@pytest.fixture
def server():
    with Hostile() as srv:
        yield srv


def _no_sleep(_seconds):
    pass


def test_iri_is_sent_percent_encoded(corpus, server):
    url = f"{server.base}/{NAME}.txt"
    result = fetch([url], corpus, delay=0, timeout=5, retries=0, progress=False, allow_private=True, sleep=_no_sleep)
    (item,) = result.items
    assert item.status == "added", item.reason
    assert f"/{urllib.parse.quote(NAME)}.txt" in server.log
    assert metadata_rows(corpus)[-1]["agency"] == f"{CITIES[0]}民政局"


def test_iri_helper():
    from toolkit.corpus.fetch import iri_to_uri

    assert iri_to_uri("http://例子.cn/年度报告.pdf?年=1") == \
        "http://xn--fsqu00a.cn/%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A.pdf?%E5%B9%B4=1"
    assert iri_to_uri("https://x.gov.cn/a%20b.html") == "https://x.gov.cn/a%20b.html"  # no double escape
    with pytest.raises(ValueError):
        iri_to_uri("http://[::1")


def test_attachment_links_with_chinese_names_fail_fast_and_bad_links_are_ignored(corpus, server):
    start = time.monotonic()
    result = fetch([f"{server.base}/list/{NAME}.html"], corpus, delay=0, timeout=5, retries=3, progress=False, allow_private=True,
                   sleep=_no_sleep)
    assert time.monotonic() - start < 10
    pdfs = [i for i in result.items if i.url.endswith(".pdf")]
    assert len(pdfs) == 5 and all("HTTP 404" in i.reason for i in pdfs), [i.reason for i in pdfs]
    assert sum(1 for p in server.log if p.startswith("/list/files/")) == 5  # each asked once: no retries


@pytest.mark.parametrize("path", ["/drip-body", "/drip-headers"])
def test_dripped_answer_ends_at_the_deadline(corpus, server, path):
    """A response dripped over 20 s once passed --timeout 5."""
    start = time.monotonic()
    result = fetch([server.base + path], corpus, delay=0, timeout=1, retries=1, progress=False, allow_private=True, sleep=_no_sleep)
    elapsed = time.monotonic() - start
    (item,) = result.items
    assert item.status == "skipped" and "timed out after 2 attempts" in item.reason, item.reason
    assert elapsed < 4, elapsed


def test_malformed_url_does_not_stop_the_run(corpus, server):
    good = f"{server.base}/{NAME}.txt"
    run = run_cli("fetch", "http://[::1", good, "http://x.cn:port/", "--corpus", corpus, "--delay", "0",
                  "--timeout", "5", "--allow-private")
    assert run.rc == 0 and "Traceback" not in run.err, run.err
    lines = run.out.splitlines()
    assert lines[0].startswith("skipped http://[::1: malformed URL")
    assert lines[1].startswith(f"added {good} as ")
    assert lines[2].startswith("skipped http://x.cn:port/: malformed URL")
    assert lines[-1].startswith("1 added, 2 skipped")


def test_bad_redirect_is_skipped(corpus, server):
    result = fetch([server.base + "/bad-redirect", f"{server.base}/{NAME}.txt"], corpus, delay=0, timeout=5,
                   retries=0, progress=False, allow_private=True, sleep=_no_sleep)
    assert [i.status for i in result.items] == ["skipped", "added"]
    assert re.search("malformed URL|invalid URL", result.items[0].reason), result.items[0].reason


def test_killed_fetch_leaves_nothing_in_the_corpus(corpus, server):
    before = tree(corpus)
    proc = subprocess.Popen([sys.executable, "-m", "toolkit", "fetch", server.base + "/hang", "--corpus",
                             str(corpus), "--delay", "0", "--timeout", "20", "--allow-private"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while "/hang" not in server.log and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "/hang" in server.log
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    assert tree(corpus) == before
    assert not [p for p in corpus.iterdir() if p.name.startswith(".")]


def test_server_bytes_are_never_printed_raw(corpus, server):
    run = run_cli("fetch", server.base + "/nul-status", server.base + "/nul-location", server.base + "/nul-type",
                  "--corpus", corpus, "--delay", "0", "--timeout", "5", "--allow-private", timeout=60)
    assert run.rc == 0 and "Traceback" not in run.err, run.err
    printed = run.out + run.err.replace("\r", "")  # the progress bar's own carriage returns
    assert not [c for c in printed if not c.isprintable() and c != "\n"], repr(printed)
    assert len(run.out.splitlines()) == 4
    assert "invalid HTTP response" in run.out  # not retried as a connection failure


def test_fetch_waits_for_the_corpus_lock_and_says_so(corpus, server, monkeypatch):
    from toolkit.corpus import add as corpus_add
    from toolkit.fileio import FolderLock

    monkeypatch.setattr(corpus_add, "LOCK_WAIT", 0.3)
    before = tree(corpus)
    with FolderLock(corpus, "the corpus"):
        result = fetch([f"{server.base}/{NAME}.txt"], corpus, delay=0, timeout=5, retries=0, progress=False, allow_private=True)
    (item,) = result.items
    assert item.status == "skipped" and "not added" in item.reason and "in use" in item.reason
    assert tree(corpus) == before


def test_url_list_that_is_a_fifo_or_not_utf8(corpus, tmp_path):
    import os

    fifo = tmp_path / "urls.txt"
    os.mkfifo(fifo)
    run_cli("fetch", "--from-file", fifo, "--corpus", corpus, timeout=15).one_line_error(str(fifo), "FIFO")
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("http://例子.cn/年度报告.pdf\n".encode("gbk"))
    run_cli("fetch", "--from-file", gbk, "--corpus", corpus).one_line_error(str(gbk), "not UTF-8")


# ------------------------------------------------------------------ what a site operator and a
# security reviewer ask of fetch: own site only, no private addresses, limits, RFC 9309, sniffed suffix

from pathlib import Path  # noqa: E402

PDF = Path(__file__).resolve().parents[1] / "fixtures" / "003.pdf"  # seed 003 (吴忠市民政局 2023) as a PDF


class Site(LocalServer):
    """A server whose answers are set per path: ``pages[path] = (status, body, ctype, headers)``
    or a function giving one; ``log`` holds (Host header, path, fake time) of each request."""

    def __init__(self, fake=None):
        self.log: list[tuple[str, str, float]] = []
        self.pages: dict[str, tuple] = {"/robots.txt": (404, b"", "text/plain", ())}
        self.fake = fake
        server = self

        class Handler(QuietHandler):
            def do_GET(self):
                path = urllib.parse.unquote(self.path)
                server.log.append((self.headers.get("Host", ""), path, server.fake.now if server.fake else 0.0))
                answer = server.pages.get(path, (404, b"no", "text/plain", ()))
                status, body, ctype, headers = answer() if callable(answer) else answer
                return self._send(status, body, ctype, headers=headers)

        super().__init__(Handler)
        self.port = self.httpd.server_address[1]

    def paths(self) -> list[str]:
        return [p for _, p, _ in self.log]


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _report(i: int) -> bytes:
    return report_text(CITIES[i % len(CITIES)]).encode("utf-8")


def _listing(links: list[str]) -> bytes:
    items = "".join(f'<li><a href="{u}">{NAME}{i}</a></li>' for i, u in enumerate(links))
    return f'<html><head><meta charset="utf-8"></head><body><ul>{items}</ul></body></html>'.encode("utf-8")


def test_attachment_links_are_followed_on_the_pages_own_site_only(corpus):
    with Site() as site:
        on_site, other_name = f"{site.base}/files/{NAME}1.txt", f"http://localhost:{site.port}/files/{NAME}2.txt"
        site.pages["/list.html"] = (200, _listing([on_site.replace(".txt", ".pdf"), other_name.replace(".txt", ".pdf")]),
                                    "text/html", ())
        site.pages[f"/files/{NAME}1.pdf"] = (200, _report(1), "text/plain; charset=utf-8", ())
        site.pages[f"/files/{NAME}2.pdf"] = (200, _report(2), "text/plain; charset=utf-8", ())
        result = fetch([f"{site.base}/list.html"], corpus, delay=0, timeout=5, retries=0, progress=False,
                       allow_private=True, sleep=_no_sleep)
        assert [h.split(":")[0] for h, _, _ in site.log] == ["127.0.0.1"] * 3  # robots, page, own attachment
        assert [i.url for i in result.items] == [f"{site.base}/list.html", on_site.replace(".txt", ".pdf")]
        assert result.notes == [f"{site.base}/list.html: 1 attachment link to other sites not followed "
                                "(--follow-offsite to follow them)"]
        # --follow-offsite: the link to the other host name is followed too.
        wider = fetch([f"{site.base}/list.html"], corpus, delay=0, timeout=5, retries=0, progress=False,
                      allow_private=True, sleep=_no_sleep, follow_offsite=True)
        assert [i.url for i in wider.items][-1] == other_name.replace(".txt", ".pdf")
        assert wider.items[-1].status == "added", wider.items[-1].reason
        assert any(h.startswith("localhost") for h, _, _ in site.log)


def test_what_counts_as_the_same_site():
    from toolkit.corpus.fetch import _site

    assert _site("http://www.hebei.gov.cn/a.html") == _site("https://hebei.gov.cn:8443/b.pdf") == "hebei.gov.cn"
    assert _site("http://WWW.Hebei.gov.cn./x") == "hebei.gov.cn"
    assert _site("http://jyt.hebei.gov.cn/a.pdf") != _site("http://www.hebei.gov.cn/")
    assert _site("http://hebei.gov.cn.evil.example/a.pdf") != _site("http://hebei.gov.cn/")


@pytest.mark.parametrize("host, kind", [
    ("127.0.0.1", "loopback"), ("localhost", "loopback"), ("127.1", "loopback"), ("2130706433", "loopback"),
    ("0177.0.0.1", "loopback"), ("0x7f.0.0.1", "loopback"), ("[::1]", "loopback"),
    ("[::ffff:127.0.0.1]", "loopback (inside an IPv6 address)"), ("[2002:7f00:1::]", "loopback (inside an IPv6 address)"),
    ("0.0.0.0", "unspecified"), ("[::]", "unspecified"), ("10.1.2.3", "private"), ("192.168.0.1", "private"),
    ("172.16.0.1", "private"), ("169.254.169.254", "link-local"), ("[fe80::1]", "link-local"),
    ("224.0.0.1", "multicast"), ("100.64.0.1", "non-public"), ("240.0.0.1", "reserved"),
])
def test_non_public_addresses_are_refused_before_any_request(corpus, host, kind):
    with Site() as site:
        site.pages[f"/{NAME}.txt"] = (200, _report(0), "text/plain; charset=utf-8", ())
        start = time.monotonic()
        result = fetch([f"http://{host}:{site.port}/{NAME}.txt"], corpus, delay=0, timeout=1, retries=0,
                       progress=False, sleep=_no_sleep)
    (item,) = result.items
    assert item.status == "skipped" and item.reason.startswith("refused: "), item.reason
    assert f"is a {kind} address" in item.reason and "--allow-private" in item.reason, item.reason
    assert site.log == [] and result.requests == 0
    assert time.monotonic() - start < 2


def test_every_redirect_hop_is_checked(corpus, monkeypatch):
    """A public page that redirects to a private address is refused at that hop."""
    import toolkit.corpus.fetch as fetch_module

    real = fetch_module.resolve_public

    def only_127_0_0_1_is_public(host, port, allow_private=False):  # stands in for a public host
        return real(host, port, allow_private=allow_private or host == "127.0.0.1")

    monkeypatch.setattr(fetch_module, "resolve_public", only_127_0_0_1_is_public)
    with Site() as site:
        site.pages[f"/{NAME}.txt"] = (200, _report(0), "text/plain; charset=utf-8", ())
        site.pages["/go"] = (302, b"", "text/plain",
                             [("Location", f"http://2130706433:{site.port}/{urllib.parse.quote(NAME)}.txt")])
        result = fetch([f"{site.base}/go"], corpus, delay=0, timeout=5, retries=0, progress=False,
                       sleep=_no_sleep)
        (item,) = result.items
        assert item.status == "skipped" and "refused: 2130706433 (127.0.0.1) is a loopback address" in item.reason
        assert site.paths() == ["/robots.txt", "/go"]


def test_sixty_links_to_other_loopback_addresses_end_in_seconds(corpus):
    """The listing page of 60 links to closed ports of other loopback addresses took 4 min 41 s."""
    port = _closed_port()
    links = [f"http://127.0.0.{i}:{port}/{NAME}{i}.pdf" for i in range(2, 62)]
    with Site() as site:
        site.pages["/list.html"] = (200, _listing(links), "text/html", ())
        start = time.monotonic()
        result = fetch([f"{site.base}/list.html"], corpus, delay=0, timeout=5, retries=3, progress=False,
                       allow_private=True)  # the real sleep: a retry would show in the time
        assert time.monotonic() - start < 5
        assert len(result.items) == 1 and "60 attachment links to other sites not followed" in result.notes[0]

        start = time.monotonic()
        wide = fetch([f"{site.base}/list.html"], corpus, delay=0, timeout=5, retries=3, progress=False,
                     allow_private=True, follow_offsite=True)
        elapsed = time.monotonic() - start
    assert elapsed < 10, elapsed
    followed = wide.items[1:]
    assert [i.url for i in followed] == links[:20]  # --max-links 20
    assert wide.notes == [f"{site.base}/list.html: 60 attachment links, only the first 20 followed (--max-links)"]
    for item in followed:  # robots.txt unreachable: the host is closed, each asked once
        assert "robots.txt could not be fetched" in item.reason and "refused" in item.reason.lower(), item.reason
    assert wide.requests == 2 + 20


def test_sixty_links_from_the_command_line(corpus):
    port = _closed_port()
    links = [f"http://127.0.0.{i}:{port}/{NAME}{i}.pdf" for i in range(2, 62)]
    with Site() as site:
        site.pages["/list.html"] = (200, _listing(links), "text/html", ())
        run = run_cli("fetch", f"{site.base}/list.html", "--corpus", corpus, "--follow-offsite", "--allow-private",
                      "--max-links", "60", "--max-requests", "30", timeout=30)
    assert run.rc == 0 and "Traceback" not in run.err, run.err
    assert run.seconds < 20, run.seconds
    lines = run.out.splitlines()
    assert "note: " + f"{site.base}/list.html: 60 attachment links" not in run.out  # 60 allowed here
    assert sum("--max-requests" in ln and ln.startswith("skipped ") for ln in lines) == 60 - 28
    assert f"note: stopped at 30 requests (--max-requests): {60 - 28} URLs not fetched" in lines
    assert lines[-1] == "0 added, 61 skipped, 30 requests"


def test_a_refused_connection_is_not_retried(corpus):
    fake = FakeTime()
    result = fetch([f"http://127.0.0.1:{_closed_port()}/{NAME}.txt"], corpus, delay=1, timeout=5, retries=3,
                   progress=False, allow_private=True, clock=fake.clock, sleep=fake.sleep)
    (item,) = result.items
    assert item.status == "skipped" and "Connection refused" in item.reason, item.reason
    assert "attempts" not in item.reason
    assert result.requests == 1 and fake.sleeps == []


def test_429_and_5xx_are_retried_with_backoff_and_retry_after(corpus):
    fake = FakeTime()
    answers = [(429, b"slow down", "text/plain", [("Retry-After", "30")]), (503, b"busy", "text/plain", ()),
               (200, _report(0), "text/plain; charset=utf-8", ())]
    with Site(fake) as site:
        site.pages[f"/{NAME}.txt"] = lambda: answers.pop(0)
        result = fetch([f"{site.base}/{NAME}.txt"], corpus, delay=1, timeout=5, retries=3, progress=False,
                       allow_private=True, clock=fake.clock, sleep=fake.sleep)
    (item,) = result.items
    assert item.status == "added", item.reason
    times = [t for _, p, t in site.log if p == f"/{NAME}.txt"]
    assert len(times) == 3
    assert times[1] - times[0] >= 30  # Retry-After honoured
    assert times[2] - times[1] >= 2  # then the doubled backoff


def test_robots_wildcards_and_crawl_delay(corpus):
    """RFC 9309: ``*`` and ``$`` in paths; Crawl-delay between requests to the host."""
    fake = FakeTime()
    with Site(fake) as site:
        site.pages["/robots.txt"] = (200, b"User-agent: *\nDisallow: /*.txt$\nDisallow: /private*/\n"
                                          b"Crawl-delay: 7\n", "text/plain", ())
        for i, path in enumerate([f"/{NAME}.txt", f"/{NAME}.txt?v=2", f"/a/{NAME}.html", "/private-x/r.html",
                                  "/r.txtx"]):
            body = _report(i) if not path.endswith("html") else _listing([])
            site.pages[path] = (200, body, "text/plain; charset=utf-8", ())
        urls = [f"{site.base}{p}" for p in (f"/{NAME}.txt", f"/{NAME}.txt?v=2", "/private-x/r.html", "/r.txtx")]
        result = fetch(urls, corpus, delay=0, timeout=5, retries=0, progress=False, allow_private=True,
                       clock=fake.clock, sleep=fake.sleep)
    reasons = [i.reason for i in result.items]
    assert "disallowed by" in reasons[0] and "disallowed by" in reasons[2], reasons
    assert result.items[1].status == "added" and result.items[3].status == "added", reasons
    assert [p for _, p, _ in site.log] == ["/robots.txt", f"/{NAME}.txt?v=2", "/r.txtx"]
    times = [t for _, _, t in site.log]
    assert all(b - a >= 7 for a, b in zip(times, times[1:])), times
    assert fake.sleeps and all(s <= 7 for s in fake.sleeps)


def test_the_stored_suffix_comes_from_the_bytes(corpus):
    with Site() as site:
        site.pages["/report.txt"] = (200, PDF.read_bytes(), "text/plain", ())  # a PDF called text
        site.pages["/page"] = (200, f"<html><body><pre>{report_text(CITIES[3])}</pre></body></html>".encode("utf-8"),
                               "application/octet-stream", ())
        site.pages["/image"] = (200, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png", ())
        result = fetch([f"{site.base}/report.txt", f"{site.base}/page", f"{site.base}/image"], corpus, delay=0,
                       timeout=5, retries=0, progress=False, allow_private=True, sleep=_no_sleep)
    pdf, page, image = result.items
    assert pdf.status == "added" and page.status == "added", (pdf.reason, page.reason)
    files = {r["source_url"].replace(site.base, ""): r["file"] for r in metadata_rows(corpus)}
    assert files["/report.txt"].endswith(".pdf")
    assert files["/page"].endswith(".html")
    # An image URL the user names is read as a scan (as ``xxgk add`` reads an image it is named):
    # these bytes only start like a PNG, so it is skipped saying so (without the OCR extra: naming it).
    from toolkit.reading import ocr

    assert image.status == "skipped"
    assert ("unreadable image" if ocr.available() else "xxgk[ocr]") in image.reason, image.reason


def test_the_connection_is_checked_again_where_it_is_made(corpus, monkeypatch):
    """A name that resolves to a public address when checked and to a private one a moment later
    (DNS rebinding) is refused at the connection, not connected to."""
    import toolkit.corpus.fetch as fetch_module

    real, calls = fetch_module.resolve_public, []

    def rebinding(host, port, allow_private=False):
        calls.append(host)
        return real(host, port, allow_private=allow_private or len(calls) == 1)  # public the first time only

    monkeypatch.setattr(fetch_module, "resolve_public", rebinding)
    with Site() as site:
        result = fetch([f"{site.base}/{NAME}.txt"], corpus, delay=0, timeout=5, retries=0, progress=False,
                       sleep=_no_sleep)
    (item,) = result.items
    assert item.status == "skipped" and item.reason.startswith("refused: 127.0.0.1 is a loopback"), item.reason
    assert calls == ["127.0.0.1", "127.0.0.1"] and site.log == []
