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

from functools import lru_cache

from .. import schema
from ..parsing import Report
from ..parsing.section_items import is_enumerated, split_parts
from ..parsing.resolve import outcome_rows
from ..parsing.statements import STATEMENT_KINDS, find_statements
from .findings import cell_value as _cell
from .findings import finding as _finding
from .findings import numbers_equal as _equal

__all__ = ["check_report", "stated_new_received", "CHECK_ORDER"]

_TABLE_NO = {"t2": 2, "t3": 3, "t4": 4}
_APPLICANT_COLUMNS = tuple(c.key for c in schema.T3_COLUMNS if c.key != "total")
_T4_PARTS = ("upheld", "corrected", "other", "pending")


_EMPTY: dict = {}


def _sum_checks(rid: str, table: dict | None, tname: str, specs) -> list[dict]:
    """One finding per spec ``(check, parts, whole, what, one_row)``: expected = sum of the
    *parts* cells; actual = the *whole* cell the report shows.  *one_row* is the row every
    part is a cell of (a row sum), else None."""
    if table is None:
        return [_finding(rid, check, None, None, None, f"Cannot check {what}: table {_TABLE_NO[tname]} is missing.")
                for check, _parts, _whole, what, _row in specs]
    row = table.get
    out = []
    for check, parts, whole, what, one_row in specs:
        if one_row is not None:
            cells = row(one_row) or _EMPTY
            values = [cells.get(c) for _, c in parts]
        else:
            values = [(row(r) or _EMPTY).get(c) for r, c in parts]
        total = (row(whole[0]) or _EMPTY).get(whole[1])
        if total is None or None in values:
            missing = [f"{r}/{c}" for (r, c), v in zip((*parts, whole), (*values, total)) if v is None]
            out.append(_finding(rid, check, None, total, None,
                                f"Cannot check {what}: cell(s) {', '.join(missing)} unreadable or missing."))
            continue
        expected = float(sum(values))
        actual = float(total)
        ok = _equal(expected, actual)
        out.append(_finding(rid, check, expected, actual, ok,
                            f"{_capital(what)} {'holds' if ok else 'does not hold'}: components sum to "
                            f"{expected:g}, the report shows {actual:g}."))
    return out


@lru_cache(maxsize=None)
def _capital(what: str) -> str:
    return what[0].upper() + what[1:]


@lru_cache(maxsize=None)
def _t3_specs(template: str | None, outcomes: tuple[str, ...]) -> tuple[tuple[str, tuple, tuple, str, str | None], ...]:
    """(check id, parts, whole, what, the row of a row sum) of the t3 row-sum and outcome-total
    checks of a template, the outcome totals summing *outcomes*."""
    rows, columns = schema.items("t3", template)
    specs = [(f"t3.row_sum.{r.key}", tuple((r.key, c) for c in _APPLICANT_COLUMNS), (r.key, "total"),
              f"the t3 row sum for {r.key} ({r.zh})", r.key) for r in rows]
    specs += [(f"t3.outcomes.{c.key}", tuple((r, c.key) for r in outcomes), ("total_handled", c.key),
               f"the t3 outcome total for column {c.key} ({c.zh})", None) for c in columns]
    return tuple(specs)


@lru_cache(maxsize=None)
def _template_rows(table: str, template: str | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The template's cells of *table* as (row, its columns), in template order."""
    rows: dict[str, list[str]] = {}
    for r, c in schema.cells(table, template):
        rows.setdefault(r, []).append(c)
    return tuple((r, tuple(cols)) for r, cols in rows.items())


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
        by_row = _template_rows(t, report.template_of(t))
        if t == "t2":
            # A t2 row the report leaves out is absent, not incomplete.
            by_row = [(r, cols) for r, cols in by_row if r in table]
        missing = []
        n = 0
        for r, cols in by_row:
            cells = table.get(r) or _EMPTY
            n += len(cols)
            for c in cols:
                if cells.get(c) is None:
                    missing.append(f"{r}/{c}")
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
    template = report.template_of("t3")
    _rows, columns = schema.items("t3", template)
    # Identity: inflow (new + carried over) equals outflow (handled + carried forward).
    out = [_balance(rid, t3, c.key) for c in columns]
    # A 2021 table printing (六)其他处理 as one row sums with it (other.all).
    specs = _t3_specs(template, outcome_rows(t3 or {}, template))
    return out + _sum_checks(rid, t3, "t3", specs)


def _balance(rid: str, t3: dict | None, column: str) -> dict:
    """expected = new_received + carried_over; actual = total_handled + carried_forward."""
    check = f"t3.balance.{column}"
    what = f"the t3 balance for column {column}"
    if t3 is None:
        return _finding(rid, check, None, None, None, f"Cannot check {what}: table 3 is missing.")
    rows = ("new_received", "carried_over", "total_handled", "carried_forward")  # inflow, then outflow
    values = [_cell(t3, r, column) for r in rows]
    if None in values:
        missing = [f"{r}/{column}" for r, v in zip(rows, values) if v is None]
        return _finding(rid, check, None, None, None,
                        f"Cannot check {what}: cell(s) {', '.join(missing)} unreadable or missing.")
    expected = float(sum(values[:2]))
    actual = float(sum(values[2:]))
    ok = _equal(expected, actual)
    return _finding(rid, check, expected, actual, ok,
                    f"{what[0].upper()}{what[1:]} {'holds' if ok else 'does not hold'}: "
                    f"new + carried over = {expected:g}, handled + carried forward = {actual:g}.")


def _t4_checks(report: Report, rid: str) -> list[dict]:
    t4 = (report.tables or {}).get("t4")
    return _sum_checks(rid, t4, "t4", _t4_specs())


@lru_cache(maxsize=1)
def _t4_specs() -> tuple[tuple[str, tuple, tuple, str, str], ...]:
    """(check id, parts, whole, what, row) of the t4 row-sum checks."""
    return tuple((f"t4.row_sum.{r.key}", tuple((r.key, c) for c in _T4_PARTS), (r.key, "total"),
                  f"the t4 row sum for {r.key} ({r.zh})", r.key) for r in schema.T4_ROWS)


# ----------------------------------------------------------------- text vs table

#: Statement kinds compared with their table cell, beyond new_received (its check keeps its id).
_STATED_KINDS = tuple(k for k in STATEMENT_KINDS if k != ("t3", "new_received", "total"))


def stated_new_received(text: str | None) -> tuple[int, str] | None:
    """(count, quoted sentence) of the first statement in *text* about applications received.

    Only statements about applications *received* count (收到/新收/受理 … 申请 N 件,
    未收到 … 申请); 办理 N 件 is about handling and is ignored.  ``None`` when
    the text states nothing.  (:func:`toolkit.parsing.statements.find_statements`)
    """
    if not text:
        return None
    for st in find_statements(text, {"1": (0, len(text))}):
        if (st["table"], st["row"], st["column"]) == ("t3", "new_received", "total"):
            return int(st["value"]), st["sentence"]
    return None


def _compare(report: Report, rid: str, check: str, kind: tuple[str, str, str], said: list[dict]) -> dict:
    """expected = the table's cell; actual = the value the narrative states (every statement
    of the cell must agree with the table for the check to pass)."""
    table, row, column = kind
    if not said:
        return _finding(rid, check, None, None, None, "No count stated in the text.")
    quoted = "; ".join(f"“{s['sentence'][:80]}”" for s in said[:2])
    first = float(said[0]["value"])
    t = (report.tables or {}).get(table)
    if t is None:
        return _finding(rid, check, None, first, None,
                        f"Cannot compare: table {_TABLE_NO[table]} is missing (the text says {quoted}).")
    value = _cell(t, row, column)
    if value is None:
        return _finding(rid, check, None, first, None,
                        f"Cannot compare: table {_TABLE_NO[table]} {row}/{column} is unreadable "
                        f"(the text says {quoted}).")
    off = [s for s in said if not _equal(float(value), float(s["value"]))]
    actual = float(off[0]["value"]) if off else first
    ok = not off
    return _finding(rid, check, float(value), actual, ok,
                    f"The text says {quoted} ({actual:g}); table {_TABLE_NO[table]} {row}/{column} is "
                    f"{value:g}{'' if ok else ', which disagrees'}.")


def _text_checks(report: Report, rid: str) -> list[dict]:
    """One check per kind of statement: the numbers the narrative states against the table."""
    by_kind: dict[tuple, list[dict]] = {}
    for st in report.statements or ():
        by_kind.setdefault((st["table"], st["row"], st["column"]), []).append(st)
    received = by_kind.get(("t3", "new_received", "total"))
    if not received:
        # A report built by hand (or cached before statements existed): section 1's text.
        stated = stated_new_received((report.sections or {}).get("1"))
        received = [] if stated is None else [{"value": stated[0], "sentence": stated[1]}]
    out = [_compare(report, rid, "text_vs_table.new_received", ("t3", "new_received", "total"), received)]
    # The other kinds only where the text states them: a sentence that is not there is no
    # finding (dozens of "nothing stated" rows per report would bury the real ones).
    for kind in _STATED_KINDS:
        if by_kind.get(kind):
            out.append(_compare(report, rid, "text_vs_table." + ".".join(kind), kind, by_kind[kind]))
    return out


def _narrative_checks(report: Report, rid: str) -> list[dict]:
    """Section 五 as data: are both parts there, and are their items enumerated?"""
    section = (report.sections or {}).get("5")
    if not section or not section.strip():
        return [_finding(rid, "narrative.parts", 2.0, None, None,
                         "Cannot split section 5: it is missing or empty."),
                _finding(rid, "narrative.enumerated", None, None, None,
                         "Cannot split section 5: it is missing or empty.")]
    parts = split_parts(section)
    found = sorted(parts, key=["problem", "improvement"].index)
    ok = len(found) == 2
    detail = ("Section 5 has a problem and an improvement part." if ok else
              f"Section 5 has only a {found[0]} part (no marker of the other was found)."
              if found else "Section 5 has no text.")
    enumerated = is_enumerated(section)
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
    the count the narrative states, :mod:`toolkit.parsing.statements`) and one
    ``text_vs_table.<table>.<row>.<column>`` per other kind of statement the text
    makes (total_handled, carried_over, carried_forward, normative documents made /
    repealed / in force, rules made, fees, t4 totals; emitted only where the text
    states that cell; every statement of the cell must agree); ``narrative.parts`` (expected 2 parts of
    section 5, actual parts found) and ``narrative.enumerated`` (whether its
    items are enumerated; False is a warning, not an error).  Arithmetic checks are emitted even when
    the table is missing, with ``passed=None``, so every report has the same
    set of checks.
    """
    rid = report.report_id
    return (_section_checks(report, rid) + _table_checks(report, rid) + _t3_checks(report, rid)
            + _t4_checks(report, rid) + _text_checks(report, rid)
            + _narrative_checks(report, rid))


#: Check ids of a 2021-template report, in the order :func:`check_report` emits them.
CHECK_ORDER: tuple[str, ...] = tuple(
    f["check"] for f in check_report(Report(None, None, None, None, None, "2021",
                                            {}, {"t2": None, "t3": None, "t4": None})))


