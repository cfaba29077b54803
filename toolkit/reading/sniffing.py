"""The one file-type sniffer: which reader a file's bytes need (kinds from :mod:`.formats`)."""
from __future__ import annotations

from . import formats as _formats

__all__ = ["sniff", "suffix_for_kind"]


def sniff(data: bytes, suffix: str = "") -> str:
    """The kind of a file (``"docx"``, ``"pdf"``, ``"html"``, ``"text"``, an image kind
    ``"png"``/``"jpeg"``/``"tiff"``, or any registered kind) from its suffix and bytes.

    A registered suffix decides (``.docx``, ``.pdf``, ``.html``, ``.png`` …), except a
    text name (``.txt``/``.md``) and a suffix that is often given to other bytes (``.doc``).
    Otherwise the first format, in registry order, whose mark the bytes carry: a zip
    holding ``word/document.xml`` is a DOCX (an OFD or XLSX zip is not), ``%PDF-`` a PDF,
    an ``<html>``/``<body>``/``<table>`` tag near the start an HTML page, PNG/JPEG/TIFF
    signatures an image.  In a file named as text only the marks of PDF and HTML count
    (a binary file named as text is refused as such).  Anything else is text.
    """
    suffix = suffix.lower()
    named = _formats.format_named(suffix)
    if named is not None and named.kind != _formats.FALLBACK and named.name_decides:
        return named.kind
    text_name = named is not None and named.kind == _formats.FALLBACK
    for f in _formats.registered():
        if f.magic is not None and (f.beats_text_name or not text_name) and f.magic(data):
            return f.kind
    return _formats.FALLBACK


def suffix_for_kind(kind: str) -> str:
    """The suffix a file of *kind* is stored under when its own name gives none."""
    return _formats.format_of(kind).stored_suffix
