"""``xxgk build`` as a streaming, incremental build (toolkit.data.build)."""
from __future__ import annotations

import functools
import hashlib
import os
import shutil
import time
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

from toolkit.cli import main
from toolkit.data import audit, batch, frames, loaders, workers
from toolkit.data import build as tb
from toolkit.data import manifest as manifest_module
from toolkit.data.tabular import read_frame
from toolkit.plots import write_charts

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
TABLES = ("reports.csv", "tables.csv", "audit.csv", "parse_log.csv", "statements.csv")


@pytest.fixture
def corpus(tmp_path):
    """A private copy of the shipped corpus (37 reports), so tests may edit it."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


def _bytes(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in TABLES}


def _counting_parser(monkeypatch) -> list[str]:
    calls: list[str] = []
    real_hashed, real_path = batch.parse_hashed, loaders.parse_path

    def counting_hashed(p):
        calls.append(Path(p).name)
        return real_hashed(p)

    def counting(p):
        calls.append(Path(p).name)
        return real_path(p)

    monkeypatch.setattr(batch, "parse_hashed", counting_hashed)
    monkeypatch.setattr(loaders, "parse_path", counting)
    return calls


def _build(corpus, out, **kw):
    """A build with its charts, as ``xxgk build`` runs it."""
    return tb.build(corpus, out, extras=[write_charts], **kw)


def test_chunked_build_writes_the_loaders_frames(corpus, tmp_path):
    """Chunks of 7 reports (cross-year pairs split across chunks) give exactly the loaders' frames."""
    out = tmp_path / "out"
    tb.build(corpus, out, jobs=1, chunk=7, excel=False)
    expected = {"reports": loaders.load_reports(corpus), "tables": loaders.load_tables(corpus),
                "audit": audit(corpus), "parse_log": loaders.load_parse_log(corpus)}
    assert expected["audit"]["check"].str.startswith("cross_year.").any()  # the merge is exercised
    for name, frame in expected.items():
        written = read_frame(out / f"{name}.parquet")
        pd.testing.assert_frame_equal(written, frame, check_categorical=True, obj=name)
        # Plain pandas reads the same values (its own default dtypes).
        plain = pd.read_parquet(out / f"{name}.parquet")
        assert plain.shape == frame.shape and list(plain.columns) == list(frame.columns)
        csv = pd.read_csv(out / f"{name}.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
        assert len(csv) == len(frame) and list(csv.columns) == list(frame.columns)


def test_parallel_chunked_and_cached_builds_equal_a_serial_one(corpus, tmp_path, monkeypatch):
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    # The serial build's charts are saved in this process, under a session setting that would
    # change their bytes if it reached them; the parallel ones by two worker processes (figures
    # pickled to them; two even on a one-core machine).
    with matplotlib.rc_context({"savefig.bbox": "tight"}):
        assert main(["build", "--corpus", str(corpus), "--out", str(serial), "--jobs", "1", "--no-cache"]) == 0
    monkeypatch.setattr(workers, "n_workers", lambda jobs, warn=True: jobs or 2)
    tb.build(corpus, parallel, jobs=2, chunk=5, extras=[functools.partial(write_charts, jobs=2, corpus=str(corpus))])
    assert _bytes(parallel) == _bytes(serial)
    charts = sorted(p.name for p in (serial / "charts").iterdir())
    # Ten charts, each as PNG, SVG and the list of the reports it cites (NAME.sources.csv).
    assert len(charts) == 30 and charts == sorted(p.name for p in (parallel / "charts").iterdir())
    for name in charts:
        assert (parallel / "charts" / name).read_bytes() == (serial / "charts" / name).read_bytes(), name
    # Force a rebuild (an output is gone); every report then comes from the parse cache.
    (parallel / "tables.csv").unlink()
    calls = _counting_parser(monkeypatch)
    result = tb.build(corpus, parallel, jobs=1)
    assert not result.up_to_date and calls == []
    assert _bytes(parallel) == _bytes(serial)


def test_unchanged_corpus_is_up_to_date_and_nothing_is_rewritten(corpus, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["build", "--corpus", str(corpus), "--out", str(out), "--jobs", "1"]) == 0
    first = capsys.readouterr().out
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and ".cache" not in p.parts}
    assert main(["build", "--corpus", str(corpus), "--out", str(out), "--jobs", "1"]) == 0
    again = capsys.readouterr().out
    assert again.startswith("up to date")
    assert again.splitlines()[1:] == first.splitlines()  # the same summary, from the manifest
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps


def test_touched_file_is_hashed_and_still_up_to_date(corpus, tmp_path):
    out = tmp_path / "out"
    tb.build(corpus, out, jobs=1)
    target = corpus / "reports" / "001_0d529075b8579b4b.txt"
    os.utime(target, ns=(target.stat().st_atime_ns, target.stat().st_mtime_ns + 10**9))
    assert tb.build(corpus, out, jobs=1).up_to_date


def test_up_to_date_check_does_not_read_the_listing_again(corpus, tmp_path, monkeypatch):
    # metadata.csv unchanged byte for byte lists the files the manifest recorded: an up-to-date
    # build stats them without parsing metadata.csv; a changed metadata.csv is read again.
    import toolkit.corpus as corpus_module

    out = tmp_path / "out"
    tb.build(corpus, out, jobs=1)
    real = corpus_module.metadata_records

    def refuse(root):
        raise AssertionError("metadata.csv parsed by an up-to-date build")

    monkeypatch.setattr(corpus_module, "metadata_records", refuse)
    assert tb.build(corpus, out, jobs=1).up_to_date
    monkeypatch.setattr(corpus_module, "metadata_records", real)
    with (corpus / "metadata.csv").open("a", encoding="utf-8") as fh:
        fh.write("")  # the same bytes: still up to date
    assert tb.build(corpus, out, jobs=1).up_to_date
    text = (corpus / "metadata.csv").read_text(encoding="utf-8")
    (corpus / "metadata.csv").write_text(text.replace("鸡东县民政局", "鸡东县民政局 ", 1), encoding="utf-8")
    assert not tb.build(corpus, out, jobs=1).up_to_date


def test_edited_report_is_the_only_one_parsed_again(corpus, tmp_path, monkeypatch):
    out = tmp_path / "out"
    tb.build(corpus, out, jobs=1)
    target = corpus / "reports" / "001_0d529075b8579b4b.txt"
    target.write_text(target.read_text(encoding="utf-8").replace("行政许可 |\n71", "行政许可 |\n72"),
                      encoding="utf-8")
    calls = _counting_parser(monkeypatch)
    result = tb.build(corpus, out, jobs=1)
    assert not result.up_to_date and calls == ["001_0d529075b8579b4b.txt"]
    tables = pd.read_parquet(out / "tables.parquet")
    cell = tables[(tables["report_id"] == "001_0d529075b8579b4b") & (tables["row"] == "licensing")
                  & (tables["column"] == "decisions")]
    assert cell["value"].tolist() == [72]


def test_an_extra_with_other_arguments_makes_the_build_stale(corpus, tmp_path):
    """An extra is recorded with its arguments (all but jobs): the same function asked for
    something else is another build."""
    def note(out, tag, jobs=1):
        (out / "note.txt").write_text(tag, encoding="utf-8")
        return ["note.txt"]

    out = tmp_path / "out"
    assert not tb.build(corpus, out, jobs=1, excel=False, extras=[functools.partial(note, tag="a")]).up_to_date
    assert tb.build(corpus, out, jobs=1, excel=False, extras=[functools.partial(note, tag="a", jobs=2)]).up_to_date
    assert not tb.build(corpus, out, jobs=1, excel=False, extras=[functools.partial(note, tag="b")]).up_to_date
    assert (out / "note.txt").read_text(encoding="utf-8") == "b"


@pytest.mark.parametrize("change", ["metadata", "option", "output", "toolkit"])
def test_what_makes_a_build_stale(corpus, tmp_path, monkeypatch, change):
    out = tmp_path / "out"
    _build(corpus, out, jobs=1, excel=False)
    excel = False
    if change == "metadata":
        meta = corpus / "metadata.csv"
        meta.write_text(meta.read_text(encoding="utf-8").replace("河北省", "河北", 1), encoding="utf-8")
    elif change == "option":
        excel = True
    elif change == "output":
        (out / "charts" / "outcomes.svg").write_text("edited", encoding="utf-8")
    else:
        # Another version of the toolkit: the fingerprint it writes and the one it compares.
        monkeypatch.setattr(manifest_module, "toolkit_fingerprint", lambda: "another version")
    calls = _counting_parser(monkeypatch)
    result = _build(corpus, out, jobs=1, excel=excel)
    assert not result.up_to_date
    assert calls == []  # report files unchanged: all from the parse cache
    assert (out / "xxgk.xlsx").exists() == excel
    assert (out / "charts" / "outcomes.svg").read_text(encoding="utf-8").startswith("<?xml")


def test_failed_build_leaves_previous_outputs_whole(corpus, tmp_path, monkeypatch):
    out = tmp_path / "out"
    tb.build(corpus, out, jobs=1)
    before = _bytes(out)
    (corpus / "reports" / "000_390bec4f8b72bc77.txt").write_text("改过", encoding="utf-8")

    def boom(parsed):
        raise RuntimeError("disk full")

    monkeypatch.setattr(batch, "tables_arrow", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        tb.build(corpus, out, jobs=1)
    assert _bytes(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "out"]  # no lock, no staging folder
    assert not list(out.glob("*.tmp")) and not (out / ".cache" / "work").exists()
    assert not [p for p in tb.lock_file(out).parent.iterdir() if p.name != "lock"]  # the data home's too


def test_workbook_matches_the_tables(seed_corpus, tmp_path):
    import openpyxl

    out = tmp_path / "out"
    tb.build(seed_corpus, out, jobs=1)
    book = openpyxl.load_workbook(out / "xxgk.xlsx", read_only=True)
    assert book.sheetnames == ["reports", "t2", "t3", "t4", "audit", "parse_log", "statements"]
    rows = list(book["t2"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header == ("report_id", "agency", "year", "row", "row_zh", "row_en", "made", "repealed", "in_force",
                      "decisions", "amount", "missing")
    cells = {(r[0], r[3]): dict(zip(header, r)) for r in body}
    # Seed 001, table 2, 行政许可 本年处理决定数量: 71 (read from the report).
    assert cells[("001_0d529075b8579b4b", "licensing")]["decisions"] == 71
    assert cells[("001_0d529075b8579b4b", "licensing")]["agency"] == "重庆市开州区民政局"
    # A missing value is an empty cell, never zero, and `missing` says why.
    tables = pd.read_parquet(out / "tables.parquet")
    t2 = tables[tables["table"] == "t2"]
    assert len(body) == len(t2[["report_id", "row"]].drop_duplicates())
    missing = t2[t2["value"].isna()]
    assert len(missing) > 0  # seed 002's tables were images
    for rid, row, col, status in zip(missing["report_id"], missing["row"], missing["column"], missing["status"]):
        assert cells[(rid, row)][col] is None
        assert f"{col}: {status}" in cells[(rid, row)]["missing"]
    reports = list(book["reports"].iter_rows(values_only=True))
    assert reports[0][0] == "report_id" and len(reports) == 6


def test_loaders_are_memoized_but_callers_get_their_own_copy(corpus, monkeypatch):
    first = loaders.load_tables(corpus)
    first.loc[0, "value"] = -1.0  # a caller changing its frame ...
    calls = _counting_parser(monkeypatch)
    again = loaders.load_tables(corpus)
    assert calls == []  # ... neither re-parses nor leaks into the next call
    assert again.loc[0, "value"] != -1.0
    pd.testing.assert_frame_equal(again, frames.tables_frame(loaders.parse_corpus(corpus)))


def test_loaders_see_an_edited_report(corpus):
    before = loaders.load_tables(corpus)
    target = corpus / "reports" / "001_0d529075b8579b4b.txt"
    target.write_text(target.read_text(encoding="utf-8").replace("行政许可 |\n71", "行政许可 |\n72"),
                      encoding="utf-8")
    os.utime(target, ns=(target.stat().st_atime_ns, target.stat().st_mtime_ns + 10**9))
    after = loaders.load_tables(corpus)
    sel = lambda t: t[(t["report_id"] == "001_0d529075b8579b4b") & (t["row"] == "licensing")  # noqa: E731
                      & (t["column"] == "decisions")]["value"].tolist()
    assert sel(before) == [71] and sel(after) == [72]


def _edit_keeping_size_and_mtime(target: Path, old: str, new: str) -> None:
    """Replace *old* by *new* (same length) and give the file back its atime and mtime, as
    ``touch -r`` would: only the inode change time tells the edit."""
    st = target.stat()
    text = target.read_text(encoding="utf-8")
    assert text.count(old) == 1 and len(old.encode()) == len(new.encode())
    target.write_text(text.replace(old, new), encoding="utf-8")
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    after = target.stat()
    assert (after.st_size, after.st_mtime_ns) == (st.st_size, st.st_mtime_ns)


def _licensing(frame: pd.DataFrame) -> list:
    return frame[(frame["report_id"] == "001_0d529075b8579b4b") & (frame["row"] == "licensing")
                 & (frame["column"] == "decisions")]["value"].tolist()


def test_an_edit_with_its_old_mtime_put_back_is_noticed(corpus, tmp_path, monkeypatch, capsys):
    """An edit that keeps the size and restores the mtime is still an edit: the build, the
    loaders (reading the build from the data home) and the audit all see it."""
    monkeypatch.setenv("XXGK_HOME", str(tmp_path / "home"))
    assert main(["build", "--corpus", str(corpus), "--jobs", "1", "--no-charts", "--no-excel"]) == 0
    assert _licensing(loaders.load_tables(corpus)) == [71]
    capsys.readouterr()
    _edit_keeping_size_and_mtime(corpus / "reports" / "001_0d529075b8579b4b.txt", "行政许可 |\n71", "行政许可 |\n72")

    assert _licensing(loaders.load_tables(corpus)) == [72]  # not the build's (stale) tables
    assert main(["audit", "--corpus", str(corpus)]) == 0
    out = capsys.readouterr().out
    assert "001_0d529075b8579b4b: reports/001_0d529075b8579b4b.txt does not match its sha256" in out
    # (The loader above already parsed the edited file into the shared parse cache.)
    assert main(["build", "--corpus", str(corpus), "--jobs", "1", "--no-charts", "--no-excel"]) == 0
    assert "up to date" not in capsys.readouterr().out
    from toolkit.data.home import corpus_home

    assert _licensing(read_frame(corpus_home(corpus) / "tables.parquet")) == [72]


def test_an_unchanged_corpus_is_not_hashed_again(corpus, tmp_path, monkeypatch):
    """Size, mtime and ctime all unchanged: the manifest's hashes are trusted, no file is read."""
    out = tmp_path / "out"
    tb.build(corpus, out, jobs=1, excel=False)
    hashed = []
    real = manifest_module.sha256_file
    monkeypatch.setattr(manifest_module, "sha256_file", lambda p: hashed.append(Path(p).name) or real(p))
    assert tb.build(corpus, out, jobs=1, excel=False).up_to_date
    assert hashed == ["metadata.csv"]  # read to compare with the manifest; no report file is
# ------------------------------------------------------------------ nothing beside the output folder


def test_a_build_adds_nothing_beside_its_output_folder(seed_corpus, tmp_path):
    out = tmp_path / "mine" / "out"
    (tmp_path / "mine").mkdir()
    tb.build(seed_corpus, out, jobs=1, excel=False)
    tb.build(seed_corpus, out, jobs=1, excel=False)  # up to date
    assert [p.name for p in (tmp_path / "mine").iterdir()] == ["out"]
    home = Path(os.environ["XXGK_HOME"]).resolve()
    assert home in tb.lock_file(out).parents  # the lock lives in the data home


def test_a_switch_that_fails_leaves_nothing_beside_out(seed_corpus, tmp_path, monkeypatch):
    """The last step puts the staged outputs in place; when that rename fails (a read-only folder),
    the staging folder goes, the previous outputs stay, and nothing is left beside --out or in the
    data home."""
    out = tmp_path / "out"
    real = Path.rename

    def read_only(self, target):
        if Path(target) == out and not self.name.endswith("old"):  # the staged outputs cannot go in place
            raise OSError(30, "Read-only file system", str(target))
        return real(self, target)

    monkeypatch.setattr(Path, "rename", read_only)
    with pytest.raises(tb.BuildError, match="Read-only file system"):
        tb.build(seed_corpus, out, jobs=1, excel=False)
    monkeypatch.undo()
    assert [p.name for p in tmp_path.iterdir()] == []
    assert [p.name for p in tb.lock_file(out).parent.iterdir()] == ["lock"]
    # With earlier outputs in place: the first rename moves them aside, the second fails, and
    # they come back whole.
    tb.build(seed_corpus, out, jobs=1, excel=False)
    before = _bytes(out)
    monkeypatch.setattr(Path, "rename", read_only)
    with pytest.raises(tb.BuildError, match="Read-only file system"):
        tb.build(seed_corpus, out, jobs=1, excel=False, cache=False)
    monkeypatch.undo()
    assert _bytes(out) == before and [p.name for p in tmp_path.iterdir()] == ["out"]
    assert [p.name for p in tb.lock_file(out).parent.iterdir()] == ["lock"]


def test_an_unwritable_data_home_costs_the_cache_not_the_result(seed_corpus, tmp_path, monkeypatch, caplog):
    """A data home that cannot be made (here: below a regular file, which no user can write into):
    one warning, and the loaders parse without the cache; a build with --out still works."""
    import logging

    from toolkit.data import home as home_module

    expected = loaders.load_reports(seed_corpus)
    (tmp_path / "file").write_text("x", encoding="utf-8")
    monkeypatch.setenv("XXGK_HOME", str(tmp_path / "file" / "home"))
    monkeypatch.setattr(home_module, "_NOTED", set())
    with caplog.at_level(logging.WARNING, logger="toolkit"):
        # A fresh handle each time: nothing kept from an earlier call hides the data home.
        pd.testing.assert_frame_equal(loaders.CorpusData(seed_corpus).load_reports(), expected)
        assert len(loaders.CorpusData(seed_corpus).load_tables()) > 0
        out = tmp_path / "out"
        tb.build(seed_corpus, out, jobs=1, excel=False)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "cannot write the data home" in warnings[0], warnings
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "out"]
    pd.testing.assert_frame_equal(read_frame(out / "reports.parquet"), expected)


# ------------------------------------------------------------------ a file listed twice


def test_a_file_listed_twice_counts_once(seed_corpus, tmp_path, caplog):
    """Rule: the first row (in metadata.csv order) that lists a file counts; a later row listing the
    same file (same sha256, or same path) is left out with a warning naming both rows."""
    import csv
    import logging

    corpus = tmp_path / "corpus"
    shutil.copytree(seed_corpus, corpus)
    with open(corpus / "metadata.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    (first,) = [r for r in rows if r["report_id"] == "003_03a04d677c33f02f"]
    twin = dict(first, report_id="003_again", agency="宁夏回族自治区民政厅")
    with open(corpus / "metadata.csv", "a", encoding="utf-8", newline="") as fh:
        csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n").writerow(twin)
    out = tmp_path / "out"
    with caplog.at_level(logging.WARNING, logger="toolkit"):
        tb.build(corpus, out, jobs=1, excel=False)
        reports = loaders.load_reports(corpus)
    built = read_frame(out / "reports.parquet")
    assert list(built["report_id"]) == list(reports["report_id"]) == [
        "000_390bec4f8b72bc77", "001_0d529075b8579b4b", "002_0a737c20a99ed187", "003_03a04d677c33f02f",
        "004_90c37852d1e90522"]
    tables = read_frame(out / "tables.parquet")
    assert set(tables["report_id"]) == set(reports["report_id"])
    digest = hashlib.sha256((corpus / first["file"]).read_bytes()).hexdigest()
    notes = {r.getMessage() for r in caplog.records if "lists one file twice" in r.getMessage()}
    assert notes == {"metadata.csv lists one file twice: 003_03a04d677c33f02f (吴忠市民政局) and 003_again "
                     f"(宁夏回族自治区民政厅) (sha256 {digest[:16]}…); 003_again is left out, the first "
                     "listing counts"}
    # The same path listed again under another id (its sha256 cell left empty) is left out too.
    with open(corpus / "metadata.csv", "a", encoding="utf-8", newline="") as fh:
        csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n").writerow(
            dict(first, report_id="003_third", sha256=""))
    tb.build(corpus, out, jobs=1, excel=False)
    assert len(read_frame(out / "reports.parquet")) == 5


# ------------------------------------------------------------------ what a build reports


def test_a_build_reports_facts_and_the_command_line_words_them(seed_corpus, tmp_path, capsys):
    out = tmp_path / "out"
    result = tb.build(seed_corpus, out, jobs=1, excel=False)
    # The five seeds, all readable (each file opens and has its tables).
    assert (result.listed, result.parsed, result.skipped) == (5, 5, [])
    assert (result.excel, result.too_big, result.up_to_date) == (False, {}, False)
    assert result.checks == len(read_frame(out / "audit.parquet"))
    assert "xxgk.xlsx" not in result.written and "tables.parquet" in result.written
    assert not hasattr(result, "lines")  # the wording is the command line's
    again = tb.build(seed_corpus, out, jobs=1, excel=False)
    assert again.up_to_date
    facts = ("listed", "parsed", "with_warnings", "checks", "failed", "unchecked", "excel", "too_big", "skipped")
    assert [getattr(again, k) for k in facts] == [getattr(result, k) for k in facts]

    assert main(["build", "--corpus", str(seed_corpus), "--out", str(tmp_path / "cli"), "--jobs", "1",
                 "--no-charts", "--no-excel"]) == 0
    said = capsys.readouterr().out.splitlines()
    assert said[0] == f"5 reports listed in {seed_corpus}"
    assert "  xxgk.xlsx not written (--no-excel)" in said and "  no charts drawn (--no-charts)" in said


def test_two_builds_of_one_corpus_write_the_same_bytes(seed_corpus, tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    tb.build(seed_corpus, one, jobs=1)
    time.sleep(1.1)  # a timestamp written into an output would differ between the builds
    tb.build(seed_corpus, two, jobs=1)
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file() and p.name != "manifest.json")
    assert Path("xxgk.xlsx") in files
    assert files == sorted(p.relative_to(two) for p in two.rglob("*") if p.is_file() and p.name != "manifest.json")
    assert [f for f in files if (one / f).read_bytes() != (two / f).read_bytes()] == []


def test_csv_of_categories_and_text_written_in_chunks_byte_for_byte():
    """The CSV contract on category columns (written as their labels, a label a spreadsheet would
    run quoted once), text, numbers, booleans and missing values, over two chunks; the expected
    bytes are written out by hand from the contract in toolkit.data.tabular."""
    import io

    import pyarrow as pa

    from toolkit.data.tabular import CsvSink

    labels = pa.array(["合计", "=SUM(A1)", "-", "-3"], pa.large_string())

    def chunk(codes, text, values, flags):
        return pa.table({"label": pa.DictionaryArray.from_arrays(pa.array(codes, pa.int16()), labels),
                         "text": pa.array(text, pa.large_string()), "value": pa.array(values, pa.float64()),
                         "flag": pa.array(flags, pa.bool_())})

    buffer = io.BytesIO()
    sink = CsvSink(buffer)
    sink.write(chunk([0, 1, None], ["甲", "@x", None], [3.0, 739.0766, None], [True, None, False]))
    sink.write(chunk([2, 3, 0], ["+1.5", 'say "hi"', "\tz"], [-0.5, 1e6, 0.0], [False, True, True]))
    sink.close()
    assert buffer.getvalue() == (
        b'\xef\xbb\xbf"label","text","value","flag"\n'
        + '"合计","甲",3,true\n'.encode()
        + b'"\'=SUM(A1)","\'@x",739.0766,\n'
        + b',,,false\n'
        + b'"\'-","+1.5",-0.5,false\n'
        + b'"-3","say ""hi""",1000000,true\n'
        + '"合计","\'\tz",0,true\n'.encode())


def test_plan_lets_go_of_the_rows_but_not_of_the_files_no_worker_read(corpus, tmp_path):
    """After the parse the plan keeps only the rows whose file no worker read (the manifest still
    hashes them) and the count of files; the manifest lists every file either way."""
    plan = manifest_module.plan_build(corpus, tmp_path / "out", {}, cache=False)
    files = [m["file"] for m in plan.metas]
    assert plan.n_files == len(files) == 39  # the rows of corpus/metadata.csv, each a file of its own
    for rel in files[1:]:  # as if the workers had read every file but the first
        plan.hashes(rel)
    plan.drop_parsed_rows()
    assert plan.metas == [] and plan.n_files == 39
    assert [m["file"] for m in plan.listed] == [files[0]]
    result = tb.build(corpus, tmp_path / "built")
    assert result.listed == 39
    written = manifest_module.read_manifest(tmp_path / "built" / ".cache")
    assert sorted(written["files"]) == sorted(files)
