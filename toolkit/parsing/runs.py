"""Tables whose cells are separated by runs of line breaks (text saved from Word with bare
carriage returns: a cell ends with k breaks, a row with m).

There a blank cell is visible: it adds k breaks to the run around it.  So in
``0⏎⏎⏎0⏎⏎⏎ … 0⏎⏎⏎⏎⏎⏎⏎⏎三、`` (k = 3, m = 5) the run of 8 before the next label is
3 + 5: one blank cell closes the row.  A row is read this way only when the table's
own runs show a cell separator k ≥ 2 and a row separator m that k does not divide, and
every run in the row is j·k or m + j·k.
"""
from __future__ import annotations

import re
from collections import Counter

__all__ = ["Layout", "run_layout", "run_cells"]

_PIECE = re.compile(r"(\n+)|([^\n]+)")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


class Layout(tuple):
    """(k, m): breaks after a cell, breaks after a row."""

    @property
    def k(self) -> int:
        return self[0]

    @property
    def m(self) -> int:
        return self[1]


def _pieces(text: str) -> list[tuple[int, str]]:
    """(line breaks before it, token) for each non-blank line of *text*."""
    out, breaks = [], 0
    for m in _PIECE.finditer(text):
        if m.group(1) is not None:
            breaks += len(m.group(1))
        elif m.group(2).strip():
            out.append((breaks, m.group(2).strip()))
            breaks = 0
    return out, breaks


def run_layout(text: str) -> Layout | None:
    """The (k, m) of a table's text, or None when its cells are not separated that way."""
    pieces, _ = _pieces(text)
    between = Counter()   # runs between two numbers
    before_label = Counter()  # runs between a number and a label
    for (_, prev), (n, tok) in zip(pieces, pieces[1:]):
        if not _NUMBER.fullmatch(prev):
            continue
        if _NUMBER.fullmatch(tok):
            between[n] += 1
        else:
            before_label[n] += 1
    if sum(between.values()) < 10 or not before_label:
        return None
    k, nk = between.most_common(1)[0]
    m, _ = before_label.most_common(1)[0]
    if k < 2 or m <= k or m % k == 0 or nk < 0.7 * sum(between.values()):
        return None
    return Layout((k, m))


def run_cells(region: str, layout: Layout, row_start: bool, width: int) -> list[str | None] | None:
    """The *width* cells of the row that *region* starts (after its label, or after a header
    row when not *row_start*), with ``None`` for each blank cell; None when the runs do not
    fit the layout or a cell is not a number.

    After a label a run of j·k breaks is j − 1 blank cells; after a header row a run of
    m + j·k is j blanks; the run that ends the row (before the next label, or its last)
    is m + j·k with j blanks."""
    k, m = layout
    pieces, trailing = _pieces(region)
    cells: list[str | None] = []
    for i, (n, tok) in enumerate(pieces):
        if not _NUMBER.fullmatch(tok):  # the next row's label: the run before it ends this row
            if i == 0:
                return None
            trailing = n
            break
        if i == 0 and not row_start:
            if n < m or (n - m) % k:
                return None
            cells.extend([None] * ((n - m) // k))
        else:
            if n < k or n % k:
                return None
            cells.extend([None] * (n // k - 1))
        cells.append(tok)
        if len(cells) >= width:
            return cells if len(cells) == width else None
    if not cells:
        return None
    if trailing >= m and (trailing - m) % k == 0:
        cells.extend([None] * ((trailing - m) // k))
    else:
        return None
    return cells if len(cells) == width else None
