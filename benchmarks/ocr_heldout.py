"""OCR on held-back pages: scans rendered from hand-read reports the OCR tests do not use.

    python -m benchmarks.ocr_heldout [--all-degradations]

Every hand-read report in ``tests/truth`` whose tables 3 and 4 (2021 template) are
complete, except the three that ``tests/test_ocr.py`` reads, is drawn as a page
(:mod:`benchmarks.scans`) and degraded as scans are: one degradation per report,
taken in turn from the seven the tests use (``--all-degradations``: all seven for every
report).  The page goes through the same path as a user's file (``parse_bytes``), and
each cell of tables 3 and 4 is scored against the hand-read value: exact, wrong (read
but not the true value) or missing.  The issue's goal: at least 90% exact and 0 wrong.
Needs the ``[ocr]`` extra.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from . import scans as pages

TRUTH = Path(__file__).resolve().parents[1] / "tests" / "truth"
#: The reports tests/test_ocr.py reads; held back here means: not these.
USED_BY_TESTS = {"2025_fb8bfcf9bb4fc033", "2023_1c540d17821f0932", "2022_4fc3b7f70d2ff347"}


def held_back() -> list[tuple[str, dict]]:
    """(report id, truth) of every complete 2021-template report the OCR tests do not read."""
    out = []
    for path in sorted(TRUTH.glob("*.json")):
        t = json.loads(path.read_text(encoding="utf-8"))
        rid = path.stem
        tables = t.get("tables") or {}
        if rid in USED_BY_TESTS or t.get("template") != "2021" or not tables.get("t3") or not tables.get("t4"):
            continue
        values = [v for table in ("t3", "t4") for row in tables[table].values() for v in row.values()]
        if any(v is None for v in values) or "other.all" in tables["t3"]:
            continue
        out.append((rid, t))
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.ocr_heldout", description=__doc__.splitlines()[0])
    p.add_argument("--all-degradations", action="store_true", help="every degradation for every report")
    args = p.parse_args(argv)
    from toolkit.parsing import parse_bytes
    from toolkit.reading import ocr

    if not ocr.available():
        print("the [ocr] extra is not installed: pip install -e '.[ocr]'", file=sys.stderr)
        return 2
    kinds = pages.DEGRADATIONS
    names = list(kinds)
    sums = [0, 0, 0]
    print(f"{'report':<24} {'degradation':<10} {'exact':>5} {'wrong':>5} {'cells':>5} {'s':>6}")
    for i, (rid, t) in enumerate(held_back()):
        for name in (names if args.all_degradations else [names[i % len(names)]]):
            file, data = kinds[name](t)
            t0 = time.perf_counter()
            report = parse_bytes(data, file)
            seconds = time.perf_counter() - t0
            exact, wrong, total = pages.score(report, t)
            sums = [sums[0] + exact, sums[1] + wrong, sums[2] + total]
            print(f"{rid:<24} {name:<10} {exact:>5} {wrong:>5} {total:>5} {seconds:>6.1f}", flush=True)
    exact, wrong, total = sums
    share = exact / total if total else float("nan")
    print(f"held-back cells: {exact} of {total} exact ({share:.1%}), {wrong} wrong; "
          f"goal >= 90% exact and 0 wrong: {'met' if total and share >= 0.9 and wrong == 0 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
