"""The stored notebooks: every chart shows inline, prose numbers are computed, nothing is written
into the checkout.

nbval (``pytest notebooks``) re-runs the notebooks and compares their text outputs; it does not
compare images, and a figure built outside pyplot shows only ``<Figure size …>`` unless the
notebook registers IPython's PNG formatter (``%matplotlib inline``).  These tests read the stored
notebooks and fail when a cell that draws a chart has no ``image/png`` output.
"""
from __future__ import annotations

import re
from pathlib import Path

import jupytext
import nbformat
import pytest

from toolkit import plots

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
# Calls that return a figure: plots.<chart>(…), plots.render(…), or a Figure built by hand.
_CHART_CALL = re.compile(r"\bplots\.(render|topic_terms|" + "|".join(plots.CHARTS) + r")\s*\(|\bFigure\s*\(")


def _draws_a_chart(source: str) -> bool:
    # A chart drawn only to be saved (plots.save(plots.render(…), …)) is not shown.
    return bool(_CHART_CALL.search(re.sub(r"plots\.save\(\s*plots\.", "plots.save(", source)))


def test_notebooks_found():
    assert len(NOTEBOOKS) >= 6


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_matches_its_source(path):
    # The .py (Jupytext percent format) is the source; the stored notebook is built from it by
    # notebooks/build_notebooks.py. A cell edited in one and not the other is drift.
    source = path.with_suffix(".py")
    assert source.exists(), f"{path.name} has no source {source.name}"
    built = [(c.cell_type, c.source) for c in jupytext.read(source, fmt="py:percent").cells]
    stored = [(c.cell_type, c.source) for c in nbformat.read(path, as_version=4).cells]
    assert stored == built, f"{path.name} differs from {source.name}: rebuild it (notebooks/build_notebooks.py)"


def test_the_chart_detector():
    assert _draws_a_chart('fig = plots.render("outcomes")\nfig')
    assert _draws_a_chart("plots.applications_and_refusals(ind, by='organ')")
    assert _draws_a_chart("fig = Figure(figsize=(9, 4))")
    assert not _draws_a_chart("sorted(plots.CHARTS)")
    assert not _draws_a_chart("tk.indicators()")
    assert not _draws_a_chart("saved += plots.save(plots.render(name, by=by), stem)")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_chart_cell_has_an_inline_image(path):
    nb = nbformat.read(path, as_version=4)
    missing = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not _draws_a_chart(cell.source):
            continue
        if not any("image/png" in out.get("data", {}) for out in cell.get("outputs", [])):
            missing.append(f"cell {i}: {cell.source.splitlines()[0]}")
    assert missing == [], f"{path.name}: chart cells without an inline image"


# Writing to a path spelled out in the code (relative, so inside the checkout): a bug.
_WRITE_TO_LITERAL = re.compile(r"\b(save|savefig|to_csv|to_parquet|to_excel|write_text|write_bytes)\(\s*f?[\"']"
                               r"|\bopen\(\s*f?[\"'][^\"']*[\"']\s*,\s*[\"'][wax]|[\"']\.*/?build/")


def test_the_write_detector():
    assert _WRITE_TO_LITERAL.search('plots.save(fig, f"../build/charts/{name}")')
    assert _WRITE_TO_LITERAL.search("frame.to_csv('out.csv')")
    assert _WRITE_TO_LITERAL.search('open("x.txt", "w")')
    assert not _WRITE_TO_LITERAL.search('plots.save(plots.render(name), Path(folder) / stem)')
    assert not _WRITE_TO_LITERAL.search('pd.read_csv("../tests/fixtures/codebook/manual_coding.csv")')


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_write_nothing_into_the_checkout(path):
    nb = nbformat.read(path, as_version=4)
    # Charts and files go to a temporary folder (tempfile), never to a path in the checkout.
    bad = [line for c in nb.cells if c.cell_type == "code" for line in c.source.splitlines()
           if _WRITE_TO_LITERAL.search(line)]
    assert bad == []


# A number in hand-written prose can drift from the data; these may stay: template and
# report-year names, table numbers, the interval level, enumerations in headings.
# (Definitions, not findings: "never 0", "a 0 bar", "sections (of 6)", "300 dpi".)
_ALLOWED = re.compile(r"\b(2019|2021|2020)\b|[tT][234]\b|95%|Article 20|[tT]able [234]|^#+ \d+\.|"
                      r"\(\d\)|notebook \d|section \d|never 0\b|\ba 0 bar|\(of 6\)|300 dpi")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_prose_states_no_number_by_hand(path):
    nb = nbformat.read(path, as_version=4)
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            rest = _ALLOWED.sub("", line)
            if re.search(r"\d", rest):
                found.append(f"cell {i}: {line}")
    assert found == [], "numbers in markdown cells: compute them in a code cell (Markdown(f'…'))"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_closing_paragraph_is_rendered_from_the_computation(path):
    nb = nbformat.read(path, as_version=4)
    last = [c for c in nb.cells if c.cell_type == "code"][-1]
    assert "Markdown(" in last.source
    shown = [out["data"]["text/markdown"] for out in last.get("outputs", [])
             if "text/markdown" in out.get("data", {})]
    assert shown and shown[0].startswith("**What it shows.**")
