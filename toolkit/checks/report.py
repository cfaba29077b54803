"""Completeness and arithmetic checks of one parsed report.

Every check yields one *finding*: a dict with keys

- ``report_id``
- ``check``: a stable id such as ``t3.balance.total`` (see :func:`check_report`)
- ``expected``: what the template or identity demands, computed from the
  report's other cells (a number, or ``None`` when not a numeric check)
- ``actual``: what the report itself shows in the cell (or text) being checked
- ``passed``: ``True``/``False``, or ``None`` when the check cannot be made
  (a table or cell is missing) -- a missing value is never read as zero
- ``detail``: one English sentence

The checks never change a number; a broken identity is a finding.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

from .. import schema
from ..parsing import Report
from ..parsing.narrative import split_parts, split_section
from .findings import cell_value as _cell
from .findings import finding as _finding
from .findings import numbers_equal as _equal

__all__ = ["check_report", "stated_new_received", "CHECK_ORDER"]

_TABLE_NO = {"t2": 2, "t3": 3, "t4": 4}
_APPLICANT_COLUMNS = tuple(c.key for c in schema.T3_COLUMNS if c.key != "total")
_T4_PARTS = ("upheld", "corrected", "other", "pending")


_EMPTY: dict = {}


def _sum_check(rid: str, check: str, table: dict | None, tname: str,
               parts: Iterable[tuple[str, str]], whole: tuple[str, str], what: str) -> dict:
    """expected = sum of *parts*; actual = the *whole* cell the report shows."""
    if table is None:
        return _finding(rid, check, None, None, None,
                        f"Cannot check {what}: table {_TABLE_NO[tname]} is missing.")
    parts = tuple(parts)
    rows = {r: table.get(r) or _EMPTY for r in {r for r, _ in parts} | {whole[0]}}
    return _verdict(rid, check, what, parts, whole, [rows[r].get(c) for r, c in parts],
                    rows[whole[0]].get(whole[1]))


def _verdict(rid: str, check: str, what: str, parts, whole, values: list, total) -> dict:
    if total is None or None in values:
        missing = [f"{r}/{c}" for (r, c), v in zip((*parts, whole), (*values, total)) if v is None]
        return _finding(rid, check, None, total, None,
                        f"Cannot check {what}: cell(s) {', '.join(missing)} unreadable or missing.")
    expected = float(sum(values))
    actual = float(total)
    ok = _equal(expected, actual)
    verdict = "holds" if ok else "does not hold"
    return _finding(rid, check, expected, actual, ok,
                    f"{what[0].upper()}{what[1:]} {verdict}: components sum to {expected:g}, "
                    f"the report shows {actual:g}.")


@lru_cache(maxsize=None)
def _t3_specs(template: str | None) -> tuple[tuple[str, tuple, tuple, str], ...]:
    """(check id, parts, whole, what) of the t3 row-sum and outcome-total checks of a template."""
    rows, columns = schema.items("t3", template)
    outcomes = schema.t3_outcome_rows(template or "2021")
    specs = [(f"t3.row_sum.{r.key}", tuple((r.key, c) for c in _APPLICANT_COLUMNS), (r.key, "total"),
              f"the t3 row sum for {r.key} ({r.zh})") for r in rows]
    specs += [(f"t3.outcomes.{c.key}", tuple((r, c.key) for r in outcomes), ("total_handled", c.key),
               f"the t3 outcome total for column {c.key} ({c.zh})") for c in columns]
    return tuple(specs)


_PRE = "Not checked: report year {year} predates the fixed template (2019); {what} not expected."


def _section_checks(report: Report, rid: str) -> list[dict]:
    out = []
    if report.template == "pre-2019":
        return [_finding(rid, f"section_present.{n}", None, None, None,
                         _PRE.format(year=report.year, what="the six sections are"))
                for n in map(str, range(1, 7))]
    for n in map(str, range(1, 7)):
        body = (report.sections or {}).get(n)
        present = bool(body and body.strip())
        heading = schema.SECTIONS[n][0]
        out.append(_finding(rid, f"section_present.{n}", None, None, present,
                            f"Section {n} ({heading}) is {'present' if present else 'missing or empty'}."))
    return out


def _table_checks(report: Report, rid: str) -> list[dict]:
    present_out, complete_out = [], []
    for t, no in _TABLE_NO.items():
        table = (report.tables or {}).get(t)
        if report.template == "pre-2019":
            present_out.append(_finding(rid, f"table_present.{t}", None, None, None,
                                        _PRE.format(year=report.year, what="tables are")))
            complete_out.append(_finding(rid, f"table_complete.{t}", None, None, None,
                                         _PRE.format(year=report.year, what="tables are")))
            continue
        present_out.append(_finding(rid, f"table_present.{t}", None, None, table is not None,
                                    f"Table {no} ({schema.TABLES[t]['zh']}) is "
                                    f"{'present' if table is not None else 'missing'}."))
        check = f"table_complete.{t}"
        if table is None:
            complete_out.append(_finding(rid, check, None, None, None,
                                         f"Cannot check completeness: table {no} is missing."))
            continue
        cells = schema.cells(t, report.template)
        if t == "t2":
            # A t2 row the report leaves out is absent, not incomplete.
            cells = [(r, c) for r, c in cells if r in table]
        missing = [f"{r}/{c}" for r, c in cells if (table.get(r) or _EMPTY).get(c) is None]
        n = len(cells)
        read = n - len(missing)
        if missing:
            shown = ", ".join(missing[:10]) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
            detail = f"Table {no}: {len(missing)} of {n} template cells unreadable or missing: {shown}."
        else:
            detail = f"Table {no}: all {n} template cells have a value."
        complete_out.append(_finding(rid, check, float(n), float(read), not missing, detail))
    return present_out + complete_out


def _t3_checks(report: Report, rid: str) -> list[dict]:
    t3 = (report.tables or {}).get("t3")
    _rows, columns = schema.items("t3", report.template)
    # Identity: inflow (new + carried over) equals outflow (handled + carried forward).
    out = [_balance(rid, t3, c.key) for c in columns]
    if t3 is None:
        return out + [_sum_check(rid, check, None, "t3", parts, whole, what)
                      for check, parts, whole, what in _t3_specs(report.template)]
    for check, parts, whole, what in _t3_specs(report.template):
        # Row sums read one row, outcome totals one column: a row lookup each, not a cell lookup.
        if check.startswith("t3.row_sum."):
            row = t3.get(whole[0]) or _EMPTY
            values = [row.get(c) for _r, c in parts]
            total = row.get(whole[1])
        else:
            values = [(t3.get(r) or _EMPTY).get(c) for r, c in parts]
            total = (t3.get(whole[0]) or _EMPTY).get(whole[1])
        out.append(_verdict(rid, check, what, parts, whole, values, total))
    return out


def _balance(rid: str, t3: dict | None, column: str) -> dict:
    """expected = new_received + carried_over; actual = total_handled + carried_forward."""
    check = f"t3.balance.{column}"
    what = f"the t3 balance for column {column}"
    if t3 is None:
        return _finding(rid, check, None, None, None, f"Cannot check {what}: table 3 is missing.")
    inflow, outflow = ("new_received", "carried_over"), ("total_handled", "carried_forward")
    missing = [f"{r}/{column}" for r in inflow + outflow if _cell(t3, r, column) is None]
    if missing:
        return _finding(rid, check, None, None, None,
                        f"Cannot check {what}: cell(s) {', '.join(missing)} unreadable or missing.")
    expected = float(sum(_cell(t3, r, column) for r in inflow))
    actual = float(sum(_cell(t3, r, column) for r in outflow))
    ok = _equal(expected, actual)
    return _finding(rid, check, expected, actual, ok,
                    f"{what[0].upper()}{what[1:]} {'holds' if ok else 'does not hold'}: "
                    f"new + carried over = {expected:g}, handled + carried forward = {actual:g}.")


def _t4_checks(report: Report, rid: str) -> list[dict]:
    t4 = (report.tables or {}).get("t4")
    return [_sum_check(rid, f"t4.row_sum.{r.key}", t4, "t4",
                       [(r.key, c) for c in _T4_PARTS], (r.key, "total"),
                       f"the t4 row sum for {r.key} ({r.zh})")
            for r in schema.T4_ROWS]


# ----------------------------------------------------------------- text vs table

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_NUM = r"(\d+|[零〇一二两三四五六七八九十]{1,3})"
# A gap inside a statement: no sentence punctuation, and nothing that turns the
# statement into one about reconsideration/litigation or last year's backlog.
_GAP = r"[^，。；;,.！!？?\n因复诉结转]{0,25}?"
# "未收到…申请" followed closely by 复议/诉讼 is about reconsideration, not applications.
_NOT_REVIEW = r"(?![^，。；;,\n]{0,8}(?:复议|诉讼))"
_RECEIVED = [re.compile(p) for p in (
    rf"收到(?:政府)?信息公开申请(?:共|合计|总计)?\s*{_NUM}\s*件",
    rf"收到(?:各类|政府)?\s*{_NUM}\s*件(?:政府)?信息公开申请",
    rf"新收{_GAP}申请\s*(?:共|合计|总计)?\s*{_NUM}\s*件",
    rf"受理{_GAP}申请\s*(?:共|合计|总计)?\s*{_NUM}\s*件",
)]
_ZERO = [re.compile(p) for p in (
    rf"(?:未|没有)(?:收到|接到){_GAP}申请(?!引|而|提起){_NOT_REVIEW}",
    rf"无(?!论){_GAP}依申请公开{_NOT_REVIEW}",
)]


def _cn_int(token: str) -> int | None:
    """Arabic (also full-width) digits or a Chinese numeral up to 99."""
    if token.isdigit():
        return int(token)
    if "十" not in token:
        return _CN_DIGITS.get(token) if len(token) == 1 else None
    tens, _, ones = token.partition("十")
    t = _CN_DIGITS.get(tens, None) if tens else 1
    o = _CN_DIGITS.get(ones, None) if ones else 0
    return None if t is None or o is None else t * 10 + o


def stated_new_received(text: str | None) -> tuple[int, str] | None:
    """(count, quoted phrase) of the first statement in *text* about applications received.

    Only statements about applications *received* count (收到/新收/受理 … 申请 N 件,
    未收到 … 申请); 办理 N 件 is about handling and is ignored.  ``None`` when
    the text states nothing.
    """
    if not text:
        return None
    hits: list[tuple[int, int, str]] = []
    for rx in _RECEIVED:
        for m in rx.finditer(text):
            n = _cn_int(m.group(1))
            if n is not None:
                hits.append((m.start(), n, m.group(0)))
    for rx in _ZERO:
        for m in rx.finditer(text):
            # Quote to the end of the clause: the lazy match stops at the first 申请.
            tail = re.match(r"[^，。；;,\n]{0,12}", text[m.end():]).group(0)
            hits.append((m.start(), 0, m.group(0) + tail))
    if not hits:
        return None
    _, n, phrase = min(hits)
    return n, phrase


def _text_check(report: Report, rid: str) -> dict:
    """expected = t3 new_received/total (the table); actual = the count the narrative states."""
    check = "text_vs_table.new_received"
    stated = stated_new_received((report.sections or {}).get("1"))
    if stated is None:
        return _finding(rid, check, None, None, None, "No count stated in the text.")
    n, phrase = stated
    t3 = (report.tables or {}).get("t3")
    if t3 is None:
        return _finding(rid, check, None, float(n), None,
                        f"Cannot compare: table 3 is missing (the text says “{phrase}”).")
    value = _cell(t3, "new_received", "total")
    if value is None:
        return _finding(rid, check, None, float(n), None,
                        f"Cannot compare: table 3 new_received/total is unreadable "
                        f"(the text says “{phrase}”).")
    ok = _equal(float(value), float(n))
    return _finding(rid, check, float(value), float(n), ok,
                    f"The text says “{phrase}” ({n}); table 3 new_received/total is {value:g}"
                    f"{'' if ok else ', which disagrees'}.")


def _narrative_checks(report: Report, rid: str) -> list[dict]:
    """Section 五 as data: are both parts there, and are their items enumerated?"""
    section = (report.sections or {}).get("5")
    if not section or not section.strip():
        return [_finding(rid, "narrative.parts", 2.0, None, None,
                         "Cannot split section 5: it is missing or empty."),
                _finding(rid, "narrative.enumerated", None, None, None,
                         "Cannot split section 5: it is missing or empty.")]
    parts = split_parts(section)
    items = split_section(section)
    found = sorted(parts, key=["problem", "improvement"].index)
    ok = len(found) == 2
    detail = ("Section 5 has a problem and an improvement part." if ok else
              f"Section 5 has only a {found[0]} part (no marker of the other was found)."
              if found else "Section 5 has no text.")
    enumerated = any(i.item > 1 for i in items)
    return [_finding(rid, "narrative.parts", 2.0, float(len(found)), ok, detail),
            _finding(rid, "narrative.enumerated", None, None, enumerated,
                     "Section 5 items are enumerated (一是/（一）/1. …)." if enumerated else
                     "Section 5 is unenumerated prose; each part is one item.")]


def check_report(report: Report) -> list[dict]:
    """All findings for one report, in a fixed order.

    Checks (stable ids): ``section_present.1``…``6``; ``table_present.t2|t3|t4``;
    ``table_complete.t2|t3|t4`` (expected = number of template cells, actual =
    cells with a value; for t2 only the rows the report contains);
    ``t3.balance.<column>`` (expected = new_received + carried_over, actual =
    total_handled + carried_forward); ``t3.row_sum.<row>`` (expected = sum of the
    six applicant columns, actual = total); ``t3.outcomes.<column>`` (expected =
    sum of the outcome rows, actual = total_handled); ``t4.row_sum.<row>``
    (expected = upheld + corrected + other + pending, actual = total);
    ``text_vs_table.new_received`` (expected = t3 new_received/total, actual =
    the count stated in section 1); ``narrative.parts`` (expected 2 parts of
    section 5, actual parts found) and ``narrative.enumerated`` (whether its
    items are enumerated; False is a warning, not an error).  Arithmetic checks are emitted even when
    the table is missing, with ``passed=None``, so every report has the same
    set of checks.
    """
    rid = report.report_id
    return (_section_checks(report, rid) + _table_checks(report, rid) + _t3_checks(report, rid)
            + _t4_checks(report, rid) + [_text_check(report, rid)]
            + _narrative_checks(report, rid))


#: Check ids of a 2021-template report, in the order :func:`check_report` emits them.
CHECK_ORDER: tuple[str, ...] = tuple(
    f["check"] for f in check_report(Report(None, None, None, None, None, "2021",
                                            {}, {"t2": None, "t3": None, "t4": None})))


