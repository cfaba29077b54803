"""Read a report file of any kind into one :class:`Document`: text plus table grids.

Text files are decoded (UTF-8, UTF-8-BOM, UTF-16, GB18030/GBK … via
charset-normalizer); HTML is read with lxml, DOCX with python-docx, PDF with
pdfplumber.  Tables become :class:`Grid` objects with rowspan/colspan
expanded: a cell covered by another cell's span is ``None``, so the parser can
read numbers by *position* and tell a blank cell ("" — never zero) from a
spanned one.  Traditional characters are converted to simplified for parsing
only; the file itself is never touched.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ReportError

__all__ = ["Grid", "Document", "read_document", "grid_text"]

MAX_DOCX_UNCOMPRESSED = 200 * 1024 * 1024  # larger than any real report: a zip bomb


@dataclass
class Grid:
    """One table: ``rows[i][j]`` is the cell text, ``""`` when blank, ``None`` when no cell is
    there (covered by another cell's span, or missing from a row shorter than the table)."""

    rows: list[list[str | None]]
    start: int = 0  # offsets of the table's rendering in Document.text
    end: int = 0


@dataclass
class Document:
    text: str
    grids: list[Grid] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def grid_text(grid: Grid) -> str:
    """A table as text: one line per row, real cells separated by tabs."""
    return "\n".join("\t".join(c for c in row if c is not None) for row in grid.rows)


def _assemble(blocks: list[str | Grid]) -> tuple[str, list[Grid]]:
    """Join text blocks and grids into one text, recording each grid's offsets."""
    parts: list[str] = []
    grids: list[Grid] = []
    pos = 0
    for block in blocks:
        if isinstance(block, Grid):
            rendered = grid_text(block)
            block.start, block.end = pos, pos + len(rendered)
            grids.append(block)
            block_text = rendered
        else:
            block_text = block
        parts.append(block_text + "\n")
        pos += len(block_text) + 1
    return "".join(parts), grids


# ------------------------------------------------------------------ HTML

_CHROME = re.compile(r"nav|menu|footer|header|breadcrumb|sidebar|banner|share|copyright|toolbar", re.I)
_BLOCK = {"p", "div", "section", "article", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
          "blockquote", "pre", "center", "dd", "dt", "dl", "form", "main"}
_SECTION_WORDS = ("总体情况", "主动公开政府信息", "收到和处理政府信息公开申请", "行政复议", "存在的主要问题", "其他需要报告")


def _cell_text(el) -> str:
    text = "".join(el.itertext())
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()


def html_grid(table) -> Grid:
    """Expand an lxml ``<table>`` into a grid (rowspan/colspan; spanned cells are None)."""
    rows: list[list[str | None]] = []
    pending: dict[tuple[int, int], bool] = {}  # (row, col) covered by a span from above/left
    trs = [tr for tr in table.iter("tr") if tr.getparent() is not None
           and next(tr.iterancestors("table")) is table]
    for r, tr in enumerate(trs):
        row: list[str | None] = []
        c = 0
        for cell in tr:
            if not isinstance(cell.tag, str) or cell.tag.lower() not in ("td", "th"):
                continue
            while pending.pop((r, c), False):
                row.append(None)
                c += 1
            try:
                rowspan = max(1, min(int(cell.get("rowspan", 1)), 200))
                colspan = max(1, min(int(cell.get("colspan", 1)), 50))
            except ValueError:
                rowspan = colspan = 1
            row.append(_cell_text(cell))
            for dc in range(1, colspan):
                row.append(None)
            for dr in range(1, rowspan):
                for dc in range(colspan):
                    pending[(r + dr, c + dc)] = True
            c += colspan
        while pending.pop((r, c), False):
            row.append(None)
            c += 1
        rows.append(row)
    width = max((len(r) for r in rows), default=0)
    # A row with fewer cells than the table is padded with None, not "": which of
    # its cells is missing is unknown, so its values must not be read by position.
    return Grid([r + [None] * (width - len(r)) for r in rows])


def _content_root(root):
    """The smallest element holding most of the report's section headings (page chrome excluded)."""
    best, best_score = root, -1
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag.lower() not in _BLOCK | {"body", "td"}:
            continue
        text = "".join(el.itertext())
        score = sum(w in text for w in _SECTION_WORDS)
        if score > best_score or (score == best_score and score > 0 and len(text) <= best_len):
            best, best_score, best_len = el, score, len(text)
    return best


def read_html(data: bytes, source: str | None = None) -> Document:
    import lxml.html

    try:
        root = lxml.html.document_fromstring(data)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise ReportError(source, f"not readable as HTML ({exc})") from None
    for el in list(root.iter("script", "style", "noscript", "nav", "header", "footer", "aside")):
        if el.getparent() is not None:
            el.drop_tree()
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None:
            continue
        marker = f"{el.get('class', '')} {el.get('id', '')}"
        # Navigation and footers by class/id, unless they hold the report itself.
        if _CHROME.search(marker) and next(el.iter("table"), None) is None \
                and sum(w in "".join(el.itertext()) for w in _SECTION_WORDS) < 2:
            el.drop_tree()
    content = _content_root(root)
    blocks: list[str | Grid] = []
    line: list[str] = []

    def flush() -> None:
        text = re.sub(r"[ \t\xa0]+", " ", "".join(line)).strip()
        if text:
            blocks.append(text)
        line.clear()

    def walk(el) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag == "table":
            flush()
            blocks.append(html_grid(el))
            if el.tail:
                line.append(el.tail)
            return
        if tag == "br":
            flush()
        elif tag in _BLOCK:
            flush()
        if el.text and tag:
            line.append(el.text)
        for child in el:
            walk(child)
        if tag in _BLOCK:
            flush()
        if el.tail:
            line.append(el.tail)

    walk(content)
    flush()
    text, grids = _assemble(blocks)
    return Document(text, grids)


# ------------------------------------------------------------------ DOCX


def read_docx(path: Path) -> Document:
    try:
        with zipfile.ZipFile(path) as zf:
            size = sum(info.file_size for info in zf.infolist())
            if size > MAX_DOCX_UNCOMPRESSED:
                raise ReportError(str(path), f"DOCX expands to {size // 2**20} MiB (zip bomb?); not read")
    except zipfile.BadZipFile:
        raise ReportError(str(path), "corrupt DOCX (not a valid zip archive)") from None
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises many kinds on malformed parts
        raise ReportError(str(path), f"corrupt DOCX ({type(exc).__name__}: {exc})") from None
    blocks: list[str | Grid] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = Paragraph(child, document).text.strip()
            if text:
                blocks.append(text)
        elif tag == "tbl":
            blocks.append(docx_grid(Table(child, document)))
    text, grids = _assemble(blocks)
    return Document(text, grids)


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
                out.append(re.sub(r"\s+", " ", cell.text).strip())
        rows.append(out)
    width = max((len(r) for r in rows), default=0)
    # A short row is padded with None (no cell there), never with a blank cell.
    return Grid([r + [None] * (width - len(r)) for r in rows])


# ------------------------------------------------------------------ PDF


def read_pdf(path: Path) -> Document:
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.psparser import PSException

    try:
        from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException
    except ImportError:  # pdfplumber < 0.11 lets pdfminer's errors through unwrapped
        MalformedPDFException = PdfminerException = PSException

    try:
        return _read_pdf(path)
    except (PdfminerException, MalformedPDFException, PSException, ValueError, KeyError) as exc:
        # pdfplumber wraps pdfminer's errors (on open and on each page): name the real one.
        inner = exc.args[0] if isinstance(exc, PdfminerException) and exc.args \
            and isinstance(exc.args[0], Exception) else exc
        if isinstance(inner, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise ReportError(str(path), "password-protected PDF; not read") from None
        raise ReportError(str(path), f"corrupt PDF ({type(inner).__name__})") from None


def _read_pdf(path: Path) -> Document:
    import pdfplumber

    warnings: list[str] = []
    blocks: list[str | Grid] = []
    pdf = pdfplumber.open(str(path))
    with pdf:
        carry: Grid | None = None
        any_text = False
        for page in pdf.pages:
            tables = sorted(page.find_tables(), key=lambda t: t.bbox[1])
            bboxes = [t.bbox for t in tables]
            outside = page.filter(lambda o: not any(
                b[0] <= o.get("x0", -1) and o.get("x1", 1e9) <= b[2] and b[1] <= o.get("top", -1)
                and o.get("bottom", 1e9) <= b[3] for b in bboxes))
            # Page order: the text band above each table, the table, …, the text below the last.
            y = 0.0
            for t in [*tables, None]:
                limit = t.bbox[1] if t is not None else page.height
                band = ""
                if limit > y:
                    band = page.crop((0, y, page.width, limit)).filter(outside.filter_fn).extract_text() or ""
                if band.strip():
                    any_text = True
                    if carry is not None:
                        blocks.append(carry)
                        carry = None
                    blocks.append(band.strip())
                if t is None:
                    break
                y = max(y, t.bbox[3])
                # pdfplumber gives None where a merged cell covers the position: keep it
                # None (spanned), distinct from an empty cell "".
                grid = Grid([[(None if c is None else re.sub(r"\s+", " ", c).strip()) for c in row]
                             for row in t.extract()])
                if not grid.rows:
                    continue
                any_text = True
                # A table continued on the next page has the same width and no text between.
                if carry is not None and len(carry.rows[0]) == len(grid.rows[0]):
                    carry.rows.extend(grid.rows)
                else:
                    if carry is not None:
                        blocks.append(carry)
                    carry = grid
        if carry is not None:
            blocks.append(carry)
    if not any_text:
        raise ReportError(str(path), "PDF has no text layer (scanned?); nothing could be read")
    text, grids = _assemble(blocks)
    return Document(text, grids, warnings)


# ------------------------------------------------------------------ dispatch


def _is_traditional(text: str) -> bool:
    """Is the document written in traditional characters?  Decided once, on the whole text."""
    markers = "體開報資訊處說與為於會"
    return sum(text.count(m) for m in markers) >= 3


def read_document(path: str | Path) -> Document:
    """Read a report file (.txt/.md, .html/.htm, .docx, .pdf) into a Document.

    Raises ReportError naming the file for unreadable input.
    """
    from .parse import decode_bytes

    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReportError(str(path), f"cannot read file ({exc.strerror or exc})") from None
    if not data.strip():
        raise ReportError(str(path), "empty file")
    suffix = path.suffix.lower()
    if suffix == ".docx" or (data[:2] == b"PK" and suffix not in (".html", ".htm", ".txt")):
        doc = read_docx(path)
    elif suffix == ".pdf" or data[:5] == b"%PDF-":
        doc = read_pdf(path)
    elif suffix in (".html", ".htm") or re.search(rb"<(html|body|table)[\s>]", data[:4096], re.I):
        doc = read_html(data, str(path))
    else:
        text, warnings = decode_bytes(data, str(path))
        doc = Document(text, [], warnings)
    if _is_traditional(doc.text):
        from opencc import OpenCC

        # Every cell with the document's converter: a short cell (屬於國家秘密) has
        # too few marker characters to be judged on its own.
        convert = OpenCC("t2s").convert
        doc.text = convert(doc.text)
        for g in doc.grids:
            g.rows = [[convert(c) if c else c for c in row] for row in g.rows]
        doc.warnings.append("traditional characters converted to simplified for parsing")
    return doc
