"""Small reports built in code for the visible-text tests: one table 3, whose 自然人 cell of
the 本年新收 row is written by the caller (plain, hidden, struck, superscript, tracked …).

Every report has table 3 of the 2021 template with 本年新收 = 20 3 1 0 2 1 27, 予以公开
and 总计 the same, every other row zero: the numbers a reader of the page sees.
"""
from __future__ import annotations

import html as html_lib
import io

from support import T3_LABELS

TITLE = "某市某局2023年政府信息公开工作年度报告"
COLUMNS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
NEW = ["20", "3", "1", "0", "2", "1", "27"]
ZERO = ["0"] * 7
ROWS = [(label, NEW if i in (0, 2, 23) else ZERO) for i, label in enumerate(T3_LABELS)]
BEFORE = [TITLE, "一、总体情况", "本机关依法做好政府信息公开工作。", "二、主动公开政府信息情况",
          "本年主动公开政府信息。", "三、收到和处理政府信息公开申请情况"]
AFTER = ["四、政府信息公开行政复议、行政诉讼情况", "本年无行政复议、行政诉讼。",
         "五、存在的主要问题及改进情况", "信息公开工作仍有不足。", "六、其他需要报告的事项", "无。"]


# ------------------------------------------------------------------ HTML

def html_report(cell: str, cells: dict | None = None, head_html: str = "") -> bytes:
    """A report page whose 本年新收/自然人 cell is the HTML *cell* (other cells plain);
    *cells* maps other (row, column) indexes of the value cells to their HTML."""
    cells = {(0, 0): cell, **(cells or {})}
    head = "<tr><td>申请人情况</td>" + "".join(f"<td>{c}</td>" for c in COLUMNS) + "</tr>"
    body = []
    for i, (label, values) in enumerate(ROWS):
        shown = [cells.get((i, j), v) for j, v in enumerate(values)]
        body.append(f"<tr><td>{html_lib.escape(label)}</td>" + "".join(f"<td>{c}</td>" for c in shown) + "</tr>")
    paras = lambda lines: "".join(f"<p>{html_lib.escape(t)}</p>" for t in lines)  # noqa: E731
    page = (f"<html><head><meta charset='utf-8'><title>{TITLE}</title>{head_html}</head><body><div class='article'>"
            f"{paras(BEFORE)}<table>{head}{''.join(body)}</table>{paras(AFTER)}</div></body></html>")
    return page.encode("utf-8")


# ------------------------------------------------------------------ DOCX

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NS = (f'xmlns:w="{W_NS}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
       'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" '
       'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"')


def run(text: str, rpr: str = "") -> str:
    """A ``w:r`` holding *text*, with run properties *rpr* (inner XML of ``w:rPr``)."""
    props = f"<w:rPr>{rpr}</w:rPr>" if rpr else ""
    return f'<w:r>{props}<w:t xml:space="preserve">{text}</w:t></w:r>'


def docx_report(cell_xml: str, styles_xml: str | None = None, cells: dict | None = None) -> bytes:
    """A report whose 本年新收/自然人 cell paragraph holds the raw WordprocessingML *cell_xml*
    (runs and containers; the ``w``, ``mc``, ``w14`` and ``wps`` prefixes are declared);
    *cells* maps other (row, column) indexes of the value cells to the XML of their
    body (paragraphs).  *styles_xml*: extra ``w:style`` elements added to the styles part."""
    import docx
    from lxml import etree

    document = docx.Document()
    for line in BEFORE:
        document.add_paragraph(line)
    table = document.add_table(rows=len(ROWS) + 1, cols=8)
    for j, c in enumerate(["申请人情况", *COLUMNS]):
        table.cell(0, j).text = c
    for i, (label, values) in enumerate(ROWS, start=1):
        table.cell(i, 0).text = label
        for j, v in enumerate(values, start=1):
            table.cell(i, j).text = v
    target = table.cell(1, 1).paragraphs[0]._p
    for r in list(target.iterchildren(f"{{{W_NS}}}r")):
        target.remove(r)
    wrapper = etree.fromstring(f"<w:p {_NS}>{cell_xml}</w:p>")
    for child in list(wrapper):
        target.append(child)
    for (i, j), body in (cells or {}).items():
        tc = table.cell(i + 1, j + 1)._tc
        for p in list(tc.iterchildren(f"{{{W_NS}}}p")):
            tc.remove(p)
        for child in etree.fromstring(f"<w:tc {_NS}>{body}</w:tc>"):
            tc.append(child)
    for line in AFTER:
        document.add_paragraph(line)
    if styles_xml:
        styles = document.styles.element
        for st in etree.fromstring(f"<w:styles {_NS}>{styles_xml}</w:styles>"):
            styles.append(st)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# ------------------------------------------------------------------ PDF

def pdf_report(draw_cell, cells: dict | None = None) -> bytes:
    """A one-page PDF report (reportlab, a CID font for the Chinese text) with table 3 drawn
    as ruled cells; ``draw_cell(canvas, x, y, font)`` draws the 本年新收/自然人 cell's text
    with its baseline at (x, y), x the cell's left edge plus padding; *cells* maps other
    (row, column) indexes of the value cells to such functions."""
    cells = {(0, 0): draw_cell, **(cells or {})}
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas as rl_canvas

    font = "STSong-Light"
    pdfmetrics.registerFont(UnicodeCIDFont(font))
    buf = io.BytesIO()
    width, height = landscape(A4)
    c = rl_canvas.Canvas(buf, pagesize=(width, height * 2.2), invariant=1)
    top = height * 2.2 - 40
    y = top
    c.setFont(font, 10)
    for line in BEFORE:
        c.drawString(40, y, line)
        y -= 16
    label_w, col_w, row_h = 300, 60, 16
    x0 = 40
    grid_top = y
    rows = [("申请人情况", COLUMNS), *ROWS]
    for i, (label, values) in enumerate(rows):
        ry = grid_top - i * row_h
        c.setFont(font, 7)
        c.drawString(x0 + 2, ry - 11, label[:40])
        for j, v in enumerate(values):
            cx = x0 + label_w + j * col_w
            if i >= 1 and (i - 1, j) in cells:
                cells[(i - 1, j)](c, cx + 4, ry - 11, font)
            else:
                c.setFont(font, 9)
                c.drawString(cx + 4, ry - 11, v)
    n = len(rows)
    right = x0 + label_w + 7 * col_w
    for i in range(n + 1):
        c.line(x0, grid_top - i * row_h, right, grid_top - i * row_h)
    for xx in [x0, x0 + label_w, *(x0 + label_w + j * col_w for j in range(1, 8))]:
        c.line(xx, grid_top, xx, grid_top - n * row_h)
    y = grid_top - n * row_h - 20
    c.setFont(font, 10)
    for line in AFTER:
        c.drawString(40, y, line)
        y -= 16
    c.showPage()
    c.save()
    return buf.getvalue()
