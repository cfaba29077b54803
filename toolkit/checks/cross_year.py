"""Checks between consecutive reports of the same organ."""
from __future__ import annotations

from .. import schema
from ..parsing import Report
from ..textnorm import shingles
from .findings import cell_value as _cell
from .findings import finding as _finding
from .findings import numbers_equal as _equal

__all__ = ["cross_year_checks", "REPEAT_THRESHOLD"]


#: Section 五 this similar (Jaccard of character 5-grams, template wording removed)
#: to the same organ's previous report counts as repeating it nearly verbatim.
REPEAT_THRESHOLD = 0.7


def cross_year_checks(reports: list[tuple[dict, Report]]) -> list[dict]:
    """Checks between consecutive reports of the same organ (same adcode and agency).

    ``cross_year.carried_over.<column>``: this year's t3 ``carried_over`` should
    equal last year's ``carried_forward`` (expected = last year's value, actual =
    this year's).  ``cross_year.narrative_repeat``: passed False when section 五
    repeats last year's nearly verbatim (actual = Jaccard similarity of character
    5-grams after removing the template's wording; threshold
    :data:`REPEAT_THRESHOLD`).  Findings belong to the later report.  Reports of
    non-consecutive years are not compared.
    """
    by_organ: dict[tuple, list[tuple[int, Report]]] = {}
    for meta, report in reports:
        if report.agency and report.year is not None:
            key = (meta.get("adcode") or "", report.agency)
            by_organ.setdefault(key, []).append((int(report.year), report))
    out: list[dict] = []
    shingled: dict[int, frozenset] = {}  # a middle year is compared twice: shingle it once

    def section5(report: Report) -> frozenset:
        key = id(report)
        if key not in shingled:
            shingled[key] = frozenset(shingles(report.sections.get("5") or ""))
        return shingled[key]

    for (_adcode, agency), series in sorted(by_organ.items()):
        series.sort(key=lambda t: t[0])
        for (y0, prev), (y1, cur) in zip(series, series[1:]):
            if y1 != y0 + 1:
                continue
            rid = cur.report_id
            t3_prev, t3_cur = prev.tables.get("t3"), cur.tables.get("t3")
            for c in schema.T3_COLUMNS:
                check = f"cross_year.carried_over.{c.key}"
                before, now = _cell(t3_prev, "carried_forward", c.key), _cell(t3_cur, "carried_over", c.key)
                if before is None or now is None:
                    gone = "table 3" if (t3_prev is None or t3_cur is None) else "a cell"
                    out.append(_finding(rid, check, before, now, None,
                                        f"Cannot compare with {y0}: {gone} is missing."))
                    continue
                ok = _equal(float(before), float(now))
                out.append(_finding(rid, check, float(before), float(now), ok,
                                    f"{agency}: carried forward at the end of {y0} = {before:g}; "
                                    f"carried over into {y1} = {now:g}"
                                    f"{'' if ok else ', which disagrees'} ({c.zh})."))
            a, b = section5(prev), section5(cur)
            if not a or not b:
                out.append(_finding(rid, "cross_year.narrative_repeat", None, None, None,
                                    f"Cannot compare section 5 with {y0}: one of them is missing."))
                continue
            sim = len(a & b) / len(a | b)
            repeat = sim >= REPEAT_THRESHOLD
            out.append(_finding(rid, "cross_year.narrative_repeat", REPEAT_THRESHOLD, round(sim, 4),
                                not repeat,
                                f"{agency}: section 5 of {y1} is {sim:.0%} similar to {y0}'s"
                                f"{' — repeated nearly verbatim' if repeat else ''}."))
    return out
