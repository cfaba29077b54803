"""Which reports a reader means: an organ named by its id or its name, a province, a year."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .aggregation import is_missing as _is_na

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["OrganNotFound", "AmbiguousOrgan", "resolve_organ", "select_reports"]


class OrganNotFound(ValueError):
    """``--organ`` names no organ of the corpus."""


class AmbiguousOrgan(ValueError):
    """``--organ`` matches more than one organ; ``candidates`` lists them as (organ_id, name)."""

    def __init__(self, message: str, candidates: list[tuple[str, str]]):
        super().__init__(message)
        self.candidates = candidates


def resolve_organ(reports: "pd.DataFrame", organ: str) -> str:
    """The ``organ_id`` that *organ* names in *reports* (``load_reports()``): an organ_id, an
    organ's exact name, or a part of exactly one organ's name.

    Raises :class:`AmbiguousOrgan` (with the candidates) when it matches more than one organ and
    :class:`OrganNotFound` when it matches none.
    """
    ids = reports["organ_id"].astype("string")
    names = reports["agency"].astype("string")
    if organ in set(ids.dropna()):
        return organ
    pairs = sorted({(str(i), str(n)) for i, n in zip(ids, names) if not _is_na(i) and not _is_na(n)})
    for match in ([p for p in pairs if p[1] == organ], [p for p in pairs if organ in p[1]]):
        found = sorted({i for i, _n in match})
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            candidates = [(i, n) for i, n in match]
            raise AmbiguousOrgan(f"{organ!r} matches {len(found)} organs: "
                                 + "; ".join(f"{n} ({i})" for i, n in candidates), candidates)
    import difflib

    near = difflib.get_close_matches(organ, sorted({n for _i, n in pairs}), n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(near)}?" if near else ""
    raise OrganNotFound(f"no organ named {organ!r} in the corpus{hint} "
                        "(give an organ_id or a name from load_reports())")


def select_reports(reports: "pd.DataFrame", *, organ: str | None = None, province: str | None = None,
                   year: int | None = None) -> tuple[list[str], str, str]:
    """(report ids, Chinese label, English label) of the reports of one organ, province and/or year.

    *organ* as :func:`resolve_organ` takes it; *province* the province's full name (河北省) or a
    part of exactly one province's name.  Raises ``ValueError`` naming what matched nothing.
    """
    keep = reports["report_id"].notna()
    zh, en = [], []
    if organ is not None:
        organ_id = resolve_organ(reports, organ)
        keep &= (reports["organ_id"].astype("string") == organ_id).fillna(False)
        latest = reports[keep].sort_values("year", na_position="first")["agency"].dropna()
        name = str(latest.iloc[-1]) if len(latest) else organ_id
        zh.append(name)
        en.append(name)
    if province is not None:
        provinces = sorted(set(reports["province"].dropna().astype(str)))
        matched = [p for p in provinces if p == province] or [p for p in provinces if province in p]
        if len(matched) != 1:
            raise ValueError(f"--province {province!r} matches {'no province' if not matched else ', '.join(matched)}"
                             f" of the corpus (provinces: {', '.join(provinces) or 'none'})")
        keep &= (reports["province"].astype("string") == matched[0]).fillna(False)
        zh.append(matched[0])
        en.append(matched[0])
    if year is not None:
        keep &= (reports["year"] == year).fillna(False)
        zh.append(f"{year}年")
        en.append(str(year))
    ids = sorted(reports.loc[keep, "report_id"].astype(str))
    if not ids:
        raise ValueError("no report of the corpus matches " + "，".join(zh))
    return ids, "，".join(zh), ", ".join(en)
