"""Organ identity: one id for the same administrative organ in every year it reports.

An organ's reports name it in slightly different ways from year to year
(``重庆市开州区民政局`` and ``开州区民政局``; ``河北省科技厅`` and
``河北省科学技术厅``; a 2018 renaming such as ``环境保护局`` → ``生态环境局``).
:func:`organ_id` maps all of them to one stable id, ``"<adcode>:<name>"``, e.g.
``"500154:开州区民政局"``:

1. the name is normalised: NFKC (full-width letters and digits made
   half-width), whitespace and the brackets' content-free spacing removed;
2. the names of the divisions above the organ's own (province, city) are
   dropped from the front when the organ's own division name follows them
   (``威海市文登区民政局`` → ``文登区民政局``); the six-digit *adcode* in the
   id keeps organs of different places apart, so nothing is lost;
3. the alias table ``toolkit/resources/organ_aliases.csv`` is applied: rows
   with ``match`` = ``suffix`` rewrite the end of a name (renamings of the 2018
   institutional reform, short forms such as 科技厅), rows with ``match`` =
   ``name`` map one whole (normalised) name to another, for one *adcode* or,
   when ``adcode`` is empty, anywhere.  Each row says why in ``note``.

An organ without an adcode gets ``"?:<name>"``; without a name, ``None``.
Pure functions, no I/O except reading the packaged alias table once.
"""
from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources

__all__ = ["organ_id", "normalise_agency", "OrganAlias", "organ_aliases", "ALIAS_FILE"]

#: The packaged alias table (columns: match, adcode, alias, canonical, note).
ALIAS_FILE = "resources/organ_aliases.csv"

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class OrganAlias:
    """One row of the alias table: *alias* becomes *canonical* (whole name or suffix)."""

    match: str  # "name" or "suffix"
    adcode: str  # "" for every adcode
    alias: str
    canonical: str
    note: str


@functools.lru_cache(maxsize=1)
def organ_aliases() -> tuple[OrganAlias, ...]:
    """The packaged alias table, as read from ``toolkit/resources/organ_aliases.csv``."""
    text = resources.files("toolkit").joinpath(ALIAS_FILE).read_text(encoding="utf-8")
    out = []
    for i, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        match = (row.get("match") or "").strip()
        if match not in ("name", "suffix") or not row.get("alias") or not row.get("canonical"):
            raise ValueError(f"{ALIAS_FILE}: line {i}: need match name|suffix, alias and canonical")
        out.append(OrganAlias(match, (row.get("adcode") or "").strip(), _clean(row["alias"]),
                              _clean(row["canonical"]), (row.get("note") or "").strip()))
    return tuple(out)


def _clean(name: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", name))


def _present(value) -> str:
    """A metadata value as text, '' for None/NaN/<NA>."""
    if value is None:
        return ""
    try:
        if value != value:  # NaN
            return ""
    except (TypeError, ValueError):  # pandas NA refuses to compare
        return ""
    return _clean(str(value))


def normalise_agency(agency: str, province: str | None = None, city: str | None = None,
                     county: str | None = None,
                     aliases: tuple[OrganAlias, ...] | None = None, adcode: str | None = None) -> str:
    """The organ's name as it enters :func:`organ_id` (steps 1–3 of the module docstring)."""
    name = _clean(agency)
    own = _present(county) or _present(city) or _present(province)
    above = [p for p in (_present(province), _present(city)) if p and p != own]
    if own:
        rest = name
        for prefix in above:
            if rest.startswith(prefix) and rest != prefix:
                rest = rest[len(prefix):]
        # Only drop the higher divisions when the organ's own division follows them.
        if rest != name and rest.startswith(own):
            name = rest
    code = _present(adcode)
    for alias in (organ_aliases() if aliases is None else aliases):
        if alias.adcode and alias.adcode != code:
            continue
        if alias.match == "name" and name == alias.alias:
            name = alias.canonical
        elif alias.match == "suffix" and name.endswith(alias.alias) and len(name) > len(alias.alias):
            name = name[: -len(alias.alias)] + alias.canonical
    return name


def organ_id(agency, adcode=None, province=None, city=None, county=None,
             aliases: tuple[OrganAlias, ...] | None = None) -> str | None:
    """Stable id of the organ that published a report: ``"<adcode>:<normalised name>"``.

    *province*, *city* and *county* (as in ``metadata.csv``) let the name drop
    the higher divisions it repeats; *aliases* replaces the packaged alias
    table (see :func:`organ_aliases`).  ``None`` when *agency* is missing.

    >>> organ_id("重庆市开州区民政局", "500154", "重庆市", "重庆市", "开州区")
    '500154:开州区民政局'
    >>> organ_id("河北省科技厅", "130000", "河北省")
    '130000:河北省科学技术厅'
    """
    name = _present(agency)
    if not name:
        return None
    code = _present(adcode) or "?"
    return f"{code}:{normalise_agency(name, province, city, county, aliases, code)}"
