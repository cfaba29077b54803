"""The reading layer's result types: a document's text and its tables as grids."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Grid", "Document", "grid_text", "assemble", "cell_lines", "MAX_GRID_CELLS", "RAISED", "STRUCK",
           "settle_marks", "settle_row", "DOUBTFUL"]

#: Stand-ins the readers put where a page shows a *mark* beside the text: RAISED for a
#: superscript, subscript or raised small glyph, STRUCK for struck-through text.  The
#: mark's own characters are never kept, so they can never join a number;
#: :func:`settle_marks` then decides what the text around the mark says.  Both are
#: private-use characters: they never occur in a report and never leave the reading layer.
RAISED = "\ue000"
STRUCK = "\ue001"
_MARKS = RAISED + STRUCK
_MARK_NAMES = {RAISED: "a superscript/subscript mark", STRUCK: "struck-through text"}
#: What a number with a mark inside it becomes: the replacement character, which every
#: table reader already takes for a doubtful token (never a clean number).
DOUBTFUL = "\ufffd"
_MARK_TOKEN = re.compile(r"[^\s\ue000\ue001]*[\ue000\ue001][^\s]*")


def settle_marks(text: str, cell: bool = False, where: str = "") -> tuple[str, list[str]]:
    """*text* with each mark settled, and a note for each mark that touches a number.

    The rule (a number is what a reader of the page reads, never its marks joined in):

    - a mark not touching a digit is dropped (a footnote mark after a word);
    - a superscript/subscript mark right after a number is a footnote mark: the number
      stands (``20`` + superscript ``1`` is 20); struck text right before or after a
      number is no part of it (``5`` struck then ``20`` is 20);
    - a mark between two digits (or a digit and a decimal point or thousands comma), or
      a superscript/subscript before a number, leaves the
      number doubtful: the mark becomes U+FFFD, so the number is never read as clean;
    - in a table cell (*cell*) whose only content is a mark, the cell shows a mark and
      no value: it is doubtful too, never blank.

    *where* names the place (a table row) in the notes.
    """
    if RAISED not in text and STRUCK not in text:
        return text, []
    notes: list[str] = []
    place = f" ({where})" if where else ""

    def settle(m: re.Match) -> str:
        tok = m.group(0)
        out: list[str] = []
        doubtful: list[str] = []
        kept: list[str] = []
        for i, ch in enumerate(tok):
            if ch not in _MARKS:
                out.append(ch)
                continue
            before = next((c for c in reversed(tok[:i]) if c not in _MARKS), "")
            after = next((c for c in tok[i + 1:] if c not in _MARKS), "")
            digit_before, digit_after = before.isdigit(), after.isdigit()
            # 1.~~0~~5 and 1,~~0~~95 are marks inside a number too.
            inside = (digit_before or (before and before in ".,")) and (digit_after or (after and after in ".,")) \
                and (digit_before or digit_after)
            if inside or (ch == RAISED and digit_after):
                doubtful.append(_MARK_NAMES[ch])
                if not out or out[-1] != DOUBTFUL:
                    out.append(DOUBTFUL)
            elif digit_before or digit_after:
                kept.append(_MARK_NAMES[ch])
        shown = "".join(out)
        if doubtful:
            notes.append(f"{' and '.join(sorted(set(doubtful)))} inside or before the number in "
                         f"{shown!r}{place}: the number is doubtful, not read")
        elif kept:
            notes.append(f"{' and '.join(sorted(set(kept)))} beside the number {shown!r}{place}: "
                         f"not part of it, the number is read as printed")
        return shown

    settled = _MARK_TOKEN.sub(settle, text)
    if cell and not settled.strip():
        notes.append(f"a table cell{place} shows only {_MARK_NAMES[next(c for c in text if c in _MARKS)]}: "
                     f"doubtful, not blank")
        return DOUBTFUL, notes
    return settled, notes



def cell_lines(text: str) -> str:
    """A table cell's lines kept apart (``"1\n2"`` is two tokens, never ``12``), spaces
    collapsed, blank lines dropped."""
    lines = (re.sub(r"\s+", " ", ln).strip() for ln in text.split("\n"))
    return "\n".join(ln for ln in lines if ln)


def settle_row(row: list[str | None], notes: list[str] | None = None) -> list[str | None]:
    """A table row's cells with their marks settled (:func:`settle_marks`); the notes, which
    name the row by its first cell without a mark, go to *notes*."""
    if not any(c and (RAISED in c or STRUCK in c) for c in row):
        return row
    label = next((c for c in row if c and c.strip() and RAISED not in c and STRUCK not in c
                  and not c.strip().isdigit()), "")
    where = f"table row {label.splitlines()[0][:30]!r}" if label else "a table row"
    out: list[str | None] = []
    for c in row:
        if c is None:
            out.append(None)
            continue
        text, found = settle_marks(c, cell=True, where=where)
        out.append(text if text == "\ufffd" else cell_lines(text))
        if notes is not None:
            notes.extend(found)
    return out


#: Largest table grid built from a document, after rowspan/colspan are expanded.
#: A real report's largest table has about 30 rows by 10 columns; a grid this big
#: is an attack (or a broken file) and expanding it would exhaust memory.
MAX_GRID_CELLS = 200_000


@dataclass
class Grid:
    """One table: ``rows[i][j]`` is the cell text, ``""`` when blank, ``None`` when no cell is
    there (covered by another cell's span, or missing from a row shorter than the table).
    A cell holding several lines or blocks keeps them apart with ``"\n"``."""

    rows: list[list[str | None]]
    start: int = 0  # offsets of the table's rendering in Document.text
    end: int = 0


@dataclass
class Document:
    text: str
    grids: list[Grid] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: The title the file gives beside its text (an HTML page's ``<title>``), if any.
    title: str | None = None
    # Read by OCR (a scanned page): its numbers enter the data only when vouched for.
    ocr: bool = False


def grid_text(grid: Grid) -> str:
    """A table as text: one line per row, real cells separated by tabs (a cell's own
    lines separated by spaces)."""
    return "\n".join("\t".join(c.replace("\n", " ") for c in row if c is not None) for row in grid.rows)


def assemble(blocks: list[str | Grid]) -> tuple[str, list[Grid]]:
    """Join text blocks and grids into one text, recording each grid's offsets."""
    parts: list[str] = []
    grids: list[Grid] = []
    pos = 0
    for block in blocks:
        if isinstance(block, Grid):
            rendered = grid_text(block)
            block.start, block.end = pos, pos + len(rendered)
            grids.append(block)
            block_text = rendered
        else:
            block_text = block
        parts.append(block_text + "\n")
        pos += len(block_text) + 1
    return "".join(parts), grids


