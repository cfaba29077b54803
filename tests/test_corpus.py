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
from toolkit.parsing.inferred_metadata import infer_metadata

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


# ------------------------------------------------------------------ xxgk add: what it could not find, overrides

# 河北省教育厅's 2022 report opens with its preamble (no title line, no signature the parser reads);
# its 2013 report opens "2013年，我厅…" with no title and no statistics period.
HEBEI_2022 = REPORTS / "2022_4fc3b7f70d2ff347.txt"
HEBEI_2013 = REPORTS / "2013_188035148e085674.txt"
WORD_EXPORT = Path(__file__).parent / "fixtures" / "word_export.html"


def _rows(corpus: Path) -> list[dict[str, str]]:
    with open(corpus / "metadata.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def new_corpus(tmp_path, capsys):
    """A corpus just made with ``xxgk init``, and copies of the two 河北省教育厅 files a user would add."""
    from toolkit.cli import main

    assert main(["init", str(tmp_path / "mine")]) == 0
    for src, name in ((HEBEI_2022, "hebei2022.txt"), (HEBEI_2013, "hebei2013.txt")):
        (tmp_path / name).write_bytes(src.read_bytes())
    capsys.readouterr()
    return tmp_path / "mine"


def test_add_says_what_it_could_not_find(new_corpus, capsys):
    from toolkit.cli import main

    src = new_corpus.parent
    assert main(["add", str(src / "hebei2022.txt"), str(src / "hebei2013.txt"), "--corpus", str(new_corpus)]) == 0
    out = capsys.readouterr().out.splitlines()
    warnings = [line for line in out if line.startswith("warning: ")]
    assert warnings == [
        f"warning: reports/2022_4fc3b7f70d2ff347.txt: could not find agency, region; give it: xxgk add "
        f"{src / 'hebei2022.txt'} --corpus {new_corpus} --replace --agency NAME",
        f"warning: reports/nd_188035148e085674.txt: could not find year; give it: xxgk add "
        f"{src / 'hebei2013.txt'} --corpus {new_corpus} --replace --year YYYY"]


def test_add_replace_with_agency_and_year_fixes_the_rows(new_corpus, capsys):
    from toolkit.cli import main

    src, corpus = new_corpus.parent, str(new_corpus)
    assert main(["add", str(src / "hebei2022.txt"), str(src / "hebei2013.txt"), "--corpus", corpus]) == 0
    assert main(["add", str(src / "hebei2013.txt"), "--replace", "--year", "2013", "--corpus", corpus]) == 0
    assert main(["add", str(src / "hebei2022.txt"), "--replace", "--agency", "河北省教育厅", "--corpus", corpus]) == 0
    out = capsys.readouterr().out
    assert "replaced nd_188035148e085674 by" in out and "replaced 2022_4fc3b7f70d2ff347 by" in out
    rows = {r["sha256"][:16]: r for r in _rows(new_corpus)}
    # The rows stay in the order they were added, with the values the user gave.
    assert [r["report_id"] for r in _rows(new_corpus)] == ["2022_4fc3b7f70d2ff347", "2013_188035148e085674"]
    assert rows["188035148e085674"]["year"] == "2013"
    assert rows["188035148e085674"]["file"] == "reports/2013_188035148e085674.txt"
    assert (rows["4fc3b7f70d2ff347"]["agency"], rows["4fc3b7f70d2ff347"]["province"],
            rows["4fc3b7f70d2ff347"]["adcode"]) == ("河北省教育厅", "河北省", "130000")
    # The 2013 copy was renamed with its id: reports/ holds exactly the listed files.
    assert sorted(p.name for p in (new_corpus / "reports").iterdir()) == [
        "2013_188035148e085674.txt", "2022_4fc3b7f70d2ff347.txt"]
    assert (new_corpus / "reports" / "2013_188035148e085674.txt").read_bytes() == HEBEI_2013.read_bytes()
    # The loaders read them as the user said.
    from toolkit import load_reports

    reports = load_reports(new_corpus).set_index("report_id")
    assert reports.loc["2013_188035148e085674", "year"] == 2013
    assert reports.loc["2022_4fc3b7f70d2ff347", "agency"] == "河北省教育厅"


def test_add_refuses_a_listed_file_unless_replace(new_corpus, capsys):
    from toolkit.cli import main

    src, corpus = new_corpus.parent, str(new_corpus)
    assert main(["add", str(src / "hebei2013.txt"), "--corpus", corpus, "--source-url",
                 "https://jyt.example.gov.cn/2013.html"]) == 0
    before = (new_corpus / "metadata.csv").read_bytes()
    capsys.readouterr()
    assert main(["add", str(src / "hebei2013.txt"), "--corpus", corpus]) == 0  # idempotent: no error
    assert main(["add", str(src / "hebei2013.txt"), "--year", "2013", "--corpus", corpus]) == 1  # not done
    out = capsys.readouterr().out.splitlines()
    skipped = [line for line in out if line.startswith("skipped")]
    assert len(skipped) == 2 and all("already in corpus (listed as nd_188035148e085674" in s and "--replace" in s
                                     for s in skipped)
    assert (new_corpus / "metadata.csv").read_bytes() == before
    # With --replace the row is made again: the year given, the source and sector kept.
    assert main(["add", str(src / "hebei2013.txt"), "--year", "2013", "--title", "河北省教育厅2013年度政府信息公开总结",
                 "--replace", "--corpus", corpus]) == 0
    (row,) = _rows(new_corpus)
    assert (row["report_id"], row["year"], row["title"]) == (
        "2013_188035148e085674", "2013", "河北省教育厅2013年度政府信息公开总结")
    assert row["source_url"] == "https://jyt.example.gov.cn/2013.html"
    assert row["original_name"] == "hebei2013.txt"


@pytest.mark.parametrize("args, reason", [
    (["a.txt", "b.txt", "--agency", "河北省教育厅"], "2 paths given"),
    (["folder", "--year", "2013"], "is a folder"),
    (["a.txt", "b.txt", "--title", "x"], "2 paths given"),
])
def test_overrides_are_for_exactly_one_file(new_corpus, capsys, args, reason):
    from toolkit.cli import main

    src = new_corpus.parent
    (src / "folder").mkdir()
    (src / "a.txt").write_bytes(HEBEI_2022.read_bytes())
    (src / "b.txt").write_bytes(HEBEI_2013.read_bytes())
    (src / "folder" / "c.txt").write_bytes(HEBEI_2013.read_bytes())
    argv = [str(src / a) if a in ("a.txt", "b.txt", "folder") else a for a in args]
    assert main(["add", *argv, "--corpus", str(new_corpus)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("xxgk: ") and reason in err[0] and "exactly one file" in err[0]
    assert _rows(new_corpus) == []


@pytest.mark.parametrize("year", ["1890", "20x3", "13"])
def test_year_override_must_be_a_year(new_corpus, capsys, year):
    from toolkit.cli import main

    assert main(["add", str(new_corpus.parent / "hebei2013.txt"), "--year", year,
                 "--corpus", str(new_corpus)]) == 2
    assert "is not a report year" in capsys.readouterr().err
    assert _rows(new_corpus) == []


def test_html_title_element_gives_title_agency_and_year(new_corpus, capsys):
    """A Word-exported page whose body has no title line: its <title> names the report (the site's
    name after the dash is not part of it)."""
    from toolkit.cli import main

    assert main(["add", str(WORD_EXPORT), "--corpus", str(new_corpus)]) == 0
    out = capsys.readouterr().out
    assert "could not find agency" not in out and "year" not in out
    (row,) = _rows(new_corpus)
    assert (row["title"], row["agency"], row["year"]) == (
        "沭阳县发展和改革局2023年政府信息公开年度报告", "沭阳县发展和改革局", "2023")


def test_corpus_not_found_speaks_the_callers_language(tmp_path, capsys):
    from toolkit.cli import main
    from toolkit.corpus import CorpusNotFound, corpus_dir

    missing = tmp_path / "nowhere"
    with pytest.raises(CorpusNotFound, match="pass corpus=DIR"):
        corpus_dir(missing)
    assert main(["build", "--corpus", str(missing)]) == 1
    err = capsys.readouterr().err
    assert "--corpus DIR" in err and "corpus=DIR" not in err and "(--corpus)" in err


def test_corpus_not_found_keeps_the_folder_name_in_either_language(tmp_path, capsys):
    """The command line's words replace the hint, never text of the folder's own name."""
    import pickle

    from toolkit.cli import main
    from toolkit.corpus import CorpusNotFound, corpus_dir

    missing = tmp_path / "the corpus argument; pass corpus=DIR or set XXGK_CORPUS=DIR"
    with pytest.raises(CorpusNotFound) as raised:
        corpus_dir(missing)
    assert str(raised.value).startswith(f"{missing}: corpus folder not found (the corpus argument); pass corpus=DIR")
    assert str(pickle.loads(pickle.dumps(raised.value))) == str(raised.value)
    assert main(["build", "--corpus", str(missing)]) == 1
    err = capsys.readouterr().err
    assert f"{missing}: corpus folder not found (--corpus); give --corpus DIR or set XXGK_CORPUS=DIR" in err


def test_metadata_records_of_some_columns_are_read_and_checked_as_all_of_them(tmp_path):
    from toolkit.corpus import MetadataError, metadata_records

    header = ",".join(METADATA_COLUMNS) + ",source_url"
    rows = ["r1,甲局,河北省,,,,county,民政,2023,标题一,reports/a.txt,,s1, http://a ",
            "r2,乙局,河北省,,,,county,民政,,标题二,reports/b.txt,,,"]
    (tmp_path / "metadata.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    assert metadata_records(tmp_path, ("report_id", "year", "source_url", "added")) == [
        {"report_id": "r1", "year": 2023, "source_url": "http://a"},
        {"report_id": "r2", "year": None, "source_url": None}]
    assert metadata_records(tmp_path)[0]["title"] == "标题一" and len(metadata_records(tmp_path)[0]) == 14
    # a later bad row fails the read of a few columns too
    (tmp_path / "metadata.csv").write_text("\n".join([header, *rows, rows[0]]) + "\n", encoding="utf-8")
    with pytest.raises(MetadataError, match="report_id 'r1' appears twice"):
        metadata_records(tmp_path, ("report_id",))


_HEADER = ",".join(METADATA_COLUMNS)


@pytest.mark.parametrize("text, expected", [
    # A BOM, CRLF line ends, a blank line, cells padded with spaces, a quoted line break in a title
    # and a provenance column: cells as metadata_records gives them (stripped, empty as None).
    ("\ufeff" + _HEADER + ",source_url\r\n a1 ,x,,,,,,,2020,\" T \",f,,,\" http://u/1 \"\r\n\r\n"
     "b2,y,,,,,,,,\"two\nlines\",g,,,\n",
     {"report_id": ["a1", "b2"], "source_url": ["http://u/1", None], "added": [None, None],
      "title": [" T ", "two\nlines"], "year": [2020, None]}),
    # A row shorter than the header (its last cells empty), which MetadataFile accepts.
    (_HEADER + ",added\nc3,z,,,,,,,2021\nd4,w,,,,,,,,,,,,2024-01-02\n",
     {"report_id": ["c3", "d4"], "source_url": [None, None], "added": [None, "2024-01-02"],
      "title": [None, None], "year": [2021, None]}),
])
def test_metadata_columns_are_the_cells_metadata_records_gives(tmp_path, text, expected):
    from toolkit.corpus import metadata_columns, metadata_records

    (tmp_path / "metadata.csv").write_text(text, encoding="utf-8", newline="")
    got = metadata_columns(tmp_path, list(expected))
    assert got == expected
    assert got == {c: [r.get(c) for r in metadata_records(tmp_path)] for c in expected}


def test_metadata_columns_errors_name_the_file(tmp_path):
    from toolkit.corpus import metadata_columns

    with pytest.raises(ValueError, match="metadata.csv"):
        metadata_columns(tmp_path, ["report_id"])
    (tmp_path / "metadata.csv").write_text(_HEADER + "\na1,\"open\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"metadata\.csv"):
        metadata_columns(tmp_path, ["report_id"])
