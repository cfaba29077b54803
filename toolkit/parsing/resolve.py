"""After the tables are read: what the narrative and the template's arithmetic can settle.

1. A jammed row with several possible splits is read when exactly one split agrees
   with every number the narrative states about that row (warning says so).
2. A table-3 row with several splits (or none keeping its own sum, the source's
   error) is read when exactly one split equals what the column identities imply
   from fully read rows (the column sums); the audit then reports any broken row sum.
3. A row whose reading its own numbers settle (seven clean cells, the only split
   keeping its own row sum, a line placed by row order that keeps its sum, a split
   the narrative pins) keeps the numbers it prints even where a column identity it
   takes part in fails: that is a finding about the report (the audit reports it),
   never a reason to withhold them.  Only a row whose split the identity would have
   to choose stays missing when the identity is broken (step 2 finds no split).
4. Every missing cell gets its reason code; values the arithmetic implies for
   *blank* cells are offered in ``derived`` only, never in the tables.
"""
from __future__ import annotations

from .. import schema
from .rows import TableRead

__all__ = ["resolve", "outcome_rows"]

_COLS = tuple(c.key for c in schema.T3_COLUMNS)
_PARTS4 = ("upheld", "corrected", "other", "pending")


def outcome_rows(t3: dict, template: str | None) -> tuple[str, ...]:
    """The outcome rows of this table 3 whose sum is (七)总计: the template's, or with
    (六)其他处理 as the one row ``other.all`` when a 2021 table prints it so."""
    return schema.t3_outcome_rows("2019" if template == "2019" or "other.all" in t3 else template or "2021")


def _vec(t3: dict, row: str):
    cells = t3.get(row)
    if not cells or any(cells.get(c) is None for c in _COLS):
        return None
    return [cells[c] for c in _COLS]


def _implied(t3: dict, row: str, template: str | None) -> list[list[int]]:
    """What the column identities say *row* must be, from fully read rows (one list per identity)."""
    outs = outcome_rows(t3, template)
    n, co, th, cf = (_vec(t3, r) for r in ("new_received", "carried_over", "total_handled", "carried_forward"))
    found = []
    if th is None and row != "total_handled":
        # (七)总计 unread (its digits have no certain split): the sum of the outcome rows is
        # what the template says it is.
        parts = [_vec(t3, r) for r in outs]
        if all(p is not None for p in parts):
            th = [sum(p[j] for p in parts) for j in range(len(_COLS))]

    def add(*terms):
        if all(v is not None for _, v in terms):
            found.append([sum(sign * v[j] for sign, v in terms) for j in range(len(_COLS))])

    if row == "total_handled":
        parts = [_vec(t3, r) for r in outs]
        if all(p is not None for p in parts):
            found.append([sum(p[j] for p in parts) for j in range(len(_COLS))])
        add((1, n), (1, co), (-1, cf))
    elif row == "new_received":
        add((1, th), (1, cf), (-1, co))
    elif row == "carried_over":
        add((1, th), (1, cf), (-1, n))
    elif row == "carried_forward":
        add((1, n), (1, co), (-1, th))
    elif row in outs:
        others = [_vec(t3, r) for r in outs if r != row]
        if th is not None and all(o is not None for o in others):
            found.append([th[j] - sum(o[j] for o in others) for j in range(len(_COLS))])
    return [v for v in found if min(v) >= 0]


def _pin_by_statements(name: str, read: TableRead, statements: list[dict], warnings: list[str]) -> None:
    for row, cands in list(read.candidates.items()):
        said = [s for s in statements if s["table"] == name and s["row"] == row]
        cols = list(read.table.get(row) or {})
        said = [s for s in said if s["column"] in cols]
        if not said or not cols:
            continue
        agree = [c for c in cands if all(c[cols.index(s["column"])] == s["value"] for s in said)]
        if len(agree) == 1:
            quoted = "; ".join(dict.fromkeys(s["sentence"] for s in said))
            warnings.append(f"{name}.{row}: the digits have several splits; read as {agree[0]}, the only one "
                            f"agreeing with the narrative (“{quoted[:120]}”)")
            read.table[row] = dict(zip(cols, agree[0]))
            read.status.pop(row, None)
            del read.candidates[row]
            read.inferred.add(row)


def _pin_by_column_sums(read: TableRead, template: str | None, warnings: list[str]) -> None:
    changed = True
    while changed and read.candidates:
        changed = False
        for row, cands in list(read.candidates.items()):
            implied = _implied(read.table, row, template)
            agree = {tuple(c) for c in cands for v in implied if list(c) == v}
            if len(agree) != 1:
                continue
            values = list(next(iter(agree)))
            warnings.append(f"t3.{row}: the digits have several splits (or none keeping the row's own sum); "
                            f"read as {values}, the only one equal to the column sums of the fully read rows")
            read.table[row] = dict(zip(_COLS, values))
            read.status.pop(row, None)
            del read.candidates[row]
            changed = True


def _identities(t3: dict, template: str | None):
    """(rows, holds) of every computable column identity of table 3."""
    outs = outcome_rows(t3, template)
    for c in _COLS:
        def v(r):
            return (t3.get(r) or {}).get(c)
        flow = ("new_received", "carried_over", "total_handled", "carried_forward")
        if all(v(r) is not None for r in flow):
            yield flow, v("new_received") + v("carried_over") == v("total_handled") + v("carried_forward")
        rows = (*outs, "total_handled")
        if all(v(r) is not None for r in rows):
            yield rows, sum(v(r) for r in outs) == v("total_handled")


def _note_broken_identities(read: TableRead, template: str | None, warnings: list[str]) -> None:
    """Say which rows read by their own arithmetic or by row order take part in a column
    identity the printed table breaks: they keep their numbers (a finding, not a reason)."""
    failing = [rows for rows, holds in _identities(read.table, template) if not holds] if read.inferred else []
    kept = sorted({r for rows in failing for r in rows if r in read.inferred})
    if kept:
        warnings.append(f"t3: a column identity does not hold in the printed table; {', '.join(kept)} kept "
                        f"as printed (each row's own arithmetic settles its reading; the audit reports the "
                        f"identity)")


def _derive(tables: dict, status: dict, template: str | None) -> dict:
    """Values the arithmetic implies for blank cells (never put into the tables)."""
    if not any(code == "blank" for rows in status.values() for cols in rows.values() for code in cols.values()):
        return {}
    out: dict[str, dict[str, dict]] = {}
    conflict: set[tuple] = set()

    def blank(t, r, c):
        return status.get(t, {}).get(r, {}).get(c) == "blank"

    def offer(t, r, c, value):
        if value < 0 or (t, r, c) in conflict:
            return
        cur = out.setdefault(t, {}).setdefault(r, {})
        if c in cur and cur[c] != value:
            conflict.add((t, r, c))
            del cur[c]
            return
        cur[c] = value

    def by_sum(t, parts: list[tuple[str, str]], whole: tuple[str, str], table: dict):
        cells = parts + [whole]
        missing = [x for x in cells if (table.get(x[0]) or {}).get(x[1]) is None]
        if not missing or not all(blank(t, *x) for x in missing):
            return
        known_parts = sum((table[r][c] for r, c in parts if (r, c) not in missing), 0)
        if whole in missing:
            if len(missing) == 1:
                offer(t, *whole, known_parts)
            return
        rest = table[whole[0]][whole[1]] - known_parts
        if rest == 0:
            for x in missing:
                offer(t, *x, 0)
        elif len(missing) == 1:
            offer(t, *missing[0], rest)

    t3 = tables.get("t3")
    if t3:
        outs = outcome_rows(t3, template)
        for r in t3:
            if r in ("other.no_correction", "other.no_fee", "other.other") and "other.all" in t3:
                continue
            by_sum("t3", [(r, c) for c in _COLS[:-1]], (r, "total"), t3)
        for c in _COLS:
            if all(r in t3 for r in outs) and "total_handled" in t3:
                by_sum("t3", [(r, c) for r in outs], ("total_handled", c), t3)
    t4 = tables.get("t4")
    if t4:
        for r in t4:
            by_sum("t4", [(r, c) for c in _PARTS4], (r, "total"), t4)
    for t, r, c in conflict:
        out.get(t, {}).get(r, {}).pop(c, None)
    return {t: {r: cols for r, cols in rows.items() if cols} for t, rows in out.items()
            if any(rows.values())}


def resolve(reads: dict[str, TableRead | None], statements: list[dict], template: str | None,
            warnings: list[str]) -> tuple[dict, dict, dict]:
    """(tables, cell_status, derived) from the tables as read (see the module docstring)."""
    for name, read in reads.items():
        if read is not None and read.candidates:
            _pin_by_statements(name, read, statements, warnings)
    t3 = reads.get("t3")
    if t3 is not None:
        _pin_by_column_sums(t3, template, warnings)
        _note_broken_identities(t3, template, warnings)
    tables = {name: (None if read is None else read.table) for name, read in reads.items()}
    status: dict[str, dict[str, dict[str, str]]] = {}
    for name, read in reads.items():
        if read is None:
            continue
        for row, cols in read.table.items():
            for col, value in cols.items():
                if value is None:
                    code = (read.status.get(row) or {}).get(col) or "ambiguous"
                    status.setdefault(name, {}).setdefault(row, {})[col] = code
    derived = _derive(tables, status, template)
    return tables, status, derived
