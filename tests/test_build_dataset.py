"""The whole ``xxgk build`` (toolkit.plots.dataset.build_dataset): the indicators computed once, the
same outputs from the command line and from ``tk.Corpus(...).build()``, and an up-to-date build
that only compares files."""
from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import toolkit as tk
from toolkit.analysis import chart_data
from toolkit.cli import main
from toolkit.data.tabular import read_frame

# The module, whatever the package's name ``indicators`` stands for.
indicators_module = importlib.import_module("toolkit.analysis.indicator_frames")
CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.fixture
def corpus(tmp_path):
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


def _files(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and ".cache" not in p.parts)


def test_corpus_build_writes_what_xxgk_build_writes(corpus, tmp_path, monkeypatch):
    monkeypatch.setenv("XXGK_HOME", str(tmp_path / "home"))
    assert main(["build", "--corpus", str(corpus), "--out", str(tmp_path / "cli"), "--jobs", "1"]) == 0
    result = tk.Corpus(corpus, data_home=tmp_path / "home", jobs=1).build(tmp_path / "handle")
    cli, handle = tmp_path / "cli", tmp_path / "handle"
    assert _files(handle) == _files(cli)
    # The charts and the database are among them, not only the tables.
    assert "xxgk.db" in _files(handle) and any(f.startswith("charts/") for f in _files(handle))
    for name in ("reports.csv", "tables.csv", "audit.csv", "xxgk.xlsx", "charts/appeals.sources.csv", "charts/appeals.svg"):
        assert (handle / name).read_bytes() == (cli / name).read_bytes(), name
    assert sorted(result.written) == sorted(json.loads((cli / ".cache" / "manifest.json").read_text())["outputs"])


@pytest.fixture
def indicator_calls(monkeypatch):
    """The number of reports of each compute_indicators call, as they are made."""
    calls = []
    real = indicators_module.compute_indicators

    def counting(*args, **kwargs):
        calls.append(len(args[0]))
        return real(*args, **kwargs)

    monkeypatch.setattr(indicators_module, "compute_indicators", counting)
    return calls


def test_a_build_computes_the_indicators_once(corpus, tmp_path, monkeypatch, indicator_calls):
    calls = indicator_calls
    monkeypatch.setattr(chart_data, "CHUNK_REPORTS", 1000)
    result = tk.Corpus(corpus, data_home=tmp_path / "home", jobs=1).build(tmp_path / "out")
    # One computation over the 39 reports for the workbook's sheet, the database and the charts.
    assert calls == [39]
    assert {"parse", "audit", "indicators", "workbook", "charts", "database", "manifest"} <= set(result.timings)


def test_the_indicators_computed_in_chunks_are_the_whole(corpus, tmp_path, monkeypatch):
    out = tmp_path / "out"
    tk.Corpus(corpus, data_home=tmp_path / "home", jobs=1).build(out, charts_too=False)
    whole = indicators_module.compute_indicators(read_frame(out / "reports.parquet"), read_frame(out / "tables.parquet"),
                                                 read_frame(out / "statements.parquet"))
    pd.testing.assert_frame_equal(chart_data.read_built_indicators(out), whole)
    # Cut into runs of 5 reports (the files are read in batches and cut at report boundaries).
    monkeypatch.setattr(chart_data, "CHUNK_REPORTS", 5)
    (out / chart_data.INDICATORS_FILE).unlink()
    chart_data.write_built_indicators(out)
    pd.testing.assert_frame_equal(chart_data.read_built_indicators(out), whole)
    only = chart_data.read_built_indicators(out, ["denial_rate"])
    assert set(only["indicator"].astype(str)) == {"denial_rate"} and len(only) == 39


def test_an_up_to_date_build_imports_neither_the_parser_nor_pyarrow_nor_pandas(corpus, tmp_path):
    args = ["build", "--corpus", str(corpus), "--out", str(tmp_path / "out"), "--jobs", "1"]
    env = {**os.environ, "XXGK_HOME": str(tmp_path / "home")}
    code = ("import sys\nfrom toolkit.cli import main\nrc = main(sys.argv[1:])\n"
            "print(rc, *sorted(m for m in ('pyarrow', 'pandas', 'toolkit.parsing', 'toolkit.checks', 'matplotlib')"
            " if m in sys.modules))")
    first = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=True)
    assert first.stdout.splitlines()[-1].split()[:2] == ["0", "matplotlib"]  # a cold build imports them all
    again = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=True)
    assert "up to date" in again.stdout
    assert again.stdout.splitlines()[-1] == "0"


def test_the_build_computes_the_indicators_chunk_by_chunk_as_it_writes(corpus, tmp_path, monkeypatch, indicator_calls):
    """Each chunk's indicators come from the rows the build is writing (one computation per chunk,
    none over the files afterwards), and laid end to end they are those of the whole corpus."""
    from toolkit.data.build import build
    from toolkit.plots.dataset import indicators

    calls = indicator_calls
    out = tmp_path / "out"
    build(corpus, out, jobs=1, chunk=5, excel=False, derived=[indicators], data_home=tmp_path / "home")
    assert calls == [5] * 7 + [4]  # the 39 reports, 5 at a time
    monkeypatch.undo()  # the real compute_indicators again
    whole = indicators_module.compute_indicators(read_frame(out / "reports.parquet"),
                                                 read_frame(out / "tables.parquet"),
                                                 read_frame(out / "statements.parquet"))
    pd.testing.assert_frame_equal(chart_data.read_built_indicators(out), whole)


def test_the_items_and_text_staged_chunk_by_chunk_are_the_whole(corpus, tmp_path):
    """The build's working files of section 五 items and report text, written a chunk at a time,
    hold the same rows in the same order as when written at once, one text row per readable report."""
    import pyarrow.parquet as pq

    from toolkit.data.build import build
    from toolkit.data.staging import TEXT_FILES

    build(corpus, tmp_path / "whole", jobs=1, excel=False, data_home=tmp_path / "home")
    build(corpus, tmp_path / "chunked", jobs=2, chunk=5, excel=False, data_home=tmp_path / "home")
    rows = {}
    for name, file in TEXT_FILES.items():
        whole, chunked = pq.read_table(tmp_path / "whole" / file), pq.read_table(tmp_path / "chunked" / file)
        assert chunked.to_pylist() == whole.to_pylist(), name
        rows[name] = whole.num_rows
        assert chunked["report_id"].to_pylist() == sorted(chunked["report_id"].to_pylist())
    # the shipped corpus's 39 reports are all readable, with more than one item each on average
    assert rows["report_text"] == 39 and rows["items"] > 39
