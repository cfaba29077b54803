"""Turn a report's published text into sections and tables: the parser's entry points.

The one rule: a number is assigned to a cell only when the parser is certain
which cell it is.  Whatever cannot be read with certainty is left missing
(``None``) and a warning says why.  A table the report does not contain is
``None``, never zeros.  How tables are read: :mod:`toolkit.parsing.tables`.
"""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Iterable

from .. import schema
from ..errors import ReportError
from ..fileio import read_bytes
from ..reading import Document, read_data
from ..reading.formats import read_suffixes
from ..textnorm import clean, half_width
from .report import Report
from .resolve import resolve
from .sections import find_sections, find_t4_header
from .statements import find_statements
from .tables import (classify_grid, detect_template, read_grid_t4, read_grid_table, read_t4_text,
                     read_text_table, t3_fragment, t3_header_grid, t3_template)
from .title import extract_title

__all__ = ["parse_text", "parse_document", "parse_file", "parse_bytes", "parse_path_or_text", "mark_pre_template"]


_FOOTER = re.compile(r"[-—–－~]{1,3}[ \t]*\d{1,3}[ \t]*[-—–－~]{1,3}|第[ \t]*\d{1,3}[ \t]*页"
                     r"(?:[ \t]*[,，/][ \t]*共[ \t]*\d{1,3}[ \t]*页)?")


def _blank_footers(text: str) -> str:
    """Page footers (``- 2 -``, ``— 4 —``, ``第3页``) blanked out, offsets kept: they are not cells.

    A footer stands on a line of its own, or inline between spaces with em/en dashes
    (markdown converted from PDF); ``208-15-30`` inside a row is not one."""
    def blank(m: re.Match) -> str:
        s, e = m.span()
        before = text[text.rfind("\n", 0, s) + 1:s]
        nl = text.find("\n", e)
        after = text[e:len(text) if nl < 0 else nl]
        own_line = not before.strip() and not after.strip()
        inline = (m.group(0)[0] in "—–" and m.group(0)[-1] in "—–" and (not before or before[-1].isspace())
                  and (not after or after[0].isspace()))
        return " " * (e - s) if own_line or inline else m.group(0)

    return _FOOTER.sub(blank, text)


def _blank_footers_in_tables(norm: str, spans: dict) -> str:
    """*norm* with page footers blanked where tables are read (sections 2–4, or all of it)."""
    found = [spans[n] for n in ("2", "3", "4") if spans[n] is not None]
    if not found or spans["3"] is None:
        return _blank_footers(norm)
    lo, hi = min(s for s, _ in found), max(e for _, e in found)
    return norm[:lo] + _blank_footers(norm[lo:hi]) + norm[hi:]


_FIRST_HEADING = re.compile(r"^[ \t#*]*(?:一|1)[ \t]*[、.．][ \t]*(?:\*\*)?[ \t]*总体情况", re.M)
_TITLE_LINE = re.compile(r"^[^\n]{0,60}(?:政府信息公开|政务公开)[^\n]{0,30}年度?报告[^\n]{0,20}$", re.M)
_T2_HEADING = re.compile(r"主动公开政府信息(?:的)?情况")


def _second_report(norm: str) -> tuple[int, str] | None:
    """(line number, title) of a second report in *norm* — its own title and then its own
    一、总体情况 and table headings after the first report's — else None."""
    if norm.count("总体情况") < 2:
        return None
    heads = list(_FIRST_HEADING.finditer(norm))
    for first, second in zip(heads, heads[1:]):
        titles = list(_TITLE_LINE.finditer(norm, first.end(), second.start()))
        if titles and _T2_HEADING.search(norm, second.end()) and _T2_HEADING.search(norm, first.end(),
                                                                                     titles[-1].start()):
            title = titles[-1]
            return norm.count("\n", 0, title.start()) + 1, title.group(0).strip()
    return None


def parse_text(text: str, *, report_id: str | None = None, source: str | None = None,
               warnings: Iterable[str] = (), grids=(), page_title: str | None = None) -> Report:
    """Parse report text (already decoded).  Raises ReportError if it is not a report.

    *grids* are the document's tables as :class:`toolkit.reading.Grid` (from
    HTML/DOCX/PDF); a table found in a grid is read by position, otherwise
    from the text.  *page_title* is the title the file gives beside its text (an
    HTML ``<title>``), read when the text's own opening names no report.
    """
    warnings = list(warnings)
    plain = clean(text)
    norm = half_width(plain)
    if not norm.strip():
        raise ReportError(source, "empty file")
    second = _second_report(norm)
    if second is not None:
        # Read as one, the second report would be swallowed into the first one's section 六.
        raise ReportError(source, f"two reports in one file: a second report ({second[1][:60]}) begins on line "
                                  f"{second[0]}; split it into two files")
    spans = find_sections(norm)
    title, agency, year = extract_title(norm, half_width(clean(page_title)) if page_title else None)
    n_found = sum(s is not None for s in spans.values())
    if n_found < 3 and not (title or (re.search("信息公开|政务公开", norm[:2000]) and re.search("报告|年报|总结", norm[:2000]))):
        raise ReportError(source, "not a government information disclosure annual report "
                                  "(no 政府信息公开…年度报告 title and too few template sections)")
    sections = {n: (plain[s:e].strip() if s is not None else None) for n, (s, e) in
                ((n, span or (None, None)) for n, span in spans.items())}
    for n, body in sections.items():
        if body is None:
            warnings.append(f"section {n} ({schema.SECTIONS[n][0]}): heading not found")
    template = detect_template(norm)
    reads, templates = _read_tables(_blank_footers_in_tables(norm, spans), spans, grids, template, warnings)
    for key in ("t2", "t3", "t4"):
        if reads[key] is None:
            warnings.append(f"{key}: table not found in the text (absent, or published as an image); "
                            f"left absent")
    if all(t is None for t in reads.values()):
        template = None
        templates = {}
    else:
        templates = {k: (v if reads[k] is not None else None) for k, v in templates.items()}
    statements = find_statements(plain, spans, template, year, t3_template=templates.get("t3"),
                                 other_all=reads["t3"] is not None and "other.all" in reads["t3"].table)
    tables, cell_status, derived = resolve(reads, statements, templates.get("t3") or template, warnings)
    return mark_pre_template(Report(report_id=report_id, source=source, title=title, agency=agency,
                                    year=year, template=template, sections=sections, tables=tables,
                                    warnings=warnings, cell_status=cell_status, derived=derived,
                                    statements=statements, templates=templates))


def _read_tables(norm: str, spans: dict, grids, template: str, warnings: list[str]) -> tuple[dict, dict]:
    """(tables 2–4 as read (:class:`~toolkit.parsing.tables.TableRead`, None when absent), each
    table's template): from grids when a grid holds the table, else from its section's text.
    Table 3's template is its own (:func:`~toolkit.parsing.tables.t3_template`)."""
    kinds: dict[str, list] = {"t2": [], "t3": [], "t4": []}
    kind_of = [classify_grid(grid, template) for grid in grids]
    # A table 3 split over pages: a piece of fewer than three rows next to the rest is table 3 too.
    changed = True
    while changed:
        changed = False
        for i, grid in enumerate(grids):
            if kind_of[i] is None and any(0 <= j < len(grids) and kind_of[j] == "t3" for j in (i - 1, i + 1)) \
                    and t3_fragment(grid, template):
                kind_of[i] = "t3"
                changed = True
    for i, grid in enumerate(grids):
        # Table 3's header printed as a table of its own, just above the table.
        if kind_of[i] is None and i + 1 < len(grids) and kind_of[i + 1] == "t3" and t3_header_grid(grid):
            kind_of[i] = "t3"
    for grid, kind in zip(grids, kind_of):
        if kind:
            kinds[kind].append(grid)
    reads: dict = {}
    reads["t2"] = read_grid_table(kinds["t2"], "t2", template, warnings) if kinds["t2"] else None
    t3_grid_text = "\n".join(c for g in kinds["t3"] for row in g.rows for c in row if c)
    t3tmpl = t3_template(half_width(t3_grid_text), template) if kinds["t3"] else template
    reads["t3"] = read_grid_table(kinds["t3"], "t3", t3tmpl, warnings) if kinds["t3"] else None
    reads["t4"] = read_grid_t4(kinds["t4"], warnings) if kinds["t4"] else None
    # Tables are read from the half-width text of each section.
    tsec = {n: (norm[s:e] if s is not None else None) for n, (s, e) in
            ((n, span or (None, None)) for n, span in spans.items())}
    t3_text, t4_text = tsec["3"], tsec["4"]
    if spans["4"] is None and spans["3"] is not None:
        # Section 4's heading is missing: table 4 starts at its column headers, and
        # table 3's last row ends there.
        s3, e3 = spans["3"]
        start = find_t4_header(norm, s3, e3)
        if start is not None:
            t3_text, t4_text = norm[s3:start], norm[start:e3]
            warnings.append("section 4: heading not found; table 4 found by its column headers")
    if reads["t2"] is None and tsec["2"]:
        reads["t2"] = read_text_table(tsec["2"], "t2", template, warnings)
    if reads["t3"] is None:
        # Labels of t3 are distinctive enough to find without the heading.
        region = t3_text if t3_text is not None else norm
        t3tmpl = t3_template(region, template)
        reads["t3"] = read_text_table(region, "t3", t3tmpl, warnings)
    if t3tmpl != template and reads["t3"] is not None:
        warnings.append(f"t3: printed in the {t3tmpl} template's form (its (六)其他处理 has sub-rows), while "
                        f"table 2 follows the {template} template; table 3 read as {t3tmpl}")
    if reads["t4"] is None:
        reads["t4"] = read_t4_text(t4_text, warnings, t3_text) if t4_text and t4_text.strip() else None
    return reads, {"t2": template, "t3": t3tmpl, "t4": template}


def mark_pre_template(report: Report) -> Report:
    """Mark a report of a year before 2019 with no tables as ``template="pre-2019"``.

    Such reports predate the fixed template: sections and narrative only.
    """
    if report.year is not None and report.year < 2019 and report.template is None \
            and all(t is None for t in report.tables.values()):
        # Its missing tables and template headings are what the older format looks like, not faults
        # of the reading: one note says so instead of a warning for each.
        unexpected = re.compile(r"(t[234]: table not found in the text|section \d \(.*\): heading not found$)")
        missing = [n for n, body in report.sections.items() if body is None]
        kept = [w for w in report.warnings if not unexpected.match(w)]
        note = f"report year {report.year} predates the fixed template (2019): narrative only, no tables expected"
        if missing:
            note += f"; template sections not found: {', '.join(missing)}"
        return dataclasses.replace(report, template="pre-2019", warnings=[*kept, note])
    return report


def parse_document(doc: Document, report_id: str | None = None, source: str | None = None) -> Report:
    """Parse a :class:`~toolkit.reading.Document` (text, grids and the reader's warnings).

    A document read by OCR keeps only the numbers its tables' arithmetic vouches for
    (:func:`toolkit.parsing.ocr_tables.vouch_report`)."""
    grids = doc.grids
    if doc.ocr:
        from .ocr_tables import mend_headers, mend_labels

        grids = mend_labels(mend_headers(grids))
    report = parse_text(doc.text, report_id=report_id, source=source, warnings=doc.warnings, grids=grids,
                        page_title=doc.title)
    if doc.ocr:
        from .ocr_tables import vouch_report

        report = vouch_report(report)
    return report


def parse_file(path: str | Path) -> Report:
    """Parse one report file.  Raises ReportError naming the file if it cannot be read."""
    return parse_bytes(read_bytes(Path(path)), path)


def parse_bytes(data: bytes, path: str | Path) -> Report:
    """Parse a report file's bytes, already read from *path* (its name gives the file type and
    the report id).  Raises ReportError naming the file if they cannot be read."""
    path = Path(path)
    return parse_document(read_data(data, str(path), path.suffix), report_id=path.stem, source=str(path))


def parse_path_or_text(path_or_text: str | Path) -> Report:
    """Parse one report from a file path or from its text.

    A ``Path``, or a short single-line string naming an existing file, is read
    as a file; any other string is taken as the report's text.
    """
    if isinstance(path_or_text, Path):
        return parse_file(path_or_text)
    if isinstance(path_or_text, str) and "\n" not in path_or_text and len(path_or_text) < 4096:
        candidate = Path(path_or_text)
        try:
            is_file = candidate.is_file()
        except OSError:
            is_file = False
        if is_file:
            return parse_file(candidate)
        if len(path_or_text) < 260 and candidate.suffix.lower() in read_suffixes():
            raise ReportError(path_or_text, "no such file")
    if not isinstance(path_or_text, str):
        raise TypeError(f"a report to parse is a path or its text, not {type(path_or_text).__name__}")
    return parse_text(path_or_text)
