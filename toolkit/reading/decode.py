"""Bytes to text: the encoding of a report file, and traditional to simplified characters."""
from __future__ import annotations

from ..errors import ReportError

__all__ = ["decode_bytes", "is_traditional", "to_simplified"]


def decode_bytes(data: bytes, source: str | None = None) -> tuple[str, list[str]]:
    """Decode report bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else best guess.

    Returns ``(text, warnings)``.  Raises ReportError naming *source* for empty or
    binary data, or data no common encoding decodes.
    """
    warnings: list[str] = []
    if not data.strip():
        raise ReportError(source, "empty file")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), warnings
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), warnings
        except UnicodeDecodeError:
            raise ReportError(source, "starts with a UTF-16 byte-order mark but is not valid UTF-16") from None
    if b"\x00" in data[:8192]:
        raise ReportError(source, "binary file (contains NUL bytes), not report text")
    try:
        return data.decode("utf-8"), warnings
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ReportError(source, "cannot be decoded as text in any common encoding (binary?)")
    warnings.append(f"file is not UTF-8; decoded as {best.encoding}")
    return str(best), warnings


_TRADITIONAL_MARKERS = "體開報資訊處說與為於會"


def is_traditional(text: str) -> bool:
    """Is the document written in traditional characters?  Decided once, on the whole text."""
    return sum(text.count(m) for m in _TRADITIONAL_MARKERS) >= 3


def to_simplified():
    """A converter ``str -> str`` from traditional to simplified characters (OpenCC t2s)."""
    from opencc import OpenCC

    return OpenCC("t2s").convert
