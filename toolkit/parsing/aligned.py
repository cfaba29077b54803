"""Table 3 read by row order, for text whose labels stand apart from their numbers.

PDF text layers and markdown converted from PDF print each table-3 row's seven
numbers on one line, but the row's label is often elsewhere: on the line before
or after, wrapped around the numbers, split across markdown cells, or missing.
There the text between one label and the next may hold another row's numbers,
so labels cannot delimit rows.  Instead:

1. every line holding a run of exactly seven numbers is a *value line* (a run of
   another length of two or more numbers is an *odd line*: a row whose cells
   cannot be read, which still takes its place in the order);
2. a value line whose own text names exactly one row (exactly, or as a near copy
   with the same sub-number) is an *anchor* for that row; anchors must come in
   template order, else nothing is read this way;
3. between two anchors (and before the first, after the last) the value lines are
   given to the rows between them in order, only if there are exactly as many
   lines as rows and no such line names another row; a line so placed must keep
   its own row sum (six columns = 总计).

The layout is recognised only when at least five value lines are found.  Rows
placed between anchors are marked as read by order, and
:mod:`toolkit.parsing.resolve` drops them again if they break a column identity.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice

from .. import schema
from .memo import per_text
from .rows import RowRead, fuzzy_row, row_patterns, t3_row_items

__all__ = ["Aligned", "read_by_row_order", "value_lines"]

_NCOLS = len(schema.T3_COLUMNS)
_MIN_VALUE_LINES = 5
_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")  # |---|---|
_INT = re.compile(r"\d+")
_THOUSANDS = re.compile(r"(?<![\d,])\d{1,3}(?:,\d{3})+(?![\d,])")
# A number that is not clean: glued to a Latin letter (an OCR misreading), a quantity word
# or an undecodable byte, or a lone letter standing for a digit.
_DOUBTFUL = re.compile(r"\d[A-Za-z余多]|[A-Za-z]\d")
_OCR_LETTERS = frozenset("OolI")
_DIGIT = re.compile(r"\d")


@dataclass
class Aligned:
    rows: dict[str, RowRead] = field(default_factory=dict)
    by_order: set[str] = field(default_factory=set)   # rows placed between anchors


@dataclass(frozen=True)
class _Line:
    values: list[int] | None   # the seven numbers, or None for an odd line
    label: str                 # the line's words (its numbers removed)
    shown: str
    doubtful: bool = False     # digits glued to letters or quantity words (12S9, 290余, U+FFFD)


# A run of two or more whole numbers on one line, separated by spaces, tabs or pipes.
_RUN = re.compile(r"(?<![^\s|])\d+(?:[ \t|]+\d+)+(?![^\s|])")
_SEVEN = re.compile(r"(?<![^\s|])\d+(?:[ \t|]+\d+){%d}(?![^\s|])" % (_NCOLS - 1))


def value_lines(text: str) -> list[_Line]:
    """The lines of *text* that hold a run of two or more numbers, in order."""
    return [ln for ln in map(_value_line, text.split("\n")) if ln is not None]


@per_text(maxsize=4096, longest=400)
def _value_line(line: str) -> _Line | None:
    """One line of :func:`value_lines` (None when it holds no run of numbers); kept per line,
    as a table's lines repeat from report to report (a row of zeros under its label)."""
    if "," in line:
        line = _THOUSANDS.sub(lambda m: m.group(0).replace(",", ""), line)  # 1,295
    tokens = line.replace("|", " ").split()
    runs: list[list[str]] = []
    words: list[str] = []
    current: list[str] = []
    doubtful = False
    for tok in tokens:
        if tok.isdigit() and tok.isascii():
            current.append(tok)
            continue
        if len(current) >= 2:
            runs.append(current)
        elif current:
            words.extend(current)
        current = []
        words.append(tok)
        if tok in _OCR_LETTERS or ("\ufffd" in tok) or (_DIGIT.search(tok) and _DOUBTFUL.search(tok)):
            doubtful = True
    if len(current) >= 2:
        runs.append(current)
    elif current:
        words.extend(current)
    if not runs or _RULE.match(line):
        return None
    label = " ".join(words)
    values = runs[0] if len(runs) == 1 else []
    if len(values) == _NCOLS and not doubtful and not any(len(v) > 1 and v[0] == "0" for v in values):
        return _Line([int(t) for t in values], label, line.strip())
    return _Line(None, label, line.strip(), doubtful)


@lru_cache(maxsize=None)
def _signed(template: str, single_other: bool) -> tuple[tuple[str, re.Pattern, str], ...]:
    """(row key, label pattern, two characters the label cannot be without)."""
    items = {r.key: r for r in t3_row_items(template, single_other)}
    out = []
    for key, rx in row_patterns("t3", template, single_other):
        words = "".join(ch for ch in items[key].zh if ch not in "“”\"'")
        out.append((key, rx, words[:2]))
    return tuple(out)


@per_text(maxsize=4096, longest=200)
def _names(label: str, template: str, single_other: bool) -> frozenset[str]:
    """Row keys whose label appears in a line's words (exactly, else as a near copy); kept per
    line's words, which repeat from report to report (the template's labels)."""
    compact = re.sub(r"\s+", "", label)
    found = {key for key, rx, sig in _signed(template, single_other) if sig in compact and rx.search(label)}
    if not found:
        key = fuzzy_row(label, template)
        if key is not None:
            found = {key}
    return frozenset(found)


def read_by_row_order(text: str, template: str, single_other: bool, warnings: list[str]) -> Aligned | None:
    """Rows of table 3 placed by their order (see the module docstring); None when the text is
    not laid out one row per line or its anchors contradict the template's order."""
    # A cheap test before reading line by line (stops at the fifth run).
    if len(list(islice(_SEVEN.finditer(text), _MIN_VALUE_LINES))) < _MIN_VALUE_LINES:
        return None
    lines = value_lines(text)
    if sum(ln.values is not None for ln in lines) < _MIN_VALUE_LINES:
        return None
    order = [r.key for r in t3_row_items(template, single_other)]
    index = {k: i for i, k in enumerate(order)}
    names = [_names(ln.label, template, single_other) if ln.label else set() for ln in lines]
    anchors: list[tuple[int, int]] = []  # (line number, row index)
    for i, found in enumerate(names):
        if len(found) == 1:
            anchors.append((i, index[next(iter(found))]))
    if any(b[1] <= a[1] for a, b in zip(anchors, anchors[1:])):
        warnings.append("t3: row labels beside the numbers are out of template order; not read by row order")
        return None
    result = Aligned()
    for i, r in anchors:
        result.rows[order[r]] = _row(lines[i], order[r], warnings)
    bounds = [(-1, -1), *anchors, (len(lines), len(order))]
    for (li, ri), (lj, rj) in zip(bounds, bounds[1:]):
        gap_lines = list(range(li + 1, lj))
        gap_rows = list(range(ri + 1, rj))
        if not gap_rows:
            continue
        if not gap_lines and li >= 0 and lj < len(lines):
            # Between two labelled rows and no numbers at all: these rows are printed blank.
            for r in gap_rows:
                warnings.append(f"t3.{order[r]}: no numbers between the rows labelled before and after it "
                                f"(blank cells); left missing")
                result.rows[order[r]] = RowRead(status="blank")
            continue
        if len(gap_lines) != len(gap_rows):
            if gap_lines or li >= 0:
                keys = ", ".join(order[r] for r in gap_rows)
                warnings.append(f"t3: {len(gap_lines)} lines of numbers for the {len(gap_rows)} rows "
                                f"{keys} between labelled rows; those rows left missing")
            continue
        if any(names[k] and order[r] not in names[k] for k, r in zip(gap_lines, gap_rows)):
            warnings.append("t3: a line of numbers between labelled rows names another row; "
                            "rows there not read by order")
            continue
        for k, r in zip(gap_lines, gap_rows):
            key = order[r]
            read = _row(lines[k], key, warnings)
            if read.values is not None and sum(read.values[:-1]) != read.values[-1]:
                # Placed by order only: its own sum must hold too (a header or a stray line
                # of numbers would rarely add up).
                warnings.append(f"t3.{key}: the line {lines[k].shown!r} placed here by row order does not "
                                f"add up (six columns vs 总计); values left missing")
                read = RowRead(status="ambiguous")
            elif read.values is not None:
                warnings.append(f"t3.{key}: its label stands apart from its numbers; "
                                f"{lines[k].shown!r} read as this row by row order")
            result.rows[key] = read
            result.by_order.add(key)
    return result


def _row(line: _Line, key: str, warnings: list[str]) -> RowRead:
    if line.values is None:
        numbers = _INT.findall(_RUN.search(line.shown).group(0)) if _RUN.search(line.shown) else []
        if line.doubtful:
            warnings.append(f"t3.{key}: the line {line.shown!r} mixes digits and letters or words "
                            f"(or holds a byte that could not be decoded); values left missing")
            return RowRead(status="doubtful_text")
        warnings.append(f"t3.{key}: found {len(numbers)} values ({' '.join(numbers)}) for {_NCOLS} cells "
                        f"on the line {line.shown!r}; cannot tell which cell is blank, values left missing")
        return RowRead(status="ambiguous")
    return RowRead(values=list(line.values))
