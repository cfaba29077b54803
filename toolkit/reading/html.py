"""HTML pages into a Document: the article body's text, tables as grids (rowspan/colspan expanded).

The page is decoded before lxml sees it (:func:`~toolkit.reading.decode.decode_html`:
BOM, valid UTF-8, ``<meta charset>``, the HTTP charset, detection), parsed with
``huge_tree`` (deeply nested pages are read whole, not cut at libxml2's depth
limit), and walked without recursion.  A table cell keeps its lines apart
(``1<br>2``, ``<p>1</p><p>2</p>``, a nested table): cell text is never glued
into one number, while inline runs (``<span>20</span><span>23</span>``) stay one word.

Only what the page shows is read (:func:`_visible`): elements hidden by an inline style
(``display:none``, ``visibility:hidden``, ``font-size:0``, ``opacity:0``), by a simple
class or id rule of the page's own ``<style>``, by the ``hidden`` attribute, and
``<template>`` are dropped; ``<del>``/``<s>``/``<strike>`` (and ``line-through``) and
``<sup>``/``<sub>`` become marks that never join a number
(:func:`~toolkit.reading.document.settle_marks`).
"""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import ReportError
from .decode import decode_html
from .css import (CLEAR, CostlyStyles, background_colour, css_length, declared, font_size_is_zero, generated_text,
                  hides_subtree, outlined, overlapping, parse_colour, unsure_shape)
from .embedded import Picture, local_picture, settle
from .document import DOUBTFUL, MAX_GRID_CELLS, RAISED, STRUCK, Document, Grid, assemble, settle_marks, settle_row

__all__ = ["read_html", "html_grid", "cell_text", "report_pictures"]

_CHROME = re.compile(r"nav|menu|footer|header|breadcrumb|sidebar|banner|share|copyright|toolbar", re.I)
_BLOCK = frozenset({"p", "div", "section", "article", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
                    "blockquote", "pre", "center", "dd", "dt", "dl", "form", "main"})
# Inside a table cell these also start a new line.
_CELL_BREAK = _BLOCK | {"br", "table", "tr", "td", "th", "hr", "textarea", "select", "button", "svg", "math"}
# Elements that may be a section heading, and those that may hold the article body.
_HEADING_TAGS = _BLOCK | {"td", "th", "span", "strong", "b", "font"}
_ROOT_TAGS = _BLOCK | {"body", "td"}
_SECTION_WORDS = ("总体情况", "主动公开政府信息", "收到和处理政府信息公开申请", "行政复议", "存在的主要问题", "其他需要报告")
_DROP = ("script", "style", "noscript", "nav", "header", "footer", "aside")
# A section heading is a short block (一、总体情况, 四、…行政复议、行政诉讼情况).
_HEADING_MAX = 40
_SPACES = re.compile(r"[ \t\r\f\v\xa0\u3000]+")
_ZERO_VALUE = r"(?:0+(?:\.0*)?|\.0+)"
_END = r"\s*(?:!\s*important\s*)?(?:;|$|})"
# A CSS declaration that may hide text: a page nested too deeply that holds one is refused.
_HIDING = re.compile(rf"(?:^|[;{{\s])(?:display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)"
                     rf"|(?:font-size|opacity)\s*:\s*{_ZERO_VALUE}(?:px|pt|em|rem|%)?{_END}"
                     rf"|color\s*:\s*(?:#f|white|transparent|rgba?\(\s*2[0-5]\d)|font\s*:\s*0)"
                     rf"|clip|:\s*-\d{{3,}}(?:\.\d*)?(?:px|pt|em)|scale[xy]?\(\s*0", re.I)
_MARK_TAGS = {"del": STRUCK, "s": STRUCK, "strike": STRUCK, "sup": RAISED, "sub": RAISED}
_HIDDEN_TAGS = frozenset({"template", "script", "style", "noscript", "rt", "rp", "iframe", "object", "embed",
                          "video", "audio", "canvas", "noembed", "noframes", "datalist"})
# Inline elements: a vertical-align other than baseline raises or lowers their text beside
# the line's (on a block or a cell it aligns the box, not the text).
_INLINE = frozenset({"span", "font", "b", "i", "u", "em", "strong", "small", "big", "a", "sup", "sub", "label",
                     "code", "mark", "var", "cite", "q", "abbr", "ins", "tt", "kbd", "samp"})
_BASELINE = frozenset({"baseline", "middle", "inherit", "initial", "unset", "revert", "0", "0px"})
_BLOCK_DISPLAY = frozenset({"block", "flex", "grid", "table", "list-item", "flow-root", "table-row",
                            "table-caption"})
WHITE = (255, 255, 255)
# Text this close to its ground in every channel is not seen (the PDF reader's 0.05).
_SAME_COLOUR = 13


def _tag(el) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _attr_colour(el, name: str):
    value = el.get(name)
    return parse_colour(value) if value else None


def _unseen(colour, ground) -> bool:
    """Is text of *colour* invisible on *ground*?  Unknown colours are taken as seen."""
    if colour == CLEAR:
        return True
    if colour is None or ground is None or ground == CLEAR:
        return False
    return all(abs(a - b) <= _SAME_COLOUR for a, b in zip(colour, ground))


def _reordered(el, tag: str, props: dict) -> bool:
    """Settle an element whose glyphs the page does not show in text order: under a
    right-to-left override (``<bdo dir=rtl>``, ``unicode-bidi:bidi-override;direction:rtl``)
    its text reversed, as shown (12 is printed 21); condensed so that each glyph overprints the
    next, a blot (U+FFFD) if it holds a digit.  True when its content was replaced.  Its
    descendants' own hiding is applied first only when it has none."""
    rtl = (tag == "bdo" and (el.get("dir") or "").lower() == "rtl") or (
        "override" in props.get("unicode-bidi", "") and props.get("direction") == "rtl")
    blot = overlapping(props)
    if not (rtl or blot):
        return False
    text = "".join(el.itertext())
    if blot and any(c.isdigit() for c in text):
        shown = DOUBTFUL
    elif rtl and len(el) == 0:
        shown = text[::-1]
    elif rtl and any(c.isdigit() for c in text):
        shown = DOUBTFUL  # nested markup under the override: its order is not worked out here
    else:
        return False
    for child in list(el):
        child.tail = None
        child.drop_tree()
    el.text = shown
    return True


def _generated(el, props: dict) -> None:
    """Put the text of the element's ``::before``/``::after`` (``content``) where the page shows it."""
    before = generated_text(props.get("::before"), el)
    after = generated_text(props.get("::after"), el)
    if before:
        el.text = before + (el.text or "")
    if after:
        if len(el):
            el[-1].tail = (el[-1].tail or "") + after
        else:
            el.text = (el.text or "") + after


def _closed_parts(el) -> None:
    """A closed ``<details>`` shows its ``<summary>`` only; a ``<select>`` its chosen option."""
    tag = _tag(el)
    if tag == "details" and el.get("open") is None:
        el.text = None
        for child in list(el):
            child.tail = None
            if _tag(child) != "summary":
                child.drop_tree()
    elif tag == "select":
        options = [o for o in el.iter("option")]
        chosen = next((o for o in options if o.get("selected") is not None), options[0] if options else None)
        for o in options:
            if o is not chosen:
                o.drop_tree()


def _visible(root) -> list[str]:
    """Keep only what the page shows: hidden elements dropped (their tail text stays), struck
    and raised ones replaced by a mark, digits whose visibility cannot be told (under a mask,
    a partial clip path, a 3D turn: :func:`~toolkit.reading.css.unsure_shape`) made U+FFFD.
    Returns the notes on those digits.

    Each element's styles are its own ``<style>`` rules and inline style, cascaded
    (:func:`toolkit.reading.css.declared`).  ``display:none``, ``opacity:0``, an element
    moved off screen, clipped or scaled to nothing hide a whole subtree.  ``font-size:0``,
    ``visibility:hidden`` and a text colour that is transparent or the colour of the ground
    behind it (the nearest background set, else the white page) are inherited but a
    descendant may undo them (``font-size:0`` on a row of inline blocks whose children set
    their own size is a common layout trick): under them only the text no descendant
    brings back is dropped."""
    props_of = declared(root)
    notes: list[str] = []
    stack = [(child, False, False, None, WHITE, False, None) for child in reversed(root)]
    while stack:
        el, zero_size, invisible, colour, ground, struck, unsure = stack.pop()
        tag = _tag(el)
        if not tag or el.getparent() is None:
            continue
        props = props_of.get(el, {})
        parent = props_of.get(el.getparent())
        turns = bool(props) and _transformable(tag, props, parent)
        if tag in _HIDDEN_TAGS or el.get("hidden") is not None or (props and hides_subtree(props, turns, parent)) \
                or (tag == "dialog" and el.get("open") is None):  # a dialog not opened is not shown
            el.drop_tree()
            continue
        unsure = unsure or (props and unsure_shape(props, parent, turns)) or None
        _closed_parts(el)
        if props:
            _generated(el, props)
            if tag not in _CELL_BREAK and tag not in _MARK_TAGS and (
                    props.get("display") in _BLOCK_DISPLAY or props.get("float") in ("left", "right")
                    or props.get("position") in ("absolute", "fixed")):
                el.tag = "div"  # laid out as a box of its own, off the line: never joined to it
                tag = "div"
        zero = font_size_is_zero(props)
        if zero is not None:
            zero_size = zero
        vis = props.get("visibility")
        if vis in ("visible", "hidden", "collapse"):
            invisible = vis != "visible"
        if props and outlined(props):
            colour = None  # a shadow or outline shows the text whatever its colour
        elif "-webkit-text-fill-color" in props:  # paints the glyphs instead of color
            colour = parse_colour(props["-webkit-text-fill-color"])
        elif "color" in props:
            colour = parse_colour(props["color"])
        elif tag == "font" and el.get("color"):
            colour = _attr_colour(el, "color")
        bg = background_colour(props)
        if bg is None and el.get("bgcolor"):
            bg = _attr_colour(el, "bgcolor") or "unknown"
        if bg is not None and bg != CLEAR:
            ground = None if bg == "unknown" else bg
        if tag == "img":
            # A picture is seen unless hidden (the rules above) or drawn in no space (or too small
            # to show a table); size and colour of text do not hide it.  A picture whose
            # ``content`` replaces it, or drawn outside its own box (``object-position``), shows
            # something other than its ``src``.  It has no children to visit.
            if invisible or _no_box(el, props) or _replaced(props) or _drawn_away(props):
                el.drop_tree()  # its tail stays
            elif unsure:
                el.set(_UNREAD, f"the page draws it under {unsure}: the part a reader sees is not known")
            elif _cut_by_a_box(el, props_of):
                el.set(_UNREAD, "the page shows it inside a box of fixed size that hides what overflows "
                                "(overflow:hidden): the part a reader sees is not known")
            continue
        hidden = zero_size or invisible or _unseen(colour, ground)
        mark = _MARK_TAGS.get(tag)
        inline = tag in _INLINE or mark is not None
        if props:
            decoration = props.get("text-decoration-line") or props.get("text-decoration") or ""
            align = props.get("vertical-align")
            if "line-through" in decoration:
                if inline:
                    mark = STRUCK
                else:  # a struck cell, row or block: each piece of its text is struck
                    struck = True
            elif mark is None and align and tag in _INLINE and align not in _BASELINE:
                mark = RAISED
        if mark is not None or (struck and inline):
            shown = "" if hidden else "".join(el.itertext()).strip()
            _put_before(el, (mark or STRUCK) if shown else "")
            el.drop_tree()
            continue
        if unsure and not hidden:
            _blot_digits(el, unsure, notes)
        if not hidden and (props or tag == "bdo") and _reordered(el, tag, props):
            continue
        if hidden:
            el.text = None
            for child in el:
                child.tail = None
        elif struck:
            if el.text and el.text.strip():
                el.text = STRUCK
            for child in el:
                if child.tail and child.tail.strip():
                    child.tail = STRUCK
        stack.extend((child, zero_size, invisible, colour, ground, struck, unsure) for child in reversed(el))
    return list(dict.fromkeys(notes))


def _transformable(tag: str, props: dict, parent: dict | None) -> bool:
    """Does ``transform`` apply to the element?  Not to a plain inline box (a ``<span>`` in a
    line): only to blocks, inline blocks, pictures and boxes taken out of the line."""
    display = props.get("display")
    if props.get("float") in ("left", "right") or props.get("position") in ("absolute", "fixed") or (
            (parent or {}).get("display") in ("flex", "inline-flex", "grid", "inline-grid")):
        return display != "contents"
    if display is not None:
        return display not in ("inline", "contents")
    return tag not in _INLINE


def _blot_digits(el, reason: str, notes: list[str]) -> None:
    """Under a mask, a clip path or a 3D turn whose effect cannot be told, each piece of the
    element's own text that holds a digit becomes U+FFFD: the number is doubtful, never read
    with or without it."""
    pieces = [el.text] + [child.tail for child in el]
    if not any(p and any(c.isdigit() for c in p) for p in pieces):
        return
    if el.text and any(c.isdigit() for c in el.text):
        el.text = DOUBTFUL
    for child in el:
        if child.tail and any(c.isdigit() for c in child.tail):
            child.tail = DOUBTFUL
    notes.append(f"digits drawn under {reason}: whether a reader sees them cannot be told, so the number "
                 f"they touch is doubtful, not read")


_ZERO_LENGTH = re.compile(r"\s*0*(?:\.0*)?\s*(?:px|pt|em|rem|%)?\s*")


# A picture drawn narrower or lower than this (px) cannot show a table a reader could read.
_LEGIBLE = {"width": 100.0, "height": 30.0}


def _no_box(el, props: dict) -> bool:
    """Is this picture drawn zero wide or zero high (``width="0"``, ``style="height:0"``,
    ``max-width:0``), or smaller than a table could be read at (``width="1"``)?"""
    for side in ("width", "height"):
        for value in (el.get(side), props.get(side), props.get(f"max-{side}")):
            if value is None:
                continue
            if _ZERO_LENGTH.fullmatch(value) and any(c.isdigit() for c in value):
                return True
            px = css_length(value)
            if px is not None and 0 <= px < _LEGIBLE[side]:
                return True
    return False


# Set on an <img> whose shown part cannot be told; the reason is the attribute's value.
_UNREAD = "data-xxgk-unread"


def _cut_by_a_box(img, props_of: dict) -> bool:
    """Is the picture, or a box around it, given a fixed height or width (or a maximum) while
    hiding what overflows?  Without laying the page out, how much of the picture shows is
    not known (a box 200 px high shows a page's title and hides its tables)."""
    for el in (img, *img.iterancestors()):
        props = props_of.get(el) or {}
        if not ({props.get(k) for k in ("overflow", "overflow-x", "overflow-y")} & {"hidden", "clip"}):
            continue
        if any(css_length(props.get(side)) for side in ("height", "max-height", "width", "max-width")):
            return True
    return False


def _replaced(props: dict) -> bool:
    """Does ``content:url(…)`` draw another picture in the place of this one?"""
    return any(isinstance(p, tuple) and p[0] == "image" for p in props.get("content") or ())


def _drawn_away(props: dict) -> bool:
    """Is the picture drawn far outside its own box (``object-position:-9999px 0``)?"""
    for value in (props.get("object-position") or "").split():
        px = css_length(value)
        if px is not None and abs(px) >= 2000:
            return True
    return False


def _put_before(el, text: str) -> None:
    if not text:
        return
    prev = el.getprevious()
    if prev is not None:
        prev.tail = (prev.tail or "") + text
    else:
        parent = el.getparent()
        parent.text = (parent.text or "") + text


def cell_text(cell) -> str:
    """A table cell's text: inline runs joined, blocks and ``<br>`` on lines of their own.

    Lines are stripped and empty lines dropped, so ``<o:p>&nbsp;</o:p>`` is blank;
    ``1<br>2`` stays ``"1\\n2"`` (two tokens), never ``"12"``.
    """
    parts: list[str] = []
    stack = [(cell, False)]
    while stack:
        el, closing = stack.pop()
        tag = _tag(el)
        if closing:
            if tag in _CELL_BREAK:
                parts.append("\n")
            if el is not cell and el.tail:
                parts.append(el.tail)
            continue
        if tag in _CELL_BREAK and el is not cell:
            parts.append("\n")
        if el.text and tag:
            parts.append(el.text)
        stack.append((el, True))
        stack.extend((child, False) for child in reversed(el))
    lines = (_SPACES.sub(" ", ln).strip() for ln in "".join(parts).split("\n"))
    return "\n".join(ln for ln in lines if ln)


def html_grid(table, source: str | None = None, notes: list[str] | None = None) -> Grid:
    """Expand an lxml ``<table>`` into a grid (rowspan/colspan; spanned cells are None).

    Marks in a cell are settled (:func:`~toolkit.reading.document.settle_row`; notes on
    marks beside numbers go to *notes*).  Raises ReportError when the expanded grid would
    pass :data:`MAX_GRID_CELLS`.
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
            row.append(cell_text(cell))
            for dc in range(1, colspan):
                row.append(None)
            for dr in range(1, rowspan):
                for dc in range(colspan):
                    pending[(r + dr, c + dc)] = True
            c += colspan
        while pending.pop((r, c), False):
            row.append(None)
            c += 1
        rows.append(settle_row(row, notes))
        cells += len(row)
        if cells + len(pending) > MAX_GRID_CELLS:
            raise ReportError(source, f"an HTML table expands to more than {MAX_GRID_CELLS:,} cells "
                                      f"(rowspan/colspan); not read")
    width = max((len(r) for r in rows), default=0)
    # Padding every row to the widest one is the grid's real size: one very wide row over
    # many short ones passes the count above and would pad to far more.
    if width * len(rows) > MAX_GRID_CELLS:
        raise ReportError(source, f"an HTML table of {len(rows):,} rows and {width:,} columns is more than "
                                  f"{MAX_GRID_CELLS:,} cells; not read")
    # A row with fewer cells than the table is padded with None, not "": which of
    # its cells is missing is unknown, so its values must not be read by position.
    return Grid([r + [None] * (width - len(r)) for r in rows])


def _drop_chrome(root) -> None:
    """Drop scripts, navigation and footers (by tag, or by class/id unless they hold the report)."""
    for el in list(root.iter(*_DROP)):
        if el.getparent() is not None:
            el.drop_tree()
    stack = [root]
    while stack:
        el = stack.pop()
        if isinstance(el.tag, str) and el.getparent() is not None:
            marker = f"{el.get('class', '')} {el.get('id', '')}"
            if _CHROME.search(marker) and next(el.iter("table"), None) is None \
                    and sum(w in "".join(el.itertext()) for w in _SECTION_WORDS) < 2:
                el.drop_tree()
                continue  # its subtree is gone: not visited
        stack.extend(reversed(el))


def _content_root(root):
    """The smallest block holding the most section *headings* (short blocks naming a section).

    A summary paragraph that names all six sections in one sentence is not a heading,
    so it cannot win.  Linear in the page size (no text is joined per element).
    """
    elements = [el for el in root.iter() if isinstance(el.tag, str)]
    size: dict = {}
    for el in reversed(elements):  # children before parents
        n = len(el.text or "")
        for child in el:
            n += size.get(child, 0) + len(child.tail or "")
        size[el] = n
    found: dict = {}
    for el in elements:
        if _tag(el) not in _HEADING_TAGS or size[el] > _HEADING_MAX * 3:
            continue
        text = re.sub(r"\s+", "", "".join(el.itertext()))
        if not text or len(text) > _HEADING_MAX:
            continue
        hits = [i for i, w in enumerate(_SECTION_WORDS) if w in text]
        if len(hits) == 1:
            for anc in (el, *el.iterancestors()):
                found.setdefault(anc, set()).add(hits[0])
    best, best_key = root, (0, 0)
    for el, secs in found.items():
        if _tag(el) in _ROOT_TAGS:
            key = (len(secs), -size[el])
            if key > best_key:
                best, best_key = el, key
    if best_key[0] >= 3:
        return best
    return _content_root_by_words(root, elements, size)


def _content_root_by_words(root, elements, size):
    """Fallback for pages without heading blocks: the smallest block naming most sections."""
    if len(elements) > 20_000:  # joining every element's text would be quadratic
        return root
    best, best_score, best_len = root, -1, 0
    for el in elements:
        if _tag(el) not in _ROOT_TAGS:
            continue
        text = "".join(el.itertext())
        score = sum(w in text for w in _SECTION_WORDS)
        if score > best_score or (score == best_score and score > 0 and len(text) <= best_len):
            best, best_score, best_len = el, score, len(text)
    return best


def _blocks(content, source: str | None, notes: list[str], folder: Path | None = None) -> list:
    """Text lines, grids and pictures (:class:`~toolkit.reading.embedded.Picture`, from the
    ``<img>`` left after :func:`_visible`) of *content* in document order (iterative: any depth)."""
    blocks: list = []
    line: list[str] = []

    def flush() -> None:
        text, found = settle_marks("".join(line))
        notes.extend(found)
        text = re.sub(r"[ \t\xa0]+", " ", text).strip()
        if text:
            blocks.append(text)
        line.clear()

    stack = [(content, False)]
    while stack:
        el, closing = stack.pop()
        tag = _tag(el)
        if closing:
            if tag in _BLOCK:
                flush()
            if el.tail and el is not content:
                line.append(el.tail)
            continue
        if tag == "table":
            flush()
            blocks.append(html_grid(el, source, notes))
            if el.tail and el is not content:
                line.append(el.tail)
            continue
        if tag == "img":
            flush()
            src = (el.get("src") or "").strip()
            if el.get(_UNREAD):
                blocks.append(Picture(src[:80] or "<img>", None, el.get(_UNREAD)))
            elif _other_sources(el, src):
                blocks.append(Picture(src[:80] or "<img>", None, "the page names other pictures for it (srcset, "
                                      "<picture>): which one a reader sees is not certain"))
            else:
                blocks.append(local_picture(src, folder))
            if el.tail:
                line.append(el.tail)
            continue
        if tag == "br" or tag in _BLOCK:
            flush()
        if el.text and tag:
            line.append(el.text)
        stack.append((el, True))
        stack.extend((child, False) for child in reversed(el))
    flush()
    return blocks


def _other_sources(img, src: str) -> bool:
    """Does the page name pictures other than *src* for this ``<img>`` (its ``srcset``, the
    ``<source srcset>`` of its ``<picture>``)?  A browser shows one of those instead."""
    sets = [img.get("srcset")]
    # libxml2 does not know <source> is empty: the <img> may land inside it.
    for anc in img.iterancestors():
        if _tag(anc) == "picture":
            sets += [s.get("srcset") or s.get("src") for s in anc.iter("source")]
            break
        if _tag(anc) != "source":
            break
    return any(url != src for value in sets for url in _srcset_urls(value or ""))


def _srcset_urls(value: str) -> list[str]:
    """The picture addresses of a ``srcset`` (a data: URI holds commas: an address runs to the
    next space, its descriptors to the next comma)."""
    urls, pos = [], 0
    while True:
        m = re.compile(r"[\s,]*(\S+)").match(value, pos)
        if m is None or not m.group(1):
            return urls
        url = m.group(1)
        pos = m.end()
        if url.endswith(","):
            urls.append(url.rstrip(","))
            continue
        urls.append(url)
        comma = value.find(",", pos)
        if comma < 0:
            return urls
        pos = comma + 1


_WRAPPER = r"</?(?:div|span|section|article|main|font|center|b|i|u|em|strong|small|big|blockquote)(?:\s[^<>]*)?/?>"
_WRAPPERS = re.compile(rf"(?:{_WRAPPER}\s*)+", re.I)  # a run of them, replaced at once
_BLOCK_WRAPPER = re.compile(r"</?(?:div|section|article|main|center|blockquote)\b", re.I)


def _unwrap(m: re.Match) -> str:
    return "<br>" if _BLOCK_WRAPPER.search(m.group(0)) else ""


def _parse(text: str, source: str | None):
    """(root, too_deep): the page parsed with libxml2 (huge_tree)."""
    import lxml.etree
    import lxml.html

    parser = lxml.html.HTMLParser(encoding="utf-8", huge_tree=True, remove_comments=True)
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8", "surrogatepass"), parser=parser)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise ReportError(source, f"not readable as HTML ({exc})") from None
    too_deep = any("Excessive depth" in e.message for e in parser.error_log)
    return root, too_deep


def _report_body(data: bytes, source: str | None, charset: str | None):
    """(body, warnings, title): the element holding the report, with only what the page shows."""
    text, warnings = decode_html(data, source, charset)
    root, too_deep = _parse(text, source)
    if too_deep and _HIDING.search(text):
        # Reading it whole means dropping wrapper tags, and with them the styles that hide text.
        raise ReportError(source, "HTML nested too deeply to read, and it hides text with styles; not read")
    if too_deep:
        # libxml2 stops building the tree past a fixed depth and drops what is deeper.
        # Wrapper tags carry no report content: without them the page is shallow.
        root, too_deep = _parse(_WRAPPERS.sub(_unwrap, text), source)
        if too_deep:
            raise ReportError(source, "HTML nested too deeply to read (even without its wrapper tags); not read")
        warnings.append("HTML nested deeper than the parser's limit: wrapper tags (div, span, font …) "
                        "were ignored to read it whole")
    title = root.findtext(".//head/title") or root.findtext(".//title")
    try:
        warnings.extend(_visible(root))
    except CostlyStyles as exc:
        raise ReportError(source, f"{exc}; not read") from None
    _drop_chrome(root)
    return _content_root(root), warnings, title


def report_pictures(data: bytes, source: str | None = None, charset: str | None = None) -> list[str]:
    """The ``src`` of each picture :func:`read_html` would read on the page, in order: the visible
    ``<img>`` of the report's body (outside tables), whatever their address."""
    content, _, _ = _report_body(data, source, charset)
    return [el.get("src").strip() for el in content.iter("img")
            if (el.get("src") or "").strip() and next(el.iterancestors("table"), None) is None]


def read_html(data: bytes, source: str | None = None, charset: str | None = None,
              folder: str | Path | None = None) -> Document:
    """An HTML page's bytes as a Document.  *charset*: what the server declared (HTTP
    Content-Type), used when the page itself does not say and the bytes decode with it.

    Visible pictures large enough to hold a table (``<img>`` with a ``data:`` URI, or a file
    named by a path relative to *folder*, the page's own folder) are read by OCR where they
    stand (:mod:`toolkit.reading.embedded`); the document is then an OCR'd one."""
    content, warnings, title = _report_body(data, source, charset)
    blocks, by_ocr = settle(_blocks(content, source, warnings, Path(folder) if folder is not None else None),
                            source, warnings)
    text, grids = assemble(blocks)
    return Document(text, grids, warnings, _SPACES.sub(" ", title).strip() or None if title else None,
                    ocr=by_ocr)
