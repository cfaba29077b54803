"""The report's title, agency and year, read from its opening lines."""
from __future__ import annotations

import re

__all__ = ["extract_title"]

_TITLE = re.compile(r"(?P<agency>[^,.:;!?《》()“”\"。，：；]{2,30}?)(?P<year>(?:19|20)\d{2})年度?"
                    r"(?P<rest>(?:政府)?信息公开[^,.:;。，]{0,8}?(?:年度报告|报告|年报|总结))")


def extract_title(text: str) -> tuple[str | None, str | None, int | None]:
    """(title, agency, year) from the opening lines of a (normalized) report.

    The title may be broken across lines (agency on one line, year on the
    next); it is read from the first non-empty lines up to the one ending
    in 年度报告.  Returns Nones for what is not stated there.
    """
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    joined = ""
    for ln in lines[:4]:
        if len(ln) > 60:  # a sentence, not a title line
            break
        joined += ln
        if re.search(r"报告|年报|总结", ln):
            break
    joined = re.sub(r"\s+", "", joined)
    m = _TITLE.match(joined)
    if not m:
        bare = re.match(r"[^,.:;。，：；]{0,40}?信息公开[^,.:;。，：；]{0,12}?(?:年度报告|报告|年报|总结)", joined)
        return (bare.group(0) if bare else None), None, None
    title = m.group(0)
    agency = m.group("agency").strip("《》\"“”") or None
    return title, agency, int(m.group("year"))


