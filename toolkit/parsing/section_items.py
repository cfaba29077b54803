"""Section 五 (存在的主要问题及改进情况) as data: problems and improvements, item by item.

A section is cut into two parts — ``problem`` then ``improvement`` — at the
improvement sub-heading ((二)改进情况 / 改进措施 / 整改措施 / 下一步工作 …) or at
the first sentence that opens the improvement part (改进措施：, 下一步, 今后,
针对存在的问题 …, or a sentence about next year's plans: ``2019年，省工信厅将…``),
whichever comes first.  A marker inside a sentence moves the cut back to the
start of that sentence when only a few words precede it (``我们将在|今后的工作中``
is cut before ``我们``), so a part never starts mid-sentence; an enumerator
right before an improvement heading (the ``（二）`` of ``（二）下一步改进措施``)
goes with the heading.  A section that starts with its own heading
(``六、存在的问题和下一步工作措施``) is never cut inside that heading.

Each part is cut into items at its enumeration (一是/二是…, (一)(二)…, 1. 2. …,
第一/第二…, 首先/其次…).  Text of a part before its first enumerated item (its
sub-heading, a lead-in sentence) is kept as item 0; a part with no enumeration
is one item (item 1).  Items that are only a heading (``（二）整改措施``,
``改进措施：``) are marked ``is_heading``.  A signature block at the end of the
section (the organ's name and the date, on lines of their own) is left out of
the items (:func:`signature_start`).  Otherwise no text is left out, and
offsets point into the section text so every item can be traced back.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Item", "split_parts", "split_items", "split_section", "is_enumerated", "is_heading", "signature_start"]

_CN = "一二三四五六七八九十"
_IMPROVE_HEAD = re.compile(
    r"^[ \t]*(?:[(（][二2][)）]|二[、.．]|2[、.．])?\s*(?:下一步)?(?:改进情况|改进措施|整改措施|整改情况|改进方向|"
    r"工作打算|下一步工作(?:打算|计划|安排)?|下一步打算|下一步计划)\s*[。:：.]?", re.M)
# Markers that open the improvement part inside running text.  The last
# alternative is a sentence about the coming year's plans, as pre-2019 reports
# write it: "2018年，我厅将…", "2019年，省工信厅将重点做好…", "明年，我们将…".
_IMPROVE_INLINE = re.compile(
    r"改进措施\s*[:：]|整改措施\s*[:：]|下一步|今后|针对(?:上述|存在的?|以上|这些)问题"
    r"|(?:(?<=[。；;\n])|^)[ \t]*(?:(?:19|20)\d\d|明)年[，,、]?[^。，,；;:：\n]{0,12}?将")
# A part starts at the beginning of the sentence holding its marker when no
# more than this many characters precede the marker in that sentence, and none
# of them states a problem ("但…下一步" stays cut at the marker).
_BACKUP_MAX = 12
_SENTENCE_END = "。；;！!？?\n"
_PROBLEM_WORDS = re.compile(r"但|存在|不足|不够|有待")
# An enumerator standing right before an improvement heading belongs to it.
_ENUM_BEFORE = re.compile(r"(?:[(（][一二三四五六七八九十\d]{1,2}[)）]|[一二三四五六七八九十]{1,2}[、.．])[ \t]*$")
# The section's own heading at its start: "五、存在的主要问题及改进情况",
# "六、存在的问题和下一步工作措施" (the section finder normally strips it).
_SECTION_HEAD = re.compile(
    r"^\s*[一二三四五六七八九十]{1,2}\s*[、.．]\s*存在的?(?:主要)?问题"
    r"(?:(?:及|和|与|以及)(?:下一步|明年|今后)?(?:工作)?(?:改进|整改)?(?:情况|措施|计划|打算|安排|方向)?)?"
    r"\s*[。:：]?")


@dataclass(frozen=True)
class Item:
    """One item of a part: ``item`` 0 is a lead-in, 1.. are enumerated items.

    ``is_heading`` is true when the item is only a heading (:func:`is_heading`).
    """

    part: str
    item: int
    text: str
    start: int
    end: int
    is_heading: bool = False


def _sentence_start(section: str, pos: int, floor: int) -> int:
    """Where the sentence holding *pos* starts, if only a few non-problem words precede *pos*."""
    start = pos
    while start > floor and section[start - 1] not in _SENTENCE_END:
        start -= 1
        if pos - start > _BACKUP_MAX:
            return pos
    gap = section[start:pos]
    if _PROBLEM_WORDS.search(gap):
        return pos
    return start + (len(gap) - len(gap.lstrip()))


def split_parts(section: str) -> dict[str, tuple[int, int]]:
    """Character spans of the ``problem`` and ``improvement`` parts of a section 五.

    The improvement part starts at the earliest of its sub-heading (kept in
    the part, with an enumerator right before it, so no text is lost) and
    its first inline marker, moved back to the start of the marker's sentence
    when only a few words precede it.  A leading section heading is never
    searched for markers.  A section with no improvement marker is all
    ``problem``; an empty part is absent.
    """
    return dict(_parts(section))


# The audit splits a section into parts and then into items, which splits it into parts
# again: the last few sections' parts are kept (a pure function of the text).
@lru_cache(maxsize=8)
def _parts(section: str) -> tuple[tuple[str, tuple[int, int]], ...]:
    if not section.strip():
        return ()
    head = _SECTION_HEAD.match(section)
    floor = head.end() if head else 0
    cuts = []
    m = _IMPROVE_HEAD.search(section, floor)
    if m and m.group(0).strip():
        start = m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
        before = _ENUM_BEFORE.search(section, floor, start)
        cuts.append(before.start() if before else start)
    m = _IMPROVE_INLINE.search(section, floor)
    if m:
        start = m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
        cuts.append(_sentence_start(section, start, floor))
    cut = min(cuts) if cuts else len(section)
    parts = {}
    if section[:cut].strip():
        parts["problem"] = (0, cut)
    if section[cut:].strip():
        parts["improvement"] = (cut, len(section))
    return tuple(parts.items())


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

# Heading words: what is left of a heading once its enumerator and
# punctuation are gone ("（二）整改措施", "改进措施：", "（一）存在的主要问题。",
# "五、存在的主要问题及改进情况", "下一步工作计划").
_HEADING_WORDS = re.compile(
    r"(?:存在的?(?:主要)?问题(?:和不足)?|主要问题|问题和不足|(?:下一步|明年|今后)?(?:工作)?"
    r"(?:改进|整改)(?:情况|措施|方向|计划|打算)?|(?:下一步|明年|今后)(?:工作)?(?:打算|计划|安排|措施|思路)?"
    r"|工作(?:打算|计划|安排|措施|思路)|及|和|与|以及|的)+")
_ENUMERATOR = re.compile(r"[(（][一二三四五六七八九十\d]{1,2}[)）]|^[一二三四五六七八九十]{1,2}[、.．]|^\d{1,2}[、.．]")
_NOT_WORD = re.compile(r"[\W_]+")


def is_heading(text: str) -> bool:
    """True when *text* is only a heading: enumerators, punctuation and heading
    words (存在的主要问题, 改进措施, 整改情况, 下一步工作计划 …) and nothing else.

    A bare enumerator (``（二）``) is a heading too; a lead-in sentence
    (``下一步，我厅将重点做好以下工作：``) is not.
    """
    rest = _ENUMERATOR.sub("", text.strip())
    rest = _NOT_WORD.sub("", rest)
    # Removing every heading word leaves nothing only if the words tile the text, so a text
    # they cannot tile (most items, at their first characters) is no heading: a cheap test
    # before the substitution, which scans the whole item.
    if rest and _HEADING_WORDS.fullmatch(rest) is None:
        return False
    return _HEADING_WORDS.sub("", rest) == ""


_DATE_LINE = re.compile(r"(?:\d{4}|[〇○零一二三四五六七八九]{4})\s*年\s*[\d一二三四五六七八九十]{1,2}\s*月"
                        r"\s*[\d一二三四五六七八九十]{1,3}\s*日")
# An organ's name on a line of its own: short, no sentence punctuation, no
# list enumerator, ending in an organ word (not 会/部/院…, which also end
# phrases such as 召开新闻发布会).
_ORGAN_LINE = re.compile(r"(?![(（]?[一二三四五六七八九十\d]{1,2}(?:是|[)）、.．]))"
                         r"[^，。；：,;:！？!?、“”\"《》()（）\s]{2,30}?"
                         r"(?:厅|局|委|委员会|办公室|办公厅|政府)")


def _is_signature_line(line: str) -> bool:
    rest = _DATE_LINE.sub("", line).strip()
    return not rest or _ORGAN_LINE.fullmatch(rest) is not None


def signature_start(section: str) -> int:
    """Offset where the section's closing signature starts (``len(section)`` if none).

    A signature is one or more lines at the very end of the section, each of
    them only an organ's name (a short line without sentence punctuation that
    ends in 厅/局/委/政府/办公室 …), a date (``2014年1月16日``), or both.  Only
    whole lines after a line break count, so a sentence that ends with a
    date is never cut.  The offset returned is the end of the text before the
    signature (trailing whitespace excluded).
    """
    cut = None
    pos = len(section)
    while True:
        nl = section.rfind("\n", 0, pos)
        if nl < 0:
            break
        line = section[nl + 1:pos].strip()
        if line:
            if not _is_signature_line(line):
                break
            cut = nl + 1
        pos = nl
    if cut is None:
        return len(section)
    return len(section[:cut].rstrip())


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
            items.append(Item(part, n, stripped, offset + a + lead, offset + a + lead + len(stripped),
                              is_heading(stripped)))

    if best is None:
        add(1, 0, len(text))
        return items
    add(0, 0, best[0][0])
    for i, (start, _) in enumerate(best):
        end = best[i + 1][0] if i + 1 < len(best) else len(text)
        add(i + 1, start, end)
    return items


def split_section(section: str | None) -> list[Item]:
    """All items of a section 五, problems first; [] for a missing or empty section.

    The closing signature (:func:`signature_start`) is not part of any item.
    """
    if not section:
        return []
    body = section[:signature_start(section)]
    out: list[Item] = []
    for part, (a, b) in split_parts(body).items():
        out.extend(split_items(body[a:b], offset=a, part=part))
    return out


def is_enumerated(section: str | None) -> bool:
    """Whether :func:`split_section` finds an enumeration (an item numbered 2 or more) in
    *section*, without building its items: some part holds the first two markers of a
    family, in order."""
    if not section:
        return False
    body = section[:signature_start(section)]
    for _part, (a, b) in _parts(body):
        text = body[a:b]
        for first, second, *_ in _FAMILIES:
            m = first.search(text)
            if m and second.search(text, m.end()):
                return True
    return False
