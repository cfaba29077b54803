"""Numbers read by OCR enter the data only when the table's own arithmetic vouches for them.

A recognizer misreads digits (3 for 8, a seal's stroke for a 1) and says nothing;
so a number from a scanned page is ``read`` only when *every* identity of the
template it takes part in holds with all its cells read:

* table 3, each row: the applicant columns sum to 总计;
* table 3, each column: 新收 + 上年结转 = 总计(办理结果) + 结转下年度;
* table 3, each column: the outcome rows sum to 总计(办理结果);
* table 4, each of its three groups: 维持 + 纠正 + 其他 + 尚未审结 = 总计.

A cell that takes part in no identity (every cell of table 2) cannot be vouched
for.  Every other number is left missing with status ``ocr_unverified`` and its
OCR reading is written to the report's warnings (the parse log), so that a person
can check it against the image.
"""
from __future__ import annotations

import dataclasses

from .. import schema
from .report import Report

__all__ = ["identities", "vouched", "vouch_report"]

_T3_COLS = tuple(c.key for c in schema.T3_COLUMNS)
_T4_COLS = tuple(c.key for c in schema.T4_COLUMNS)


def identities(table: str, template: str | None) -> list[tuple[list[tuple[str, str]], list[tuple[str, str]]]]:
    """The template's identities of *table*: (left cells, right cells) whose sums are equal."""
    out = []
    if table == "t3":
        rows = [r.key for r in schema.t3_rows(template or "2021")]
        for r in rows:
            out.append(([(r, c) for c in _T3_COLS[:-1]], [(r, "total")]))
        for c in _T3_COLS:
            out.append(([("new_received", c), ("carried_over", c)], [("total_handled", c), ("carried_forward", c)]))
            out.append(([(r, c) for r in schema.t3_outcome_rows(template or "2021")], [("total_handled", c)]))
    elif table == "t4":
        for r in schema.T4_ROWS:
            out.append(([(r.key, c) for c in _T4_COLS[:-1]], [(r.key, "total")]))
    return out


def vouched(table: str, values: dict, template: str | None) -> set[tuple[str, str]]:
    """Cells of *values* (``{row: {column: number or None}}``) that every identity they take
    part in vouches for: each such identity has all its cells read and holds."""
    def get(cell):
        return (values.get(cell[0]) or {}).get(cell[1])

    ok: dict[tuple[str, str], bool] = {}
    for left, right in identities(table, template):
        cells = left + right
        got = [get(c) for c in cells]
        holds = None not in got and sum(got[:len(left)]) == sum(got[len(left):])
        for c in cells:
            ok[c] = ok.get(c, True) and holds
    return {c for c, good in ok.items() if good and get(c) is not None}


def vouch_report(report: Report) -> Report:
    """*report* (read by OCR) with every number the arithmetic does not vouch for left missing
    (status ``ocr_unverified``, its reading in the warnings), and one line
    ``OCR: N of M cells verified``.  Derived values are dropped: they would rest on
    unverified readings."""
    tables: dict = {}
    status = {t: {r: dict(c) for r, c in rows.items()} for t, rows in report.cell_status.items()}
    warnings = list(report.warnings)
    n_ok = n_all = 0
    for name, table in report.tables.items():
        if table is None:
            tables[name] = None
            continue
        good = vouched(name, table, report.template)
        new: dict = {}
        for r, cols in table.items():
            new[r] = {}
            for c, v in cols.items():
                n_all += 1
                if (r, c) in good:
                    new[r][c] = v
                    n_ok += 1
                    continue
                new[r][c] = None
                code = report.status_of(name, r, c)
                if code in ("read", "blank", "doubtful_text", "ambiguous"):
                    status.setdefault(name, {}).setdefault(r, {})[c] = "ocr_unverified"
                if v is not None:
                    warnings.append(f"{name}.{r}.{c}: OCR read {v} but the table's arithmetic does not "
                                    f"vouch for it; left missing (ocr_unverified)")
        tables[name] = new
    warnings.append(f"OCR: {n_ok} of {n_all} cells verified")
    return dataclasses.replace(report, tables=tables, cell_status=status, warnings=warnings, derived={},
                               ocr=True)
