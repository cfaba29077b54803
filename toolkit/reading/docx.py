"""DOCX files into a Document: paragraphs as text, tables as grids (merged cells once).

Text is what the printed page shows (:func:`paragraph_text`), read from the XML with
lxml rather than python-docx's ``Paragraph.text`` (plain runs and hyperlinks only):
tracked changes as accepted, every run container opened, hidden runs dropped, and
superscript/subscript or struck runs kept only as marks (:mod:`toolkit.reading.document`).
"""
from __future__ import annotations

import io
import itertools
import zipfile

from ..errors import ReportError
from .css import css_length, hides_subtree, inline
from .embedded import Picture, settle
from .document import (DOUBTFUL, MAX_GRID_CELLS, RAISED, STRUCK, Document, Grid, assemble, cell_lines,
                       settle_marks, settle_row)

__all__ = ["read_docx", "docx_grid", "docx_cell_text", "paragraph_text", "check_spans", "MAX_DOCX_UNCOMPRESSED"]

MAX_DOCX_UNCOMPRESSED = 200 * 1024 * 1024  # larger than any real report: a zip bomb


def read_docx(data: bytes, source: str | None = None) -> Document:
    """A DOCX file's bytes as a Document; ReportError naming *source* when it cannot be read."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            size = sum(info.file_size for info in zf.infolist())
            if size > MAX_DOCX_UNCOMPRESSED:
                raise ReportError(source, f"DOCX expands to {size // 2**20} MiB (zip bomb?); not read")
    except zipfile.BadZipFile:
        raise ReportError(source, "corrupt DOCX (not a valid zip archive)") from None
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        styles = Styles(document.styles.element)
    except Exception as exc:  # python-docx raises many kinds on malformed parts
        raise ReportError(source, f"corrupt DOCX ({type(exc).__name__}: {exc})") from None
    blocks: list[str | Grid] = []
    notes: list[str] = []
    stack = [iter(document.element.body.iterchildren())]
    while stack:  # body order; content controls (w:sdt) are opened, not skipped
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        tag = _local(child)
        if tag in _BLOCK_CONTAINERS:
            stack.append(iter(_opened(child)))
        elif tag == "p":
            text, found = settle_marks(paragraph_text(child, styles).strip())
            notes.extend(found)
            if text.strip():
                blocks.append(text.strip())
            # The paragraph's pictures follow its text (a pasted table stands alone in its paragraph).
            blocks.extend(_picture(document.part, rid, crop) if rid else
                          Picture("a picture", None, "the file gives Word and other programs different pictures "
                                  "here (mc:AlternateContent): which one a reader sees is not certain")
                          for rid, crop in paragraph_pictures(child, styles))
        elif tag == "tbl":
            check_spans(child, source)
            blocks.append(docx_grid(Table(child, document), styles, notes))
    blocks, by_ocr = settle(blocks, source, notes)
    text, grids = assemble(blocks)
    return Document(text, grids, notes, ocr=by_ocr)


def _picture(part, rid: str, crop: tuple[float, ...] = (0.0, 0.0, 0.0, 0.0)) -> Picture:
    """The picture the document part's relationship *rid* names (word/media/…), *crop* of it cut off."""
    rel = part.rels.get(rid)
    if rel is None:
        return Picture(rid, None, "its relationship is missing from the file")
    if rel.is_external:
        return Picture(rid, None, "linked from outside the file (not downloaded while reading)")
    target = rel.target_part
    return Picture(str(target.partname).lstrip("/"), target.blob, crop=crop)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# Word's own extensions whose runs are ordinary runs: an mc:Choice requiring only these
# is read; any other (drawing shapes, math, …) gives way to its mc:Fallback.
_UNDERSTOOD = frozenset({
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://schemas.microsoft.com/office/word/2010/wordml",
    "http://schemas.microsoft.com/office/word/2012/wordml",
    "http://schemas.microsoft.com/office/word/2015/wordml/symex",
    "http://schemas.microsoft.com/office/word/2016/wordml/cid",
    "http://schemas.microsoft.com/office/word/2018/wordml",
    "http://schemas.microsoft.com/office/word/2018/wordml/cex",
    "http://schemas.microsoft.com/office/word/2020/wordml/sdtdatahash",
})
# Elements whose content is read as if it stood in their place.  Insertions and
# moved-to text are the accepted text; w:del and w:moveFrom (deleted, moved away) are
# not opened, nor anything not named here (drawings, comments, properties).
_INLINE_CONTAINERS = frozenset({"ins", "moveTo", "sdt", "sdtContent", "smartTag", "customXml", "hyperlink",
                                "fldSimple", "dir", "bdo", "AlternateContent", "rubyBase"})
_BLOCK_CONTAINERS = frozenset({"sdt", "sdtContent", "customXml", "ins", "moveTo", "AlternateContent"})
_TOGGLES = ("vanish", "webHidden", "specVanish", "strike", "dstrike", "outline", "emboss", "imprint", "shadow")
# Effects that draw a glyph's outline or shadow: text with them is seen whatever its colour.
_OUTLINED = ("outline", "emboss", "imprint", "shadow")
# Text smaller than this (half-points: 2 pt) or squeezed below this width (per cent) cannot
# be read on the page; it is dropped like hidden text.
_TINY_SIZE = 4
_TINY_WIDTH = 10
# Character spacing (twips) at or below -OVERLAP x the run's size (half-points), i.e. -0.3 of
# the font size, draws each glyph over the next.
_OVERLAP = 3
# A run raised or lowered by this share of its size is a mark even at full size.
_SHIFT = 0.25
_HIGHLIGHT = {"white": "FFFFFF", "black": "000000", "yellow": "FFFF00", "green": "00FF00", "cyan": "00FFFF",
              "magenta": "FF00FF", "blue": "0000FF", "red": "FF0000", "darkBlue": "000080", "darkCyan": "008080",
              "darkGreen": "008000", "darkMagenta": "800080", "darkRed": "800000", "darkYellow": "808000",
              "darkGray": "808080", "lightGray": "C0C0C0"}
# Theme colours that are the page's own background colour in every Office theme.
_THEME_BACKGROUND = frozenset({"background1", "light1"})
_WHITE = (255, 255, 255)
_SAME_COLOUR = 13  # per channel, out of 255: the HTML and PDF readers' tolerance
_MAX_DEPTH = 64  # nesting of containers and style inheritance: more is a broken or hostile file


def _local(el) -> str:
    tag = el.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _opened(el) -> list:
    """The children read in place of a container: a content control's content only, one
    branch of an mc:AlternateContent (its first understood mc:Choice, else its mc:Fallback),
    a ruby's base text."""
    tag = _local(el)
    if tag == "sdt":
        return [c for c in el.iterchildren(f"{_W}sdtContent")]
    if tag == "AlternateContent":
        for branch in el.iterchildren(f"{_MC}Choice", f"{_MC}Fallback"):
            if branch.tag == f"{_MC}Fallback":
                return list(branch)
            needs = (branch.get("Requires") or "").split()
            if needs and all(branch.nsmap.get(p) in _UNDERSTOOD for p in needs):
                return list(branch)
        return []
    if tag == "ruby":  # the base text; the small guide text above it (w:rt) is not the line's
        return [c for base in el.iterchildren(f"{_W}rubyBase") for c in base]
    if tag in ("smartTag", "customXml"):
        return [c for c in el if _local(c) not in ("smartTagPr", "customXmlPr")]
    return list(el)


def _on(el) -> bool:
    """A toggle property's value (``<w:strike/>`` is on, ``w:val="0"``/``false``/``off`` is off)."""
    return (el.get(f"{_W}val") or "true").lower() not in ("0", "false", "off")


def _run_props(rpr) -> dict:
    """The properties of one ``w:rPr`` that decide visibility and marks."""
    out: dict = {}
    if rpr is None:
        return out
    for el in rpr:
        tag = _local(el)
        if tag in _TOGGLES:
            out[tag] = _on(el)
        elif tag == "vertAlign":
            out[tag] = el.get(f"{_W}val") or "baseline"
        elif tag == "color":
            theme = el.get(f"{_W}themeColor")
            out[tag] = "FFFFFF" if theme in _THEME_BACKGROUND else (None if theme else el.get(f"{_W}val"))
        elif tag == "shd":
            out[tag] = _shading(el)
        elif tag == "highlight":
            out[tag] = _HIGHLIGHT.get(el.get(f"{_W}val") or "", "unknown")
        elif tag in ("position", "sz", "w", "spacing"):
            try:
                out[tag] = int(el.get(f"{_W}val") or "")
            except ValueError:
                pass
    return out


def _hex(value: str | None):
    """An ``RRGGBB`` colour as (r, g, b); None for ``auto`` or anything else."""
    if not value or len(value) != 6:
        return None
    try:
        return tuple(int(value[i:i + 2], 16) for i in (0, 2, 4))
    except ValueError:
        return None


def _shading(shd) -> str | None:
    """The colour a ``w:shd`` paints: its fill (``clear``), its pattern colour (``solid``);
    ``"unknown"`` for a pattern of both, None for no shading."""
    val = shd.get(f"{_W}val")
    if val in (None, "clear", "nil"):
        fill = shd.get(f"{_W}fill")
        return None if fill in (None, "auto") else fill
    if val == "solid":
        colour = shd.get(f"{_W}color")
        return None if colour in (None, "auto") else colour
    return "unknown"


def ground_of(*elements, default: tuple | None = _WHITE) -> tuple | None:
    """The colour behind text: the first shading set among the *elements* (``w:pPr``, ``w:tcPr``,
    ``w:tblPr`` …, nearest first), else *default* (the white page); None when it cannot be told."""
    for el in elements:
        shd = None if el is None else el.find(f"{_W}shd")
        if shd is not None:
            colour = _shading(shd)
            if colour is not None:
                return _hex(colour)
    return default


def _unseen(colour: str | None, ground: tuple | None) -> bool:
    rgb = _hex(colour)
    if rgb is None or ground is None:
        return False
    return all(abs(a - b) <= _SAME_COLOUR for a, b in zip(rgb, ground))


class Styles:
    """Run properties (hidden, struck, raised, size) that paragraph and character styles give."""

    def __init__(self, styles_el) -> None:
        self._own: dict[str, tuple[str | None, dict]] = {}
        self._shading: set[str] = set()
        self.defaults: dict = {}
        if styles_el is None:
            return
        for dd in styles_el.iterchildren(f"{_W}docDefaults"):
            for rd in dd.iterchildren(f"{_W}rPrDefault"):
                self.defaults = _run_props(rd.find(f"{_W}rPr"))
        for st in styles_el.iterchildren(f"{_W}style"):
            sid = st.get(f"{_W}styleId")
            if sid is None:
                continue
            if any(_shading(shd) not in (None, "FFFFFF") for shd in st.iter(f"{_W}shd")):
                self._shading.add(sid)
            based = st.find(f"{_W}basedOn")
            self._own[sid] = (None if based is None else based.get(f"{_W}val"), _run_props(st.find(f"{_W}rPr")))
        self._cache: dict = {}

    def shades(self, style_id: str | None) -> bool:
        """Does the style, or one it is based on, shade anything (a table style's header row …)?"""
        seen: list[str] = []
        while style_id in self._own and style_id not in seen and len(seen) < _MAX_DEPTH:
            if style_id in self._shading:
                return True
            seen.append(style_id)
            style_id = self._own[style_id][0]
        return False

    def of(self, style_id: str | None) -> dict:
        """A style's run properties with those it is based on (nearest wins)."""
        if style_id is None or style_id not in self._own:
            return {}
        if style_id in self._cache:
            return self._cache[style_id]
        chain, sid = [], style_id
        while sid in self._own and sid not in chain and len(chain) < _MAX_DEPTH:
            chain.append(sid)
            sid = self._own[sid][0]
        props: dict = {}
        for sid in reversed(chain):
            props.update(self._own[sid][1])
        self._cache[style_id] = props
        return props


def _style_id(pr, tag: str) -> str | None:
    if pr is None:
        return None
    el = pr.find(f"{_W}{tag}")
    return None if el is None else el.get(f"{_W}val")


def _runs(p, styles: Styles, para: dict) -> list[tuple[object, dict]]:
    """The runs a ``<w:p>`` shows, in order, with their properties (containers opened as
    :func:`paragraph_text` says)."""
    runs: list[tuple[object, dict]] = []
    stack = [iter(_opened(p))]
    # The right-to-left override (w:bdo w:val="rtl") each level is inside, if any: its
    # characters are shown in reverse order (12 is printed 21).
    overrides: list = [None]
    while stack:
        el = next(stack[-1], None)
        if el is None:
            stack.pop()
            overrides.pop()
            continue
        tag = _local(el)
        if tag == "r":
            rpr = el.find(f"{_W}rPr")
            props = {**para, **styles.of(_style_id(rpr, "rStyle")), **_run_props(rpr)}
            if overrides[-1] is not None:
                props["override"] = overrides[-1]
            runs.append((el, props))
            rubies = list(el.iterchildren(f"{_W}ruby"))
            if rubies and len(stack) < _MAX_DEPTH:  # a ruby's base holds runs of its own
                stack.append(iter([c for ruby in rubies for c in _opened(ruby)]))
                overrides.append(overrides[-1])
        elif tag in _INLINE_CONTAINERS and len(stack) < _MAX_DEPTH:
            stack.append(iter(_opened(el)))
            rtl = tag == "bdo" and (el.get(f"{_W}val") or "").lower() == "rtl"
            overrides.append(el if rtl else overrides[-1] if tag != "bdo" else None)
    return runs


_A_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
_V_IMAGEDATA = "{urn:schemas-microsoft-com:vml}imagedata"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_WP_DOCPR = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"


_A_SRCRECT = "{http://schemas.openxmlformats.org/drawingml/2006/main}srcRect"
_A_ALPHA = "{http://schemas.openxmlformats.org/drawingml/2006/main}alphaModFix"
_WP_EXTENT = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}extent"
_EMU_PX = 9525  # EMU per pixel at 96 dpi
# A picture drawn narrower or lower than this (px) cannot show a table a reader could read.
_LEGIBLE_PX = (100, 30)


def paragraph_pictures(p, styles: Styles | None = None) -> list[tuple[str, tuple[float, ...]]]:
    """(relationship id, crop) of the pictures a ``<w:p>`` shows, in order: pictures
    (``w:drawing``, ``w:pict``) embedded in runs that are not hidden (w:vanish, w:webHidden,
    w:specVanish, by the run or its style), not marked hidden themselves (``wp:docPr
    hidden="1"``, a VML shape's ``visibility:hidden``/``display:none``), not drawn too small to
    read or fully transparent; an empty id where Word and other programs are given different
    pictures (mc:AlternateContent).  *crop*: the fractions (left, top, right, bottom) of the picture
    Word cuts off (``a:srcRect``), since only the rest is shown.  A picture only linked to
    (``r:link``, outside the file) has no id here: it is not in the file."""
    styles = styles or Styles(None)
    ppr = p.find(f"{_W}pPr")
    para = {**styles.defaults, **styles.of(_style_id(ppr, "pStyle"))}
    out: list[tuple[str, tuple[float, ...]]] = []
    for r, pr in _runs(p, styles, para):
        if pr.get("vanish") or pr.get("webHidden") or pr.get("specVanish"):
            continue
        for alt in r.iter(f"{_MC}AlternateContent"):
            shown = {frozenset(_picture_ids(branch)) for branch in alt.iterchildren(f"{_MC}Choice", f"{_MC}Fallback")}
            if len(shown) > 1:
                # Word shows the mc:Choice, older programs the mc:Fallback: which picture a
                # reader sees is not certain when they differ.
                out.append(("", (0.0, 0.0, 0.0, 0.0)))  # no id: a picture that cannot be told
                break
        else:
            alt = None
        if alt is not None:
            continue
        for el in _run_content(r):
            if _local(el) not in ("drawing", "pict", "object"):
                continue
            if any((d.get("hidden") or "").lower() in ("1", "true") for d in el.iter(_WP_DOCPR)):
                continue
            if _too_small_or_hidden(el):
                continue
            for pic in el.iter(_A_BLIP, _V_IMAGEDATA):
                rid = pic.get(f"{_R}embed") or pic.get(f"{_R}id")
                if rid and not _transparent(pic):
                    out.append((rid, _crop(pic)))
    return out


def _picture_ids(el) -> list[str]:
    return [pic.get(f"{_R}embed") or pic.get(f"{_R}id") or "" for pic in el.iter(_A_BLIP, _V_IMAGEDATA)]


def _too_small_or_hidden(el) -> bool:
    """Is this drawing (``wp:extent``) or VML shape (``style``) drawn too small to read, or hidden?"""
    for ext in el.iter(_WP_EXTENT):
        try:
            cx, cy = int(ext.get("cx") or 0), int(ext.get("cy") or 0)
        except ValueError:
            continue
        if cx < _LEGIBLE_PX[0] * _EMU_PX or cy < _LEGIBLE_PX[1] * _EMU_PX:
            return True
    for shape in el.iter():
        style = shape.get("style") if isinstance(shape.tag, str) and shape.tag.startswith("{urn:schemas-microsoft-com:vml}") else None
        if not style:
            continue
        props = {k: v for k, (v, _) in inline(style).items()}
        if hides_subtree(props) or props.get("visibility") in ("hidden", "collapse"):
            return True
        for side, least in zip(("width", "height"), _LEGIBLE_PX):
            px = css_length(props.get(side))
            if px is not None and px < least:
                return True
    return False


def _transparent(blip) -> bool:
    """Is the picture drawn (almost) fully transparent (``a:alphaModFix amt`` under 5%)?"""
    for fix in blip.iter(_A_ALPHA):
        try:
            if int(fix.get("amt") or 100000) < 5000:
                return True
        except ValueError:
            continue
    return False


def _crop(blip) -> tuple[float, ...]:
    """The fractions (left, top, right, bottom) Word cuts off the picture (``a:srcRect`` beside
    its ``a:blip``, in thousandths of a percent; negative ones pad, they do not cut)."""
    fill = blip.getparent()
    rect = fill.find(_A_SRCRECT) if fill is not None else None
    if rect is None:
        return (0.0, 0.0, 0.0, 0.0)
    out = []
    for side in ("l", "t", "r", "b"):
        try:
            out.append(min(max(int(rect.get(side) or 0) / 100000, 0.0), 1.0))
        except ValueError:
            out.append(0.0)
    return tuple(out)


def paragraph_text(p, styles: Styles | None = None, ground: tuple | None = _WHITE) -> str:
    """The text a ``<w:p>`` shows once printed, with marks (:data:`RAISED`, :data:`STRUCK`)
    in place of superscript/subscript, raised small and struck runs.

    Tracked changes read as accepted (insertions and moved-to text in, deletions and
    moved-from text out); content controls, smart tags, custom XML, hyperlinks and
    simple fields opened; a complex field's result read, its instruction not; of an
    mc:AlternateContent one branch; runs hidden directly or by their style (w:vanish,
    w:webHidden, w:specVanish), in the colour of the ground behind them (their own
    highlight or shading, the paragraph's, else *ground*: the cell's, else the white page)
    or too small to read dropped.
    """
    styles = styles or Styles(None)
    ppr = p.find(f"{_W}pPr")
    para = {**styles.defaults, **styles.of(_style_id(ppr, "pStyle"))}
    if ppr is not None and ppr.find(f"{_W}shd") is not None:
        ground = ground_of(ppr)
    elif styles.shades(_style_id(ppr, "pStyle")):
        ground = None  # shaded by its style: not worked out here, so any colour is taken as seen
    runs = _runs(p, styles, para)
    # A run raised or lowered from the line (the position most of its text has) is a mark
    # (a footnote number set by hand), not part of the line, when it is smaller than the
    # line's text or moved by a quarter of its size.
    weight: dict[int, int] = {}
    for r, pr in runs:
        chars = sum(len(t.text or "") for t in r.iter(f"{_W}t"))
        weight[pr.get("position", 0)] = weight.get(pr.get("position", 0), 0) + chars
    line = max(weight, key=lambda k: (weight[k], k == 0), default=0)
    base = max((pr.get("sz", 0) for _, pr in runs if pr.get("position", 0) == line), default=0)
    pieces: list[str] = []
    fields: list[bool] = []  # open complex fields: True once past their separator (the result)
    for r, pr in runs:
        mark = None
        if pr.get("strike") or pr.get("dstrike"):
            mark = STRUCK
        size = pr.get("sz") or base or 21
        shift = pr.get("position", 0) - line
        if pr.get("vertAlign") in ("superscript", "subscript") or (shift and (
                (pr.get("sz") is not None and pr["sz"] < base) or abs(shift) >= _SHIFT * size)):
            mark = RAISED
        back = pr.get("highlight") or pr.get("shd")
        behind = ground if back is None else (None if back == "unknown" else _hex(back))
        hidden = pr.get("vanish") or pr.get("webHidden") or pr.get("specVanish") \
            or (pr.get("sz") is not None and pr["sz"] < _TINY_SIZE) \
            or (pr.get("w") is not None and pr["w"] < _TINY_WIDTH) \
            or (not any(pr.get(k) for k in _OUTLINED) and _unseen(pr.get("color"), behind))
        text: list[str] = []
        for el in _run_content(r):
            tag = _local(el)
            if tag == "fldChar":
                kind = el.get(f"{_W}fldCharType")
                if kind == "begin":
                    fields.append(False)
                elif kind == "separate" and fields:
                    fields[-1] = True
                elif kind == "end" and fields:
                    fields.pop()
                continue
            if hidden or not all(fields):
                continue  # hidden, or a field's instruction
            if tag == "t":
                text.append(el.text or "")
            elif tag in ("tab", "ptab"):
                text.append("\t")
            elif tag == "cr" or (tag == "br" and el.get(f"{_W}type") in (None, "textWrapping")):
                text.append("\n")
            elif tag == "noBreakHyphen":
                text.append("-")
            elif tag in ("footnoteReference", "endnoteReference"):
                text.append(RAISED)  # Word prints the note's number raised
        shown = "".join(text)
        size = pr.get("sz") or base or 21
        if pr.get("spacing") is not None and pr["spacing"] <= -_OVERLAP * size and any(c.isdigit() for c in shown):
            # Condensed so far that each glyph is drawn over the next: a blot, not a number.
            shown = DOUBTFUL
        owner = pr.get("override")
        if mark and shown.strip():
            if not pieces or pieces[-1] != (mark, owner):
                pieces.append((mark, owner))
        else:
            pieces.append((shown, owner))
    out: list[str] = []
    for owner, group in itertools.groupby(pieces, key=lambda piece: id(piece[1]) if piece[1] is not None else None):
        text = "".join(t for t, _ in group)
        out.append(text[::-1] if owner is not None else text)
    return "".join(out)


def _run_content(r) -> list:
    """A run's content elements in order, an mc:AlternateContent inside it read as one branch."""
    out: list = []
    stack = [iter(r)]
    while stack:
        el = next(stack[-1], None)
        if el is None:
            stack.pop()
        elif _local(el) == "AlternateContent" and len(stack) < _MAX_DEPTH:
            stack.append(iter(_opened(el)))
        else:
            out.append(el)
    return out


def docx_cell_text(cell, styles: Styles | None = None) -> str:
    """A cell's paragraphs (and nested tables' cells) on lines of their own, never glued
    together: two paragraphs ``1`` and ``2`` are ``"1\n2"``, not ``"12"``.  Runs within a
    paragraph are one word (Word splits ``2023`` into runs freely).  Marks are left in
    (:func:`paragraph_text`); a deleted row of a nested table is not read."""
    lines: list[str] = []
    tc = cell._tc
    tbl = next(tc.iterancestors(f"{_W}tbl"), None)
    tblpr = None if tbl is None else tbl.find(f"{_W}tblPr")
    # A table style that shades cells (a dark header row, banded rows) is not worked out here:
    # under it the ground is unknown, and text of any colour is taken as seen.
    shaded = styles is not None and styles.shades(_style_id(tblpr, "tblStyle"))
    ground = ground_of(tc.find(f"{_W}tcPr"), tblpr, default=None if shaded else _WHITE)
    stack = [iter(tc.iterchildren())]  # document order, any nesting depth
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        tag = _local(child)
        if tag == "p":
            lines.extend(paragraph_text(child, styles, ground).split("\n"))
        elif tag == "tr" and _deleted_row(child):
            continue
        elif (tag in ("tbl", "tr", "tc") or tag in _BLOCK_CONTAINERS) and len(stack) < _MAX_DEPTH:
            stack.append(iter(_opened(child)))
    return cell_lines("\n".join(lines))


def _deleted_row(tr) -> bool:
    """A table row deleted as a tracked change (``w:trPr/w:del``): not in the accepted table."""
    pr = tr.find(f"{_W}trPr")
    return pr is not None and pr.find(f"{_W}del") is not None


def _deleted_cell(tc) -> bool:
    """A table cell deleted as a tracked change (``w:tcPr/w:cellDel``)."""
    pr = tc.find(f"{_W}tcPr")
    return pr is not None and pr.find(f"{_W}cellDel") is not None


def docx_grid(table, styles: Styles | None = None, notes: list[str] | None = None) -> Grid:
    """A python-docx table as a grid: a merged cell keeps its text once, the rest is None.

    Rows and cells deleted as tracked changes are left out; each cell's marks are settled
    (:func:`~toolkit.reading.document.settle_marks`), with a note in *notes* naming
    the row for each mark beside a number."""
    rows: list[list[str | None]] = []
    # The <w:tc> elements already read.  They are kept alive here: lxml proxies of
    # freed elements would otherwise hand their id() to new cells.
    seen: dict[int, object] = {}
    for row in table.rows:
        if _deleted_row(row._tr):
            continue
        out: list[str | None] = []
        for cell in row.cells:
            tc = cell._tc
            if _deleted_cell(tc):
                continue  # a cell deleted as a tracked change: the accepted row closes up
            if id(tc) in seen:
                out.append(None)
            else:
                seen[id(tc)] = tc
                out.append(docx_cell_text(cell, styles))
        rows.append(settle_row(out, notes))
    width = max((len(r) for r in rows), default=0)
    # A short row is padded with None (no cell there), never with a blank cell.
    return Grid([r + [None] * (width - len(r)) for r in rows])


def check_spans(tbl, source: str | None = None) -> None:
    """Refuse a ``<w:tbl>`` whose grid python-docx would expand beyond :data:`MAX_GRID_CELLS`.

    python-docx builds each row's cells itself, one per spanned grid column, and
    converts ``w:gridSpan`` with ``int()``: a span of 100,000,000 costs gigabytes
    and a span of ``abc`` a bare ``ValueError``.  The spans are read from the XML
    first, so a bad or huge one is refused with its value, before any is expanded.
    """
    rows = width = 0
    for tr in tbl.iterchildren(f"{_W}tr"):
        rows += 1
        cells = 0
        for tc in tr.iterchildren(f"{_W}tc"):
            span = 1
            for el in tc.iterchildren(f"{_W}tcPr"):
                for gs in el.iterchildren(f"{_W}gridSpan"):
                    raw = gs.get(f"{_W}val")
                    if raw is None or not (raw.strip().isascii() and raw.strip().isdigit()) or int(raw) < 1:
                        raise ReportError(source, f"DOCX table cell has an invalid column span "
                                                  f"(w:gridSpan {raw!r}); not read")
                    span = int(raw)
            if span > MAX_GRID_CELLS:
                raise ReportError(source, f"a DOCX table cell spans {span:,} columns, more than the "
                                          f"{MAX_GRID_CELLS:,}-cell limit for one table; not read")
            cells += span
        width = max(width, cells)
        # The grid is padded to its widest row: rows x width cells.
        if rows * width > MAX_GRID_CELLS:
            raise ReportError(source, f"a DOCX table expands to more than {MAX_GRID_CELLS:,} cells "
                                      f"({rows:,}+ rows x {width:,} spanned columns); not read")
