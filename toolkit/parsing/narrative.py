"""Section 五 (存在的主要问题及改进情况) as data: problems and improvements, item by item.

A section is cut into two parts — ``problem`` then ``improvement`` — at the
improvement sub-heading ((二)改进情况 / 改进措施 / 整改措施 / 下一步工作 …), or,
when the report writes one paragraph, at the first inline marker that opens
the improvement part (改进措施：, 下一步, 今后, 针对存在的问题 …).  Each part is
cut into items at its enumeration (一是/二是…, (一)(二)…, 1. 2. …, 第一/第二…,
首先/其次…).  Text of a part before its first enumerated item (its
sub-heading, a lead-in sentence) is kept as item 0; a part with no
enumeration is one item (item 1).  No text is left out, and offsets point
into the section text so every item can be traced back.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Item", "split_parts", "split_items", "split_section"]

_CN = "一二三四五六七八九十"
_IMPROVE_HEAD = re.compile(
    r"^[ \t]*(?:[(（][二2][)）]|二[、.．]|2[、.．])?\s*(?:下一步)?(?:改进情况|改进措施|整改措施|整改情况|改进方向|"
    r"工作打算|下一步工作(?:打算|计划|安排)?|下一步打算|下一步计划)\s*[。:：.]?", re.M)
_IMPROVE_INLINE = re.compile(r"改进措施\s*[:：]|整改措施\s*[:：]|下一步|今后|针对(?:上述|存在的|以上)问题")


@dataclass(frozen=True)
class Item:
    """One item of a part: ``item`` 0 is a lead-in, 1.. are enumerated items."""

    part: str
    item: int
    text: str
    start: int
    end: int


def split_parts(section: str) -> dict[str, tuple[int, int]]:
    """Character spans of the ``problem`` and ``improvement`` parts of a section 五.

    The improvement part starts at its sub-heading (kept in the part, so no
    text is lost) or, failing that, at the first inline marker.  A section
    with no improvement marker is all ``problem``; an empty part is absent.
    """
    if not section.strip():
        return {}
    m = _IMPROVE_HEAD.search(section)
    if not (m and m.group(0).strip()):
        m = _IMPROVE_INLINE.search(section)
    cut = m.start() if m else len(section)
    parts = {}
    if section[:cut].strip():
        parts["problem"] = (0, cut)
    if section[cut:].strip():
        parts["improvement"] = (cut, len(section))
    return parts


def _markers(numbered: str) -> list[re.Pattern]:
    return [re.compile(numbered.format(n=n)) for n in _CN[:10]]


# Each family: the pattern of its k-th marker.
_FAMILIES: list[list[re.Pattern]] = [
    _markers(r"(?<![统唯同])(?<!第){n}是"),
    _markers(r"[(（]{n}[)）]"),
    [re.compile(rf"(?<![\d.]){k}\s*[.．、)）](?!\d)") for k in range(1, 11)],
    _markers(r"第{n}(?=[,，、：:是])"),
    [re.compile(w) for w in ("首先", "其次", "再次|第三|最后", "最后")],
]


def split_items(text: str, offset: int = 0, part: str = "") -> list[Item]:
    """Cut one part into items at its enumeration.

    The family used is the one whose first two markers occur in order and
    whose first marker comes earliest; markers are then followed in sequence
    (二是 only after 一是 …).  Returns item 0 for the lead-in (if any text
    precedes the first marker) and items 1..n; with no enumeration, the
    whole part is item 1.  Offsets are ``offset`` + positions in ``text``.
    """
    best: list[tuple[int, int]] | None = None
    for family in _FAMILIES:
        found, pos = [], 0
        for rx in family:
            m = rx.search(text, pos)
            if not m:
                break
            found.append((m.start(), m.end()))
            pos = m.end()
        if len(found) >= 2 and (best is None or found[0][0] < best[0][0]):
            best = found
    items: list[Item] = []

    def add(n: int, a: int, b: int) -> None:
        chunk = text[a:b]
        stripped = chunk.strip()
        if stripped:
            lead = len(chunk) - len(chunk.lstrip())
            items.append(Item(part, n, stripped, offset + a + lead, offset + a + lead + len(stripped)))

    if best is None:
        add(1, 0, len(text))
        return items
    add(0, 0, best[0][0])
    for i, (start, _) in enumerate(best):
        end = best[i + 1][0] if i + 1 < len(best) else len(text)
        add(i + 1, start, end)
    return items


def split_section(section: str | None) -> list[Item]:
    """All items of a section 五, problems first; [] for a missing or empty section."""
    if not section:
        return []
    out: list[Item] = []
    for part, (a, b) in split_parts(section).items():
        out.extend(split_items(section[a:b], offset=a, part=part))
    return out
