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

from .indicators import INDICATORS

__all__ = ["panel_frame", "load_panel", "PANEL_KEYS"]

PANEL_KEYS = ["organ_id", "agency", "year", "report_id", "n_reports", "has_report", "template", "stated"]


def panel_frame(indicator_frame):
    """The panel of an :func:`~toolkit.analysis.indicators` frame (not changed); see :func:`load_panel`."""
    import pandas as pd

    names = [i.name for i in INDICATORS]
    frame = indicator_frame.dropna(subset=["organ_id", "year"])
    frame = frame.assign(indicator=frame["indicator"].astype("string"))
    rows: dict[tuple[str, int], dict] = {}
    for (oid, year), part in frame.groupby(["organ_id", "year"], sort=True, observed=True):
        ids = sorted(part["report_id"].dropna().astype(str).unique())
        row = {"organ_id": oid, "year": int(year), "report_id": "+".join(ids), "n_reports": len(ids),
               "has_report": True, "agency": part["agency"].dropna().astype(str).iloc[0]
               if part["agency"].notna().any() else None}
        templates = sorted(part["template"].dropna().astype(str).unique())
        row["template"] = "+".join(templates) if templates else None
        stated = []
        for name, values in part.groupby("indicator", sort=False, observed=True):
            got = values["value"].astype("Float64")
            distinct = set(float(v) for v in got.dropna())
            # Two reports of one organ and year: keep a value only when they agree and none lacks it.
            ok = len(distinct) == 1 and got.notna().all()
            row[name] = distinct.pop() if ok else None
            if ok and (values["source"].astype("string") == "stated").any():
                stated.append(name)
        row["stated"] = ",".join(n for n in names if n in stated) or None
        rows[(oid, int(year))] = row
    # Gap years between an organ's first and last report.
    by_organ: dict[str, list[int]] = {}
    for oid, year in rows:
        by_organ.setdefault(oid, []).append(year)
    for oid, years in by_organ.items():
        latest_name = rows[(oid, max(years))]["agency"]
        for year in range(min(years), max(years) + 1):
            if (oid, year) not in rows:
                rows[(oid, year)] = {"organ_id": oid, "year": year, "report_id": None, "n_reports": 0,
                                     "has_report": False, "agency": latest_name, "template": None,
                                     "stated": None}
    records = [rows[k] for k in sorted(rows)]
    out = pd.DataFrame(records, columns=PANEL_KEYS + names)
    out = out.astype({"organ_id": "string", "agency": "string", "year": "Int64", "report_id": "string",
                      "n_reports": "Int64", "has_report": "boolean", "template": "string", "stated": "string",
                      **{n: "Float64" for n in names}})
    changes = {}
    previous = out.groupby("organ_id", sort=False).shift(1)
    consecutive = (out["year"] - previous["year"]) == 1
    for n in names:
        change = out[n] - previous[n]
        changes[f"{n}_change"] = change.where(consecutive.fillna(False), pd.NA).astype("Float64")
    out = pd.concat([out, pd.DataFrame(changes, index=out.index)], axis=1)
    return out.reset_index(drop=True)


def load_panel(corpus: str | os.PathLike | None = None):
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
    from .indicators import indicators

    return panel_frame(indicators(corpus))
