"""xxgk add / xxgk fetch (toolkit.corpus.add, toolkit.corpus.fetch): adding files to a corpus, polite downloading.

Nothing here touches the internet: fetch tests run against a local
ThreadingHTTPServer on 127.0.0.1 serving tests/fixtures/fetch/.
"""
from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from toolkit.cli import main
from toolkit.corpus import METADATA_COLUMNS, PROVENANCE_COLUMNS, read_metadata
from toolkit.corpus import metadata as corpus_metadata
from toolkit.corpus.add import add_reports
from toolkit.corpus.fetch import fetch
from toolkit.parsing import parse_file

from support import FakeTime, LocalServer, QuietHandler

ROOT = Path(__file__).parents[1]
CORPUS = ROOT / "corpus"
FIXTURES = Path(__file__).parent / "fixtures" / "fetch"
SEED_003 = CORPUS / "reports" / "003_03a04d677c33f02f.txt"
SEED_004 = CORPUS / "reports" / "004_90c37852d1e90522.txt"
TODAY = "2025-03-01"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree_hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): sha(p) for p in sorted(root.rglob("*")) if p.is_file()}


def header(corpus: Path) -> list[str]:
    with open(corpus / "metadata.csv", encoding="utf-8", newline="") as fh:
        return next(csv.reader(fh))


def rows(corpus: Path) -> list[dict[str, str]]:
    with open(corpus / "metadata.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def package_fields(corpus: Path) -> list[dict]:
    package = json.loads((corpus / "datapackage.json").read_text(encoding="utf-8"))
    (resource,) = [r for r in package["resources"] if r["name"] == "metadata"]
    return resource["schema"]["fields"]


def assert_consistent(corpus: Path) -> None:
    """metadata.csv readable, header == datapackage fields, every listed file present with its hash."""
    raw = (corpus / "metadata.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    frame = read_metadata(corpus)
    assert list(frame.columns)[: len(METADATA_COLUMNS)] == list(METADATA_COLUMNS)
    assert [f["name"] for f in package_fields(corpus)] == header(corpus)
    for f in package_fields(corpus):
        assert f["type"] and f["title"] and f["description"]
    listed = set()
    for row in rows(corpus):
        path = corpus / row["file"]
        assert path.is_file(), path
        assert sha(path) == row["sha256"]
        assert Path(row["file"]).stem == row["report_id"]
        listed.add(row["file"])
    on_disk = {p.relative_to(corpus).as_posix() for p in (corpus / "reports").iterdir()}
    assert on_disk == listed  # no stray copies or temp files
    assert not [p for p in corpus.iterdir() if p.name.startswith(".")]  # no temp files/dirs left
    ids = [r["report_id"] for r in rows(corpus)]
    assert len(ids) == len(set(ids))


@pytest.fixture
def sources(tmp_path) -> Path:
    """A folder of files to add: a good report, an empty file, a binary file, a non-report."""
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(FIXTURES / "report.html", src / "good.html")
    (src / "empty.txt").write_bytes(b"")
    (src / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (src / "notes.txt").write_text("会议纪要\n\n今天讨论了食堂的菜单和下周的团建安排。\n" * 3, encoding="utf-8")
    return src


# ====================================================================== add


def test_add_same_file_twice_adds_once(corpus):
    before = tree_hashes(corpus / "reports")
    first = add_reports([FIXTURES / "report.html"], corpus, today=TODAY)
    assert first.n_added == 1 and first.n_skipped == 0
    added = first.added[0]
    digest = sha(FIXTURES / "report.html")
    assert added.report_id == f"2023_{digest[:16]}"
    assert added.file == f"reports/2023_{digest[:16]}.html"
    assert (corpus / added.file).read_bytes() == (FIXTURES / "report.html").read_bytes()
    again = add_reports([FIXTURES / "report.html", FIXTURES / "report.html"], corpus, today=TODAY)
    assert again.n_added == 0 and again.n_skipped == 2
    assert all("already in corpus" in s.reason for s in again.skipped)
    assert len(rows(corpus)) == 6
    after = tree_hashes(corpus / "reports")
    assert {k: v for k, v in after.items() if k in before} == before  # old files untouched
    assert_consistent(corpus)


def test_add_row_contents_and_provenance(corpus):
    result = add_reports([FIXTURES / "gbk.html"], corpus, source_url="https://example.gov.cn/a.html",
                         today=TODAY)
    assert result.n_added == 1
    row = rows(corpus)[-1]
    assert header(corpus) == list(METADATA_COLUMNS) + list(PROVENANCE_COLUMNS)
    assert row["agency"] == "吴忠市民政局"
    assert row["year"] == "2023"
    assert row["province"] == "宁夏回族自治区" and row["city"] == "吴忠市"
    assert row["adcode"] == "640300" and row["admin_level"] == "city"
    assert row["title"] == "吴忠市民政局2023年政府信息公开工作年度报告"
    assert row["original_name"] == "gbk.html"
    assert row["source_url"] == "https://example.gov.cn/a.html"
    assert row["added"] == TODAY
    assert row["parse_status"] == "ok" and row["parse_note"] == ""
    # The loaders read the new report like any other.
    frame = read_metadata(corpus)
    assert frame["report_id"].iloc[-1] == result.added[0].report_id
    assert str(frame["year"].dtype) == "Int64"


def test_add_batch_skips_bad_files_and_adds_good_one(corpus, sources):
    src_before = tree_hashes(sources)
    corpus_before = tree_hashes(corpus / "reports")
    old_lines = (corpus / "metadata.csv").read_bytes().decode("utf-8").splitlines(keepends=True)
    result = add_reports([sources], corpus, today=TODAY)
    assert [Path(a.path).name for a in result.added] == ["good.html"]
    reasons = {Path(s.path).name: s.reason for s in result.skipped}
    assert set(reasons) == {"empty.txt", "binary.txt", "notes.txt"}
    assert "empty" in reasons["empty.txt"]
    assert "binary" in reasons["binary.txt"]
    assert "not a government information disclosure annual report" in reasons["notes.txt"]
    assert all("\n" not in r for r in reasons.values())
    assert tree_hashes(sources) == src_before  # sources untouched
    after = tree_hashes(corpus / "reports")
    assert {k: after[k] for k in corpus_before} == corpus_before
    assert len(after) == len(corpus_before) + 1
    # One-time rewrite adding the provenance columns: old rows keep their cells
    # byte for byte, followed by empty provenance values.
    new_lines = (corpus / "metadata.csv").read_bytes().decode("utf-8").splitlines(keepends=True)
    assert new_lines[0] == old_lines[0].rstrip("\n") + "," + ",".join(PROVENANCE_COLUMNS) + "\n"
    for old, new in zip(old_lines[1:], new_lines[1:]):
        assert new == old.rstrip("\n") + "," * len(PROVENANCE_COLUMNS) + "\n"
    assert len(new_lines) == len(old_lines) + 1
    assert_consistent(corpus)
    # Afterwards rows are appended: every earlier byte stays.
    raw = (corpus / "metadata.csv").read_bytes()
    dp = (corpus / "datapackage.json").read_bytes()
    assert add_reports([FIXTURES / "gbk.html"], corpus, today=TODAY).n_added == 1
    assert (corpus / "metadata.csv").read_bytes().startswith(raw)
    assert (corpus / "datapackage.json").read_bytes() == dp
    assert_consistent(corpus)


def test_add_directory_is_recursive_sorted_and_filtered(corpus, tmp_path):
    src = tmp_path / "tree"
    (src / "b").mkdir(parents=True)
    (src / "a").mkdir()
    shutil.copy(FIXTURES / "gbk.html", src / "b" / "z.htm")
    shutil.copy(FIXTURES / "report.html", src / "a" / "y.html")
    (src / "a" / "x.md").write_bytes(SEED_004.read_bytes() + "\n附：本报告以网页版为准。\n".encode("utf-8"))
    shutil.copy(SEED_004, src / "a" / "dup.txt")  # same bytes as a seed: already in corpus
    (src / ".hidden").mkdir()
    shutil.copy(FIXTURES / "report.html", src / ".hidden" / "h.html")
    (src / "a" / "ignored.csv").write_text("a,b\n", encoding="utf-8")
    result = add_reports([src], corpus, today=TODAY)
    assert [Path(a.path).relative_to(src).as_posix() for a in result.added] == ["a/x.md", "a/y.html", "b/z.htm"]
    # dup.txt sorts before x.md and is skipped
    assert [Path(a.file).suffix for a in result.added] == [".md", ".html", ".htm"]
    assert [(Path(s.path).name, s.reason.split(" (")[0]) for s in result.skipped] == [
        ("dup.txt", "already in corpus")]
    assert_consistent(corpus)


def test_add_duplicate_of_existing_seed_is_skipped(corpus, seed_corpus):
    result = add_reports([SEED_003], corpus, today=TODAY)
    assert result.n_added == 0
    assert "already in corpus" in result.skipped[0].reason
    # Nothing changed at all: no header rewrite for a run that added nothing.
    assert tree_hashes(corpus) == tree_hashes(seed_corpus)


def test_add_missing_path_is_a_skip(corpus, tmp_path):
    result = add_reports([tmp_path / "nope.txt", FIXTURES / "report.html"], corpus, today=TODAY)
    assert result.n_added == 1
    assert "no such file" in result.skipped[0].reason


def test_report_without_tables_is_added(corpus, tmp_path):
    text = SEED_003.read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if "\t" not in ln]  # drop every table row
    path = tmp_path / "no_tables.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = parse_file(path)
    assert all(t is None for t in report.tables.values())
    result = add_reports([path], corpus, today=TODAY)
    assert result.n_added == 1
    assert rows(corpus)[-1]["parse_status"] in ("ok", "warnings")
    assert_consistent(corpus)


def test_existing_target_with_other_content_is_never_overwritten(corpus):
    digest = sha(FIXTURES / "report.html")
    squatter = corpus / "reports" / f"2023_{digest[:16]}.html"
    squatter.write_bytes(b"someone else's file")
    result = add_reports([FIXTURES / "report.html"], corpus, today=TODAY)
    assert result.n_added == 1
    assert squatter.read_bytes() == b"someone else's file"
    assert result.added[0].report_id == f"2023_{digest[:24]}"
    squatter.unlink()
    assert_consistent(corpus)


def test_metadata_write_failure_leaves_no_copy(corpus, monkeypatch):
    before = tree_hashes(corpus)
    real = corpus_metadata.atomic_write

    def failing(path, data, mode=None, **kw):
        if Path(path).name == "metadata.csv":
            raise OSError(28, "No space left on device")
        return real(path, data, mode, **kw)

    monkeypatch.setattr(corpus_metadata, "atomic_write", failing)
    with pytest.raises(OSError, match="No space left"):
        add_reports([FIXTURES / "report.html"], corpus, today=TODAY)
    assert tree_hashes(corpus) == before  # no copy, no temp file, metadata unchanged


def test_datapackage_write_failure_rolls_back(corpus, monkeypatch):
    before = tree_hashes(corpus)
    real = corpus_metadata.atomic_write

    def failing(path, data, mode=None, **kw):
        if Path(path).name == "datapackage.json":
            raise OSError(13, "Permission denied")
        return real(path, data, mode, **kw)

    monkeypatch.setattr(corpus_metadata, "atomic_write", failing)
    with pytest.raises(OSError):
        add_reports([FIXTURES / "report.html"], corpus, today=TODAY)
    assert tree_hashes(corpus) == before


def test_unreadable_corpus_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        add_reports([FIXTURES / "report.html"], tmp_path / "missing", today=TODAY)
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="metadata.csv"):
        add_reports([FIXTURES / "report.html"], tmp_path / "empty", today=TODAY)


def test_cli_add(corpus, sources, capsys, tmp_path):
    # Exit 1: three of the inputs could not be read as reports (each named with its reason).
    assert main(["add", str(sources), "--corpus", str(corpus), "--source-url", "https://x.gov.cn/r.html"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "1 added, 3 skipped"
    skipped = [ln for ln in out if ln.startswith("skipped ")]
    assert len(skipped) == 3 and any("empty.txt" in ln for ln in skipped)
    assert rows(corpus)[-1]["source_url"] == "https://x.gov.cn/r.html"
    # Running again: everything skipped; still 1 for the three unreadable files.
    assert main(["add", str(sources), "--corpus", str(corpus)]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == "0 added, 4 skipped"
    # Only the good file again: already in the corpus is no error, exit 0.
    assert main(["add", str(sources / "good.html"), "--corpus", str(corpus)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "0 added, 1 skipped"
    # Unreadable corpus: 1 with a one-line reason.
    assert main(["add", str(sources), "--corpus", str(tmp_path / "nope")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nope" in err[0]
    # Usage errors: exit 2.
    assert main(["add"]) == 2


def test_cli_fetch_usage(tmp_path, capsys):
    assert main(["fetch", "--corpus", str(tmp_path)]) == 2
    assert main(["fetch", "--from-file", str(tmp_path / "none.txt"), "--corpus", str(tmp_path)]) == 1
    assert main(["fetch", "http://x", "--delay", "-1"]) == 2
    # Writing commands never fall back to the shipped corpus: naming none is a usage error.
    assert main(["fetch", "http://127.0.0.1:9/x"]) == 2
    assert main(["add", str(tmp_path)]) == 2
    assert "--corpus" in capsys.readouterr().err


def test_writing_to_no_named_corpus_is_refused_before_anything_is_read(tmp_path, monkeypatch):
    """The library's refusal is the command line's usage error: one exception, one message."""
    from toolkit.corpus import CorpusNotFound, CorpusNotNamed

    monkeypatch.delenv("XXGK_CORPUS", raising=False)
    with pytest.raises(CorpusNotNamed, match="name the corpus") as raised:
        add_reports([tmp_path / "not read"], None)
    assert isinstance(raised.value, CorpusNotFound)  # a caller catching CorpusNotFound catches it too
    with pytest.raises(CorpusNotNamed, match="fetch: name the corpus"):
        fetch(["http://127.0.0.1:9/never"], None, progress=False, allow_private=True)


# ====================================================================== fetch


def _docx_bytes(text: str) -> bytes:
    import io

    import docx

    document = docx.Document()
    for line in text.splitlines():
        if line.strip():
            document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


class Server(LocalServer):
    def __init__(self, fake: FakeTime, max_bytes: int):
        self.fake = fake
        self.log: list[tuple[str, float]] = []
        self.flaky = 0
        attachment = _docx_bytes((CORPUS / "reports" / "000_390bec4f8b72bc77.txt").read_text(encoding="utf-8"))
        server = self

        class Handler(QuietHandler):
            def do_GET(self):
                path = self.path
                server.log.append((path, server.fake.now))
                if path == "/robots.txt":
                    return self._send(200, (FIXTURES / "robots.txt").read_bytes(), "text/plain")
                if path in ("/report.html", "/gbk.html", "/private/x.html"):
                    return self._send(200, (FIXTURES / path.lstrip("/")).read_bytes())
                if path == "/gbk-no-meta.html":  # the charset only in the HTTP header
                    body = re.sub(rb"<meta[^>]*charset[^>]*>", b"", (FIXTURES / "gbk.html").read_bytes(), flags=re.I)
                    return self._send(200, body, "text/html; charset=GBK")
                if path == "/missing":
                    return self._send(404, b"not found")
                if path == "/slow":
                    time.sleep(2)
                    return self._send(200, (FIXTURES / "report.html").read_bytes())
                if path == "/redirect":
                    return self._send(302, b"", headers=[("Location", "/report.html")])
                if path == "/big":
                    return self._send(200, b"<html>" + b"x" * (max_bytes * 2), length=False)
                if path == "/big-declared":
                    return self._send(200, b"x" * (max_bytes + 1))
                if path == "/flaky":
                    server.flaky += 1
                    if server.flaky <= 2:
                        return self._send(503, b"busy")
                    return self._send(200, SEED_004.read_bytes() + "\n（网页版）\n".encode(), "text/plain; charset=utf-8")
                if path == "/list.html":
                    page = ('<html><head><meta charset="utf-8"></head><body><ul>'
                            '<li><a href="files/annual.docx">鸡东县民政局2023年政府信息公开工作年度报告（附件）</a></li>'
                            '<li><a href="files/guide.pdf">办事指南</a></li>'
                            '<li><a href="/report.html">网页版</a></li>'
                            '</ul></body></html>')
                    return self._send(200, page.encode("utf-8"))
                if path == "/files/annual.docx":
                    return self._send(200, attachment, "application/octet-stream")
                return self._send(404, b"no")

        super().__init__(Handler)

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.log if p == path)


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """Fail the test if anything is written outside the corpus (cwd or the temp dir)."""
    cwd = tmp_path / "cwd"
    tmp = tmp_path / "tmp"
    cwd.mkdir()
    tmp.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    yield
    assert list(cwd.iterdir()) == []
    assert list(tmp.iterdir()) == []


MAX = 100_000


def test_fetch_end_to_end(corpus, isolated):
    fake = FakeTime()
    corpus_before = tree_hashes(corpus / "reports")
    with Server(fake, MAX) as srv:
        b = srv.base
        urls = [f"{b}/report.html", f"{b}/gbk.html", f"{b}/missing", f"{b}/slow", f"{b}/private/x.html",
                f"{b}/big", f"{b}/big-declared", f"{b}/flaky", f"{b}/redirect", "ftp://example.org/x.pdf"]
        result = fetch(urls, corpus, delay=1.0, timeout=0.5, max_bytes=MAX, retries=3, today=TODAY,
                       clock=fake.clock, sleep=fake.sleep, progress=False, allow_private=True)
    by_url = {item.url.replace(b, ""): item for item in result.items}
    assert [i.status for i in result.items].count("added") == 3
    assert by_url["/report.html"].status == "added"
    assert by_url["/gbk.html"].status == "added"
    assert by_url["/flaky"].status == "added"
    assert srv.hits("/flaky") == 3  # 503, 503, 200: retried
    assert "HTTP 404" in by_url["/missing"].reason
    assert srv.hits("/missing") == 1  # 4xx: no retry
    assert "timed out" in by_url["/slow"].reason
    assert "robots.txt" in by_url["/private/x.html"].reason
    assert srv.hits("/private/x.html") == 0
    assert "too large" in by_url["/big"].reason
    assert "too large" in by_url["/big-declared"].reason
    assert "http" in by_url["ftp://example.org/x.pdf"].reason
    redirect = by_url["/redirect"]
    assert redirect.final_url == f"{b}/report.html"
    assert redirect.status == "skipped" and "already in corpus" in redirect.reason
    assert srv.hits("/robots.txt") == 1  # cached per host

    # Politeness: one robots.txt, then at least `delay` (fake) seconds between requests.
    times = [t for _, t in srv.log]
    assert all(later - earlier >= 1.0 - 1e-9 for earlier, later in zip(times, times[1:]))
    assert fake.sleeps and all(s > 0 for s in fake.sleeps)
    # Exponential backoff for /flaky: the waits before its retries grow.
    flaky_times = [t for p, t in srv.log if p == "/flaky"]
    assert flaky_times[2] - flaky_times[1] > flaky_times[1] - flaky_times[0]

    # The GBK page is read correctly: same agency and tables as the UTF-8 one.
    meta = {r["source_url"].replace(b, ""): r for r in rows(corpus)}
    assert meta["/gbk.html"]["agency"] == meta["/report.html"]["agency"] == "吴忠市民政局"
    assert meta["/gbk.html"]["original_name"] == "gbk.html"
    assert meta["/flaky"]["file"].endswith(".txt")
    assert meta["/report.html"]["file"].endswith(".html")
    gbk = parse_file(corpus / meta["/gbk.html"]["file"])
    utf8 = parse_file(corpus / meta["/report.html"]["file"])
    seed = parse_file(SEED_003)
    assert gbk.tables["t3"] == utf8.tables["t3"] == seed.tables["t3"]
    assert gbk.tables["t3"]["new_received"]["total"] == 1
    assert (corpus / meta["/gbk.html"]["file"]).read_bytes() == (FIXTURES / "gbk.html").read_bytes()
    # Existing files untouched, corpus consistent, nothing left over.
    after = tree_hashes(corpus / "reports")
    assert {k: after[k] for k in corpus_before} == corpus_before
    assert_consistent(corpus)

    # Idempotent: fetching the same URLs again adds nothing.
    with Server(FakeTime(), MAX) as srv2:
        again = fetch([f"{srv2.base}/report.html", f"{srv2.base}/gbk.html"], corpus, delay=0, timeout=5,
                      clock=fake.clock, sleep=fake.sleep, progress=False, allow_private=True, today=TODAY)
    assert [i.status for i in again.items] == ["skipped", "skipped"]
    assert all("already in corpus" in i.reason for i in again.items)


def test_fetch_redirect_records_final_url(corpus, isolated):
    fake = FakeTime()
    with Server(fake, MAX) as srv:
        result = fetch([f"{srv.base}/redirect"], corpus, delay=0.5, timeout=5, today=TODAY,
                       clock=fake.clock, sleep=fake.sleep, progress=False, allow_private=True)
        (item,) = result.items
        assert item.status == "added"
        assert item.final_url == f"{srv.base}/report.html"
        row = rows(corpus)[-1]
        assert row["source_url"] == f"{srv.base}/report.html"
        assert row["sha256"] == sha(FIXTURES / "report.html")
        assert [p for p, _ in srv.log] == ["/robots.txt", "/redirect", "/report.html"]
        # The same report by its direct URL is a duplicate.
        again = fetch([f"{srv.base}/report.html"], corpus, delay=0.5, timeout=5, today=TODAY,
                      clock=fake.clock, sleep=fake.sleep, progress=False, allow_private=True)
        assert again.items[0].status == "skipped" and "already in corpus" in again.items[0].reason
    assert_consistent(corpus)


def test_fetch_follows_annual_report_attachments(corpus, isolated):
    fake = FakeTime()
    with Server(fake, MAX) as srv:
        result = fetch([f"{srv.base}/list.html"], corpus, delay=1.0, timeout=5, today=TODAY,
                       clock=fake.clock, sleep=fake.sleep, progress=False, allow_private=True)
    by_url = {i.url.replace(srv.base, ""): i for i in result.items}
    assert set(by_url) == {"/list.html", "/files/annual.docx"}  # guide.pdf and 网页版 not followed
    assert by_url["/list.html"].status == "skipped"  # the listing page itself is not a report
    assert "not one" in by_url["/list.html"].reason
    assert by_url["/files/annual.docx"].status == "added"
    row = rows(corpus)[-1]
    assert row["file"].endswith(".docx")  # suffix from the URL (octet-stream content type)
    assert row["agency"] == "鸡东县民政局"
    assert row["source_url"] == f"{srv.base}/files/annual.docx"
    assert srv.hits("/files/guide.pdf") == 0
    times = [t for _, t in srv.log]
    assert all(later - earlier >= 1.0 - 1e-9 for earlier, later in zip(times, times[1:]))
    assert_consistent(corpus)


def test_fetch_unreadable_corpus_makes_no_request(tmp_path):
    with pytest.raises(FileNotFoundError):
        fetch(["http://127.0.0.1:9/never"], tmp_path / "missing", progress=False, allow_private=True)


def test_rewrite_keeps_quoted_cells_byte_identical(corpus):
    """The one-time header rewrite re-quotes old rows exactly as pandas' to_csv would."""
    import pandas as pd

    frame = pd.read_csv(corpus / "metadata.csv", dtype=str, keep_default_na=False)
    frame.loc[0, "title"] = 'A title, with a comma and "quotes"'
    frame.loc[1, "source"] = "two\nlines"
    frame.to_csv(corpus / "metadata.csv", index=False)  # pandas' default quoting, no BOM
    old = (corpus / "metadata.csv").read_bytes().decode("utf-8")
    assert add_reports([FIXTURES / "report.html"], corpus, today=TODAY).n_added == 1
    new = (corpus / "metadata.csv").read_bytes().decode("utf-8")
    old_records = list(csv.reader(old.splitlines(keepends=True)))
    assert new.startswith(old.split("\n", 1)[0] + "," + ",".join(PROVENANCE_COLUMNS) + "\n")
    back = pd.read_csv(corpus / "metadata.csv", dtype=str, keep_default_na=False)
    assert back.loc[0, "title"] == 'A title, with a comma and "quotes"'
    assert back.loc[1, "source"] == "two\nlines"
    assert len(back) == len(old_records)  # (header + 5 old rows) vs (5 old rows + 1 new)
    # pandas writing the rewritten frame gives the same bytes: same quoting as pandas.
    assert back.to_csv(index=False) == new
    assert_consistent(corpus)


def test_cli_fetch(corpus, isolated, capsys):
    urls = Path("urls.txt")
    with Server(FakeTime(), MAX) as srv:
        urls.write_text(f"# reports\n{srv.base}/report.html\n\n{srv.base}/missing\n", encoding="utf-8")
        code = main(["fetch", "--from-file", str(urls), f"{srv.base}/gbk.html", "--corpus", str(corpus),
                     "--delay", "0", "--timeout", "5", "--allow-private"])
        urls.unlink()
    assert code == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1].startswith("2 added, 1 skipped")
    assert any(ln.startswith("skipped ") and "/missing" in ln and "HTTP 404" in ln for ln in out)
    assert_consistent(corpus)


def test_fetch_passes_the_servers_charset_to_the_reader(corpus, isolated, monkeypatch):
    """A page without <meta charset> is decoded with the charset of the HTTP Content-Type."""
    import toolkit.corpus.add as add_module

    seen = []
    real = add_module.read_data

    def spy(data, source=None, suffix="", charset=None):
        seen.append(charset)
        return real(data, source, suffix, charset)

    monkeypatch.setattr(add_module, "read_data", spy)
    fake = FakeTime()
    with Server(fake, MAX) as srv:
        result = fetch([f"{srv.base}/gbk-no-meta.html"], corpus, delay=1.0, timeout=0.5, max_bytes=MAX,
                       today=TODAY, clock=fake.clock, sleep=fake.sleep, progress=False, allow_private=True)
    assert [i.status for i in result.items] == ["added"]
    assert [c.lower() for c in seen] == ["gbk"]
    meta = read_metadata(corpus).set_index("report_id")
    assert meta.loc[result.items[0].report_id, "agency"] == "吴忠市民政局"


def test_a_file_named_as_the_corpus_is_called_a_file_and_no_init_is_offered(tmp_path, capsys):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a corpus", encoding="utf-8")
    from toolkit.cli import main

    assert main(["build", "--corpus", str(notes), "--out", str(tmp_path / "out")]) != 0
    err = capsys.readouterr().err
    assert "a file, not a corpus folder" in err and "xxgk init" not in err
    assert err.count("\n") == 1
