"""The ``xxgk`` command line: build the dataset, parse one report, audit a corpus, draw a
chart, add and fetch reports.

Exit codes: 0 success, 2 usage error, 1 when an input cannot be read (with a
one-line ``xxgk: <file>: <reason>`` on stderr; ``xxgk add``: when any file given
was not added for a reason other than being in the corpus already).  Bad input
and I/O faults never give a traceback; only a bug in xxgk itself does.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Sequence

from .corpus import CorpusNotFound, MetadataError
from .errors import ReportError, one_line
from .fileio import LockBusy

__all__ = ["main"]

_CORPUS_HELP = "corpus folder (default: $XXGK_CORPUS, else the corpus shipped with xxgk)"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="xxgk", description="Parse and audit 政府信息公开工作年度报告.")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="parse and audit a corpus; write CSV, Parquet, Excel and charts")
    b.add_argument("--corpus", help=_CORPUS_HELP)
    b.add_argument("--out", help="output folder (default: the corpus's folder in the data home, "
                                 "$XXGK_HOME or ~/xxgk_data; the loaders read it from there)")
    b.add_argument("--jobs", type=_positive, default=None,
                   help="worker processes for parsing (default and most: the number of cores)")
    b.add_argument("--no-excel", action="store_true", help="do not write xxgk.xlsx")
    b.add_argument("--no-charts", action="store_true", help="do not draw charts/")
    b.add_argument("--no-cache", action="store_true",
                   help="parse every file again (default: reuse the parse cache; an unchanged corpus is "
                        "reported up to date)")
    pa = sub.add_parser("parse", help="parse one report file")
    pa.add_argument("file")
    pa.add_argument("--format", choices=("json", "text"), default="json")
    ch = sub.add_parser("chart", help="render one named chart to PNG (300 dpi) and SVG")
    ch.add_argument("name", help="chart name: applications_by_applicant, outcomes, "
                                 "proactive_disclosure, appeals, audit_summary")
    ch.add_argument("--out", required=True, help="output file or stem (FILE.png / FILE.svg are written)")
    ch.add_argument("--corpus", help=_CORPUS_HELP)
    a = sub.add_parser("audit", help="print failed and uncheckable audit findings")
    a.add_argument("--corpus", help=_CORPUS_HELP)
    a.add_argument("--all", action="store_true", help="print every finding, passed ones too")
    ad = sub.add_parser("add", help="add report files (or folders of them) to the corpus")
    ad.add_argument("paths", nargs="+", metavar="FILE_OR_DIR",
                    help="report files (.txt .md .html .htm .docx .pdf) or folders (searched recursively)")
    ad.add_argument("--corpus", help=_CORPUS_HELP)
    ad.add_argument("--source-url", type=_source_url,
                    help="http(s) URL the files were downloaded from (recorded in metadata.csv)")
    f = sub.add_parser("fetch", help="download reports politely and add them to the corpus")
    f.add_argument("urls", nargs="*", metavar="URL")
    f.add_argument("--from-file", metavar="FILE", help="read URLs from FILE, one per line (# comments)")
    f.add_argument("--corpus", help=_CORPUS_HELP)
    f.add_argument("--delay", type=_non_negative, default=1.0,
                   help="seconds between requests to the same host (default: 1)")
    f.add_argument("--timeout", type=_positive_float, default=20.0, help="seconds per request (default: 20)")
    return p


def _source_url(value: str) -> str:
    from .corpus.add import check_source_url

    try:
        return check_source_url(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(one_line(exc)) from None


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return n


def _non_negative(value: str) -> float:
    try:
        x = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not x >= 0 or x == float("inf"):
        raise argparse.ArgumentTypeError("must be a number of 0 or more")
    return x


def _positive_float(value: str) -> float:
    x = _non_negative(value)
    if x == 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return x


def _fail(message: object, code: int = 1) -> int:
    print(f"xxgk: {one_line(message, 1000)}", file=sys.stderr)
    return code


# ------------------------------------------------------------------ commands


def _build(args: argparse.Namespace) -> int:
    from .data.build import BuildError, OutputInCorpus, build

    extras = []
    if not args.no_charts:
        from .plots import write_charts

        extras.append(write_charts)
    try:
        result = build(args.corpus, args.out, jobs=args.jobs, cache=not args.no_cache,
                       excel=not args.no_excel, extras=extras)
    except OutputInCorpus as exc:
        return _fail(exc, 2)
    except BuildError as exc:
        return _fail(exc)
    for line in result.lines:
        print(line)
    for file, error in result.skipped:
        print(f"skipped {one_line(file)}: {one_line(error)}")
    return 0


def _parse(args: argparse.Namespace) -> int:
    from .data import parse_report

    path = Path(args.file)
    if not path.exists():
        return _fail(f"{args.file}: no such file")
    report = parse_report(path)
    data = report.to_dict()
    if args.format == "json":
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
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
        print(f"warning: {one_line(w)}")
    return 0


def _chart(args: argparse.Namespace) -> int:
    from . import plots

    if args.name not in plots.CHARTS:
        return _fail(f"unknown chart {args.name!r}; charts: {', '.join(plots.CHARTS)}", 2)
    fig = plots.render(args.name, args.corpus)
    try:
        paths = plots.save(fig, args.out)
    except OSError as exc:
        return _fail(f"{exc.filename or args.out}: cannot write the chart ({exc.strerror or exc})")
    except ValueError as exc:  # matplotlib: a path it cannot write to (a folder, no format)
        return _fail(f"{args.out}: cannot write the chart ({exc})")
    for path in paths:
        print(path)
    return 0


def _audit(args: argparse.Namespace) -> int:
    import pandas as pd

    from .data import audit
    from .data.integrity import corpus_notes

    for note in corpus_notes(args.corpus):
        print(f"note: {one_line(note, 1000)}")
    findings = audit(args.corpus)
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


def _add(args: argparse.Namespace) -> int:
    from .corpus.add import add_reports

    result = add_reports(args.paths, args.corpus, source_url=args.source_url)
    for a in result.added:
        note = f" ({a.parse_status}: {one_line(a.parse_note)})" if a.parse_note else ""
        print(f"added {one_line(a.path)} -> {a.file}{note}")
        if a.note:
            print(f"note: {one_line(a.file)}: {one_line(a.note)}")
    for s in result.skipped:
        print(f"skipped {one_line(s.path)}: {one_line(s.reason)}")
    print(f"{result.n_added} added, {result.n_skipped} skipped")
    # 1 when an input could not be read or is not a report; one already in the corpus is no error.
    return 1 if result.failed else 0


def _fetch(args: argparse.Namespace) -> int:
    from .corpus.fetch import fetch

    urls = list(args.urls or [])
    if args.from_file:
        from .fileio import read_bytes

        try:  # a regular file only: a FIFO given here would wait forever
            lines = read_bytes(args.from_file, limit=64 * 2**20).decode("utf-8-sig").splitlines()
        except ReportError as exc:
            return _fail(f"{args.from_file}: cannot read URL list ({exc.reason})")
        except UnicodeDecodeError as exc:
            return _fail(f"{args.from_file}: cannot read URL list (not UTF-8 at byte {exc.start})")
        urls += [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    if not urls:
        return _fail("fetch: give at least one URL or --from-file FILE", 2)
    result = fetch(urls, args.corpus, delay=args.delay, timeout=args.timeout)
    for item in result.items:
        where = item.url if item.final_url in (None, item.url) else f"{item.url} -> {item.final_url}"
        if item.status == "added":
            print(f"added {one_line(where)} as {item.report_id}")
            if item.reason:
                print(f"note: {item.report_id}: {one_line(item.reason)}")
        else:
            print(f"skipped {one_line(where)}: {one_line(item.reason)}")
    print(f"{len(result.added)} added, {len(result.skipped)} skipped, {result.requests} requests")
    return 0


_COMMANDS = {"build": _build, "parse": _parse, "audit": _audit, "chart": _chart, "add": _add, "fetch": _fetch}


class _OneLine(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"xxgk: {one_line(record.getMessage(), 1000)}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (2 for a usage error)."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help (0) and on usage errors (2)
        return int(exc.code or 0)
    # A file size limit (ulimit -f) makes a write fail with EFBIG, reported as an I/O error,
    # rather than kill xxgk mid-write with SIGXFSZ.
    if hasattr(signal, "SIGXFSZ") and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    # The library's notes (a cache rebuilt, --jobs capped) go to stderr, one line each.
    logger = logging.getLogger("toolkit")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLine())
    logger.addHandler(handler)
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)
    try:
        return _COMMANDS[args.command](args)
    except (ReportError, CorpusNotFound, MetadataError, LockBusy) as exc:
        return _fail(exc)
    except BrokenPipeError:
        # The reader went away (`xxgk audit | head`); silence the flush at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # an I/O fault (disk full, a file size limit, no permission): one line
        where = f"{exc.filename}: " if exc.filename else ""
        return _fail(f"{where}{exc.strerror or exc}")
    finally:
        logger.removeHandler(handler)
