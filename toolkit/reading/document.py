"""The reading layer's result types: a document's text and its tables as grids."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Grid", "Document", "grid_text", "assemble", "cell_lines", "MAX_GRID_CELLS"]


def cell_lines(text: str) -> str:
    """A table cell's lines kept apart (``"1\n2"`` is two tokens, never ``12``), spaces
    collapsed, blank lines dropped."""
    lines = (re.sub(r"\s+", " ", ln).strip() for ln in text.split("\n"))
    return "\n".join(ln for ln in lines if ln)


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


