"""Numbers the narrative states about table cells (收到政府信息公开申请N件, 现行有效规范性文件N件 …).

Precision first: a statement is kept only when what it measures is unambiguous —
one verb and one noun naming one cell, the number right beside them.  Not kept:
plans (将/计划/拟 …), last year's figures (上年/去年 …), numbers of section 五
(problems and plans), 主动公开 counts (published is not made), cleanup results
(保留N件 is not the stock in force), counts of 事项 (items are not decisions),
and anything inside a run of table digits.

Each statement is a dict ``{table, row, column, value, sentence, start, end}``;
``sentence`` is ``text[start:end]`` of the clean report text.
"""
from __future__ import annotations

import re
from typing import Any, Iterator

from .memo import per_text

__all__ = ["find_statements", "cn_int", "STATEMENT_KINDS"]

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_N = r"(\d+|[零〇一二两三四五六七八九十]{1,3})"
_S = r"\s*"
# A gap inside a statement: no sentence punctuation, no digits.
_GAP = r"[^，。；;,.！!？?\n\d]"
_UNIT = r"(?:件|份)"
_FEE = r"(\d+(?:\.\d+)?)"


def cn_int(token: str) -> int | None:
    """Arabic (also full-width) digits or a Chinese numeral up to 99."""
    token = token.strip()
    if token.isdigit():
        return int(token)
    if "十" not in token:
        return _CN_DIGITS.get(token) if len(token) == 1 else None
    tens, _, ones = token.partition("十")
    t = _CN_DIGITS.get(tens, None) if tens else 1
    o = _CN_DIGITS.get(ones, None) if ones else 0
    return None if t is None or o is None else t * 10 + o


_APPLICATION = r"(?:政府)?信息公开(?:申请|请求)|依申请公开(?:申请|请求|事项)?"
# (table, row, column, pattern); the pattern's first group is the number (or, for a
# statement of zero, none).  Checked in this order; a phrase gives one statement per cell.
_PATTERNS: tuple[tuple[str, str, str, str], ...] = (
    ("t3", "new_received", "total",
     rf"(?:收到|接到|受理|新收){_GAP}{{0,20}}?(?:{_APPLICATION})(?:共|合计|总计)?{_S}{_N}{_S}{_UNIT}"),
    ("t3", "new_received", "total",
     rf"(?:收到|接到|受理|新收)(?:了)?{_S}{_N}{_S}{_UNIT}{_GAP}{{0,12}}?(?:{_APPLICATION})"),
    ("t3", "total_handled", "total", rf"办结{_S}(?:了)?{_S}{_N}{_S}{_UNIT}"),
    ("t3", "total_handled", "total",
     rf"(?:共|累计|全年)办理(?:依申请(?:政府信息)?公开|(?:政府)?信息公开申请|申请){_S}(?:共)?{_S}{_N}{_S}{_UNIT}"),
    ("t3", "carried_over", "total", rf"上年(?:度)?结转(?:的)?(?:政府信息公开)?(?:申请)?{_S}{_N}{_S}{_UNIT}"),
    ("t3", "carried_forward", "total",
     rf"结转(?:至)?下(?:一)?年度?(?:继续办理)?(?:的)?(?:申请)?{_S}{_N}{_S}{_UNIT}"),
    ("t2", "normative_docs", "made",
     rf"(?:制发|印发|制定|新制定|出台)(?:了|的)?{_GAP}{{0,8}}?规范性文件(?:共)?{_S}{_N}{_S}(?:件|个|份)"),
    ("t2", "normative_docs", "made", rf"(?:制发|印发|制定|出台)(?:了|的)?{_S}{_N}{_S}(?:件|个|份)(?:行政)?规范性文件"),
    ("t2", "normative_docs", "in_force",
     rf"现行有效(?:的)?(?:行政)?规范性文件(?:共|合计)?{_S}{_N}{_S}件"),
    ("t2", "normative_docs", "in_force", rf"规范性文件{_GAP}{{0,6}}?现行有效(?:的)?(?:共)?{_S}{_N}{_S}件"),
    ("t2", "normative_docs", "repealed", rf"废止(?:了)?{_GAP}{{0,8}}?规范性文件{_S}{_N}{_S}件"),
    ("t2", "normative_docs", "repealed", rf"规范性文件{_S}\d+{_S}件{_S}[、，,]{_S}废止{_S}{_N}{_S}件"),
    ("t2", "normative_docs", "repealed", rf"(?<![\d.]){_N}{_S}件(?:文件|规范性文件)?(?:予以|被)?废止"),
    ("t2", "rules", "made", rf"(?:制发|制定|出台)(?:了|的)?{_GAP}{{0,6}}?规章{_S}{_N}{_S}件"),
    ("t2", "fees", "amount", rf"收取行政事业性收费{_S}{_FEE}{_S}万元"),
    # (六)其他处理 as one cell: the 2019 template's row, or a 2021 table printing it as one row.
    ("t3", "other.all", "total", rf"其他处理(?:的)?(?:申请)?(?:共|合计)?{_S}{_N}{_S}{_UNIT}"),
)
# The same sentences stating zero.
_ZERO_APPLICATIONS = re.compile(
    rf"(?:未|没有)(?:收到|接到|受理)(?:过)?{_GAP}{{0,20}}?(?:依申请公开|信息公开申请|公开申请|申请)"
    r"|无(?!论)(?:任何)?(?:政府)?(?:依申请公开|信息公开申请)")
_NO_NORMATIVE = re.compile(r"(?:未|没有)(?:新)?(?:制定|制发|出台|印发)(?:新的|任何)?(?:行政)?规范性文件")
_NO_CARRIED_OVER = re.compile(r"(?:无|没有)上年(?:度)?结转(?:的)?(?:政府信息公开)?申请")
_NO_REVIEW = re.compile(rf"(?:未发生|没有发生|未收到|没有收到|未出现|无)(?P<gap>{_GAP}{{0,24}}?)"
                        r"(?P<what>行政复议(?:[、和及或与]\s*(?:提起)?\s*(?:行政)?诉讼)?|行政诉讼)")
_REVIEW_OUTCOMES = re.compile(r"纠错|纠正|败诉|撤销|确认违法")
_ZERO_NOT_REVIEW = re.compile(r"^[^，。；;,\n]{0,8}(?:复议|诉讼)")
# Plans and last year's figures are not this year's cells.
_FUTURE = re.compile(r"将|计划|拟|预计|争取|力争|下一步|明年|今后")
_PAST = re.compile(r"(?:上年|去年|上一年|同期|比上年|较上年)[^，。；]{0,4}$")
_TABLE_DIGITS = re.compile(r"\d{7,}")

#: (table, row, column) of every kind of statement the narrative is searched for.
STATEMENT_KINDS: tuple[tuple[str, str, str], ...] = tuple(dict.fromkeys(
    [(t, r, c) for t, r, c, _ in _PATTERNS]
    + [("t2", "normative_docs", "made"), ("t3", "carried_over", "total"), ("t4", "reconsideration", "total"),
       ("t4", "litigation_direct", "total"), ("t4", "litigation_after", "total")]))

# The words a pattern cannot match without: a sentence lacking them is not tried.
_NEEDS = {("t3", "new_received"): ("收到", "接到", "受理", "新收"), ("t3", "total_handled"): ("办结", "办理"),
          ("t3", "carried_over"): ("结转",), ("t3", "carried_forward"): ("结转",),
          ("t2", "normative_docs"): ("规范性文件",), ("t2", "rules"): ("规章",), ("t2", "fees"): ("收费",),
          ("t3", "other.all"): ("其他处理",)}
_COMPILED = tuple((t, r, c, re.compile(p), _NEEDS[(t, r)]) for t, r, c, p in _PATTERNS)
# Each set of words as one pattern: looked for once a sentence, not once a statement pattern.
_NEEDED = {needs: re.compile("|".join(map(re.escape, needs))) for needs in dict.fromkeys(_NEEDS.values())}


# Words every statement holds: sentences without any are not looked at.
_TRIGGER = re.compile(r"收到|接到|受理|新收|办结|办理|结转|规范性文件|规章|行政事业性收费|行政复议|行政诉讼"
                      r"|无(?:任何)?(?:政府)?(?:依申请|信息公开申请)")
# … and 其他处理, only where table 3 has (六)其他处理 as one cell (a 2021 table's label would
# otherwise send every report's table text through the sentence reader for nothing).
_TRIGGER_OTHER = re.compile(_TRIGGER.pattern + "|其他处理")
# A statement has a number, or says there was none.
_NUMBER_OR_NONE = re.compile(r"\d|[零〇一二两三四五六七八九十]\s*(?:件|份|个)|未|没有|无")
_LONGEST_SENTENCE = 400  # characters looked at either side of a trigger word
_BOUNDARY = re.compile(r"[。；;！!？?]|\n")
_LAST_BOUNDARY = re.compile(r"(?s).*[。；;！!？?\n]")  # greedy: ends on the last boundary
_STOP_BEFORE_NEWLINE = set("。；;！!？?:：")
_ENUMERATOR = re.compile(r"[ \t]*(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、．](?!\d)|#)")


def _hard_newline(text: str, i: int) -> bool:
    """Does the newline at *i* end a sentence?  A line wrapped inside a paragraph (PDF text
    layers) does not; one after an end mark, before a blank line, around a heading or next
    to a table row does."""
    k = i - 1
    while k >= 0 and text[k] in " \t":
        k -= 1
    if k < 0 or text[k] in _STOP_BEFORE_NEWLINE or text[k] == "\n":
        return True
    if text.startswith("\n", i + 1) or _ENUMERATOR.match(text, i + 1):
        return True
    line_start = text.rfind("\n", 0, i) + 1
    nl = text.find("\n", i + 1)
    nl = len(text) if nl < 0 else nl
    for a, b in ((line_start, i), (i + 1, nl)):  # a table row (cells apart) on either side
        if text.find("\t", a, b) >= 0 or text.find("|", a, b) >= 0:
            return True
    if i - line_start > 30:
        return False
    line = text[line_start:i]
    return bool(_ENUMERATOR.match(line)) and "，" not in line and "," not in line


def _sentence_at(text: str, start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
    """(start, end) of the sentence around text[start:end], within text[lo:hi]."""
    se = min(hi, end + _LONGEST_SENTENCE)
    for m in _BOUNDARY.finditer(text, end, se):
        if m.group(0) != "\n" or _hard_newline(text, m.start()):
            se = m.end()
            break
    ss = max(lo, start - _LONGEST_SENTENCE)
    # The boundaries before the words, the nearest first.
    before = start
    while True:
        m = _LAST_BOUNDARY.match(text, ss, before)
        if m is None:
            return ss, se
        b = m.end() - 1
        if text[b] != "\n" or _hard_newline(text, b):
            return b + 1, se
        before = b


_YEAR = re.compile(r"((?:19|20)\d{2})\s*年(?!\s*\d{1,2}\s*月)")


def find_statements(text: str, spans: dict[str, tuple[int, int] | None], template: str | None = None,
                    year: int | None = None, *, t3_template: str | None = None,
                    other_all: bool = False) -> list[dict]:
    """Statements in *text* (the clean report text) outside section 五.

    ``其他处理N件`` is a statement about ``other.all`` only where table 3 has that one
    row: its template (*t3_template*, else *template*) is 2019, or *other_all* (a 2021
    table printing (六)其他处理 as one row); a 2021 table's three sub-rows have no cell
    it could be about.

    *spans* are the sections' body spans (:func:`toolkit.parsing.sections.find_sections`);
    text before section 1 (the preamble) is searched too.  A sentence naming another
    year than the report's *year* is about that year and is skipped.  Statements are
    in text order.
    """
    regions: list[tuple[int, int]] = []
    found = sorted((s for n, s in spans.items() if s is not None and n != "5"), key=lambda s: s[0])
    first = min((s[0] for s in spans.values() if s is not None), default=len(text))
    regions.append((0, first))
    regions.extend(found)
    out: list[dict] = []
    seen: set[tuple] = set()
    one_other = other_all or (t3_template or template) == "2019"
    trigger = _TRIGGER_OTHER if one_other else _TRIGGER
    for rs, re_ in regions:
        done = rs
        for trig in trigger.finditer(text, rs, re_):
            if trig.start() < done:
                continue  # in the sentence just read
            ss, se = _sentence_at(text, trig.start(), trig.end(), rs, re_)
            done = se
            sentence = text[ss:se]
            said = _sentence_statements(sentence, template, one_other)
            if said is None:
                continue
            years, found_here = said
            if year is not None and years and year not in years:
                continue
            for table, row, column, value in found_here:
                st = {"table": table, "row": row, "column": column, "value": value}
                st["sentence"] = sentence.strip()
                lead = len(sentence) - len(sentence.lstrip())
                st["start"], st["end"] = ss + lead, ss + lead + len(sentence.strip())
                key = (st["start"], st["table"], st["row"], st["column"], st["value"])
                if key not in seen:
                    seen.add(key)
                    out.append(st)
    return out


@per_text(maxsize=4096, longest=1000)
def _sentence_statements(sentence: str, template: str | None, one_other: bool
                         ) -> tuple[frozenset[int], tuple[tuple[str, str, str, Any], ...]] | None:
    """(years the sentence names, (table, row, column, value) of each statement in it), or None
    when it can state nothing (no number, a run of table digits, a plan).  Kept per sentence:
    table rows and stock phrases repeat from report to report."""
    # Lines wrapped inside a sentence (PDF text layers) are one sentence.
    joined = sentence.replace("\n", "") if "\n" in sentence.strip() else sentence
    if not _NUMBER_OR_NONE.search(joined) or _TABLE_DIGITS.search(joined) or _FUTURE.search(joined):
        return None
    years = frozenset(int(y) for y in _YEAR.findall(joined))
    return years, tuple((st["table"], st["row"], st["column"], st["value"])
                        for st in _in_sentence(joined, template, one_other))


def _in_sentence(sentence: str, template: str | None, one_other: bool = False) -> Iterator[dict]:
    taken: set[tuple[str, str, str, int]] = set()  # (table,row,column,match start): one per phrase
    present = {needs: rx.search(sentence) is not None for needs, rx in _NEEDED.items()}
    for table, row, column, rx, needs in _COMPILED:
        if not present[needs]:
            continue
        if row == "other.all" and not one_other:
            continue
        if table == "t2" and row == "fees" and template == "2019":
            continue  # the 2019 template's fee row has no amount
        for m in rx.finditer(sentence):
            if _PAST.search(sentence[:m.start()]):
                continue
            raw = m.group(1)
            value = float(raw) if column == "amount" else cn_int(raw)
            if value is None:
                continue
            mark = (table, row, column, m.start(1))
            if mark in taken:
                continue
            taken.add(mark)
            yield {"table": table, "row": row, "column": column, "value": value}
    for m in _ZERO_APPLICATIONS.finditer(sentence):
        if _PAST.search(sentence[:m.start()]) or _ZERO_NOT_REVIEW.match(sentence[m.end():]):
            continue
        if re.search(r"复议|诉讼", m.group(0)):
            continue
        yield {"table": "t3", "row": "new_received", "column": "total", "value": 0}
        break
    if _NO_NORMATIVE.search(sentence):
        yield {"table": "t2", "row": "normative_docs", "column": "made", "value": 0}
    if _NO_CARRIED_OVER.search(sentence):
        yield {"table": "t3", "row": "carried_over", "column": "total", "value": 0}
    for m in _NO_REVIEW.finditer(sentence):
        if _REVIEW_OUTCOMES.search(sentence[m.start():m.end() + 12]) or _PAST.search(sentence[:m.start()]):
            continue
        what = m.group("what")
        if "复议" in what:
            yield {"table": "t4", "row": "reconsideration", "column": "total", "value": 0}
        if "诉讼" in what:
            yield {"table": "t4", "row": "litigation_direct", "column": "total", "value": 0}
            yield {"table": "t4", "row": "litigation_after", "column": "total", "value": 0}
        break
