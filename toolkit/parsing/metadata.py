"""Report metadata inferred from the report's own text: agency, year, title and region.

:func:`infer_metadata` never guesses: a field it cannot read from the text is ``None``.
"""
from __future__ import annotations

import re
from typing import Any

from ..textnorm import normalize
from .title import extract_title

__all__ = ["infer_metadata", "place", "admin_level", "region", "load_cpca"]

# cpca's placeholder for the districts/counties directly under a municipality.
_MUNICIPALITY_PLACEHOLDERS = frozenset({"市辖区", "县"})


def _none_if_missing(value: Any) -> str | None:
    """cpca gives NaN/None/'' for what it did not find; map all of these to None."""
    if value is None:
        return None
    if isinstance(value, float):  # NaN
        return None
    value = str(value).strip()
    return value or None


def admin_level(adcode: str | None) -> str | None:
    """province / city / county from a six-digit adcode, None if there is none."""
    if adcode is None or not re.fullmatch(r"\d{6}", adcode):
        return None
    if adcode.endswith("0000"):
        return "province"
    if adcode.endswith("00"):
        return "city"
    return "county"


def load_cpca():
    """The cpca module (slow to import: it loads its address tables, so only on first use).

    cpca reads its address table with ``pkg_resources.resource_stream``, and
    ``pkg_resources`` is gone from setuptools 81 on (and from environments without
    setuptools).  When it is missing, that one function is provided from
    ``importlib.resources`` so cpca still loads.
    """
    import importlib.util
    import sys

    if "pkg_resources" not in sys.modules and importlib.util.find_spec("pkg_resources") is None:
        import importlib.machinery
        import importlib.resources
        import types

        shim = types.ModuleType("pkg_resources")
        shim.__spec__ = importlib.machinery.ModuleSpec("pkg_resources", None)
        shim.resource_stream = lambda package, name: importlib.resources.files(package).joinpath(name).open("rb")
        sys.modules["pkg_resources"] = shim
    import cpca

    return cpca


def region(agency: str) -> dict[str, str | None]:
    """province, city, county and adcode of an agency name, via cpca."""
    cpca = load_cpca()

    frame = cpca.transform([agency])
    row = frame.iloc[0]
    province = _none_if_missing(row.get("省"))
    city = _none_if_missing(row.get("市"))
    county = _none_if_missing(row.get("区"))
    adcode = _none_if_missing(row.get("adcode"))
    if adcode is not None:
        adcode = adcode.split(".")[0]  # guard against a float-typed column
        if not re.fullmatch(r"\d{6}", adcode):
            adcode = None
    if city in _MUNICIPALITY_PLACEHOLDERS:
        # Districts of 北京/天津/上海/重庆: the municipality is the city.
        city = province
    return {"province": province, "city": city, "county": county, "adcode": adcode}


def infer_metadata(text: str) -> dict[str, Any]:
    """Infer a report's metadata from its text.

    Title, agency and year come from :func:`toolkit.parse.extract_title` (the
    first short lines up to the one naming the report; the agency is the part
    of the title before the four-digit year). Province, city, county and
    adcode come from cpca applied to the agency; for a district of a
    municipality the city is the municipality itself. ``admin_level`` follows
    from the adcode: ``....0000`` province, ``....00`` city, otherwise county.

    Returns a dict with keys ``agency``, ``year``, ``title``, ``province``,
    ``city``, ``county``, ``adcode``, ``admin_level``. Anything that cannot be
    read from the text is ``None``; nothing is guessed.
    """
    title, agency, year = extract_title(normalize(text))
    return {"agency": agency, "year": year, "title": title, **place(agency)}


def place(agency: str | None) -> dict[str, Any]:
    """``province``, ``city``, ``county``, ``adcode`` and ``admin_level`` of an organ's name
    (see :func:`infer_metadata`); all ``None`` without a name."""
    if not agency:
        return {"province": None, "city": None, "county": None, "adcode": None, "admin_level": None}
    found = region(agency)
    return {**found, "admin_level": admin_level(found["adcode"])}
