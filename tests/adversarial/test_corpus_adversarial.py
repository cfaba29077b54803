"""Writers of a corpus under stress: concurrent ``xxgk add``, kills, hand-edited metadata,
duplicates by bytes or by organ and year, exit codes, ``--source-url``.

After every case the corpus is whole: metadata.csv reads strictly, every listed
file exists with its sha256, every file in reports/ is listed, nothing is left over.
"""
from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from adv_support import (CITIES, CORPUS, ROOT, append_row, metadata_rows, report_text, run_cli, sha,
                         tree)
from toolkit.cli import main
from toolkit.corpus import MetadataFile
from toolkit.corpus import add as corpus_add
from toolkit.fileio import FolderLock

FIXTURES = ROOT / "tests" / "fixtures"


def reports(folder: Path, cities, year: int = 2023) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for city in cities:
        path = folder / f"{city}.txt"
        path.write_text(report_text(city, year), encoding="utf-8")
        paths.append(path)
    return paths


def assert_whole(corpus: Path) -> list[dict[str, str]]:
    """metadata.csv strict-reads, listed files match their sha256, nothing unlisted or left over."""
    meta = MetadataFile(corpus)
    for row in meta.rows:
        assert sha(corpus / row["file"]) == row["sha256"], row["file"]
    listed = {row["file"] for row in meta.rows}
    on_disk = {f"reports/{p.name}" for p in (corpus / "reports").iterdir()}
    assert on_disk == listed, on_disk ^ listed
    assert not [p.name for p in corpus.iterdir() if p.name.startswith(".")]
    return meta.rows


# ------------------------------------------------------------------ item 2: concurrent writers


def test_concurrent_adds_land_every_row(corpus, tmp_path):
    """Two simultaneous runs of 6 files each once left 6 rows and 6 unlisted copies."""
    batches = [reports(tmp_path / f"src{k}", CITIES[6 * k:6 * k + 6]) for k in range(2)]
    runs: list = [None, None]

    def go(k):
        runs[k] = run_cli("add", *batches[k], "--corpus", corpus, timeout=120)

    threads = [threading.Thread(target=go, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for run in runs:
        assert run.rc == 0 and "Traceback" not in run.err, run.err
        assert run.out.splitlines()[-1] == "6 added, 0 skipped"
    rows = assert_whole(corpus)
    assert len(rows) == 5 + 12
    assert sorted(r["agency"] for r in rows[5:]) == sorted(f"{c}民政局" for c in CITIES)


def test_second_writer_waits_then_says_who_holds_the_corpus(corpus, tmp_path, monkeypatch, capsys):
    (src,) = reports(tmp_path / "src", CITIES[:1])
    before = tree(corpus)
    monkeypatch.setattr(corpus_add, "LOCK_WAIT", 0.3)
    with FolderLock(corpus, "the corpus"):
        assert main(["add", str(src), "--corpus", str(corpus)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and str(corpus) in err[0] and "in use" in err[0] and "try again" in err[0]
    assert tree(corpus) == before
    assert main(["add", str(src), "--corpus", str(corpus)]) == 0  # free again


def test_lock_of_a_killed_holder_is_not_stale(corpus, tmp_path):
    (src,) = reports(tmp_path / "src", CITIES[:1])
    code = ("import sys, time; from toolkit.fileio import FolderLock\n"
            "with FolderLock(sys.argv[1], 'x'):\n    print('held', flush=True); time.sleep(60)")
    holder = subprocess.Popen([sys.executable, "-c", code, str(corpus)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
    finally:
        holder.kill()
    run = run_cli("add", src, "--corpus", corpus, timeout=30)
    assert run.rc == 0 and run.seconds < 20, run.err
    assert len(assert_whole(corpus)) == 6


def test_killed_add_leaves_the_corpus_whole_and_a_rerun_finishes(corpus, tmp_path):
    srcs = reports(tmp_path / "src", CITIES)
    proc = subprocess.Popen([sys.executable, "-m", "toolkit", "add", *map(str, srcs), "--corpus", str(corpus)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(1.5)  # somewhere in the middle of the batch (or done: the checks hold either way)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=10)
    meta = MetadataFile(corpus)  # strict read: never half a row
    for row in meta.rows:
        assert sha(corpus / row["file"]) == row["sha256"]
    run = run_cli("add", *srcs, "--corpus", corpus, timeout=120)
    assert run.rc == 0, run.err
    rows = assert_whole(corpus)  # leftovers of the killed run are gone, copies listed once
    assert len(rows) == 5 + len(CITIES)


def test_leftovers_of_killed_writers_are_cleared(corpus, tmp_path):
    (corpus / ".metadata.csv.ab12cd34.tmp").write_text("half", encoding="utf-8")
    (corpus / "reports" / ".2023_0011223344556677.txt.x9y8z7w6.tmp").write_bytes(b"half")
    (corpus / ".xxgk-fetch-k2j3h4g5").mkdir()
    (corpus / ".xxgk-fetch-k2j3h4g5" / "0001").mkdir()
    (src,) = reports(tmp_path / "src", CITIES[:1])
    assert run_cli("add", src, "--corpus", corpus).rc == 0
    assert len(assert_whole(corpus)) == 6


# ------------------------------------------------------------------ item 9: one strict reader


@pytest.mark.parametrize("damage, words", [
    ('x,"unterminated,quote\n', ["line", "CSV"]),
    ("x," + ",".join(["f"] * 30) + "\n", ["fields"]),
    ("000_390bec4f8b72bc77,dup\n", ["appears twice"]),
    ("y,,,,,,,,20x3\n", ["four-digit year"]),
    ("z,,,,,,,,,,,nothex\n", ["SHA-256"]),
])
def test_add_refuses_metadata_the_build_refuses(corpus, tmp_path, damage, words):
    with open(corpus / "metadata.csv", "a", encoding="utf-8", newline="") as fh:
        fh.write(damage)
    before = tree(corpus)
    (src,) = reports(tmp_path / "src", CITIES[:1])
    for _ in range(2):  # and again on retry: nothing appended either time
        run_cli("add", src, "--corpus", corpus).one_line_error("metadata.csv", *words)
        assert tree(corpus) == before
    run_cli("build", "--corpus", corpus, "--out", tmp_path / "out", "--no-charts",
            "--no-excel").one_line_error("metadata.csv", *words)


def test_listed_file_whose_sha256_cell_is_wrong_is_not_added_again(corpus, tmp_path):
    text = (corpus / "metadata.csv").read_text(encoding="utf-8")
    real = sha(corpus / "reports" / "003_03a04d677c33f02f.txt")
    (corpus / "metadata.csv").write_text(text.replace(real, "0" * 64), encoding="utf-8")
    before = tree(corpus)
    run = run_cli("add", CORPUS / "reports" / "003_03a04d677c33f02f.txt", "--corpus", corpus)
    assert run.rc == 0, run.err  # in the corpus already: not an error
    assert "already in corpus as 003_03a04d677c33f02f" in run.out and "does not match" in run.out
    assert tree(corpus) == before
    audit = run_cli("audit", "--corpus", corpus)
    assert re.search(r"^note: 003_03a04d677c33f02f: .*does not match its sha256", audit.out, re.M), audit.out


def test_copy_left_by_a_crash_before_its_row_is_listed_once(corpus, tmp_path):
    (src,) = reports(tmp_path / "src", CITIES[:1])
    digest = sha(src)
    (corpus / "reports" / f"2023_{digest[:16]}.txt").write_bytes(src.read_bytes())
    assert run_cli("add", src, "--corpus", corpus).rc == 0
    assert run_cli("add", src, "--corpus", corpus).rc == 0
    rows = assert_whole(corpus)
    assert [r["report_id"] for r in rows].count(f"2023_{digest[:16]}") == 1


# ------------------------------------------------------------------ item 10: same report, other format


def test_same_report_in_another_format_is_noted_by_add_and_audit(corpus):
    run = run_cli("add", FIXTURES / "fetch" / "report.html", "--corpus", corpus)
    assert run.rc == 0, run.err
    (note,) = [ln for ln in run.out.splitlines() if ln.startswith("note:")]
    assert "003_03a04d677c33f02f" in note and "吴忠市民政局" in note and "2023" in note
    rid = metadata_rows(corpus)[-1]["report_id"]
    audit = run_cli("audit", "--corpus", corpus)
    assert audit.rc == 0, audit.err
    notes = [ln for ln in audit.out.splitlines() if ln.startswith("note:")]
    assert len(notes) == 1 and "003_03a04d677c33f02f" in notes[0] and rid in notes[0]


def test_same_agency_name_in_another_place_is_not_a_duplicate(corpus, tmp_path):
    rows = metadata_rows(corpus)
    append_row(corpus, report_id="elsewhere", agency=rows[3]["agency"], year=rows[3]["year"], adcode="110101",
               file="reports/elsewhere.txt")
    (corpus / "reports" / "elsewhere.txt").write_text(report_text("西宁市"), encoding="utf-8")
    audit = run_cli("audit", "--corpus", corpus)
    assert not [ln for ln in audit.out.splitlines() if "same agency" in ln], audit.out


# ------------------------------------------------------------------ item 11: exit codes, names, deletions


def test_add_exit_codes_match_the_readme(corpus, tmp_path):
    (good,) = reports(tmp_path / "src", CITIES[:1])
    bad = tmp_path / "src" / "bad.txt"
    bad.write_bytes(b"\x00\x01" * 50)
    assert run_cli("add", good, bad, "--corpus", corpus).rc == 1  # an input could not be read
    assert run_cli("add", good, "--corpus", corpus).rc == 0  # already there: no error
    assert run_cli("add", tmp_path / "missing.txt", "--corpus", corpus).rc == 1
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(r"`xxgk add`[^\n]*(\n[^\n]+)*exits? `?1`?", readme), "README does not say when add exits 1"


@pytest.mark.parametrize("url", ["not a url", "javascript:alert(1)", "http://[::1", "http://x.gov.cn/a\nb",
                                 "ftp://x.gov.cn/r.pdf", "http://"])
def test_source_url_is_validated(corpus, tmp_path, url):
    (src,) = reports(tmp_path / "src", CITIES[:1])
    before = tree(corpus)
    run = run_cli("add", src, "--corpus", corpus, "--source-url", url)
    assert run.rc == 2 and "Traceback" not in run.err and "source-url" in run.err
    assert tree(corpus) == before


def test_add_file_names_with_newlines_one_line_each(corpus, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a\nb.txt").write_bytes(b"")
    (src / "c\rd\x1b[2J.txt").write_text(report_text(CITIES[0]), encoding="utf-8")
    run = run_cli("add", src, "--corpus", corpus)
    assert run.rc == 1
    lines = run.out.splitlines()
    assert len(lines) == 3 and lines[-1] == "1 added, 1 skipped"
    assert "\x1b" not in run.out and "\r" not in run.out


def test_deleted_listed_file_is_mentioned_by_audit(corpus):
    (corpus / "reports" / "002_0a737c20a99ed187.txt").unlink()
    run = run_cli("audit", "--corpus", corpus)
    assert run.rc == 0, run.err
    assert re.search(r"^note: 002_0a737c20a99ed187: listed file reports/002_0a737c20a99ed187\.txt is missing",
                     run.out, re.M), run.out


def test_metadata_write_fault_is_one_line_and_leaves_the_corpus_whole(corpus, tmp_path):
    """metadata.csv past a file size limit: EFBIG (not SIGXFSZ), one line, the copy removed."""
    import resource

    text = (corpus / "metadata.csv").read_text(encoding="utf-8")
    long_title = "很长的标题" * 2000  # a 30 KB cell
    (corpus / "metadata.csv").write_text(text.replace("2023年政府信息公开工作年度报告", long_title, 1),
                                         encoding="utf-8")
    assert (corpus / "metadata.csv").stat().st_size > 30_000
    before = tree(corpus)
    (src,) = reports(tmp_path / "src", CITIES[:1])
    assert src.stat().st_size < 20_000

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (25_000, resource.RLIM_INFINITY))

    run_cli("add", src, "--corpus", corpus, preexec_fn=limit).one_line_error("metadata.csv", "File too large")
    assert tree(corpus) == before
