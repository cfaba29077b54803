"""A cell's value is its visible, final text, in every reader.

Each report below has table 3 with 本年新收 = 20 3 1 0 2 1 27 as a reader of the page sees
it; the 自然人 cell carries text a reader does not see (hidden, deleted, doubled) or sees
as a mark (superscript, struck).  Expected values are what the page shows: 20, or the
cell missing as ``doubtful_text`` when a mark sits inside the number.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.parsing import parse_bytes
from toolkit.reading import read_data
from toolkit.reading.document import DOUBTFUL, RAISED, STRUCK, settle_marks
from visible_fixtures import docx_report, html_report, pdf_report, run

HOSTILE = Path(__file__).parent / "fixtures" / "hostile"
REST = {"commercial": 3, "research": 1, "social_org": 0, "legal_service": 2, "other_org": 1, "total": 27}


def natural_person(data: bytes, suffix: str):
    """(value, status, warnings) of t3 new_received / natural_person."""
    report = parse_bytes(data, f"case{suffix}")
    row = report.tables["t3"]["new_received"]
    assert {k: row[k] for k in REST} == REST  # the other cells are untouched
    status = (report.cell_status.get("t3") or {}).get("new_received", {}).get("natural_person", "read")
    return row["natural_person"], status, report.warnings


def assert_read(data: bytes, suffix: str, mark_note: str | None = None) -> None:
    value, status, warnings = natural_person(data, suffix)
    assert (value, status) == (20, "read")
    if mark_note:
        assert any(mark_note in w and "'20'" in w for w in warnings), warnings


def assert_doubtful(data: bytes, suffix: str, mark: str) -> None:
    value, status, warnings = natural_person(data, suffix)
    assert (value, status) == (None, "doubtful_text")
    assert any(mark in w and "doubtful" in w for w in warnings), warnings


# ------------------------------------------------------------------ DOCX

STRIKE = "<w:strike/>"
SUPER = '<w:vertAlign w:val="superscript"/>'


def _del(text: str) -> str:
    return f'<w:del w:id="1" w:author="a"><w:r><w:delText>{text}</w:delText></w:r></w:del>'


def _ins(xml: str) -> str:
    return f'<w:ins w:id="2" w:author="a">{xml}</w:ins>'


DOCX_READ = {
    "plain": run("20"),
    "tracked: 2, deleted 5, inserted 0": run("2") + _del("5") + _ins(run("0")),
    "tracked: inserted 2, plain 0": _ins(run("2")) + run("0"),
    "content control": '<w:sdt><w:sdtPr><w:alias w:val="9"/></w:sdtPr><w:sdtContent>' + run("2")
                       + "</w:sdtContent></w:sdt>" + run("0"),
    "smart tag": '<w:smartTag w:uri="u" w:element="e"><w:smartTagPr><w:attr w:name="n" w:val="7"/>'
                 "</w:smartTagPr>" + run("2") + "</w:smartTag>" + run("0"),
    "custom XML": '<w:customXml w:element="v">' + run("2") + "</w:customXml>" + run("0"),
    "move": '<w:moveFrom w:id="3" w:author="a">' + run("9") + '</w:moveFrom><w:moveTo w:id="4" w:author="a">'
            + run("2") + "</w:moveTo>" + run("0"),
    "AlternateContent: understood Choice": '<mc:AlternateContent><mc:Choice Requires="w14">' + run("2")
                                           + "</mc:Choice><mc:Fallback>" + run("2")
                                           + "</mc:Fallback></mc:AlternateContent>" + run("0"),
    "AlternateContent: Fallback": '<mc:AlternateContent><mc:Choice Requires="wps">' + run("7")
                                  + "</mc:Choice><mc:Fallback>" + run("2")
                                  + "</mc:Fallback></mc:AlternateContent>" + run("0"),
    "hidden (w:vanish)": run("5", "<w:vanish/>") + run("20"),
    "hidden (w:webHidden)": run("5", "<w:webHidden/>") + run("20"),
    "simple field": '<w:fldSimple w:instr=" = 5 + 15 ">' + run("20") + "</w:fldSimple>",
    "complex field: result, not instruction": '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                                              '<w:r><w:instrText> = 5 </w:instrText></w:r>'
                                              '<w:r><w:fldChar w:fldCharType="separate"/></w:r>' + run("20")
                                              + '<w:r><w:fldChar w:fldCharType="end"/></w:r>',
    "hyperlink": '<w:hyperlink w:anchor="x">' + run("20") + "</w:hyperlink>",
    "ruby: base text, not its guide": "<w:r><w:ruby><w:rubyPr/><w:rt>" + run("5") + "</w:rt><w:rubyBase>" + run("20")
                                      + "</w:rubyBase></w:ruby></w:r>",
}


@pytest.mark.parametrize("case", sorted(DOCX_READ))
def test_docx_hidden_or_wrapped_text_reads_20(case):
    assert_read(docx_report(DOCX_READ[case]), ".docx")


def test_docx_hidden_by_character_style():
    style = '<w:style w:type="character" w:styleId="Hid"><w:name w:val="Hid"/><w:rPr><w:vanish/></w:rPr></w:style>'
    xml = '<w:r><w:rPr><w:rStyle w:val="Hid"/></w:rPr><w:t>5</w:t></w:r>' + run("20")
    assert_read(docx_report(xml, style), ".docx")


def test_docx_direct_formatting_overrides_a_hiding_style():
    style = '<w:style w:type="character" w:styleId="Hid"><w:name w:val="Hid"/><w:rPr><w:vanish/></w:rPr></w:style>'
    xml = '<w:r><w:rPr><w:rStyle w:val="Hid"/><w:vanish w:val="0"/></w:rPr><w:t>20</w:t></w:r>'
    assert_read(docx_report(xml, style), ".docx")


@pytest.mark.parametrize("xml, note", [
    (run("20") + run("1", SUPER), "superscript"),
    (run("20") + run("1", '<w:vertAlign w:val="subscript"/>'), "subscript"),
    (run("5", STRIKE) + run("20"), "struck"),
    (run("5", "<w:dstrike/>") + run("20"), "struck"),
    (run("20", '<w:sz w:val="21"/>') + run("1", '<w:position w:val="6"/><w:sz w:val="12"/>'), "superscript"),
])
def test_docx_mark_beside_number_reads_the_number(xml, note):
    assert_read(docx_report(xml), ".docx", mark_note=note)


@pytest.mark.parametrize("xml, mark", [
    (run("2") + run("5", STRIKE) + run("0"), "struck"),
    (run("2") + run("5", SUPER) + run("0"), "superscript"),
    (run("1", SUPER) + run("20"), "superscript"),
    (run("20", STRIKE), "struck"),
])
def test_docx_mark_inside_number_is_doubtful(xml, mark):
    assert_doubtful(docx_report(xml), ".docx", mark)


def test_docx_deleted_table_row_is_not_read():
    """A tracked row deletion: the accepted table has no such row."""
    import io

    import docx

    data = docx_report(run("20"))
    document = docx.Document(io.BytesIO(data))
    table = document.tables[0]
    from copy import deepcopy

    from lxml import etree

    ghost = deepcopy(table.rows[1]._tr)
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    trpr = ghost.find(f"{{{ns}}}trPr")
    if trpr is None:
        trpr = etree.SubElement(ghost, f"{{{ns}}}trPr")
        ghost.remove(trpr)
        ghost.insert(0, trpr)
    etree.SubElement(trpr, f"{{{ns}}}del", {f"{{{ns}}}id": "9", f"{{{ns}}}author": "a"})
    for t in ghost.iter(f"{{{ns}}}t"):
        if t.text == "20":
            t.text = "99"
    table.rows[1]._tr.addprevious(ghost)
    out = io.BytesIO()
    document.save(out)
    assert_read(out.getvalue(), ".docx")


# ------------------------------------------------------------------ HTML

HTML_READ = {
    "plain": "20",
    "display:none": '<span style="display:none">5</span>20',
    "display: none !important": '<span style="color:red; display: none !important">5</span>20',
    "visibility:hidden": '<span style="visibility:hidden">5</span>20',
    "font-size:0": '<span style="font-size:0px">5</span>20',
    "opacity:0": '<span style="opacity:0">5</span>20',
    "hidden attribute": "<span hidden>5</span>20",
    "template": "<template>5</template>20",
    "script": "<script>document.write('5')</script>20",
    "class hidden by the page's style": "<style>.k1{display:none}</style><span class='k1 z'>5</span>20",
    "inserted text": "<ins>2</ins>0",
    "font-size:0 row, its child sized again": '<div style="font-size:0">5<span style="font-size:12px">20</span>7</div>',
    "visibility:hidden, a child visible again": '<div style="visibility:hidden">5<b style="visibility:visible">20</b></div>',
}


@pytest.mark.parametrize("case", sorted(HTML_READ))
def test_html_hidden_text_reads_20(case):
    assert_read(html_report(HTML_READ[case]), ".html")


@pytest.mark.parametrize("cell, note", [
    ("20<sup>1</sup>", "superscript"),
    ("20<sub>1</sub>", "subscript"),
    ("<s>5</s>20", "struck"),
    ("<del>5</del>20", "struck"),
    ("<strike>5</strike>20", "struck"),
    ('<span style="text-decoration: line-through">5</span>20', "struck"),
    ('20<span style="vertical-align:super">1</span>', "superscript"),
])
def test_html_mark_beside_number_reads_the_number(cell, note):
    assert_read(html_report(cell), ".html", mark_note=note)


@pytest.mark.parametrize("cell, mark", [
    ("2<s>5</s>0", "struck"),
    ("2<del>5</del>0", "struck"),
    ("2<sup>5</sup>0", "superscript"),
    ("<sup>1</sup>20", "superscript"),
    ("<s>20</s>", "struck"),
])
def test_html_mark_inside_number_is_doubtful(cell, mark):
    assert_doubtful(html_report(cell), ".html", mark)


# ------------------------------------------------------------------ PDF

def _plain(c, x, y, font):
    c.setFont(font, 9)
    c.drawString(x, y, "20")


def _fake_bold(offset):
    def draw(c, x, y, font):
        c.setFont(font, 9)
        c.drawString(x, y, "20")
        c.drawString(x + offset, y + offset / 3, "20")
    return draw


def _white_five(c, x, y, font):
    c.setFont(font, 9)
    c.setFillColorRGB(1, 1, 1)
    c.drawString(x, y, "5")
    c.setFillColorRGB(0, 0, 0)
    c.drawString(x + 5, y, "20")


def _grey_on_grey(c, x, y, font):
    c.setFillColorRGB(0.6, 0.6, 0.6)
    c.rect(x - 3, y - 3, 50, 12, stroke=0, fill=1)
    c.setFont(font, 9)
    c.drawString(x, y, "5")
    c.setFillColorRGB(0, 0, 0)
    c.drawString(x + 5, y, "20")


def _invisible_mode(mode):
    def draw(c, x, y, font):
        t = c.beginText(x, y)
        t.setFont(font, 9)
        t.setTextRenderMode(mode)
        t.textOut("5")
        t.setTextRenderMode(0)
        t.textOut("20")
        c.drawText(t)
    return draw


def _raised_one(c, x, y, font):
    c.setFont(font, 9)
    c.drawString(x, y, "20")
    c.setFont(font, 5)
    c.drawString(x + 10, y + 4, "1")


def _raised_inside(c, x, y, font):
    c.setFont(font, 9)
    c.drawString(x, y, "2")
    c.setFont(font, 5)
    c.drawString(x + 5, y + 4, "5")
    c.setFont(font, 9)
    c.drawString(x + 8, y, "0")


PDF_READ = {
    "plain": _plain,
    "fake bold 0.1 pt": _fake_bold(0.1),
    "fake bold 0.3 pt": _fake_bold(0.3),
    "fake bold 0.6 pt": _fake_bold(0.6),
    "white 5": _white_five,
    "grey 5 on grey ground": _grey_on_grey,
    "render mode 3": _invisible_mode(3),
    "render mode 7": _invisible_mode(7),
}


@pytest.mark.parametrize("case", sorted(PDF_READ))
def test_pdf_unseen_glyphs_read_20(case):
    assert_read(pdf_report(PDF_READ[case]), ".pdf")


def test_pdf_raised_small_glyph_after_number_is_a_mark():
    assert_read(pdf_report(_raised_one), ".pdf", mark_note="superscript")


def test_pdf_raised_small_glyph_inside_number_is_doubtful():
    assert_doubtful(pdf_report(_raised_inside), ".pdf", "superscript")


# ------------------------------------------------------------------ marks never join a number

_DIGITS = st.text("0123456789", min_size=1, max_size=4)
_JUNK = st.text("0123456789", min_size=1, max_size=3)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(number=_DIGITS, mark=st.sampled_from([RAISED, STRUCK]), at=st.integers(0, 4))
def test_settled_marks_never_join_digits(number, mark, at):
    """The readers put a mark (its own digits already gone) anywhere in a number: the
    result is the number itself (mark at an edge) or doubtful, never other digits."""
    at = min(at, len(number))
    text, _ = settle_marks(number[:at] + mark + number[at:], cell=True)
    inside = 0 < at < len(number)
    leading_raised = at == 0 and mark == RAISED
    if inside or leading_raised:
        assert DOUBTFUL in text
    else:
        assert text == number


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(junk=_JUNK, kind=st.sampled_from(["hidden", "del", "s", "sup", "none-class"]),
       at=st.integers(0, 2))
def test_html_unseen_or_marked_digits_never_enter_the_number(junk, kind, at):
    wrap = {"hidden": f'<span style="display:none">{junk}</span>', "del": f"<del>{junk}</del>",
            "s": f"<s>{junk}</s>", "sup": f"<sup>{junk}</sup>",
            "none-class": f"<style>.h{{visibility:hidden}}</style><b class='h'>{junk}</b>"}[kind]
    cell = "20"[:at] + wrap + "20"[at:]
    value, status, _ = natural_person(html_report(cell), ".html")
    assert value in (20, None)
    if value is None:
        assert status == "doubtful_text"
    if kind in ("hidden", "none-class"):
        assert (value, status) == (20, "read")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(junk=_JUNK, props=st.sampled_from(["<w:vanish/>", STRIKE, SUPER, "del"]), at=st.integers(0, 2))
def test_docx_unseen_or_marked_digits_never_enter_the_number(junk, props, at):
    extra = _del(junk) if props == "del" else run(junk, props)
    xml = (run("20"[:at]) if at else "") + extra + (run("20"[at:]) if at < 2 else "")
    value, status, _ = natural_person(docx_report(xml), ".docx")
    assert value in (20, None)
    if value is None:
        assert status == "doubtful_text"
    if props in ("<w:vanish/>", "del"):
        assert (value, status) == (20, "read")


@pytest.mark.parametrize("text, settled", [
    ("1." + STRUCK + "5", "1." + DOUBTFUL + "5"),
    ("1," + RAISED + "295", "1," + DOUBTFUL + "295"),
    ("1,295" + RAISED, "1,295"),
    ("收到申请20" + RAISED + "件", "收到申请20件"),
    ("注" + RAISED + " 见下表", "注 见下表"),
])
def test_settle_marks_beside_separators(text, settled):
    assert settle_marks(text)[0] == settled


def test_reader_text_carries_no_mark_characters():
    """Marks are settled inside the reading layer: no private-use stand-in leaves it."""
    for data, suffix in [(html_report("20<sup>1</sup> <s>x</s>"), ".html"),
                         (docx_report(run("20") + run("1", SUPER)), ".docx"),
                         (pdf_report(_raised_one), ".pdf")]:
        doc = read_data(data, f"x{suffix}", suffix)
        cells = "".join(c for g in doc.grids for row in g.rows for c in row if c)
        assert RAISED not in doc.text + cells and STRUCK not in doc.text + cells


# ------------------------------------------------------------------ held-back hostile files

def _hostile_cases():
    expected = json.loads((HOSTILE / "expected.json").read_text(encoding="utf-8"))
    return sorted(expected.items())


@pytest.mark.parametrize("name, want", _hostile_cases())
def test_hostile_file(name, want):
    """Files of hostile design kept apart from the cases above, each with the value (or the
    missing status) a reader of the page would give, written down by hand."""
    path = HOSTILE / name
    report = parse_bytes(path.read_bytes(), path.name)
    t3 = report.tables["t3"]
    for cell, expect in want.items():
        row, col = cell.split(".")
        status = (report.cell_status.get("t3") or {}).get(row, {}).get(col, "read")
        if isinstance(expect, int):
            assert (t3[row][col], status) == (expect, "read"), (name, cell)
        else:
            assert (t3[row][col], status) == (None, expect), (name, cell)


def test_hostile_score_is_perfect():
    """The held-back set scored as a whole: every cell exact or missing with its reason."""
    cases = _hostile_cases()
    assert len(cases) >= 6
    wrong = []
    for name, want in cases:
        report = parse_bytes((HOSTILE / name).read_bytes(), name)
        for cell, expect in want.items():
            row, col = cell.split(".")
            got = report.tables["t3"][row][col]
            if got is not None and got != expect:
                wrong.append((name, cell, got))
    assert wrong == []
