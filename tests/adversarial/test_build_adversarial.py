"""``xxgk build`` under faults: kills, concurrent builds, a file size limit, outputs that
cannot be written, a damaged or edited parse cache, a hand-edited manifest, ``--jobs 1000``.

After every fault the previous outputs are whole (same files, same bytes) and
the next build finishes normally.
"""
from __future__ import annotations

import json
import os
import re
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from adv_support import append_row, report_text, run_cli, tree
from toolkit.cli import main
from toolkit.data import build as tb
from toolkit.data.manifest import FORMAT
from toolkit.fileio import FolderLock

QUICK = ("--jobs", "1", "--no-excel", "--no-charts")


@pytest.fixture
def built(corpus, tmp_path):
    """(corpus, out, tree of out) after one good build with charts and workbook."""
    out = tmp_path / "out"
    run = run_cli("build", "--corpus", corpus, "--out", out, "--jobs", "1", timeout=120)
    assert run.rc == 0, run.err
    return corpus, out, tree(out)


def _slow_reports(corpus: Path, n: int = 2, rows: int = 60_000) -> None:
    """Reports that take a worker a second or two each (a table row repeated *rows* times)."""
    lines = report_text("银川市").splitlines()
    (i,) = [k for k, line in enumerate(lines) if "予以公开" in line]
    for k in range(n):
        name = f"slow{k}.txt"
        (corpus / "reports" / name).write_text("\n".join(lines[:i] + [lines[i]] * rows + lines[i + 1:])
                                               + f"\n{k}\n", encoding="utf-8")
        append_row(corpus, report_id=f"slow{k}", file=f"reports/{name}")


def _children(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie has ended; only its exit status is left


def _no_leftovers(out: Path) -> None:
    """Nothing beside *out* but the outputs (no staging folder, no lock), and in the data home's
    folder for *out* only its lock."""
    assert not [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.xxgk-")]
    assert [p.name for p in tb.lock_file(out).parent.iterdir()] == ["lock"]


# ------------------------------------------------------------------ item 7: kill -9


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to see the workers")
def test_killed_build_leaves_outputs_whole_and_its_workers_die(built):
    corpus, out, before = built
    _slow_reports(corpus)
    proc = subprocess.Popen([sys.executable, "-m", "toolkit", "build", "--corpus", str(corpus), "--out", str(out),
                             "--jobs", "2", "--no-cache"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        kids: set[int] = set()
        while time.monotonic() < deadline:
            kids = _children(proc.pid)
            if len(kids) >= 2:  # a worker (one chunk of reports) and the resource tracker
                break
            time.sleep(0.05)
        assert len(kids) >= 2, "the build started no workers"
        time.sleep(0.5)  # the worker is parsing
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        proc.kill()
    deadline = time.monotonic() + 10
    while any(_alive(k) for k in kids) and time.monotonic() < deadline:
        time.sleep(0.05)
    survivors = [k for k in kids if _alive(k)]
    for k in survivors:  # never leave them running, even when the test fails
        os.kill(k, signal.SIGKILL)
    assert not survivors, "workers outlived their build"
    assert tree(out) == before
    run = run_cli("build", "--corpus", corpus, "--out", out, *QUICK, timeout=120)
    assert run.rc == 0, run.err
    _no_leftovers(out)
    assert "slow0" in set(pd.read_parquet(out / "reports.parquet")["report_id"])


def test_switch_interrupted_between_renames_is_finished(built):
    corpus, out, before = built
    old = out.parent / f".{out.name}.xxgk-old"
    out.rename(old)  # killed after the first rename
    (out.parent / f".{out.name}.xxgk-stage").mkdir()
    run = run_cli("build", "--corpus", corpus, "--out", out, "--jobs", "1", timeout=120)
    assert run.rc == 0, run.err
    assert "up to date" in run.out  # the previous outputs came back whole
    assert tree(out) == before
    _no_leftovers(out)


# ------------------------------------------------------------------ item 2: one build per output folder


def test_two_builds_into_one_folder(corpus, tmp_path):
    out = tmp_path / "out"
    runs: list = [None, None]

    def go(k):
        runs[k] = run_cli("build", "--corpus", corpus, "--out", out, *QUICK, timeout=120)

    threads = [threading.Thread(target=go, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.rc for r in runs] == [0, 0], [r.err for r in runs]
    assert sum("up to date" in r.out for r in runs) == 1  # the second waited, then found it done
    frame = pd.read_parquet(out / "reports.parquet")
    assert len(frame) == 5
    _no_leftovers(out)


def test_build_waits_for_the_lock_then_says_who_holds_it(corpus, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    monkeypatch.setattr(tb, "LOCK_WAIT", 0.3)
    with FolderLock(tb.lock_file(out), "x"):
        assert main(["build", "--corpus", str(corpus), "--out", str(out), *QUICK]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[-1].startswith("xxgk: ") and f"process {os.getpid()}" in err[-1] and "in use" in err[-1]
    assert not out.exists()


# ------------------------------------------------------------------ item 8: I/O faults


@pytest.mark.parametrize("limit_bytes", [20_000, 199_000])  # in the tables; in the workbook (xlsxwriter)
def test_file_size_limit_is_a_one_line_error(built, limit_bytes):
    corpus, out, before = built

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, resource.RLIM_INFINITY))

    run = run_cli("build", "--corpus", corpus, "--out", out, "--jobs", "1", "--no-cache", preexec_fn=limit,
                  timeout=120)
    run.one_line_error("cannot write the build", "File too large")
    assert tree(out) == before
    _no_leftovers(out)


# A disk that fills up as the Parquet footers are written: every ParquetWriter's close fails with
# ENOSPC, as pyarrow's does when the footer does not fit (its writer then stays open, and closing it
# again when it is collected fails again).
_FULL_AT_CLOSE = """
import errno, sys
import pyarrow.parquet as pq
from toolkit.cli import main

class FullDisk(pq.ParquetWriter):
    def close(self):
        if self.is_open:
            raise OSError(errno.ENOSPC, "No space left on device")
        super().close()

pq.ParquetWriter = FullDisk
sys.exit(main(sys.argv[1:]))
"""


def test_full_disk_is_one_line_and_nothing_is_left(corpus, tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-c", _FULL_AT_CLOSE, "build", "--corpus", str(corpus), "--out",
                           str(out), *QUICK], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert "Exception ignored" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith("xxgk: ") and "cannot write the build (No space left on device)" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus"]  # nothing beside --out
    _no_leftovers(out)


def test_out_naming_a_file(corpus, tmp_path):
    file = tmp_path / "file.txt"
    file.write_text("mine", encoding="utf-8")
    run_cli("build", "--corpus", corpus, "--out", file, *QUICK).one_line_error(str(file), "existing file")
    run_cli("build", "--corpus", corpus, "--out", file / "sub", *QUICK).one_line_error("cannot write")
    assert file.read_text(encoding="utf-8") == "mine"


def test_chart_path_that_is_a_folder(corpus, tmp_path):
    (tmp_path / "c.png").mkdir()
    run_cli("chart", "outcomes", "--corpus", corpus, "--out", tmp_path / "c.png",
            timeout=120).one_line_error("c.png", "cannot write the chart")
    (tmp_path / "d").mkdir()
    run = run_cli("chart", "outcomes", "--corpus", corpus, "--out", tmp_path / "d", timeout=120)
    assert run.rc == 0, run.err  # a folder as the stem: d.png and d.svg beside it
    assert (tmp_path / "d.png").is_file()


# ------------------------------------------------------------------ item 8: cache and manifest


def _rebuild(corpus, out):
    """A build that must read the cache: one output removed, so the manifest no longer holds."""
    (out / "reports.csv").unlink()
    return run_cli("build", "--corpus", corpus, "--out", out, "--jobs", "1", "--no-excel", "--no-charts",
                   timeout=120)


@pytest.fixture
def quick_built(corpus, tmp_path):
    out = tmp_path / "out"
    assert run_cli("build", "--corpus", corpus, "--out", out, *QUICK, timeout=120).rc == 0
    return corpus, out, {n: (out / n).read_bytes() for n in ("tables.csv", "audit.csv")}


@pytest.mark.parametrize("seed", range(4))
def test_damaged_cache_file_is_noted_and_rebuilt(quick_built, seed):
    """Random bytes in the middle of the cache: unreadable Parquet, a bad zstd frame, or
    strings that are not UTF-8 (which once escaped as a UnicodeDecodeError traceback)."""
    import random

    corpus, out, clean = quick_built
    cache = out / ".cache" / "parsed.parquet"
    good = cache.read_bytes()
    rng = random.Random(seed)
    data = bytearray(good)
    at = rng.randrange(len(data) // 4, 3 * len(data) // 4)
    data[at:at + 64] = bytes(rng.randrange(256) for _ in range(64))
    cache.write_bytes(bytes(data))
    run = _rebuild(corpus, out)
    assert run.rc == 0 and "Traceback" not in run.err, run.err
    assert re.search(r"^xxgk: .*parse cache", run.err, re.M), run.err
    assert {n: (out / n).read_bytes() for n in clean} == clean
    assert cache.read_bytes() != bytes(data)  # rebuilt
    run = _rebuild(corpus, out)  # no note this time
    assert run.rc == 0 and "cache" not in run.err, run.err


def _edit_cache(out: Path, edit) -> None:
    path = out / ".cache" / "parsed.parquet"
    table = pq.read_table(path)
    results = table["result"].to_pylist()
    results[0] = edit(results[0])
    table = table.set_column(table.schema.get_field_index("result"), "result", pa.array(results, pa.string()))
    pq.write_table(table, path, compression="zstd")


def test_cache_entry_that_is_not_json_is_noted_and_parsed_again(quick_built):
    corpus, out, clean = quick_built
    _edit_cache(out, lambda r: "{not json")
    run = _rebuild(corpus, out)
    assert run.rc == 0 and "Traceback" not in run.err, run.err
    assert "failed verification" in run.err
    assert {n: (out / n).read_bytes() for n in clean} == clean


def test_edited_cache_value_never_reaches_the_tables(quick_built):
    corpus, out, clean = quick_built

    def edit(result):
        data = json.loads(result)
        tables = data["report"]["tables"]
        for rows in tables.values():
            for cells in (rows or {}).values():
                for column in cells:
                    cells[column] = 999999
        return json.dumps(data, ensure_ascii=False)

    _edit_cache(out, edit)
    run = _rebuild(corpus, out)
    assert run.rc == 0, run.err
    assert "failed verification" in run.err
    assert b"999999" not in (out / "tables.csv").read_bytes()
    assert {n: (out / n).read_bytes() for n in clean} == clean


@pytest.mark.parametrize("manifest", [
    "{not json",
    "[" * 200_000 + "]" * 200_000,
    json.dumps({"format": FORMAT}),
    json.dumps({"format": FORMAT, "files": {}, "outputs": {}, "toolkit": "x", "corpus": "y", "metadata_sha256": "z"}),
    "MATCHING-BUT-NO-SUMMARY",
    "MATCHING-SUMMARY-NOT-A-LIST",
    "MATCHING-OUTPUT-IS-DEV-ZERO",
])
def test_hand_edited_manifest(quick_built, manifest):
    corpus, out, clean = quick_built
    path = out / ".cache" / "manifest.json"
    if manifest.startswith("MATCHING"):
        data = json.loads(path.read_text(encoding="utf-8"))
        if manifest == "MATCHING-BUT-NO-SUMMARY":
            del data["summary"]
        elif manifest == "MATCHING-SUMMARY-NOT-A-LIST":
            data["summary"] = {"a": 1}
            data["skipped"] = 5
        else:
            data["outputs"]["../../../../dev/zero"] = [0, 0]
        manifest = json.dumps(data)
    path.write_text(manifest, encoding="utf-8")
    malformed = "dev/zero" not in manifest  # that one is well formed, only stale
    run = run_cli("build", "--corpus", corpus, "--out", out, *QUICK, timeout=60)
    assert run.rc == 0 and "Traceback" not in run.err, run.err
    assert "up to date" not in run.out  # a manifest not exactly as written is not trusted
    if malformed:
        assert re.search(r"^xxgk: .*manifest\.json: not a manifest as xxgk writes it", run.err, re.M), run.err
    assert {n: (out / n).read_bytes() for n in clean} == clean
    assert run_cli("audit", "--corpus", corpus, timeout=60).rc == 0


# ------------------------------------------------------------------ item 11: --jobs


def test_jobs_1000_is_capped_with_a_note(corpus, tmp_path):
    run = run_cli("build", "--corpus", corpus, "--out", tmp_path / "out", "--jobs", "1000", "--no-excel",
                  "--no-charts", timeout=120)
    assert run.rc == 0, run.err
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert f"xxgk: --jobs 1000 is more than the {cores} cores here; using {cores}" in run.err.splitlines()
