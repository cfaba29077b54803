"""Totals and averages across reports that say how many reports they rest on.

A value the parser could not read is ``<NA>``; a table a report does not
contain is ``<NA>`` too.  pandas' ``sum()`` reads both as 0, which turns "we do
not know" into "none".  Everything in the toolkit that totals or averages
across reports (notebooks, charts, ``xxgk indicators --by``) goes through
:func:`aggregate` or :func:`pooled_rate` instead:

* a missing value is left out, never read as 0, and counted;
* each result says how many reports contributed a value (``n_reports``) and
  how many had a value missing (``n_missing``);
* a group with no value at all gives ``<NA>``, not 0;
* a rate of 0 cases (denominator 0) is ``<NA>``, not 0 or inf.

Rates carry a Wilson score interval (:func:`wilson_interval`), which behaves
well for small counts and for rates of 0 or 1, where the usual normal
approximation gives intervals of width 0.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from ..stats import Z95, check_counts, is_missing, wilson_interval

__all__ = ["aggregate", "pooled_rate", "largest_contributor", "wilson_interval", "rate_text", "Z95", "HOW",
           "SMALL_N", "is_missing", "without_unformed_rates", "check_counts", "with_report_columns"]

#: Below this many cases a rate is flagged as resting on a small number (:func:`rate_text`).
SMALL_N = 30

#: What :func:`aggregate` can compute per group.
HOW = ("sum", "mean", "median", "min", "max")


def without_unformed_rates(rates):
    """A copy of indicator rows in which a rate that could not be formed (its ``value`` missing
    while it is not 0/0: an input missing, or the report's arithmetic broken, numerator over
    denominator, a denominator of 0 included) has its numerator and denominator blanked, so that
    :func:`pooled_rate` leaves it out.  A report with 0 cases (0/0) stays in: it adds nothing
    to either sum."""
    import pandas as pd

    out = rates.copy()
    # 0/0 is a report with no case; k/0 with k above 0 is arithmetic the report broke.
    no_case = ((out["denominator"] == 0) & (out["numerator"] == 0)).fillna(False)
    unformed = out["value"].isna() & ~no_case
    out.loc[unformed, ["numerator", "denominator"]] = pd.NA
    return out


def rate_text(numerator, denominator, small_n: int = SMALL_N) -> str:
    """A rate as prose: ``"25% (95% CI 9–53%; 3 of 12 cases; small n)"``.

    The interval is Wilson's (:func:`wilson_interval`); ``small n`` is added
    below *small_n* cases.  A rate that cannot be formed says why:
    ``"n/a (no case)"`` for a denominator of 0, ``"n/a (missing)"`` when
    either number is missing.
    """
    try:
        k, n = float(numerator), float(denominator)
    except (TypeError, ValueError):  # None, pandas NA
        return "n/a (missing)"
    if math.isnan(k) or math.isnan(n):
        return "n/a (missing)"
    if n == 0:
        return "n/a (no case)"
    cases = f"{k:,.0f} of {n:,.0f} cases"
    if k > n:
        return f"{k / n:.0%} ({cases}; no interval: more cases counted than the total)"
    low, high = wilson_interval(k, n)
    note = "; small n" if n < small_n else ""
    return f"{k / n:.0%} (95% CI {low:.0%}–{high:.0%}; {cases}{note})"


def _keys(by) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def _check(frame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"aggregate: the frame has no column(s) {', '.join(missing)}; a report column "
                       "(province, city, admin_level, sector, …) is joined from reports= (load_reports())")


def with_report_columns(frame, keys: Sequence[str], reports=None, unit: str = "report_id"):
    """*frame*, or a copy with the *keys* it lacks joined from *reports* (``load_reports()``) on
    *unit*, so that ``by=`` can name any report column (province, city, admin_level, sector …).
    *frame* is not changed; without *reports* or a missing key it is returned as it is."""
    wanted = [k for k in keys if k not in frame.columns]
    if not wanted or reports is None or unit not in frame.columns or unit not in reports.columns:
        return frame
    have = [k for k in wanted if k in reports.columns]
    if not have:
        return frame
    extra = reports[[unit, *have]].drop_duplicates(unit)
    out = frame.merge(extra, on=unit, how="left", validate="many_to_one")
    out.index = frame.index
    return out


def aggregate(frame, value: str = "value", by: str | Sequence[str] | None = None, how: str = "sum",
              unit: str = "report_id", reports=None):
    """*how* of *value* per group of *by*, leaving missing values out and counting them.

    *frame* holds one row per observation (one report's value, or one cell of
    ``load_tables()``); *unit* names the column that identifies a report, so
    that ``n_reports`` counts reports, not rows.  *by* is a column name, a list
    of them, or ``None`` for one total.  Returns a new frame (*frame* is not
    changed), one row per group, sorted by *by*:

    ============== ======= ===================================================================
    name           dtype   meaning
    ============== ======= ===================================================================
    *by* columns           the group
    value          Float64 *how* of the values present; <NA> when no value is present
    n_reports      Int64   reports that contributed at least one value
    n_missing      Int64   reports with at least one value missing (left out, not read as 0)
    n_values       Int64   values used
    n_values_missing Int64 values missing
    complete       boolean no value of the group is missing
    ============== ======= ===================================================================

    A report with some values present and some missing counts in both
    ``n_reports`` and ``n_missing``: the total is a lower bound then, and
    ``complete`` says so.  *by* may name a report column the frame lacks
    (province, city, admin_level, sector …): it is joined from *reports*
    (``load_reports()``) on *unit*.
    """
    import pandas as pd

    if how not in HOW:
        raise ValueError(f"aggregate: how must be one of {', '.join(HOW)}, not {how!r}")
    keys = _keys(by)
    frame = with_report_columns(frame, keys, reports, unit)
    _check(frame, [value, *keys] + ([unit] if unit else []))
    values = pd.to_numeric(frame[value], errors="raise").astype("Float64")
    present = values.notna()
    work = pd.DataFrame({k: frame[k].to_numpy() for k in keys}, index=frame.index)
    work["_v"] = values
    work["_present"] = present
    work["_unit"] = frame[unit].to_numpy() if unit else range(len(frame))
    if not keys:
        work["_all"] = 0
        keys_used = ["_all"]
    else:
        keys_used = keys
    groups = work.groupby(keys_used, sort=True, dropna=False, observed=True)
    got = work.loc[present].groupby(keys_used, sort=True, dropna=False, observed=True)
    out = groups.size().to_frame("_rows")
    stat = getattr(got["_v"], how)()
    out["value"] = stat.reindex(out.index).astype("Float64")
    out["n_reports"] = got["_unit"].nunique().reindex(out.index).fillna(0).astype("Int64")
    missing = work.loc[~present].groupby(keys_used, sort=True, dropna=False, observed=True)
    out["n_missing"] = missing["_unit"].nunique().reindex(out.index).fillna(0).astype("Int64")
    out["n_values"] = got.size().reindex(out.index).fillna(0).astype("Int64")
    out["n_values_missing"] = (out["_rows"] - out["n_values"]).astype("Int64")
    out["complete"] = (out["n_values_missing"] == 0).astype("boolean")
    out = out.drop(columns="_rows").reset_index()
    if not keys:
        out = out.drop(columns="_all")
    return out


def pooled_rate(frame, numerator: str = "numerator", denominator: str = "denominator",
                by: str | Sequence[str] | None = None, unit: str = "report_id", z: float = Z95,
                reports=None, kind: str = "rate"):
    """Pooled rate Σ numerator / Σ denominator per group, over reports that have both.

    A report counts only when its numerator and its denominator are both
    present (a report missing either is counted in ``n_missing`` and left
    out of both sums, so the rate never mixes reports).  Returns a new frame,
    one row per group:

    ============ ======= ====================================================================
    name         dtype   meaning
    ============ ======= ====================================================================
    *by* columns         the group
    numerator    Float64 Σ numerators of the reports used
    denominator  Float64 Σ denominators of the reports used
    value        Float64 numerator / denominator; <NA> when the denominator is 0 or no
                         report has both
    ci_low       Float64 Wilson 95% interval (<NA> when undefined, e.g. numerator > denominator)
    ci_high      Float64
    n_reports    Int64   reports used
    n_missing    Int64   reports left out because the numerator or denominator is missing
    ============ ======= ====================================================================

    *kind* ``"rate"`` (a proportion, the default): every row must be a whole,
    non-negative count with numerator ≤ denominator, else ``ValueError`` names
    the row.  ``"ratio"`` (e.g. ``dispute_rate``): no such check and no
    interval (``ci_low``/``ci_high`` <NA>).  *by* may name a report column the
    frame lacks; it is joined from *reports* (``load_reports()``) on *unit*.
    """
    import pandas as pd

    if kind not in ("rate", "ratio"):
        raise ValueError(f"pooled_rate: kind must be 'rate' or 'ratio', not {kind!r}")
    keys = _keys(by)
    frame = with_report_columns(frame, keys, reports, unit)
    _check(frame, [numerator, denominator, *keys] + ([unit] if unit else []))
    num = pd.to_numeric(frame[numerator]).astype("Float64")
    den = pd.to_numeric(frame[denominator]).astype("Float64")
    both = (num.notna() & den.notna()).to_numpy(dtype=bool)
    if kind == "rate":
        import numpy as np

        # Checked on arrays (a corpus has tens of thousands of rows); the first bad row is named.
        ks = num.to_numpy(dtype="float64", na_value=np.nan)[both]
        ns = den.to_numpy(dtype="float64", na_value=np.nan)[both]
        bad = np.flatnonzero((ks < 0) | (ns < 0) | (ks % 1 != 0) | (ns % 1 != 0) | (ks > ns))
        if len(bad):
            i = int(bad[0])
            label = frame[unit].to_numpy()[both][i] if unit else i
            check_counts(num.to_numpy(dtype=object)[both][i], den.to_numpy(dtype=object)[both][i],
                         f"pooled_rate ({label})")
    work = pd.DataFrame({k: frame[k].to_numpy() for k in keys}, index=frame.index)
    work["_num"], work["_den"], work["_both"] = num, den, both
    work["_unit"] = frame[unit].to_numpy() if unit else range(len(frame))
    keys_used = keys or ["_all"]
    if not keys:
        work["_all"] = 0
    groups = work.groupby(keys_used, sort=True, dropna=False, observed=True)
    used = work.loc[both].groupby(keys_used, sort=True, dropna=False, observed=True)
    out = groups.size().to_frame("_rows")
    out["numerator"] = used["_num"].sum().reindex(out.index).astype("Float64")
    out["denominator"] = used["_den"].sum().reindex(out.index).astype("Float64")
    out["n_reports"] = used["_unit"].nunique().reindex(out.index).fillna(0).astype("Int64")
    left = work.loc[~both].groupby(keys_used, sort=True, dropna=False, observed=True)
    out["n_missing"] = left["_unit"].nunique().reindex(out.index).fillna(0).astype("Int64")
    values: list[Any] = []
    lows: list[Any] = []
    highs: list[Any] = []
    for k, n in zip(out["numerator"], out["denominator"]):
        if k is pd.NA or n is pd.NA or n == 0:
            values.append(None), lows.append(None), highs.append(None)
            continue
        values.append(float(k) / float(n))
        lo, hi = wilson_interval(k, n, z) if kind == "rate" else (None, None)
        lows.append(lo), highs.append(hi)
    out["value"] = pd.array(values, dtype="Float64")
    out["ci_low"] = pd.array(lows, dtype="Float64")
    out["ci_high"] = pd.array(highs, dtype="Float64")
    out = out.drop(columns="_rows").reset_index()
    if not keys:
        out = out.drop(columns="_all")
    cols = keys + ["numerator", "denominator", "value", "ci_low", "ci_high", "n_reports", "n_missing"]
    return out[cols]


def _interval(k: float, n: float, z: float):
    """Wilson interval where one can be formed (a proportion), else none (a ratio, k > n)."""
    if k < 0 or k > n or not float(k).is_integer() or not float(n).is_integer():
        return None, None
    return wilson_interval(k, n, z)


def largest_contributor(frame, numerator: str = "numerator", denominator: str = "denominator",
                        by: str | Sequence[str] | None = None, unit: str = "report_id", z: float = Z95):
    """How far a pooled rate rests on one report: the rate with and without the report with the most
    cases, and the spread of the reports' own rates.

    A pooled rate (Σ numerator / Σ denominator, :func:`pooled_rate`) weighs each
    report by its cases, so one large report can make it; and its Wilson
    interval treats every case as independent, which cases of one organ in one
    year are not.  This puts beside it what a reader needs to judge it.  Units
    (reports) count as in :func:`pooled_rate`: a unit is used when every one of
    its rows has both numbers; a unit with no case (denominator 0) adds
    nothing.  Leave out rates that could not be formed (e.g. rows of
    ``indicators()`` whose value is <NA> with a denominator above 0, where the
    report's own arithmetic is broken) before calling it.  Returns a new frame
    (*frame* is not changed), one row per group of *by* (one row when *by* is
    ``None``):

    =================== ======= =============================================================
    name                dtype   meaning
    =================== ======= =============================================================
    *by* columns                the group
    n_reports           Int64   units with at least one case (both numbers, denominator > 0)
    n_zero              Int64   units with both numbers and no case (denominator 0)
    n_missing           Int64   units left out: a numerator or denominator missing
    numerator           Float64 Σ numerators of the units used
    denominator         Float64 Σ denominators of the units used
    value               Float64 the pooled rate; <NA> without a case
    ci_low, ci_high     Float64 its Wilson interval (<NA> for a ratio whose numerator exceeds
                                its denominator)
    largest             string  the unit with the most cases (ties: the first in sorted order)
    largest_numerator   Float64 its numerator
    largest_denominator Float64 its denominator
    largest_share       Float64 its share of the pooled denominator
    rest_numerator      Float64 Σ numerators of the other units
    rest_denominator    Float64 Σ denominators of the other units
    rest_value          Float64 the pooled rate without the largest unit; <NA> when no other
                                unit has a case
    rest_ci_low         Float64 its Wilson interval
    rest_ci_high        Float64
    median              Float64 median of the units' own rates (units with a case)
    min, max            Float64 the lowest and highest of those rates
    n_conflict          Int64   units used whose rows carry ``conflict`` (the report's text
                                contradicts a cell the rate rests on, :func:`indicators`);
                                <NA> when *frame* has no ``conflict`` column
    =================== ======= =============================================================
    """
    import pandas as pd

    keys = _keys(by)
    _check(frame, [numerator, denominator, *keys] + ([unit] if unit else []))
    num = pd.to_numeric(frame[numerator]).astype("Float64")
    den = pd.to_numeric(frame[denominator]).astype("Float64")
    work = pd.DataFrame({k: frame[k].to_numpy() for k in keys}, index=frame.index)
    work["_unit"] = frame[unit].astype("string").to_numpy() if unit else [str(i) for i in range(len(frame))]
    work["_num"], work["_den"] = num, den
    work["_both"] = (num.notna() & den.notna()).to_numpy(dtype=bool)
    flagged = "conflict" in frame.columns
    work["_conflict"] = (frame["conflict"].astype("boolean").fillna(False).to_numpy(dtype=bool) if flagged
                         else False)
    per_unit = work.groupby(keys + ["_unit"], sort=True, dropna=False, observed=True).agg(
        _num=("_num", "sum"), _den=("_den", "sum"), _both=("_both", "all"),
        _conflict=("_conflict", "any")).reset_index()
    rows = []
    groups = per_unit.groupby(keys, sort=True, dropna=False, observed=True) if keys else [((), per_unit)]
    for key, part in groups:
        used = part[part["_both"]]
        cases = used[used["_den"] > 0]
        k, n = float(used["_num"].sum()), float(used["_den"].sum())
        row: dict[str, Any] = dict(zip(keys, key if isinstance(key, tuple) else (key,)))
        row.update(n_reports=len(cases), n_zero=int((used["_den"] == 0).sum()),
                   n_missing=int((~part["_both"]).sum()),
                   numerator=k if len(used) else None, denominator=n if len(used) else None,
                   n_conflict=int(used["_conflict"].sum()) if flagged else None)
        if n > 0:
            row["value"] = k / n
            row["ci_low"], row["ci_high"] = _interval(k, n, z)
            top = cases.sort_values(["_den", "_unit"], ascending=[False, True], kind="stable").iloc[0]
            rk, rn = k - float(top["_num"]), n - float(top["_den"])
            own = (cases["_num"] / cases["_den"]).astype(float)
            row.update(largest=str(top["_unit"]), largest_numerator=float(top["_num"]),
                       largest_denominator=float(top["_den"]), largest_share=float(top["_den"]) / n,
                       rest_numerator=rk, rest_denominator=rn,
                       median=float(own.median()), min=float(own.min()), max=float(own.max()))
            if rn > 0:
                row["rest_value"] = rk / rn
                row["rest_ci_low"], row["rest_ci_high"] = _interval(rk, rn, z)
        rows.append(row)
    floats = ["numerator", "denominator", "value", "ci_low", "ci_high", "largest_numerator", "largest_denominator",
              "largest_share", "rest_numerator", "rest_denominator", "rest_value", "rest_ci_low", "rest_ci_high",
              "median", "min", "max"]
    cols = keys + ["n_reports", "n_zero", "n_missing"] + floats[:5] + ["largest"] + floats[5:] + ["n_conflict"]
    out = pd.DataFrame(rows, columns=cols)
    out["n_conflict"] = pd.array(out["n_conflict"].tolist(), dtype="Int64")
    types = {c: "Float64" for c in floats} | {c: "Int64" for c in ("n_reports", "n_zero", "n_missing",
                                                                   "n_conflict")}
    types["largest"] = "string"
    for c in floats:  # None -> <NA> before the cast (object columns of floats and None)
        out[c] = pd.array([None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)
                           for v in out[c]], dtype="Float64")
    return out.astype(types)
