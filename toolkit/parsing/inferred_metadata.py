"""Report metadata inferred from the report's own text: agency, year, title and place.

:func:`infer_metadata` never guesses: a field it cannot read from the text is ``None``.

The place of an organ comes from its name, read against the packaged table of
China's administrative divisions (``toolkit/resources/admin_divisions.csv``, the
Ministry of Civil Affairs' 2024 codes; see ``docs/PLACES.md``) and a short
table of special zones that are not divisions themselves
(``toolkit/resources/special_zones.csv``: 雄安新区 → 保定市 …).
"""
from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import Any

from ..textnorm import normalize
from .title import extract_title

__all__ = ["infer_metadata", "place", "admin_level", "Division", "divisions"]

_DIVISIONS_FILE = "resources/admin_divisions.csv"
_ZONES_FILE = "resources/special_zones.csv"
# The four municipalities: their districts and counties have no prefecture, the
# municipality is their city (重庆市开州区: city 重庆市).
_MUNICIPALITIES = frozenset({"110000", "120000", "310000", "500000"})

# Words that end the name of a development zone or new area.  A province's or
# prefecture's short form (兰州, 苏州) counts as a place only when such a zone
# follows it within a few characters (兰州新区, 苏州工业园区, 宁波杭州湾新区) or
# another division does (河北雄安新区 via the zone table, 宿迁沭阳县): alone, a
# short form is too often part of another word (中山大学, 吉林大学).
_ZONE_WORDS = ("新区", "开发区", "园区", "高新区", "保税区", "实验区", "试验区", "示范区", "合作区")
_ZONE_AFTER_SHORT = re.compile(r"^\w{0,8}?(?:" + "|".join(_ZONE_WORDS) + ")")
# What looks like the name of a division (沐阳县, 某某县, 朝阳区) right after the
# places that were recognised, and is not one of them: the organ belongs to a
# division the table does not know (a typo, an OCR misreading, a placeholder),
# so the place read so far would claim the wrong level.
_DIVISION_LIKE = re.compile(r"^(?:\w{1,3}?(?:自治县|自治旗|县|区|旗)|\w{2}(?:市|州|盟)(?![场政容]))")
# Words ending in 区/县/市 that are not the name of a division.
_NOT_DIVISIONS = ("新区", "园区", "开发区", "保税区", "实验区", "试验区", "示范区", "合作区", "功能区", "景区",
                  "度假区", "管理区", "片区", "城区", "社区", "辖区", "市区", "县区", "郊区", "地区", "山区",
                  "库区", "林区", "矿区", "港区", "校区", "院区", "小区", "老区", "灾区", "牧区", "垦区",
                  "城市", "都市", "超市", "门市")


@dataclass(frozen=True)
class Division:
    """One administrative division (or special zone, with its host's code)."""

    adcode: str
    name: str
    short: str
    level: str  # province / city / county
    parent: str  # adcode of the enclosing division; "" for a province


def _read(name: str) -> list[dict[str, str]]:
    text = resources.files("toolkit").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@functools.lru_cache(maxsize=1)
def divisions() -> dict[str, Division]:
    """The packaged division table, by adcode (every province, prefecture and county of 2024)."""
    return {r["adcode"]: Division(r["adcode"], r["name"], r["short"], r["level"], r["parent"])
            for r in _read(_DIVISIONS_FILE)}


@dataclass(frozen=True)
class _Index:
    full: dict[str, tuple[Division, ...]]  # full names of divisions and zones
    short: dict[str, tuple[Division, ...]]  # short forms (兰州, 河北, 昆山), 2 characters or more
    longest: int


@functools.lru_cache(maxsize=1)
def _index() -> _Index:
    table = divisions()
    full: dict[str, list[Division]] = {}
    short: dict[str, list[Division]] = {}
    for d in table.values():
        full.setdefault(d.name, []).append(d)
        if len(d.short) >= 2 and d.short != d.name:
            short.setdefault(d.short, []).append(d)
    for r in _read(_ZONES_FILE):
        host = table[r["adcode"]]
        full.setdefault(r["name"], []).append(host)
    longest = max(map(len, [*full, *short]))
    return _Index({k: tuple(v) for k, v in full.items()}, {k: tuple(v) for k, v in short.items()}, longest)


def _within(d: Division, outer: Division) -> bool:
    """Is *d* the division *outer* or inside it?"""
    table = divisions()
    while True:
        if d.adcode == outer.adcode:
            return True
        if not d.parent:
            return False
        d = table[d.parent]


def _names_at(names: dict[str, tuple[Division, ...]], text: str, i: int, longest: int):
    """The longest name of *names* that starts at ``text[i]``, and its divisions."""
    for n in range(min(longest, len(text) - i), 1, -1):
        found = names.get(text[i:i + n])
        if found:
            return text[i:i + n], found
    return None, ()


def _describe(d: Division) -> str:
    table = divisions()
    chain = [d.name]
    while d.parent:
        d = table[d.parent]
        chain.append(d.name)
    return "".join(reversed(chain))


def _missing(reason: str) -> dict[str, Any]:
    return {"province": None, "city": None, "county": None, "adcode": None, "admin_level": None,
            "place_reason": reason}


def _resolve(name: str) -> dict[str, Any]:
    index = _index()
    i, last = 0, None
    while i < len(name):
        word, found = _names_at(index.full, name, i, index.longest)
        if word:
            inside = [d for d in found if last is None or _within(d, last)]
            if not inside:
                return _missing(f"{word} is not in {last.name} (no such division there in the 2024 list)")
        else:
            word, found = _names_at(index.short, name, i, index.longest)
            rest = name[i + len(word):] if word else ""
            _, after = _names_at(index.full, rest, 0, index.longest)
            if after:  # 河北雄安新区: the 河北 that holds 雄安新区 (河北省, not 天津市河北区)
                found = [d for d in found if any(_within(a, d) for a in after)]
            elif not (word and _ZONE_AFTER_SHORT.match(rest)):
                found = []
            inside = [d for d in found if last is None or _within(d, last)]
            if not inside:
                break
        distinct = {d.adcode for d in inside}
        if len(distinct) > 1:
            where = "、".join(sorted({_describe(d) for d in inside}))
            return _missing(f"{word} is ambiguous without its province or city: {where}")
        last = inside[0]
        i += len(word)
    rest = name[i:]
    odd = _DIVISION_LIKE.match(rest)
    if odd and not odd.group(0).endswith(_NOT_DIVISIONS):
        where = f" of {last.name}" if last else ""
        return _missing(f"{odd.group(0)} is not a division{where} in the 2024 list (a typo, an old name or a placeholder?)")
    if last is None:
        return _missing("no division name at the start of the organ's name")
    return _fields(last)


def _fields(d: Division) -> dict[str, Any]:
    table = divisions()
    province = city = county = None
    node = d
    while True:
        if node.level == "province":
            province = node.name
        elif node.level == "city":
            city = node.name
        else:
            county = node.name
        if not node.parent:
            break
        node = table[node.parent]
    if d.level == "county" and city is None and d.parent in _MUNICIPALITIES:
        city = province
    return {"province": province, "city": city, "county": county, "adcode": d.adcode,
            "admin_level": admin_level(d.adcode), "place_reason": None}


def admin_level(adcode: str | None) -> str | None:
    """province / city / county from a six-digit adcode, None if there is none."""
    if adcode is None or not re.fullmatch(r"\d{6}", adcode):
        return None
    if adcode.endswith("0000"):
        return "province"
    if adcode.endswith("00"):
        return "city"
    return "county"


def infer_metadata(text: str) -> dict[str, Any]:
    """Infer a report's metadata from its text.

    Title, agency and year come from :func:`toolkit.parse.extract_title` (the
    first short lines up to the one naming the report; the agency is the part
    of the title before the four-digit year).  The place fields come from
    :func:`place` applied to the agency.

    Returns a dict with keys ``agency``, ``year``, ``title``, ``province``,
    ``city``, ``county``, ``adcode``, ``admin_level`` and ``place_reason``.
    Anything that cannot be read from the text is ``None``; nothing is guessed.
    """
    title, agency, year = extract_title(normalize(text))
    return {"agency": agency, "year": year, "title": title, **place(agency)}


def place(agency: str | None) -> dict[str, Any]:
    """``province``, ``city``, ``county``, ``adcode``, ``admin_level`` and ``place_reason`` of an
    organ's name.

    The name is read from its start as a chain of division names, each inside
    the one before (河北省, 威海市文登区, 重庆市开州区, 江苏省宿迁市沭阳县), full
    names at every level and, where a zone or another division follows, the short
    forms of provinces, prefectures and counties (兰州新区, 苏州工业园区).  The
    special zones of ``special_zones.csv`` count as their host division
    (平潭综合实验区 → 福州市平潭县, 雄安新区 → 保定市).  The organ is placed at
    the last division of the chain; for a district or county of a municipality
    the city is the municipality, for a county-level division a province governs
    directly (仙桃市) there is no city.  ``admin_level`` follows from the adcode:
    ``....0000`` province, ``....00`` city, otherwise county.

    A name resolves only when that is unambiguous at the level it claims.  All
    place fields are ``None`` and ``place_reason`` says why when the chain is
    empty (县教育局, 某某县人民政府), a name fits several divisions and nothing
    before it says which (朝阳区民政局: 北京 or 长春), a division is not inside
    the one before it (北京市和平区), or what follows the chain looks like a
    division the table does not have (宿迁市沐阳县: a misreading of 沭阳县).
    ``place_reason`` is ``None`` when the place is known or there is no name.
    """
    if not agency:
        return {**_missing(""), "place_reason": None}
    name = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(agency)))
    if not name:
        return {**_missing(""), "place_reason": None}
    return _resolve(name)
