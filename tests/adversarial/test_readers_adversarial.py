"""Readers under hostile or damaged input.

- A page nested 100,000 ``<div>`` deep is read whole: libxml2 stops building its tree
  at a fixed depth, so the reader drops the wrapper tags and reads it again, with a
  warning; nesting it cannot undo is refused with one line naming the file.
- One stray invalid byte in an otherwise valid UTF-8 file is replaced (U+FFFD) with
  a warning; a table cell it touches is left missing, never read as a number.
- The charset: a page without ``<meta charset>``, one that declares the wrong one,
  and the server's charset passed in from fetch.

The expected numbers are those of seed 003 and of parser case b, read by hand.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from toolkit.errors import ReportError
from toolkit.parsing import parse_document
from toolkit.reading import read_data

ROOT = Path(__file__).resolve().parents[2]
CASE_B = ROOT / "tests" / "fixtures" / "parser_cases" / "case_b.html"
SEED_003 = ROOT / "corpus" / "reports" / "003_03a04d677c33f02f.txt"
# Case b, read by hand: t3 new_received 10|2|0|0|0|0|12, t4 reconsideration 1|0|0|1|2.
B_NEW = {"natural_person": 10, "commercial": 2, "research": 0, "social_org": 0, "legal_service": 0,
         "other_org": 0, "total": 12}
B_RECONSIDERATION = {"upheld": 1, "corrected": 0, "other": 0, "pending": 1, "total": 2}
# Seed 003, read by hand: one application from a natural person, granted.
S003_NEW = {"natural_person": 1, "commercial": 0, "research": 0, "social_org": 0, "legal_service": 0,
            "other_org": 0, "total": 1}


def parse_bytes(data: bytes, name: str, charset: str | None = None):
    doc = read_data(data, name, Path(name).suffix, charset)
    return doc, parse_document(doc, source=name)


# ------------------------------------------------------------------ deep nesting

@pytest.mark.parametrize("wrapper", ["<div>", "<div><span>", "<div class=a><font color=red>"])
def test_100k_nested_wrappers_lose_no_content(wrapper):
    body = CASE_B.read_text(encoding="utf-8")
    closing = "".join(f"</{t.strip('<>').split()[0]}>" for t in reversed(wrapper.replace("><", ">\n<").split("\n")))
    page = "<html><body>" + wrapper * 100_000 + body + closing * 100_000 + "</body></html>"
    t0 = time.monotonic()
    doc, report = parse_bytes(page.encode("utf-8"), "deep.html")
    assert time.monotonic() - t0 < 60
    assert any("nested deeper" in w for w in doc.warnings)
    assert all(report.sections[n] for n in "123456")
    assert report.tables["t3"]["new_received"] == B_NEW
    assert report.tables["t4"]["reconsideration"] == B_RECONSIDERATION
    assert report.agency == "白沙县民族宗教事务局"


def test_deep_nesting_that_cannot_be_undone_is_one_line():
    page = "<html><body>" + "<table><tr><td>" * 5000 + "x" + "</td></tr></table>" * 5000 + "</body></html>"
    with pytest.raises(ReportError) as exc:
        read_data(page.encode(), "tables.html", ".html")
    assert "tables.html" in str(exc.value) and "nested too deeply" in str(exc.value)
    assert "\n" not in str(exc.value)


def test_shallow_pages_are_not_unwrapped():
    doc, report = parse_bytes(CASE_B.read_bytes(), "case_b.html")
    assert not any("nested deeper" in w for w in doc.warnings)
    assert report.tables["t3"]["new_received"] == B_NEW


# ------------------------------------------------------------------ one stray byte

def test_stray_byte_in_prose_is_replaced_with_a_warning():
    data = SEED_003.read_bytes()
    at = data.index("总体情况".encode()) + 3
    doc, report = parse_bytes(data[:at] + b"\xff" + data[at:], "003.txt")
    assert any("invalid UTF-8" in w for w in doc.warnings)
    assert "\ufffd" in doc.text
    assert report.tables["t3"]["new_received"] == S003_NEW
    assert report.tables["t2"]["licensing"] == {"decisions": 17}


@pytest.mark.parametrize("offset", [0, 1])  # before the digit, after it
def test_stray_byte_touching_table_digits_leaves_those_cells_missing(offset):
    data = SEED_003.read_bytes()
    row = data.index("一、本年新收".encode())
    digit = data.index(b"1", row)  # the row's first value, natural_person = 1
    damaged = data[:digit + offset] + b"\x80" + data[digit + offset:]
    doc, report = parse_bytes(damaged, "003.txt")
    new = report.tables["t3"]["new_received"]
    assert new["natural_person"] is None
    assert all(v is None or v == S003_NEW[c] for c, v in new.items())  # never another number
    assert report.status_of("t3", "new_received", "natural_person") in ("doubtful_text", "ambiguous")
    assert report.tables["t3"]["granted"]["natural_person"] == 1  # the rest of the table is read


def test_stray_byte_in_an_html_cell_leaves_that_cell_missing():
    html = CASE_B.read_bytes()
    cell = "<td>&nbsp;10</td>".encode()
    damaged = html.replace(cell, b"<td>&nbsp;1\xff0</td>", 1)
    assert damaged != html
    doc, report = parse_bytes(damaged, "b.html")
    assert any("invalid UTF-8" in w for w in doc.warnings)
    assert report.tables["t3"]["new_received"]["natural_person"] is None
    assert report.status_of("t3", "new_received", "natural_person") == "doubtful_text"
    assert report.tables["t3"]["new_received"]["total"] == 12


def test_many_bad_bytes_are_another_encoding_not_damage():
    text = SEED_003.read_text(encoding="utf-8")
    doc, report = parse_bytes(text.encode("gb18030"), "003.txt")
    assert not any("invalid UTF-8" in w for w in doc.warnings)
    assert "\ufffd" not in doc.text
    assert report.tables["t3"]["new_received"] == S003_NEW


# ------------------------------------------------------------------ charsets

def test_page_declaring_the_wrong_charset_is_read_as_what_it_is():
    html = CASE_B.read_text(encoding="utf-8")
    page = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">' + html
    _, report = parse_bytes(page.encode("utf-8"), "b.html")
    assert report.tables["t3"]["new_received"] == B_NEW


def test_server_charset_decodes_a_page_that_declares_none():
    html = CASE_B.read_text(encoding="utf-8")
    data = html.encode("gbk")
    _, report = parse_bytes(data, "b.html", charset="GBK")
    assert report.agency == "白沙县民族宗教事务局"
    assert report.tables["t3"]["new_received"] == B_NEW


def test_markdown_with_a_table_near_the_start_is_read_as_utf8_html():
    page = "<table><tr><td>申请人情况</td></tr></table>\n" + CASE_B.read_text(encoding="utf-8")
    _, report = parse_bytes(page.encode("utf-8"), "report.md")
    assert report.tables["t3"]["new_received"] == B_NEW
