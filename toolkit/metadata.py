"""Report metadata: inference from report text, and the corpus metadata table.

Two pure functions:

- :func:`infer_metadata` reads agency, year, title and region from the
  opening lines of a report's text. It never guesses: a field it cannot read
  from the text is ``None``.
- :func:`read_metadata` reads ``metadata.csv`` of a corpus folder with
  explicit dtypes (adcodes stay strings so leading zeros survive).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

#: Columns of ``corpus/metadata.csv``, in file order.
METADATA_COLUMNS: tuple[str, ...] = (
    "report_id",
    "agency",
    "province",
    "city",
    "county",
    "adcode",
    "admin_level",
    "sector",
    "year",
    "title",
    "file",
    "sha256",
    "source",
)

#: Integer columns; every other column is text.
_INTEGER_COLUMNS = frozenset({"year"})

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


def _admin_level(adcode: str | None) -> str | None:
    """province / city / county from a six-digit adcode, None if there is none."""
    if adcode is None or not re.fullmatch(r"\d{6}", adcode):
        return None
    if adcode.endswith("0000"):
        return "province"
    if adcode.endswith("00"):
        return "city"
    return "county"


def _region(agency: str) -> dict[str, str | None]:
    """province, city, county and adcode of an agency name, via cpca."""
    import cpca  # slow to import (loads its address tables): keep it lazy

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
    result: dict[str, Any] = {
        "agency": None,
        "year": None,
        "title": None,
        "province": None,
        "city": None,
        "county": None,
        "adcode": None,
        "admin_level": None,
    }
    from .parse import extract_title, normalize

    title, agency, year = extract_title(normalize(text))
    result.update(title=title, agency=agency, year=year)
    if not agency:
        return result
    region = _region(agency)
    result.update(region)
    result["admin_level"] = _admin_level(region["adcode"])
    return result


def read_metadata(corpus_dir: str | Path):
    """Read ``metadata.csv`` of a corpus folder into a DataFrame.

    Text columns get pandas' ``string`` dtype, ``year`` gets ``Int64`` (so a
    missing year is ``<NA>``), and ``adcode`` is read as a string so leading
    zeros survive. Columns come back in the order of :data:`METADATA_COLUMNS`.

    Raises ``ValueError("<path>: ...")`` if the file does not exist, cannot be
    parsed, or lacks any of the required columns.
    """
    import pandas as pd

    path = Path(corpus_dir) / "metadata.csv"
    if not path.is_file():
        raise ValueError(f"{path}: metadata file not found")
    dtypes = {
        column: ("Int64" if column in _INTEGER_COLUMNS else "string")
        for column in METADATA_COLUMNS
    }
    try:
        frame = pd.read_csv(
            path,
            dtype=dtypes,
            encoding="utf-8-sig",
            keep_default_na=False,
            na_values=[""],
        )
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise ValueError(f"{path}: cannot read metadata: {exc}") from exc
    missing = [column for column in METADATA_COLUMNS if column not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing required columns: {', '.join(missing)}")
    extra = [column for column in frame.columns if column not in METADATA_COLUMNS]
    return frame[list(METADATA_COLUMNS) + extra]
