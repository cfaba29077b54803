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
import re

from .. import schema
from ..reading.document import Grid
from .report import Report

__all__ = ["identities", "vouched", "vouch_report", "mend_headers", "mend_labels"]

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


# ------------------------------------------------------------------ header words misread

#: The words the template prints in the headers of tables 3 and 4, each table's column words in
#: the template's order.  A recognizer misreads a character of them now and then (社会公益细织).
_T3_WORDS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
_T3_GROUP_WORDS = ("申请人情况", "法人或其他组织")
_T4_WORDS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
_T4_GROUP_WORDS = ("行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉")
_HEADER_WORDS = tuple(dict.fromkeys(_T3_WORDS + _T3_GROUP_WORDS + _T4_WORDS + _T4_GROUP_WORDS))


def _distance(a: str, b: str, within: bool = False) -> int:
    """Edit distance (insertions, deletions, substitutions) between *a* and *b*; with *within*,
    between *a* and the stretch of *b* nearest to it (a free start and end in *b*)."""
    prev = [0] * (len(b) + 1) if within else list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return min(prev) if within else prev[-1]


def _nearest_word(text: str) -> str | None:
    """The one header word *text* is a misreading of: within one edit (two for words of six
    characters or more) and nearer than any other word; None when none or two are as near."""
    if text in _HEADER_WORDS:
        return text
    if len(text) < 2:
        return None
    near = sorted((_distance(text, w), w) for w in _HEADER_WORDS)
    d, word = near[0]
    if d > (2 if len(word) >= 6 else 1) or (len(near) > 1 and near[1][0] == d):
        return None
    return word


def _is_count(cell: str | None) -> bool:
    t = (cell or "").replace(",", "")
    return t.isdigit() and t.isascii()


def _in_order(words: list[str], order: tuple[str, ...]) -> bool:
    at = [order.index(w) for w in words]
    return at == sorted(set(at))


def mend_headers(grids: list[Grid]) -> list[Grid]:
    """*grids* (read by OCR) with each header cell that is a misreading of one of the
    template's header words (:func:`_nearest_word`) given that word.

    A grid's header is mended only when, mended, its column words stand once each in the
    template's order, left to right, in every header row (one table's words, 自然人 …
    总计 or 结果维持 … 总计 repeated per group); otherwise it is left as read, and the parser
    refuses a header it cannot match.  The numbers under it are still only taken where
    the arithmetic vouches for them."""
    out = []
    for grid in grids:
        rows = [list(r) for r in grid.rows]
        changed = False
        for row in rows:
            if any(_is_count(c) for c in row[1:]):
                break  # the first row of numbers: the header is above it
            for j, c in enumerate(row):
                word = _nearest_word(c.strip()) if c else None
                if word is not None and word != c:
                    row[j] = word
                    changed = True
        if changed and all(_header_row_in_order(r) for r in rows[:_first_count_row(rows)]):
            out.append(dataclasses.replace(grid, rows=rows))
        else:
            out.append(grid)
    return out


def _first_count_row(rows) -> int:
    return next((i for i, r in enumerate(rows) if any(_is_count(c) for c in r[1:])), len(rows))


def _header_row_in_order(row) -> bool:
    """Do the row's column words stand once each in the template's order (table 3's, or
    table 4's once per group)?"""
    words = [c for c in row if c in _T3_WORDS or c in _T4_WORDS]
    if not words:
        return True
    if all(w in _T3_WORDS for w in words) and _in_order(words, _T3_WORDS):
        return True
    groups = [words[k:k + len(_T4_WORDS)] for k in range(0, len(words), len(_T4_WORDS))]
    return all(w in _T4_WORDS for w in words) and all(_in_order(g, _T4_WORDS) for g in groups)


#: Table 3's row names (2021 template) in the template's order, with the other spellings the
#: schema accepts; names under four characters (其他, 总计) are never mended: too many cells
#: are one edit away from them.
_T3_LABELS = tuple((i, name) for i, item in enumerate(schema.T3_ROWS)
                   for name in (item.zh, *item.aliases) if len(name) >= 4)
_ENUMERATOR = re.compile(r"^\s*(?:[（(][一二三四五六七八九十][）)]|[一二三四五六七八九十]、|\d+\s*[.．、])")


def _row_index(label: str) -> int | None:
    """The template row a label names as printed (its name stands in it), or None."""
    hits = [i for i, name in _T3_LABELS if name in label]
    return max(hits) if hits else None


def _nearest_label(label: str) -> tuple[int, str] | None:
    """(row index, name) of the one row name *label* is a misreading of: a stretch of it within
    one edit of the name (two for names of eight characters or more), nearer than any other
    row's name; None when none or two rows are as near."""
    core = _ENUMERATOR.sub("", label).strip()
    if len(core) < 3:
        return None
    near = sorted((_distance(name, core, within=True), i, name) for i, name in _T3_LABELS)
    d, i, name = near[0]
    limit = 2 if len(name) >= 8 else 1
    if d > limit or any(dd == d and ii != i for dd, ii, _n in near[1:]):
        return None
    return i, name


def mend_labels(grids: list[Grid]) -> list[Grid]:
    """*grids* (read by OCR) with each table-3 row label that is a misreading of one of the
    template's row names (``（一）以公开`` for ``（一）予以公开``) given that name.

    The arithmetic cannot catch two rows read under each other's names (a column's outcome
    rows sum to the same total in any order), so a grid is mended only when, mended, every
    row that names a template row does so in the template's order, top to bottom, each row
    once; otherwise it is left as read and the parser leaves a label it cannot match
    missing.  Only rows of numbers are mended, never the header."""
    out = []
    for grid in grids:
        rows = [list(r) for r in grid.rows]
        changed = False
        order: list[int] = []
        for row in rows[_first_count_row(rows):]:
            label = row[0] if row and row[0] else ""
            if not any(_is_count(c) for c in row[1:]):
                continue
            known = _row_index(label)
            if known is None:
                near = _nearest_label(label)
                if near is not None:
                    known, name = near
                    head = _ENUMERATOR.match(label)
                    row[0] = (head.group(0).strip() if head else "") + name
                    changed = True
            if known is not None:
                order.append(known)
        if changed and order == sorted(set(order)):
            out.append(dataclasses.replace(grid, rows=rows))
        else:
            out.append(grid)
    return out
