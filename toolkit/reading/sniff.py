"""The one file-type sniffer: which reader a file's bytes need."""
from __future__ import annotations

import re

__all__ = ["KINDS", "sniff", "suffix_for_kind"]

#: Reader kinds, and the suffix a file of that kind is stored under.
KINDS = {"docx": ".docx", "pdf": ".pdf", "html": ".html", "text": ".txt"}
_HTML_HINT = re.compile(rb"<(html|body|table)[\s>]", re.I)


def sniff(data: bytes, suffix: str = "") -> str:
    """``"docx"``, ``"pdf"``, ``"html"`` or ``"text"`` from the file's suffix and first bytes.

    The suffix decides for ``.docx``/``.pdf``/``.html``/``.htm``; otherwise the bytes
    do (a zip is a DOCX, ``%PDF-`` a PDF, an ``<html>``/``<body>``/``<table>`` tag
    near the start an HTML page), and anything else is text.
    """
    suffix = suffix.lower()
    head = data[:4096]
    if suffix == ".docx" or (head[:2] == b"PK" and suffix not in (".html", ".htm", ".txt")):
        return "docx"
    if suffix == ".pdf" or head.lstrip()[:5] == b"%PDF-":
        return "pdf"
    if suffix in (".html", ".htm") or _HTML_HINT.search(head):
        return "html"
    return "text"


def suffix_for_kind(kind: str) -> str:
    return KINDS[kind]
