"""The ``xxgk`` command line: build the dataset, parse one report, audit a corpus, compute the
indicators, draw a chart, add and fetch reports.

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

from . import schema
from .corpus import CorpusNotFound, CorpusNotNamed, MetadataError
from .errors import ReportError, one_line
from .fileio import LockBusy, OutputInCorpus

__all__ = ["main"]

_CORPUS_HELP = "corpus folder (default: $XXGK_CORPUS, else the corpus shipped with xxgk)"
#: The terminal width the audit's output is laid out for.
AUDIT_WIDTH = 100


def _parser() -> argparse.ArgumentParser:
    from . import __version__

    p = argparse.ArgumentParser(prog="xxgk", description="Parse and audit 政府信息公开工作年度报告.")
    p.add_argument("--version", action="version", version=f"xxgk {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    ini = sub.add_parser("init", help="start a new, empty corpus in a new or empty folder")
    ini.add_argument("folder", help="the folder (created if missing)")
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
    se = sub.add_parser("serve", help="browse the built database (xxgk.db) in Datasette at 127.0.0.1 "
                                      "(needs pip install 'xxgk[serve]')")
    se.add_argument("--corpus", help=_CORPUS_HELP)
    se.add_argument("--out", help="the build's output folder (default: the corpus's folder in the data home)")
    se.add_argument("--port", type=_port, default=8001, help="port (default: 8001)")
    se.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    pa = sub.add_parser("parse", help="parse one report file")
    pa.add_argument("file")
    pa.add_argument("--format", choices=("json", "text"), default="json")
    # The chart registry is light (no matplotlib, no pandas): `xxgk --help` stays fast.
    from .plots.registry import GROUPINGS, REGISTRY

    width = max(map(len, REGISTRY))
    ch = sub.add_parser("chart", help="render one named chart to PNG (300 dpi) and SVG",
                        formatter_class=argparse.RawDescriptionHelpFormatter,
                        description="Render one chart as FILE.png (300 dpi) and FILE.svg, and list the reports "
                                    "it draws on in FILE.sources.csv.\n\ncharts:\n"
                                    + "\n".join(f"  {n:<{width}}  {c.en}" + (" (--by)" if c.by else "")
                                                 for n, c in REGISTRY.items()))
    ch.add_argument("name", help="chart name: " + ", ".join(REGISTRY))
    grouped = [n for n, c in REGISTRY.items() if c.by]
    ch.add_argument("--by", choices=[g for g in GROUPINGS if any(g in c.by for c in REGISTRY.values())],
                    help="grouped per organ, year, province, administrative level or sector "
                         "(charts " + ", ".join(grouped) + ")")
    ch.add_argument("--organ", help="only this organ's reports, drawn by year unless --by says otherwise: an organ_id or a name matching one organ")
    ch.add_argument("--province", help="only this province's reports (e.g. 河北省)")
    ch.add_argument("--year", type=_year, help="only this report year")
    ch.add_argument("--title", help="the chart's Chinese title line (default: the chart's, naming the selection)")
    # Checked by the command after the chart's name, so a misspelt name is what is reported first.
    ch.add_argument("--out", help="output file or stem (FILE.png / FILE.svg are written); required")
    ch.add_argument("--corpus", help=_CORPUS_HELP)
    ind = sub.add_parser("indicators", help="write the indicators (rates with intervals, counts) as CSV")
    ind.add_argument("--by", choices=schema.SUMMARY_BY,
                     help="totals and pooled rates per group of reports (default: one row per report and "
                          "indicator)")
    ind.add_argument("--out", required=True, help="CSV file to write (UTF-8 with BOM, opens in Excel)")
    ind.add_argument("--corpus", help=_CORPUS_HELP)
    a = sub.add_parser("audit", help="print failed and uncheckable audit findings")
    a.add_argument("--corpus", help=_CORPUS_HELP)
    shown = a.add_mutually_exclusive_group()
    shown.add_argument("--failed", action="store_true",
                       help="failed checks only, one short line each (report, check, expected, actual)")
    shown.add_argument("--all", action="store_true", help="print every finding, passed ones too")
    a.add_argument("--report", action="append", metavar="REPORT_ID",
                   help="only this report's findings (repeat for more)")
    a.add_argument("--organ", help="only this organ's reports: an organ_id or a name matching one organ")
    ad = sub.add_parser("add", help="add report files (or folders of them) to the corpus")
    ad.add_argument("paths", nargs="+", metavar="FILE_OR_DIR",
                    help=_files_help())
    ad.add_argument("--corpus", help=_CORPUS_HELP)
    ad.add_argument("--source-url", type=_source_url,
                    help="http(s) URL the files were downloaded from (recorded in metadata.csv)")
    ad.add_argument("--agency", help="the reporting organ, in place of what the report's text gives "
                                     "(one file only; its region follows from the name)")
    ad.add_argument("--year", type=_year, help="the year the report is for (one file only)")
    ad.add_argument("--title", help="the report's title (one file only)")
    ad.add_argument("--replace", action="store_true",
                    help="list a file already in the corpus again, from this parse and the options above "
                         "(default: such a file is skipped)")
    f = sub.add_parser("fetch", help="download reports politely and add them to the corpus")
    f.add_argument("urls", nargs="*", metavar="URL")
    f.add_argument("--from-file", metavar="FILE", help="read URLs from FILE, one per line (# comments)")
    f.add_argument("--corpus", help=_CORPUS_HELP)
    f.add_argument("--delay", type=_non_negative, default=1.0,
                   help="seconds between requests to the same host (default: 1)")
    f.add_argument("--timeout", type=_positive_float, default=20.0, help="seconds per request (default: 20)")
    f.add_argument("--max-requests", type=_positive, default=50, metavar="N",
                   help="at most N HTTP requests in all, robots.txt, redirects and retries included (default: 50)")
    f.add_argument("--max-links", type=_positive, default=20, metavar="N",
                   help="follow at most N report attachment links, and fetch at most N pictures (tables "
                        "pasted as pictures), from one page (default: 20)")
    f.add_argument("--follow-offsite", action="store_true",
                   help="follow attachment links and fetch pictures on other sites too (default: only the "
                        "page's own host, with or without www.)")
    f.add_argument("--allow-private", action="store_true",
                   help="fetch from loopback, private and link-local addresses too (default: refused)")
    return p


def _files_help() -> str:
    """The ``add`` files' help, from the format registry."""
    from .reading.formats import registered

    walked = " ".join(s for f in registered() if not f.by_name_only and f.reader is not None for s in f.suffixes)
    by_ocr = " ".join(s for f in registered() if f.ocr and f.by_name_only for s in f.suffixes)
    return (f"report files ({walked}; scanned .pdf and, named one by one, {by_ocr} by OCR with the "
            "[ocr] extra) or folders (searched recursively)")


def _source_url(value: str) -> str:
    from .corpus.add import check_source_url

    try:
        return check_source_url(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(one_line(exc)) from None


def _year(value: str) -> int:
    from .corpus.add import OverrideError, check_year

    try:
        return check_year(value)
    except OverrideError as exc:
        raise argparse.ArgumentTypeError(one_line(exc)) from None


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return n


def _port(value: str) -> int:
    n = _positive(value)
    if n > 65535:
        raise argparse.ArgumentTypeError("a port is at most 65535")
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
    from .data.build import BuildError
    from .plots.dataset import build_dataset

    try:
        result = build_dataset(args.corpus, args.out, jobs=args.jobs, cache=not args.no_cache,
                               excel=not args.no_excel, charts_too=not args.no_charts)
    except BuildError as exc:
        return _fail(exc)
    for line in _build_summary(result, charts=not args.no_charts):
        print(line)
    for file, error in result.skipped:
        print(f"skipped {one_line(file)}: {one_line(error)}")
    return 0


def _build_summary(result, charts: bool) -> list[str]:
    """What ``xxgk build`` says of a build (*charts*: whether it was asked to draw them)."""
    from .data.build import EXCEL_MAX_ROWS

    lines = [f"up to date: nothing changed since the last build of {result.corpus}"] if result.up_to_date else []
    lines += [f"{result.listed} reports listed in {result.corpus}",
              f"  parsed: {result.parsed} ({result.with_warnings} with warnings)",
              f"  skipped (unreadable): {len(result.skipped)}",
              f"  audit: {result.failed} checks failed, {result.unchecked} not checkable, of {result.checks}",
              f"  written to {result.out}"]
    if result.too_big:
        lines.append("  xxgk.xlsx not written: "
                     + ", ".join(f"sheet {n} has {k:,} rows" for n, k in result.too_big.items())
                     + f", more than an Excel sheet holds ({EXCEL_MAX_ROWS:,}); use the CSV or Parquet files")
    elif not result.excel:
        lines.append("  xxgk.xlsx not written (--no-excel)")
    if not charts:
        lines.append("  no charts drawn (--no-charts)")
    return lines


def _serve(args: argparse.Namespace) -> int:
    from .analysis.database import DB_FILE, datasette_metadata
    from .corpus import corpus_dir
    from .data.home import corpus_home

    try:
        from datasette.app import Datasette
    except ImportError:
        return _fail("xxgk serve needs Datasette: pip install 'xxgk[serve]'")
    out = Path(args.out).expanduser() if args.out else corpus_home(corpus_dir(args.corpus))
    db = out / DB_FILE
    if not db.is_file():
        where = f" --out {args.out}" if args.out else ""
        return _fail(f"{db}: no database here; run `xxgk build{where}` first")
    import asyncio

    import uvicorn

    app = Datasette([str(db)], immutables=[], metadata=datasette_metadata(),
                    settings={"default_page_size": 50, "sql_time_limit_ms": 3000}).app()
    print(f"serving {db} at http://{args.host}:{args.port}/ (Ctrl-C stops)", flush=True)
    config = uvicorn.Config(app, host=args.host, port=args.port, log_level="warning")
    try:
        asyncio.run(uvicorn.Server(config).serve())
    except KeyboardInterrupt:
        pass
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
    if args.by is not None and args.name not in plots.BY_CHARTS:
        return _fail(f"chart {args.name!r} has no --by; charts drawn by a grouping: "
                     f"{', '.join(plots.BY_CHARTS)}", 2)
    if args.out is None:
        return _fail("chart: give --out FILE (FILE.png and FILE.svg are written)", 2)
    folder = Path(args.out).expanduser().resolve().parent
    if not folder.is_dir():  # a mistyped path makes no folders
        return _fail(f"{folder}: no such folder for --out (create it first)", 2)
    _outside_corpus(folder, args.corpus)  # where FILE.png goes
    try:
        fig = plots.render(args.name, args.corpus, by=args.by, organ=args.organ, province=args.province,
                           year=args.year, title=args.title)
    except plots.AmbiguousOrgan as exc:
        print(f"xxgk: --organ {args.organ!r} matches {len({i for i, _n in exc.candidates})} organs; "
              "give one of these organ_ids:", file=sys.stderr)
        for organ_id, name in exc.candidates:
            print(f"  {organ_id}  {name}", file=sys.stderr)
        return 2
    except ValueError as exc:  # a selection that matches nothing
        return _fail(exc, 2)
    try:
        paths = plots.save(fig, args.out)
    except OSError as exc:
        return _fail(f"{exc.filename or args.out}: cannot write the chart ({exc.strerror or exc})")
    except ValueError as exc:  # matplotlib: a path it cannot write to (a folder, no format)
        return _fail(f"{args.out}: cannot write the chart ({exc})")
    for path in paths:
        print(path)
    return 0


def _outside_corpus(path: Path, corpus: str | None) -> None:
    """Raise OutputInCorpus when *path* is in the corpus the command reads (main() makes it a
    usage error)."""
    from .corpus import corpus_dir
    from .fileio import outside_corpus

    outside_corpus(path, corpus_dir(corpus))


def _indicators(args: argparse.Namespace) -> int:
    from .analysis import indicators, summarise_indicators
    from .data.tabular import write_csv

    out = Path(args.out)
    if out.suffix.lower() != ".csv":
        return _fail(f"{args.out}: --out names a .csv file (the indicators are written as CSV)", 2)
    if out.is_dir():
        return _fail(f"{args.out}: --out names a folder; give a .csv file", 2)
    _outside_corpus(out, args.corpus)
    frame = indicators(args.corpus)
    if args.by is not None:
        from .data import load_reports

        frame = summarise_indicators(frame, args.by, reports=load_reports(args.corpus))
    try:
        # The CSV contract of the build's tables (UTF-8 with a byte-order mark so that Excel shows
        # the Chinese names; <NA> an empty cell; formula-like text defused).
        write_csv(frame, out)
    except OSError as exc:
        return _fail(f"{args.out}: cannot write the indicators ({exc.strerror or exc})")
    print(f"{out}: {len(frame)} rows, {frame.shape[1]} columns")
    return 0


def _width(text: str) -> int:
    """Columns *text* takes in a terminal (CJK characters take two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _head(text: str, cols: int) -> str:
    """The longest start of *text* that fits in *cols* terminal columns."""
    out = ""
    for ch in text:
        if _width(out + ch) > cols:
            break
        out += ch
    return out


def _fit(text: str, width: int) -> str:
    """*text* cut to *width* terminal columns (with … when cut), padded to it."""
    if _width(text) > width:
        text = _head(text, width - 1) + "…"
    return text + " " * (width - _width(text))


def _wrap(text: str, width: int, indent: str) -> list[str]:
    """*text* in lines of at most *width* terminal columns, each starting with *indent*;
    broken at spaces, and inside a word only when the word alone is longer than a line."""
    lines, line = [], indent
    for word in text.split(" "):
        sep = " " if line.strip() else ""
        if _width(line + sep + word) <= width:
            line += sep + word
            continue
        if line.strip():
            lines.append(line)
        while _width(indent + word) > width:
            head = _head(word, width - _width(indent))
            lines.append(indent + head)
            word = word[len(head):]
        line = indent + word
    if line.strip():
        lines.append(line)
    return lines


def _number(value) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):  # None, pandas NA
        return "-"
    if v != v:  # NaN
        return "-"
    return f"{v:,.0f}" if v.is_integer() else f"{v:,.4g}"


_PRE_TEMPLATE = "Not checked: report year "


def _audit_lines(findings, detail: bool, width: int = AUDIT_WIDTH, who: dict | None = None,
                 everything: bool = False) -> list[str]:
    """The findings grouped by report, in at most *width* columns: a line naming the report (its
    organ and year from *who*, report_id -> (organ, year), and its counts), then a line per
    finding (check, expected, actual[, result]), with *detail* the finding's sentence below it; unless
    *everything*, a report before the fixed template gets one line for its checks that do not apply."""
    import pandas as pd

    who = who or {}
    num_w, indent = 10, "  "
    room = width - len(indent) - 2 * num_w - 4 - (len("  result") if detail else 0)
    check_w = min(room, max([5] + [_width(str(c)) for c in findings["check"].astype(object)]))
    head = f"{indent}{_fit('check', check_w)}  {'expected':>{num_w}}  {'actual':>{num_w}}"
    if detail:
        head += "  result"
    lines = [head.rstrip(), "-" * min(width, _width(head.rstrip()))]
    rows = list(zip(findings["report_id"].astype(object), findings["check"].astype(object),
                    findings["expected"].astype(object), findings["actual"].astype(object),
                    findings["passed"].astype(object), findings["detail"].astype(object)))
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(str(row[0]), []).append(row)
    for rid, found in groups.items():
        organ, year = who.get(rid, (None, None))
        failed = sum(1 for r in found if r[4] is False)
        unknown = sum(1 for r in found if r[4] is None or r[4] is pd.NA)
        counts = [f"{failed} failed"] + ([f"{unknown} not checkable"] if unknown else [])
        if detail and len(found) > failed + unknown:
            counts.append(f"{len(found) - failed - unknown} passed")
        named = " ".join(str(x) for x in (organ, f"{year}年" if year is not None else None) if x is not None)
        title = f"{rid}  {named}" if named else rid
        lines.extend(_wrap(f"{title} ({', '.join(counts)})", width, ""))
        # A report before the fixed template has nothing to check for most checks: one line
        # says so instead of one per check, which would bury the findings that matter.
        note = next((str(r[5]) for r in found if detail and not everything
                     and str(r[5]).startswith(_PRE_TEMPLATE)), None)
        if note is not None:
            before = [r for r in found if r[4] is None or r[4] is pd.NA]
            lines.extend(_wrap(f"{len(before)} checks not applicable: " + note.split("; ")[0]
                               .replace("Not checked: ", "") + " (xxgk audit --all lists them)",
                               width, indent))
            found = [r for r in found if not (r[4] is None or r[4] is pd.NA)]
        for _rid, check, expected, actual, passed, text in found:
            line = (f"{indent}{_fit(str(check), check_w)}  {_number(expected):>{num_w}}  "
                    f"{_number(actual):>{num_w}}")
            if detail:
                result = "n/a" if passed is None or passed is pd.NA else ("ok" if passed else "FAIL")
                line += f"  {result}"
            lines.append(line.rstrip())
            if detail and text is not None and text is not pd.NA and str(text).strip():
                lines.extend(_wrap(" ".join(str(text).split()), width, indent + "    "))
    return lines


def _audit(args: argparse.Namespace) -> int:
    from .data import audit, load_reports
    from .data.integrity import corpus_notes

    import pandas as pd

    reports = load_reports(args.corpus)
    who = {str(r): (None if pd.isna(a) else str(a), None if pd.isna(y) else int(y))
           for r, a, y in zip(reports["report_id"].astype(object), reports["agency"].astype(object),
                              reports["year"].astype(object))}
    keep = None
    if args.report:
        unknown = [r for r in args.report if r not in who]
        if unknown:
            return _fail(f"--report {unknown[0]!r}: no such report in the corpus", 2)
        keep = set(args.report)
    if args.organ:
        from .analysis.selection import AmbiguousOrgan, OrganNotFound, resolve_organ

        try:
            organ_id = resolve_organ(reports, args.organ)
        except AmbiguousOrgan as exc:
            print(f"xxgk: --organ {args.organ!r} matches {len({i for i, _n in exc.candidates})} organs; "
                  "give one of these organ_ids:", file=sys.stderr)
            for candidate, name in exc.candidates:
                print(f"  {candidate}  {name}", file=sys.stderr)
            return 2
        except OrganNotFound as exc:
            return _fail(exc, 2)
        mine = set(reports.loc[(reports["organ_id"].astype("string") == organ_id).fillna(False),
                               "report_id"].astype(str))
        keep = mine if keep is None else keep & mine
    if keep is None:  # the corpus's notes concern the whole corpus, not a selection
        for note in corpus_notes(args.corpus):
            # Laid out for the same 100 columns as the findings: continuation lines indented.
            wrapped = _wrap(one_line(note, 1000), AUDIT_WIDTH - 6, "") or [""]
            print(f"note: {wrapped[0]}")
            for line in wrapped[1:]:
                print(f"      {line}")
    findings = audit(args.corpus)
    if keep is not None:
        findings = findings[findings["report_id"].astype(str).isin(keep).to_numpy(dtype=bool)]
    if args.failed:
        findings = findings[findings["passed"].eq(False).fillna(False).to_numpy(dtype=bool)]
        if findings.empty:
            print("no failed checks")
            return 0
        lines = _audit_lines(findings, detail=False, who=who)
        lines.append(f"{len(findings)} failed checks in {findings['report_id'].nunique()} reports")
    else:
        if not args.all:
            # fillna(False) keeps the uncheckable (<NA>) findings along with the failed ones.
            findings = findings[~findings["passed"].fillna(False).to_numpy(dtype=bool)]
        if findings.empty:
            print("no failed or uncheckable findings")
            return 0
        lines = _audit_lines(findings, detail=True, who=who, everything=args.all)
        failed = int(findings["passed"].eq(False).fillna(False).sum())
        lines.append(f"{failed} failed and {int(findings['passed'].isna().sum())} not checkable "
                     f"findings in {findings['report_id'].nunique()} reports")
    for line in lines:
        print(line)
    return 0


def _init(args: argparse.Namespace) -> int:
    from .corpus import create_corpus

    root = create_corpus(args.folder)
    print(f"new corpus in {root}: add reports with `xxgk add FILE... --corpus {root}`")
    return 0


def _missing_line(added, corpus: str | None) -> str:
    """The one line saying what a report was added without, and the command that gives it."""
    what = ", ".join(added.missing)
    fixes = [f"--{name} {hint}" for name, hint in (("agency", "NAME"), ("year", "YYYY")) if name in added.missing]
    if fixes:
        where = f" --corpus {corpus}" if corpus else ""
        how = f"give it: xxgk add {added.path}{where} --replace {' '.join(fixes)}"
    else:  # the agency is there, but names no place xxgk knows
        how = "the agency's name gives no place xxgk knows; its numbers fall out of groupings by region"
    return f"warning: {one_line(added.file)}: could not find {what}; {one_line(how)}"


def _add(args: argparse.Namespace) -> int:
    from .corpus.add import OverrideError, Overrides, add_reports

    overrides = Overrides(args.agency, args.year, args.title)
    try:
        result = add_reports(args.paths, args.corpus, source_url=args.source_url, overrides=overrides,
                             replace=args.replace)
    except OverrideError as exc:
        return _fail(exc, 2)
    for a in result.added:
        note = f" ({a.parse_status}: {one_line(a.parse_note)})" if a.parse_note else ""
        verb = f"replaced {a.replaced} by" if a.replaced else "added"
        print(f"{verb} {one_line(a.path)} -> {a.file}{note}")
        if a.note:
            print(f"note: {one_line(a.file)}: {one_line(a.note)}")
        if a.missing:
            print(_missing_line(a, args.corpus))
    for s in result.skipped:
        hint = "; --replace lists it again from this parse" if s.present else ""
        print(f"skipped {one_line(s.path)}: {one_line(s.reason)}{hint}")
    n_replaced = sum(1 for a in result.added if a.replaced)
    print(f"{result.n_added - n_replaced} added, {n_replaced} replaced, {result.n_skipped} skipped"
          if n_replaced else f"{result.n_added} added, {result.n_skipped} skipped")
    # 1 when an input could not be read or is not a report; one already in the corpus is no error,
    # unless the user asked to set its agency, year or title (which did not happen).
    refused = bool(overrides) and any(s.present for s in result.skipped)
    return 1 if result.failed or refused else 0


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
    result = fetch(urls, args.corpus, delay=args.delay, timeout=args.timeout, max_requests=args.max_requests,
                   max_links=args.max_links, follow_offsite=args.follow_offsite, allow_private=args.allow_private)
    for item in result.items:
        where = item.url if item.final_url in (None, item.url) else f"{item.url} -> {item.final_url}"
        if item.status == "added":
            print(f"added {one_line(where)} as {item.report_id}")
            if item.reason:
                print(f"note: {item.report_id}: {one_line(item.reason)}")
        else:
            print(f"skipped {one_line(where)}: {one_line(item.reason)}")
    for note in result.notes:
        print(f"note: {one_line(note)}")
    print(f"{len(result.added)} added, {len(result.skipped)} skipped, {result.requests} requests")
    return 0


_COMMANDS = {"init": _init, "build": _build, "serve": _serve, "parse": _parse, "audit": _audit, "chart": _chart, "indicators": _indicators,
             "add": _add, "fetch": _fetch}


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
    except CorpusNotNamed as exc:  # no corpus named to write to
        return _fail(exc.for_command_line(), 2)
    except OutputInCorpus as exc:  # an output inside the corpus
        return _fail(exc, 2)
    except CorpusNotFound as exc:
        return _fail(exc.for_command_line())
    except (ReportError, MetadataError, LockBusy) as exc:
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
