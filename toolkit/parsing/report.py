"""The parsed form of one report."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Report", "Table"]

# A table is {row_key: {column_key: value}}; value is int (counts), float (t2 fees,
# 万元) or None when the cell could not be read with certainty.
Table = dict[str, dict[str, Any]]


@dataclass
class Report:
    """One parsed report.

    ``tables[name]`` is ``None`` when the report does not contain that table
    (never zeros).  ``template`` is ``"2021"``, ``"2019"`` or ``None`` (no
    tables found): the report's, decided by table 2's form.  ``templates`` gives
    each table's own (``{"t2": …, "t3": …, "t4": …}``): a report of a transition
    year may print the 2019 table 2 beside the 2021 table 3; a 2021 table 3 may
    still print (六)其他处理 as the one row ``other.all``.  ``warnings`` says what
    could not be read and why.

    ``cell_status[table][row][column]`` gives the reason code
    (:data:`toolkit.schema.CELL_STATUS`) of a cell whose value is ``None``;
    a cell with a value is ``read``.  ``derived[table][row][column]`` holds
    values implied by the template's arithmetic for cells left missing (never
    mixed into ``tables``).  ``statements`` are the numbers the narrative states
    about table cells (dicts with ``table, row, column, value, sentence, start,
    end``).
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
    cell_status: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    derived: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    statements: list[dict[str, Any]] = field(default_factory=list)
    templates: dict[str, str | None] = field(default_factory=dict)

    def template_of(self, table: str) -> str | None:
        """The template of one table: its own when decided, else the report's."""
        return self.templates.get(table) or self.template
    # Read by OCR from a scanned page or image (toolkit.parsing.ocr_tables vouched for its numbers).
    ocr: bool = False

    def status_of(self, table: str, row: str, column: str) -> str:
        """Reason code of one cell: ``read`` when it has a value, ``table_absent`` when the
        table is, else the parser's code (``ambiguous`` when it gave none)."""
        t = self.tables.get(table)
        if t is None:
            return "table_absent"
        if (t.get(row) or {}).get(column) is not None:
            return "read"
        if row not in t:
            return "label_not_found"
        return self.cell_status.get(table, {}).get(row, {}).get(column, "ambiguous")

    def to_dict(self) -> dict:
        """The JSON form of ``xxgk parse`` without the audit checks (see
        :class:`toolkit.checks.CheckedReport` for the full form)."""
        return {
            "report_id": self.report_id,
            "source": self.source,
            "title": self.title,
            "agency": self.agency,
            "year": self.year,
            "template": self.template,
            "templates": dict(self.templates),
            "sections": dict(self.sections),
            "tables": {k: (None if v is None else {r: dict(c) for r, c in v.items()})
                       for k, v in self.tables.items()},
            "cell_status": {t: {r: dict(c) for r, c in rows.items()} for t, rows in self.cell_status.items()},
            "derived": {t: {r: dict(c) for r, c in rows.items()} for t, rows in self.derived.items()},
            "statements": [dict(s) for s in self.statements],
            "warnings": list(self.warnings),
        }
