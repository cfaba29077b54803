"""Reading in context: keyword-in-context (KWIC) lines of section 五 items."""
from __future__ import annotations

import re

__all__ = ["kwic", "KWIC_COLUMNS"]

KWIC_COLUMNS = ["report_id", "part", "item", "left", "term", "right", "item_id", "offset"]


def kwic(term: str, items=None, window: int = 20, regex: bool = False, include_headings: bool = False):
    """Every occurrence of *term* in the items, with *window* characters either side.

    Parameters
    ----------
    term : str
        The text to find: a literal string, or a regular expression when
        *regex* (e.g. ``"不够|不足"``); matching is case-sensitive and on the
        text as published.
    items : DataFrame, optional
        Items with ``text`` (and ``report_id``, ``part``, ``item``, ``item_id``,
        ``start`` when present), as `toolkit.load_narratives` returns; default:
        ``load_narratives()`` of the shipped corpus. Not modified.
    window : int, default 20
        Characters of context kept on each side (fewer at the item's edges);
        line breaks in the context are shown as spaces.
    include_headings : bool, default False
        Search heading items too.

    Returns
    -------
    DataFrame, one row per occurrence, in item order then position:

    ========= ======== ===========================================================
    report_id string   report id
    part      category ``problem`` / ``improvement`` (as in *items*)
    item      Int64    item number
    left      string   up to *window* characters before the match
    term      string   the matched text
    right     string   up to *window* characters after it
    item_id   string   the item's stable id
    offset    Int64    position of the match in the section 五 text (the item's
                       ``start`` plus its position in the item); <NA> without ``start``
    ========= ======== ===========================================================

    Overlapping occurrences are found from left to right without overlap (as
    ``re.finditer``).  Raises ``ValueError`` for an empty *term* or a negative
    *window*.
    """
    import pandas as pd

    if not isinstance(term, str) or not term:
        raise ValueError("term must be a non-empty string")
    if not isinstance(window, int) or window < 0:
        raise ValueError(f"window must be a non-negative int, got {window!r}")
    if items is None:
        from .narratives import load_narratives

        items = load_narratives()
    if not isinstance(items, pd.DataFrame) or "text" not in items.columns:
        raise TypeError("items must be a DataFrame with a 'text' column, as load_narratives() returns")
    frame = items
    if not include_headings and "is_heading" in frame.columns:
        frame = frame[~frame["is_heading"].fillna(False).astype(bool)]
    rx = re.compile(term if regex else re.escape(term))

    def col(name):
        return frame[name].tolist() if name in frame.columns else [None] * len(frame)

    rows = []
    for rid, part, item, iid, start, text in zip(col("report_id"), col("part"), col("item"), col("item_id"),
                                                  col("start"), col("text")):
        if not isinstance(text, str):
            continue
        for m in rx.finditer(text):
            if m.end() == m.start():
                continue
            left = text[max(0, m.start() - window):m.start()].replace("\n", " ")
            right = text[m.end():m.end() + window].replace("\n", " ")
            offset = None if start is None or pd.isna(start) else int(start) + m.start()
            rows.append((rid, part, item, left, m.group(0), right, iid, offset))
    out = pd.DataFrame(rows, columns=KWIC_COLUMNS)
    part_dtype = frame["part"].dtype if "part" in frame.columns and isinstance(
        frame["part"].dtype, pd.CategoricalDtype) else "string"
    return out.astype({"report_id": "string", "part": part_dtype, "item": "Int64", "left": "string",
                       "term": "string", "right": "string", "item_id": "string", "offset": "Int64"})
