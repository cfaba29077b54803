"""OCR of scanned pages: numbers enter the data only when the table's arithmetic vouches for them.

The pages are rendered from real reports' tables (true values read by hand, in
tests/truth) and degraded as scans are (benchmarks/scans.py); every value a test
expects comes from the truth file, never from the OCR.
"""
from __future__ import annotations

import functools
import io
import json
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import scans as pages  # noqa: E402
from toolkit import schema  # noqa: E402
from toolkit.errors import ReportError  # noqa: E402
from toolkit.parsing import parse_bytes  # noqa: E402
from toolkit.parsing.ocr_tables import identities, vouch_report, vouched  # noqa: E402
from toolkit.parsing.report import Report  # noqa: E402
from toolkit.reading import ocr, read_data  # noqa: E402

TRUTH = Path(__file__).parent / "truth"
# Reports with complete, self-consistent tables 3 and 4 (large, small and zero-heavy numbers).
BIG, MID, SMALL = "2025_fb8bfcf9bb4fc033", "2023_1c540d17821f0932", "2022_4fc3b7f70d2ff347"


def truth(report_id: str) -> dict:
    return json.loads((TRUTH / f"{report_id}.json").read_text(encoding="utf-8"))


#: Which hand-read report each degradation is drawn from (large, small and zero-heavy numbers).
_CASE_TRUTH = {"rotated": BIG, "blurred": MID, "jpeg": SMALL, "150dpi": MID, "seal": BIG, "yellowed": SMALL,
               "split": BIG}


def _degrade(case: str):
    """(file name, bytes, truth) of one degraded scan; fixed seeds throughout."""
    t = truth(_CASE_TRUTH[case])
    name, data = pages.DEGRADATIONS[case](t)
    return name, data, t


def injected(t: dict) -> dict:
    """*t* with one wrong digit: 予以公开 by natural persons is 201 in the report; the page shows
    207, which breaks its row sum and its column's outcome sum."""
    bad = json.loads(json.dumps(t))
    bad["tables"]["t3"]["granted"]["natural_person"] = 207
    return bad


CASES = tuple(_CASE_TRUTH)


@functools.lru_cache(maxsize=None)
def read_case(case: str):
    """The parse of one degraded scan (OCR is slow: once per test session)."""
    name, data, t = _degrade(case)
    return parse_bytes(data, name), t


score = pages.score


@pytest.mark.parametrize("case", CASES)
def test_degraded_scan_reads_most_cells_and_none_wrong(case):
    report, t = read_case(case)
    assert report.ocr
    exact, wrong, total = score(report, t)
    assert wrong == 0
    assert exact >= 0.9 * total, f"{case}: {exact} of {total} exact"
    # Every cell left missing says why: the OCR did not vouch for it.
    for table in ("t3", "t4"):
        for row, cols in report.tables[table].items():
            for col, v in cols.items():
                if v is None:
                    assert report.status_of(table, row, col) in ("ocr_unverified", "label_not_found")
    assert any(w.startswith("OCR: ") and " cells verified" in w for w in report.warnings)


def test_wrong_digit_in_one_cell_comes_out_missing():
    t = truth(BIG)
    assert t["tables"]["t3"]["granted"]["natural_person"] == 201
    report = parse_bytes(pages.to_bytes(pages.render_pages(injected(t)), "PNG"), "injected.png")
    assert report.tables["t3"]["granted"]["natural_person"] is None
    assert report.status_of("t3", "granted", "natural_person") == "ocr_unverified"
    assert any("t3.granted.natural_person: OCR read 207" in w for w in report.warnings)
    exact, wrong, _ = score(report, t)
    assert wrong == 0
    # Table 4 has no broken identity: its numbers are still read.
    assert report.tables["t4"] == t["tables"]["t4"]


# ------------------------------------------------------------------ the vouching rule


def _consistent_t3(free: list[int]) -> dict:
    """A table 3 whose identities all hold, built from free values (the outcome rows, carried
    over and carried forward; 新收 follows from the rest, negative if need be)."""
    cols = [c.key for c in schema.T3_COLUMNS]
    outcomes = schema.t3_outcome_rows("2021")
    it = iter(free)
    table: dict = {}
    for r in [*outcomes, "carried_over", "carried_forward"]:
        vals = [next(it) for _ in cols[:-1]]
        table[r] = dict(zip(cols, [*vals, sum(vals)]))
    table["total_handled"] = {c: sum(table[r][c] for r in outcomes) for c in cols}
    table["new_received"] = {c: table["total_handled"][c] + table["carried_forward"][c] - table["carried_over"][c]
                             for c in cols}
    return table


def test_consistent_table_is_vouched_entirely():
    table = _consistent_t3(list(range(1, 200)))
    assert len(vouched("t3", table, "2021")) == 25 * 7
    table["granted"]["research"] += 1  # one misreading: its row and its column lose their vouch
    good = vouched("t3", table, "2021")
    assert ("granted", "research") not in good and ("granted", "total") not in good
    assert ("total_handled", "research") not in good and ("denied.inquiry", "research") not in good
    assert ("granted", "commercial") in good or ("total_handled", "commercial") in good


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 50), min_size=200, max_size=200),
       st.lists(st.tuples(st.integers(0, 24), st.integers(0, 6), st.integers(-9, 9)), min_size=1, max_size=4))
def test_a_reading_that_breaks_an_identity_is_never_read(free, errors):
    table = _consistent_t3(free)
    rows = [r.key for r in schema.T3_ROWS]
    cols = [c.key for c in schema.T3_COLUMNS]
    for i, j, delta in errors:  # misreadings
        table[rows[i]][cols[j]] += delta
    good = vouched("t3", table, "2021")
    for left, right in identities("t3", "2021"):
        got = [table[r][c] for r, c in left + right]
        if sum(got[:len(left)]) != sum(got[len(left):]):
            assert not (set(left + right) & good)
    # And through the report: no cell of a failed identity keeps its value.
    report = Report(None, None, None, None, 2023, "2021", {}, {"t2": None, "t3": table, "t4": None})
    out = vouch_report(report)
    for left, right in identities("t3", "2021"):
        got = [table[r][c] for r, c in left + right]
        if sum(got[:len(left)]) != sum(got[len(left):]):
            for r, c in left + right:
                assert out.tables["t3"][r][c] is None
                assert out.status_of("t3", r, c) == "ocr_unverified"


def test_table_2_is_never_vouched():
    report = Report(None, None, None, None, 2023, "2021", {},
                    {"t2": {"rules": {"made": 1, "repealed": 0, "in_force": 5}}, "t3": None, "t4": None})
    out = vouch_report(report)
    assert out.tables["t2"]["rules"] == {"made": None, "repealed": None, "in_force": None}
    assert out.status_of("t2", "rules", "made") == "ocr_unverified"
    assert "OCR: 0 of 3 cells verified" in out.warnings


def test_seal_filter_keeps_black_text_and_drops_red_ink():
    import numpy as np

    img = np.full((20, 30, 3), 255, np.uint8)
    img[:, :10] = (40, 30, 220)   # seal red (BGR) on paper
    img[:, 10:20] = (0, 0, 0)     # black text
    img[:, 20:] = (27, 20, 147)   # black text under the seal's ink
    out = ocr.remove_red(img)
    assert out[:, :10].min() > 200
    assert out[:, 10:20].max() < 60
    assert out[:, 20:].max() < out[:, :10].min() - 40  # still ink, darker than the seal


def test_deskew_estimates_the_rotation():
    import cv2
    import numpy as np

    page = pages.rotate(pages.render_pages(truth(SMALL), dpi=100)[0], 1.5)
    gray = cv2.cvtColor(np.asarray(page)[..., ::-1].copy(), cv2.COLOR_BGR2GRAY)
    assert ocr.skew_angle(gray) == pytest.approx(1.5, abs=0.25)


def test_without_the_extra_a_scan_gets_one_line_naming_it(monkeypatch):
    monkeypatch.setattr(ocr, "available", lambda: False)
    data = pages.to_bytes(pages.render_pages(truth(SMALL), dpi=72), "PNG")
    with pytest.raises(ReportError) as exc:
        read_data(data, "scan.png", ".png")
    message = str(exc.value)
    assert "\n" not in message and message.startswith("scan.png: ")
    assert "pip install 'xxgk[ocr]'" in message
    pdf = pages.to_bytes(pages.render_pages(truth(SMALL), dpi=72), "PDF")
    with pytest.raises(ReportError, match=r"xxgk\[ocr\]"):
        read_data(pdf, "scan.pdf", ".pdf")


def test_unreadable_image_is_named():
    with pytest.raises(ReportError, match="broken.png: unreadable image"):
        read_data(b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "broken.png", ".png")


def test_add_image_only_pdf_shows_in_load_tables_as_ocr(tmp_path):
    from toolkit.cli import main
    from toolkit.data import load_tables

    name, data, t = _degrade("150dpi")
    read_case("150dpi")  # pages already recognised in this process are not recognised again
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(data)
    corpus = tmp_path / "corpus"
    assert main(["init", str(corpus)]) == 0
    assert main(["add", str(scan), "--corpus", str(corpus)]) == 0
    assert scan.read_bytes() == data  # the user's file is untouched
    df = load_tables(corpus)
    assert set(df["source"]) == {"ocr"}
    t3 = df[df["table"] == "t3"]
    read = t3[t3["status"] == "read"]
    assert len(read) >= 0.9 * 25 * 7
    for _, cell in read.iterrows():
        assert cell["value"] == t["tables"]["t3"][cell["row"]][cell["column"]]


def test_image_files_are_sniffed_by_suffix_and_by_their_first_bytes():
    from toolkit.reading import sniff

    png = pages.to_bytes(pages.render_pages(truth(SMALL), dpi=30), "PNG")
    jpg = pages.to_bytes(pages.render_pages(truth(SMALL), dpi=30), "JPEG")
    tif = pages.to_bytes(pages.render_pages(truth(SMALL), dpi=30), "TIFF")
    assert [sniff(png), sniff(jpg), sniff(tif)] == ["png", "jpeg", "tiff"]
    assert sniff(png, ".PNG") == "png" and sniff(b"x", ".tiff") == "tiff" and sniff(b"x", ".jpeg") == "jpeg"
    assert sniff("报告".encode()) == "text"


# ------------------------------------------------------------------ header words misread


def _t3_header_grid(words: list[str]):
    from toolkit.reading.document import Grid

    return Grid([["", "申请人情况", "", "", "", "", "", ""],
                 ["", "", "法人或其他组织", "", "", "", "", ""],
                 ["", *words],
                 ["一、本年新收政府信息公开申请数量", "3", "1", "0", "0", "0", "0", "4"]])


def test_a_header_word_misread_by_one_character_is_mended():
    from toolkit.parsing.ocr_tables import mend_headers

    read = ["自然人", "商业企业", "科研机构", "社会公益细织", "法律服务机构", "其他", "总计"]
    (grid,) = mend_headers([_t3_header_grid(read)])
    assert grid.rows[2][1:] == ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    assert grid.rows[3] == ["一、本年新收政府信息公开申请数量", "3", "1", "0", "0", "0", "0", "4"]


def test_a_mended_header_out_of_the_templates_order_is_left_as_read():
    from toolkit.parsing.ocr_tables import mend_headers

    # 科研机构 misread as 商业机构 would be mended to 商业企业 or 科研机构: neither is nearer,
    # so it stays; and a mending that puts two columns' words out of order is refused.
    tied = ["自然人", "商业企业", "商业机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    (grid,) = mend_headers([_t3_header_grid(tied)])
    assert grid.rows[2][1:] == tied
    swapped = ["自然人", "科研机木", "商业企业", "社会公益组织", "法律服务机构", "其他", "总计"]
    (grid,) = mend_headers([_t3_header_grid(swapped)])
    assert grid.rows[2][1:] == swapped


def test_a_scan_behind_an_invisible_text_layer_is_read_from_its_image():
    """A scanned PDF carrying an invisible text layer (as OCR tools add one): the layer is not
    what the page shows, so it is not read; the page is OCR'd."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    t = truth(SMALL)
    page = pages.render_pages(t, dpi=150)[0]
    buf = io.BytesIO()
    w, h = 595.3, 841.9
    c = canvas.Canvas(buf, pagesize=(w, h))
    c.drawImage(ImageReader(page), 0, 0, w, h)
    text = c.beginText(72, 700)
    text.setTextRenderMode(3)  # neither filled nor stroked: invisible
    text.setFont("Helvetica", 12)
    text.textLine("2022 report 999 888 777")
    c.drawText(text)
    c.save()
    doc = read_data(buf.getvalue(), "layered.pdf", ".pdf")
    assert doc.ocr
    assert "999" not in doc.text and "888" not in doc.text
    report = parse_bytes(buf.getvalue(), "layered.pdf")  # the page's pixels: recognised once
    exact, wrong, total = score(report, t)
    assert wrong == 0 and exact >= 0.9 * total


def test_pages_over_worker_processes_read_as_in_one_process():
    name, data, t = _degrade("split")
    one = ocr.read_scanned_pdf(data, name)
    two = ocr.read_scanned_pdf(data, name, jobs=2)
    assert two.text == one.text
    assert [g.rows for g in two.grids] == [g.rows for g in one.grids]


def _t3_grid(labels: list[str]):
    from toolkit.reading.document import Grid

    header = ["", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    return Grid(rows=[header] + [[label, "1", "0", "0", "0", "0", "0", "1"] for label in labels])


def test_a_row_label_misread_by_one_character_is_given_the_template_name():
    from toolkit.parsing.ocr_tables import mend_labels

    # The recognizer dropped 予 from （一）予以公开 on a yellowed page.
    grid = _t3_grid(["一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "（一）以公开",
                     "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"])
    mended = mend_labels([grid])[0]
    assert [r[0] for r in mended.rows[1:]] == ["一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量",
                                               "（一）予以公开", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"]
    assert grid.rows[3][0] == "（一）以公开"  # the caller's grid is not changed


def test_row_labels_are_not_mended_against_the_template_order():
    from toolkit.parsing.ocr_tables import mend_labels

    # 以公开 would become 予以公开 above 新收: two rows out of order, the grid is left as read.
    grid = _t3_grid(["（一）以公开", "一、本年新收政府信息公开申请数量"])
    assert mend_labels([grid])[0].rows == grid.rows
    # 部以公开 is one edit from 部分公开 and one from 予以公开: no mending.
    grid = _t3_grid(["一、本年新收政府信息公开申请数量", "（二）部以公开"])
    assert mend_labels([grid])[0].rows == grid.rows
    # Three edits from every name: no mending.
    grid = _t3_grid(["一、本年新收政府信息公开申请数量", "5.属于X类内部过程性信息"])
    assert mend_labels([grid])[0].rows == grid.rows
