"""The indicators the field computes from these reports, with their denominators.

``indicators(corpus)`` returns one row per report and indicator.  The core,
:func:`compute_indicators`, is a pure function of the three frames it reads
(``load_reports()``, ``load_tables()``, ``load_statements()``), so it runs on
any frames laid out the same way.

Rules
-----
* **Missing is never zero.**  Any input cell that is missing (blank,
  ambiguous, label not found, doubtful text, table absent, row left out)
  gives ``value`` <NA> and a ``reason`` naming the cells and why.
* **A denominator of 0 gives <NA>**, never 0 or inf.
* **Proportions carry a Wilson 95% interval** (``ci_low``, ``ci_high``; see
  :func:`toolkit.analysis.wilson_interval`); the ratio ``dispute_rate`` carries
  none.  A proportion whose numerator exceeds its denominator (the report's
  own arithmetic is broken) is <NA> with that reason.
* **A report that contradicts itself is flagged.**  ``conflict`` is true when
  an input cell read from the report's table is also stated in its text
  (``load_statements()``) with a different number (e.g. a table giving 95
  applications where the text says 17), or is tied to such a cell by the
  template's sum identities: in table 3 every cell (per column 本年新收 +
  上年结转 = 总计 + 结转下年度, 总计 the sum of the outcome rows; per row 总计
  the sum of the applicant columns), so one contradicted cell flags every
  indicator that reads table 3 (the rates over 总计 and ``dispute_rate``
  included); in table 4 the cells of one row; in table 2 the cell alone.
* **Templates are never pooled where their rows differ.**  Each indicator
  says, for the 2019 template (国办公开办函〔2019〕60号, report years
  2019–2020) and the 2021 one, which cells it reads; where the 2019 template
  has no such cells the value is <NA> with the reason.  The comparability
  table below (also :func:`indicator_definitions`) says which indicators mean
  the same thing under both templates.
* **Stated values are marked.**  When a report does not contain a table
  (``has_t2``/``has_t3``/``has_t4`` false: published as an image, a crawl
  without it, a report before 2019), a cell is taken from
  ``load_statements()`` (a number the narrative states about that cell, e.g.
  收到政府信息公开申请166件) and the row's ``source`` is ``stated``.  Table
  values and stated values are never mixed silently: ``source`` is ``stated``
  as soon as one input is stated.  Statements are used only where the table is
  absent, never to fill a cell the table has but could not be read.  When a
  report states two different numbers for one cell, the value is <NA>.

Indicators (cells are ``table row/column``; ``*`` means every row of a group)
----------------------------------------------------------------------------

=============================== ===== =========================================== ============================== ==========
indicator                       kind  numerator (2021 template)                   denominator                    2019 tmpl.
=============================== ===== =========================================== ============================== ==========
applications                    count t3 new_received/total                        –                              same
disclosure_rate                 rate  t3 granted + partially_granted /total        t3 total_handled/total         same
full_disclosure_rate            rate  t3 granted/total                             t3 total_handled/total         same
denial_rate                     rate  t3 denied.* /total (不予公开, 8 rows)         t3 total_handled/total         same
unavailable_rate                rate  t3 unavailable.* /total (无法提供, 3 rows)    t3 total_handled/total         same
not_processed_rate              rate  t3 not_processed.* /total (不予处理, 5 rows)  t3 total_handled/total         same
other_rate                      rate  t3 other.* /total (其他处理, 3 rows)          t3 total_handled/total         other.all
refusals_legal_exemption        count t3 denied.* /total                           –                              same
refusals_factual_operational    count t3 unavailable.* + not_processed.* +        –                              <NA>
                                      other.no_correction + other.no_fee /total
refusals_legal_share            rate  refusals_legal_exemption                     legal + factual_operational    <NA>
reconsideration_correction_rate rate  t4 reconsideration/corrected                 t4 reconsideration upheld +    same
                                                                                   corrected + other (decided)
litigation_correction_rate      rate  t4 litigation_direct + litigation_after      the two rows' upheld +         same
                                      /corrected                                   corrected + other
dispute_rate                    ratio t4 reconsideration + litigation_direct +     t3 new_received/total          same
                                      litigation_after /total
licensing_decisions             count t2 licensing/decisions                       –                              label
penalty_decisions               count t2 penalty/decisions                         –                              label
coercion_decisions              count t2 coercion/decisions                        –                              label
fees_amount                     万元  t2 fees/amount                               –                              <NA>
normative_docs_in_force         count t2 normative_docs/in_force                   –                              <NA>
=============================== ===== =========================================== ============================== ==========

Comparability across templates: ``same`` means the 2019 template has the same
cells with the same meaning, so 2019 and 2021 values may be compared and
pooled.  ``other_rate`` reads (六)其他处理 as one row (``other.all``) in 2019
and as three rows in 2021; the group total means the same, so it is
comparable.  A 2021 table printing (六) as one row is read by ``other.all``,
and a 2021 table 3 in a report whose table 2 is the 2019 form by its three rows.  ``label``: the decisions counts (处理决定数量) have the same label in
both templates, but that organs counted the same things is not established (one
organ of the corpus gives 16 in 2019 and 5,658 in 2021): values are given for
both templates, to be compared within a template, not pooled across.  Not
comparable (<NA> for 2019-template reports):

* ``refusals_factual_operational`` and ``refusals_legal_share``: the 2019
  template's single (六)其他处理 row mixes 逾期不补正/逾期未缴费 (factual)
  with 其他 (unclassifiable), so the factual group cannot be formed;
* ``fees_amount``: the 2019 table 2 gives the number of fee items, not the
  amount collected;
* ``normative_docs_in_force``: the 2019 table 2 gives documents published
  (对外公开总数量), not documents in force.

The refusal split is the one used in the legal literature on these reports:
*legal exemptions* are the eight 不予公开 grounds (国家秘密, 法律行政法规禁止,
三安全一稳定, 第三方合法权益, 内部事务, 过程性信息, 行政执法案卷, 行政查询);
*factual/operational* reasons are the 无法提供 and 不予处理 rows (本机关不掌握,
没有现成信息, 补正后仍不明确, 信访举报投诉, 重复申请, 公开出版物, 大量反复申请,
确认或重新出具) and the applicant's own default (逾期不补正, 逾期未缴费).
(六)3.其他 is in neither group.

``dispute_rate`` is a ratio, not a proportion: the disputes of a year may
concern applications of earlier years (pending and carried-over cases count),
复议后起诉 counts a dispute a second time, and it can exceed 1.  It has no
interval.  docs/METHODS.md is the rulebook these definitions serve.
"""
from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import schema
from .aggregation import is_missing as _missing
from .aggregation import wilson_interval, without_unformed_rates

__all__ = ["Indicator", "INDICATORS", "INDICATOR_COLUMNS", "LINKED_RATES", "SUMMARY_BY", "indicator_definitions", "compute_indicators",
           "indicators", "summarise_indicators"]

Cell = tuple[str, str, str]  # (table, row, column)


def _t3(rows: Iterable[str], column: str = "total") -> tuple[Cell, ...]:
    return tuple(("t3", r, column) for r in rows)


def _group(prefix: str, template: str = "2021") -> tuple[str, ...]:
    return tuple(r for r in schema.t3_outcome_rows(template) if r.startswith(prefix))


_DENIED = _group("denied.")
_UNAVAILABLE = _group("unavailable.")
_NOT_PROCESSED = _group("not_processed.")
_HANDLED = _t3(["total_handled"])
_FACTUAL = _t3(_UNAVAILABLE + _NOT_PROCESSED + ("other.no_correction", "other.no_fee"))
_T4_DECIDED = ("upheld", "corrected", "other")


@dataclass(frozen=True)
class Indicator:
    """One indicator: the cells it sums, per template (a template left out has no such cells)."""

    name: str
    kind: str  # count | amount | rate | ratio
    unit: str
    zh: str
    en: str
    numerator: dict[str, tuple[Cell, ...]]
    denominator: dict[str, tuple[Cell, ...]] = field(default_factory=dict)
    comparable: bool = True
    note: str = ""
    # Cells meaning the same as the numerator's, summed when those are not all there: (六)其他处理
    # as one row in a 2021 table, or a 2021 table 3 in a report whose table 2 is the 2019 form.
    alternative: dict[str, tuple[Cell, ...]] = field(default_factory=dict)


def _both(cells: tuple[Cell, ...]) -> dict[str, tuple[Cell, ...]]:
    return {"2021": cells, "2019": cells}


_NOT_2019_OTHER = ("the 2019 template has (六)其他处理 as one row, which mixes 逾期不补正/逾期未缴费 with 其他, "
                   "so the factual/operational group cannot be formed")

#: Every indicator, in output order.
INDICATORS: tuple[Indicator, ...] = (
    Indicator("applications", "count", "件", "本年新收申请数", "New applications received",
              _both(_t3(["new_received"]))),
    Indicator("disclosure_rate", "rate", "share", "公开率（予以公开＋部分公开）", "Disclosure rate (full + partial)",
              _both(_t3(["granted", "partially_granted"])), _both(_HANDLED)),
    Indicator("full_disclosure_rate", "rate", "share", "全部公开率", "Full disclosure rate",
              _both(_t3(["granted"])), _both(_HANDLED)),
    Indicator("denial_rate", "rate", "share", "不予公开率", "Denial rate (不予公开)",
              _both(_t3(_DENIED)), _both(_HANDLED)),
    Indicator("unavailable_rate", "rate", "share", "无法提供率", "Unavailable rate (无法提供)",
              _both(_t3(_UNAVAILABLE)), _both(_HANDLED)),
    Indicator("not_processed_rate", "rate", "share", "不予处理率", "Not-processed rate (不予处理)",
              _both(_t3(_NOT_PROCESSED)), _both(_HANDLED)),
    Indicator("other_rate", "rate", "share", "其他处理率", "Other handling rate (其他处理)",
              {"2021": _t3(_group("other.")), "2019": _t3(["other.all"])}, _both(_HANDLED),
              note="(六)其他处理: three rows in 2021, one (other.all) in 2019; the group total means the same",
              alternative={"2021": _t3(["other.all"]), "2019": _t3(_group("other."))}),
    Indicator("refusals_legal_exemption", "count", "件", "不予公开（法定豁免事由）", "Refusals on legal exemptions",
              _both(_t3(_DENIED))),
    Indicator("refusals_factual_operational", "count", "件", "无法提供、不予处理及逾期（事实/程序原因）",
              "Refusals for factual or operational reasons", {"2021": _FACTUAL}, comparable=False,
              note=_NOT_2019_OTHER),
    Indicator("refusals_legal_share", "rate", "share", "拒绝中法定豁免所占比例",
              "Share of refusals on legal exemptions", {"2021": _t3(_DENIED)},
              {"2021": _t3(_DENIED) + _FACTUAL}, comparable=False, note=_NOT_2019_OTHER),
    Indicator("reconsideration_correction_rate", "rate", "share", "行政复议纠正率",
              "Reconsideration: share of decided cases corrected",
              _both((("t4", "reconsideration", "corrected"),)),
              _both(tuple(("t4", "reconsideration", c) for c in _T4_DECIDED))),
    Indicator("litigation_correction_rate", "rate", "share", "行政诉讼纠正率",
              "Litigation: share of decided cases corrected",
              _both((("t4", "litigation_direct", "corrected"), ("t4", "litigation_after", "corrected"))),
              _both(tuple(("t4", r, c) for r in ("litigation_direct", "litigation_after") for c in _T4_DECIDED))),
    Indicator("dispute_rate", "ratio", "per application", "复议诉讼数与新收申请数之比",
              "Reconsideration and litigation cases per new application",
              _both(tuple(("t4", r, "total") for r in ("reconsideration", "litigation_direct", "litigation_after"))),
              _both(_t3(["new_received"])),
              note="a ratio: disputes may concern earlier years' applications, so it can exceed 1"),
    Indicator("licensing_decisions", "count", "件", "行政许可处理决定数", "Licensing decisions",
              _both((("t2", "licensing", "decisions"),)), comparable=False,
              note="same label (处理决定数量) in both templates; that organs counted the same things is not established: compare within a template"),
    Indicator("penalty_decisions", "count", "件", "行政处罚决定数", "Penalty decisions",
              _both((("t2", "penalty", "decisions"),)), comparable=False,
              note="same label (处理决定数量) in both templates; that organs counted the same things is not established: compare within a template"),
    Indicator("coercion_decisions", "count", "件", "行政强制决定数", "Coercion decisions",
              _both((("t2", "coercion", "decisions"),)), comparable=False,
              note="same label (处理决定数量) in both templates; that organs counted the same things is not established: compare within a template"),
    Indicator("fees_amount", "amount", "万元", "行政事业性收费金额", "Administrative fees collected",
              {"2021": (("t2", "fees", "amount"),)}, comparable=False,
              note="the 2019 template gives the number of fee items, not the amount"),
    Indicator("normative_docs_in_force", "count", "件", "现行有效行政规范性文件数", "Normative documents in force",
              {"2021": (("t2", "normative_docs", "in_force"),)}, comparable=False,
              note="the 2019 template gives documents published (对外公开总数量), not documents in force"),
)

_BY_NAME = {i.name: i for i in INDICATORS}

INDICATOR_COLUMNS = ["report_id", "organ_id", "agency", "year", "template", "indicator", "numerator",
                     "denominator", "value", "ci_low", "ci_high", "source", "conflict", "reason"]

_TABLE_NAMES = {"t2": "table 2", "t3": "table 3", "t4": "table 4"}


def _cells_text(cells: tuple[Cell, ...]) -> str:
    if not cells:
        return "–"
    table = cells[0][0]
    parts = [f"{r}/{c}" for _t, r, c in cells]
    return f"{table} " + " + ".join(parts)


def indicator_definitions():
    """The indicators as a frame: what each reads, per template, and whether 2019 and 2021 compare.

    ============= ======= =================================================================
    name          dtype   meaning
    ============= ======= =================================================================
    indicator     string  name (the ``indicator`` column of :func:`indicators`)
    kind          string  ``count``, ``amount`` (万元), ``rate`` (a proportion) or ``ratio``
    unit          string  件, 万元, share or per application
    zh, en        string  labels
    numerator     string  cells summed, 2021 template
    denominator   string  cells summed, 2021 template (``–`` for counts)
    in_2019       boolean the 2019 template has the cells
    comparable    boolean 2019 and 2021 values mean the same and may be pooled
    note          string  why not, or what differs
    ============= ======= =================================================================
    """
    import pandas as pd

    rows = []
    for ind in INDICATORS:
        rows.append({"indicator": ind.name, "kind": ind.kind, "unit": ind.unit, "zh": ind.zh, "en": ind.en,
                     "numerator": _cells_text(ind.numerator.get("2021", ())),
                     "denominator": _cells_text(ind.denominator.get("2021", ())),
                     "in_2019": "2019" in ind.numerator, "comparable": ind.comparable, "note": ind.note})
    frame = pd.DataFrame(rows)
    return frame.astype({c: "string" for c in ("indicator", "kind", "unit", "zh", "en", "numerator",
                                               "denominator", "note")} | {"in_2019": "boolean",
                                                                          "comparable": "boolean"})


# ------------------------------------------------------------------ the core

def _flag(value) -> bool | None:
    if _missing(value):
        return None
    return bool(value)


def _summary_template(template, year) -> str:
    """The template a report's row is summarised under: its own, else the one its year calls for."""
    t = None if _missing(template) else str(template)
    return t if t is not None else _effective_template(template, year)


def _effective_template(template, year) -> str:
    """Which template's keys to read: the report's own, else the one its year calls for."""
    t = None if _missing(template) else str(template)
    if t in ("2019", "2021"):
        return t
    if not _missing(year) and int(year) in (2019, 2020):
        return "2019"
    return "2021"


_NONE, _TABLE, _STATED = 0, 1, 2  # where an input cell's value came from


class _Cells:
    """Each report's value of each input cell, as arrays of reports (in output order) × cells.

    ``value`` (NaN when missing), ``missing``, ``source`` (:data:`_NONE`, :data:`_TABLE` or
    :data:`_STATED`), ``why`` (``"t3 granted/total: reason"`` where missing, else None) and
    ``conflict`` (a value read from the table that the report's own text contradicts, or that the
    template's identities tie to such a cell).  A cell is taken from the report's table where the
    report has the table, else from the number its text states (never to fill a table cell that
    could not be read).
    """

    def __init__(self, tables, statements, cells: list[Cell], rids, present):
        import numpy as np
        import pandas as pd

        n, m = len(rids), len(cells)
        report_of, uniq = pd.factorize(np.asarray(rids, dtype=object), use_na_sentinel=False)
        uniq = list(uniq)
        table_rids = _positions(tables["report_id"], uniq)
        # Table cells, on reports × cells (integer keys: no merge on text); a later row of a cell wins.
        at = _cell_positions(tables, cells)
        keep = np.flatnonzero((table_rids >= 0) & (at >= 0))
        keys = table_rids[keep] * m + at[keep]
        _, from_end = np.unique(keys[::-1], return_index=True)
        last = len(keys) - 1 - from_end
        keep, keys = keep[last], keys[last]
        size = len(uniq) * m
        t_value, t_found, t_status = np.full(size, np.nan), np.zeros(size, dtype=bool), np.full(size, None, dtype=object)
        values = tables["value"].iloc[keep].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        t_value[keys] = values
        t_found[keys] = True
        blank = np.isnan(values)  # only a missing value's status is read (it says why)
        if "status" in tables.columns and blank.any():
            t_status[keys[blank]] = [None if _missing(s) else str(s)
                                     for s in tables["status"].iloc[keep[blank]].astype(object)]
        # Stated numbers (the statements are few): count of distinct numbers, the number, the text.
        stated = _stated_values(statements)
        s_count, s_value = np.zeros(size, dtype=np.int64), np.full(size, np.nan)
        s_text = np.full(size, None, dtype=object)
        where_rid = {rid: i for i, rid in enumerate(uniq)}
        where_cell = {cell: i for i, cell in enumerate(cells)}
        for (rid, *cell), values in stated.items():
            r, c = where_rid.get(rid), where_cell.get(tuple(cell))
            if r is None or c is None:
                continue
            k = r * m + c
            s_count[k] = len(values)
            if len(values) == 1:
                s_value[k] = next(iter(values))
            else:
                s_text[k] = "the text states different numbers: " + ", ".join(f"{v:g}" for v in sorted(values))
        contra = np.zeros(size, dtype=bool)
        tied: dict[tuple, list[int]] = {}
        for c, cell in enumerate(cells):
            tied.setdefault(_tied(cell), []).append(c)
        for rid, *group in _contradicted_groups(tables, table_rids, stated, uniq):
            for c in tied.get(tuple(group), ()):
                contra[where_rid[rid] * m + c] = True

        def per_report(a):
            return a.reshape(len(uniq), m)[report_of]

        t_value, t_found, t_status = per_report(t_value), per_report(t_found), per_report(t_status)
        s_count, s_value, s_text, contra = per_report(s_count), per_report(s_value), per_report(s_text), per_report(contra)
        table_of = np.array([("t2", "t3", "t4").index(t) for t, _r, _c in cells], dtype=np.int64)
        p = present[:, table_of] if m else np.zeros((n, 0), dtype=np.int8)
        absent, unread, has = p == 0, p == -1, p == 1
        value = np.full((n, m), np.nan)
        missing = np.ones((n, m), dtype=bool)
        source = np.full((n, m), _NONE, dtype=np.int8)
        reason = np.full((n, m), None, dtype=object)
        # The table is absent: the stated number, if the text states one.
        one = absent & (s_count == 1)
        value[one], missing[one], source[one] = s_value[one], False, _STATED
        several = absent & (s_count > 1)
        source[several], reason[several] = _STATED, s_text[several]
        unsaid = absent & (s_count == 0)
        reason[unsaid] = np.broadcast_to(np.array(
            [f"{_TABLE_NAMES[t]} absent from the report and not stated in its text" for t, _r, _c in cells],
            dtype=object), (n, m))[unsaid]
        reason[unread] = "the report could not be read"
        # The table is there: its cell, or why it is missing.
        source[has] = _TABLE
        left_out = has & ~t_found
        reason[left_out] = np.broadcast_to(np.array(
            [f"row {r} is not in the report's {_TABLE_NAMES[t]}" for t, r, _c in cells], dtype=object), (n, m))[left_out]
        blank = has & t_found & np.isnan(t_value)
        reason[blank] = [s or "missing" for s in t_status[blank]]
        read = has & t_found & ~np.isnan(t_value)
        value[read], missing[read] = t_value[read], False
        self.value, self.missing, self.source = value, missing, source
        self.conflict = read & contra
        names = np.broadcast_to(np.array([f"{t} {r}/{c}: " for t, r, c in cells], dtype=object), (n, m))
        self.why = np.full((n, m), None, dtype=object)
        self.why[missing] = [a + b for a, b in zip(names[missing], reason[missing])]

    def sum(self, columns: list[int]):
        """Strict sum of the cells at *columns*, per report: (total, an input missing, a stated
        input, a table input, an input contradicted)."""
        import numpy as np

        n = self.value.shape[0]
        total = np.zeros(n)
        for c in columns:  # cell by cell, in order: the float sum of one cell after the other
            total = total + self.value[:, c]
        return (total, self.missing[:, columns].any(axis=1), (self.source[:, columns] == _STATED).any(axis=1),
                (self.source[:, columns] == _TABLE).any(axis=1), self.conflict[:, columns].any(axis=1))

    def reasons(self, i: int, columns: list[int]) -> list[str]:
        """Why the inputs at *columns* of report *i* are missing, in order."""
        return [w for w in self.why[i, columns] if w is not None]


def _positions(series, values: Sequence) -> Any:
    """Where each entry of *series* stands in *values* (distinct), -1 where it is not there
    (a categorical column is looked up by its categories, not entry by entry)."""
    import numpy as np
    import pandas as pd

    index = pd.Index(list(values), dtype=object)
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes, distinct = series.cat.codes.to_numpy(), series.cat.categories
    else:  # the distinct entries are few (a report's id repeats over its cells)
        codes, distinct = pd.factorize(series)
    # Code -1 (missing) takes the appended -1.
    return np.append(index.get_indexer(np.asarray(distinct, dtype=object)), -1)[codes]


def _cell_positions(frame, cells: Sequence[Cell]) -> Any:
    """Where each row's (table, row, column) stands in *cells* (distinct), -1 where it is not there."""
    import numpy as np

    parts = [sorted({c[k] for c in cells}) for k in range(3)]
    codes = [_positions(frame[name], values) for name, values in zip(("table", "row", "column"), parts)]
    sizes = [len(p) for p in parts]
    where = [{v: i for i, v in enumerate(p)} for p in parts]
    lut = np.full(max(1, sizes[0] * sizes[1] * sizes[2]), -1, dtype=np.int64)
    for i, (t, r, c) in enumerate(cells):
        lut[(where[0][t] * sizes[1] + where[1][r]) * sizes[2] + where[2][c]] = i
    out = np.full(len(frame), -1, dtype=np.int64)
    ok = (codes[0] >= 0) & (codes[1] >= 0) & (codes[2] >= 0)
    out[ok] = lut[(codes[0][ok] * sizes[1] + codes[1][ok]) * sizes[2] + codes[2][ok]]
    return out


def _stated_values(statements) -> dict[tuple, set[float]]:
    """The distinct numbers the text states about each (report_id, table, row, column)."""
    stated: dict[tuple, set[float]] = {}
    if statements is not None and len(statements):
        s = statements
        for rid, tab, row, col, value in zip(s["report_id"].astype(object), s["table"].astype(object),
                                             s["row"].astype(object), s["column"].astype(object),
                                             s["value"].astype("Float64").astype(object)):
            if not _missing(value):
                stated.setdefault((rid, tab, row, col), set()).add(float(value))
    return stated


def _contradicted_groups(tables, table_rids, stated: dict[tuple, set[float]], rids: list) -> set[tuple]:
    """The identity groups (``(report_id, *_tied(cell))``) of the reports *rids* in which a
    table cell is contradicted by the text; any stated cell counts, whether or not an indicator
    reads it.  *table_rids* is each table row's position in *rids*."""
    import numpy as np

    where = {rid: i for i, rid in enumerate(rids)}
    # A statement names its cell by three keys; one without them ties to no table cell.
    said = {(where[rid], tuple(cell)): values for (rid, *cell), values in stated.items()
            if rid in where and all(isinstance(k, str) for k in cell)}
    if not said:
        return set()
    cells = sorted({cell for _r, cell in said}, key=repr)
    number = {cell: i for i, cell in enumerate(cells)}
    at = _cell_positions(tables, cells)
    keys = np.where((table_rids >= 0) & (at >= 0), table_rids * len(cells) + at, -1)
    asked = np.array(sorted(r * len(cells) + number[cell] for r, cell in said), dtype=np.int64)
    hit = np.flatnonzero(np.isin(keys, asked))
    values = tables["value"].iloc[hit].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    groups: set[tuple] = set()
    for key, value in zip(keys[hit].tolist(), values.tolist()):
        r, c = divmod(key, len(cells))
        if value == value and any(value != s for s in said[(r, cells[c])]):
            groups.add((rids[r], *_tied(cells[c])))
    return groups


def _tied(cell: Cell) -> tuple:
    """The group of cells the template's sum identities tie *cell* to (a contradiction in one
    leaves every other cell of the group in doubt).

    Table 3: every cell — per column, 本年新收 + 上年结转 = 总计 + 结转下年度 and 总计 is the sum of
    the outcome rows; per row, 总计 is the sum of the applicant columns.  Table 4: the cells of one
    row (维持 + 纠正 + 其他 + 尚未审结 = 总计).  Table 2: the cell alone (no identity ties its cells).
    """
    table, row, col = cell
    if table == "t3":
        return (table,)
    if table == "t4":
        return (table, row)
    return (table, row, col)


@functools.lru_cache(maxsize=4096)
def _reason_text(why: tuple[str, ...], limit: int = 3) -> str:
    # Many cells often share one cause (a whole table absent): say it once.
    causes: dict[str, list[str]] = {}
    for w in why:
        cell, _, cause = w.partition(": ")
        causes.setdefault(cause, []).append(cell)
    parts = []
    for cause, cells in causes.items():
        shown = ", ".join(cells[:limit]) + (f" and {len(cells) - limit} more" if len(cells) > limit else "")
        parts.append(f"missing {shown} ({cause})")
    return "; ".join(parts)


def compute_indicators(reports, tables, statements=None, names: Sequence[str] | None = None):
    """The indicators of every report in *reports*: a pure function of the three frames.

    *reports* is ``load_reports()`` (needs report_id, agency, year, template,
    has_t2, has_t3, has_t4; organ_id if present), *tables* is ``load_tables()``
    (report_id, table, row, column, value, and status if present), *statements*
    is ``load_statements()`` or ``None``; *names* keeps only those indicators.
    None of the frames is changed.  The result is laid out as :func:`indicators`
    describes.
    """
    import numpy as np

    chosen = INDICATORS if names is None else tuple(get_indicator(n) for n in names)
    needed: dict[Cell, int] = {}
    for ind in chosen:
        for spec in (ind.numerator, ind.alternative, ind.denominator):
            for cells in spec.values():
                for cell in cells:
                    needed.setdefault(cell, len(needed))
    ordered = reports.sort_values("report_id", kind="stable")
    n, k = len(ordered), len(chosen)
    rids = ordered["report_id"].astype(object).to_numpy()
    templates = ordered["template"].astype(object).to_numpy()
    years = ordered["year"].astype(object).to_numpy()
    eff = np.array([_effective_template(t, y) for t, y in zip(templates, years)], dtype=object)
    present = np.array([[{None: -1, True: 1, False: 0}[_flag(h)] for h in ordered[c].astype(object)]
                        for c in ("has_t2", "has_t3", "has_t4")], dtype=np.int8).T.reshape(n, 3)
    cells = _Cells(tables, statements, list(needed), rids, present)

    def at(spec: tuple[Cell, ...]) -> list[int]:
        return [needed[c] for c in spec]

    shape = (n, k)
    numerator, denominator, value = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
    ci_low, ci_high = np.full(shape, np.nan), np.full(shape, np.nan)
    source = np.full(shape, -1, dtype=np.int8)  # codes of ("table", "stated")
    conflict = np.zeros(shape, dtype=bool)
    reason = np.full(shape, None, dtype=object)
    wilson: dict[tuple[float, float], tuple] = {}
    for j, ind in enumerate(chosen):
        for template in ("2021", "2019"):
            rows = eff == template
            if not rows.any():
                continue
            if template not in ind.numerator:
                reason[rows, j] = f"not comparable in the {template} template: {ind.note}"
                continue
            num_cells = at(ind.numerator[template])
            total, miss, stated, tabled, contra = cells.sum(num_cells)
            alt_cells = at(ind.alternative.get(template, ()))
            use_alt = np.zeros(n, dtype=bool)
            if template in ind.alternative:
                alt = cells.sum(alt_cells)
                use_alt = miss & ~alt[1]
                total, miss, stated, tabled, contra = (np.where(use_alt, a, b)
                                                       for a, b in zip(alt, (total, miss, stated, tabled, contra)))
            den_cells = at(ind.denominator.get(template, ()))
            if ind.denominator:
                den, den_miss, den_stated, den_tabled, den_contra = cells.sum(den_cells)
                stated, tabled, contra = stated | den_stated, tabled | den_tabled, contra | den_contra
            else:
                den, den_miss = np.full(n, np.nan), np.zeros(n, dtype=bool)
            source[rows, j] = np.where(stated, 1, np.where(tabled, 0, -1))[rows]
            conflict[rows, j] = contra[rows]
            why = miss | den_miss
            for i in np.flatnonzero(rows & why):
                said = cells.reasons(i, alt_cells if use_alt[i] else num_cells) + cells.reasons(i, den_cells)
                reason[i, j] = _reason_text(tuple(said))
            if not ind.denominator:
                value[rows, j] = np.where(why, np.nan, total)[rows]
                continue
            numerator[rows, j] = np.where(miss, np.nan, total)[rows]
            denominator[rows, j] = np.where(den_miss, np.nan, den)[rows]
            ok = rows & ~why
            zero = ok & (den == 0)
            reason[zero, j] = "denominator is 0: no case to divide by"
            ok &= ~zero
            if ind.kind == "rate":
                whole = np.isfinite(total) & (np.floor(total) == total) & np.isfinite(den) & (np.floor(den) == den)
                for i in np.flatnonzero(ok & ~whole):
                    reason[i, j] = f"numerator {total[i]:g} or denominator {den[i]:g} is not a whole count of cases"
                ok &= whole
                for i in np.flatnonzero(ok & (total > den)):
                    reason[i, j] = (f"numerator {total[i]:g} exceeds denominator {den[i]:g}: the report's own "
                                    "arithmetic is broken")
                ok &= ~(total > den)
            with np.errstate(divide="ignore", invalid="ignore"):
                value[ok, j] = (total / den)[ok]
            if ind.kind == "rate":  # a proportion; a ratio has no binomial interval
                for i in np.flatnonzero(ok):
                    pair = (float(total[i]), float(den[i]))
                    if pair not in wilson:
                        wilson[pair] = wilson_interval(*pair)
                    lo, hi = wilson[pair]
                    ci_low[i, j] = np.nan if lo is None else lo
                    ci_high[i, j] = np.nan if hi is None else hi
    return _typed(ordered, chosen, numerator, denominator, value, ci_low, ci_high, source, conflict, reason)


def _typed(ordered, chosen, numerator, denominator, value, ci_low, ci_high, source, conflict, reason):
    """The frame of the reports × indicators arrays: one row per report and indicator."""
    import numpy as np
    import pandas as pd

    n, k = len(ordered), len(chosen)
    each = np.repeat(np.arange(n), k)
    organ = ordered["organ_id"] if "organ_id" in ordered.columns else pd.Series(pd.NA, index=ordered.index)

    def text(series):
        return pd.array(series.astype(object).to_numpy(), dtype="string").take(each)

    names = [i.name for i in INDICATORS]
    frame = pd.DataFrame({
        "report_id": text(ordered["report_id"]),
        "organ_id": text(organ),
        "agency": text(ordered["agency"]),
        "year": pd.array(ordered["year"].astype(object).to_numpy(), dtype="Int64").take(each),
        "template": pd.Categorical([None if _missing(t) else str(t) for t in ordered["template"].astype(object)],
                                   categories=list(schema.TEMPLATES)).take(each),
        "indicator": pd.Categorical.from_codes(np.tile([names.index(i.name) for i in chosen], n).astype(np.int64),
                                               categories=names) if k else pd.Categorical([], categories=names),
        **{c: pd.array(a.ravel(), dtype="Float64") for c, a in (("numerator", numerator), ("denominator", denominator),
                                                                ("value", value), ("ci_low", ci_low),
                                                                ("ci_high", ci_high))},
        "source": pd.Categorical.from_codes(source.ravel(), categories=["table", "stated"]),
        "conflict": pd.array(conflict.ravel(), dtype="boolean"),
        "reason": pd.array(reason.ravel(), dtype="string"),
    }, columns=INDICATOR_COLUMNS)
    return frame


def indicators(corpus: str | os.PathLike | None = None, *, data_home: str | os.PathLike | None = None):
    """The field's indicators for every report of a corpus: one row per report and indicator.

    ``applications``; ``disclosure_rate``, ``full_disclosure_rate``,
    ``denial_rate``, ``unavailable_rate``, ``not_processed_rate``, ``other_rate``
    (outcomes of table 3 over (七)总计); ``refusals_legal_exemption``,
    ``refusals_factual_operational`` and ``refusals_legal_share`` (the refusal
    reasons split into legal exemptions and factual/operational reasons);
    ``reconsideration_correction_rate``, ``litigation_correction_rate`` (纠正 over
    decided cases), ``dispute_rate`` (复议 + 诉讼 cases per new application);
    ``licensing_decisions``, ``penalty_decisions``, ``coercion_decisions``,
    ``fees_amount`` and ``normative_docs_in_force`` (table 2).
    :func:`indicator_definitions` gives each one's cells and whether it compares
    across the 2019 and 2021 templates; the module docstring of
    :mod:`toolkit.analysis.indicator_frames` gives the full rules.

    Rules: a missing input cell gives ``value`` <NA> and a ``reason``, never 0; a
    denominator of 0 gives <NA>; proportions carry a Wilson 95% interval (the
    ratio ``dispute_rate`` none); an indicator
    the report's template lacks (2019: the factual refusals, fees, documents in
    force) is <NA> with the reason; when the report does not contain a table, a
    number its text states about the cell (``load_statements()``) is used and
    ``source`` says ``stated``.

    ============ ======== ========== =====================================================================
    name         dtype    unit       meaning
    ============ ======== ========== =====================================================================
    report_id    string              id from ``metadata.csv``
    organ_id     string              the organ, stable across years (``load_reports()``)
    agency       string              reporting organ
    year         Int64    year       report year
    template     category            ``2021``, ``2019``, ``pre-2019`` or <NA> (no table found)
    indicator    category            indicator name (:data:`INDICATORS` order)
    numerator    Float64  件          rates: the cases counted (<NA> for counts and amounts)
    denominator  Float64  件          rates: the cases they are counted among; <NA> for counts
    value        Float64  件/万元/share the count, the amount or the rate; <NA> when an input is
                                     missing, the denominator is 0 or the template lacks the cells
    ci_low       Float64  share      Wilson 95% interval of a proportion (<NA> for counts, for the ratio
                                     ``dispute_rate``, or when undefined)
    ci_high      Float64  share
    source       category            ``table`` (from ``load_tables()``) or ``stated`` (at least one input
                                     from ``load_statements()`` because the table is absent); <NA>
                                     when nothing was found
    conflict     boolean             an input cell read from the report's table is stated in its own
                                     text with a different number, or is tied to such a cell by the
                                     template's identities (the report contradicts itself)
    reason       string              why ``value`` is <NA> (cells and their status), else <NA>
    ============ ======== ========== =====================================================================

    Sorted by report_id, then indicator.  Every report listed in the corpus has
    its rows, readable or not.
    """
    from ..data.loaders import corpus_handle

    handle = corpus_handle(corpus, data_home)
    return compute_indicators(handle.load_reports(), handle.load_tables(), handle.load_statements())


#: Linked proportions (the first can never exceed the second on one report): a summary pools
#: each pair over the same reports, those where both are formed.
LINKED_RATES = (("full_disclosure_rate", "disclosure_rate"),)

#: ``by=`` names: a report column, or "organ" (organ_id, with the organ's latest name).
SUMMARY_BY = schema.SUMMARY_BY


def summarise_indicators(frame, by: str | None = "year", reports=None):
    """Indicators totalled per group of reports (year, organ, province, …) or over everything,
    with how many reports each rests on.

    *frame* is :func:`indicators`' frame (not changed); *by* is ``"year"``,
    ``"organ"``, any other report column (``"province"``, ``"city"``,
    ``"county"``, ``"admin_level"``, ``"sector"``, ``"template"``) or ``None``
    (one row per indicator, over all reports).  A report column the frame
    lacks is joined from *reports* (default: ``load_reports()`` of the shipped
    corpus or ``$XXGK_CORPUS``, which must list every report of *frame*).
    Counts and amounts are summed over the reports that have a value
    (:func:`~toolkit.analysis.aggregate`); proportions are pooled (Σ numerator
    / Σ denominator over the reports that have both,
    :func:`~toolkit.analysis.pooled_rate`) with a Wilson interval; the ratio
    ``dispute_rate`` is pooled the same way with no interval.  Linked rates
    (``full_disclosure_rate`` ≤ ``disclosure_rate``) are pooled over the same
    reports, those where both are formed, so the pair stays ordered.
    Indicators that do not compare across templates are kept apart per
    template; comparable ones have ``template`` ``all``.  (``by="template"``
    groups by the report's own template: 2019 and 2021 apart.)

    ============ ======== ================================================================
    name         dtype    meaning
    ============ ======== ================================================================
    *by*                  the group (``by="organ"``: ``organ_id`` and ``agency``, the organ's
                          name in its latest report)
    indicator    category indicator name
    template     string   ``all``, or ``2021``/``2019`` for indicators not comparable
    value        Float64  sum (counts, amounts) or pooled rate; <NA> when no report has it
    numerator    Float64  rates: Σ numerators of the reports used
    denominator  Float64  rates: Σ denominators of the reports used
    ci_low       Float64  proportions: Wilson 95% interval of the pooled rate (<NA> for ratios)
    ci_high      Float64
    n_reports    Int64    reports that contributed a value
    n_missing    Int64    reports whose value is <NA> (left out, never read as 0)
    n_stated     Int64    contributing reports (a rate's 0/0 included) whose value is stated in
                          the text, not tabled
    n_conflict   Int64    contributing reports whose value rests on a cell their own text
                          contradicts (``conflict``)
    ============ ======== ================================================================
    """
    import pandas as pd

    from .aggregation import aggregate, pooled_rate, with_report_columns

    if by is not None and by not in SUMMARY_BY:
        raise ValueError(f"summarise_indicators: by must be one of {', '.join(SUMMARY_BY)} or None, not {by!r}")
    key = {"organ": "organ_id"}.get(by, by)
    keys = [] if key is None else [key]
    work = frame.copy()
    if key is not None and key not in work.columns:
        if reports is None:
            from ..data import load_reports

            reports = load_reports()
        unknown = set(work["report_id"].dropna()) - set(reports["report_id"])
        if unknown:
            raise ValueError(f"summarise_indicators: by={by!r} needs the reports' {key}, and reports= does not "
                             f"list {len(unknown)} of the frame's reports (e.g. {sorted(unknown)[0]}); pass "
                             "reports=load_reports(corpus) for the corpus the frame came from")
        work = with_report_columns(work, keys, reports)
    if key == "template":
        work["_group_template"] = work["template"].astype("string")
        keys = ["_group_template"]
    comparable = {i.name: i.comparable for i in INDICATORS}
    # A report without tables (template <NA> or pre-2019) is read with its year's template keys.
    work["template"] = pd.array([
        "all" if comparable.get(str(ind), True) else _summary_template(t, y)
        for ind, t, y in zip(work["indicator"].astype(object), work["template"].astype(object),
                             work["year"].astype(object))], dtype="string")
    work["indicator"] = work["indicator"].astype("string")
    group = keys + ["indicator", "template"]
    kinds = {i.name: i.kind for i in INDICATORS}
    kind = work["indicator"].map(kinds)
    # A report contributes when it has a value, or, for a rate, when it has no case (0/0): the
    # pool counts it in n_reports, so its flags count too.
    no_case = (kind.isin(["rate", "ratio"]) & (work["numerator"] == 0) & (work["denominator"] == 0)).fillna(False)
    contributes = work["value"].notna() | no_case.astype(bool)
    work["_stated"] = (work["source"].astype("string") == "stated").fillna(False) & contributes
    conflict = work["conflict"] if "conflict" in work.columns else pd.Series(False, index=work.index)
    work["_conflict"] = conflict.fillna(False).astype(bool) & contributes
    parts = []
    is_count = ~kind.isin(["rate", "ratio"]).to_numpy(dtype=bool)
    if is_count.any():
        counts = aggregate(work.loc[is_count], "value", group, "sum")
        parts.append(counts[group + ["value", "n_reports", "n_missing"]])
    rates = without_unformed_rates(work.loc[(kind == "rate").to_numpy(dtype=bool)])
    for small, large in LINKED_RATES:
        formed = {n: set(rates.loc[(rates["indicator"] == n) & rates["denominator"].notna(), "report_id"])
                  for n in (small, large)}
        unpaired = rates["indicator"].isin([small, large]) & ~rates["report_id"].isin(formed[small] & formed[large])
        rates.loc[unpaired, ["numerator", "denominator"]] = pd.NA
        work.loc[rates.index[unpaired.to_numpy(dtype=bool)], ["_stated", "_conflict"]] = False
    if len(rates):
        parts.append(pooled_rate(rates, "numerator", "denominator", group))
    ratios = work.loc[(kind == "ratio").to_numpy(dtype=bool)]
    if len(ratios):
        parts.append(pooled_rate(without_unformed_rates(ratios), "numerator", "denominator", group, kind="ratio"))
    # No report at all: the group columns with their dtypes, so the merges below meet like types.
    out = pd.concat(parts, ignore_index=True) if parts else work[group].iloc[:0].reset_index(drop=True)
    flags = (work.groupby(group, dropna=False, observed=True)[["_stated", "_conflict"]].sum()
             .rename(columns={"_stated": "n_stated", "_conflict": "n_conflict"}).reset_index())
    out = out.merge(flags, on=group, how="left")
    for c in ("value", "numerator", "denominator", "ci_low", "ci_high", "n_reports", "n_missing"):
        if c not in out.columns:  # no rate (or no count, or no report at all) among the rows
            out[c] = pd.NA
    if key == "template":
        out = out.rename(columns={"_group_template": "report_template"})
        keys = ["report_template"]
    if by == "organ":
        latest = (frame.dropna(subset=["organ_id"]).sort_values(["organ_id", "year"], kind="stable")
                  .drop_duplicates("organ_id", keep="last")[["organ_id", "agency"]])
        out = out.merge(latest, on="organ_id", how="left")
        keys = ["organ_id", "agency"]
    order = {i.name: k for k, i in enumerate(INDICATORS)}
    out["_order"] = out["indicator"].map(order)
    out = out.sort_values(keys[:1] + ["_order", "template"], kind="stable", ignore_index=True)
    out = out.drop(columns="_order")
    out["indicator"] = pd.Categorical(out["indicator"], categories=[i.name for i in INDICATORS])
    columns = keys + ["indicator", "template", "value", "numerator", "denominator", "ci_low", "ci_high",
                      "n_reports", "n_missing", "n_stated", "n_conflict"]
    dtypes = {"value": "Float64", "numerator": "Float64", "denominator": "Float64", "ci_low": "Float64",
              "ci_high": "Float64", "n_reports": "Int64", "n_missing": "Int64", "n_stated": "Int64",
              "n_conflict": "Int64", "template": "string"}
    if by == "year":
        dtypes["year"] = "Int64"
    elif by == "organ":
        dtypes.update(organ_id="string", agency="string")
    elif key is not None:
        dtypes[keys[0]] = "string"
    return out[columns].astype(dtypes)


def get_indicator(name: str) -> Indicator:
    """The :class:`Indicator` called *name*; ``KeyError`` lists the names."""
    if name not in _BY_NAME:
        raise KeyError(f"unknown indicator {name!r}; indicators: {', '.join(_BY_NAME)}")
    return _BY_NAME[name]
