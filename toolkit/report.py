"""The parsed form of one report."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# A table is {row_key: {column_key: value}}; value is int (counts), float (t2 fees,
# 万元) or None when the cell could not be read with certainty.
Table = dict[str, dict[str, Any]]


@dataclass
class Report:
    """One parsed report.

    ``tables[name]`` is ``None`` when the report does not contain that table
    (never zeros).  ``template`` is ``"2021"``, ``"2019"`` or ``None`` (no
    tables found).  ``warnings`` says what could not be read and why.
    """

    report_id: str | None
    source: str | None
    title: str | None
    agency: str | None
    year: int | None
    template: str | None
    sections: dict[str, str | None]
    tables: dict[str, Table | None]
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The JSON form of DESIGN.md, with the report's own audit checks."""
        from .audit import check_report

        return {
            "report_id": self.report_id,
            "source": self.source,
            "title": self.title,
            "agency": self.agency,
            "year": self.year,
            "template": self.template,
            "sections": dict(self.sections),
            "tables": {k: (None if v is None else {r: dict(c) for r, c in v.items()})
                       for k, v in self.tables.items()},
            "checks": [
                {"check": f["check"], "passed": f["passed"], "detail": f["detail"],
                 "expected": f["expected"], "actual": f["actual"]}
                for f in check_report(self)
            ],
            "warnings": list(self.warnings),
        }
