"""Run the xxgk benchmarks and print a summary table.

    python -m benchmarks [--quick] [--n N] [--only NAME[,NAME]] [--workdir DIR] [--mem-n N]

Benchmarks (each prints its figure and a ratio measured side by side in the same run):

* ``parse``     parse_text + check_report on in-memory texts, one process, CPU time
                vs the floor of reading, NFKC-normalising and splitting the same files
                into lines (ratio parse/floor; goal <= 3x)
* ``build``     ``xxgk build --jobs 2`` of N reports (default 10,000) in a fresh out
                dir, cold, charts included, against the parse + audit alone on the
                same 2 worker processes, run side by side (goal: build <= 1.5x parse +
                audit; wall and CPU time); the build's phases as it times them; then a
                rebuild into the same out dir (nothing changed: "up to date"; ratio
                cold/warm, goal >= 100x); then with one output deleted, so every output is
                rewritten with every report from the parse cache
* ``charts``    the charts phase of cold builds of N and N/10 reports (the build's own
                timing of it): charts are drawn from aggregates, so their cost does not
                grow with the corpus (goal: N <= 1.3x N/10)
* ``load``      after ``xxgk build`` into the data home, ``load_tables()`` and
                ``load_reports()`` in a fresh process (goal < 1 s each)
* ``tokenize``  toolkit.mining.tokenizer.Tokenizer vs plain jieba.lcut on section 一/五 texts;
                Tokenizer(backend="rjieba") (if rjieba is installed): throughput vs
                both, and agreement with Tokenizer() (identical token lists,
                token level, domain words)
* ``ocr``       OCR of one A4 page at 200 dpi rendered from a real report's tables 3–4
                (the ``[ocr]`` extra; goal <= 5 s on 2 cores), and how many cells the
                table's arithmetic vouched for
* ``memory``    peak RSS (whole process tree) of ``xxgk build`` of --mem-n reports
                (default 100,000; 10,000 with --quick) vs the 10x smaller build
                (goal: <= 1.2 GiB at 100,000); then a 1,000,000-report build
                extrapolated from the two (time and memory, each linear in the reports)

Goals (issue "one registry per concept"): parse + audit <= 3x the floor; cold build <= 1.5x
parse + audit, charts included; charts at N <= 1.3x at N/10; up-to-date rebuild >= 100x faster
than cold; 100,000-report build peak <= 1.2 GiB.  ``--quick`` runs everything at 1/10 scale.  Synthetic corpora come from
:mod:`benchmarks.generate` and live in --workdir (default: a temporary folder,
removed at the end).  Nothing is written into the repository.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from pathlib import Path

from . import generate as gen

RESULTS: list[dict] = []
XXGK = [sys.executable, "-m", "toolkit"]


def record(name: str, figure: str, ratio: str, goal: str, met) -> None:
    RESULTS.append({"benchmark": name, "figure": figure, "ratio": ratio, "goal": goal,
                    "met": {True: "yes", False: "NO", None: "n/a"}[met]})
    print(f"  => {name}: {figure} | {ratio} | goal {goal} | met: {RESULTS[-1]['met']}", flush=True)


def corpus(workdir: Path, n: int, seed: int = 0) -> Path:
    """A synthetic corpus of *n* reports in *workdir* (generated once per run)."""
    path = workdir / f"corpus_{n}_s{seed}"
    if not (path / "truth.csv").is_file():
        t0 = time.perf_counter()
        gen.generate(n, path, seed=seed)
        print(f"  generated {n} reports in {time.perf_counter() - t0:.1f} s -> {path}", flush=True)
    return path


# ------------------------------------------------------------------ process-tree RSS


class PeakRSS:
    """Sample the summed RSS of a process and its descendants (psutil) every *interval* s.

    Kills the tree if it exceeds *cap* bytes (so a runaway build cannot take the
    machine down); ``exceeded`` then says so.
    """

    def __init__(self, pid: int, interval: float = 0.1, cap: float | None = None):
        import psutil

        self.proc = psutil.Process(pid)
        self.interval, self.cap = interval, cap
        self.peak = self.peak_main = 0
        self.exceeded = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            try:
                procs = [self.proc, *self.proc.children(recursive=True)]
                total = 0
                for p in procs:
                    try:
                        rss = p.memory_info().rss
                    except psutil.Error:
                        continue
                    total += rss
                    if p.pid == self.proc.pid:
                        self.peak_main = max(self.peak_main, rss)
                self.peak = max(self.peak, total)
                if self.cap and total > self.cap:
                    self.exceeded = True
                    for p in reversed(procs):
                        try:
                            p.kill()
                        except psutil.Error:
                            pass
                    return
            except psutil.Error:
                return
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


#: ``xxgk build`` as the command line runs it, with the build's phase timings (logged at DEBUG)
#: and the CPU time of the whole process tree written to stderr.
_BUILD = r"""
import logging, resource, sys
if __name__ == "__main__":
    logging.getLogger("toolkit.data.build").setLevel(logging.DEBUG)
    from toolkit.cli import main
    rc = main(sys.argv[1:])
    cpu = sum(getattr(resource.getrusage(w), f) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
              for f in ("ru_utime", "ru_stime"))
    print(f"bench cpu: {cpu:.3f} s", file=sys.stderr)
    sys.exit(rc)
"""


def _phases(stderr: str) -> dict[str, float]:
    """The build's phase timings from its DEBUG log lines (``build phase NAME: S s``)."""
    out = {}
    for line in stderr.splitlines():
        if "build phase " in line:
            name, _, took = line.split("build phase ", 1)[1].partition(": ")
            out[name] = out.get(name, 0.0) + float(took.split()[0])
    return out


def run_build(corpus_dir: Path, out: Path, jobs: int = 2, extra=(), cap: float | None = None,
              timeout: float | None = None) -> dict:
    """Run ``xxgk build`` as a subprocess; wall and CPU time (process tree), the build's phase
    timings, exit code, peak RSS, last output lines."""
    args = ["build", "--corpus", str(corpus_dir), "--out", str(out), "--jobs", str(jobs), *extra]
    cmd = [sys.executable, "-c", _BUILD, *args]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    mon = PeakRSS(proc.pid, cap=cap)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        mon.proc.kill()
        for child in mon.proc.children(recursive=True):
            child.kill()
        stdout, stderr = proc.communicate()
        timed_out = True
    wall = time.perf_counter() - t0
    mon.stop()
    cpu = [float(ln.split()[2]) for ln in stderr.splitlines() if ln.startswith("bench cpu: ")]
    result = {"cmd": "xxgk " + " ".join(args), "wall": wall, "rc": proc.returncode, "peak_rss": mon.peak,
              "peak_rss_main": mon.peak_main, "exceeded_cap": mon.exceeded, "timed_out": timed_out,
              "stdout": stdout, "stderr": stderr, "cpu": cpu[0] if cpu else float("nan"),
              "phases": _phases(stderr)}
    status = ("killed: RSS cap exceeded" if mon.exceeded else "timed out" if timed_out
              else f"exit {proc.returncode}")
    print(f"  $ {result['cmd']}\n    {wall:.1f} s ({result['cpu']:.1f} s CPU), {status}, peak RSS tree "
          f"{mon.peak / 2**20:.0f} MiB (main {mon.peak_main / 2**20:.0f} MiB)", flush=True)
    if result["phases"]:
        print("    phases: " + ", ".join(f"{k} {v:.1f} s" for k, v in result["phases"].items()), flush=True)
    if proc.returncode != 0 and not timed_out:
        tail = [ln for ln in stderr.strip().splitlines() if ln.strip()][-3:]
        for ln in tail:
            print(f"    stderr: {ln[:300]}")
    return result


# ------------------------------------------------------------------ benchmarks


def bench_parse(args, workdir: Path) -> None:
    from toolkit.checks import check_report
    from toolkit.parsing import parse_text

    n = 300 if args.quick else 2000
    root = corpus(workdir, args.n)
    files = sorted((root / "reports").glob("*.txt"))[:n]
    print(f"[parse] {len(files)} reports of {root.name}, one process, CPU time, best of 3", flush=True)

    def floor() -> float:
        t0 = time.process_time()
        for f in files:
            unicodedata.normalize("NFKC", f.read_bytes().decode("utf-8")).split("\n")
        return time.process_time() - t0

    texts = [f.read_text(encoding="utf-8") for f in files]

    def parse() -> float:
        t0 = time.process_time()
        for f, text in zip(files, texts):
            check_report(parse_text(text, report_id=f.stem))
        return time.process_time() - t0

    parse()  # warm regex caches
    t_floor = min(floor() for _ in range(3))
    t_parse = min(parse() for _ in range(3 if not args.quick else 2))
    t0 = time.process_time()
    for t in texts:
        parse_text(t)
    t_parse_only = time.process_time() - t0
    rate_floor, rate_parse = len(files) / t_floor, len(files) / t_parse
    print(f"  floor (read + NFKC + split lines): {rate_floor:,.0f} reports/s; "
          f"parse_text + check_report: {rate_parse:,.0f} reports/s "
          f"(parse_text alone {len(files) / t_parse_only:,.0f}/s)")
    ratio = rate_floor / rate_parse
    record("parse+audit throughput (1 core)", f"{rate_parse:,.0f} reports/s",
           f"parse/floor = {ratio:.1f}x (floor {rate_floor:,.0f}/s)", "<= 3x", ratio <= 3)


_PARSE_ONLY = r"""
import sys, time
from concurrent.futures import ProcessPoolExecutor
import multiprocessing as mp
from pathlib import Path

def work(args):
    paths, audit = args
    from toolkit.checks import check_report
    from toolkit.errors import ReportError
    from toolkit.parsing import parse_file
    for p in paths:
        try:
            report = parse_file(p)
        except ReportError:
            continue
        if audit:
            check_report(report)
    return len(paths)

if __name__ == "__main__":
    root, jobs, audit = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "audit"
    files = sorted(str(p) for p in (root / "reports").iterdir())
    with ProcessPoolExecutor(jobs, mp_context=mp.get_context("spawn")) as pool:
        print(sum(pool.map(work, [(files[i:i + 50], audit) for i in range(0, len(files), 50)])))
    import resource
    print(sum(getattr(resource.getrusage(w), f) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
              for f in ("ru_utime", "ru_stime")))
"""


def run_parse_only(root: Path, jobs: int, audit: bool) -> tuple[float, float]:
    """Wall and CPU time (process tree) of parsing (and auditing) every report on *jobs* spawned
    workers, results dropped."""
    script = Path(tempfile.mkdtemp()) / "parse_only.py"
    script.write_text(_PARSE_ONLY, encoding="utf-8")
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, str(script), str(root), str(jobs), "audit" if audit else "parse"],
                         check=True, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    shutil.rmtree(script.parent, ignore_errors=True)
    return wall, float(res.stdout.split()[-1])


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def bench_build(args, workdir: Path) -> None:
    root = corpus(workdir, args.n)
    out = workdir / f"build_{args.n}"
    rounds_n = 1 if args.quick else 3
    print(f"[build] xxgk build of {args.n} reports, --jobs 2, charts included, against parse + audit alone "
          f"on 2 workers ({rounds_n} round(s), side by side; wall and CPU time of the process tree)", flush=True)
    rounds = []
    for _ in range(rounds_n):
        parse_audit, parse_audit_cpu = run_parse_only(root, 2, audit=True)
        shutil.rmtree(out, ignore_errors=True)
        cold = run_build(root, out, extra=("--no-cache",), timeout=args.timeout)
        rounds.append((cold["wall"] / parse_audit, cold["cpu"] / parse_audit_cpu, cold, parse_audit, parse_audit_cpu))
        print(f"    parse + audit alone {parse_audit:.1f} s ({parse_audit_cpu:.1f} s CPU)", flush=True)
    ratio, ratio_cpu, cold, parse_audit, parse_audit_cpu = sorted(rounds, key=lambda r: r[0])[len(rounds) // 2]
    args.state[f"build_{args.n}"] = cold
    ok = cold["rc"] == 0
    record(f"xxgk build {args.n} cold (2 jobs, charts)",
           f"{cold['wall']:.1f} s, {cold['cpu']:.1f} s CPU" + ("" if ok else f" (FAILED, exit {cold['rc']})"),
           f"{ratio:.2f}x parse + audit ({parse_audit:.1f} s); CPU {ratio_cpu:.2f}x ({parse_audit_cpu:.1f} s)",
           "<= 1.5x parse + audit", ok and ratio <= 1.5)
    phases = cold["phases"]
    if phases:
        record(f"xxgk build {args.n} phases", ", ".join(f"{k} {v:.1f}" for k, v in phases.items()) + " s",
               "", "(information)", None)
    warm = run_build(root, out, timeout=args.timeout)
    ratio = cold["wall"] / warm["wall"]
    record(f"xxgk build {args.n} rebuild (up to date)",
           f"{warm['wall']:.2f} s" + ("" if warm["rc"] == 0 else f" (FAILED, exit {warm['rc']})"),
           f"cold/warm = {ratio:.0f}x", ">= 100x", warm["rc"] == 0 and "up to date" in warm["stdout"] and ratio >= 100)
    # The parse cache alone: an output is gone, so every output is written again, every report
    # coming from OUT/.cache/parsed.parquet instead of the parser.
    (out / "tables.csv").unlink(missing_ok=True)
    rewrite = run_build(root, out, timeout=args.timeout)
    record(f"xxgk build {args.n} outputs rewritten, parses from cache",
           f"{rewrite['wall']:.1f} s" + ("" if rewrite["rc"] == 0 else f" (FAILED, exit {rewrite['rc']})"),
           f"cold/this = {cold['wall'] / rewrite['wall']:.1f}x", "(information)", None)


def bench_load(args, workdir: Path) -> None:
    root = corpus(workdir, args.n)
    home = workdir / "home"
    env = {**os.environ, "XXGK_HOME": str(home)}
    print(f"[load] xxgk build of {args.n} reports into the data home, then the loaders in fresh processes",
          flush=True)
    subprocess.run([*XXGK, "build", "--corpus", str(root), "--jobs", "2", "--no-charts"], check=True,
                   capture_output=True, env=env)
    code = r"""
import sys, time
import toolkit as tk
name = sys.argv[2]
t = time.perf_counter(); f = getattr(tk, name)(sys.argv[1]); print(time.perf_counter() - t, len(f))
"""
    for name in ("load_tables", "load_reports"):
        times = []
        for _ in range(3):
            res = subprocess.run([sys.executable, "-c", code, str(root), name], capture_output=True, text=True,
                                 env=env)
            if res.returncode:
                print(res.stderr[-2000:])
                record(name, "FAILED", "", "< 1 s", False)
                return
            t, rows = res.stdout.split()
            times.append(float(t))
        best = statistics.median(times)
        print(f"  {name}() in a fresh process: median {best:.2f} s of {times}; {int(rows):,} rows")
        record(f"{name} fresh process, built ({args.n})", f"{best:.2f} s", f"{int(rows):,} rows", "< 1 s",
               best < 1)


def bench_charts(args, workdir: Path) -> None:
    """The charts phase of cold builds at the corpus size and at a tenth of it, as the build times
    it: their cost should not grow with the corpus (drawn from aggregates, a bounded number of bars)."""
    small = max(args.n // 10, 100)
    print(f"[charts] the charts phase of cold xxgk builds (--jobs 2) of {small} and {args.n} reports", flush=True)
    figures = {}
    for n in (small, args.n):
        cold = args.state.get(f"build_{n}")
        if cold is None:
            root = corpus(workdir, n)
            out = workdir / f"charts_build_{n}"
            shutil.rmtree(out, ignore_errors=True)
            cold = args.state[f"build_{n}"] = run_build(root, out, extra=("--no-cache",), timeout=args.timeout)
        if cold["rc"] != 0 or "charts" not in cold["phases"]:
            record(f"charts ({n})", "FAILED (no charts phase timed)", "", "<= 1.3x", False)
            return
        figures[n] = cold["phases"]["charts"]
        print(f"  {n} reports: charts phase {figures[n]:.1f} s of a {cold['wall']:.1f} s build")
    ratio = figures[args.n] / figures[small]
    record(f"charts phase {args.n} vs {small}", f"{figures[args.n]:.1f} s vs {figures[small]:.1f} s", f"{ratio:.2f}x",
           "<= 1.3x", ratio <= 1.3)


def _texts(workdir: Path, args) -> list[str]:
    from toolkit.parsing import parse_text

    n = 300 if args.quick else 2000
    root = corpus(workdir, args.n)
    texts = []
    for f in sorted((root / "reports").glob("*.txt"))[:n]:
        rep = parse_text(f.read_text(encoding="utf-8"))
        texts += [s for s in (rep.sections.get("1"), rep.sections.get("5")) if s]
    return texts


def bench_tokenize(args, workdir: Path) -> None:
    import difflib

    import jieba

    from toolkit.mining.tokenizer import Tokenizer, domain_dict_text

    texts = _texts(workdir, args)
    chars = sum(map(len, texts))
    normalised = [unicodedata.normalize("NFKC", t) for t in texts]
    print(f"[tokenize] {len(texts)} section 一/五 texts, {chars:,} characters", flush=True)
    tok = Tokenizer(cache_size=0)
    tok(texts[0])  # load dictionaries outside the timing
    jieba.setLogLevel(60)
    jieba.initialize()
    t_tok = min(_timed(lambda: [tok(t) for t in texts]) for _ in range(2))
    t_jieba = min(_timed(lambda: [jieba.lcut(t) for t in texts]) for _ in range(2))
    t_seg = min(_timed(lambda: [tok._segment(t) for t in normalised]) for _ in range(2))
    r_tok, r_jieba = chars / t_tok, chars / t_jieba
    print(f"  Tokenizer (cache off): {r_tok / 1e3:,.0f}k chars/s; jieba.lcut (HMM on, default dict): "
          f"{r_jieba / 1e3:,.0f}k chars/s; the Tokenizer's own jieba lcut(HMM=False): "
          f"{chars / t_seg / 1e3:,.0f}k chars/s")
    record("Tokenizer throughput", f"{r_tok / 1e3:,.0f}k chars/s",
           f"jieba.lcut/Tokenizer time = {t_tok / t_jieba:.2f}x", "(none set)", None)
    try:
        import rjieba  # noqa: F401
    except ImportError:
        print("  rjieba not installed: skipped")
        return
    rtok = Tokenizer(cache_size=0, backend="rjieba")
    rtok(texts[0])
    t_rtok = min(_timed(lambda: [rtok(t) for t in texts]) for _ in range(2))
    t_rseg = min(_timed(lambda: [rtok._segment(t) for t in normalised]) for _ in range(2))
    r_rtok = chars / t_rtok
    print(f"  Tokenizer(backend='rjieba') (cache off): {r_rtok / 1e3:,.0f}k chars/s = {t_tok / t_rtok:.1f}x "
          f"Tokenizer(), {t_jieba / t_rtok:.1f}x jieba.lcut; raw segmentation (rjieba cut, hmm off): "
          f"{chars / t_rseg / 1e3:,.0f}k chars/s = {t_seg / t_rseg:.1f}x the jieba backend's")
    # Agreement: whole token lists per text, tokens aligned in order (difflib), and
    # domain words (maximal occurrences per text) kept whole (or removed as stopwords) by each.
    stop = tok._resolved_stopwords()
    dict_words = sorted({ln.split()[0] for ln in domain_dict_text().splitlines()
                         if ln.strip() and not ln.lstrip().startswith("#")}, key=len, reverse=True)
    same_lists = matched = total = occurrences = kept_jieba = kept_rjieba = 0
    for text, norm in zip(texts, normalised):
        a, b = tok(text), rtok(text)
        same_lists += a == b
        total += len(a) + len(b)
        matched += 2 * (len(a) if a == b else sum(
            m.size for m in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_matching_blocks()))
        present = [w for w in dict_words if w in norm]
        for w in present:
            if not any(w != v and w in v for v in present):
                occurrences += 1
                kept_jieba += w in a or w in stop
                kept_rjieba += w in b or w in stop
    share, token_agreement = same_lists / len(texts), matched / max(total, 1)
    print(f"  agreement with Tokenizer(): identical token lists {same_lists}/{len(texts)} ({share:.2%}); "
          f"tokens (aligned, 2*matched/(n_jieba+n_rjieba)) {token_agreement:.4%}; domain words in the texts "
          f"(maximal occurrences, per text): {occurrences}, kept whole by Tokenizer() {kept_jieba}, "
          f"by rjieba {kept_rjieba}")
    record("Tokenizer(backend='rjieba') throughput", f"{r_rtok / 1e3:,.0f}k chars/s",
           f"{t_tok / t_rtok:.1f}x Tokenizer(), {t_jieba / t_rtok:.1f}x jieba.lcut, raw segmentation "
           f"{t_seg / t_rseg:.1f}x", "(none set)", None)
    record("rjieba token agreement", f"{same_lists}/{len(texts)} texts identical ({share:.2%})",
           f"token-level {token_agreement:.4%}", "identical token lists", same_lists == len(texts))


def bench_memory(args, workdir: Path) -> None:
    big = args.mem_n or (10000 if args.quick else 100000)
    small = big // 10
    print(f"[memory] peak RSS of xxgk build (--jobs 2): {small} vs {big} reports", flush=True)
    res = {}
    for n in (small, big):
        if f"build_{n}" in args.state:
            res[n] = args.state[f"build_{n}"]
            print(f"  {n}: peak RSS {res[n]['peak_rss'] / 2**20:.0f} MiB, {res[n]['wall']:.1f} s "
                  "(from the build benchmark)")
            continue
        root = corpus(workdir, n)
        out = workdir / f"membuild_{n}"
        shutil.rmtree(out, ignore_errors=True)
        res[n] = run_build(root, out, extra=("--no-cache",), cap=args.rss_cap * 2**30, timeout=args.mem_timeout)
        shutil.rmtree(out, ignore_errors=True)
    a, b = res[small]["peak_rss"], res[big]["peak_rss"]
    note = ""
    if res[big]["exceeded_cap"]:
        note = f" (killed at the {args.rss_cap:g} GiB cap)"
    elif res[big]["timed_out"]:
        note = f" (timed out after {args.mem_timeout:.0f} s)"
    elif res[big]["rc"]:
        note = f" (build failed, exit {res[big]['rc']})"
    # The goal is for 100,000 reports; a smaller build (--quick) is shown against it, not judged.
    at_goal = big == 100000
    record(f"peak RSS build {big}", f"{b / 2**20:,.0f} MiB{note}",
           f"RSS {big}/{small} = {b / a if a else float('nan'):.1f}x ({a / 2**20:,.0f} MiB at {small})",
           "<= 1.2 GiB" if at_goal else "(<= 1.2 GiB at 100,000)",
           (b <= 1.2 * 2**30 and not note) if at_goal else None)
    if note:
        return
    # Time and memory as a + b*n through the two builds, taken to 1,000,000 reports.
    million = 1_000_000
    ta, tb = res[small]["wall"], res[big]["wall"]
    t_slope = (tb - ta) / (big - small)
    m_slope = (b - a) / (big - small)
    t_m = tb + t_slope * (million - big)
    rss_m = b + m_slope * (million - big)
    record("1,000,000-report build (extrapolated)", f"{t_m / 60:,.0f} min, peak {rss_m / 2**30:.1f} GiB",
           f"linear through {small:,} ({ta:.0f} s, {a / 2**20:,.0f} MiB) and {big:,} "
           f"({tb:.0f} s, {b / 2**20:,.0f} MiB)", "(information)", None)


def bench_ocr(args, workdir: Path) -> None:
    """OCR of one A4 page at 200 dpi (the [ocr] extra), median of 3 runs after the engine loads."""
    from toolkit.reading import ocr

    if not ocr.available():
        record("ocr", "not run: the [ocr] extra is not installed", "", "<= 5 s", None)
        return
    from .scans import bench_page

    r = bench_page(1 if args.quick else 3)
    record("ocr", f"{r['seconds']:.1f} s per A4 page at 200 dpi ({r['size'][0]}x{r['size'][1]} px), "
                  f"{r['cpu']:.1f} s CPU",
           f"{r['verified']}; engine load {r['engine_load']:.1f} s; load average {r['loadavg']:.1f}",
           "<= 5 s", r["seconds"] <= 5)


def bench_near_duplicates(args, workdir: Path) -> None:
    """``near_duplicates``: section 五 near duplicates (``duplicate_of``) of the first N/10 and N
    reports' items' texts (parsed as the build does), CPU time; goals: at most 2 s per 10,000
    reports, and about linear (N at most 15x N/10)."""
    from toolkit.mining.narratives import near_duplicates, report_items
    from toolkit.parsing import parse_text

    class Parsed:  # what report_items reads of a parsed report
        def __init__(self, rid, report):
            self.report_id, self.report, self.meta = rid, report, {}

    root = corpus(workdir, args.n)
    texts, years = {}, {}
    for f in sorted((root / "reports").glob("*.txt")):
        rep = parse_text(f.read_text(encoding="utf-8"), report_id=f.stem)
        _rows, text = report_items(Parsed(f.stem, rep))
        if text is not None:
            texts[f.stem], years[f.stem] = text, rep.year
    ids = sorted(texts)
    figures = {}
    for size in (max(1, args.n // 10), args.n):
        part = {rid: texts[rid] for rid in ids[:size]}
        t0 = time.process_time()
        found = near_duplicates(part, years)
        figures[size] = time.process_time() - t0
        print(f"  [near_duplicates] {len(part)} texts: {figures[size]:.2f} s CPU, {len(found)} near duplicates",
              flush=True)
    small = max(1, args.n // 10)
    ratio = figures[args.n] / max(figures[small], 1e-9)
    goal = 2 * args.n / 10_000
    record(f"near_duplicates {args.n}", f"{figures[args.n]:.2f} s CPU ({small}: {figures[small]:.2f} s)",
           f"{ratio:.1f}x for 10x the reports", f"<= {goal:g} s, <= 15x",
           figures[args.n] <= goal and ratio <= 15)


BENCHMARKS = {"parse": bench_parse, "build": bench_build, "load": bench_load, "charts": bench_charts,
              "tokenize": bench_tokenize, "memory": bench_memory, "ocr": bench_ocr,
              "near_duplicates": bench_near_duplicates}


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), Python {sys.version.split()[0]}, {sys.platform}"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, help="corpus size for parse/build/load/tokenize (default 10000; 1000 quick)")
    p.add_argument("--quick", action="store_true", help="everything at 1/10 scale")
    p.add_argument("--only", help="comma-separated benchmark names: " + ", ".join(BENCHMARKS))
    p.add_argument("--workdir", help="folder for synthetic corpora and builds (default: a temp dir, removed)")
    p.add_argument("--mem-n", type=int, help="reports in the memory benchmark's big build (default 100000)")
    p.add_argument("--rss-cap", type=float, default=8.0, help="GiB; the memory benchmark kills a build above it")
    p.add_argument("--mem-timeout", type=float, default=1800, help="seconds for one memory-benchmark build")
    p.add_argument("--timeout", type=float, default=1200, help="seconds for one build in the build benchmark")
    args = p.parse_args(argv)
    args.n = args.n or (1000 if args.quick else 10000)
    args.state = {}
    names = args.only.split(",") if args.only else list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        p.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    temp = args.workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="xxgk-bench-") if temp else args.workdir).resolve()
    gen.refuse_repo_corpus(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}\nworkdir: {workdir}\n", flush=True)
    try:
        for name in names:
            t0 = time.perf_counter()
            try:
                BENCHMARKS[name](args, workdir)
            except Exception as exc:  # one failing benchmark does not stop the others
                import traceback

                traceback.print_exc()
                record(name, f"ERROR {type(exc).__name__}: {exc}"[:120], "", "", False)
            print(f"  ({name} took {time.perf_counter() - t0:.0f} s)\n", flush=True)
    finally:
        if temp:
            shutil.rmtree(workdir, ignore_errors=True)
    widths = {k: max(len(k), *(len(r[k]) for r in RESULTS)) for k in ("benchmark", "figure", "ratio", "goal", "met")}
    print("summary (" + machine() + ")")
    print("  ".join(k.ljust(widths[k]) for k in widths))
    print("  ".join("-" * widths[k] for k in widths))
    for r in RESULTS:
        print("  ".join(r[k].ljust(widths[k]) for k in widths))
    return 0


if __name__ == "__main__":
    sys.exit(main())
