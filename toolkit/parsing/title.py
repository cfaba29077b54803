"""The report's title, agency and year, read from what the page gives.

In order: a crawler's header line (``标题: …`` before ``=== 正文 ===``); the opening
lines (a markdown ``#`` heading's markup dropped; the title may be broken across
lines, agency before or after the year); the page's own title (an HTML
``<title>``, whose site name after the report's title is not kept).  When the text has no title, the
agency comes from the closing signature line (an organ's name beside the date)
and the year from a statistics period covering one full calendar year
(统计期限为2023年1月1日至2023年12月31日).  Nothing is guessed.
"""
from __future__ import annotations

import re
from itertools import islice

__all__ = ["extract_title"]

_REST = r"(?P<rest>(?:政府)?信息公开[^,.:;。，]{0,8}?(?:年度报告|报告|年报|总结))"
_TITLE = re.compile(r"(?P<agency>[^,.:;!?《》()“”\"。，：；]{2,30}?)(?P<year>(?:19|20)\d{2})年度?" + _REST)
# Year first: 2025年上海市人民政府办公厅政府信息公开工作年度报告.
_ORG_END = r"(?:委员会|办公厅|办公室|人民政府|政府|局|厅|委|办|中心|院|署|部|处|所|站|队|馆|社|会|司)"
_TITLE_YEAR_FIRST = re.compile(r"(?P<year>(?:19|20)\d{2})年度?(?P<agency>[^,.:;!?《》()“”\"。，：；\d]{2,30}?"
                               + _ORG_END + ")" + _REST)
_CRAWLER_TITLE = re.compile(r"^\s*(?:标题|题目|文章标题|title)\s*:\s*(?P<title>\S.*?)\s*$", re.I)
_SKIP_LINE = re.compile(r"^[=\-—*#\s]*(?:正文|全文|正\s*文)[=\-—*\s]*$|^[=\-—*\s]{3,}$"
                        r"|^(?:发布时间|发布日期|成文日期|来源|信息来源|原文链接|链接|网址|url|作者|发布机构|索引号"
                        r"|文号|主题分类|浏览次数|访问次数|点击数|字号)\s*:", re.I)
_MARKDOWN = re.compile(r"^\s*#{1,6}\s*")
_TRAILING = re.compile(r"(?:关于|的)+$")
_SIGNATURE = re.compile(r"^[\u4e00-\u9fff（）()·]{3,30}" + _ORG_END + "$")
_DATE_LINE = re.compile(r"^(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
_PERIOD = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年\s*0?1\s*月\s*0?1\s*日\s*(?:起)?\s*(?:至|到|—|-|~|－)\s*"
                     r"(?:(?P<y2>(?:19|20)\d{2})\s*年\s*)?12\s*月\s*31\s*日")


def _match(joined: str) -> tuple[str, str | None, int | None] | None:
    m = _TITLE.match(joined)
    if m is None:
        ym = _TITLE_YEAR_FIRST.match(joined)
        if ym is not None and ym.group("agency") != "政府":
            return ym.group(0), ym.group("agency"), int(ym.group("year"))
        return None
    agency = _TRAILING.sub("", m.group("agency").strip("《》\"“”")) or None
    return m.group(0), agency, int(m.group("year"))


def _signature(lines: list[str]) -> str | None:
    """The organ's name beside the closing date (the report's signature)."""
    tail = lines[-8:]
    for i, ln in enumerate(tail):
        if _DATE_LINE.match(ln.replace(" ", "")):
            for j in (i - 1, i + 1):
                if 0 <= j < len(tail):
                    name = re.sub(r"\s+", "", tail[j])
                    if _SIGNATURE.match(name):
                        return name
    return None


def _period_year(text: str) -> int | None:
    """The year of a statistics period covering exactly one calendar year."""
    for m in _PERIOD.finditer(text[:4000]):
        if m.group("y2") is None or m.group("y2") == m.group("y"):
            return int(m.group("y"))
    return None


def extract_title(text: str, page_title: str | None = None) -> tuple[str | None, str | None, int | None]:
    """(title, agency, year) of a (normalized) report; Nones for what it does not state.
    *page_title*: the title the file gives beside its text (normalized too), if any."""
    raw_lines = text[:4000].split("\n")[:60]
    candidates: list[str] = []
    for ln in raw_lines[:15]:
        m = _CRAWLER_TITLE.match(ln)
        if m:
            candidates.append(re.sub(r"\s+", "", m.group("title")))
            break
    head: list[str] = []  # the first 20 non-blank lines, markdown heading marks dropped
    for ln in raw_lines:
        ln = (_MARKDOWN.sub("", ln) if "#" in ln else ln).strip()
        if ln:
            head.append(ln)
            if len(head) == 20:
                break
    opening = (ln for ln in head if not _SKIP_LINE.match(ln) and not _CRAWLER_TITLE.match(ln))
    joined = ""
    for ln in islice(opening, 4):
        if len(ln) > 60:  # a sentence, not a title line
            break
        joined += ln
        if re.search(r"报告|年报|总结", ln):
            break
    candidates.append(re.sub(r"\s+", "", joined))
    if page_title:
        candidates.append(re.sub(r"\s+", "", page_title))
    title = agency = year = None
    for cand in candidates:
        found = _match(cand)
        if found is not None:
            title, agency, year = found
            break
    if title is None:
        bare = re.match(r"[^,.:;。，：；]{0,40}?信息公开[^,.:;。，：；]{0,12}?(?:年度报告|报告|年报|总结)",
                        re.sub(r"\s+", "", joined))
        title = bare.group(0) if bare else None
    if agency is None:
        agency = _signature([ln for ln in (ln.strip() for ln in text[-3000:].split("\n")[-40:]) if ln])
    if year is None:
        year = _period_year(text)
    return title, agency, year
