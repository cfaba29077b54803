"""Pictures and text a reader of the page does not see (or sees otherwise) never give numbers.

Each case is a page built by hand so that what a browser or Word shows is known by
construction: a picture hidden, drawn too small to read, replaced by another, animated, cut
off in part; text painted transparent, shrunk or moved off screen.  The pictures handed to
OCR are recorded (none is recognised): a picture a reader does not see must not be read.
"""
from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from toolkit.reading import read_data, read_document  # noqa: E402
from toolkit.reading.document import Grid  # noqa: E402
from toolkit.reading.html import read_html  # noqa: E402

A = "http://schemas.openxmlformats.org/drawingml/2006/main"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"


def png(width: int, height: int, frames: int = 1, fmt: str = "PNG") -> bytes:
    """A white picture with an empty ruled table across it (4 rows, 5 columns); *frames* > 1
    gives an animated picture whose frames differ (the table shifted)."""
    from PIL import Image, ImageDraw

    images = []
    for f in range(frames):
        img = Image.new("RGB", (width, height), (255, 255, 255))
        d = ImageDraw.Draw(img)
        for k in range(5):
            y = 2 + f * 3 + k * (height - 11) // 4
            d.line((2, y, width - 3, y), fill=(0, 0, 0), width=2)
        for k in range(6):
            x = 2 + k * (width - 5) // 5
            d.line((x, 2, x, height - 3), fill=(0, 0, 0), width=2)
        images.append(img)
    buf = io.BytesIO()
    if frames > 1:
        images[0].save(buf, fmt, save_all=True, append_images=images[1:], duration=500, loop=1)
    else:
        images[0].save(buf, fmt)
    return buf.getvalue()


def html_page(body: str, style: str = "") -> bytes:
    return (f"<html><head><meta charset='utf-8'><style>{style}</style></head><body><div>"
            f"<h1>某县人民政府2022年政府信息公开工作年度报告</h1><h2>一、总体情况</h2><p>详见下表。</p>"
            f"{body}<h2>六、其他需要报告的事项</h2><p>无。</p></div></body></html>").encode("utf-8")



# ------------------------------------------------------------------ HTML pictures

UNSEEN_HTML = {
    # drawn too small to show a table a reader could read, or in no space
    "width attribute 1": "<img src='t.png' width='1' height='1'>",
    "style 1px": "<img src='t.png' style='width:1px;height:1px'>",
    "max-width 0": "<img src='t.png' style='max-width:0'>",
    "max-height 0px": "<img src='t.png' style='max-height:0px'>",
    "scaled to nothing": "<img src='t.png' style='transform:scale(0.001)'>",
    "zoomed to nothing": "<img src='t.png' style='zoom:0.001'>",
    # drawn elsewhere: off screen, outside its own box
    "translated off screen": "<img src='t.png' style='transform:translateX(-99999px)'>",
    "margin off screen": "<img src='t.png' style='margin-left:-99999px'>",
    "object-position off": "<img src='t.png' style='object-position:-9999px 0'>",
    # inside a dialog that is not open
    "closed dialog": "<dialog><img src='t.png'></dialog>",
}


@pytest.mark.parametrize("body", UNSEEN_HTML.values(), ids=UNSEEN_HTML.keys())
def test_html_picture_a_reader_cannot_see_is_not_read(tmp_path, recognised, body):
    (tmp_path / "t.png").write_bytes(png(800, 300))
    page = tmp_path / "r.html"
    page.write_bytes(html_page(body))
    doc = read_document(page)
    assert recognised == [] and not doc.ocr and "OCR text" not in doc.text
    page.write_bytes(html_page(body + "<img src='t.png'>"))  # the same picture, shown: read
    assert read_document(page).ocr and recognised == [(800, 300)]


SWAPPED_HTML = {
    "srcset": "<img srcset='b.png' src='a.png'>",
    "srcset with widths": "<img srcset='b.png 800w, a.png 400w' src='a.png'>",
    "picture source": "<picture><source srcset='b.png'><img src='a.png'></picture>",
    "content url": "<img src='a.png' style='content:url(b.png)'>",
}


@pytest.mark.parametrize("body", SWAPPED_HTML.values(), ids=SWAPPED_HTML.keys())
def test_html_picture_shown_in_place_of_src_is_not_read_as_src(tmp_path, recognised, body):
    """A browser shows b.png (srcset, <picture>, content:url) where the src names a.png: which
    table a reader sees is not a.png's, so a.png's numbers must not enter."""
    (tmp_path / "a.png").write_bytes(png(800, 300))
    (tmp_path / "b.png").write_bytes(png(900, 400))
    page = tmp_path / "r.html"
    page.write_bytes(html_page(body))
    doc = read_document(page)
    assert (800, 300) not in recognised and "OCR text" not in doc.text


def test_srcset_naming_only_the_src_itself_is_read(tmp_path, recognised):
    (tmp_path / "a.png").write_bytes(png(800, 300))
    page = tmp_path / "r.html"
    page.write_bytes(html_page("<img srcset='a.png 1x' src='a.png'>"))
    assert read_document(page).ocr and recognised == [(800, 300)]


@pytest.mark.parametrize("fmt", ["GIF", "PNG"])
def test_animated_picture_is_not_read_from_its_first_frame(tmp_path, recognised, fmt):
    """An animated GIF or APNG played once ends on its last frame: a reader does not see the
    first frame's table (and while it plays, sees several)."""
    (tmp_path / "t.img").write_bytes(png(800, 300, frames=2, fmt=fmt))
    page = tmp_path / "r.html"
    page.write_bytes(html_page("<img src='t.img'>"))
    doc = read_document(page)
    assert recognised == [] and not doc.ocr
    assert any("t.img" in w and "frames" in w for w in doc.warnings)


# ------------------------------------------------------------------ DOCX pictures


def _docx(mutate) -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("一、总体情况")
    run = d.add_paragraph().add_run()
    run.add_picture(io.BytesIO(png(800, 300)))
    mutate(run._r)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _extent(r, cx: int, cy: int) -> None:
    for tag in (f"{{{WP}}}extent", f"{{{A}}}ext"):
        for e in r.iter(tag):
            e.set("cx", str(cx))
            e.set("cy", str(cy))


def _alpha(r, amt: int) -> None:
    from lxml import etree

    blip = next(r.iter(f"{{{A}}}blip"))
    etree.SubElement(blip, f"{{{A}}}alphaModFix").set("amt", str(amt))


UNSEEN_DOCX = {
    "drawn zero size": lambda r: _extent(r, 0, 0),
    "drawn one pixel": lambda r: _extent(r, 9525, 9525),
    "fully transparent": lambda r: _alpha(r, 0),
}


@pytest.mark.parametrize("mutate", UNSEEN_DOCX.values(), ids=UNSEEN_DOCX.keys())
def test_docx_picture_a_reader_cannot_see_is_not_read(recognised, mutate):
    doc = read_data(_docx(mutate), "x.docx", ".docx")
    assert recognised == [] and not doc.ocr
    assert read_data(_docx(lambda r: None), "x.docx", ".docx").ocr and recognised == [(800, 300)]


VML = ('<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
       'xmlns:v="urn:schemas-microsoft-com:vml" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
       '<w:pict><v:shape style="STYLE"><v:imagedata r:id="RID"/></v:shape></w:pict></w:r>')


@pytest.mark.parametrize("style", ["width:400pt;height:150pt;visibility:hidden", "width:400pt;height:150pt;display:none",
                                   "width:0;height:0", "width:400pt;height:150pt;position:absolute;margin-left:-9999pt"])
def test_docx_hidden_vml_picture_is_not_read(recognised, style):
    import docx
    from lxml import etree

    def build(style):
        d = docx.Document()
        d.add_paragraph("一、总体情况")
        rid, _ = d.part.get_or_add_image(io.BytesIO(png(900, 400)))
        d.add_paragraph()._p.append(etree.fromstring(VML.replace("STYLE", style).replace("RID", rid)))
        buf = io.BytesIO()
        d.save(buf)
        return buf.getvalue()

    assert not read_data(build(style), "v.docx", ".docx").ocr and recognised == []
    assert read_data(build("width:400pt;height:150pt"), "v.docx", ".docx").ocr and recognised == [(900, 400)]


def test_docx_picture_cropped_is_read_only_where_shown(recognised):
    """Word shows the top half of a picture cropped at the bottom by half (a:srcRect b=50%):
    the rows cut off are not seen and must not be read."""
    from lxml import etree

    def crop(r):
        fill = next(r.iter("{http://schemas.openxmlformats.org/drawingml/2006/picture}blipFill"))
        rect = etree.Element(f"{{{A}}}srcRect")
        rect.set("b", "50000")
        fill.insert(1, rect)

    assert read_data(_docx(crop), "c.docx", ".docx").ocr
    assert recognised == [(800, 150)]


# ------------------------------------------------------------------ text a reader does not see

UNSEEN_TEXT = {
    "text fill transparent": "<span style='-webkit-text-fill-color:transparent'>7</span>",
    "text fill white": "<span style='-webkit-text-fill-color:#fff'>7</span>",
    "closed dialog": "<dialog>7</dialog>",
    "scaled to nothing": "<div style='transform:scale(0.001)'>7</div>",
    "scaleY to nothing": "<div style='transform:scaleY(0.001)'>7</div>",
    "zoomed to nothing": "<div style='zoom:0.001'>7</div>",
    "translated off screen": "<div style='transform:translateX(-99999px)'>7</div>",
    "margin off screen": "<div style='margin-left:-99999px'>7</div>",
    "margin-top off screen": "<div style='margin-top:-99999px'>7</div>",
}


@pytest.mark.parametrize("hidden", UNSEEN_TEXT.values(), ids=UNSEEN_TEXT.keys())
def test_hidden_digit_in_a_table_cell_does_not_join_the_number(hidden):
    """A cell showing 12 with an unseen 7 beside it reads 12, never 127."""
    page = (f"<html><body><table><tr><td>自然人</td><td>12{hidden}</td></tr></table></body></html>").encode()
    doc = read_html(page)
    assert doc.grids[0].rows[0][1] == "12"


@pytest.mark.parametrize("shown", ["<span style='-webkit-text-fill-color:#000;color:#fff'>7</span>",
                                   "<div style='transform:scale(0.8)'>7</div>",
                                   "<div style='margin-left:-490px;left:50%'>7</div>",
                                   "<div style='transform:translateX(-50%)'>7</div>",
                                   "<dialog open>7</dialog>"])
def test_seen_digit_in_a_table_cell_is_read(shown):
    page = (f"<html><body><table><tr><td>自然人</td><td>12{shown}</td></tr></table></body></html>").encode()
    assert read_html(page).grids[0].rows[0][1].replace("\n", "") == "127"  # a block starts a line


# ------------------------------------------------------------------ scanned tables: marks beside numbers

T4_HEADER_ROW = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3


def test_t4_groups_on_different_header_lines_are_not_read_rotated():
    """行政诉讼 printed on the line above 行政复议 (a header cell spanning two rows is centred
    lower, so a text layer or OCR gives it later): the reader sees 行政复议 leftmost, its group
    1 0 0 0 1.  The text must not be taken to say 行政诉讼's groups come first."""
    from toolkit.parsing.tables import read_t4_text

    text = ("四、政府信息公开行政复议、行政诉讼情况\n行政诉讼\n行政复议\t未经复议直接起诉\t复议后起诉\n"
            + "\t".join(T4_HEADER_ROW) + "\n" + "\t".join("1 0 0 0 1 2 0 0 0 2 3 0 0 0 3".split())
            + "\n五、存在的主要问题及改进情况\n")
    got = read_t4_text(text, []).table
    shown = {"reconsideration": 1, "litigation_direct": 2, "litigation_after": 3}
    for row, first in shown.items():
        for col, v in (got.get(row) or {}).items():
            assert v is None or v == {"upheld": first, "total": first}.get(col, 0), (row, col, v)


def test_a_number_marked_unsure_is_not_read_from_text():
    """OCR marks a reading it is unsure of with a trailing ? (12?): never the number 12."""
    from toolkit.parsing.tables import value_tokens

    numbers, doubtful = value_tokens("51? 0 0 0 51?")
    assert numbers == ["0", "0", "0"] and doubtful == ["51?", "51?"]


def test_an_unsure_t4_cell_leaves_only_itself_missing():
    from toolkit.parsing.tables import read_grid_t4

    grid = Grid([["行政复议"] * 5 + ["行政诉讼"] * 10,
                 ["行政复议"] * 5 + ["未经复议直接起诉"] * 5 + ["复议后起诉"] * 5,
                 T4_HEADER_ROW,
                 ["51?", "0", "0", "0", "5", "1", "0", "0", "0", "1", "2", "0", "0", "0", "2"]])
    got = read_grid_t4([grid], [])
    assert got.table["reconsideration"]["upheld"] is None
    assert got.status["reconsideration"]["upheld"] == "doubtful_text"
    assert got.table["reconsideration"]["total"] == 5
    assert got.table["litigation_after"] == {"upheld": 2, "corrected": 0, "other": 0, "pending": 0, "total": 2}


def _marked_cells(monkeypatch):
    """Cells of the rendered page written ``S:8:6`` show 8 struck through with 6 beside it;
    ``5¹`` is a 5 with a raised footnote mark (the font's superscript one)."""
    from benchmarks import scans

    plain = scans._Canvas.cell

    def cell(self, box, text, align="center"):
        if not (isinstance(text, str) and text.startswith("S:")):
            return plain(self, box, text, align)
        _, struck, shown = text.split(":")
        plain(self, box, "", align)
        x0, y0, x1, y1 = box
        full = f"{struck} {shown}"
        lh = self.px(28)
        x = (x0 + x1 - self.draw.textlength(full, font=self.font)) / 2
        top = (y0 + y1) / 2 - lh / 2
        self.draw.text((x, top), full, fill=(0, 0, 0), font=self.font)
        bx0, by0, bx1, by1 = self.draw.textbbox((x, top), struck, font=self.font)
        y = (by0 + by1) / 2
        self.draw.line((bx0 - self.px(6), y, bx1 + self.px(6), y), fill=(0, 0, 0), width=self.px(3))

    monkeypatch.setattr(scans._Canvas, "cell", cell)
    return scans


def test_scanned_struck_number_and_footnote_mark_never_join_the_number(monkeypatch):
    """Table 4 of a scan: 行政复议 维持 5¹ … 总计 5¹ (a footnote mark), 未经复议直接起诉 维持
    8̶ 6 … 总计 8̶ 6 (8 struck, 6 written beside).  Each group's arithmetic holds whether the
    mark is read as a digit (51, 86) or not, so only the reading itself can keep 51 and 86 out."""
    import json

    from toolkit.parsing import parse_bytes

    scans = _marked_cells(monkeypatch)
    truth = json.loads((Path(__file__).parent / "truth" / "2022_4fc3b7f70d2ff347.json").read_text(encoding="utf-8"))
    truth["tables"]["t4"] = {
        "reconsideration": {"upheld": "5¹", "corrected": 0, "other": 0, "pending": 0, "total": "5¹"},
        "litigation_direct": {"upheld": "S:8:6", "corrected": 0, "other": 0, "pending": 0, "total": "S:8:6"},
        "litigation_after": {"upheld": 1, "corrected": 0, "other": 0, "pending": 0, "total": 1},
    }
    shown = {"reconsideration": {"upheld": 5, "total": 5}, "litigation_direct": {"upheld": 6, "total": 6},
             "litigation_after": {"upheld": 1, "total": 1}}
    report = parse_bytes(scans.to_bytes(scans.render_pages(truth), "PNG"), "marks.png")
    assert report.ocr
    t4 = report.tables.get("t4") or {}
    for row, cols in t4.items():
        for col, v in cols.items():
            assert v is None or v == shown[row].get(col, 0), (row, col, v)
    assert t4["litigation_after"]["upheld"] == 1  # the unmarked group is still read
    for row, cols in truth["tables"]["t3"].items():  # and nothing of table 3 is wrong
        for col, true in cols.items():
            got = ((report.tables.get("t3") or {}).get(row) or {}).get(col)
            assert got is None or got == true, (row, col, got)


# ------------------------------------------------------------------ PDF text under a picture or a filled box


def _pdf(draw) -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595.3, 841.9))
    draw(c)
    c.save()
    return buf.getvalue()


def _text(c, words: str, y: float = 700) -> None:
    c.setFillColorRGB(0, 0, 0)
    c.setFont("Helvetica", 12)
    c.drawString(72, y, words)


def test_pdf_text_painted_over_by_a_scan_is_not_read():
    """A text layer drawn first, the page's scan painted over it: a reader sees the scan only,
    so the page is read from the scan (here a picture of one visible line), never from the
    hidden layer's 999 888 777."""
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader

    img = Image.new("RGB", (1240, 1754), (255, 255, 255))
    ImageDraw.Draw(img).rectangle((100, 100, 1100, 160), fill=(0, 0, 0))

    def draw(c):
        _text(c, "2022 report 999 888 777")
        c.drawImage(ImageReader(img), 0, 0, 595.3, 841.9)

    from toolkit.errors import ReportError

    try:
        doc = read_data(_pdf(draw), "under.pdf", ".pdf")
    except ReportError:  # the scan shows no text: nothing to read, and the layer is not it
        return
    assert "999" not in doc.text and "888" not in doc.text


def test_pdf_text_covered_by_a_filled_box_is_not_read_but_text_on_one_is():
    def draw(c):
        _text(c, "covered 999", y=700)
        c.setFillColorRGB(1, 1, 1)
        c.rect(60, 690, 300, 30, fill=1, stroke=0)
        c.setFillColorRGB(0.9, 0.9, 0.9)
        c.rect(60, 590, 300, 30, fill=1, stroke=0)  # a shaded cell, its text drawn on it
        _text(c, "shown 123", y=600)

    doc = read_data(_pdf(draw), "boxes.pdf", ".pdf")
    assert "123" in doc.text and "999" not in doc.text


def test_pdf_text_under_a_half_transparent_box_is_read():
    def draw(c):
        _text(c, "seen 456")
        c.setFillColorRGB(1, 1, 0)
        c.setFillAlpha(0.3)  # a highlighter
        c.rect(60, 690, 300, 30, fill=1, stroke=0)

    assert "456" in read_data(_pdf(draw), "marked.pdf", ".pdf").text


def test_docx_picture_differing_between_word_and_its_fallback_is_not_read(recognised):
    """mc:AlternateContent: Word shows the mc:Choice (a drawing of picture A), older programs
    the mc:Fallback (picture B).  Which table a reader sees is not certain: neither is read."""
    import docx
    from lxml import etree

    def build(same: bool) -> bytes:
        d = docx.Document()
        d.add_paragraph("一、总体情况")
        run = d.add_paragraph().add_run()
        run.add_picture(io.BytesIO(png(800, 300)))
        drawing = run._r.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}drawing")
        rid_a = next(drawing.iter(f"{{{A}}}blip")).get(
            "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed")
        rid_b = rid_a if same else d.part.get_or_add_image(io.BytesIO(png(900, 400)))[0]
        alt = etree.fromstring(
            '<mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
            'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
            '<mc:Choice Requires="wps"/><mc:Fallback/></mc:AlternateContent>')
        run._r.remove(drawing)
        alt[0].append(drawing)
        alt[1].append(etree.fromstring(VML.replace("STYLE", "width:400pt;height:150pt").replace("RID", rid_b))[0])
        run._r.append(alt)
        buf = io.BytesIO()
        d.save(buf)
        return buf.getvalue()

    doc = read_data(build(False), "alt.docx", ".docx")
    assert recognised == [] and not doc.ocr
    assert any("mc:AlternateContent" in w for w in doc.warnings)
    assert read_data(build(True), "alt.docx", ".docx").ocr and len(recognised) == 1


@pytest.mark.parametrize("box", ["height:200px;overflow:hidden", "max-height:10em;overflow:hidden",
                                 "width:300px;overflow-x:clip"])
def test_html_picture_cut_by_a_box_hiding_its_overflow_is_not_read(tmp_path, recognised, box):
    """A page image 300 px high shown in a box 200 px high that hides the rest: the reader sees
    its top only (the tables below it are cut off), so its tables cannot be read for certain."""
    (tmp_path / "t.png").write_bytes(png(800, 300))
    page = tmp_path / "r.html"
    page.write_bytes(html_page(f"<div style='{box}'><p><img src='t.png'></p></div>"))
    doc = read_document(page)
    assert recognised == [] and not doc.ocr
    assert any("t.png" in w and "overflow" in w for w in doc.warnings)
    page.write_bytes(html_page("<div style='overflow:hidden'><img src='t.png'></div>"))  # no fixed size: whole
    assert read_document(page).ocr and recognised == [(800, 300)]
