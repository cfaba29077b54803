"""The six sections of a report, found by their headings."""
from __future__ import annotations

import re
from functools import lru_cache

from .. import schema

__all__ = ["find_sections"]

_NUMERAL = "一二三四五六"
_HEAD_PREFIX = re.compile(r"^(?:[一二三四五六七八九十]+\s*[、.．]|第[一二三四五六]部分\s*[、.:：]?)\s*")


@lru_cache(maxsize=None)
def _section_rx(number: str) -> re.Pattern:
    return re.compile("|".join(f"(?:{k})" for k in schema.SECTIONS[number][2]))


def _heading_at(line: str, number: str) -> bool:
    """Is *line* the heading of section *number* (with or without its numeral)?"""
    head = _HEAD_PREFIX.sub("", line.strip()).rstrip("。.:：; ")
    m = _section_rx(number).search(head)
    # A heading is short; the same words inside a sentence are not a heading.
    return m is not None and len(head) <= len(m.group(0)) + 14


def find_sections(text: str) -> dict[str, tuple[int, int] | None]:
    """Character spans of the six sections' bodies in normalized *text*.

    Headings are looked for first as lines of their own (numbered or not),
    then, for text whose lines ran together, as numbered headings inline
    (``四、政府信息公开行政复议、行政诉讼情况``).  Sections are taken in order.
    """
    starts: dict[str, tuple[int, int]] = {}  # number -> (heading start, body start)
    offsets, pos = [], 0
    for line in text.split("\n"):
        offsets.append((pos, line))
        pos += len(line) + 1
    cursor = 0
    for number in schema.SECTIONS:
        found = None
        for start, line in offsets:
            if start >= cursor and _heading_at(line, number):
                found = (start, start + len(line))
                break
        if found is None:
            keys = _section_rx(number).pattern
            rx = re.compile(rf"{_NUMERAL[int(number) - 1]}\s*[、.．]\s*(?:[^\n。,;]{{0,14}}?)(?:{keys})")
            m = rx.search(text, cursor)
            if m:
                found = (m.start(), m.end())
        if found:
            starts[number] = found
            cursor = found[1]
    spans: dict[str, tuple[int, int] | None] = {}
    ordered = sorted(starts.items(), key=lambda kv: kv[1][0])
    for i, (number, (_, body)) in enumerate(ordered):
        end = ordered[i + 1][1][0] if i + 1 < len(ordered) else len(text)
        spans[number] = (body, end)
    return {n: spans.get(n) for n in schema.SECTIONS}


