"""DOCX files into a Document: paragraphs as text, tables as grids (merged cells once)."""
from __future__ import annotations

import io
import re
import zipfile

from ..errors import ReportError
from .document import Document, Grid, assemble

__all__ = ["read_docx", "docx_grid", "docx_cell_text", "MAX_DOCX_UNCOMPRESSED"]

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
    out = (re.sub(r"\s+", " ", ln).strip() for ln in lines)
    return "\n".join(ln for ln in out if ln)


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


