"""``xxgk fetch`` against a hostile server on 127.0.0.1 (issue 14, item 5): IRIs with Chinese
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
from support import LocalServer, QuietHandler
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
