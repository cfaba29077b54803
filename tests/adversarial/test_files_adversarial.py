"""Hostile files: special files, paths that leave the corpus, malformed and oversized
tables, scanned PDFs, runaway warnings, file names with newlines.

Each case runs ``xxgk`` in a child process with a deadline and a 1 GiB memory
ceiling (adv_support.run_cli) and expects a one-line error naming the file, or
a build that skips the file, lists it and carries on.
"""
from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from adv_support import append_row, report_text, run_cli
from toolkit.errors import ReportError
from toolkit.fileio import read_bytes
from toolkit.reading import read_document
from toolkit.reading.document import MAX_GRID_CELLS

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_report(city: str = "银川市", span: str | None = None) -> bytes:
    """A DOCX of seed 003's text with a 3x3 table; *span* is put as the first cell's w:gridSpan."""
    import docx

    document = docx.Document()
    for line in report_text(city).splitlines():
        if line.strip():
            document.add_paragraph(line)
    table = document.add_table(rows=3, cols=3)
    for row in table.rows:
        for cell in row.cells:
            cell.text = "1"
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue() if span is None else with_first_gridspan(buf.getvalue(), span)


def with_first_gridspan(docx_bytes: bytes, span: str) -> bytes:
    """*docx_bytes* with ``w:gridSpan w:val=span`` put on the first table cell."""
    src = zipfile.ZipFile(io.BytesIO(docx_bytes))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:tcPr>", f'<w:tcPr><w:gridSpan w:val="{span}"/>'.encode(), 1)
                assert f'w:val="{span}"'.encode() in data
            z.writestr(info, data)
    return out.getvalue()


def _list(corpus: Path, name: str, data: bytes | None = None, file: str | None = None) -> str:
    """Put *data* at reports/NAME (unless None) and list it in metadata.csv; returns the report_id."""
    rid = Path(name).stem
    if data is not None:
        (corpus / "reports" / name).write_bytes(data)
    append_row(corpus, report_id=rid, file=file or f"reports/{name}")
    return rid


# ------------------------------------------------------------------ item 1 and 6: DOCX spans


def test_docx_invalid_gridspan_is_one_line_for_parse(tmp_path):
    bad = tmp_path / "bad.docx"
    bad.write_bytes(docx_report(span="abc"))
    line = run_cli("parse", bad).one_line_error(str(bad), "gridSpan", "'abc'")
    assert "invalid literal" not in line


def test_docx_invalid_gridspan_is_skipped_and_listed_by_build_and_audit(corpus, tmp_path):
    rid = _list(corpus, "bad.docx", docx_report(span="abc"))
    out = tmp_path / "out"
    run = run_cli("build", "--corpus", corpus, "--out", out, "--jobs", "1", "--no-excel", "--no-charts")
    assert run.rc == 0 and "Traceback" not in run.err, run.err
    assert re.search(r"^skipped .*bad\.docx: .*gridSpan", run.out, re.M), run.out
    reports = pd.read_parquet(out / "reports.parquet").set_index("report_id")
    assert reports.loc[rid, "status"] == "error" and "gridSpan" in reports.loc[rid, "error"]
    assert (reports.drop(rid)["status"] != "error").all()  # the batch carried on
    audit = run_cli("audit", "--corpus", corpus, "--all")
    assert audit.rc == 0 and "Traceback" not in audit.err, audit.err
    assert "000_390bec4f8b72bc77" in audit.out  # the other reports' findings are there


def test_docx_huge_gridspan_is_refused_quickly_in_bounded_memory(tmp_path):
    bad = tmp_path / "huge.docx"
    bad.write_bytes(docx_report(span="100000000"))
    assert bad.stat().st_size < 100_000
    run = run_cli("parse", bad, timeout=20, max_rss=300 * 2**20)
    run.one_line_error(str(bad), "100,000,000", "limit")
    assert run.seconds < 10


def test_docx_wide_row_padded_over_many_rows_is_refused(tmp_path):
    """One row spanning 150,000 columns padded over 100 rows would be 15M cells."""
    import docx

    document = docx.Document()
    document.add_paragraph("银川市民政局2023年政府信息公开工作年度报告")
    document.add_table(rows=100, cols=1)
    buf = io.BytesIO()
    document.save(buf)
    path = tmp_path / "wide.docx"
    path.write_bytes(with_first_gridspan(buf.getvalue(), "150000"))
    with pytest.raises(ReportError, match=f"more than {MAX_GRID_CELLS:,} cells") as err:
        read_document(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_docx_ordinary_spans_still_read(tmp_path):
    ok = tmp_path / "ok.docx"
    ok.write_bytes(docx_report(span="2"))
    run = run_cli("parse", ok)
    assert run.rc == 0, run.err
    assert '"agency": "银川市民政局"' in run.out


def test_html_spans_are_bounded(tmp_path):
    """100 rows x 20 cells of rowspan=200 colspan=50 (67 KB): the spans ask for a grid far larger
    than the page, so the reader refuses the table in bounded time, naming the file."""
    row = "<tr>" + '<td rowspan="200" colspan="50">1</td>' * 20 + "</tr>"
    for n in (100, 2000):
        page = tmp_path / f"spans{n}.html"
        page.write_text("<html><body><p>银川市民政局2023年政府信息公开工作年度报告</p><table>"
                        + row * n + "</table></body></html>", encoding="utf-8")
        run = run_cli("parse", page, timeout=20)
        run.one_line_error(str(page), "cells")
        assert run.seconds < 10


def test_html_one_wide_row_over_many_short_ones_is_bounded(tmp_path):
    """One row of 199,000 cells over 1,000 one-cell rows passed the cell count, then padded
    every row to the widest: about 199 M cells (7.7 s and 1.6 GB)."""
    page = tmp_path / "wide.html"
    page.write_text("<html><body><p>银川市民政局2023年政府信息公开工作年度报告</p><table><tr>"
                    + "<td>1</td>" * 199_000 + "</tr>" + "<tr><td>1</td></tr>" * 1_000
                    + "</table></body></html>", encoding="utf-8")
    run = run_cli("parse", page, timeout=20)
    run.one_line_error(str(page), "cells")
    assert run.seconds < 10


# ------------------------------------------------------------------ item 3: special files


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "report.txt"
    os.mkfifo(path)
    return path


def test_parse_fifo_and_dev_zero_do_not_hang(fifo):
    run_cli("parse", fifo, timeout=15).one_line_error(str(fifo), "FIFO")
    run_cli("parse", "/dev/zero", timeout=15).one_line_error("/dev/zero", "device")


def test_read_bytes_size_cap_names_itself(tmp_path):
    big = tmp_path / "big.txt"
    with open(big, "wb") as fh:
        fh.truncate(3 * 2**20)  # sparse: no real disk used
    with pytest.raises(ReportError, match=r"2 MiB limit") as err:
        read_bytes(big, limit=2 * 2**20)
    assert str(big) in str(err.value)


def test_build_and_loaders_skip_fifo_and_symlink_to_dev_zero(corpus, tmp_path):
    os.mkfifo(corpus / "reports" / "pipe.txt")
    (corpus / "reports" / "zero.txt").symlink_to("/dev/zero")
    _list(corpus, "pipe.txt")
    _list(corpus, "zero.txt")
    out = tmp_path / "out"
    run = run_cli("build", "--corpus", corpus, "--out", out, "--jobs", "1", "--no-excel", "--no-charts",
                  timeout=60)
    assert run.rc == 0, run.err
    assert re.search(r"^skipped .*pipe\.txt: .*FIFO", run.out, re.M), run.out
    assert re.search(r"^skipped .*zero\.txt: .*(outside the corpus|device)", run.out, re.M), run.out
    # The loaders in a fresh process (no build in this data home): no hang either.
    code = ("import toolkit as tk, sys; r = tk.load_reports(sys.argv[1]); "
            "print(r.loc[r.status == 'error', 'report_id'].tolist())")
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", code, str(corpus)], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "XXGK_HOME": str(tmp_path / "home")})
    assert done.returncode == 0, done.stderr
    assert "pipe" in done.stdout and "zero" in done.stdout


# ------------------------------------------------------------------ item 4: paths out of the corpus


@pytest.mark.parametrize("file", ["../../../../../../etc/hostname", "/etc/hostname", "reports/../../outside.txt",
                                  "reports/link.txt"])
def test_metadata_file_outside_the_corpus_is_refused(corpus, tmp_path, file):
    outside = tmp_path / "outside.txt"
    outside.write_text(report_text("兰州市"), encoding="utf-8")
    (corpus / "reports" / "link.txt").symlink_to(outside)
    rid = _list(corpus, "escape.txt", file=file)
    out = tmp_path / "out"
    run = run_cli("build", "--corpus", corpus, "--out", out, "--jobs", "1", "--no-excel", "--no-charts")
    assert run.rc == 0, run.err
    assert re.search(r"^skipped .*(not a path inside the corpus|outside the corpus).*refused", run.out, re.M), run.out
    reports = pd.read_parquet(out / "reports.parquet").set_index("report_id")
    assert reports.loc[rid, "status"] == "error"
    assert "兰州" not in " ".join(reports["agency"].dropna())  # never read


# ------------------------------------------------------------------ item 11: smaller ones


def test_scanned_pdf_says_no_text_layer(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig = plt.figure(figsize=(2, 2))
    fig.figimage(np.random.default_rng(0).random((50, 50)))  # a picture of a page, no text
    path = tmp_path / "scan.pdf"
    fig.savefig(path, format="pdf")
    plt.close(fig)
    line = run_cli("parse", path).one_line_error(str(path), "no text layer")
    assert "corrupt" not in line


def test_warnings_are_capped(tmp_path):
    """A table row repeated 20,000 times gave one warning listing every value (1M rows: 14 MB)."""
    lines = report_text("银川市").splitlines()
    (i,) = [k for k, line in enumerate(lines) if "予以公开" in line]
    path = tmp_path / "repeated.txt"
    path.write_text("\n".join(lines[:i] + [lines[i]] * 20_000 + lines[i + 1:]), encoding="utf-8")
    run = run_cli("parse", path, timeout=60)
    assert run.rc == 0, run.err
    import json

    data = json.loads(run.out)
    assert data["warnings"] and max(len(w) for w in data["warnings"]) <= 2000
    assert any("t3.granted" in w for w in data["warnings"])
    assert data["tables"]["t3"]["granted"]["total"] is None  # the values are still not guessed
    assert sum(len(w) for w in data["warnings"]) < 20_000


def test_cap_warnings_cuts_long_and_many_warnings():
    """However a parser warning grows (a row of a million values quoted whole), the report
    keeps at most MAX_WARNINGS of at most MAX_WARNING_CHARS, and says what was cut."""
    from toolkit.data.workers import MAX_WARNING_CHARS, MAX_WARNINGS, cap_warnings
    from toolkit.parsing import Report

    long = "t3.granted: found " + " ".join(["1"] * 1_000_000) + " values"
    report = Report("r", None, None, None, None, "2021", {}, {},
                    warnings=[long] + [f"t2.row{i}: blank cell" for i in range(5 * MAX_WARNINGS)])
    capped = cap_warnings(report).warnings
    assert len(capped) <= MAX_WARNINGS + 1
    assert max(len(w) for w in capped) <= MAX_WARNING_CHARS + 100
    assert capped[0].startswith("t3.granted") and "cut" in capped[0]
    assert "cut" in capped[-1] or "more" in capped[-1]


def test_file_name_with_newline_gives_one_line(tmp_path):
    bad = tmp_path / "bad\nname\x1b[31m.txt"
    bad.write_bytes(b"\x00\x01\x02" * 100)
    line = run_cli("parse", bad).one_line_error("bad name")
    assert "\x1b" not in line


def test_build_names_a_listed_file_with_newline_on_one_line(corpus, tmp_path):
    (corpus / "reports" / "two\nlines.txt").write_bytes(b"")
    _list(corpus, "twolines.txt", file="reports/two\nlines.txt")
    run = run_cli("build", "--corpus", corpus, "--out", tmp_path / "out", "--jobs", "1", "--no-excel",
                  "--no-charts")
    assert run.rc == 0, run.err
    (line,) = [ln for ln in run.out.splitlines() if ln.startswith("skipped")]
    assert "two lines.txt" in line and "empty file" in line


@pytest.mark.parametrize("error", [KeyError("w:val"), IndexError("list index out of range"), AssertionError(),
                                   TypeError("unsupported operand"), ValueError("invalid literal for int()")])
def test_any_reader_exception_names_the_file(tmp_path, monkeypatch, error):
    from toolkit.reading import docx as docx_reader

    def broken(data, source=None):
        raise error

    monkeypatch.setattr(docx_reader, "read_docx", broken)
    path = tmp_path / "some.docx"
    path.write_bytes(docx_report())
    with pytest.raises(ReportError) as err:
        read_document(path)
    assert str(err.value).startswith(f"{path}: malformed DOCX ({type(error).__name__}")
    assert "\n" not in str(err.value)
