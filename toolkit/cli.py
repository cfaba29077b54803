"""The ``xxgk`` command line: build the dataset, parse one report, audit a corpus.

Exit codes: 0 success, 2 usage error, 1 when an input cannot be read (with a
one-line ``xxgk: <file>: <reason>`` on stderr).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Sequence

from .errors import ReportError

__all__ = ["main"]



def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="xxgk", description="Parse and audit 政府信息公开工作年度报告.")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="parse and audit a corpus; write CSV, Parquet and Excel")
    b.add_argument("--corpus", help="corpus folder (default: $XXGK_CORPUS or the shipped corpus/)")
    b.add_argument("--out", default="build", help="output folder (default: build/)")
    b.add_argument("--jobs", type=_positive, default=None,
                   help="worker processes for parsing (default: all cores)")
    b.add_argument("--no-excel", action="store_true", help="do not write xxgk.xlsx")
    b.add_argument("--no-cache", action="store_true",
                   help="parse every file again (default: reuse OUT/.cache; an unchanged corpus is "
                        "reported up to date)")
    pa = sub.add_parser("parse", help="parse one report file")
    pa.add_argument("file")
    pa.add_argument("--format", choices=("json", "text"), default="json")
    ch = sub.add_parser("chart", help="render one named chart to PNG (300 dpi) and SVG")
    ch.add_argument("name", help="chart name: applications_by_applicant, outcomes, "
                                 "proactive_disclosure, appeals, audit_summary")
    ch.add_argument("--out", required=True, help="output file or stem (FILE.png / FILE.svg are written)")
    ch.add_argument("--corpus")
    from . import ingest

    ingest.add_arguments(sub)
    a = sub.add_parser("audit", help="print failed and uncheckable audit findings")
    a.add_argument("--corpus")
    a.add_argument("--all", action="store_true", help="print every finding, passed ones too")
    return p


def _positive(value: str) -> int:
    n = int(value)
    if n < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return n


def _fail(message: str, code: int = 1) -> int:
    print(f"xxgk: {message}", file=sys.stderr)
    return code


def _load_corpus(corpus: str | None):
    """The corpus folder and its parse; raises (FileNotFoundError, ValueError) if unreadable."""
    from .loaders import corpus_dir, parse_corpus

    root = corpus_dir(corpus)
    return root, parse_corpus(root)


def _build(args: argparse.Namespace) -> int:
    from .build import OutputInCorpus, build

    try:
        result = build(args.corpus, args.out, jobs=args.jobs, cache=not args.no_cache,
                       excel=not args.no_excel)
    except OutputInCorpus as exc:
        return _fail(str(exc), 2)
    except (FileNotFoundError, ValueError) as exc:
        return _fail(str(exc))
    for line in result.lines:
        print(line)
    for file, error in result.skipped:
        print(f"skipped {file}: {error}")
    return 0


def _parse(args: argparse.Namespace) -> int:
    from .parse import parse_file

    try:
        report = parse_file(Path(args.file))
    except ReportError as exc:
        return _fail(f"{args.file}: {exc.reason}")
    if args.format == "json":
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return 0
    data = report.to_dict()
    print(f"report_id: {report.report_id}\nagency: {report.agency}\nyear: {report.year}\n"
          f"template: {report.template}")
    print("sections: " + " ".join(n for n, s in report.sections.items() if s))
    print("tables: " + " ".join(f"{t}={'present' if v is not None else 'absent'}"
                                for t, v in report.tables.items()))
    for f in data["checks"]:
        if f["passed"] is not True:
            status = "FAIL" if f["passed"] is False else "n/a "
            print(f"{status} {f['check']}: {f['detail']}")
    for w in report.warnings:
        print(f"warning: {w}")
    return 0


def _chart(args: argparse.Namespace) -> int:
    from . import plots

    if args.name not in plots.CHARTS:
        return _fail(f"unknown chart {args.name!r}; charts: {', '.join(plots.CHARTS)}", 2)
    try:
        fig = plots.render(args.name, args.corpus)
    except (FileNotFoundError, ValueError) as exc:
        return _fail(str(exc))
    for path in plots.save(fig, args.out):
        print(path)
    return 0


def _audit(args: argparse.Namespace) -> int:
    import pandas as pd

    from .audit import audit

    try:
        root, _ = _load_corpus(args.corpus)
    except (FileNotFoundError, ValueError) as exc:
        return _fail(str(exc))
    findings = audit(root)
    if not args.all:
        # fillna(False) keeps the uncheckable (<NA>) findings along with the failed ones.
        findings = findings[~findings["passed"].fillna(False)]
    shown = findings[["report_id", "check", "expected", "actual", "detail"]]
    if shown.empty:
        print("no failed or uncheckable findings")
        return 0
    with pd.option_context("display.max_rows", None, "display.max_colwidth", 120,
                           "display.width", 250):
        print(shown.to_string(index=False))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (2 for a usage error)."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help (0) and on usage errors (2)
        return int(exc.code or 0)
    try:
        from . import ingest

        commands = {"build": _build, "parse": _parse, "audit": _audit, "chart": _chart,
                    "add": ingest.run_add, "fetch": ingest.run_fetch}
        return commands[args.command](args)
    except BrokenPipeError:
        # The reader went away (`xxgk audit | head`); silence the flush at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
