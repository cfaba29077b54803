"""Bytes to text: the encoding of a report file, and traditional to simplified characters."""
from __future__ import annotations

import codecs
import re

from ..errors import ReportError

__all__ = ["decode_bytes", "decode_html", "declared_charset", "is_traditional", "to_simplified"]

# A few stray bytes in an otherwise valid UTF-8 file are damage, not another encoding:
# at most this many invalid sequences, and at most 1% of the non-ASCII bytes.
_MAX_STRAY_BYTES = 8
_ASCII = bytes(range(128))
_META_CHARSET = re.compile(rb"""<meta[^>]{0,300}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]{2,40})""", re.I)
# Encodings pages declare that a decoder should read as their superset.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
              "iso-8859-1": "cp1252", "latin-1": "cp1252", "us-ascii": "utf-8", "ascii": "utf-8"}


def _codec(name: str | None) -> str | None:
    """A Python codec name for a declared charset, or None if Python does not know it."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    name = _SUPERSETS.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in ``<meta charset>`` / ``http-equiv`` (first 4 KiB)."""
    m = _META_CHARSET.search(data[:4096])
    return m.group(1).decode("ascii", "replace") if m else None


def _bom(data: bytes, source: str | None, warnings: list[str]) -> str | None:
    if data.startswith(b"\xef\xbb\xbf"):
        text, _ = _utf8(data[3:], source, warnings)
        if text is None:
            raise ReportError(source, "starts with a UTF-8 byte-order mark but is not valid UTF-8")
        return text
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ReportError(source, "starts with a UTF-16 byte-order mark but is not valid UTF-16") from None
    return None


def _utf8(data: bytes, source: str | None, warnings: list[str]) -> tuple[str | None, bool]:
    """(text, damaged): strict UTF-8; or UTF-8 with a few stray bytes replaced (U+FFFD) and a
    warning; or (None, False) when the bytes are not UTF-8."""
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")  # less the U+FFFD the file itself holds
    non_ascii = len(data.translate(None, _ASCII))
    if bad <= _MAX_STRAY_BYTES and bad * 100 <= non_ascii:
        warnings.append(f"{bad} invalid UTF-8 byte(s) replaced by U+FFFD; a table cell they touch is "
                        f"left missing")
        return text, True
    return None, False


def _detect(data: bytes, source: str | None, warnings: list[str]) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ReportError(source, "cannot be decoded as text in any common encoding (binary?)")
    warnings.append(f"file is not UTF-8; decoded as {best.encoding}")
    return str(best)


def decode_bytes(data: bytes, source: str | None = None, charset: str | None = None) -> tuple[str, list[str]]:
    """Decode report text bytes: BOM; UTF-8; the *charset* a server declared (HTTP
    Content-Type) if the bytes decode with it; UTF-8 with a few stray invalid bytes
    replaced (U+FFFD, with a warning); else the best guess of charset-normalizer.

    Returns ``(text, warnings)``.  Raises ReportError naming *source* for empty or
    binary data, or data no common encoding decodes.
    """
    return _decode(data, source, [charset], refuse_nul=True)


def _decode(data: bytes, source: str | None, declared: list[str | None], refuse_nul: bool) -> tuple[str, list[str]]:
    """What both decoders do: refuse empty data, honour a BOM, (text) refuse NUL bytes, then
    the first of UTF-8, the *declared* charsets that decode, stray bytes replaced, detection."""
    warnings: list[str] = []
    if not data.strip():
        raise ReportError(source, "empty file")
    text = _bom(data, source, warnings)
    if text is not None:
        return text, warnings
    if refuse_nul and b"\x00" in data[:8192]:
        raise ReportError(source, "binary file (contains NUL bytes), not report text")
    return _declared_or_guessed(data, source, declared, warnings), warnings


def _declared_or_guessed(data: bytes, source: str | None, declared: list[str | None], warnings: list[str]) -> str:
    # Valid UTF-8 with Chinese in it is UTF-8, whatever a page declares: text in another
    # encoding is almost never valid UTF-8, while pages that declare gb2312 and are
    # served as UTF-8 are common.
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for name in declared:
        codec = _codec(name)
        if codec is None or codec == "utf-8":
            continue
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            warnings.append(f"declared charset {name!r} does not decode the file; ignored")
    text, _ = _utf8(data, source, warnings)
    if text is not None:
        return text
    return _detect(data, source, warnings)


def decode_html(data: bytes, source: str | None = None, charset: str | None = None) -> tuple[str, list[str]]:
    """Decode an HTML page: BOM; valid UTF-8; ``<meta charset>``; the HTTP *charset*; UTF-8
    with a few stray bytes replaced; detection.

    A declared charset is used only if the bytes decode with it (a page that declares
    one encoding and is written in another is common).  Returns ``(text, warnings)``.
    """
    return _decode(data, source, [declared_charset(data), charset], refuse_nul=False)


_TRADITIONAL_MARKERS = "體開報資訊處說與為於會"


def is_traditional(text: str) -> bool:
    """Is the document written in traditional characters?  Decided once, on the whole text."""
    return sum(text.count(m) for m in _TRADITIONAL_MARKERS) >= 3


def to_simplified():
    """A converter ``str -> str`` from traditional to simplified characters (OpenCC t2s)."""
    from opencc import OpenCC

    return OpenCC("t2s").convert
