"""HTML pages into a Document: the article body's text, tables as grids (rowspan/colspan expanded)."""
from __future__ import annotations

import re

from ..errors import ReportError
from .document import MAX_GRID_CELLS, Document, Grid, assemble

__all__ = ["read_html", "html_grid"]

_CHROME = re.compile(r"nav|menu|footer|header|breadcrumb|sidebar|banner|share|copyright|toolbar", re.I)
_BLOCK = {"p", "div", "section", "article", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
          "blockquote", "pre", "center", "dd", "dt", "dl", "form", "main"}
_SECTION_WORDS = ("总体情况", "主动公开政府信息", "收到和处理政府信息公开申请", "行政复议", "存在的主要问题", "其他需要报告")


def _cell_text(el) -> str:
    text = "".join(el.itertext())
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()


def html_grid(table, source: str | None = None) -> Grid:
    """Expand an lxml ``<table>`` into a grid (rowspan/colspan; spanned cells are None).

    Raises ReportError when the expanded grid would pass :data:`MAX_GRID_CELLS`.
    """
    rows: list[list[str | None]] = []
    cells = 0
    pending: dict[tuple[int, int], bool] = {}  # (row, col) covered by a span from above/left
    trs = [tr for tr in table.iter("tr") if tr.getparent() is not None
           and next(tr.iterancestors("table")) is table]
    for r, tr in enumerate(trs):
        row: list[str | None] = []
        c = 0
        for cell in tr:
            if not isinstance(cell.tag, str) or cell.tag.lower() not in ("td", "th"):
                continue
            while pending.pop((r, c), False):
                row.append(None)
                c += 1
            try:
                rowspan = max(1, min(int(cell.get("rowspan", 1)), 200))
                colspan = max(1, min(int(cell.get("colspan", 1)), 50))
            except ValueError:
                rowspan = colspan = 1
            row.append(_cell_text(cell))
            for dc in range(1, colspan):
                row.append(None)
            for dr in range(1, rowspan):
                for dc in range(colspan):
                    pending[(r + dr, c + dc)] = True
            c += colspan
        while pending.pop((r, c), False):
            row.append(None)
            c += 1
        rows.append(row)
        cells += len(row)
        if cells + len(pending) > MAX_GRID_CELLS:
            raise ReportError(source, f"an HTML table expands to more than {MAX_GRID_CELLS:,} cells "
                                      f"(rowspan/colspan); not read")
    width = max((len(r) for r in rows), default=0)
    # A row with fewer cells than the table is padded with None, not "": which of
    # its cells is missing is unknown, so its values must not be read by position.
    return Grid([r + [None] * (width - len(r)) for r in rows])


def _content_root(root):
    """The smallest element holding most of the report's section headings (page chrome excluded)."""
    best, best_score, best_len = root, -1, 0
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag.lower() not in _BLOCK | {"body", "td"}:
            continue
        text = "".join(el.itertext())
        score = sum(w in text for w in _SECTION_WORDS)
        if score > best_score or (score == best_score and score > 0 and len(text) <= best_len):
            best, best_score, best_len = el, score, len(text)
    return best


def read_html(data: bytes, source: str | None = None) -> Document:
    import lxml.html

    try:
        root = lxml.html.document_fromstring(data)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise ReportError(source, f"not readable as HTML ({exc})") from None
    for el in list(root.iter("script", "style", "noscript", "nav", "header", "footer", "aside")):
        if el.getparent() is not None:
            el.drop_tree()
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None:
            continue
        marker = f"{el.get('class', '')} {el.get('id', '')}"
        # Navigation and footers by class/id, unless they hold the report itself.
        if _CHROME.search(marker) and next(el.iter("table"), None) is None \
                and sum(w in "".join(el.itertext()) for w in _SECTION_WORDS) < 2:
            el.drop_tree()
    content = _content_root(root)
    blocks: list[str | Grid] = []
    line: list[str] = []

    def flush() -> None:
        text = re.sub(r"[ \t\xa0]+", " ", "".join(line)).strip()
        if text:
            blocks.append(text)
        line.clear()

    def walk(el) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag == "table":
            flush()
            blocks.append(html_grid(el, source))
            if el.tail:
                line.append(el.tail)
            return
        if tag == "br":
            flush()
        elif tag in _BLOCK:
            flush()
        if el.text and tag:
            line.append(el.text)
        for child in el:
            walk(child)
        if tag in _BLOCK:
            flush()
        if el.tail:
            line.append(el.tail)

    walk(content)
    flush()
    text, grids = assemble(blocks)
    return Document(text, grids)


