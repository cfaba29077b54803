"""PDF files (with a text layer) into a Document: text bands in page order, tables as grids
joined across pages."""
from __future__ import annotations

import io

from ..errors import NoTextLayer, ReportError
from .document import Document, Grid, assemble, cell_lines

__all__ = ["read_pdf"]


def read_pdf(data: bytes, source: str | None = None) -> Document:
    """A PDF file's bytes as a Document; ReportError naming *source* when it cannot be read."""
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.psparser import PSException

    try:
        from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException
    except ImportError:  # pdfplumber < 0.11 lets pdfminer's errors through unwrapped
        MalformedPDFException = PdfminerException = PSException

    try:
        return _read_pdf(data, source)
    except ReportError:  # our own verdict (no text layer): a ValueError, but not a corrupt file
        raise
    except (PdfminerException, MalformedPDFException, PSException, ValueError, KeyError) as exc:
        # pdfplumber wraps pdfminer's errors (on open and on each page): name the real one.
        inner = exc.args[0] if isinstance(exc, PdfminerException) and exc.args \
            and isinstance(exc.args[0], Exception) else exc
        if isinstance(inner, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise ReportError(source, "password-protected PDF; not read") from None
        raise ReportError(source, f"corrupt PDF ({type(inner).__name__})") from None


def _read_pdf(data: bytes, source: str | None) -> Document:
    import pdfplumber

    blocks: list[str | Grid] = []
    pdf = pdfplumber.open(io.BytesIO(data))
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
                grid = Grid([[(None if c is None else cell_lines(c)) for c in row] for row in t.extract()])
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
        raise NoTextLayer(source, "PDF has no text layer (scanned?); nothing could be read")
    text, grids = assemble(blocks)
    return Document(text, grids)


