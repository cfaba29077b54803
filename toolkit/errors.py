"""The toolkit's own exceptions."""
from __future__ import annotations


class ReportError(ValueError):
    """A file or text could not be read as a disclosure report.

    The message is one line naming the file (when there is one) and the reason.
    """

    def __init__(self, source: str | None, reason: str):
        self.source = source
        self.reason = reason
        super().__init__(f"{source}: {reason}" if source else reason)
