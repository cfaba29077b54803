"""The one file-type sniffer: which reader a file's bytes need."""
from __future__ import annotations

import re

__all__ = ["KINDS", "IMAGE_KINDS", "sniff", "suffix_for_kind"]

#: Reader kinds, and the suffix a file of that kind is stored under.
KINDS = {"docx": ".docx", "pdf": ".pdf", "html": ".html", "text": ".txt",
         "png": ".png", "jpeg": ".jpg", "tiff": ".tif"}
#: Kinds that are images: read by OCR (the ``[ocr]`` extra).
IMAGE_KINDS = frozenset({"png", "jpeg", "tiff"})
_IMAGE_MAGIC = ((b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"), (b"II*\x00", "tiff"),
                (b"MM\x00*", "tiff"))
_IMAGE_SUFFIX = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".tif": "tiff", ".tiff": "tiff"}
_HTML_HINT = re.compile(rb"<(html|body|table)[\s>]", re.I)


def sniff(data: bytes, suffix: str = "") -> str:
    """``"docx"``, ``"pdf"``, ``"html"``, ``"text"`` or an image kind (``"png"``, ``"jpeg"``,
    ``"tiff"``) from the file's suffix and first bytes.

    The suffix decides for ``.docx``/``.pdf``/``.html``/``.htm``; otherwise the bytes
    do (a zip is a DOCX, ``%PDF-`` a PDF, an ``<html>``/``<body>``/``<table>`` tag
    near the start an HTML page), and anything else is text.
    """
    suffix = suffix.lower()
    head = data[:4096]
    if suffix in _IMAGE_SUFFIX:
        return _IMAGE_SUFFIX[suffix]
    for magic, kind in _IMAGE_MAGIC:
        if head.startswith(magic) and suffix not in (".txt", ".md", ".html", ".htm"):
            return kind  # (a file named as text stays text: a binary one is refused as such)
    if suffix == ".docx" or (head[:2] == b"PK" and suffix not in (".html", ".htm", ".txt")):
        return "docx"
    if suffix == ".pdf" or head.lstrip()[:5] == b"%PDF-":
        return "pdf"
    if suffix in (".html", ".htm") or _HTML_HINT.search(head):
        return "html"
    return "text"


def suffix_for_kind(kind: str) -> str:
    return KINDS[kind]
