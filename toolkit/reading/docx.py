"""DOCX files into a Document: paragraphs as text, tables as grids (merged cells once)."""
from __future__ import annotations

import io
import zipfile

from ..errors import ReportError
from .document import MAX_GRID_CELLS, Document, Grid, assemble, cell_lines

__all__ = ["read_docx", "docx_grid", "docx_cell_text", "check_spans", "MAX_DOCX_UNCOMPRESSED"]

MAX_DOCX_UNCOMPRESSED = 200 * 1024 * 1024  # larger than any real report: a zip bomb


def read_docx(data: bytes, source: str | None = None) -> Document:
    """A DOCX file's bytes as a Document; ReportError naming *source* when it cannot be read."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            size = sum(info.file_size for info in zf.infolist())
            if size > MAX_DOCX_UNCOMPRESSED:
                raise ReportError(source, f"DOCX expands to {size // 2**20} MiB (zip bomb?); not read")
    except zipfile.BadZipFile:
        raise ReportError(source, "corrupt DOCX (not a valid zip archive)") from None
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on malformed parts
        raise ReportError(source, f"corrupt DOCX ({type(exc).__name__}: {exc})") from None
    blocks: list[str | Grid] = []
    stack = [iter(document.element.body.iterchildren())]
    while stack:  # body order; content controls (w:sdt) are opened, not skipped
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        tag = child.tag.rsplit("}", 1)[-1]
        if tag in ("sdt", "sdtContent", "customXml"):
            stack.append(iter(child.iterchildren()))
        elif tag == "p":
            text = Paragraph(child, document).text.strip()
            if text:
                blocks.append(text)
        elif tag == "tbl":
            check_spans(child, source)
            blocks.append(docx_grid(Table(child, document)))
    text, grids = assemble(blocks)
    return Document(text, grids)


def docx_cell_text(cell) -> str:
    """A cell's paragraphs (and nested tables' cells) on lines of their own, never glued
    together: two paragraphs ``1`` and ``2`` are ``"1\n2"``, not ``"12"``.  Runs within a
    paragraph are one word (Word splits ``2023`` into runs freely)."""
    from docx.text.paragraph import Paragraph

    lines: list[str] = []
    stack = [iter(cell._tc.iterchildren())]  # document order, any nesting depth
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.extend(Paragraph(child, cell).text.split("\n"))
        elif tag in ("tbl", "tr", "tc", "sdt", "sdtContent", "customXml"):
            stack.append(iter(child.iterchildren()))
    return cell_lines("\n".join(lines))


def docx_grid(table) -> Grid:
    """A python-docx table as a grid: a merged cell keeps its text once, the rest is None."""
    rows: list[list[str | None]] = []
    # The <w:tc> elements already read.  They are kept alive here: lxml proxies of
    # freed elements would otherwise hand their id() to new cells.
    seen: dict[int, object] = {}
    for row in table.rows:
        out: list[str | None] = []
        for cell in row.cells:
            tc = cell._tc
            if id(tc) in seen:
                out.append(None)
            else:
                seen[id(tc)] = tc
                out.append(docx_cell_text(cell))
        rows.append(out)
    width = max((len(r) for r in rows), default=0)
    # A short row is padded with None (no cell there), never with a blank cell.
    return Grid([r + [None] * (width - len(r)) for r in rows])


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def check_spans(tbl, source: str | None = None) -> None:
    """Refuse a ``<w:tbl>`` whose grid python-docx would expand beyond :data:`MAX_GRID_CELLS`.

    python-docx builds each row's cells itself, one per spanned grid column, and
    converts ``w:gridSpan`` with ``int()``: a span of 100,000,000 costs gigabytes
    and a span of ``abc`` a bare ``ValueError``.  The spans are read from the XML
    first, so a bad or huge one is refused with its value, before any is expanded.
    """
    rows = width = 0
    for tr in tbl.iterchildren(f"{_W}tr"):
        rows += 1
        cells = 0
        for tc in tr.iterchildren(f"{_W}tc"):
            span = 1
            for el in tc.iterchildren(f"{_W}tcPr"):
                for gs in el.iterchildren(f"{_W}gridSpan"):
                    raw = gs.get(f"{_W}val")
                    if raw is None or not (raw.strip().isascii() and raw.strip().isdigit()) or int(raw) < 1:
                        raise ReportError(source, f"DOCX table cell has an invalid column span "
                                                  f"(w:gridSpan {raw!r}); not read")
                    span = int(raw)
            if span > MAX_GRID_CELLS:
                raise ReportError(source, f"a DOCX table cell spans {span:,} columns, more than the "
                                          f"{MAX_GRID_CELLS:,}-cell limit for one table; not read")
            cells += span
        width = max(width, cells)
        # The grid is padded to its widest row: rows x width cells.
        if rows * width > MAX_GRID_CELLS:
            raise ReportError(source, f"a DOCX table expands to more than {MAX_GRID_CELLS:,} cells "
                                      f"({rows:,}+ rows x {width:,} spanned columns); not read")
