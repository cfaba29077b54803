"""The toolkit's own exceptions, and the one-line form of any message shown to a user."""
from __future__ import annotations

import re

__all__ = ["ReportError", "NoTextLayer", "one_line"]


def one_line(text: object, limit: int = 300) -> str:
    """*text* as one printable line of at most *limit* characters.

    Whitespace runs (newlines in a file name included) become one space, and
    control characters (a server's raw NUL bytes) are shown escaped, so an
    error message is always exactly one line of text.
    """
    text = re.sub(r"\s+", " ", str(text)).strip()
    text = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ReportError(ValueError):
    """A file or text could not be read as a disclosure report.

    The message is one line naming the file (when there is one) and the reason.
    """

    def __init__(self, source: str | None, reason: str):
        self.source = source
        self.reason = one_line(reason, 500)
        super().__init__(f"{one_line(source, 500)}: {self.reason}" if source else self.reason)


class NoTextLayer(ReportError):
    """A PDF whose pages carry no text (a scan): only OCR can read it."""
