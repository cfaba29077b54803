"""Helpers for the adversarial suite: run ``xxgk`` in a child process with a deadline and
measure its peak memory; build small hostile corpora in a test's tmp_path.

Every case runs the real command line in its own process, so a hang is a failed
test (the child is killed at its deadline), a traceback is visible in stderr,
and the child's peak resident memory comes from ``os.wait4`` (that process
alone, not the test runner).
"""
from __future__ import annotations

import csv
import hashlib
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
SEED_003 = CORPUS / "reports" / "003_03a04d677c33f02f.txt"
GIB = 2**30

#: Cities to make distinct organs from seed 003 (吴忠市民政局, 2023).
CITIES = ("银川市", "石嘴山市", "固原市", "中卫市", "兰州市", "西宁市", "太原市", "大同市", "包头市",
          "呼和浩特市", "洛阳市", "开封市")


@dataclass
class Run:
    rc: int
    out: str
    err: str
    maxrss: int  # bytes
    seconds: float

    def one_line_error(self, *words: str, rc: int = 1) -> str:
        """Assert the run failed with exactly one ``xxgk: …`` line on stderr containing *words*."""
        assert self.rc == rc, (self.rc, self.out[-2000:], self.err[-2000:])
        assert "Traceback" not in self.err and "Traceback" not in self.out, self.err[-3000:]
        lines = self.err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("xxgk: "), self.err[-2000:]
        for w in words:
            assert w in lines[0], (w, lines[0])
        return lines[0]


# The command runs under a small launcher that reports its peak memory: a process forked
# from the test runner carries the runner's own peak into its ru_maxrss (Linux keeps the
# high-water mark across exec), so the command is forked from the launcher instead.
_LAUNCHER = ("import resource, subprocess, sys\n"
             "rc = subprocess.call(sys.argv[2:])\n"
             "with open(sys.argv[1], 'w') as fh:\n"
             "    fh.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
             "sys.exit(rc if rc >= 0 else 128 - rc)\n")


def run_cli(*args: str, timeout: float = 30, env: dict | None = None, cwd: str | Path | None = None,
            preexec_fn=None, max_rss: int = GIB) -> Run:
    """``xxgk ARGS`` in a child process; fails the test if it runs past *timeout* or if its
    peak resident memory (the largest process: xxgk or one of its workers) passes *max_rss*."""
    import signal
    import tempfile

    env = {**os.environ, **(env or {})}
    with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe, \
            tempfile.TemporaryDirectory() as scratch:
        rss_file = Path(scratch) / "maxrss"
        start = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-c", _LAUNCHER, str(rss_file), sys.executable, "-m", "toolkit",
                                 *map(str, args)], stdout=fo, stderr=fe, stdin=subprocess.DEVNULL, env=env,
                                cwd=cwd, preexec_fn=preexec_fn, start_new_session=True)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the launcher's session: xxgk and its workers
            proc.wait()
            fe.seek(0)
            raise AssertionError(f"xxgk {' '.join(map(str, args))} hung (killed after {timeout} s): "
                                 f"{fe.read()[-2000:]!r}") from None
        elapsed = time.monotonic() - start
        fo.seek(0)
        fe.seek(0)
        maxrss = int(rss_file.read_text()) * 1024 if rss_file.exists() else 0
        run = Run(proc.returncode, fo.read().decode("utf-8", "replace"), fe.read().decode("utf-8", "replace"),
                  maxrss, elapsed)
    assert run.maxrss, "the launcher reported no peak memory"
    assert run.maxrss < max_rss, f"peak memory {run.maxrss / 2**20:.0f} MiB"
    return run


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree(root: Path) -> dict[str, str]:
    """Every file under *root* (hidden ones too) with its sha256: 'whole' means this is unchanged."""
    return {p.relative_to(root).as_posix(): sha(p) for p in sorted(root.rglob("*")) if p.is_file()}


def report_text(city: str, year: int = 2023) -> str:
    """Seed 003 as the report of *city*'s 民政局 (a distinct organ), for *year*."""
    text = SEED_003.read_text(encoding="utf-8")
    text = text.replace("吴忠市", city).replace("吴忠", city.rstrip("市"))
    return text.replace("2023", str(year)) if year != 2023 else text


def metadata_rows(corpus: Path) -> list[dict[str, str]]:
    with open(corpus / "metadata.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def append_row(corpus: Path, **cells: str) -> None:
    """Append a metadata row by hand (as an editor would), the other cells empty."""
    with open(corpus / "metadata.csv", encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    with open(corpus / "metadata.csv", "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerow([cells.get(c, "") for c in header])

