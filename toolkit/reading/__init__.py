"""Reading: a report file's bytes into one :class:`Document` — text plus table grids.

Text files are decoded (UTF-8, UTF-8-BOM, UTF-16, GB18030/GBK … via
charset-normalizer; a few stray invalid bytes in UTF-8 are replaced and
reported); HTML is decoded the same way, honouring ``<meta charset>`` and the
server's charset, then read with lxml, DOCX with python-docx, PDF with
pdfplumber; a scanned PDF page or an image file by offline OCR
(:mod:`toolkit.reading.ocr`, the ``[ocr]`` extra).  Tables become :class:`Grid` objects with rowspan/colspan
expanded: a cell covered by another cell's span is ``None``, so the parser can
read numbers by *position* and tell a blank cell ("" — never zero) from a
spanned one.  Traditional characters are converted to simplified for parsing
only; the file itself is never touched.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import ReportError
from ..fileio import read_bytes
from .decode import decode_bytes, is_traditional, to_simplified
from .document import Document, Grid, grid_text
from .formats import Format, format_of, register_format
from .sniffing import sniff

__all__ = ["Document", "Grid", "grid_text", "read_document", "read_data", "decode_bytes", "sniff",
           "Format", "register_format"]


def read_document(path: str | Path) -> Document:
    """Read a report file (.txt/.md, .html/.htm, .docx, .pdf; .png/.jpg/.tif by OCR; any kind in
    :mod:`toolkit.reading.formats`) into a Document.

    Only regular files are read, up to :data:`toolkit.fileio.MAX_FILE_BYTES`.
    Raises ReportError naming the file for unreadable input.
    """
    path = Path(path)
    return read_data(read_bytes(path), str(path), path.suffix)


def read_data(data: bytes, source: str | None = None, suffix: str = "", charset: str | None = None) -> Document:
    """Read a report's bytes (named *source*, with file *suffix*) into a Document.

    *charset* is the encoding a web server declared for the bytes (HTTP
    ``Content-Type``; :mod:`toolkit.corpus.fetch` passes it): for HTML it counts after
    the page's own ``<meta charset>``, for text it is tried before detection, and in
    both only if the bytes decode with it.  Any failure inside a reader library
    becomes a ReportError naming *source*: one malformed file never stops a batch.
    """
    if not data.strip():
        raise ReportError(source, "empty file")
    kind = sniff(data, suffix)
    try:
        doc = format_of(kind).read(data, source, charset)
    except ReportError:
        raise
    except MemoryError:
        raise ReportError(source, f"{kind.upper()} too large to read in memory; not read") from None
    except RecursionError:
        raise ReportError(source, f"{kind.upper()} nested too deeply to read; not read") from None
    except Exception as exc:  # a reader library failing on a malformed file: name the file and go on
        reason = " ".join(str(exc).split())[:200]
        raise ReportError(source, f"malformed {kind.upper()} ({type(exc).__name__}: {reason})") from None
    if is_traditional(doc.text):
        # Every cell with the document's converter: a short cell (屬於國家秘密) has
        # too few marker characters to be judged on its own.
        convert = to_simplified()
        doc.text = convert(doc.text)
        for g in doc.grids:
            g.rows = [[convert(c) if c else c for c in row] for row in g.rows]
        doc.warnings.append("traditional characters converted to simplified for parsing")
    return doc
