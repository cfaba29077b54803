"""The six sections of a report, found by their headings."""
from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache

from .. import schema
from .memo import per_text

__all__ = ["find_sections", "find_t4_header"]

_NUMERAL = "一二三四五六"
_HEAD_PREFIX = re.compile(r"^(?:[一二三四五六七八九十]+\s*[、.．]|第[一二三四五六]部分\s*[、.:：]?)\s*")
# Canonical wordings a numbered heading with a typo is compared with (行政法复议 for 行政复议).
# Only long ones: a short heading with one wrong character could be any words.
_FUZZY_HEADINGS = {
    "2": ("主动公开政府信息情况",),
    "3": ("收到和处理政府信息公开申请情况",),
    "4": ("政府信息公开行政复议、行政诉讼情况", "因政府信息公开工作被申请行政复议、提起行政诉讼情况"),
    "5": ("存在的主要问题及改进情况",),
    "6": ("其他需要报告的事项",),
}
_FUZZY_MIN_RATIO = 0.85
# Headings whose words are not distinctive: the pre-2019 template's 六、存在的主要问题
# (without 及改进措施).  The same words open many body sentences, so such a heading
# counts only as a whole numbered line.
_BARE_HEADINGS = {
    "5": re.compile(r"[一二三四五六七八九十]+\s*[、.．]\s*存在的(?:主要)?问题"),
}
# A word each section's heading regexes (schema.SECTIONS) cannot match without.
_HEADING_WORDS = ("总体情况", "概", "主动公开政府信息", "收到和处理政府信息公开申请", "行政复议", "问题", "其他需要报告的事项")
# Longer lines are never a heading line (numeral + words + up to 14 more characters).
_LONGEST_HEADING_LINE = 80
# Table 4's column headers: where the table starts when its section heading is missing.
_T4_WORDS = re.compile(r"结\s*果\s*维\s*持|尚\s*未\s*审\s*结|未经复议直接起诉|复议后起诉")
_T4_LEAD = re.compile(r"行\s*政\s*复\s*议")


@lru_cache(maxsize=None)
def _section_rx(number: str) -> re.Pattern:
    return re.compile("|".join(f"(?:{k})" for k in schema.SECTIONS[number][2]))


@lru_cache(maxsize=None)
def _numbered_rx(number: str) -> re.Pattern:
    keys = _section_rx(number).pattern
    return re.compile(rf"{_NUMERAL[int(number) - 1]}\s*[、.．]\s*(?:[^\n。,;]{{0,14}}?)(?:{keys})")


@lru_cache(maxsize=None)
def _numeral_rx(number: str) -> re.Pattern:
    return re.compile(rf"(?<![一二三四五六七八九十]){_NUMERAL[int(number) - 1]}\s*[、.．]\s*")


@per_text(maxsize=4096, longest=200)
def _heading_at(line: str, number: str) -> bool:
    """Is *line* the heading of section *number* (with or without its numeral)?  Kept per
    line: heading lines repeat the template's words from report to report."""
    stripped = line.strip().rstrip("。.:：; ")
    head = _HEAD_PREFIX.sub("", stripped)
    m = _section_rx(number).search(head)
    # A heading is short; the same words inside a sentence are not a heading.
    if m is not None and len(head) <= len(m.group(0)) + 14:
        return True
    bare = _BARE_HEADINGS.get(number)
    return bare is not None and bare.fullmatch(stripped) is not None


def _similar_heading(text: str, pos: int, number: str) -> int | None:
    """End of a numbered heading at *pos* whose words are a near copy of the canonical
    wording (one or two characters wrong, missing or extra); None if there is none."""
    for wording in _FUZZY_HEADINGS.get(number, ()):
        n = len(wording)
        best, best_end = 0.0, None
        for size in range(max(1, n - 2), n + 3):
            chunk = text[pos:pos + size]
            if "\n" in chunk:
                break
            ratio = SequenceMatcher(None, wording, chunk, autojunk=False).ratio()
            if ratio > best:
                best, best_end = ratio, pos + size
        if best >= _FUZZY_MIN_RATIO:
            return best_end
    return None


def find_sections(text: str) -> dict[str, tuple[int, int] | None]:
    """Character spans of the six sections' bodies in normalized *text*.

    Headings are looked for first as lines of their own (numbered or not),
    then, for text whose lines ran together, as numbered headings inline
    (``四、政府信息公开行政复议、行政诉讼情况``), then as numbered headings whose
    words are a near copy of the canonical ones (``四、政府信息公开行政法复议…``).
    Sections are taken in order.
    """
    starts: dict[str, tuple[int, int]] = {}  # number -> (heading start, body start)
    # Candidate heading lines: short lines holding a word every heading of some section has.
    lines: dict[int, str] = {}
    for word in _HEADING_WORDS:
        i = text.find(word)
        while i >= 0:
            start = text.rfind("\n", 0, i) + 1
            end = text.find("\n", i)
            end = len(text) if end < 0 else end
            if start not in lines and end - start <= _LONGEST_HEADING_LINE:
                lines[start] = text[start:end]
            i = text.find(word, end)
    offsets = sorted(lines.items())
    cursor = 0
    for number in schema.SECTIONS:
        found = None
        for start, line in offsets:
            if start >= cursor and _heading_at(line, number):
                found = (start, start + len(line))
                break
        if found is None:
            m = _numbered_rx(number).search(text, cursor)
            if m:
                found = (m.start(), m.end())
        if found is None and number in _FUZZY_HEADINGS:
            for m in _numeral_rx(number).finditer(text, cursor):
                end = _similar_heading(text, m.end(), number)
                if end is not None:
                    found = (m.start(), end)
                    break
        if found:
            starts[number] = found
            cursor = found[1]
    spans: dict[str, tuple[int, int] | None] = {}
    ordered = sorted(starts.items(), key=lambda kv: kv[1][0])
    for i, (number, (_, body)) in enumerate(ordered):
        end = ordered[i + 1][1][0] if i + 1 < len(ordered) else len(text)
        spans[number] = (body, end)
    return {n: spans.get(n) for n in schema.SECTIONS}


def find_t4_header(text: str, start: int = 0, end: int | None = None) -> int | None:
    """Where table 4 begins in ``text[start:end]`` when its section heading is missing:
    the start of its header block (行政复议 … 结果维持 / 尚未审结 / 复议后起诉); None if absent."""
    end = len(text) if end is None else end
    m = _T4_WORDS.search(text, start, end)
    if m is None:
        return None
    # Back up to the 行政复议 that opens the header block, if it is close before.
    lead = None
    for lm in _T4_LEAD.finditer(text, max(start, m.start() - 60), m.start()):
        lead = lm
        break
    return lead.start() if lead is not None else m.start()
