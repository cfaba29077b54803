"""Checks: the audit of one parsed report (template arithmetic, completeness, text against
table) and between consecutive reports of one organ.  Pure functions; loading a corpus's
audit is :func:`toolkit.audit` in the data layer."""
from __future__ import annotations

from dataclasses import dataclass, field, fields

from ..parsing import Report
from .cross_year import REPEAT_THRESHOLD, cross_year_checks
from .findings import FINDING_KEYS, finding
from .within_report import CHECK_ORDER, check_report, stated_new_received

__all__ = ["check_report", "cross_year_checks", "stated_new_received", "CHECK_ORDER", "REPEAT_THRESHOLD",
           "FINDING_KEYS", "finding", "CheckedReport", "with_checks"]


@dataclass
class CheckedReport(Report):
    """A parsed report with its own audit findings; ``to_dict()`` is ``xxgk parse``'s JSON."""

    checks: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        data = super().to_dict()
        data["checks"] = [{"check": f["check"], "passed": f["passed"], "detail": f["detail"],
                           "expected": f["expected"], "actual": f["actual"]} for f in self.checks]
        return data


def with_checks(report: Report) -> CheckedReport:
    """*report* with the findings of :func:`check_report` attached."""
    base = {f.name: getattr(report, f.name) for f in fields(Report)}
    return CheckedReport(**base, checks=check_report(report))
