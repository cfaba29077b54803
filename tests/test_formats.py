"""The format registry: a format declared once is sniffed, read, added, fetched and named in the
CLI help; a zip is a DOCX only when it holds a Word body."""
from __future__ import annotations

import csv
import io
import urllib.parse
import zipfile
from pathlib import Path

import pytest

from support import LocalServer, QuietHandler
from toolkit.cli import main
from toolkit.corpus.add import add_reports
from toolkit.corpus.fetch import fetch
from toolkit.errors import ReportError
from toolkit.parsing import parse_path_or_text
from toolkit.reading import Document, decode_bytes, formats, read_data, sniff
from toolkit.reading.sniffing import suffix_for_kind

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "corpus" / "reports" / "003_03a04d677c33f02f.txt"  # 吴忠市民政局 2023
MAGIC = b"XYZREPORT\n"
NAME = "年度报告"


def _read_xyz(data: bytes, source, charset) -> Document:
    text, warnings = decode_bytes(data[len(MAGIC):], source, charset)
    return Document(text, [], warnings)


XYZ = formats.Format("xyz", (".xyz",), ("application/x-xyz",), formats.starts_with(MAGIC), _read_xyz,
                     attachment=True)


@pytest.fixture
def xyz(monkeypatch):
    """The dummy format registered for one test (the registry is put back afterwards)."""
    monkeypatch.setattr(formats, "FORMATS", formats.FORMATS)
    formats.register_format(XYZ)
    return MAGIC + SEED.read_bytes()


def _rows(corpus: Path) -> list[dict[str, str]]:
    with open(corpus / "metadata.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _zip(names: list[str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name in names:
            z.writestr(name, "<x/>")
    return buf.getvalue()


def test_a_zip_is_a_docx_only_with_a_word_body():
    assert sniff(_zip(["[Content_Types].xml", "word/document.xml"])) == "docx"
    assert sniff(_zip(["OFD.xml", "Doc_0/Document.xml"])) == "text"  # an OFD is a zip too
    assert sniff(_zip(["xl/workbook.xml"])) == "text"
    assert sniff(b"PK\x03\x04 truncated") == "docx"  # a broken zip: refused as a malformed DOCX
    with pytest.raises(ReportError, match=r"^a\.docx: corrupt DOCX"):
        read_data(b"PK\x03\x04 truncated", "a.docx", ".docx")


def test_builtin_kinds_keep_their_rules():
    assert sniff(b"%PDF-1.7\n", ".txt") == "pdf"  # a PDF saved as text is still a PDF
    assert sniff(b"\x89PNG\r\n\x1a\n....", ".txt") == "text"  # a binary file named as text is not an image
    assert [sniff(b"\x89PNG\r\n\x1a\n"), sniff(b"\xff\xd8\xff\xe0"), sniff(b"MM\x00*")] == ["png", "jpeg", "tiff"]
    assert sniff(b"x", ".JPEG") == "jpeg" and sniff(b"<body>", "") == "html"
    assert [suffix_for_kind(k) for k in ("docx", "pdf", "html", "text", "jpeg")] == \
        [".docx", ".pdf", ".html", ".txt", ".jpg"]
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100
    with pytest.raises(ReportError, match=r"^old\.doc: legacy Word \.doc is not supported; save it as \.docx$"):
        read_data(ole2, "old.doc", ".doc")


def test_registering_twice_or_over_a_builtin_suffix_is_refused(monkeypatch):
    monkeypatch.setattr(formats, "FORMATS", formats.FORMATS)
    formats.register_format(XYZ)
    with pytest.raises(ValueError, match="already registered"):
        formats.register_format(XYZ)
    with pytest.raises(ValueError, match=r"\.pdf is already registered"):
        formats.register_format(formats.Format("pdf2", (".pdf",)))
    assert formats.registered()[-1].kind == "text"  # text stays the fallback, sniffed last


def test_without_registration_xyz_is_unknown(tmp_path):
    data = MAGIC + SEED.read_bytes()
    assert sniff(data) == "text" and sniff(data, ".xyz") == "text"
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "r.xyz").write_bytes(data)
    assert main(["init", str(tmp_path / "corpus")]) == 0
    assert add_reports([tmp_path / "in"], tmp_path / "corpus", today="2026-01-01").n_added == 0


def test_a_registered_format_is_sniffed_and_read(xyz):
    assert sniff(xyz) == "xyz" and sniff(xyz, ".XYZ") == "xyz" and sniff(b"no mark", ".xyz") == "xyz"
    assert sniff(xyz, ".txt") == "text"  # its mark does not beat a text name unless it says so
    assert suffix_for_kind("xyz") == ".xyz"
    doc = read_data(xyz, "r.xyz", ".xyz")
    assert doc.text.lstrip().startswith("吴忠市民政局") and "XYZREPORT" not in doc.text
    with pytest.raises(ReportError, match="no such file"):
        parse_path_or_text("missing.xyz")  # a file name, not report text


def test_a_registered_format_is_taken_by_add_from_a_folder(xyz, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "r.xyz").write_bytes(xyz)
    (src / "r.abc").write_bytes(xyz)  # an unregistered suffix: not taken by the walk
    corpus = tmp_path / "corpus"
    assert main(["init", str(corpus)]) == 0
    result = add_reports([src], corpus, today="2026-01-01")
    assert result.n_added == 1 and result.n_skipped == 0
    (row,) = _rows(corpus)
    assert row["original_name"] == "r.xyz" and row["file"].endswith(".xyz")
    assert row["agency"] == "吴忠市民政局" and row["year"] == "2023"
    assert (src / "r.xyz").read_bytes() == xyz  # the user's file is untouched


def test_a_registered_format_is_fetched_as_an_attachment_and_stored_by_its_bytes(xyz, tmp_path):
    listing = (f'<html><head><meta charset="utf-8"></head><body>'
               f'<a href="files/{NAME}.xyz">{NAME}</a><a href="files/{NAME}.abc">{NAME}</a></body></html>')
    pages = {"/robots.txt": (404, b"", "text/plain"), "/list.html": (200, listing.encode(), "text/html"),
             f"/files/{NAME}.xyz": (200, xyz, "application/octet-stream"),
             "/download": (200, xyz.replace("2023".encode(), "2022".encode()), "application/octet-stream")}
    seen: list[str] = []

    class Handler(QuietHandler):
        def do_GET(self):
            path = urllib.parse.unquote(self.path)
            seen.append(path)
            status, body, ctype = pages.get(path, (404, b"no", "text/plain"))
            return self._send(status, body, ctype)

    corpus = tmp_path / "corpus"
    assert main(["init", str(corpus)]) == 0
    with LocalServer(Handler) as site:
        result = fetch([f"{site.base}/list.html", f"{site.base}/download"], corpus, delay=0, timeout=5,
                       retries=0, progress=False, allow_private=True, sleep=lambda s: None)
    assert f"/files/{NAME}.xyz" in seen and f"/files/{NAME}.abc" not in seen
    by_url = {i.url.replace(site.base, ""): i for i in result.items}
    assert by_url[f"/files/{NAME}.xyz"].status == "added", by_url[f"/files/{NAME}.xyz"].reason
    assert by_url["/download"].status == "added", by_url["/download"].reason
    assert len(result.items) == 3  # the page itself is a listing, not a report: skipped
    files = {r["source_url"].replace(site.base, ""): r["file"] for r in _rows(corpus)}
    assert files["/download"].endswith(".xyz")  # no suffix in the URL: the sniffed bytes name it


def test_a_registered_format_is_named_in_the_cli_help(xyz, capsys):
    assert main(["add", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert ".docx .pdf .html .htm .shtml .xyz .txt .md; scanned .pdf" in out
    assert "named one by one, .png .jpg .jpeg .tif .tiff by OCR" in out
