"""Table rows: what a row's reading is (:class:`RowRead`, :class:`TableRead`) and how a
row is recognised by its label (template wording, typos, (六)其他处理 as one row)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache

from .. import schema

__all__ = ["RowRead", "TableRead", "row_patterns", "label_cores", "fuzzy_row", "t3_row_items", "single_other_row",
           "similar_label", "SUBNUMBER", "CJK_RUN", "FUZZY_LABEL_RATIO"]

# ------------------------------------------------------------------ results


@dataclass
class RowRead:
    """One row's reading: ``values`` (None when not certain) or the reason ``status``."""

    values: list | None = None
    status: str | None = None
    candidates: list[list] = field(default_factory=list)  # several possible splits
    inferred: bool = False  # split from jammed digits / stray spaces by arithmetic
    short: bool = False     # a run of digits too short for the cells (blank cells dropped?)


@dataclass
class TableRead:
    """A table and what is known about its missing cells.

    ``table[row][col]`` is the value or None; ``status[row][col]`` the reason code of
    each None cell; ``candidates[row]`` the possible splits of a jammed row left
    missing; ``inferred`` the rows read by their own arithmetic or by row order (kept
    as printed when a column identity fails; the warnings name them).
    """

    table: dict[str, dict]
    status: dict[str, dict[str, str]] = field(default_factory=dict)
    candidates: dict[str, list[list]] = field(default_factory=dict)
    inferred: set[str] = field(default_factory=set)

    def set_row(self, key: str, cols, read: RowRead) -> None:
        self.table[key] = {c: (None if read.values is None else read.values[j]) for j, c in enumerate(cols)}
        if read.values is not None and None in read.values:  # a row read in part
            self.status[key] = {c: read.status or "ambiguous" for c, v in zip(cols, read.values) if v is None}
            return
        if read.values is None:
            self.status[key] = {c: read.status or "ambiguous" for c in cols}
            if read.candidates:
                self.candidates[key] = read.candidates
        else:
            self.status.pop(key, None)
            self.candidates.pop(key, None)
            if read.inferred:
                self.inferred.add(key)

    def missing_row(self, key: str, cols, status: str) -> None:
        self.table[key] = {c: None for c in cols}
        self.status[key] = {c: status for c in cols}
        self.candidates.pop(key, None)
        self.inferred.discard(key)


# ------------------------------------------------------------------ labels

_QUOTES = "“”\"'‘’「」"


def _label_rx(label: str) -> str:
    """Regex for a label tolerant of line breaks/spaces between characters and quote styles."""
    parts = []
    for ch in label:
        parts.append(f"[{re.escape(_QUOTES)}]?" if ch in _QUOTES else re.escape(ch))
    return r"\s*".join(parts)


# Sub-item numbers (1. 2. …) that precede t3 labels: they must not be read as values.
SUBNUMBER: dict[str, int] = {}
for _group in ("denied", "unavailable", "not_processed", "other"):
    for _i, _key in enumerate([r.key for r in schema.T3_ROWS if r.key.startswith(_group + ".")], 1):
        SUBNUMBER[_key] = _i

# (六)其他处理 printed as one row in a 2021 table (its three sub-rows not printed).
_OTHER_ALL_2021 = re.compile(r"\(\s*六\s*\)\s*其\s*他\s*处\s*理")


@lru_cache(maxsize=None)
def t3_row_items(template: str, single_other: bool = False) -> tuple[schema.Item, ...]:
    """Table 3's rows; *single_other*: a 2021 table printing (六)其他处理 as one row, which are
    the 2019 template's rows."""
    return schema.t3_rows("2019" if single_other else template)


def _alternatives(row: schema.Item) -> str:
    """A row's label and its aliases as one regex alternation."""
    return "|".join(_label_rx(a) for a in (row.zh, *row.aliases))


@lru_cache(maxsize=None)
def _t3_labels(template: str, single_other: bool) -> tuple[tuple[str, str, str], ...]:
    """(row key, label pattern, core) of table 3's rows.  The core is the label without an
    optional sub-number: the pattern matches inside a span exactly when its core does there
    (the prefix may be empty), and the core, starting with a literal, is searched many times
    faster.  Where the prefix is required, the core is the pattern."""
    out = []
    for row in t3_row_items(template, single_other):
        alts = _alternatives(row)
        n = SUBNUMBER.get(row.key)
        if row.key == "other.other":
            # "其他" alone is too common; require its sub-number.
            rx = core = rf"3\s*[.、．]\s*(?:{alts})"
        elif row.key == "other.all" and template != "2019":
            rx = core = _OTHER_ALL_2021.pattern
        elif row.key == "total_handled":
            rx, core = rf"(?:\(七\)\s*)?(?:{alts})", alts
        elif n is not None:
            rx, core = rf"(?:{n}\s*[.、．]\s*)?(?:{alts})", alts
        else:
            rx, core = rf"(?:\([一二三四五六七]\)\s*|[一二三四]\s*[、.．]\s*)?(?:{alts})", alts
        out.append((row.key, rx, core))
    return tuple(out)


@lru_cache(maxsize=None)
def row_patterns(table: str, template: str, single_other: bool = False) -> tuple[tuple[str, re.Pattern], ...]:
    if table == "t2":
        rows = schema.T2_ROWS if template == "2021" else schema.T2_ROWS_2019
        return tuple((row.key, re.compile(_alternatives(row))) for row in rows)
    return tuple((key, re.compile(rx)) for key, rx, _core in _t3_labels(template, single_other))


@lru_cache(maxsize=None)
def label_cores(template: str, single_other: bool = False) -> dict[str, re.Pattern]:
    """Table 3's row labels without their optional sub-number (see :func:`_t3_labels`),
    for the duplicate-label check, which runs per row."""
    return {key: re.compile(core) for key, _rx, core in _t3_labels(template, single_other)}


CJK_RUN = re.compile(r"[\u4e00-\u9fff“”\"'‘’「」、]{3,40}")
FUZZY_LABEL_RATIO = 0.6


def similar_label(label: str, text: str) -> float:
    return SequenceMatcher(None, label, text[:len(label) + 3], autojunk=False).ratio()


def fuzzy_row(text: str, template: str, keys=None) -> str | None:
    """The one sub-numbered t3 row (``2.其他法律行政止公开``) whose label *text* is a near
    copy of: same sub-number, characters mostly the same and in order; None if none or
    several fit.  *keys* limits the rows considered."""
    m = re.search(r"([1-8])\s*[.、．]\s*", text)
    if m is None:
        return None
    run = CJK_RUN.match(text, m.end())
    if run is None:
        return None
    words = run.group(0)
    n = int(m.group(1))
    hits = [r.key for r in schema.t3_rows(template) if SUBNUMBER.get(r.key) == n
            and (keys is None or r.key in keys) and similar_label(r.zh, words) >= FUZZY_LABEL_RATIO]
    return hits[0] if len(hits) == 1 else None


def single_other_row(text: str, template: str) -> bool:
    """Does this 2021 table 3 print (六)其他处理 as one row (none of its three sub-rows)?"""
    if template == "2019":
        return False
    m = _OTHER_ALL_2021.search(text)
    if m is None:
        return False
    # Its sub-rows, if printed, follow it closely (before (七)总计).
    window = text[m.end():m.end() + 400]
    return not any(rx.search(window) for rx in _other_subrows(template))


@lru_cache(maxsize=None)
def _other_subrows(template: str) -> tuple[re.Pattern, ...]:
    return tuple(rx for k, rx in row_patterns("t3", template) if k.startswith("other."))


