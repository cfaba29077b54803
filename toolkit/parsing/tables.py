"""Tables 2, 3 and 4 of a report, read from its text or from its grids.

The one rule: a number is assigned to a cell only when the parser is certain
which cell it is.  Whatever cannot be read with certainty is left missing
(``None``) and a warning says why.  A table the report does not contain is
``None``, never zeros.

How a table is read: within the table's section, row labels are located in
template order; the text between one label and the next is that row's value
region.  Parenthesised notes and words without digits in it are layout; the
remaining tokens must be clean numbers.  If there are exactly as many numbers
as cells they are assigned in order.  If instead there is one run of digits
(cells that ran together with no separator), it is split into cells only when
exactly one split is possible, or exactly one split satisfies the template's
arithmetic.  Anything else leaves the row missing, with a warning.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator

from .. import schema
from ..textnorm import HALF_WIDTH

__all__ = ["split_digits", "detect_template", "read_text_table", "read_t4_text", "classify_grid", "read_grid_table", "read_grid_t4", "MAX_CELL_DIGITS"]

# ------------------------------------------------------------------ labels

_QUOTES = "“”\"'‘’「」"


def _label_rx(label: str) -> str:
    """Regex for a label tolerant of line breaks/spaces between characters and quote styles."""
    parts = []
    for ch in label:
        parts.append(f"[{re.escape(_QUOTES)}]?" if ch in _QUOTES else re.escape(ch))
    return r"\s*".join(parts)


# Sub-item numbers (1. 2. …) that precede t3 labels: they must not be read as values.
_T3_SUBNUMBER: dict[str, int] = {}
for _group in ("denied", "unavailable", "not_processed", "other"):
    for _i, _key in enumerate([r.key for r in schema.T3_ROWS if r.key.startswith(_group + ".")], 1):
        _T3_SUBNUMBER[_key] = _i


@lru_cache(maxsize=None)
def _row_patterns(table: str, template: str) -> tuple[tuple[str, re.Pattern], ...]:
    out = []
    if table == "t2":
        rows = schema.T2_ROWS if template == "2021" else schema.T2_ROWS_2019
        for row in rows:
            alts = "|".join(_label_rx(a) for a in (row.zh, *row.aliases))
            out.append((row.key, re.compile(alts)))
        return tuple(out)
    for row in schema.t3_rows(template):
        alts = "|".join(_label_rx(a) for a in (row.zh, *row.aliases))
        n = _T3_SUBNUMBER.get(row.key)
        if row.key == "other.other":
            # "其他" alone is too common; require its sub-number.
            rx = rf"3\s*[.、．]\s*(?:{alts})"
        elif row.key == "total_handled":
            rx = rf"(?:\(七\)\s*)?(?:{alts})"
        elif n is not None:
            rx = rf"(?:{n}\s*[.、．]\s*)?(?:{alts})"
        else:
            rx = rf"(?:\([一二三四五六七]\)\s*|[一二三四]\s*[、.．]\s*)?(?:{alts})"
        out.append((row.key, re.compile(rx)))
    return tuple(out)


# ------------------------------------------------------------------ numbers

_PAREN = re.compile(r"\([^()]*\)")
_SPLIT = re.compile(r"[\s|]+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_BEFORE_SUSPICIOUS = set("约近共计第超逾+-−±/.,%~")
_AFTER_SUSPICIOUS = set("余多几左右件条个次人年月日号万亿元%+-−/.,~、:")


def _value_tokens(region: str) -> tuple[list[str], list[str]]:
    """(number tokens, doubtful tokens) of a value region.

    Words without digits are layout (labels, headers, notes).  A token that
    mixes digits with other text (``290余``, ``2023年``) is doubtful.
    """
    region = _PAREN.sub(" ", region)
    numbers, doubtful = [], []
    for tok in _SPLIT.split(region):
        if not tok or not any(c.isdigit() for c in tok):
            continue
        if _NUMBER.fullmatch(tok):
            numbers.append(tok)
            continue
        # Jammed text glues digits to label words (申请0000000, 0000000三、本年度…).
        # That is layout; but a digit next to a quantity word or sign (290余,
        # 2023年, 约5, +1) is not a clean cell value.
        runs = list(_NUMBER.finditer(tok))
        suspicious = any(
            (m.start() > 0 and tok[m.start() - 1] in _BEFORE_SUSPICIOUS)
            or (m.end() < len(tok) and tok[m.end()] in _AFTER_SUSPICIOUS)
            for m in runs
        )
        if suspicious:
            doubtful.append(tok)
        else:
            numbers.extend(m.group(0) for m in runs)
    return numbers, doubtful


MAX_CELL_DIGITS = 9  # no table cell of these reports reaches a billion


def split_digits(digits: str, sizes: list[int], check=None, limit: int = 200_000) -> list[list[int]]:
    """All ways to cut a run of digits into consecutive groups of cells.

    *sizes* gives the number of cells of each group (one group per table row);
    a cell never has a leading zero unless it is ``0``.  *check(group_values)*,
    if given, must hold for every group.  Returns at most two solutions (enough
    to know whether the split is unique); gives up (returns []) past *limit*
    steps, which callers treat as "not certain".
    """
    solutions: list[list[int]] = []
    steps = 0
    total_cells = sum(sizes)

    def cells(s: str, k: int) -> Iterator[list[int]]:
        nonlocal steps
        if k == 0:
            if not s:
                yield []
            return
        for i in range(1, min(len(s) - k + 1, MAX_CELL_DIGITS) + 1):
            steps += 1
            if steps > limit:
                return
            head = s[:i]
            if len(head) > 1 and head[0] == "0":
                break
            for rest in cells(s[i:], k - 1):
                yield [int(head), *rest]

    def groups(s: str, gi: int, acc: list[int]) -> None:
        if len(solutions) > 1 or steps > limit:
            return
        if gi == len(sizes):
            if not s:
                solutions.append(acc)
            return
        remaining = sum(sizes[gi + 1:])
        last = gi == len(sizes) - 1
        lo = len(s) if last else sizes[gi]
        hi = min(len(s) - remaining, sizes[gi] * MAX_CELL_DIGITS)
        for cut in range(lo, hi + 1):
            for vals in cells(s[:cut], sizes[gi]):
                if check is None or check(vals):
                    groups(s[cut:], gi + 1, acc + vals)
                if len(solutions) > 1 or steps > limit:
                    return

    if not total_cells <= len(digits) <= total_cells * MAX_CELL_DIGITS:
        return []
    groups(digits, 0, [])
    return solutions if steps <= limit else []


def _to_value(tok: str, decimal: bool):
    if decimal:
        return float(tok)
    return int(tok) if tok.isdigit() else None


def _sum_check(vals: list[int]) -> bool:
    return sum(vals[:-1]) == vals[-1]


def _read_rows(numbers: list[str], doubtful: list[str], sizes: list[int], check, decimal: list[bool],
               where: str, warnings: list[str]) -> list | None:
    """Values for a block of consecutive cells (grouped into rows of *sizes*), or None."""
    n = sum(sizes)
    if doubtful:
        warnings.append(f"{where}: text {' '.join(doubtful)!r} mixes digits and words; values left missing")
        return None
    if len(numbers) == n:
        vals = [_to_value(t, d) for t, d in zip(numbers, decimal)]
        if any(v is None for v in vals):
            warnings.append(f"{where}: a count has a decimal point ({' '.join(numbers)}); values left missing")
            return None
        return vals
    if not numbers:
        warnings.append(f"{where}: no values found (blank cells or table not extracted); left missing")
        return None
    runs = numbers
    if (len(runs) == 1 or len(runs) == len(sizes)) and all(t.isdigit() for t in runs) and n > len(runs):
        # Cells ran together with no separator.
        groups = [sizes] if len(runs) == 1 else [[s] for s in sizes]
        out: list[int] = []
        for run, gsizes in zip(runs, groups):
            sols = split_digits(run, gsizes)
            if len(sols) != 1 and check is not None:
                sols = split_digits(run, gsizes, check)
                how = "the only split satisfying the template's arithmetic"
            else:
                how = "the only possible split"
            if len(sols) != 1:
                reason = "no split" if not sols else "several splits"
                warnings.append(f"{where}: digits {run!r} ran together and {reason} fit(s) the cells "
                                f"with certainty; values left missing")
                return None
            if len(run) > sum(gsizes):
                warnings.append(f"{where}: digits {run!r} ran together; read as {sols[0]} ({how})")
            out.extend(sols[0])
        return out
    warnings.append(f"{where}: found {len(numbers)} values ({' '.join(numbers)}) for {n} cells; "
                    f"cannot tell which cell is blank, values left missing")
    return None


# ------------------------------------------------------------------ tables


def _locate_rows(text: str, patterns) -> list[tuple[str, int, int]]:
    """(row key, label start, label end) for each row label found, in template order."""
    found, cursor = [], 0
    for key, rx in patterns:
        m = rx.search(text, cursor)
        if m:
            found.append((key, m.start(), m.end()))
            cursor = m.end()
    return found


_T2_HEADER = re.compile(r"第二十条|本年制发件数|现行有效件数|本年处理决定数量|本年收费金额|本年新制作数量|"
                        r"本年新公开数量|对外公开总数量|上一年项目数量|处理决定数量")


def read_text_table(text: str, table: str, template: str, warnings: list[str]):
    """Read t2 or t3 from its section text; None when no row label is present."""
    patterns = _row_patterns(table, template)
    located = _locate_rows(text, patterns)
    minimum = 1 if table == "t2" else 3
    if len(located) < minimum:
        return None
    if table == "t2" and not _T2_HEADER.search(text):
        # Prose (pre-2019 reports) also mentions 行政许可 and 规章; without the
        # table's own headers these are words, not a table.
        return None
    if table == "t2":
        rows = {r.key: r for r in (schema.T2_ROWS if template == "2021" else schema.T2_ROWS_2019)}
        columns_of = {k: r.columns for k, r in rows.items()}
    else:
        columns = [c.key for c in schema.T3_COLUMNS]
        columns_of = {r.key: tuple(columns) for r in schema.t3_rows(template)}
    result: dict[str, dict] = {}
    found_keys = {k for k, _, _ in located}
    for i, (key, _, end) in enumerate(located):
        stop = located[i + 1][1] if i + 1 < len(located) else len(text)
        numbers, doubtful = _value_tokens(text[end:stop])
        cols = columns_of[key]
        decimal = [c == "amount" for c in cols]
        check = _sum_check if table == "t3" else None
        vals = _read_rows(numbers, doubtful, [len(cols)], check, decimal, f"{table}.{key}", warnings)
        result[key] = {c: (None if vals is None else vals[j]) for j, c in enumerate(cols)}
    if table == "t3":
        for row in schema.t3_rows(template):
            if row.key not in found_keys:
                warnings.append(f"t3.{row.key}: row label not found; values left missing")
                result[row.key] = {c: None for c in columns}
        result = {r.key: result[r.key] for r in schema.t3_rows(template)}
    else:
        result = {k: result[k] for k in rows if k in result}
    return result


_T4_HEADER = re.compile(r"结果维持|结果\s*纠正|尚未\s*审结|复议后起诉|直接起诉")


def read_t4_text(text: str, warnings: list[str]):
    if not _T4_HEADER.search(text):
        numbers, _ = _value_tokens(text)
        if not numbers:
            return None
    numbers, doubtful = _value_tokens(text)
    if doubtful:
        # A label jammed onto the digits (总计000…) is layout, not a doubtful number.
        peeled = []
        for tok in doubtful:
            m = re.fullmatch(r"[^\d]+?(\d+)", tok)
            if m is None:
                peeled = None
                break
            peeled.append(m.group(1))
        if peeled is not None:
            numbers, doubtful = numbers + peeled, []
    rows = [r.key for r in schema.T4_ROWS]
    cols = [c.key for c in schema.T4_COLUMNS]
    vals = _read_rows(numbers, doubtful, [len(cols)] * len(rows), _sum_check, [False] * 15, "t4", warnings)
    return {r: {c: (None if vals is None else vals[i * len(cols) + j]) for j, c in enumerate(cols)}
            for i, r in enumerate(rows)}


# ------------------------------------------------------------------ grids
# Tables from HTML/DOCX/PDF arrive as grids (rowspan/colspan expanded, spanned
# cells None).  There a number's cell is known by its position, and a blank
# cell is known to be blank: read them by position rather than as text.

_GRID_T4 = re.compile(r"复议后起诉|未经复议直接起诉")


def _grid_value(cell: str, decimal: bool):
    """(value, ok): a blank cell is (None, True); a cell that is not a clean number is (None, False)."""
    cell = cell.translate(HALF_WIDTH).strip()
    if not cell:
        return None, True
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", cell):
        cell = cell.replace(",", "")
    if not _NUMBER.fullmatch(cell):
        return None, False
    value = _to_value(cell, decimal)
    return value, value is not None


def classify_grid(grid, template: str) -> str | None:
    flat = "".join(c for row in grid.rows for c in row if c).translate(HALF_WIDTH)
    if _GRID_T4.search(flat) and "结果维持" in flat.replace(" ", ""):
        return "t4"
    if len(_locate_rows(flat, _row_patterns("t3", template))) >= 3:
        return "t3"
    if _T2_HEADER.search(flat) and any(rx.search(flat) for _, rx in _row_patterns("t2", template)):
        return "t2"
    return None


def _match_row(label: str, patterns) -> str | None:
    """The one row key whose label best matches *label* (longest match); None if none or a tie."""
    hits = []
    for key, rx in patterns:
        m = rx.search(label)
        if m:
            hits.append((len(m.group(0)), key))
    if not hits:
        return None
    hits.sort(reverse=True)
    return hits[0][1] if len(hits) == 1 or hits[0][0] > hits[1][0] else None


def read_grid_table(grids, table: str, template: str, warnings: list[str]):
    """Read t2 or t3 from grids by position; None when no grid holds the table."""
    patterns = _row_patterns(table, template)
    if table == "t2":
        columns_of = {r.key: r.columns for r in (schema.T2_ROWS if template == "2021" else schema.T2_ROWS_2019)}
    else:
        columns_of = {r.key: tuple(c.key for c in schema.T3_COLUMNS) for r in schema.t3_rows(template)}
    result: dict[str, dict] = {}
    # A row whose label matched nothing but which has value cells: its label may
    # go on in the next row (a row broken across a PDF page).
    pending = None  # (label, real cells, positions of its value cells, row width)
    for grid in grids:
        for row in grid.rows:
            real = [c for c in row if c is not None]
            # Label cells come first; value cells are the numeric or blank ones after them.
            split = next((i for i, c in enumerate(real) if i > 0 and _grid_value(c, True)[1]), len(real))
            label = "".join(real[:split]).translate(HALF_WIDTH)
            key = _match_row(label, patterns) if label.strip() else None
            previous, pending = pending, None
            if key is None and previous is not None:
                # The rest of the previous row's label, alone in the label columns, with
                # only blank cells under the previous row's values: one row, read once.
                p_label, p_real, p_value_pos, p_width = previous
                text_pos = [j for j, c in enumerate(row) if c and c.strip()]
                rest = "".join(row[j] for j in text_pos).translate(HALF_WIDTH)
                if (len(row) == p_width and text_pos and max(text_pos) < min(p_value_pos)
                        and all(not (row[j] or "").strip() for j in p_value_pos)
                        and _match_row(rest, patterns) is None):
                    key = _match_row(p_label + rest, patterns)
                    if key is not None:
                        real, split = p_real, len(p_real) - len(p_value_pos)
                        warnings.append(f"{table}.{key}: label continued in the next table row "
                                        f"(row broken across a page); read as one row")
            if key is None and split < len(real) and label.strip():
                positions = [j for j, c in enumerate(row) if c is not None]
                pending = (label, real, positions[split:], len(row))
            if key is None or split == len(real) and table == "t3":
                continue
            if key in result:
                warnings.append(f"{table}.{key}: row appears twice in the table; values left missing")
                result[key] = {c: None for c in columns_of[key]}
                continue
            cols = columns_of[key]
            cells = real[split:]
            if table == "t2" and len(cols) == 1 and len(cells) > 1:
                # A one-value row drawn across the three-column width: the blanks are layout.
                filled = [c for c in cells if c.strip()]
                cells = filled if len(filled) == 1 else cells
            where = f"{table}.{key}"
            if len(cells) != len(cols):
                warnings.append(f"{where}: the row has {len(cells)} value cells where the template has "
                                f"{len(cols)}; values left missing")
                result[key] = {c: None for c in cols}
                continue
            vals = {}
            for col, cell in zip(cols, cells):
                value, ok = _grid_value(cell, col == "amount")
                if not ok:
                    warnings.append(f"{where}.{col}: cell {cell!r} is not a number; left missing")
                elif value is None:
                    warnings.append(f"{where}.{col}: blank cell; left missing")
                vals[col] = value
            result[key] = vals
    if not result:
        return None
    if table == "t3":
        for row in schema.t3_rows(template):
            if row.key not in result:
                warnings.append(f"t3.{row.key}: row label not found; values left missing")
        return {r.key: result.get(r.key, {c: None for c in columns_of[r.key]}) for r in schema.t3_rows(template)}
    return {k: result[k] for k in columns_of if k in result}


def read_grid_t4(grids, warnings: list[str]):
    cols = [c.key for c in schema.T4_COLUMNS]
    rows = [r.key for r in schema.T4_ROWS]
    for grid in grids:
        for row in grid.rows:
            real = [c for c in row if c is not None]
            if len(real) != 15:
                continue
            parsed = [_grid_value(c, False) for c in real]
            if all(ok for _, ok in parsed) and any(v is not None for v, _ in parsed):
                for i, (v, _) in enumerate(parsed):
                    if v is None:
                        warnings.append(f"t4.{rows[i // 5]}.{cols[i % 5]}: blank cell; left missing")
                return {r: {c: parsed[i * 5 + j][0] for j, c in enumerate(cols)} for i, r in enumerate(rows)}
    return None


def detect_template(text: str) -> str:
    """``"2019"`` when the 2019 template's distinctive labels appear, else ``"2021"``."""
    markers_2019 = ("本年新制作数量", "本年新公开数量", "对外公开总数量", "其他对外管理服务事项", "政府集中采购")
    markers_2021 = ("本年制发件数", "现行有效件数", "本年处理决定数量", "本年收费金额")
    score = sum(m in text for m in markers_2019) - sum(m in text for m in markers_2021)
    return "2019" if score > 0 else "2021"


