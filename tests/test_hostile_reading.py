"""Pages built to deceive a text extractor: each shows table 3 with 本年新收 = 20 3 1 0 2 1 27
to a reader, while its text holds digits a reader does not see (hidden by a stylesheet
rule, painted in the colour of the ground, moved off screen, clipped, overprinted …).

The expected value of the 自然人 cell is what the page shows: 20, or missing as
``doubtful_text`` where a reader cannot tell the number.  Never another number.
"""
from __future__ import annotations

import pytest

from toolkit.parsing import parse_bytes

from test_visible_text import assert_doubtful, assert_read, natural_person
from visible_fixtures import docx_report, html_report, pdf_report, run


def _styled(css: str, cell: str) -> str:
    return f"<style>{css}</style>{cell}"


# ------------------------------------------------------------------ HTML

HTML_READ = {
    "descendant selector": _styled("table td span.x{display:none}", '<span class="x">5</span>20'),
    "two classes": _styled(".a.b{display:none}", '<span class="a b">5</span>20'),
    "child selector": _styled("td > span{display:none}", "<span>5</span>20"),
    "attribute selector": _styled("[data-h]{display:none}", '<span data-h="1">5</span>20'),
    "tag selector": _styled("i{visibility:hidden}", "<i>5</i>20"),
    "comment inside the declaration": '<span style="display:/**/none">5</span>20',
    "print-only rule does not hide on screen": _styled("@media print{.x{display:none}}", '<span class="x">2</span>0'),
    "screen rule hides": _styled("@media screen{.x{display:none}}", '<span class="x">5</span>20'),
    "inline style beats a class rule": _styled(".x{display:none}", '<span class="x" style="display:inline">2</span>0'),
    "!important rule beats inline": _styled(".x{display:none !important}", '<span class="x" style="display:inline">5</span>20'),
    "hover rule is not the page's state": _styled(".x:hover{display:none}", '<span class="x">2</span>0'),
    "white text": '<span style="color:#fff">5</span>20',
    "white by name": '<span style="color:white">5</span>20',
    "white by rgb()": '<span style="color:rgb(255,255,255)">5</span>20',
    "transparent": '<span style="color:transparent">5</span>20',
    "alpha 0": '<span style="color:rgba(0,0,0,0)">5</span>20',
    "font color attribute": '<font color="#FFFFFF">5</font>20',
    "white by class": _styled(".w{color:#ffffff}", '<span class="w">5</span>20'),
    "colour of its own background": '<span style="background-color:#c00;color:#cc0000">5</span>20',
    "white child of white text with dark colour restored": '<span style="color:#fff">5<span style="color:#000">20</span></span>',
    "white on a black ground is seen": '<span style="background:#000;color:#fff">20</span>',
    "opacity 0%": '<span style="opacity:0%">5</span>20',
    "font:0/0 a": '<span style="font:0/0 a">5</span>20',
    "off screen": '<span style="position:absolute;left:-9999px">5</span>20',
    "text-indent": '<span style="display:inline-block;text-indent:-9999px">5</span>20',
    "clip rect": '<span style="position:absolute;clip:rect(0 0 0 0)">5</span>20',
    "clip-path": '<span style="clip-path:inset(50%);position:absolute">5</span>20',
    "zero width, overflow hidden": '<span style="display:inline-block;width:0;overflow:hidden">5</span>20',
    "screen-reader-only class": _styled(".sr-only{position:absolute;width:1px;height:1px;margin:-1px;"
                                        "overflow:hidden;clip:rect(0,0,0,0)}", '<span class="sr-only">5</span>20'),
    "scale(0)": '<span style="display:inline-block;transform:scale(0)">5</span>20',
    "ruby annotation": "<ruby>20<rt>5</rt></ruby>",
    "closed details": "<details><summary>20</summary>5</details>",
    "select shows its chosen option": "<select><option>20</option><option>5</option></select>",
    "iframe fallback": "<iframe>5</iframe>20",
    "object fallback": '<object data="x.svg">5</object>20',
    "aria-hidden is still shown": '<span aria-hidden="true">2</span>0',
}


@pytest.mark.parametrize("case", sorted(HTML_READ))
def test_html_hostile_reads_20(case):
    assert_read(html_report(HTML_READ[case]), ".html")


def test_html_white_text_in_a_black_table_is_seen():
    page = html_report('<font color="white">20</font>').replace(b"<table>", b'<table bgcolor="#000000">', 1)
    assert_read(page, ".html")


def test_html_raised_by_vertical_align_top_is_a_mark():
    assert_read(html_report('20<span style="vertical-align:top;font-size:8px">1</span>'), ".html",
                mark_note="superscript")


def test_html_cell_struck_by_a_class_rule_is_doubtful():
    page = html_report("20").replace(b"<td>20</td>", b'<td class="k">20</td>', 1)
    page = page.replace(b"</head>", b"<style>td.k{text-decoration:line-through}</style></head>")
    assert_doubtful(page, ".html", "struck")


@pytest.mark.parametrize("cell", ["<textarea>5</textarea>20", '<svg width="9" height="9"><text>5</text></svg>20'])
def test_html_widget_beside_a_number_is_never_joined(cell):
    report = parse_bytes(html_report(cell), "case.html")
    value = report.tables["t3"]["new_received"]["natural_person"]
    status = report.cell_status["t3"]["new_received"]["natural_person"]
    assert value is None and status in ("doubtful_text", "ambiguous")


# ------------------------------------------------------------------ DOCX

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _edit_docx(data: bytes, edit) -> bytes:
    """*data* with ``edit(table)`` applied to its python-docx table 3."""
    import io

    import docx

    document = docx.Document(io.BytesIO(data))
    edit(document.tables[0])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _shade(pr, fill: str) -> None:
    from lxml import etree

    shd = etree.SubElement(pr, f"{W}shd")
    shd.set(f"{W}val", "clear")
    shd.set(f"{W}color", "auto")
    shd.set(f"{W}fill", fill)


DOCX_READ = {
    "specVanish": run("5", "<w:specVanish/>") + run("20"),
    "white": run("5", '<w:color w:val="FFFFFF"/>') + run("20"),
    "near white": run("5", '<w:color w:val="FEFEFE"/>') + run("20"),
    "theme background colour": run("5", '<w:color w:val="000000" w:themeColor="background1"/>') + run("20"),
    "colour of its own shading": run("5", '<w:color w:val="FF0000"/><w:shd w:val="clear" w:color="auto" w:fill="FF0000"/>')
                                 + run("20"),
    "colour of its highlight": run("5", '<w:color w:val="FFFF00"/><w:highlight w:val="yellow"/>') + run("20"),
    "white on its own black shading is seen": run("20", '<w:color w:val="FFFFFF"/>'
                                                        '<w:shd w:val="clear" w:color="auto" w:fill="000000"/>'),
    "half-point text": run("5", '<w:sz w:val="1"/>') + run("20"),
    "squeezed to 1% width": run("5", '<w:w w:val="1"/>') + run("20"),
    "whole cell lowered is not a mark": run("20", '<w:position w:val="-6"/>'),
}


@pytest.mark.parametrize("case", sorted(DOCX_READ))
def test_docx_hostile_reads_20(case):
    assert_read(docx_report(DOCX_READ[case]), ".docx")


def test_docx_full_size_digit_raised_after_the_number_is_a_mark():
    assert_read(docx_report(run("20") + run("1", '<w:position w:val="6"/>')), ".docx", mark_note="superscript")


def test_docx_grey_text_on_a_grey_cell_is_not_read():
    data = _edit_docx(docx_report(run("5", '<w:color w:val="808080"/>') + run("20")),
                      lambda t: _shade(t.cell(1, 1)._tc.get_or_add_tcPr(), "808080"))
    assert_read(data, ".docx")


def test_docx_white_text_on_a_black_cell_is_seen():
    data = _edit_docx(docx_report(run("20", '<w:color w:val="FFFFFF"/>')),
                      lambda t: _shade(t.cell(1, 1)._tc.get_or_add_tcPr(), "000000"))
    assert_read(data, ".docx")


def test_docx_cell_deleted_as_tracked_change_is_not_read():
    """A deleted cell holding 99 before the 自然人 cell, the row's last cell removed: read
    by position, 99 would be the 自然人 value.  The accepted row has six value cells."""
    import copy

    from lxml import etree

    def edit(table):
        tc = table.cell(1, 1)._tc
        ghost = copy.deepcopy(tc)
        for t in ghost.iter(f"{W}t"):
            t.text = "99"
        etree.SubElement(ghost.get_or_add_tcPr(), f"{W}cellDel", {f"{W}id": "9", f"{W}author": "a"})
        tc.addprevious(ghost)
        tr = table.rows[1]._tr
        tr.remove(tr.findall(f"{W}tc")[-1])

    report = parse_bytes(_edit_docx(docx_report(run("20")), edit), "case.docx")
    assert report.tables["t3"]["new_received"]["natural_person"] is None
    assert report.cell_status["t3"]["new_received"]["natural_person"] == "ambiguous"


def test_docx_cell_deleted_as_tracked_change_closes_up_the_row():
    import copy

    from lxml import etree

    def edit(table):
        tc = table.cell(1, 1)._tc
        ghost = copy.deepcopy(tc)
        for t in ghost.iter(f"{W}t"):
            t.text = "99"
        etree.SubElement(ghost.get_or_add_tcPr(), f"{W}cellDel", {f"{W}id": "9", f"{W}author": "a"})
        tc.addprevious(ghost)

    assert_read(_edit_docx(docx_report(run("20")), edit), ".docx")


# ------------------------------------------------------------------ PDF

def _clipped_five(c, x, y, font):
    c.saveState()
    path = c.beginPath()
    path.rect(x + 5, y - 3, 40, 14)
    c.clipPath(path, stroke=0, fill=0)
    c.setFont(font, 9)
    c.drawString(x - 1, y, "5")
    c.drawString(x + 6, y, "20")
    c.restoreState()


def _five_at_alpha(alpha):
    def draw(c, x, y, font):
        c.setFont(font, 9)
        c.saveState()
        c.setFillAlpha(alpha)
        c.drawString(x, y, "5")
        c.restoreState()
        c.setFont(font, 9)
        c.drawString(x + 6, y, "20")
    return draw



def _white_outline_five(c, x, y, font):
    t = c.beginText(x, y)
    t.setFont(font, 9)
    t.setTextRenderMode(1)
    c.setStrokeColorRGB(1, 1, 1)
    t.textOut("5")
    t.setTextRenderMode(0)
    t.textOut("20")
    c.drawText(t)


def _squeezed_five(c, x, y, font):
    t = c.beginText(x, y)
    t.setFont(font, 9)
    t.setHorizScale(1)
    t.textOut("5")
    t.setHorizScale(100)
    t.textOut("20")
    c.drawText(t)


def _raised_one_apart(c, x, y, font):
    """A footnote 1 raised 2.5 pt after the 0: within pdfplumber's word gap."""
    c.setFont(font, 9)
    c.drawString(x, y, "20")
    c.setFont(font, 5)
    c.drawString(x + 10.5, y + 4, "1")


def _struck_five(c, x, y, font):
    c.setFont(font, 9)
    c.drawString(x, y, "5")
    c.line(x - 1, y + 3, x + 6, y + 3)
    c.drawString(x + 6, y, "20")


PDF_READ = {
    "clipped away": _clipped_five,
    "fill alpha 0": _five_at_alpha(0),
    # Within 13/255 of the white page: not seen.
    "fill alpha 0.01": _five_at_alpha(0.01),
    "fill alpha 0.001": _five_at_alpha(0.001),
    "white outline": _white_outline_five,
    "horizontal scale 1%": _squeezed_five,
}


@pytest.mark.parametrize("case", sorted(PDF_READ))
def test_pdf_hostile_reads_20(case):
    assert_read(pdf_report(PDF_READ[case]), ".pdf")


def test_pdf_raised_small_glyph_a_little_apart_is_a_mark():
    assert_read(pdf_report(_raised_one_apart), ".pdf", mark_note="superscript")


def test_pdf_digit_struck_by_a_drawn_line_is_a_mark():
    assert_read(pdf_report(_struck_five), ".pdf", mark_note="struck")


@pytest.mark.parametrize("dx", [0.3, 5.2])
def test_pdf_digit_drawn_over_another_is_doubtful(dx):
    """A 5 drawn over the 2 (or the 0) of 20: the page shows a blot, never 250 or 205."""
    def draw(c, x, y, font):
        c.setFont(font, 9)
        c.drawString(x, y, "20")
        c.drawString(x + dx, y, "5")

    value, status, _ = natural_person(pdf_report(draw), ".pdf")
    assert (value, status) == (None, "doubtful_text")


# ------------------------------------------------------------------ HTML: what the page adds or lays apart

def test_html_colour_from_a_css_variable():
    assert_read(html_report(_styled(":root{--w:#fff}.x{color:var(--w)}", '<span class="x">5</span>20')), ".html")


def test_html_generated_content_is_on_the_page():
    """``::after{content:'5'}`` draws a 5 after the 20: the page shows 205, and so does the reading."""
    value, status, _ = natural_person(html_report(_styled(".x::after{content:'5'}", '<span class="x">20</span>')),
                                      ".html")
    assert (value, status) == (205, "read")


@pytest.mark.parametrize("cell", ['<span style="float:right">5</span>20',
                                  '<span style="position:absolute;left:0;top:0">5</span>20',
                                  '<span style="display:block">2</span>0'])
def test_html_box_laid_out_apart_is_never_joined(cell):
    report = parse_bytes(html_report(cell), "case.html")
    assert report.tables["t3"]["new_received"]["natural_person"] is None
    assert report.cell_status["t3"]["new_received"]["natural_person"] in ("doubtful_text", "ambiguous")


@pytest.mark.parametrize("cell", ['<span style="filter:opacity(0)">5</span>20',
                                  '<span style="display:inline-block;content-visibility:hidden">5</span>20',
                                  '<span style="font-size:1px">5</span>20'])
def test_html_filtered_or_unreadably_small_text_is_not_read(cell):
    assert_read(html_report(cell), ".html")


def test_html_white_text_with_a_shadow_is_seen():
    """A shadow draws the white 5 on the white page: it is printed, and 520 is what shows."""
    value, status, _ = natural_person(html_report('<span style="color:#fff;text-shadow:0 0 2px #000">5</span>20'),
                                      ".html")
    assert (value, status) == (520, "read")


# ------------------------------------------------------------------ glyphs shown out of text order, or over each other

@pytest.mark.parametrize("cell", ['<bdo dir="rtl">02</bdo>',
                                  '<span style="unicode-bidi:bidi-override;direction:rtl">02</span>'])
def test_html_right_to_left_override_reads_as_shown(cell):
    """Text order 02, shown 20 under the override: the page's 20 is read."""
    assert_read(html_report(cell), ".html")


def test_docx_right_to_left_override_reads_as_shown():
    assert_read(docx_report('<w:bdo w:val="rtl">' + run("02") + "</w:bdo>"), ".docx")


@pytest.mark.parametrize("data, suffix", [
    (lambda: html_report('<span style="letter-spacing:-0.6em">5</span>20'), ".html"),
    (lambda: docx_report(run("5", '<w:spacing w:val="-200"/>') + run("20")), ".docx"),
])
def test_digit_condensed_over_the_next_is_doubtful(data, suffix):
    value, status, _ = natural_person(data(), suffix)
    assert (value, status) == (None, "doubtful_text")


# ------------------------------------------------------------------ stylesheets built to stall the reader

@pytest.mark.parametrize("css, body", [
    ("".join("div " * 30 + f"span.x{i}{{display:none}}" for i in range(300)), ""),
    ("*:not(a) *:not(b) *{color:red}\n" * 200, "<div><p><span>x</span></p></div>" * 4000),
])
def test_html_stylesheet_too_costly_to_apply_is_refused(css, body):
    """Applying these would take minutes: the page is refused with one line naming it, since
    what it hides cannot be told, rather than read without its styles."""
    import time

    from toolkit.errors import ReportError
    from toolkit.reading import read_data

    page = html_report("20").replace(b"</head>", f"<style>{css}</style></head>".encode())
    page = page.replace(b"</body>", (body + "</body>").encode())
    start = time.perf_counter()
    with pytest.raises(ReportError, match=r"^hostile\.html: the page's stylesheet .*not read$"):
        read_data(page, "hostile.html", ".html")
    assert time.perf_counter() - start < 20


# ------------------------------------------------------------------ grounds the reader cannot work out are taken as seen

def test_docx_white_text_in_a_table_shaded_by_its_style_is_seen():
    from lxml import etree

    style = ('<w:style w:type="table" w:styleId="Dark"><w:name w:val="Dark"/><w:tcPr>'
             '<w:shd w:val="clear" w:color="auto" w:fill="1F3864"/></w:tcPr></w:style>')

    def edit(table):
        tblpr = table._tbl.tblPr
        st = tblpr.find(f"{W}tblStyle")
        if st is None:
            st = etree.SubElement(tblpr, f"{W}tblStyle")
        st.set(f"{W}val", "Dark")

    assert_read(_edit_docx(docx_report(run("20", '<w:color w:val="FFFFFF"/>'), style), edit), ".docx")


def test_docx_white_digit_in_a_paragraph_shaded_by_its_style_is_seen():
    style = ('<w:style w:type="paragraph" w:styleId="DarkP"><w:name w:val="DarkP"/><w:pPr>'
             '<w:shd w:val="clear" w:color="auto" w:fill="000000"/></w:pPr></w:style>')
    xml = '<w:pPr><w:pStyle w:val="DarkP"/></w:pPr>' + run("5", '<w:color w:val="FFFFFF"/>') + run("20")
    value, status, _ = natural_person(docx_report(xml, style), ".docx")
    assert (value, status) == (520, "read")


def test_html_page_centred_by_a_negative_margin_is_read():
    page = html_report("20").replace(b"<div class='article'>",
                                     b"<div class='article' style='position:absolute;left:50%;margin-left:-600px;"
                                     b"width:1200px'>")
    assert_read(page, ".html")
