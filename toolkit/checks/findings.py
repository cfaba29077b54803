"""Findings: the one record every check emits."""
from __future__ import annotations

from typing import Any

__all__ = ["finding", "cell_value", "numbers_equal", "FINDING_KEYS"]

#: Keys of a finding, in the order of ``audit()``'s columns.
FINDING_KEYS = ("report_id", "check", "expected", "actual", "passed", "detail")


def finding(report_id, check, expected, actual, passed, detail) -> dict[str, Any]:
    """One finding: ``passed`` is True/False, or None when the check cannot be made."""
    return {"report_id": report_id, "check": check, "expected": expected, "actual": actual,
            "passed": passed, "detail": detail}


def cell_value(table: dict | None, row: str, column: str):
    """A cell of a parsed table, ``None`` when the table, row or value is missing."""
    if table is None:
        return None
    return (table.get(row) or {}).get(column)


def numbers_equal(a: float, b: float) -> bool:
    """Equal as table values: fees are decimals (万元), counts whole numbers."""
    return abs(a - b) < 1e-6
