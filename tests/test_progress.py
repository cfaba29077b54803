"""The one progress-bar rule: a bar for long runs on a terminal only, whoever asks."""
import io
from pathlib import Path

import pytest

from toolkit import progress
from toolkit.corpus import fetch as fetch_module


class _Stderr(io.StringIO):
    def __init__(self, tty: bool):
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize("tty", [True, False])
def test_rule_needs_a_terminal_and_a_long_run(monkeypatch, tty):
    monkeypatch.setattr(progress.sys, "stderr", _Stderr(tty))
    assert progress.show_progress(progress.MIN_ITEMS + 1) is tty
    assert progress.show_progress(progress.MIN_ITEMS) is False
    assert progress.show_progress(2, min_items=1) is tty
    # An explicit choice wins either way.
    assert progress.show_progress(1, True) is True
    assert progress.show_progress(10**6, False) is False


@pytest.mark.parametrize("tty", [True, False])
def test_fetch_draws_its_bar_by_the_same_rule(monkeypatch, tmp_path, tty):
    """Two URLs get a bar on a terminal and none on a pipe or in a log (was: a bar on a pipe too)."""
    stderr = _Stderr(tty)
    monkeypatch.setattr(progress.sys, "stderr", stderr)
    corpus = tmp_path / "corpus"
    (corpus / "reports").mkdir(parents=True)
    header = (Path(__file__).parents[1] / "corpus" / "metadata.csv").read_text(encoding="utf-8").splitlines()[0]
    (corpus / "metadata.csv").write_text(header + "\n", encoding="utf-8")
    result = fetch_module.fetch(["not a url", "ftp://example.org/x.pdf"], corpus, delay=0, retries=0)
    assert [item.status for item in result.items] == ["skipped", "skipped"]
    assert ("fetching" in stderr.getvalue()) is tty
