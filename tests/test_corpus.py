"""The shipped corpus: files, hashes, metadata table, data package descriptor,
and metadata inference checked against values read from each report by hand."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest

from toolkit.corpus import PROVENANCE_COLUMNS
from toolkit.corpus import METADATA_COLUMNS, read_metadata
from toolkit.parsing.metadata import infer_metadata

CORPUS = Path(__file__).parents[1] / "corpus"
REPORTS = CORPUS / "reports"


def _metadata_rows() -> list[dict[str, str]]:
    with open(CORPUS / "metadata.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_metadata_csv_has_no_bom_and_expected_header():
    raw = (CORPUS / "metadata.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    header = raw.decode("utf-8").splitlines()[0].split(",")
    # Reports added with `xxgk add` bring provenance columns after the template's.
    assert header == list(METADATA_COLUMNS) + list(PROVENANCE_COLUMNS)


def test_every_listed_file_exists_with_matching_sha256():
    rows = _metadata_rows()
    assert rows, "metadata.csv lists no reports"
    for row in rows:
        path = CORPUS / row["file"]
        assert path.is_file(), f"{row['report_id']}: {path} missing"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == row["sha256"], path
        assert Path(row["file"]).stem == row["report_id"]


def test_every_report_file_is_listed():
    listed = {row["file"] for row in _metadata_rows()}
    on_disk = {p.relative_to(CORPUS).as_posix() for p in REPORTS.iterdir() if p.is_file()}
    assert on_disk == listed


def test_report_ids_unique():
    ids = [row["report_id"] for row in _metadata_rows()]
    assert len(ids) == len(set(ids))


def test_datapackage_fields_match_metadata_columns():
    package = json.loads((CORPUS / "datapackage.json").read_text(encoding="utf-8"))
    (resource,) = [r for r in package["resources"] if r["name"] == "metadata"]
    assert resource["path"] == "metadata.csv"
    schema = resource["schema"]
    names = [field["name"] for field in schema["fields"]]
    with open(CORPUS / "metadata.csv", encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    assert names == header
    assert schema["primaryKey"] == "report_id"
    for field in schema["fields"]:
        assert field["type"] in {"string", "integer", "date"}
        assert field["title"] and field["description"]


def test_read_metadata_dtypes():
    frame = read_metadata(CORPUS)
    assert list(frame.columns) == list(METADATA_COLUMNS) + list(PROVENANCE_COLUMNS)
    assert str(frame["year"].dtype) == "Int64"
    assert str(frame["adcode"].dtype).startswith("string")
    assert str(frame["agency"].dtype).startswith("string")
    assert frame["adcode"].str.fullmatch(r"\d{6}").all()


def test_read_metadata_errors_name_the_file(tmp_path):
    with pytest.raises(ValueError, match="metadata.csv"):
        read_metadata(tmp_path)
    (tmp_path / "metadata.csv").write_text("report_id,agency\nx,y\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"metadata\.csv.*missing required columns"):
        read_metadata(tmp_path)


# Read by hand from the opening lines of each report.
EXPECTED = {
    "000_390bec4f8b72bc77": ("鸡东县民政局", 2023, "230321", "county"),
    "001_0d529075b8579b4b": ("重庆市开州区民政局", 2024, "500154", "county"),
    # title split over two lines separated by a blank line
    "002_0a737c20a99ed187": ("威海市文登区民政局", 2023, "371003", "county"),
    # "2023 年" with a space
    "003_03a04d677c33f02f": ("吴忠市民政局", 2023, "640300", "city"),
    # 卫辉市 is a county-level city
    "004_90c37852d1e90522": ("卫辉市民政局", 2022, "410781", "county"),
}


@pytest.mark.parametrize("report_id", sorted(EXPECTED))
def test_infer_metadata_matches_hand_reading(report_id):
    agency, year, adcode, level = EXPECTED[report_id]
    text = (REPORTS / f"{report_id}.txt").read_text(encoding="utf-8")
    meta = infer_metadata(text)
    assert meta["agency"] == agency
    assert meta["year"] == year
    assert meta["adcode"] == adcode
    assert meta["admin_level"] == level
    assert meta["title"] == f"{agency}{year}年政府信息公开工作年度报告"


@pytest.mark.parametrize("report_id", sorted(EXPECTED))
def test_infer_metadata_agrees_with_metadata_csv(report_id):
    (row,) = [r for r in _metadata_rows() if r["report_id"] == report_id]
    meta = infer_metadata((CORPUS / row["file"]).read_text(encoding="utf-8"))
    for key in ("agency", "title", "province", "city", "county", "adcode", "admin_level"):
        assert (meta[key] or "") == row[key], key
    assert str(meta["year"]) == row["year"]


def test_infer_metadata_does_not_guess():
    empty = infer_metadata("")
    assert all(value is None for value in empty.values())
    no_title = infer_metadata("一、总体情况\n本机关认真贯彻条例。\n二、主动公开\n三、收到\n年度报告")
    assert no_title["title"] is None and no_title["agency"] is None
    no_year = infer_metadata("某某局政府信息公开工作年度报告\n")
    assert no_year["title"] == "某某局政府信息公开工作年度报告"
    assert no_year["year"] is None and no_year["agency"] is None
    assert no_year["adcode"] is None and no_year["admin_level"] is None


def test_infer_metadata_full_width_digits():
    meta = infer_metadata("北京市民政局２０２１年政府信息公开工作年度报告")
    assert meta["year"] == 2021
    assert meta["agency"] == "北京市民政局"
    assert meta["admin_level"] == "province"
