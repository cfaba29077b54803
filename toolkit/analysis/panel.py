"""An organ × year panel: each organ's indicators year by year, and how they changed.

``load_panel(corpus)`` turns :func:`~toolkit.analysis.indicators` into one row
per organ (``organ_id``, stable across years and renamings) and year.  Gaps are
kept as gaps: every year between an organ's first and last report has a row,
and a year without a report has ``has_report`` false and every value <NA>; a
year-on-year change is computed only between two consecutive years that both
have the value.  Nothing is interpolated or carried forward.
"""
from __future__ import annotations

import os

from .indicator_frames import INDICATORS

__all__ = ["panel_frame", "load_panel", "PANEL_KEYS"]

PANEL_KEYS = ["organ_id", "agency", "year", "report_id", "n_reports", "has_report", "template", "stated"]


def panel_frame(indicator_frame):
    """The panel of an :func:`~toolkit.analysis.indicators` frame (not changed); see :func:`load_panel`."""
    import pandas as pd

    names = [i.name for i in INDICATORS]
    frame = indicator_frame.dropna(subset=["organ_id", "year"])
    keys = ["organ_id", "year"]
    work = pd.DataFrame({"organ_id": frame["organ_id"].astype("string").to_numpy(),
                         "year": frame["year"].astype("Int64").to_numpy(),
                         "indicator": frame["indicator"].astype("string").to_numpy(),
                         "value": frame["value"].astype("Float64").to_numpy(),
                         "stated": (frame["source"].astype("string") == "stated").fillna(False).to_numpy(bool)})
    cell = work.groupby(keys + ["indicator"], sort=True, observed=True)
    # Two reports of one organ and year: a value is kept only when they agree and none lacks it.
    agg = pd.DataFrame({"first": cell["value"].first(), "present": cell["value"].count(), "rows": cell.size(),
                        "distinct": cell["value"].nunique(), "stated": cell["stated"].any()})
    agree = (agg["present"] == agg["rows"]) & (agg["distinct"] == 1)
    agg["kept"] = agg["first"].where(agree, pd.NA)
    values = agg["kept"].unstack("indicator").reindex(columns=names)
    stated_flags = (agg["stated"] & agree).unstack("indicator").reindex(columns=names).fillna(False)
    stated = pd.Series([",".join(n for n, flag in zip(names, row) if flag) or None
                        for row in stated_flags.to_numpy(dtype=bool)], index=stated_flags.index, dtype="string")
    reports = frame.drop_duplicates("report_id")
    meta_cols = pd.DataFrame({"organ_id": reports["organ_id"].astype("string").to_numpy(),
                              "year": reports["year"].astype("Int64").to_numpy(),
                              "report_id": reports["report_id"].astype("string").to_numpy(),
                              "agency": reports["agency"].astype("string").to_numpy(),
                              "template": reports["template"].astype("string").to_numpy()})
    by = meta_cols.sort_values("report_id", kind="stable").groupby(keys, sort=True)
    meta = pd.DataFrame({
        "report_id": by["report_id"].agg(lambda s: "+".join(s)),
        "n_reports": by.size(),
        "agency": by["agency"].first(),
        "template": by["template"].agg(lambda s: "+".join(sorted(set(s.dropna()))) or None),
    })
    out = meta.join(values, how="left")
    out["stated"] = stated.reindex(out.index)
    out["has_report"] = True
    # Gap years between an organ's first and last report: rows with no report and no value.
    span = out.reset_index().groupby("organ_id")["year"].agg(["min", "max"])
    full = pd.MultiIndex.from_tuples(
        [(oid, y) for oid, lo, hi in zip(span.index, span["min"], span["max"]) for y in range(int(lo), int(hi) + 1)],
        names=keys)
    out = out.reindex(full)
    gap = out["has_report"].isna().to_numpy()
    out["has_report"] = ~gap
    out["n_reports"] = out["n_reports"].fillna(0)
    latest = out["agency"].groupby(level="organ_id").transform("last")  # a gap year takes the latest name
    out["agency"] = out["agency"].where(~gap, latest)
    out = out.reset_index()
    out = out[PANEL_KEYS + names].astype({"organ_id": "string", "agency": "string", "year": "Int64",
                                         "report_id": "string", "n_reports": "Int64", "has_report": "boolean",
                                         "template": "string", "stated": "string",
                                         **{n: "Float64" for n in names}})
    previous = out.groupby("organ_id", sort=False)[["year", *names]].shift(1)
    consecutive = ((out["year"] - previous["year"]) == 1).fillna(False).to_numpy(dtype=bool)
    changes = {f"{n}_change": (out[n] - previous[n]).where(consecutive, pd.NA).astype("Float64") for n in names}
    out = pd.concat([out, pd.DataFrame(changes, index=out.index)], axis=1)
    return out.reset_index(drop=True)


def load_panel(corpus: str | os.PathLike | None = None, *, data_home: str | os.PathLike | None = None):
    """One row per organ and year: the main values and indicators, and their year-on-year change.

    Built from :func:`~toolkit.analysis.indicators` (the values and the rules
    for missing inputs are the same).  Every year between an organ's first and
    last report has a row; a year without a report is a gap (``has_report``
    false, values <NA>), never filled.  Reports without an agency have no
    organ and are left out.

    ======================= ======== ========== =========================================================
    name                    dtype    unit       meaning
    ======================= ======== ========== =========================================================
    organ_id                string              the organ (``load_reports()``), stable across years
    agency                  string              its name that year (latest name for a gap year)
    year                    Int64    year       report year
    report_id               string              the report (several joined by ``+``); <NA> for a gap
    n_reports               Int64    count      reports of this organ and year (0 for a gap)
    has_report              boolean             false for a gap year
    template                string              the report's template (``2021``, ``2019``, ``pre-2019``)
    stated                  string              indicators whose value is stated in the text, not tabled
                                                (comma-separated; see ``indicators()``'s ``source``)
    applications …          Float64  件/share   one column per indicator, in ``INDICATORS`` order
    normative_docs_in_force                     (value as in ``indicators()``; with two reports for one
                                                organ and year, kept only when they agree)
    <indicator>_change      Float64  件/share   value minus the previous year's; <NA> unless both
                                                years are present and consecutive (rates: difference
                                                of proportions, not percent change)
    ======================= ======== ========== =========================================================

    Sorted by organ_id, then year.
    """
    from .indicator_frames import indicators

    return panel_frame(indicators(corpus, data_home=data_home))
