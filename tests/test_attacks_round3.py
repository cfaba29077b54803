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

from toolkit.reading import ocr, read_data, read_document  # noqa: E402
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


@pytest.fixture
def recognised(monkeypatch):
    """The pictures handed to OCR (by size), none actually recognised."""
    seen: list[tuple[int, int]] = []

    def fake(bgr, page=1):
        seen.append((bgr.shape[1], bgr.shape[0]))
        return ["OCR text", Grid([["项目", "1"]])], []

    monkeypatch.setattr(ocr, "page_document", fake)
    monkeypatch.setattr(ocr, "available", lambda: True)
    return seen


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
