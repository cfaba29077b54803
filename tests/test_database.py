"""xxgk.db: the build's SQLite database holds the loaders' frames, the indicators and the section 五
items, searchable in Chinese."""
from __future__ import annotations

import csv
import math
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

import toolkit as tk
from toolkit import cli
from toolkit.analysis.database import CODED, DB_FILE, QUERIES, STORAGE, TABLES, VIEWS, database_frames, datasette_metadata

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("db") / "out"
    assert cli.main(["build", "--corpus", str(CORPUS), "--out", str(out), "--no-charts", "--no-excel",
                     "--jobs", "2"]) == 0
    return out


@pytest.fixture
def db(built):
    con = sqlite3.connect(built / DB_FILE)
    yield con
    con.close()


def _plain(value):
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (bool,)):
        return int(value)
    return value


def _rows(frame) -> list[tuple]:
    return [tuple(_plain(v) for v in row) for row in frame.astype(object).itertuples(index=False)]


@pytest.fixture(scope="module")
def frames(built):
    return database_frames(built, CORPUS)


@pytest.mark.parametrize("name", list(TABLES))
def test_every_table_and_view_equals_the_loaders_frame(built, frames, name):
    # tables, audit and indicators are views over coded rows; a plain SELECT must give the
    # frame back row for row: same columns, labels for categories, NULL for every missing value,
    # 0/1 for booleans, in the frame's order.
    con = sqlite3.connect(built / DB_FILE)
    try:
        got = pd.read_sql(f"SELECT * FROM [{name}]", con)
    finally:
        con.close()
    expected = frames[name]
    assert list(got.columns) == list(expected.columns)
    assert len(got) == len(expected) > 0
    assert _rows(got) == _rows(expected)


def test_the_frames_compared_are_the_loaders_and_hold_what_coding_could_lose(frames):
    tables = tk.load_tables(CORPUS)
    assert _rows(frames["tables"]) == _rows(tables)
    assert _rows(frames["audit"]) == _rows(tk.audit(CORPUS))
    # What the coded views must carry through: several statuses, missing values beside read
    # ones, categories, NULL labels or reasons.
    assert tables["status"].nunique() >= 3
    assert tables["value"].isna().any() and tables["value"].notna().any()
    assert isinstance(tables["table"].dtype, pd.CategoricalDtype)
    indicators = frames["indicators"]
    assert indicators["reason"].isna().any() and indicators["reason"].notna().any()
    assert isinstance(indicators["template"].dtype, pd.CategoricalDtype)
    assert frames["audit"]["passed"].isna().any() and frames["audit"]["expected"].isna().any()


def test_coded_tables_store_codes_and_their_views_use_the_indexes(db):
    views = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}
    assert set(CODED) <= views
    # The rows hold integers (and the numbers), never the repeated labels.
    cells = {r[1]: r[2] for r in db.execute("PRAGMA table_info(cells)")}
    assert cells == {"report": "INTEGER", "cell": "INTEGER", "value": "FLOAT", "status_code": "INTEGER",
                     "source_code": "INTEGER"}
    assert db.execute("SELECT count(*) FROM cell_labels").fetchone()[0] < \
        db.execute("SELECT count(*) FROM cells").fetchone()[0] / 10

    def plan(sql):
        return " | ".join(r[3] for r in db.execute(f"EXPLAIN QUERY PLAN {sql}"))

    rid = db.execute("SELECT report_id FROM reports LIMIT 1").fetchone()[0]
    for sql, stored in ((f"SELECT * FROM tables WHERE report_id = '{rid}'", "cells"),
                        ("SELECT * FROM tables WHERE \"table\" = 't3' AND row = 'granted' AND \"column\" = 'total'",
                         "cells"),
                        (f"SELECT * FROM audit WHERE report_id = '{rid}'", "findings"),
                        ("SELECT * FROM indicators WHERE indicator = 'disclosure_rate'", "indicator_values"),
                        ("SELECT * FROM indicators WHERE organ_id = 'x'", "indicator_values")):
        found = plan(sql)
        assert "SCAN" not in found, (sql, found)
    assert "SCAN s" in plan("SELECT * FROM tables") and "SCAN" not in plan("SELECT * FROM tables").replace("SCAN s", "")


def test_the_build_writes_the_database_and_lists_it(built):
    assert (built / DB_FILE).is_file()
    assert not (built / f"{DB_FILE}.tmp").exists()
    import json

    manifest = json.loads((built / ".cache" / "manifest.json").read_text(encoding="utf-8"))
    assert DB_FILE in manifest["outputs"]


def test_indicators_in_the_database_equal_tk_indicators(db):
    expected = tk.indicators(CORPUS)
    got = pd.read_sql("SELECT * FROM indicators", db)
    assert list(got.columns) == list(expected.columns)
    assert len(got) == len(expected) > 0
    rows_expected = [tuple(_plain(v) for v in row) for row in expected.astype(object).itertuples(index=False)]
    rows_got = [tuple(_plain(v) for v in row) for row in got.astype(object).itertuples(index=False)]
    assert rows_got == rows_expected


def test_fts_search_for_a_term_finds_the_items_kwic_finds(db):
    kw = tk.kwic("政策解读", tk.load_narratives(CORPUS))
    expected = sorted(set(kw["item_id"]))
    found = sorted(r[0] for r in db.execute(
        "SELECT n.item_id FROM narratives n JOIN narratives_fts f ON f.rowid = n.rowid "
        "WHERE narratives_fts MATCH ? AND NOT n.is_heading", ['"政策解读"']))
    assert len(expected) >= 3  # the shipped corpus's reports say it (grep -c 政策解读 corpus/reports/*)
    assert found == expected
    # The canned query users run in Datasette gives the same items (headings are never
    # only "政策解读", so they add none).
    canned = sorted(r[0] for r in db.execute(QUERIES["search_narratives"][2], {"term": "政策解读"}))
    assert canned == expected


def test_a_two_character_term_needs_the_phrase_query(db):
    # The trigram index cannot match fewer than three characters (docs/DATABASE.md);
    # the phrase query (a substring scan) finds them.
    assert db.execute("SELECT count(*) FROM narratives_fts WHERE narratives_fts MATCH ?",
                      ['"公开"']).fetchone()[0] == 0
    by_phrase = {r[0] for r in db.execute(QUERIES["phrase_in_narratives"][2], {"phrase": "公开"})}
    items = tk.load_narratives(CORPUS)
    assert by_phrase == set(items.loc[items["text"].str.contains("公开", regex=False), "item_id"])


def test_report_text_is_searchable(db):
    term = "依申请公开"
    hits = {r[0] for r in db.execute(
        "SELECT t.report_id FROM report_text t JOIN report_text_fts f ON f.rowid = t.rowid "
        "WHERE report_text_fts MATCH ?", [f'"{term}"'])}
    texts = dict(db.execute("SELECT report_id, text FROM report_text"))
    assert hits == {rid for rid, text in texts.items() if term in text}
    assert 0 < len(hits) < len(texts) + 1


def test_reports_carry_title_url_retrieval_date_and_region_from_metadata(db):
    with open(CORPUS / "metadata.csv", encoding="utf-8", newline="") as fh:
        rows = {r["report_id"]: r for r in csv.DictReader(fh)}
    got = {r[0]: r[1:] for r in db.execute(
        "SELECT report_id, title, source_url, retrieved, agency, province, admin_level FROM reports")}
    assert set(got) == set(rows)
    for rid, row in rows.items():
        title, url, retrieved, agency, province, level = got[rid]
        assert (url or "") == row["source_url"]
        assert (retrieved or "") == row["added"]
        assert province == (row["province"] or None)
        assert level == (row["admin_level"] or None)
    with_url = [rid for rid, row in rows.items() if row["source_url"]]
    assert with_url  # the Hebei reports were added with their URLs


def test_missing_cells_are_null_never_zero(db):
    n_missing = db.execute("SELECT count(*) FROM tables WHERE status != 'read'").fetchone()[0]
    assert n_missing > 0
    assert db.execute("SELECT count(*) FROM tables WHERE status != 'read' AND value IS NOT NULL").fetchone()[0] == 0
    tables = tk.load_tables(CORPUS)
    assert n_missing == int((tables["status"] != "read").sum())


def test_indexes_views_and_queries(db):
    indexed = {(r[0], r[1]) for r in db.execute(
        "SELECT m.name, i.name FROM sqlite_master m, pragma_index_list(m.name) i WHERE m.type = 'table'")}
    names = {t: [i for tt, i in indexed if tt == t] for t in ("reports", "narratives")}
    for column in ("organ_id", "year", "province"):
        assert any(column in i for i in names["reports"]), column
    assert any("organ_id" in i for i in [i for tt, i in indexed if tt == "indicator_reports"])
    views = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}
    assert views == set(VIEWS) | set(CODED)
    assert db.execute("PRAGMA freelist_count").fetchone()[0] == 0  # no VACUUM needed
    hebei = db.execute("SELECT DISTINCT organ_id FROM reports WHERE agency = '河北省教育厅'").fetchall()
    assert len(hebei) == 1
    years = [r[0] for r in db.execute(QUERIES["organ_indicators"][2], {"organ": "河北省教育厅"})
             if True]
    assert len(years) > 0
    refusals = pd.read_sql("SELECT * FROM refusals_by_reason_by_province", db)
    assert set(refusals["province"].dropna()) >= {"河北省"}
    # A sum never turns missing values into zeros: cases is NULL where no report has a value.
    none = refusals[refusals["reports_with_value"] == 0]
    assert none["cases"].isna().all()


def test_every_table_and_column_is_described_in_chinese_and_english(db):
    meta = datasette_metadata()
    tables = meta["databases"]["xxgk"]["tables"]
    assert meta["source"] and meta["license"]
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
                              "AND name NOT LIKE '%_fts%' AND name NOT LIKE 'sqlite_%'"):
        assert name in tables, name
        columns = [r[1] for r in db.execute(f"PRAGMA table_info([{name}])")]
        described = tables[name]["columns"]
        assert [c for c in columns if c not in described] == [], name
        for c in columns:
            assert " / " in described[c] and any("\u4e00" <= ch <= "\u9fff" for ch in described[c]), (name, c)
    assert set(TABLES) <= set(tables) and set(STORAGE) <= set(tables)
    assert all(tables[name].get("hidden") for name in STORAGE)


def test_the_database_is_the_same_whatever_the_chunk_and_batch_sizes(built, tmp_path, monkeypatch):
    # The database is written a few reports and rows at a time (bounded memory); chunks of 4
    # reports and batches of 7 rows cut the shipped corpus at many places, and every table must
    # come out row for row as the build's one (written in a single chunk), near duplicates included.
    import shutil

    from toolkit.analysis import database

    out = tmp_path / "out"
    shutil.copytree(built, out, ignore=shutil.ignore_patterns(DB_FILE))
    monkeypatch.setattr(database, "CHUNK_REPORTS", 4)
    monkeypatch.setattr(database, "BATCH_ROWS", 7)
    # Lookups keep 3 codes in memory: the others are found in their tables.
    monkeypatch.setattr(database._Lookup, "KEEP", 3)
    assert database.write_database(out, CORPUS) == [DB_FILE]
    _assert_same_database(built / DB_FILE, out / DB_FILE)
    whole = sqlite3.connect(built / DB_FILE)
    try:
        assert whole.execute("SELECT count(*) FROM reports").fetchone()[0] > 4 * 3
        assert whole.execute("SELECT count(*) FROM narratives WHERE duplicate_of IS NOT NULL").fetchone()[0] > 0
    finally:
        whole.close()


def _assert_same_database(expected_db: Path, got_db: Path) -> None:
    """Every stored table (with its rowids, which the full-text indexes point to) and every coded
    view of *got_db* row for row as *expected_db*'s."""
    whole, chunked = sqlite3.connect(expected_db), sqlite3.connect(got_db)
    try:
        stored = [r[0] for r in whole.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                              "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%_fts_%'")]
        assert set(STORAGE) <= set(stored) and "narratives_fts" in stored
        for name in [*stored, *CODED]:
            rowid = "rowid, " if name in stored else ""
            expected = whole.execute(f"SELECT {rowid}* FROM [{name}]").fetchall()
            assert chunked.execute(f"SELECT {rowid}* FROM [{name}]").fetchall() == expected, name
    finally:
        whole.close()
        chunked.close()


STAGED = (".cache/items.parquet", ".cache/report_text.parquet")


def test_the_build_stages_items_and_text_as_working_files_and_the_database_reads_them(built, tmp_path, monkeypatch):
    # The section 五 items and the reports' text are made as the reports are parsed and kept in the
    # build's working folder; the database is written from them without reading the parse cache.
    import json
    import shutil

    import pyarrow.parquet as pq

    from toolkit.analysis import database

    for file in STAGED:
        assert (built / file).is_file(), file
    manifest = json.loads((built / ".cache" / "manifest.json").read_text(encoding="utf-8"))
    assert not any("items" in o or "report_text" in o for o in manifest["outputs"])
    assert not any(p.name in ("items.parquet", "report_text.parquet") for p in built.rglob("*")
                   if ".cache" not in p.relative_to(built).parts)
    # One row per readable report, one per item, in report_id order.
    texts = pq.read_table(built / STAGED[1])
    assert texts["report_id"].to_pylist() == sorted(tk.load_reports(CORPUS).query("status != 'error'")["report_id"])
    assert pq.read_table(built / STAGED[0])["item_id"].to_pylist() == list(tk.load_narratives(CORPUS)["item_id"])

    def no_parse_cache(*_args):
        raise AssertionError("the parse cache was read")

    monkeypatch.setattr(database, "_parsed_chunks", no_parse_cache)
    out = tmp_path / "out"
    shutil.copytree(built, out, ignore=shutil.ignore_patterns(DB_FILE))
    assert database.write_database(out, CORPUS) == [DB_FILE]
    _assert_same_database(built / DB_FILE, out / DB_FILE)


def test_a_build_that_staged_no_text_gets_the_same_database_from_its_parse_cache(built, tmp_path, monkeypatch):
    import shutil

    from toolkit.analysis import database

    out = tmp_path / "out"
    shutil.copytree(built, out, ignore=shutil.ignore_patterns(DB_FILE, "items.parquet", "report_text.parquet"))
    monkeypatch.setattr(database, "CHUNK_REPORTS", 4)
    read = []
    real = database._parsed_chunks

    def counting(*args):
        for chunk in real(*args):
            read.append(len(chunk))
            yield chunk

    monkeypatch.setattr(database, "_parsed_chunks", counting)
    assert database.write_database(out, CORPUS) == [DB_FILE]
    assert sum(read) == 39 and max(read) == 4
    _assert_same_database(built / DB_FILE, out / DB_FILE)
    # Staged in a temporary folder: nothing is added to the build's folder but the database.
    assert not any((out / file).exists() for file in STAGED)
