"""Tables pasted as pictures into HTML pages and DOCX files: read by OCR where the picture stands,
every number vouched for by the tables' arithmetic; hidden, small and out-of-folder pictures not read.

Expected values are the hand-read tables in tests/truth (rendered into a page by
benchmarks/scans.py), never the parser's output.  One page is OCR'd for the whole module:
the same pixels are recognised once per process (toolkit.reading.ocr.page_document).
"""
from __future__ import annotations

import base64
import functools
import io
import json
import struct
import sys
import zlib
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import scans as pages  # noqa: E402
from toolkit.parsing import parse_bytes, parse_file  # noqa: E402
from toolkit.reading import embedded, ocr, read_data, read_document  # noqa: E402

TRUTH = Path(__file__).parent / "truth"
SMALL = "2022_4fc3b7f70d2ff347"

SECTIONS_1_2 = ("<h2>一、总体情况</h2><p>本机关认真贯彻落实《中华人民共和国政府信息公开条例》。</p>"
                "<h2>二、主动公开政府信息情况</h2><p>详见下表。</p>")


def truth() -> dict:
    return json.loads((TRUTH / f"{SMALL}.json").read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=None)
def page_png() -> bytes:
    """A page showing sections 三 and 四 with tables 3 and 4 (true values), as a PNG."""
    return pages.to_bytes(pages.render_pages(truth()), "PNG")


def png(width: int, height: int, rules: bool = True) -> bytes:
    """A white picture, with an empty ruled table of 4 rows and 5 columns across it (*rules*) or
    with a red disc (a seal, a photo: nothing ruled)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (width, height), (255, 255, 255))
    d = ImageDraw.Draw(img)
    if rules:
        for k in range(5):
            y = 2 + k * (height - 5) // 4
            d.line((2, y, width - 3, y), fill=(0, 0, 0), width=2)
        for k in range(6):
            x = 2 + k * (width - 5) // 5
            d.line((x, 2, x, height - 3), fill=(0, 0, 0), width=2)
    else:
        d.ellipse((10, 10, width - 10, height - 10), fill=(200, 30, 30))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def html_page(body: str, style: str = "") -> bytes:
    return (f"<html><head><meta charset='utf-8'><title>年度报告</title><style>{style}</style></head><body>"
            f"<div class='article'><h1>某县人民政府2022年政府信息公开工作年度报告</h1>{SECTIONS_1_2}"
            f"{body}<h2>六、其他需要报告的事项</h2><p>无。</p></div></body></html>").encode("utf-8")


def assert_tables_from_picture(report, t: dict) -> None:
    """Tables 3 and 4 come from the picture: >= 90% of cells exact, none wrong, the rest
    missing as ocr_unverified; the report says it was read by OCR."""
    assert report.ocr
    exact, wrong, total = pages.score(report, t)
    for table in ("t3", "t4"):
        for row, cols in t["tables"][table].items():
            for col in cols:
                if ((report.tables.get(table) or {}).get(row) or {}).get(col) is None:
                    assert report.status_of(table, row, col) in ("ocr_unverified", "label_not_found")
    assert wrong == 0
    assert exact >= 0.9 * total, f"{exact} of {total}"
    assert any(w.startswith("OCR: ") and " cells verified" in w for w in report.warnings)


# ------------------------------------------------------------------ pictures read where they stand


def test_html_picture_beside_the_page_is_read_as_its_tables(tmp_path):
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "t34.png").write_bytes(page_png())
    page = tmp_path / "report.html"
    page.write_bytes(html_page("<p style='text-align:center'><img src='img/t34.png'></p>"))
    report = parse_file(page)
    assert_tables_from_picture(report, truth())


def test_html_picture_as_data_uri_is_read(tmp_path):
    uri = "data:image/png;base64," + base64.b64encode(page_png()).decode()
    report = parse_bytes(html_page(f"<p><img src=\"{uri}\"></p>"), "report.html")
    assert_tables_from_picture(report, truth())


def test_docx_picture_is_read_where_it_stands():
    import docx

    d = docx.Document()
    d.add_paragraph("某县人民政府2022年政府信息公开工作年度报告")
    d.add_paragraph("一、总体情况")
    d.add_paragraph("本机关认真贯彻落实《中华人民共和国政府信息公开条例》。")
    d.add_paragraph("二、主动公开政府信息情况")
    d.add_picture(io.BytesIO(page_png()))
    d.add_paragraph("六、其他需要报告的事项")
    buf = io.BytesIO()
    d.save(buf)
    doc = read_data(buf.getvalue(), "report.docx", ".docx")
    assert doc.ocr
    # In document order: the picture's text stands between section 二 and section 六.
    assert doc.text.index("二、主动公开") < doc.text.index("四、") < doc.text.index("六、其他")
    assert_tables_from_picture(parse_bytes(buf.getvalue(), "report.docx"), truth())


def test_wrong_digit_in_a_pasted_table_comes_out_missing(tmp_path):
    """The picture shows 予以公开 by natural persons as 29 where the report says 24: that breaks
    its row sum and its column's outcome sum, so it is never read."""
    t = truth()
    assert t["tables"]["t3"]["granted"]["natural_person"] == 24
    bad = json.loads(json.dumps(t))
    bad["tables"]["t3"]["granted"]["natural_person"] = 29
    (tmp_path / "t34.png").write_bytes(pages.to_bytes(pages.render_pages(bad), "PNG"))
    page = tmp_path / "report.html"
    page.write_bytes(html_page("<p><img src='t34.png'></p>"))
    report = parse_file(page)
    assert report.tables["t3"]["granted"]["natural_person"] is None
    assert report.status_of("t3", "granted", "natural_person") == "ocr_unverified"
    assert any("t3.granted.natural_person: OCR read 29" in w for w in report.warnings)
    for table in ("t3", "t4"):
        for row, cols in t["tables"][table].items():
            for col, true in cols.items():
                got = report.tables[table][row][col]
                assert got is None or got == true, (table, row, col, got)
    assert report.tables["t4"] == t["tables"]["t4"]


def test_html_page_with_picture_added_and_loaded_reads_its_tables(tmp_path):
    from toolkit.cli import main
    from toolkit.data import load_tables

    src = tmp_path / "in"
    src.mkdir()
    (src / "t34.png").write_bytes(page_png())
    page = src / "report.html"
    original = html_page("<p><img src='t34.png'></p>")
    page.write_bytes(original)
    corpus = tmp_path / "corpus"
    assert main(["init", str(corpus)]) == 0
    assert main(["add", str(page), "--corpus", str(corpus)]) == 0
    assert page.read_bytes() == original  # the user's file is untouched
    stored = list((corpus / "reports").glob("*.html"))
    assert len(stored) == 1 and b"data:image/png;base64," in stored[0].read_bytes()
    df = load_tables(corpus)
    assert set(df["source"]) == {"ocr"}
    t = truth()
    t3 = df[(df["table"] == "t3") & (df["status"] == "read")]
    assert len(t3) >= 0.9 * 25 * 7
    for _, cell in t3.iterrows():
        assert cell["value"] == t["tables"]["t3"][cell["row"]][cell["column"]]


# ------------------------------------------------------------------ what is not read



def test_hidden_pictures_are_not_read(tmp_path, recognised):
    big = png(800, 300)
    (tmp_path / "t.png").write_bytes(big)
    hidden = ("<img class='gone' src='t.png'><img hidden src='t.png'>"
              "<img style='visibility:hidden' src='t.png'><img width='0' src='t.png'>"
              "<div style='display:none'><img src='t.png'></div><img style='height:0px' src='t.png'>")
    page = tmp_path / "hidden.html"
    page.write_bytes(html_page(hidden, style=".gone{display:none}"))
    doc = read_document(page)
    assert recognised == [] and not doc.ocr
    page.write_bytes(html_page(hidden + "<img src='t.png'>", style=".gone{display:none}"))
    doc = read_document(page)
    assert recognised == [(800, 300)] and doc.ocr and "OCR text" in doc.text


def test_hidden_docx_run_picture_is_not_read(recognised):
    import docx
    from docx.oxml.ns import qn
    from docx.oxml import OxmlElement

    d = docx.Document()
    d.add_paragraph("一、总体情况")
    run = d.add_paragraph().add_run()
    run.add_picture(io.BytesIO(png(800, 300)))
    run._r.get_or_add_rPr().append(OxmlElement("w:vanish"))
    assert run._r.rPr.find(qn("w:vanish")) is not None
    buf = io.BytesIO()
    d.save(buf)
    assert not read_data(buf.getvalue(), "hidden.docx", ".docx").ocr and recognised == []
    d.add_paragraph().add_run().add_picture(io.BytesIO(png(900, 400)))
    buf = io.BytesIO()
    d.save(buf)
    doc = read_data(buf.getvalue(), "shown.docx", ".docx")
    assert recognised == [(900, 400)] and doc.ocr


def test_icons_logos_and_seals_are_not_read(tmp_path, recognised):
    for name, (w, h) in {"icon.png": (32, 32), "logo.png": (360, 90), "seal.png": (240, 240),
                         "rule.png": (1200, 4)}.items():
        (tmp_path / name).write_bytes(png(w, h))
    page = tmp_path / "r.html"
    page.write_bytes(html_page("".join(f"<img src='{n}'>" for n in ("icon.png", "logo.png", "seal.png",
                                                                      "rule.png"))))
    doc = read_document(page)
    assert recognised == [] and not doc.ocr
    assert not any("picture" in w for w in doc.warnings)


def test_a_picture_without_a_ruled_table_is_not_recognised(tmp_path, recognised):
    (tmp_path / "photo.png").write_bytes(png(900, 600, rules=False))
    (tmp_path / "t.png").write_bytes(png(900, 600))
    page = tmp_path / "r.html"
    page.write_bytes(html_page("<img src='photo.png'>"))
    doc = read_document(page)
    assert recognised == [] and not doc.ocr
    assert "picture 'photo.png' not read: no ruled table on it" in doc.warnings
    page.write_bytes(html_page("<img src='photo.png'><img src='t.png'>"))
    assert read_document(page).ocr and recognised == [(900, 600)]


def test_a_picture_where_ocr_finds_no_table_adds_no_text(tmp_path, monkeypatch):
    """Text OCR reads off a picture with no table (a caption) would enter the report unvouched."""
    monkeypatch.setattr(ocr, "available", lambda: True)
    monkeypatch.setattr(ocr, "page_document", lambda bgr, page=1: (["本年新收 99"], []))
    (tmp_path / "t.png").write_bytes(png(900, 600))
    page = tmp_path / "r.html"
    page.write_bytes(html_page("<img src='t.png'>"))
    doc = read_document(page)
    assert "99" not in doc.text and not doc.ocr
    assert "picture 't.png' not read: no ruled table on it" in doc.warnings


def test_pictures_outside_the_page_folder_or_on_the_web_are_not_read(tmp_path, recognised):
    (tmp_path / "secret.png").write_bytes(png(800, 300))
    inner = tmp_path / "site"
    inner.mkdir()
    page = inner / "r.html"
    page.write_bytes(html_page(f"<img src='../secret.png'><img src='{tmp_path / 'secret.png'}'>"
                               "<img src='http://example.gov.cn/t.png'>"))
    doc = read_document(page)
    assert recognised == []
    text = " ".join(doc.warnings)
    assert "outside the page's folder" in text and "absolute path" in text and "web address" in text
    # The same bytes read without a folder (a download) read no file at all.
    (inner / "t.png").write_bytes(png(800, 300))
    doc = read_data(html_page("<img src='t.png'>"), "r.html", ".html")
    assert recognised == [] and any("not read from a folder" in w for w in doc.warnings)


def _png_header(width: int, height: int) -> bytes:
    """A PNG that claims *width* x *height* pixels (a decompression bomb's header)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
            + struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND")))


def test_picture_bombs_and_too_many_pictures_are_refused_with_a_line_each(tmp_path, recognised, monkeypatch):
    (tmp_path / "bomb.png").write_bytes(_png_header(8000, 8000))      # 64 M pixels: over MAX_PIXELS
    (tmp_path / "huge.png").write_bytes(_png_header(30000, 30000))    # over PIL's own bomb limit too
    page = tmp_path / "r.html"
    page.write_bytes(html_page("<img src='bomb.png'><img src='huge.png'>"))
    doc = read_document(page)
    assert recognised == []
    assert any("'bomb.png' not read: 8000x8000 pixels" in w for w in doc.warnings), doc.warnings
    assert any("'huge.png' not read: more pixels than a picture may have" in w for w in doc.warnings)
    monkeypatch.setattr(embedded, "MAX_PICTURES", 2)
    for k in range(3):
        (tmp_path / f"t{k}.png").write_bytes(png(800 + k, 300))
    page.write_bytes(html_page("".join(f"<img src='t{k}.png'>" for k in range(3))))
    doc = read_document(page)
    assert recognised == [(800, 300), (801, 300)]
    assert any("'t2.png' not read: the document has more pictures than the 2" in w for w in doc.warnings)


def test_without_the_extra_pictures_get_one_line_naming_it(tmp_path, monkeypatch):
    monkeypatch.setattr(ocr, "available", lambda: False)
    for k in range(2):
        (tmp_path / f"t{k}.png").write_bytes(png(800, 300))
    page = tmp_path / "r.html"
    page.write_bytes(html_page("<img src='t0.png'><img src='t1.png'>"))
    doc = read_document(page)
    lines = [w for w in doc.warnings if "xxgk[ocr]" in w]
    assert len(lines) == 1 and lines[0].startswith("2 picture(s) large enough to hold a table were not read")
    assert not doc.ocr


def test_inlining_changes_only_the_src_of_the_named_pictures():
    page = ("<p><img alt='x' src=\"a.png\"> <IMG SRC='b.png'> <img src=c.png></p>"
            "<p>a.png 不变</p>").encode("utf-8")
    pic = png(800, 300)
    out = embedded.inline_pictures(page, {"a.png": pic, "c.png": pic})
    uri = embedded.as_data_uri(pic).encode()
    assert out == page.replace(b'src="a.png"', b'src="' + uri + b'"').replace(b"src=c.png", b'src="' + uri + b'"')
    assert embedded.data_uri_bytes(uri.decode()) == pic


# ------------------------------------------------------------------ xxgk fetch


class Site:
    """A server on 127.0.0.1: ``pages[path] = (body, content type)``; ``log`` the paths asked for."""

    def __init__(self):
        from support import LocalServer, QuietHandler

        self.pages: dict[str, tuple[bytes, str]] = {"/robots.txt": (b"", "text/plain")}
        self.log: list[str] = []
        site = self

        class Handler(QuietHandler):
            def do_GET(self):
                site.log.append(self.path)
                if self.path in site.pages:
                    body, ctype = site.pages[self.path]
                    return self._send(200, body, ctype)
                return self._send(404, b"no", "text/plain")

        self.server = LocalServer(Handler)
        self.base = self.server.base
        self.port = self.server.httpd.server_address[1]

    def __enter__(self):
        self.server.__enter__()
        return self

    def __exit__(self, *exc):
        self.server.__exit__(*exc)


def _fetch(urls, corpus, **kw):
    from toolkit.corpus.fetch import fetch

    return fetch(urls, corpus, delay=0, timeout=10, retries=0, progress=False, allow_private=True,
                 sleep=lambda s: None, **kw)


@pytest.fixture
def corpus(tmp_path):
    from toolkit.cli import main

    root = tmp_path / "corpus"
    assert main(["init", str(root)]) == 0
    return root


def test_fetched_page_is_stored_with_its_table_pictures(corpus):
    from toolkit.data import load_tables

    with Site() as site:
        site.pages["/t34.png"] = (page_png(), "image/png")
        site.pages["/img/logo.png"] = (png(200, 60), "image/png")
        offsite = f"http://localhost:{site.port}/elsewhere.png"
        site.pages["/r/report.html"] = (html_page(f"<p><img src='../t34.png'></p><img src='/img/logo.png'>"
                                                  f"<img src='{offsite}'>"), "text/html; charset=utf-8")
        result = _fetch([f"{site.base}/r/report.html"], corpus)
        assert [i.status for i in result.items] == ["added"], result.items
        assert sorted(site.log) == ["/img/logo.png", "/r/report.html", "/robots.txt", "/t34.png"]
        assert result.notes == [f"{site.base}/r/report.html: 1 picture on other sites not fetched "
                                "(--follow-offsite to fetch them)"]
    stored = next((corpus / "reports").glob("*.html")).read_bytes()
    assert embedded.as_data_uri(page_png()).encode() in stored
    assert b"src='/img/logo.png'" in stored and offsite.encode() in stored  # not tables: left as they were
    df = load_tables(corpus)
    assert set(df["source"]) == {"ocr"}
    t = truth()
    t4 = df[(df["table"] == "t4") & (df["status"] == "read")]
    assert len(t4) >= 0.9 * 3 * 5
    for _, cell in t4.iterrows():
        assert cell["value"] == t["tables"]["t4"][cell["row"]][cell["column"]]


def test_fetch_takes_a_picture_url_it_is_given_but_never_follows_one(corpus):
    with Site() as site:
        site.pages["/scan.png"] = (page_png(), "image/png")
        result = _fetch([f"{site.base}/scan.png"], corpus)
        assert [i.status for i in result.items] == ["added"], result.items
    assert len(list((corpus / "reports").glob("*.png"))) == 1


def test_fetched_image_only_pdf_is_kept_as_a_report(corpus, monkeypatch):
    from toolkit.data import load_tables

    t = truth()
    pdf = pages.to_bytes(pages.render_pages(t), "PDF")
    with Site() as site:
        site.pages["/scan.pdf"] = (pdf, "application/pdf")
        monkeypatch.setattr(ocr, "available", lambda: False)
        result = _fetch([f"{site.base}/scan.pdf"], corpus)
        assert result.items[0].status == "skipped" and "pip install 'xxgk[ocr]'" in result.items[0].reason
        monkeypatch.undo()
        result = _fetch([f"{site.base}/scan.pdf"], corpus)
        assert [i.status for i in result.items] == ["added"], result.items
    df = load_tables(corpus)
    assert set(df["source"]) == {"ocr"}
    t3 = df[(df["table"] == "t3") & (df["status"] == "read")]
    assert len(t3) >= 0.9 * 25 * 7
    for _, cell in t3.iterrows():
        assert cell["value"] == t["tables"]["t3"][cell["row"]][cell["column"]]


def test_fetch_fetches_at_most_max_links_pictures_of_a_page(corpus, recognised):
    with Site() as site:
        for k in range(3):
            site.pages[f"/p{k}.png"] = (png(800 + k, 300), "image/png")
        site.pages["/report.html"] = (html_page("".join(f"<img src='p{k}.png'>" for k in range(3))), "text/html")
        result = _fetch([f"{site.base}/report.html"], corpus, max_links=2)
        assert "/p2.png" not in site.log and "/p1.png" in site.log
        assert f"{site.base}/report.html: 3 pictures, only the first 2 fetched (--max-links)" in result.notes
    assert recognised == [(800, 300), (801, 300)]


def test_fetch_resolves_pictures_against_the_pages_base_href(corpus, recognised):
    with Site() as site:
        site.pages["/assets/p.png"] = (png(800, 300), "image/png")
        page = html_page("<img src='p.png'>").replace(b"<head>", b"<head><base href='/assets/'>")
        site.pages["/r/report.html"] = (page, "text/html")
        result = _fetch([f"{site.base}/r/report.html"], corpus)
        assert [i.status for i in result.items] == ["added"], result.items
        assert "/assets/p.png" in site.log and "/r/p.png" not in site.log
    assert recognised == [(800, 300)]
