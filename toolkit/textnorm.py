"""One home for normalising report text.

Two normal forms are used across the toolkit:

- :func:`clean` / :func:`normalize`: the text as a reader sees it (Word and
  markdown artefacts dropped, newlines unified), and the same text with
  full-width ASCII made half-width, one character for one, so that offsets in
  the normalized text are offsets in the clean text.  The parser reads tables
  from the normalized text and keeps sections in the clean text.
- :func:`clean_for_comparison` / :func:`shingles`: text reduced to what is
  compared between reports (template wording, enumerators and punctuation
  removed), for template-reuse detection and the cross-year repeat check.
"""
from __future__ import annotations

import re
import unicodedata

__all__ = ["clean", "normalize", "half_width", "HALF_WIDTH", "BOILERPLATE", "clean_for_comparison",
           "ngrams", "shingles", "check_n"]

# ------------------------------------------------------------------ reading form

_ARTEFACTS = re.compile(r"\[bookmark:[^\]]*\]|\*\*|<br\s*/?>", re.I)
#: Full-width ASCII (digits, brackets, colons, …) to half-width, one character for one.
HALF_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20, 0xA0: 0x20}


def clean(text: str) -> str:
    """The report text as a reader sees it: Word/markdown artefacts dropped, newlines unified.

    Runs of ideographic spaces mark paragraphs (and sometimes cells) in text
    scraped from web pages; they become line breaks.
    """
    # Each step is skipped when the characters it looks for are absent (most texts).
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\u3000\u3000" in text:
        text = _IDEOGRAPHIC_SPACES.sub("\n", text)
    # Characters a page never shows (zero-width space and joiners, word joiner, soft hyphen,
    # byte-order mark): inside a word they would keep it from being recognised (总\u2060计).
    for invisible in _INVISIBLE:
        text = text.replace(invisible, "")
    if "[" in text or "*" in text or "<" in text:
        text = _ARTEFACTS.sub("", text)
    return text


_IDEOGRAPHIC_SPACES = re.compile("\u3000{2,}")
_INVISIBLE = ("\u200b", "\ufeff", "\u200c", "\u200d", "\u2060", "\u00ad")
_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000\xa0]")


def half_width(text: str) -> str:
    """Full-width ASCII and ideographic/no-break spaces made half-width (same length)."""
    # A text holds a handful of distinct full-width characters (，（）：…): each is replaced
    # throughout, instead of looking every character up (str.translate).
    for c in set(_FULL_WIDTH.findall(text)):
        text = text.replace(c, chr(HALF_WIDTH[ord(c)]))
    return text


def normalize(text: str) -> str:
    """Clean text with full-width characters made half-width (same length as ``clean(text)``)."""
    return half_width(clean(text))


# ------------------------------------------------------------------ comparison form

# The template's own headings for section 五 (and the words every report uses
# to announce the two halves of it).  They are required by the format, so two
# reports sharing them says nothing about copying.  Longer phrases come first
# so that "存在的主要问题及改进情况" is removed whole, not as "存在的主要问题"
# plus a leftover "及改进情况".
#
# Deliberately NOT removed: 政府信息公开 and 政务公开.  They are the subject of
# every sentence ("政府信息公开申请办理不够规范"), not template scaffolding;
# cutting them out would splice unrelated words together and create spurious
# shared n-grams.  Their effect on 5-gram Jaccard among unrelated reports is
# small and the 0.3 threshold absorbs it; they are far shorter than the
# 30-character runs :func:`reused_share` counts.
BOILERPLATE: tuple[str, ...] = (
    "存在的主要问题及改进情况",
    "存在的主要问题和改进情况",
    "主要问题及改进情况",
    "主要问题和改进情况",
    "存在的主要问题",
    "存在的问题",
    "主要问题",
    "改进情况",
    "改进措施",
    "整改措施",
    "整改情况",
    "下一步工作计划",
    "下一步工作打算",
    "下一步工作",
    "下一步",
)

_CN_NUM = "一二三四五六七八九十"

# Enumerators the template's list style produces: 一是 二是 …, （一）, 1. 1、
# (1), 一、.  They are matched only where they start a list item (at the start
# or after a non-word character) so that 统一是 or 第一年 keep their words.
# Applied after NFKC, so full-width brackets and dots are already ASCII.
_ENUMERATOR_RE = re.compile(
    rf"(?<!\w)[{_CN_NUM}]+是"  # 一是 二是
    rf"|\([{_CN_NUM}]+\)"  # (一)
    r"|\(\d{1,2}\)"  # (1)
    rf"|(?<!\w)[{_CN_NUM}]+、"  # 五、
    r"|(?<![\w.])\d{1,2}[、.](?!\d)"  # 1. 1、  (but not 3.5)
)

# Circled numbers (① … ⑳, ❶ …) are list markers; NFKC would turn ① into a bare
# "1" that could no longer be told apart from a real digit, so they go first.
_CIRCLED_RE = re.compile("[\u2460-\u24ff\u2776-\u2793]")

_BOILERPLATE_RE = re.compile("|".join(re.escape(p) for p in BOILERPLATE))

# \W is "not a letter, digit or underscore" in Unicode mode; CJK ideographs
# count as letters.  The underscore is removed too.
_NON_TEXT_RE = re.compile(r"[\W_]+")


def _clean_once(text: str) -> str:
    text = _CIRCLED_RE.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    text = _ENUMERATOR_RE.sub("", text)
    text = _BOILERPLATE_RE.sub("", text)
    return _NON_TEXT_RE.sub("", text)


def clean_for_comparison(text: str) -> str:
    """Return ``text`` reduced to what is compared between reports.

    Steps: remove circled list numbers (①…), Unicode NFKC, remove template
    enumerators (一是, （一）, (1), 1. / 1、, 五、) where they begin a list item,
    remove the :data:`BOILERPLATE` phrases, then remove every character that
    is not a letter, digit or CJK ideograph (punctuation, whitespace,
    symbols, underscore).

    The steps are repeated until nothing changes, because removing one piece
    can expose another (存在的主要问题：一是 → 一是 at the start of the text);
    hence ``clean_for_comparison(clean_for_comparison(t)) ==
    clean_for_comparison(t)``.  Returns ``""`` for text that is empty or only
    boilerplate.  Raises ``TypeError`` if ``text`` is not a ``str``.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    # Each pass only deletes characters, so the loop ends.
    while True:
        cleaned = _clean_once(text)
        if cleaned == text:
            return cleaned
        text = cleaned


def ngrams(cleaned: str, n: int) -> set[str]:
    """Character n-grams of an already cleaned text (a shorter non-empty text is one n-gram)."""
    # A non-empty text shorter than n is kept as one shingle of its own, so
    # that it is still identical to an identical short text.
    if not cleaned:
        return set()
    if len(cleaned) < n:
        return {cleaned}
    return {cleaned[i : i + n] for i in range(len(cleaned) - n + 1)}


def shingles(text: str, n: int = 5) -> set[str]:
    """Return the set of character ``n``-grams of ``clean_for_comparison(text)``.

    A cleaned text shorter than ``n`` (but not empty) gives a one-element set
    holding the whole cleaned text; an empty cleaned text gives ``set()``.
    Raises ``ValueError`` if ``n < 1``.
    """
    check_n(n)
    return ngrams(clean_for_comparison(text), n)


def check_n(n: int) -> None:
    """Raise ``ValueError`` unless *n* is a positive integer (an n-gram size)."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
