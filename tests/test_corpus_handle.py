"""The corpus handle ``tk.Corpus``: its data home, its own frames, and the module-level loaders
as calls on a default handle."""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

import toolkit as tk
from toolkit.data.home import corpus_home

README = Path(__file__).resolve().parents[1] / "README.md"
SEED_001 = "001_0d529075b8579b4b"


def _files(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_size for p in sorted(folder.rglob("*")) if p.is_file()}


def _licensing(tables: pd.DataFrame) -> list:
    rows = tables[(tables.report_id == SEED_001) & (tables.table == "t2") & (tables.row == "licensing")
                  & (tables.column == "decisions")]
    return rows["value"].tolist()


def test_a_handle_with_a_data_home_writes_there_and_nowhere_else(corpus, tmp_path, monkeypatch):
    env_home = tmp_path / "env-home"
    monkeypatch.setenv("XXGK_HOME", str(env_home))
    mine = tmp_path / "mine"
    before = _files(corpus)
    handle = tk.Corpus(corpus, data_home=mine)
    assert handle.data_home == mine.resolve()
    assert handle.home == corpus_home(corpus, mine)
    assert _licensing(handle.load_tables()) == [71]  # 001's table 2 prints 行政许可 71
    assert len(handle.load_narratives()) > 0
    cache = handle.home / ".cache" / "parsed.parquet"
    assert cache.is_file()
    assert not env_home.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "mine"]
    assert [p.relative_to(mine) for p in mine.iterdir()] == [handle.home.relative_to(mine)]

    result = handle.build(jobs=1, excel=False)
    assert result.out == handle.home and (handle.home / "tables.parquet").is_file()
    assert sorted(p.name for p in mine.iterdir()) == sorted([handle.home.name, ".builds"])
    assert not env_home.exists()
    assert _files(corpus) == before  # nothing written into the corpus

    # The module-level loaders take the data home too.
    other = tmp_path / "other"
    tk.load_reports(corpus, data_home=other)
    assert (corpus_home(corpus, other) / ".cache" / "parsed.parquet").is_file()
    assert not env_home.exists()


def test_two_handles_on_two_corpora_do_not_share_frames(corpus, tmp_path):
    edited = tmp_path / "edited"
    shutil.copytree(corpus, edited)
    target = edited / "reports" / f"{SEED_001}.txt"
    target.write_text(target.read_text(encoding="utf-8").replace("行政许可 |\n71", "行政许可 |\n72"),
                      encoding="utf-8")
    a, b = tk.Corpus(corpus, data_home=tmp_path / "home"), tk.Corpus(edited, data_home=tmp_path / "home")
    assert _licensing(a.load_tables()) == [71]
    assert _licensing(b.load_tables()) == [72]
    assert _licensing(a.load_tables()) == [71]
    assert a.indicators()["report_id"].nunique() == b.indicators()["report_id"].nunique() == 5


def test_a_frame_kept_by_a_handle_is_a_copy_and_clear_forgets_it(corpus, tmp_path, monkeypatch):
    handle = tk.Corpus(corpus, data_home=tmp_path / "home")
    first = handle.load_tables()
    first["value"] = pd.NA  # the caller's frame, not the handle's
    assert _licensing(handle.load_tables()) == [71]
    made = []
    real = handle.parse
    monkeypatch.setattr(handle, "parse", lambda *a, **k: made.append(1) or real(*a, **k))
    handle.load_tables()
    assert made == []  # kept
    handle.clear()
    handle.load_tables()
    assert made == [1]  # made again after clear()


def test_the_module_level_loaders_equal_the_default_handle():
    pd.testing.assert_frame_equal(tk.load_tables(), tk.Corpus().load_tables())
    pd.testing.assert_frame_equal(tk.load_reports(), tk.Corpus(jobs=1).load_reports())


def test_a_handle_can_be_passed_where_a_corpus_is(corpus, tmp_path):
    handle = tk.Corpus(corpus, data_home=tmp_path / "home")
    pd.testing.assert_frame_equal(tk.load_panel(handle), handle.load_panel())
    assert not (Path(os.environ["XXGK_HOME"]) / corpus_home(corpus).name).exists()


def test_the_readme_documents_the_handle():
    text = README.read_text(encoding="utf-8")
    section = re.search(r"^## Python API\n(.*?)^## ", text, re.S | re.M).group(1)
    assert "tk.Corpus(" in section
    for method in ("load_tables", "load_narratives", "indicators", "build", "audit", "clear"):
        assert re.search(rf"\.{method}\(", section), method
    assert "data_home" in section


@pytest.mark.parametrize("name", ["load_reports", "load_tables", "indicators", "load_statements", "load_parse_log",
                                  "load_narratives"])
def test_each_loaders_column_dictionary_names_its_columns_and_their_dtypes(name):
    """The table in a loader's docstring is what a reader trusts: the same columns, in any order,
    with the dtypes the frame has."""
    fn = getattr(tk, name)
    rule = r"( *)=+(?: +=+)+\n"
    head = re.search(rule + r".*?\n\1=+(?: +=+)+\n(.*?)\n\1=+(?: +=+)+\n", fn.__doc__, flags=re.S)
    assert head, f"{name} has no column dictionary"
    indent, body = head.group(1), head.group(2)
    documented = dict(re.findall(rf"^{indent}(\S+) +(\S+)", body, flags=re.M))
    frame = fn()
    assert set(documented) == set(frame.columns)
    assert {c: str(frame[c].dtype) for c in frame.columns} == documented
