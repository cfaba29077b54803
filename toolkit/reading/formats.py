"""The format registry: every kind of report file declared once.

Each :class:`Format` says its file suffixes, the MIME types a server sends it
as, the rule that recognises its bytes, and the reader that turns its bytes
into a :class:`~toolkit.reading.document.Document`.  Sniffing
(:mod:`toolkit.reading.sniffing`), :func:`toolkit.reading.read_data`,
``xxgk add`` (which suffixes a folder walk takes), ``xxgk fetch`` (which links
are attachments, which suffix a download is stored under), the parser's
"is this a file name?" guess and the CLI help all read this registry, so adding
a format is one reader plus one :func:`register_format` call (docs/FORMATS.md).
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import Callable

from ..errors import NoTextLayer, ReportError
from .document import Document

__all__ = ["Format", "FORMATS", "FALLBACK", "registered", "register_format", "format_of", "format_named",
           "walked_suffixes", "read_suffixes", "attachment_suffixes", "starts_with"]

#: A reader: (bytes, source name, server-declared charset or None) -> Document.
Reader = Callable[[bytes, "str | None", "str | None"], Document]


@dataclass(frozen=True)
class Format:
    """One kind of report file.

    *suffixes*: lower case with the dot; the first is the one a file of this kind is
    stored under when its own name has none (a download).  *magic*: whether bytes are of
    this kind (``None``: no mark, recognised by name only).  *reader*: ``None`` for a kind
    that is recognised only to be refused with *refusal*.
    """

    kind: str
    suffixes: tuple[str, ...]
    mime_types: tuple[str, ...] = ()
    magic: Callable[[bytes], bool] | None = None
    reader: Reader | None = None
    #: The suffix alone decides the kind (off for a suffix often given to other bytes: .doc).
    name_decides: bool = True
    #: The bytes' mark wins over a text name (.txt/.md): a PDF saved as .txt is read as a PDF.
    beats_text_name: bool = False
    #: Read only from a file (or URL) the user names one by one: never taken by ``xxgk add``'s
    #: folder walk nor kept from a link ``xxgk fetch`` follows (images: OCR is slow and needs the extra).
    by_name_only: bool = False
    #: A link to a file with this suffix that names a report is followed by ``xxgk fetch``.
    attachment: bool = False
    #: A download without any mark is this kind when the server's type or the URL's suffix says so.
    trust_name: bool = False
    #: Read by OCR (the ``[ocr]`` extra).
    ocr: bool = False
    #: Why a recognised but unread kind is refused.
    refusal: str = ""

    @property
    def stored_suffix(self) -> str:
        return self.suffixes[0]

    def read(self, data: bytes, source: str | None, charset: str | None) -> Document:
        if self.reader is None:
            raise ReportError(source, self.refusal or f"{self.kind} files are not supported")
        return self.reader(data, source, charset)


def starts_with(*prefixes: bytes) -> Callable[[bytes], bool]:
    """A sniffing rule: the bytes begin with one of *prefixes*."""
    return lambda data: data.startswith(prefixes)


def _is_docx(data: bytes) -> bool:
    # OFD, XLSX and EPUB are zips too: a readable zip is a DOCX only with a Word body.
    # An unreadable one stays a DOCX so that its error names it (malformed DOCX).
    if data[:2] != b"PK":
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "word/document.xml" in z.namelist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return True


def _is_pdf(data: bytes) -> bool:
    return data[:4096].lstrip()[:5] == b"%PDF-"


_HTML_HINT = re.compile(rb"<(html|body|table)[\s>]", re.I)


def _is_html(data: bytes) -> bool:
    return _HTML_HINT.search(data[:4096]) is not None


# The readers' libraries load only when a file of their kind is read.
def _read_docx(data, source, charset):
    from .docx import read_docx

    return read_docx(data, source)


def _read_pdf(data, source, charset):
    from .pdf import read_pdf

    try:
        return read_pdf(data, source)
    except NoTextLayer:  # a scanned PDF: its pages are images
        from .ocr import read_scanned_pdf

        return read_scanned_pdf(data, source)


def _read_image(data, source, charset):
    from .ocr import read_image

    return read_image(data, source)


def _folder_of(source: str | None):
    """The folder of the file *source* names, when it names one (pictures a page or document
    shows from beside it are read from there); ``None`` for a download or bytes without a file."""
    import os

    try:
        return os.path.dirname(os.path.abspath(source)) if source and os.path.isfile(source) else None
    except (OSError, ValueError):
        return None


def _read_html(data, source, charset):
    from .html import read_html

    return read_html(data, source, charset, folder=_folder_of(source))


def _read_text(data, source, charset):
    from .decode import decode_bytes

    text, warnings = decode_bytes(data, source, charset)
    return Document(text, [], warnings)


#: The kind a file is when no other kind claims it.
FALLBACK = "text"

#: Registry order is sniffing order: the first kind whose mark the bytes carry wins.
FORMATS: tuple[Format, ...] = (
    Format("png", (".png",), ("image/png",), starts_with(b"\x89PNG\r\n\x1a\n"), _read_image,
           by_name_only=True, ocr=True),
    Format("jpeg", (".jpg", ".jpeg"), ("image/jpeg",), starts_with(b"\xff\xd8\xff"), _read_image,
           by_name_only=True, ocr=True),
    Format("tiff", (".tif", ".tiff"), ("image/tiff",), starts_with(b"II*\x00", b"MM\x00*"), _read_image,
           by_name_only=True, ocr=True),
    Format("docx", (".docx",), ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",),
           _is_docx, _read_docx, attachment=True),
    # Legacy Word (an OLE2 compound file): recognised so that it is refused with advice.
    Format("doc", (".doc",), ("application/msword",), starts_with(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), None,
           name_decides=False, attachment=True,
           refusal="legacy Word .doc is not supported; save it as .docx"),
    Format("pdf", (".pdf",), ("application/pdf",), _is_pdf, _read_pdf, beats_text_name=True, attachment=True),
    Format("html", (".html", ".htm", ".shtml"), ("text/html", "application/xhtml+xml"), _is_html, _read_html,
           beats_text_name=True, trust_name=True),
    Format(FALLBACK, (".txt", ".md"), ("text/plain", "text/markdown"), None, _read_text, trust_name=True),
)


def registered() -> tuple[Format, ...]:
    """The registered formats, in sniffing order (the fallback, text, last)."""
    return FORMATS


def register_format(fmt: Format) -> None:
    """Add *fmt* to the registry, sniffed after the formats already there and before text.

    Raises ValueError if its kind or one of its suffixes is already registered."""
    global FORMATS
    taken = {s for f in FORMATS for s in f.suffixes}
    if any(f.kind == fmt.kind for f in FORMATS):
        raise ValueError(f"format {fmt.kind!r} is already registered")
    clash = sorted(taken.intersection(fmt.suffixes))
    if clash:
        raise ValueError(f"suffix {clash[0]} is already registered")
    if not fmt.suffixes or any(s != s.lower() or not s.startswith(".") for s in fmt.suffixes):
        raise ValueError("suffixes must be lower case and start with a dot")
    FORMATS = FORMATS[:-1] + (fmt, FORMATS[-1])


def format_of(kind: str) -> Format:
    """The format of *kind* (KeyError for an unknown kind)."""
    for f in FORMATS:
        if f.kind == kind:
            return f
    raise KeyError(kind)


def format_named(suffix: str) -> Format | None:
    """The format whose suffixes include *suffix* (any case), or None."""
    suffix = suffix.lower()
    return next((f for f in FORMATS if suffix in f.suffixes), None)


def walked_suffixes() -> frozenset[str]:
    """Suffixes ``xxgk add`` takes when it walks a folder."""
    return frozenset(s for f in FORMATS if not f.by_name_only and f.reader is not None for s in f.suffixes)


def read_suffixes() -> frozenset[str]:
    """Suffixes of every format that has a reader."""
    return frozenset(s for f in FORMATS if f.reader is not None for s in f.suffixes)


def attachment_suffixes() -> tuple[str, ...]:
    """Suffixes of linked files ``xxgk fetch`` follows from a report listing page."""
    return tuple(s for f in FORMATS if f.attachment for s in f.suffixes)
