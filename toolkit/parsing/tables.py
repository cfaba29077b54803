"""Tables 2, 3 and 4 of a report, read from its text or from its grids.

The one rule: a number is assigned to a cell only when the parser is certain
which cell it is.  Whatever cannot be read with certainty is left missing
(``None``), with a warning saying why and a reason code
(:data:`toolkit.schema.CELL_STATUS`) in :attr:`TableRead.status`.  A table the
report does not contain is ``None``, never zeros.

How a table is read from text: row labels are located (t3 in template order, t2
in any order); the text between one label and the next is that row's value
region, cut at the next sub-heading or prose sentence.  Parenthesised notes and
words without digits in it are layout; the remaining tokens must be clean
numbers.  If there are exactly as many numbers as cells they are assigned in
order.  If instead the digits ran together (one run, or runs split by stray
spaces where each token is one or more whole cells), the row is split only when
exactly one split is possible, or exactly one split satisfies the template's
arithmetic; several splits are kept as *candidates* that a number stated in the
narrative or the column sums may pin later (:mod:`toolkit.parsing.resolve`).
Anything else leaves the row missing.  Text whose table-3 rows stand one per
line with their labels apart from their numbers (PDF text layers, markdown
converted from PDF) is read by row order instead (:mod:`toolkit.parsing.aligned`).
"""
from __future__ import annotations

import re
from functools import lru_cache

from .. import schema
from ..textnorm import half_width
from .aligned import read_by_row_order
from .headers import Vocabulary, column_leaves, header_leaves, laid_in_cells, simplified
from .memo import per_text
from .runs import run_cells, run_layout
from .rows import (CJK_RUN, FUZZY_LABEL_RATIO, SUBNUMBER, RowRead, TableRead, fuzzy_row, label_cores, row_patterns,
                   similar_label, single_other_row, t3_row_items)

__all__ = ["split_digits", "detect_template", "t3_template", "t3_fragment", "t3_header_grid", "read_text_table", "read_t4_text", "classify_grid",
           "read_grid_table", "read_grid_t4", "MAX_CELL_DIGITS", "read_rows", "value_tokens", "cut_region"]

# ------------------------------------------------------------------ numbers

_PAREN = re.compile(r"\([^()]*\)")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_LATIN = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_BEFORE_SUSPICIOUS = set("约近共计第超逾+-−±/.,%~\ufffd" + _LATIN)
_AFTER_SUSPICIOUS = set("余多几左右件条个次人年月日号万亿元项家份场期篇%+-−/.,~、:?？\ufffd" + _LATIN)
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+")
_OCR_DIGITS = frozenset({"O", "o", "l", "I"})
# Where a row's values end: the next sub-heading ((二)…, 二、…) or a prose sentence.
_REGION_END = re.compile(r"\([一二三四五六七八九十]{1,3}\)|(?<![\d一二三四五六七八九十])[一二三四五六七八九十]{1,3}、"
                         r"|(?<=[\u4e00-\u9fff])[,。;!?]|[,。;!?](?=[\u4e00-\u9fff])")
_FIRST_DIGIT = _DIGIT = re.compile(r"\d")


def cut_region(region: str) -> str:
    """A row's value region up to the next sub-heading or prose sentence after its first digit."""
    first = _FIRST_DIGIT.search(region)
    if first is None:
        return region
    end = _REGION_END.search(region, first.end())
    return region if end is None else region[:end.start()]


def value_tokens(region: str) -> tuple[list[str], list[str]]:
    """(number tokens, doubtful tokens) of a value region.

    Words without digits are layout (labels, headers, notes).  A token that
    mixes digits with other text (``290余``, ``2023年``) is doubtful, and so is
    any token holding U+FFFD (a byte that could not be decoded).
    """
    if "(" in region:
        region = _PAREN.sub(" ", region)
    numbers, doubtful = [], []
    for tok in region.replace("|", " ").split():
        if _NUMBER.fullmatch(tok):
            numbers.append(tok)
            continue
        if _THOUSANDS.fullmatch(tok):  # 1,295
            numbers.append(tok.replace(",", ""))
            continue
        if tok in _OCR_DIGITS:  # a letter read for a digit (O for 0, l for 1): not a clean number
            doubtful.append(tok)
            continue
        if "\ufffd" in tok:
            doubtful.append(tok)
            continue
        if not _DIGIT.search(tok):
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
MAX_CANDIDATES = 64  # more possible splits than this: too ambiguous for anything to pin


def split_digits(digits: str, sizes: list[int], check=None, limit: int = 200_000, breaks=(),
                 max_solutions: int = 2) -> list[list[int]]:
    """Ways to cut a run of digits into consecutive groups of cells.

    *sizes* gives the number of cells of each group (one group per table row);
    a cell never has a leading zero unless it is ``0``.  *breaks* are positions in
    *digits* where a cell must end (the boundaries of tokens separated by stray
    spaces: each token is one or more whole cells).  *check(group_values)*, if
    given, must hold for every group.  Returns at most *max_solutions* solutions
    (two are enough to know whether the split is unique); gives up (returns [])
    past *limit* steps, which callers treat as "not certain".
    """
    solutions: list[list[int]] = []
    steps = 0
    n = len(digits)
    total_cells = sum(sizes)
    if not sizes or not total_cells <= n <= total_cells * MAX_CELL_DIGITS:
        return []
    if n == total_cells and limit >= n:
        # One digit a cell: the only split (the search below takes n steps to find it).
        values = [int(d) for d in digits]
        at = 0
        for size in sizes:
            if check is not None and not check(values[at:at + size]):
                return []
            at += size
        return [values] if max_solutions > 0 else []
    cut = sorted({b for b in breaks if 0 < b < n})
    if len(cut) + 1 > total_cells:
        return []
    # next_break[i]: the first position after i where a cell must end.
    bset = set(cut)
    next_break = [n] * (n + 1)
    nb = n
    for i in range(n - 1, -1, -1):
        if (i + 1) in bset:
            nb = i + 1
        next_break[i] = nb

    def cells(pos: int, k: int, end: int):
        nonlocal steps
        if k == 0:
            if pos == end:
                yield []
            return
        longest = min(end - pos - (k - 1), MAX_CELL_DIGITS, next_break[pos] - pos)
        for i in range(1, longest + 1):
            steps += 1
            if steps > limit:
                return
            if i > 1 and digits[pos] == "0":
                break
            for rest in cells(pos + i, k - 1, end):
                yield [int(digits[pos:pos + i]), *rest]

    def groups(pos: int, gi: int, acc: list[int]) -> None:
        if len(solutions) >= max_solutions or steps > limit:
            return
        if gi == len(sizes):
            if pos == n:
                solutions.append(acc)
            return
        remaining = sum(sizes[gi + 1:])
        last = gi == len(sizes) - 1
        lo = n if last else pos + sizes[gi]
        hi = min(n - remaining, pos + sizes[gi] * MAX_CELL_DIGITS)
        for end in range(lo, hi + 1):
            for vals in cells(pos, sizes[gi], end):
                if check is None or check(vals):
                    groups(end, gi + 1, acc + vals)
                if len(solutions) >= max_solutions or steps > limit:
                    return

    groups(0, 0, [])
    return solutions if steps <= limit else []


_LEADING_ZERO = re.compile(r"(?<!\S)0[^.\s]")


def _to_value(tok: str, decimal: bool):
    if decimal:
        return float(tok)
    return int(tok) if tok.isdigit() else None


def _sum_check(vals: list[int]) -> bool:
    return sum(vals[:-1]) == vals[-1]


def _breaks(tokens: list[str]) -> list[int]:
    out, pos = [], 0
    for tok in tokens[:-1]:
        pos += len(tok)
        out.append(pos)
    return out


def _fewer_cells_possible(digits: str, breaks: list[int], n: int, ntok: int) -> bool:
    """Could the digits also be fewer than *n* whole cells (a blank cell dropped)?"""
    return any(split_digits(digits, [k], breaks=breaks, max_solutions=1) for k in range(max(ntok, 1), n))


def read_rows(numbers: list[str], doubtful: list[str], sizes: list[int], check, decimal: list[bool],
              where: str, warnings: list[str], blanks_dropped: bool = False) -> RowRead:
    """Values for a block of consecutive cells (grouped into rows of *sizes*), or why not.

    *blanks_dropped*: the text is known to drop blank cells (another row's digits were
    too few for its cells), so a split is certain only if no reading with fewer cells
    exists either.
    """
    n = sum(sizes)
    if doubtful:
        warnings.append(f"{where}: text {' '.join(doubtful)!r} mixes digits and words; values left missing")
        return RowRead(status="doubtful_text")
    # A token of two or more characters opening with 0 and no decimal point after it (007).
    leading_zero = _LEADING_ZERO.search(" ".join(numbers)) is not None
    if len(numbers) == n and not leading_zero:
        if any(decimal):
            vals = [_to_value(t, d) for t, d in zip(numbers, decimal)]
        else:
            vals = [int(t) if t.isdigit() else None for t in numbers]
        if None in vals:
            warnings.append(f"{where}: a count has a decimal point ({' '.join(numbers)}); values left missing")
            return RowRead(status="doubtful_text")
        return RowRead(values=vals)
    if not numbers:
        warnings.append(f"{where}: no values found (blank cells or table not extracted); left missing")
        return RowRead(status="blank")
    if len(numbers) >= n or not all(t.isdigit() for t in numbers):
        warnings.append(f"{where}: found {len(numbers)} values ({' '.join(numbers)}) for {n} cells; "
                        f"cannot tell which cell is blank, values left missing")
        return RowRead(status="ambiguous")
    runs = numbers
    if len(runs) == 1 or len(runs) == len(sizes) > 1:
        return _read_jammed(runs, sizes, check, where, warnings, blanks_dropped)
    return _read_spaced(runs, sizes, check, where, warnings)


def _candidates(digits: str, sizes: list[int], check, breaks=()) -> list[list[int]]:
    """The splits a row's digits allow, for resolving it later against stated numbers or column
    sums: those keeping its own sum, else (the source may break it) all; [] past
    :data:`MAX_CANDIDATES`."""
    found = split_digits(digits, sizes, check, breaks=breaks, max_solutions=MAX_CANDIDATES + 1) if check else []
    if not found:
        found = split_digits(digits, sizes, breaks=breaks, max_solutions=MAX_CANDIDATES + 1)
    return found if len(found) <= MAX_CANDIDATES else []


def _read_jammed(runs: list[str], sizes: list[int], check, where: str, warnings: list[str],
                 blanks_dropped: bool) -> RowRead:
    """Cells that ran together with no separator: one run, or one run per row."""
    groups = [sizes] if len(runs) == 1 else [[s] for s in sizes]
    out: list[int] = []
    for run, gsizes in zip(runs, groups):
        sols = split_digits(run, gsizes)
        how = "the only possible split"
        if len(sols) != 1 and check is not None:
            sols = split_digits(run, gsizes, check)
            how = "the only split satisfying the template's arithmetic"
        if len(sols) == 1 and blanks_dropped and _fewer_cells_possible(run, [], sum(gsizes), 1):
            warnings.append(f"{where}: this text drops blank cells (another row's digits are too few for "
                            f"its cells), so {run!r} may also be fewer cells; values left missing")
            return RowRead(status="ambiguous")
        if len(sols) != 1:
            reason = "no split" if not sols else "several splits"
            warnings.append(f"{where}: digits {run!r} ran together and {reason} fit(s) the cells "
                            f"with certainty; values left missing")
            candidates = _candidates(run, gsizes, check) if len(groups) == 1 else []
            return RowRead(status="ambiguous", candidates=candidates, short=len(run) < sum(gsizes))
        if len(run) > sum(gsizes):
            warnings.append(f"{where}: digits {run!r} ran together; read as {sols[0]} ({how})")
        out.extend(sols[0])
    return RowRead(values=out)


def _read_spaced(tokens: list[str], sizes: list[int], check, where: str, warnings: list[str]) -> RowRead:
    """Fewer tokens than cells, each token one or more whole cells (stray spaces in jammed text).

    Read only when exactly one split satisfies the template's arithmetic, or when the
    split is the only one even allowing for dropped blank cells.
    """
    digits = "".join(tokens)
    breaks = _breaks(tokens)
    n = sum(sizes)
    shown = " ".join(tokens)
    if check is not None:
        sols = split_digits(digits, sizes, check, breaks=breaks)
        if len(sols) == 1:
            warnings.append(f"{where}: {shown!r} has fewer tokens than cells; read as {sols[0]} "
                            f"(the only split of its tokens satisfying the template's arithmetic)")
            return RowRead(values=sols[0], inferred=True)
    else:
        sols = split_digits(digits, sizes, breaks=breaks)
        if len(sols) == 1 and not _fewer_cells_possible(digits, breaks, n, len(tokens)):
            warnings.append(f"{where}: {shown!r} has fewer tokens than cells; read as {sols[0]} "
                            f"(the only possible split)")
            return RowRead(values=sols[0])
    candidates = _candidates(digits, sizes, check, breaks) if len(sizes) == 1 else []
    reason = "no split" if not sols else "several splits"
    warnings.append(f"{where}: found {len(tokens)} values ({shown}) for {n} cells and {reason} fit(s) "
                    f"with certainty; values left missing")
    return RowRead(status="ambiguous", candidates=candidates)


# ------------------------------------------------------------------ tables


def _locate_rows(text: str, patterns, start: int = 0) -> list[tuple[str, int, int]]:
    """(row key, label start, label end) for each row label found, in template order."""
    found, cursor = [], start
    for key, rx in patterns:
        m = rx.search(text, cursor)
        if m:
            found.append((key, m.start(), m.end()))
            cursor = m.end()
    return found


def _locate_any_order(text: str, patterns, start: int = 0) -> list[tuple[str, int, int]]:
    """Each row label's first occurrence from *start*, sorted by position (t2's boxes come
    in any order in converted text); a label inside another label's match is dropped."""
    hits = []
    for key, rx in patterns:
        m = rx.search(text, start)
        if m:
            hits.append((m.start(), -m.end(), key, m.end()))
    hits.sort()
    out, last_end = [], -1
    for s, _, key, e in hits:
        if s < last_end:
            continue
        out.append((key, s, e))
        last_end = e
    return out


def _fill_fuzzy(text: str, located: list[tuple[str, int, int]], template: str, single_other: bool):
    """Add sub-numbered t3 rows whose label has a typo, found between their neighbours."""
    order = [r.key for r in t3_row_items(template, single_other)]
    have = {k for k, _, _ in located}
    out = list(located)
    for key in order:
        n = SUBNUMBER.get(key)
        if key in have or n is None:
            continue
        i = order.index(key)
        before = [x for x in out if order.index(x[0]) < i]
        after = [x for x in out if order.index(x[0]) > i]
        lo = max((e for _, _, e in before), default=0)
        hi = min((s for _, s, _ in after), default=len(text))
        hits = []
        for m in re.finditer(rf"{n}\s*[.、．]\s*", text[lo:hi]):
            run = CJK_RUN.match(text, lo + m.end())
            if run and similar_label(schema.label("t3", "row", key, template=template), run.group(0)) >= FUZZY_LABEL_RATIO:
                hits.append((lo + m.start(), run.end()))
        if len(hits) == 1:
            out.append((key, hits[0][0], hits[0][1]))
            out.sort(key=lambda x: x[1])
    return out


_T2_HEADER = re.compile(r"第二十条|本年制发件数|现行有效件数|本年处理决定数量|本年收费金额|本年新制作数量|"
                        r"本年新公开数量|对外公开总数量|上一年项目数量|处理决定数量")


def _read_form(text: str) -> str | None:
    """*text* with traditional characters and variant spellings read as simplified, when that
    changes it and keeps every offset (one character for one); else None.  Digits and
    separators are left as they are, so the cells read from it are the page's."""
    converted = simplified(text)
    return converted if converted != text and len(converted) == len(text) else None


def read_text_table(text: str, table: str, template: str, warnings: list[str]) -> TableRead | None:
    """Read t2 or t3 from its section text; None when no row label is present."""
    if table == "t2":
        return _read_text_t2(text, template, warnings)
    return _read_text_t3(text, template, warnings)


def _read_text_t2(text: str, template: str, warnings: list[str]) -> TableRead | None:
    header = _T2_HEADER.search(text)
    if header is None:
        # Prose (pre-2019 reports) also mentions 行政许可 and 规章; without the
        # table's own headers these are words, not a table.
        return None
    patterns = row_patterns("t2", template)
    located = _locate_any_order(text, patterns, header.start())
    if len(located) < len(patterns):
        # A label spelt in traditional characters or a variant (行政處罰, 部份) is read as the
        # word it is; unread, its row's numbers would stand in the region of the row before.
        read_form = _read_form(text)
        if read_form is not None and len(again := _locate_any_order(read_form, patterns, header.start())) > len(located):
            text, located = read_form, again
    if not located:
        return None
    rows = {r.key: r for r in (schema.T2_ROWS if template == "2021" else schema.T2_ROWS_2019)}
    out = TableRead({})
    reads: dict[str, tuple] = {}
    local: dict[str, list[str]] = {}
    for i, (key, _, end) in enumerate(located):
        stop = located[i + 1][1] if i + 1 < len(located) else len(text)
        cols = rows[key].columns
        numbers, doubtful, read, local[key] = _t2_row_read(text[end:stop], key, cols)
        reads[key] = (cols, numbers, doubtful, read)
    # A run of digits too short for its cells shows that this text drops blank cells:
    # then no jammed run of the table can be split with certainty by counting digits.
    if any(r.short for *_, r in reads.values()):
        for key, (cols, numbers, doubtful, read) in reads.items():
            if read.values is not None and None not in read.values and len(numbers) < len(cols):
                local[key] = []
                reads[key] = (cols, numbers, doubtful,
                              read_rows(numbers, doubtful, [len(cols)], None, [c == "amount" for c in cols],
                                        f"t2.{key}", local[key], blanks_dropped=True))
    starts = {key: start for key, start, _ in located}
    for key in rows:
        if key in reads:
            cols, _, _, read = reads[key]
            warnings.extend(local[key])
            printed = _text_t2_header(text[header.start():starts[key]], template) if len(cols) > 1 else None
            if printed is not None and sorted(printed) != sorted(cols) and in_template_order(printed, cols):
                printed = None  # some of its columns, in the template's order
            if printed is not None and sorted(printed) != sorted(cols):
                warnings.append(f"t2.{key}: the columns above it ({', '.join(printed)}) are not this row's; "
                                f"values left missing (columns are never read by position)")
                out.missing_row(key, cols, "label_not_found")
                continue
            if printed is not None and printed != list(cols) and read.values is not None:
                warnings.append(f"t2.{key}: the header prints its columns in the order {', '.join(printed)}; "
                                f"values read by header")
                read = RowRead(values=[read.values[printed.index(c)] for c in cols], status=read.status,
                               inferred=read.inferred)
            elif printed is not None and printed != list(cols):
                read = RowRead(status=read.status or "ambiguous")
            out.set_row(key, cols, read)
    return out


@lru_cache(maxsize=None)
def _t2_text_words(template: str) -> re.Pattern:
    """Table 2's column words (and their short forms without 件数/数量) as one pattern."""
    alts = []
    for key, words in _t2_column_words(template):
        forms = {w for w in words} | {w[:-2] for w in words if w.endswith(("件数", "数量")) and len(w) >= 6}
        alts.append(f"(?P<{key}>" + "|".join(_spaced(w) for w in sorted(forms, key=len, reverse=True)) + ")")
    return re.compile("|".join(alts))


def _text_t2_header(before: str, template: str) -> list[str] | None:
    """The column keys of the last header line of table 2 in *before* (the text above a row),
    in printed order; None when no line there names a column."""
    lead = None
    for lead in _T2_LEAD.finditer(before):
        pass
    if lead is not None:  # the row's block opens with 信息内容: its header is what follows
        return list(_t2_words_after_lead(before[lead.end():], template)) or None
    words = _t2_text_words(template)
    block: list[str] = []
    for line in reversed(simplified(before).split("\n")):
        found = [m.lastgroup for m in words.finditer(_SLASHES.sub("", line))]
        if found:
            block[:0] = found
        elif block and line.strip():
            break  # the header's lines (one word a line, as PDF text prints them) end here
    return block or None


_T2_LEAD = re.compile(r"\s*".join("信息内容"))
_SLASHES = re.compile("[/／]")


@per_text(maxsize=2048, longest=500)
def _t2_words_after_lead(header: str, template: str) -> tuple[str, ...]:
    """Table 2's column keys in *header* (the text after 信息内容), in printed order; kept per
    text, as the header above a block's first row repeats from report to report."""
    words = _t2_text_words(template)
    return tuple(m.lastgroup for m in words.finditer(_SLASHES.sub("", simplified(header))))


_SIGNED = re.compile(r"\s*(\d+)\s*[+\-−]\s*\d+(?:\.\d+)?(?![\d.])\s*")


def _signed_change(region: str, key: str, cols, read: RowRead, warnings: list[str]) -> RowRead:
    """2019 template, 上一年项目数量 | 本年增/减 | …: in ``156-5997`` the sign opens the change
    cell, so the digits before it are the previous year's count, whatever the rest is."""
    m = _SIGNED.match(region)
    if m is None or (len(m.group(1)) > 1 and m.group(1)[0] == "0") or _DIGIT.search(region, m.end()) \
            or region[m.end():m.end() + 1] in ("万", "元", "%", "余", "多"):
        return read
    warnings.append(f"t2.{key}: {m.group(0).strip()!r}: the sign opens 本年增/减, so 上一年项目数量 is "
                    f"{m.group(1)}; the rest cannot be split with certainty and is left missing")
    # The row's values: previous only; RowRead carries one status for the missing ones.
    return RowRead(values=[int(m.group(1))] + [None] * (len(cols) - 1), status="ambiguous")


def _read_text_t3(text: str, template: str, warnings: list[str]) -> TableRead | None:
    single = single_other_row(text, template)
    patterns = row_patterns("t3", template, single)
    located = _locate_rows(text, patterns)
    if len(located) < len(patterns):
        # As in table 2: labels spelt in traditional characters or a variant.
        read_form = _read_form(text)
        if read_form is not None and len(again := _locate_rows(read_form, patterns)) > len(located):
            text, located = read_form, again
    if len(located) < 3:
        return None
    located = _fill_fuzzy(text, located, template, single)
    items = t3_row_items(template, single)
    columns = tuple(c.key for c in schema.T3_COLUMNS)
    out = TableRead({})
    local: dict[str, list[str]] = {}
    found = {k for k, _, _ in located}
    aligned = read_by_row_order(text, template, single, warnings)
    if aligned is not None:
        # Rows stand one per line: the row order decides, not the label regions
        # (which, where labels stand apart from their numbers, hold another row's).
        for row in items:
            key = row.key
            if key in aligned.rows and (key in found or aligned.rows[key].status != "blank"):
                out.set_row(key, columns, aligned.rows[key])
                if key in aligned.by_order:
                    out.inferred.add(key)
            elif key in found:
                local[key] = [f"t3.{key}: labels stand apart from the numbers and its row could not be "
                              f"placed by order; values left missing"]
                out.missing_row(key, columns, "ambiguous")
            else:
                local[key] = [f"t3.{key}: row label not found; values left missing"]
                out.missing_row(key, columns, "label_not_found")
    else:
        layout = None
        for i, (key, _, end) in enumerate(located):
            stop = located[i + 1][1] if i + 1 < len(located) else len(text)
            numbers, read, said = _t3_row_read(text[end:stop], key)
            local[key] = said
            if read.values is None and read.status == "ambiguous" and numbers and len(numbers) < len(columns):
                layout = layout if layout is not None else (run_layout(text) or False)
                if layout:
                    read = _read_by_runs(text[end:stop], layout, True, columns, f"t3.{key}", read, local[key])
            out.set_row(key, columns, read)
        for row in items:
            if row.key not in found:
                local[row.key] = [f"t3.{row.key}: row label not found; values left missing"]
                out.missing_row(row.key, columns, "label_not_found")
        # A row label printed twice inside the table: which copy holds the row is not certain.
        cores = label_cores(template, single)
        body_end = located[-1][2]
        for key, _, end in located:
            if cores[key].search(text, end, body_end):
                local[key] = [f"t3.{key}: the row's label stands twice in the table; which copy holds "
                              f"its values is not certain; values left missing"]
                out.missing_row(key, columns, "ambiguous")
    for row in items:
        warnings.extend(local.get(row.key, ()))
    printed, why = _text_t3_header(text[max(0, located[0][1] - _HEADER_SPAN):located[0][1]])
    if why is not None:
        return _t3_columns_unmatched(template, single, warnings, why,
                                     "ambiguous" if "twice" in why else "label_not_found")
    if printed is not None and printed != list(columns):
        warnings.append(f"t3: the header prints the columns in the order {', '.join(printed)}; "
                        f"values read by header")
        _reorder_columns(out, printed, columns)
    return _t3_in_order(out, template, single, columns, warnings)


def _t2_row_read(region: str, key: str, cols: tuple[str, ...]) -> tuple[list[str], list[str], RowRead, list[str]]:
    """(the numbers, the doubtful tokens, the reading, its warnings) of table 2's row *key*
    (its columns *cols*) from its label's *region* (the text up to the next label)."""
    numbers, doubtful, kept, said = _t2_row_kept(region, key, cols)
    return list(numbers), list(doubtful), _row_read(kept), list(said)


@per_text(maxsize=4096, longest=1000)
def _t2_row_kept(region: str, key: str, cols: tuple[str, ...]):
    # Kept per text, as immutable parts (see _t3_row_kept).
    numbers, doubtful = value_tokens(cut_region(region))
    said: list[str] = []
    if (stranger := _stranger_note(region, f"t2.{key}")) is not None:
        said.append(stranger)
        return tuple(numbers), tuple(doubtful), _kept(RowRead(status="ambiguous")), tuple(said)
    cells = _bar_cells(cut_region(region)) if len(numbers) < len(cols) and not doubtful else None
    if cells is not None and len(cells) == len(cols) and all(c == "" or c.isdigit() for c in cells) \
            and any(cells) and not any(len(c) > 1 and c[0] == "0" for c in cells):
        # The bars give the cells: a cell printed empty is blank, a number fills its own cell.
        blanks = cells.count("")
        said.append(f"t2.{key}: {blanks} cell(s) printed empty between bars, left missing")
        read = RowRead(values=[int(c) if c else None for c in cells], status="blank")
        return tuple(numbers), tuple(doubtful), _kept(read), tuple(said)
    if cells is not None and "" in cells and numbers:
        # Bars with an empty cell among them: blank cells are printed, so the digits of a
        # cell are never split across its neighbours; the cells do not fit this row's.
        said.append(f"t2.{key}: {len(cells)} cell(s) between bars ({' | '.join(cells)}) for {len(cols)} "
                    f"columns; values left missing")
        return tuple(numbers), tuple(doubtful), _kept(RowRead(status="ambiguous")), tuple(said)
    read = read_rows(numbers, doubtful, [len(cols)], None, [c == "amount" for c in cols], f"t2.{key}", said)
    if read.values is None and cols[:2] == ("previous", "change"):
        read = _signed_change(cut_region(region), key, cols, read, said)
    return tuple(numbers), tuple(doubtful), _kept(read), tuple(said)


_LABEL_LINE = re.compile(r"\n[\s|]*([\u4e00-\u9fff][^\n|]*?)[\s|]*(?=\n)")


def _label_before_numbers(region: str) -> str | None:
    """A line of words standing alone between a row's label and its first number (the label of
    a row the parser cannot match: 行政罚没), or None.  Numbers after it are that row's as
    likely as this one's."""
    first = _FIRST_DIGIT.search(region)
    if first is None:
        return None
    lead = _PAREN.sub("", region[:first.start()]) if "(" in region[:first.start()] else region[:first.start()]
    found = _LABEL_LINE.findall(lead)
    return found[-1] if found else None  # the line nearest the numbers


def _stranger_note(region: str, where: str) -> str | None:
    """The warning for row *where* when its numbers follow a label that is no row's
    (:func:`_label_before_numbers`), else None."""
    stranger = _label_before_numbers(region)
    if stranger is None:
        return None
    return (f"{where}: its numbers follow a label that is no row's ({stranger}); whose numbers "
            f"they are cannot be told; values left missing")


def _bar_cells(region: str) -> list[str] | None:
    """The cells of a row region whose cells are closed by ``|`` (one a line, or on one line
    as a table saved to text prints them), stripped, empty for a cell printed empty; None
    without bars.  The piece before the first bar closes the label's own cell when blank, and
    the piece after the last bar is the next line's start."""
    if "|" not in region:
        return None
    pieces = region.split("|")
    if not pieces[0].strip():
        pieces = pieces[1:]
    if pieces and not pieces[-1].strip():
        pieces = pieces[:-1]
    return [p.strip() for p in pieces]


def _kept(read: RowRead) -> tuple:
    """*read* as immutable parts, to be kept in a cache (:func:`_row_read` rebuilds it)."""
    return (None if read.values is None else tuple(read.values), read.status,
            tuple(tuple(c) for c in read.candidates), read.inferred, read.short)


def _row_read(kept: tuple) -> RowRead:
    values, status, candidates, inferred, short = kept
    return RowRead(values=None if values is None else list(values), status=status,
                   candidates=[list(c) for c in candidates], inferred=inferred, short=short)


def _t3_row_read(region: str, key: str) -> tuple[list[str], RowRead, list[str]]:
    """(the numbers, the reading, its warnings) of table 3's row *key* from its label's
    *region* (the text up to the next label)."""
    numbers, kept, said = _t3_row_kept(region, key)
    return list(numbers), _row_read(kept), list(said)


@per_text(maxsize=4096, longest=1000)
def _t3_row_kept(region: str, key: str):
    # Kept per text, as immutable parts: rows print the same text from report to report.
    numbers, doubtful = value_tokens(cut_region(region))
    said: list[str] = []
    columns = len(schema.T3_COLUMNS)
    if (stranger := _stranger_note(region, f"t3.{key}")) is not None:
        said.append(stranger)
        return tuple(numbers), _kept(RowRead(status="ambiguous")), tuple(said)
    read = read_rows(numbers, doubtful, [columns], _sum_check, [False] * columns, f"t3.{key}", said)
    return tuple(numbers), _kept(read), tuple(said)


_HEADER_SPAN = 400  # characters before table 3's first row label where its header stands
_SP = r"\s*"


def _spaced(word: str) -> str:
    return _SP.join(map(re.escape, word))


# Table 3's header words; the grouping cell 法人或其他组织 comes first in the alternation,
# so its 其他 is never taken for the 其他 column.
T3_HEADER = Vocabulary(
    words=((_spaced("法人或") + r"(?:者\s*)?其\s*[他它]\s*" + _spaced("组织"), "group", "group"),
           (_spaced("自然人"), "natural_person", "top"),
           (_spaced("商业企业"), "commercial", "org"), (_spaced("科研机构"), "research", "org"),
           ("|".join(map(_spaced, ("社会公益组织", "社会组织", "公益组织"))), "social_org", "org"),
           (_spaced("法律服务机构") + "|" + _spaced("法律服务"), "legal_service", "org"),
           (_spaced("其他") + "|" + _spaced("其它"), "other_org", "org"),
           (_spaced("总计") + "|" + _spaced("合计"), "total", "top"),
           # Short forms seen in published headers (after the full words: 商业企业 is read whole).
           (_spaced("个人"), "natural_person", "top"), (_spaced("企业"), "commercial", "org"),
           (_spaced("科研"), "research", "org")),
    groups={"group": ("org", 5)})
_T3_KEYS = tuple(c.key for c in schema.T3_COLUMNS)
_T3_HEADER_START = re.compile(_SP.join("申请人情况"))


def _t3_order(leaves) -> tuple[list[str] | None, str | None]:
    """Table 3's columns in printed order from *leaves* (:func:`header_leaves`); (None, None)
    without header words; (None, why) when they do not name the seven columns once each."""
    if leaves is None:
        return None, None
    keys = [leaf[-1] for leaf in leaves]
    if sorted(keys) == sorted(_T3_KEYS):
        return keys, None
    if in_template_order(keys, _T3_KEYS):
        return None, None  # a header naming some columns, in the template's order: nothing against it
    if len(set(keys)) < len(keys):
        twice = sorted({k for k in keys if keys.count(k) > 1})
        return None, f"the header names {', '.join(twice)} twice"
    return None, f"the header names {', '.join(keys) or 'no column'} where the template has seven " \
                 f"columns, each once"


def _by_elimination(found: dict[int, str], unnamed: list[int], template) -> None:
    """Name the one value column whose header is blank (a scan whose recognizer lost the word)
    when every other column is named once, in the template's order, and the one column left is
    the template's at that place: a reader infers it the same way.  A header cell that names
    something else (个体工商户) is never renamed; anything else is left as it is."""
    keys = [found[j] for j in sorted(found)]
    missing = [k for k in template if k not in keys]
    if len(unnamed) != 1 or len(missing) != 1 or len(set(keys)) != len(keys) or len(keys) != len(template) - 1:
        return
    trial = {**found, unnamed[0]: missing[0]}
    if [trial[j] for j in sorted(trial)] == list(template):
        found[unnamed[0]] = missing[0]


def in_template_order(printed, template) -> bool:
    """Do the header words *printed* (some of the template's columns) stand once each and in
    the *template*'s order?  Then a header that names only some columns (a short form,
    words lost in a text layer) says nothing against the template's order."""
    return len(set(printed)) == len(printed) and all(p in template for p in printed) \
        and [t for t in template if t in printed] == list(printed)


def _text_t3_header(before: str) -> tuple[list[str] | None, str | None]:
    """Table 3's columns in the order its text header prints them, from the text *before*
    the first row label (from 申请人情况 on, when printed)."""
    start = None
    for start in _T3_HEADER_START.finditer(before):
        pass
    if start is not None:
        before = before[before.rfind("\n", 0, start.start()) + 1:]
    else:
        # No 申请人情况: the header begins on the line of its first unambiguous word
        # (其他 and 总计 also stand in prose and other tables).
        first = re.search(_SP.join("自然人") + "|" + _spaced("法人或") + "|" + _spaced("商业企业")
                          + "|" + _spaced("科研机构"), before)
        if first is None:
            return None, None
        before = before[before.rfind("\n", 0, first.start()) + 1:]
    printed, why = _t3_header_words(before)
    return (None if printed is None else list(printed)), why


# Published headers repeat the template's wording (most reports copy it), so the reading of
# a header text is kept: it depends on nothing but that text.
@per_text(maxsize=1024, longest=2000)
def _t3_header_words(before: str) -> tuple[tuple[str, ...] | None, str | None]:
    """:func:`_text_t3_header` of the header text *before* (from its first line on)."""
    printed, why = _t3_header_order(before)
    return (None if printed is None else tuple(printed)), why


def _t3_header_order(before: str) -> tuple[list[str] | None, str | None]:
    cells = laid_in_cells(before, T3_HEADER)
    by_cell = column_leaves(before, T3_HEADER) if cells else None
    if by_cell is not None and sorted(by_cell) == sorted(_T3_KEYS):
        return by_cell, None
    leaves = header_leaves(before, T3_HEADER)
    printed, why = _t3_order(leaves)
    if cells and printed is None and why is None and len(leaves or ()) >= 3:
        return None, (f"the header names {', '.join(leaf[-1] for leaf in leaves)} where the template has "
                      f"seven columns, each once")
    if cells or printed is None and why is None:
        return printed, why
    # Text not laid out in cells (a PDF text layer): a two-row header's words come row
    # after row, and words broken across lines are lost.
    if printed is not None and (printed[0], printed[-1]) != (_T3_KEYS[0], _T3_KEYS[-1]):
        return None, (f"the header's words stand in the order {', '.join(printed)}, but the text is not "
                      f"laid out in cells, so where 自然人 and 总计 stand is not certain")
    keys = [leaf[-1] for leaf in leaves]
    if why is not None and len(set(keys)) == len(keys):
        # Some column words, each once, scattered by the text layer: they say nothing
        # certain about the order (the cells keep the template's).
        return None, None
    return printed, why


def _reorder_columns(out: TableRead, printed: list[str], columns) -> None:
    """*out*'s rows, read in the *printed* column order, put under their columns' keys."""
    where = [printed.index(c) for c in columns]
    for row, cells in out.table.items():
        vals = list(cells.values())
        out.table[row] = {c: vals[i] for c, i in zip(columns, where)}
    for row, codes in out.status.items():
        out.status[row] = {printed[columns.index(c)]: s for c, s in codes.items()}
    for row, cands in out.candidates.items():
        out.candidates[row] = [[cand[i] for i in where] for cand in cands]


def _t3_in_order(out: TableRead, template: str, single: bool, columns, warnings: list[str]) -> TableRead:
    """Table 3's rows in template order; where (六)其他处理 is printed as one row of a 2021 table,
    its three sub-rows are missing (not printed) and ``other.all`` stands before (七)总计."""
    if single and template != "2019":
        for key in ("other.no_correction", "other.no_fee", "other.other"):
            out.missing_row(key, columns, "label_not_found")
        warnings.append("t3: (六)其他处理 is printed as one row (its three sub-rows are not); "
                        "read as other.all")
    order = [r.key for r in schema.t3_rows(template)]
    if single and template != "2019":
        order.insert(order.index("total_handled"), "other.all")
    out.table = {k: out.table[k] for k in order if k in out.table}
    return out


# Table 4's header: 行政复议 over five result columns, 行政诉讼 over its two groups, each
# over five result columns.
T4_HEADER = Vocabulary(
    words=((_spaced("未经复议直接起诉") + "|" + _spaced("直接起诉"), "litigation_direct", "litigation"),
           (_spaced("复议后起诉"), "litigation_after", "litigation"),
           (_spaced("行政复议"), "reconsideration", "group"), (_spaced("行政诉讼"), "litigation", "group"),
           (_spaced("结果维持") + "|" + _spaced("维持"), "upheld", "result"),
           (_spaced("结果纠正") + "|" + _spaced("纠正"), "corrected", "result"),
           (_spaced("其他结果") + "|" + _spaced("其他"), "other", "result"),
           (_spaced("尚未审结") + "|" + _spaced("审结"), "pending", "result"),
           (_spaced("总计") + "|" + _spaced("合计"), "total", "result")),
    groups={"reconsideration": ("result", 5), "litigation": ("litigation", 2),
            "litigation_direct": ("result", 5), "litigation_after": ("result", 5)})


def _t4_in_template_order(pairs, want) -> bool:
    """Do the header's cells stand once each in the template's order, a cell whose row the
    header does not say (结果维持 … 总计 printed once over all three groups) standing for
    any row?"""
    at = 0
    for row, col in pairs:
        while at < len(want) and not (want[at][1] == col and row in (None, want[at][0])):
            at += 1
        if at == len(want):
            return False
        at += 1
    return True


def _text_t4_header(header: str) -> tuple[list[tuple[str, str]] | None, str | None]:
    """(row key, column key) of table 4's fifteen values in the order its text *header*
    prints them; (None, None) without header words; (None, why) when the header does not
    name each cell once."""
    pairs, why = _t4_header_cells(header)
    return (None if pairs is None else list(pairs)), why


@per_text(maxsize=1024, longest=2000)
def _t4_header_cells(header: str) -> tuple[tuple[tuple[str, str], ...] | None, str | None]:
    """:func:`_text_t4_header`, kept per header text (see :func:`_t3_header_words`)."""
    pairs, why = _t4_header_order(header)
    return (None if pairs is None else tuple(pairs)), why


@per_text(maxsize=1024, longest=2000)
def _t4_laid_in_cells(header: str) -> bool:
    return laid_in_cells(header, T4_HEADER)


def _t4_header_order(header: str) -> tuple[list[tuple[str, str]] | None, str | None]:
    leaves = header_leaves(header, T4_HEADER)
    if leaves is None:
        return None, None
    rows = {r.key for r in schema.T4_ROWS}
    pairs = [(next((p for p in reversed(leaf[:-1]) if p in rows), None), leaf[-1]) for leaf in leaves]
    want = [(r.key, c.key) for r in schema.T4_ROWS for c in schema.T4_COLUMNS]
    if sorted(pairs, key=str) == sorted(want, key=str):
        if pairs != want and _groups_on_other_lines(header):
            # 行政诉讼 printed on the line above 行政复议 (a cell spanning two header rows is
            # centred lower): the text does not say which stands left of the other.
            return None, "its groups 行政复议 and 行政诉讼 stand on different lines, so their order cannot be told"
        return pairs, None
    if _t4_in_template_order(pairs, want):
        return None, None
    return None, "the header does not name each of its fifteen cells once, in an order that can be told"


@per_text(maxsize=1024, longest=2000)
def _t4_words_in_template_order(header: str) -> bool:
    """Do the column words *header* prints stand in the template's order, group after group
    (结果维持 … 总计, as often as there are groups)?  Only then may cells whose header cannot be
    told apart keep the template's order: words printed in another order contradict it.
    Only a header whose every line holds whole words is read so; words a text layer broke
    across lines say nothing certain about the order."""
    lines = [re.sub(r"[\s|]+", "", line) for line in simplified(header).split("\n")]
    if not all(T4_HEADER.pattern.sub("", line) == "" for line in lines):
        return True  # a line holding more than whole header words (结果结果其他尚未): words broken
    leaves = header_leaves(header, T4_HEADER)
    if leaves is None:
        return True
    printed = [leaf[-1] for leaf in leaves]
    want = [c.key for c in schema.T4_COLUMNS] * len(schema.T4_ROWS)
    it = iter(want)
    return all(any(col == w for w in it) for col in printed)


def _groups_on_other_lines(header: str) -> bool:
    """Do table 4's two top groups (行政复议, 行政诉讼) both stand in *header*, on different lines?"""
    lines = header.split("\n")
    at = [{i for i, line in enumerate(lines) if re.search(pat, line)}
          for pat in (r"行\s*政\s*复\s*议(?!后)", r"行\s*政\s*诉\s*讼")]
    return bool(at[0] and at[1]) and not (at[0] & at[1])


_T4_HEADER = re.compile(r"结果维持|结果\s*纠正|尚未\s*审结|复议后起诉|直接起诉")
_T4_LEAD = re.compile(r"行\s*政\s*复\s*议\s*(?:行\s*政\s*诉\s*讼)?")


def read_t4_text(text: str, warnings: list[str], context: str | None = None) -> TableRead | None:
    """Table 4 from its section text.  *context* (table 3's text) shows how the document
    separates cells when table 4 alone has too few to tell (:mod:`toolkit.parsing.runs`)."""
    header = _T4_HEADER.search(text)
    lead = None
    if header is not None:  # the 行政复议 opening the header block, just before its first word
        for lead in _T4_LEAD.finditer(text, max(0, header.start() - 30), header.start()):
            pass
    # Prose before the table (2023年，本机关…) is not the table: read from its headers on.
    region = cut_region(text[(lead or header).start():] if header else text)
    numbers, doubtful = value_tokens(region)
    if not header and not numbers:
        return None
    if doubtful:
        # A label jammed onto the digits (总计000…) is layout, not a doubtful number.
        peeled = []
        for tok in doubtful:
            m = re.fullmatch(r"[^\d\ufffd]+?(\d+)", tok)
            if m is None:
                peeled = None
                break
            peeled.append(m.group(1))
        if peeled is not None:
            numbers, doubtful = numbers + peeled, []
    rows = [r.key for r in schema.T4_ROWS]
    cols = [c.key for c in schema.T4_COLUMNS]
    local: list[str] = []
    read = read_rows(numbers, doubtful, [len(cols)] * len(rows), _sum_check, [False] * 15, "t4", local)
    if read.values is None and header is not None and numbers and len(numbers) < 15:
        layout = run_layout(text) or (run_layout(context) if context else None)
        last = None
        for last in _T4_HEADER_WORD.finditer(text, header.start()):
            if _DIGIT.search(text, header.start(), last.start()):
                break
        if layout and last is not None:
            by_runs = _read_by_runs(text[last.end():], layout, False, [f"{r}.{c}" for r in rows for c in cols],
                                    "t4", read, [])
            if by_runs is not read:
                local = [f"t4: cells separated by runs of line breaks; blank cells counted from the runs "
                         f"({sum(v is None for v in by_runs.values)} blank); left missing"]
                read = by_runs
    warnings.extend(local)
    out = TableRead({})
    if header is not None:
        start = text.rfind("\n", 0, (lead or header).start()) + 1
        before = text.rfind("\n", 0, max(0, start - 1)) + 1
        if start and re.fullmatch(r"[\s|]*(?:(?:行\s*政\s*复\s*议|行\s*政\s*诉\s*讼)[\s|]*)+", text[before:start]):
            start = before  # a line of group headings only (行政诉讼 | 行政复议) above
        end = _DIGIT.search(text, header.start())
        head = text[start:end.start() if end else len(text)]
        pairs, why = _text_t4_header(head)
        if why is not None and not _t4_laid_in_cells(head) and _t4_words_in_template_order(head):
            # A text layer's words broken across lines (结果\n维持): nothing certain is said
            # about the order, so the cells keep the template's.
            warnings.append(f"t4: the header's words cannot be told apart ({why}); cells read in the "
                            f"template's order")
            why = None
        if why is not None:
            return _t4_columns_unmatched(why, warnings)
        if pairs is not None and read.values is not None and len(read.values) == len(pairs):
            order = [(r, c) for r in rows for c in cols]
            if pairs != order:
                warnings.append("t4: the header prints the cells in another order than the template's; "
                                "values read by header")
                at = dict(zip(pairs, read.values))
                read = RowRead(values=[at[p] for p in order], status=read.status, inferred=read.inferred)
        elif pairs is not None and pairs != [(r, c) for r in rows for c in cols]:
            read = RowRead(status=read.status or "ambiguous")  # candidates were split in template order
    for i, r in enumerate(rows):
        part = RowRead(values=None if read.values is None else read.values[i * 5:(i + 1) * 5],
                       status=read.status, inferred=read.inferred)
        if part.values is not None and all(v is None for v in part.values):
            part = RowRead(status=read.status)
        out.set_row(r, cols, part)
    return out


_T4_HEADER_WORD = re.compile(r"总\s*计|审\s*结|起\s*诉|维\s*持|纠\s*正|结\s*果")


def _read_by_runs(region: str, layout, row_start: bool, cols, where: str, read: RowRead,
                  warnings: list[str]) -> RowRead:
    """A row of a table whose cells are separated by runs of line breaks (:mod:`toolkit.parsing.runs`):
    its blank cells counted from the runs, the others read by position; *read* when that fails."""
    cells = run_cells(region, layout, row_start, len(cols))
    if cells is None or any(c is not None and not c.isdigit() for c in cells) \
            or all(c is None for c in cells):
        return read
    values = [None if c is None else int(c) for c in cells]
    blanks = sum(v is None for v in values)
    warnings[:] = [f"{where}: cells separated by runs of line breaks; {blanks} blank cell(s) counted from "
                   f"the runs, left missing; the others read by position"]
    return RowRead(values=values, status="blank")


# ------------------------------------------------------------------ grids
# Tables from HTML/DOCX/PDF arrive as grids (rowspan/colspan expanded, spanned
# cells None).  There a number's cell is known by its position, and a blank
# cell is known to be blank: read them by position rather than as text.

_GRID_T4 = re.compile(r"复议后起诉|未经复议直接起诉")


def _grid_value(cell: str, decimal: bool):
    """(value, ok): a blank cell is (None, True); a cell that is not a clean number is (None, False)."""
    cell = half_width(cell).strip()
    if not cell:
        return None, True
    if _THOUSANDS.fullmatch(cell):
        cell = cell.replace(",", "")
    if not _NUMBER.fullmatch(cell) or (len(cell) > 1 and cell[0] == "0" and cell[1] != "."):
        return None, False  # 00, 012: not one clean number
    value = _to_value(cell, decimal)
    return value, value is not None


def _cell_tokens(cell: str | None) -> list[str] | None:
    """A cell's number tokens when it holds only numbers (one per line or word); None otherwise."""
    if cell is None:
        return None
    toks = [t for t in re.split(r"\s+", half_width(cell)) if t]
    return toks if toks and all(_NUMBER.fullmatch(t) for t in toks) else None


def classify_grid(grid, template: str) -> str | None:
    flat = half_width("".join(c for row in grid.rows for c in row if c))
    if _GRID_T4.search(flat) and "结果维持" in flat.replace(" ", "").replace("\n", ""):
        return "t4"
    if len(_locate_rows(flat, row_patterns("t3", template))) >= 3:
        return "t3"
    if _T2_HEADER.search(flat) and any(rx.search(flat) for _, rx in row_patterns("t2", template)):
        return "t2"
    return None


def t3_header_grid(grid) -> bool:
    """Is *grid* table 3's header printed as a table of its own (its column words, no
    numbers but a numbering row)?"""
    if any(c and _grid_value(c, True)[0] is not None for row in grid.rows if not _numbering_row(row) for c in row):
        return False
    found, why = _t3_column_map(grid)
    return found is not None


def t3_fragment(grid, template: str) -> bool:
    """Could *grid* be a short piece of table 3 (a table split over pages whose first or last
    piece has fewer than three rows)?  It names at least one row of table 3 (总计 only as
    (七)总计: a lone 总计 heads many tables)."""
    flat = half_width("".join(c for row in grid.rows for c in row if c))
    keys = {k for single in (False, True) for k, _, _ in _locate_rows(flat, row_patterns("t3", template, single))}
    return bool(keys - {"total_handled"}) or bool(re.search(r"\(七\)\s*总\s*计", flat))


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


def _value_columns(grids) -> set[int] | None:
    """Grid columns that hold the numbers: those where a clean number stands in some row.

    None when the grids do not agree on a width (then cells are read by their order).
    """
    widths = {len(r) for g in grids for r in g.rows}
    if len(widths) != 1:
        return None
    cols: set[int] = set()
    for g in grids:
        for row in g.rows:
            for j, c in enumerate(row):
                if c is not None and _grid_value(c, True)[0] is not None and j > 0:
                    cols.add(j)
    return cols or None


# Applicant columns of table 3 by their header words (whitespace removed; 社会组织 and
# 公益组织 are short forms of 社会公益组织 seen in published tables).
_T3_HEADER_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("natural_person", ("自然人",)), ("commercial", ("商业企业",)), ("research", ("科研机构",)),
    ("social_org", ("社会公益组织", "社会组织", "公益组织")), ("legal_service", ("法律服务机构",)),
    ("other_org", ("其他",)), ("total", ("总计", "合计")),
)
# Words of the header's grouping cells, which hold a column word (其他) without naming a column.
_T3_HEADER_GROUPS = re.compile(r"法人或其他组织|法人或者其他组织|申请人情况")


_NUMBERING = re.compile(r"栏次|行次|列次|序号|编号")


def _numbering_row(row) -> bool:
    """A row numbering the columns (栏次 | 1 | 2 | … ), printed above or below the header."""
    nums = [c.strip() for c in row if c and c.strip().isdigit()]
    text = [c for c in row if c and c.strip() and not c.strip().isdigit()]
    return bool(nums) and nums == [str(i) for i in range(1, len(nums) + 1)] \
        and all(_NUMBERING.search(c) for c in text)


def _t3_column_map(grid) -> tuple[dict[int, str] | None, str | None]:
    """(grid column → applicant column key, from the header rows above the first row of
    numbers; None when the grid has no header words, or only some in the template's
    order) and, when a header is there but does not name the seven columns once each,
    why (the map is then None)."""
    header: dict[int, str] = {}
    value_columns: list[int] = []
    for row in grid.rows:
        if _numbering_row(row):
            continue
        if any(c and _grid_value(c, True)[0] is not None for c in row):
            # The first row of numbers: the header is above it.
            value_columns = [j for j, c in enumerate(row) if c and _grid_value(c, True)[0] is not None]
            break
        for j, c in enumerate(row):
            if c:
                header[j] = header.get(j, "") + re.sub(r"\s+", "", half_width(c))
    found: dict[int, str] = {}
    for j, words in header.items():
        keys = [leaf[-1] for leaf in (header_leaves(words, T3_HEADER) or [])]
        if len(set(keys)) > 1:
            return None, f"the header cell {simplified(words)!r} names several columns"
        if keys:
            found[j] = keys[0]
    _by_elimination(found, [j for j in value_columns if j not in found and not header.get(j)], _T3_KEYS)
    keys = [found[j] for j in sorted(found)]
    if sorted(keys) == sorted(_T3_KEYS):
        return found, None
    if len(keys) < 3 and in_template_order(keys, _T3_KEYS):
        # No header, or a word or two (其他 in a label broken across a page) that says
        # nothing against the template's order.
        return None, None
    shown = ", ".join(keys)
    return None, f"the header names {shown or 'none'} where the template has seven columns, each once"


def read_grid_table(grids, table: str, template: str, warnings: list[str]) -> TableRead | None:
    """Read t2 or t3 from grids by position; None when no grid holds the table."""
    flat = half_width("\n".join(c for g in grids for row in g.rows for c in row if c))
    single = table == "t3" and single_other_row(flat, template)
    patterns = row_patterns(table, template, single)
    if table == "t2":
        columns_of = {r.key: r.columns for r in (schema.T2_ROWS if template == "2021" else schema.T2_ROWS_2019)}
    else:
        columns_of = {r.key: tuple(c.key for c in schema.T3_COLUMNS) for r in t3_row_items(template, single)}
    out = TableRead({})
    value_cols = _value_columns(grids) if table == "t3" else None
    if value_cols is not None and len(value_cols) != len(schema.T3_COLUMNS):
        value_cols = None
    column_map: dict[int, dict[int, str]] = {}  # grid index → its header's column map
    ranked: dict[int, list[str]] = {}  # grid index → the header's column order (a piece of another width)
    if table == "t3":
        shared, shared_width = None, None
        for gi, grid in enumerate(grids):
            found, why = _t3_column_map(grid)
            if why is not None:
                return _t3_columns_unmatched(template, single, warnings, why)
            widths = {len(r) for r in grid.rows}
            if found is not None:
                column_map[gi] = shared = found
                shared_width = widths
            elif shared is not None and widths == shared_width:
                # A later page's piece without its own header: the same columns.
                column_map[gi] = shared
            elif shared is not None:
                # A piece drawn with another width (its label columns merged or split):
                # its seven value cells stand in the header's order.
                ranked[gi] = [shared[j] for j in sorted(shared)]
    # A row whose label matched nothing but which has value cells: its label may
    # go on in the next row (a row broken across a PDF page).
    pending = None  # (label, real cells, positions of its value cells, row width)
    unmatched: list[tuple[str, list[str]]] = []  # (label, value cells) of rows no label matched
    t2_words = _t2_column_words(template) if table == "t2" else ()
    for gi, grid in enumerate(grids):
        by_header = column_map.get(gi)
        t2_header: dict[int, str] | None = None  # the last t2 header row: grid column → column key
        for row in grid.rows:
            if table == "t2" and not any(c and _grid_value(c, True)[0] is not None for c in row):
                found = _t2_header(row, t2_words)
                if found is not None:
                    t2_header = found
                    continue
            if value_cols is not None and all(row[j] is not None for j in value_cols):
                value_pos = sorted(value_cols)
                label = "".join(c for j, c in enumerate(row) if c and j not in value_cols)
            else:
                positions = [j for j, c in enumerate(row) if c is not None]
                real = [row[j] for j in positions]
                # Label cells come first; value cells are the numeric or blank ones after them.
                split = next((i for i, c in enumerate(real) if i > 0 and (_grid_value(c, True)[1]
                                                                          or _cell_tokens(c))), len(real))
                label = "".join(real[:split])
                value_pos = positions[split:]
            label = half_width(label)
            if by_header is not None and set(value_pos) == set(by_header):
                # Cells in the template's column order, each found under its header.
                at = {k: j for j, k in by_header.items()}
                value_pos = [at[c.key] for c in schema.T3_COLUMNS]
            elif by_header is not None and len(value_pos) == len(by_header):
                # A row drawn with other label cells (merged, split) under the header:
                # its seven value cells stand in the header's order.
                printed = [by_header[j] for j in sorted(by_header)]
                value_pos = [value_pos[printed.index(c.key)] for c in schema.T3_COLUMNS]
            elif gi in ranked and len(value_pos) == len(ranked[gi]):
                value_pos = [value_pos[ranked[gi].index(c.key)] for c in schema.T3_COLUMNS]
            cells = [row[j] for j in value_pos]
            key = _match_row(label, patterns) if label.strip() else None
            previous, pending = pending, None
            if key is None and previous is not None:
                # The rest of the previous row's label, alone in the label columns, with
                # only blank cells under the previous row's values: one row, read once.
                p_label, p_cells, p_value_pos, p_width = previous
                text_pos = [j for j, c in enumerate(row) if c and c.strip()]
                rest = half_width("".join(row[j] for j in text_pos))
                if (len(row) == p_width and text_pos and p_value_pos and max(text_pos) < min(p_value_pos)
                        and all(not (row[j] or "").strip() for j in p_value_pos)
                        and _match_row(rest, patterns) is None):
                    key = _match_row(p_label + rest, patterns)
                    if key is not None:
                        cells = p_cells
                        warnings.append(f"{table}.{key}: label continued in the next table row "
                                        f"(row broken across a page); read as one row")
            if key is None and cells and label.strip():
                pending = (label, cells, value_pos, len(row))
                if table == "t3" and any(_grid_value(c, True)[0] is not None or _cell_tokens(c) for c in cells):
                    unmatched.append((label, cells))
            if key is None or not cells and table == "t3":
                continue
            if table == "t2" and t2_header is not None and len(columns_of[key]) > 1 \
                    and len(value_pos) == len(t2_header) == len(columns_of[key]):
                named = [t2_header.get(j) for j in value_pos]
                if not set(named) & set(columns_of[key]):
                    named = list(columns_of[key])  # another block's header (this one's was not found)
                    value_pos = list(value_pos)
                    t2_header = dict(zip(value_pos, named))
                if sorted(map(str, named)) != sorted(columns_of[key]):
                    warnings.append(f"t2.{key}: the columns above it ({', '.join(map(str, named))}) are not "
                                    f"this row's; values left missing (columns are never read by position)")
                    out.missing_row(key, columns_of[key], "label_not_found")
                    continue
                at = dict(zip(named, value_pos))
                cells = [row[at[c]] for c in columns_of[key]]
            if key in out.table:
                warnings.append(f"{table}.{key}: row appears twice in the table; values left missing")
                out.missing_row(key, columns_of[key], "ambiguous")
                continue
            _read_grid_row(out, table, key, columns_of[key], cells, warnings)
    if table == "t3":
        for label, cells in unmatched:
            # A label with a typo (2.其他法律行政止公开): the one row it nearly spells,
            # if that row is not otherwise in the table.
            key = fuzzy_row(label, template, keys=[r for r in columns_of if r not in out.table])
            if key is not None:
                warnings.append(f"t3.{key}: label {label!r} read as this row (a near copy of its label)")
                _read_grid_row(out, table, key, columns_of[key], cells, warnings)
    if not out.table:
        return None
    if table == "t3":
        for key in columns_of:
            if key not in out.table:
                warnings.append(f"t3.{key}: row label not found; values left missing")
                out.missing_row(key, columns_of[key], "label_not_found")
        return _t3_in_order(out, template, single, tuple(c.key for c in schema.T3_COLUMNS), warnings)
    out.table = {k: out.table[k] for k in columns_of if k in out.table}
    return out


@lru_cache(maxsize=None)
def _t2_column_words(template: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(column key, its header words without spaces) of table 2 in *template*."""
    cols = schema.T2_COLUMNS if template == "2021" else schema.T2_COLUMNS_2019
    return tuple((c.key, tuple(w.replace("/", "") for w in (c.zh, *c.aliases))) for c in cols)


def _t2_header(row, words) -> dict[int, str] | None:
    """Grid column → column key of a t2 header row (信息内容 | 本年制发件数 | …); None if the
    row names fewer than two columns."""
    found, other = {}, {}
    for j, c in enumerate(row):
        if not c:
            continue
        text = re.sub(r"[\s/／]+", "", half_width(c))
        text = simplified(text)
        keys = [k for k, ws in words if any(w == text or (len(text) > len(w) and text.endswith(w))
                                            or (len(text) >= 4 and w.startswith(text) and w[len(text):] in ("件数", "数量"))
                                            for w in ws)]
        if len(keys) == 1:
            found[j] = keys[0]
        elif j > 0:  # a header word naming no column (信息内容 heads the labels, in the first)
            other[j] = f"?{text}"
    return {**found, **other} if len(found) >= 2 else None


def _t3_columns_unmatched(template: str, single: bool, warnings: list[str], why: str,
                          status: str = "label_not_found") -> TableRead:
    """Table 3 present, every cell missing: its columns could not be matched by header (*why*)."""
    warnings.append(f"t3: the applicant columns cannot be matched by their header ({why}); "
                    f"values left missing (columns are never read by position)")
    out = TableRead({})
    columns = tuple(c.key for c in schema.T3_COLUMNS)
    for row in t3_row_items(template, single):
        out.missing_row(row.key, columns, status)
    return _t3_in_order(out, template, single, columns, warnings)


def _t4_columns_unmatched(why: str, warnings: list[str]) -> TableRead:
    """Table 4 present, every cell missing: its columns could not be matched by header (*why*)."""
    warnings.append(f"t4: the columns cannot be matched by their header ({why}); values left "
                    f"missing (columns are never read by position)")
    out = TableRead({})
    cols = [c.key for c in schema.T4_COLUMNS]
    for r in schema.T4_ROWS:
        out.missing_row(r.key, cols, "label_not_found")
    return out


def _read_grid_row(out: TableRead, table: str, key: str, cols, cells: list[str], warnings: list[str]) -> None:
    where = f"{table}.{key}"
    if table == "t2" and len(cols) == 1 and len(cells) > 1:
        # A one-value row drawn across the three-column width: the blanks are layout.
        filled = [c for c in cells if c.strip()]
        cells = filled if len(filled) == 1 else cells
    tokens = [_cell_tokens(c) for c in cells]
    if any(t is not None and len(t) > 1 for t in tokens):
        # A cell holding several numbers (1<br>2, two paragraphs, a nested table) is
        # never one number: its tokens are read by the usual rules for text, and only
        # if the row's own arithmetic then holds.
        flat = [t for c, toks in zip(cells, tokens) for t in (toks if toks is not None else
                                                                 ([c] if c.strip() else []))]
        numbers, doubtful = value_tokens(" ".join(flat))
        local: list[str] = []
        check = _sum_check if table == "t3" else None
        read = read_rows(numbers, doubtful, [len(cols)], check, [c == "amount" for c in cols], where, local)
        if read.values is None:
            shown = " | ".join(c.replace(chr(10), " ") for c in cells)
            local = [f"{where}: a cell holds several numbers ({shown}); they are never joined into one, "
                     f"and the row's {len(numbers)} numbers do not fit its {len(cols)} cells; values left missing"]
        elif check is None or len(cells) == len(cols) or not check(read.values):
            read = RowRead(status="ambiguous")
            local = [f"{where}: a cell holds several numbers ({' | '.join(c.replace(chr(10), ' ') for c in cells)}); "
                     f"they are never joined into one, and which cell each belongs to is not certain; "
                     f"values left missing"]
        elif read.values is not None:
            local.append(f"{where}: a cell holds several numbers; read as {read.values} (one per cell, "
                         f"the row's arithmetic holds)")
            read.inferred = True
        warnings.extend(local)
        out.set_row(key, cols, read)
        return
    if len(cells) != len(cols):
        warnings.append(f"{where}: the row has {len(cells)} value cells where the template has "
                        f"{len(cols)}; values left missing")
        out.missing_row(key, cols, "ambiguous")
        return
    vals, status = {}, {}
    for col, cell in zip(cols, cells):
        value, ok = _grid_value(cell, col == "amount")
        if not ok:
            warnings.append(f"{where}.{col}: cell {cell!r} is not a number; left missing")
            status[col] = "doubtful_text"
        elif value is None:
            warnings.append(f"{where}.{col}: blank cell; left missing")
            status[col] = "blank"
        vals[col] = value
    out.table[key] = vals
    if status:
        out.status[key] = status


_T4_ROW_WORDS = (("litigation_after", ("复议后起诉",)), ("litigation_direct", ("直接起诉",)),
                 ("reconsideration", ("行政复议",)))
_T4_COLUMN_WORDS = (("upheld", ("维持",)), ("corrected", ("纠正",)), ("other", ("其他",)),
                    ("pending", ("审结",)), ("total", ("总计", "合计")))


def _t4_column_map(header_rows, positions: list[int]) -> tuple[list[tuple[str, str]] | None, str | None]:
    """((row key, column key) of each value position, from the header rows above table 4's
    values; None when there is no header — fewer than three words) and, when a header is
    there but does not name the fifteen cells once each, why."""
    words = {j: "" for j in positions}
    for row in header_rows:
        group = None
        for j, c in enumerate(row):
            if c is None:
                # Covered by a span: a group heading (行政复议, 复议后起诉) spans the columns
                # to its right; a column word spanning down stays in its own column.
                text = group or ""
            else:
                text = simplified(re.sub(r"\s+", "", half_width(c)))
                group = text if any(w in text for _, ws in _T4_ROW_WORDS for w in ws) else None
            if j in words:
                words[j] += text
    pairs, named = [], 0
    for j in positions:
        w = words[j]
        rows = [k for k, ws in _T4_ROW_WORDS if any(x in w for x in ws)]
        cols = [k for k, ws in _T4_COLUMN_WORDS if any(x in w for x in ws)]
        named += bool(rows) + bool(cols)
        # 复议后起诉 also holds 复议, 直接起诉 sits under 行政诉讼: the most specific group wins.
        pairs.append((rows[0] if rows else None, cols[0] if len(cols) == 1 else None))
    if named < 3:
        return None, None
    want = {(r.key, c.key) for r in schema.T4_ROWS for c in schema.T4_COLUMNS}
    if None in {x for p in pairs for x in p} or set(pairs) != want or len(pairs) != len(want):
        blocks = _t4_blocks(words, positions, [c for _, c in pairs])
        if blocks is None:
            return None, "the header does not name each of its fifteen cells once"
        return blocks, None
    return pairs, None


def _t4_blocks(words: dict[int, str], positions: list[int], cols: list[str | None]):
    """Table 4's cells when its group headings were not drawn as spans (a scan's grid, where
    行政复议 stands in the middle of the five cells it heads): the result words name the five
    columns in the template's order three times over, and each block of five holds the words
    of exactly one group, the three in the template's order.  None otherwise."""
    template_cols = [c.key for c in schema.T4_COLUMNS]
    template_rows = [r.key for r in schema.T4_ROWS]
    if len(positions) != 15 or cols != template_cols * 3:
        return None
    found = []
    for b in range(3):
        text = "".join(words[j] for j in positions[5 * b:5 * b + 5])
        # The most specific heading in the block (复议后起诉 holds 复议; 行政诉讼 heads two blocks).
        rows = [k for k, ws in _T4_ROW_WORDS if any(w in text for w in ws)]
        found.append(rows[0] if rows else None)
    if found != template_rows:
        return None
    return [(found[i // 5], template_cols[i % 5]) for i in range(15)]


def read_grid_t4(grids, warnings: list[str]) -> TableRead | None:
    cols = [c.key for c in schema.T4_COLUMNS]
    rows = [r.key for r in schema.T4_ROWS]
    for grid in grids:
        for ri, row in enumerate(grid.rows):
            positions = [j for j, c in enumerate(row) if c is not None]
            real = [row[j] for j in positions]
            if len(real) != 15:
                continue
            parsed = [_grid_value(c, False) for c in real]
            # A cell holding digits that are not one clean number (an OCR reading marked
            # unsure, 12?) is left missing; the row's other cells stand where they are.
            if all(ok or _DIGIT.search(c) for (_, ok), c in zip(parsed, real)) \
                    and any(v is not None for v, _ in parsed):
                pairs, why = _t4_column_map(grid.rows[:ri], positions)
                if why is not None:
                    return _t4_columns_unmatched(why, warnings)
                out = TableRead({})
                order = [(r, c) for r in rows for c in cols]
                value_at = dict(zip(pairs, parsed)) if pairs is not None else dict(zip(order, parsed))
                cell_at = dict(zip(pairs if pairs is not None else order, real))
                for r, c in order:
                    if not value_at[(r, c)][1]:
                        warnings.append(f"t4.{r}.{c}: cell {cell_at[(r, c)]!r} is not a number; left missing")
                        out.status.setdefault(r, {})[c] = "doubtful_text"
                    elif value_at[(r, c)][0] is None:
                        warnings.append(f"t4.{r}.{c}: blank cell; left missing")
                        out.status.setdefault(r, {})[c] = "blank"
                out.table = {r: {c: value_at[(r, c)][0] for c in cols} for r in rows}
                return out
    return None


def detect_template(text: str) -> str:
    """``"2019"`` when the 2019 template's distinctive labels appear, else ``"2021"``."""
    markers_2019 = ("本年新制作数量", "本年新公开数量", "对外公开总数量", "其他对外管理服务事项", "政府集中采购")
    markers_2021 = ("本年制发件数", "现行有效件数", "本年处理决定数量", "本年收费金额")
    score = sum(m in text for m in markers_2019) - sum(m in text for m in markers_2021)
    return "2019" if score > 0 else "2021"


# The 2021 template's (六)其他处理 sub-rows; the 2019 template has none.
_T3_2021_SUBROWS = re.compile(r"逾\s*期\s*不\s*补\s*正|逾\s*期\s*未\s*按\s*收\s*费\s*通\s*知"
                              # (六)其他处理 opening a numbered sub-row (1.申请人…), however worded
                              r"|\(\s*六\s*\)\s*其\s*他\s*处\s*理\s*1\s*[.．、]\s*[\u4e00-\u9fff]")


def t3_template(text: str, template: str) -> str:
    """Table 3's own template: ``"2021"`` when *text* (table 3's) prints the 2021 sub-rows of
    (六)其他处理, else the report's *template* (a report of a transition year may print the
    2019 table 2 beside the 2021 table 3)."""
    if template == "2019" and _T3_2021_SUBROWS.search(text):
        return "2021"
    return template
