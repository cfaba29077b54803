"""PDF files (with a text layer) into a Document: text bands in page order, tables as grids
joined across pages.

Only the glyphs a reader sees are read (:func:`shown_page`): glyphs drawn twice a
fraction of a point apart ("fake bold") once, glyphs in an invisible text render mode
or in the colour of what lies under them not at all, and a small glyph raised or lowered
beside its neighbour as a mark that never joins a number
(:func:`~toolkit.reading.document.settle_marks`).
"""
from __future__ import annotations

import bisect
import io
import re

from ..errors import NoTextLayer, ReportError
from .css import FAINT
from .document import DOUBTFUL, RAISED, STRUCK, Document, Grid, assemble, cell_lines, settle_marks, settle_row

__all__ = ["read_pdf"]


def read_pdf(data: bytes, source: str | None = None) -> Document:
    """A PDF file's bytes as a Document; ReportError naming *source* when it cannot be read."""
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.psparser import PSException

    try:
        from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException
    except ImportError:  # pdfplumber < 0.11 lets pdfminer's errors through unwrapped
        MalformedPDFException = PdfminerException = PSException

    try:
        return _read_pdf(data, source)
    except ReportError:  # our own verdict (no text layer): a ValueError, but not a corrupt file
        raise
    except (PdfminerException, MalformedPDFException, PSException, ValueError, KeyError) as exc:
        # pdfplumber wraps pdfminer's errors (on open and on each page): name the real one.
        inner = exc.args[0] if isinstance(exc, PdfminerException) and exc.args \
            and isinstance(exc.args[0], Exception) else exc
        if isinstance(inner, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise ReportError(source, "password-protected PDF; not read") from None
        # The library's exception name means nothing to a reader: say what it found in words.
        why = "it ends before its end" if isinstance(inner, PSException) and "EOF" in type(inner).__name__ \
            else "its structure cannot be read"
        raise ReportError(source, f"corrupt or damaged PDF ({why}); not read") from None


def _read_pdf(data: bytes, source: str | None) -> Document:
    import pdfplumber

    blocks: list[str | Grid] = []
    pdf = pdfplumber.open(io.BytesIO(data))
    with pdf:
        carry: Grid | None = None
        any_text = False
        notes: list[str] = []
        for original in pdf.pages:
            page = shown_page(original)
            tables = sorted(page.find_tables(), key=lambda t: t.bbox[1])
            bboxes = [t.bbox for t in tables]
            outside = page.filter(lambda o: not any(
                b[0] <= o.get("x0", -1) and o.get("x1", 1e9) <= b[2] and b[1] <= o.get("top", -1)
                and o.get("bottom", 1e9) <= b[3] for b in bboxes))
            # Page order: the text band above each table, the table, …, the text below the last.
            y = 0.0
            for t in [*tables, None]:
                limit = t.bbox[1] if t is not None else page.height
                band = ""
                if limit > y:
                    band = page.crop((0, y, page.width, limit)).filter(outside.filter_fn).extract_text() or ""
                band, found = settle_marks(band)
                notes.extend(found)
                if band.strip():
                    any_text = True
                    if carry is not None:
                        blocks.append(carry)
                        carry = None
                    blocks.append(band.strip())
                if t is None:
                    break
                y = max(y, t.bbox[3])
                # pdfplumber gives None where a merged cell covers the position: keep it
                # None (spanned), distinct from an empty cell "".
                grid = Grid([settle_row([(None if c is None else cell_lines(c)) for c in row], notes)
                             for row in t.extract()])
                if not grid.rows:
                    continue
                any_text = True
                # A table continued on the next page has the same width and no text between.
                if carry is not None and len(carry.rows[0]) == len(grid.rows[0]):
                    carry.rows.extend(grid.rows)
                else:
                    if carry is not None:
                        blocks.append(carry)
                    carry = grid
        if carry is not None:
            blocks.append(carry)
    if not any_text:
        raise NoTextLayer(source, "PDF has no text layer (scanned?); nothing could be read")
    text, grids = assemble(blocks)
    return Document(text, grids, notes)


# Fake bold: the same glyph drawn again within this many points.
_DOUBLED = 1.0
# A mark glyph is at most this share of its neighbour's size, and its baseline (or top)
# is moved by at least this share of the neighbour's size.
_MARK_SIZE = 0.8
_MARK_SHIFT = 0.2
# A mark is looked for as far from its neighbour as pdfplumber joins glyphs into a word
# (its default x_tolerance): any nearer glyph would otherwise join the number.
_MARK_GAP = 3.0
# A line through a glyph's middle (not its top or bottom STRIKE_BAND share of its height, where
# borders and underlines run), at most BAR points thick, strikes it out.
_STRIKE_BAND = 0.25
_BAR = 1.5
# Text squeezed below this horizontal scaling (per cent) cannot be read.
_TINY_SCALE = 10.0
# Two different glyphs overlapping by more than this share of the narrower one's width
# (and of its height) are drawn over each other: which one shows cannot be told.
_OVERPRINT = 0.5


def shown_page(page):
    """*page* with only the glyphs a reader sees, as a pdfplumber page (itself when nothing
    changes): doubled glyphs once, invisible ones dropped, raised/lowered small ones as
    :data:`~toolkit.reading.document.RAISED` marks."""
    from pdfplumber.page import FilteredPage
    from pdfplumber.utils import dedupe_chars

    unseen, outlined = _unseen_glyphs(page)
    chars = page.chars
    if not chars:
        return page
    once = dedupe_chars(chars, tolerance=_DOUBLED) if _has_doubles(chars) else chars
    kept = [c for c in once if not (unseen and _key(c) in unseen)
            and not (_same_as_ground(c, page) and _key(c) not in outlined)]
    kept = _marks(_struck(_overprinted(kept), page))
    if len(kept) == len(chars) and all(a is b for a, b in zip(kept, chars)):
        return page
    # pdfplumber's own way to derive a page with other chars (Page.dedupe_chars).
    shown = FilteredPage(page, lambda obj: True)
    shown._objects = {kind: objs for kind, objs in page.objects.items()}
    shown._objects["char"] = kept
    return shown


def _has_doubles(chars) -> bool:
    """Could any glyph be drawn twice within :data:`_DOUBLED` points?  A linear test, so that
    pdfplumber's dedupe_chars (which sorts and clusters) runs only on pages with doubles."""
    seen: set = set()
    for c in chars:
        x, y = int(c["x0"] // _DOUBLED), int(c["top"] // _DOUBLED)
        text = c["text"]
        if any((text, x + dx, y + dy) in seen for dx in (-1, 0, 1) for dy in (-1, 0, 1)):
            return True
        seen.add((text, x, y))
    return False


def _key(c) -> tuple:
    return round(c["x0"], 2), round(c["y0"], 2), c["text"]


def _unseen_glyphs(page) -> tuple[set, set]:
    """(unseen, outlined): the keys of the glyphs a reader cannot see, and of those drawn as
    outlines only (their fill colour is not what shows).

    pdfplumber does not say how a glyph is drawn, so the page is interpreted here once, with
    the graphics state pdfminer leaves out tracked, and the result handed to pdfplumber as
    the page's layout (pdfplumber's own cache; it then makes its objects from it).  Unseen:
    text render mode 3 or 7 (neither filled nor stroked), a fill (or, for outlines, stroke)
    alpha of at most :data:`~toolkit.reading.css.FAINT` set by an ExtGState, an outline stroked in white, horizontal scaling under
    :data:`_TINY_SCALE` per cent, a glyph whose centre lies outside the clipping path (its
    bounding box)."""
    if hasattr(page, "_layout"):
        return set(), set()
    from pdfminer.pdfinterp import PDFPageInterpreter
    from pdfminer.pdftypes import resolve1
    from pdfminer.psparser import literal_name
    from pdfminer.utils import apply_matrix_pt
    from pdfplumber.page import PDFPageAggregatorWithMarkedContent

    try:
        from pdfplumber.utils.exceptions import PdfminerException
    except ImportError:  # pdfplumber < 0.11: pdfminer's errors go through as they are
        PdfminerException = None

    class State(PDFPageInterpreter):
        """pdfminer's interpreter with the clipping box and the alpha values kept (and saved
        and restored with q/Q); a form XObject starts from its caller's."""

        inherited = (None, 1.0, 1.0)

        def subinterp(self):
            interp = super().subinterp()
            interp.inherited = self.extra
            return interp

        def init_state(self, ctm):
            super().init_state(ctm)
            self.extra = self.inherited  # (clip box or None, fill alpha, stroke alpha)
            self.pending_clip = False

        def render_contents(self, *args, **kwargs):
            outer = getattr(self.device, "state", None)
            self.device.state = self
            try:
                return super().render_contents(*args, **kwargs)
            finally:
                self.device.state = outer

        def get_current_state(self):
            return (*super().get_current_state(), self.extra)

        def set_current_state(self, state):
            *base, self.extra = state
            super().set_current_state(tuple(base))

        def do_gs(self, name):
            cache = self.__dict__.setdefault("alphas", {})
            key = literal_name(name)
            if key not in cache:
                try:
                    states = resolve1(resolve1(self.resources or {}).get("ExtGState")) or {}
                    params = resolve1(states.get(key)) or {}
                    fill, stroke = resolve1(params.get("ca")), resolve1(params.get("CA"))
                    cache[key] = (None if fill is None else float(fill), None if stroke is None else float(stroke))
                except (AttributeError, TypeError, ValueError):
                    cache[key] = (None, None)  # a broken graphics state: the glyphs are taken as seen
            fill, stroke = cache[key]
            if fill is not None or stroke is not None:
                self.extra = (self.extra[0], self.extra[1] if fill is None else fill,
                              self.extra[2] if stroke is None else stroke)

        def do_W(self):
            self.pending_clip = True

        do_W_a = do_W

        def _end_path(self):
            if self.pending_clip and self.curpath:
                pts = [apply_matrix_pt(self.ctm, (seg[i], seg[i + 1]))
                       for seg in self.curpath for i in range(1, len(seg) - 1, 2)]
                if pts:
                    xs, ys = [x for x, _ in pts], [y for _, y in pts]
                    box = (min(xs), min(ys), max(xs), max(ys))
                    old = self.extra[0]
                    if old is not None:
                        box = (max(box[0], old[0]), max(box[1], old[1]), min(box[2], old[2]), min(box[3], old[3]))
                    self.extra = (box, *self.extra[1:])
            self.pending_clip = False

    def ending(base):
        # pdfminer passes an operator as many operands as its method takes arguments: self only.
        def painter(self):
            self._end_path()
            return base(self)
        return painter

    for op in ("n", "f", "F", "f_a", "S", "s", "B", "B_a", "b", "b_a"):
        setattr(State, f"do_{op}", ending(getattr(PDFPageInterpreter, f"do_{op}")))

    class Recorder(PDFPageAggregatorWithMarkedContent):
        state = None
        mode = 0
        scale = 100.0

        def render_string(self, textstate, seq, ncs, graphicstate):
            self.mode, self.scale = textstate.render, textstate.scaling
            return super().render_string(textstate, seq, ncs, graphicstate)

        def render_char(self, *args, **kwargs):
            adv = super().render_char(*args, **kwargs)
            ch = self.cur_item._objs[-1]
            self.painted.append(((round(ch.x0, 2), round(ch.y0, 2), ch.get_text()),
                                 (ch.x0 + ch.x1) / 2, (ch.y0 + ch.y1) / 2))
            clip, fill_alpha, stroke_alpha = self.state.extra if self.state is not None else (None, 1.0, 1.0)
            # A fill or stroke so transparent that it is within 13/255 of its ground is not seen.
            seen_fill = fill_alpha > FAINT and self.mode in (0, 2, 4, 6)
            if seen_fill and clip is None and self.scale >= _TINY_SCALE:
                return adv  # the common case: filled, unclipped, unsqueezed
            seen_stroke = False
            if self.mode in (1, 2, 5, 6) and stroke_alpha > FAINT:
                stroke = _rgb(getattr(ch.graphicstate, "scolor", None))
                seen_stroke = not (stroke is not None and min(stroke) > 0.95)
            cx, cy = (ch.x0 + ch.x1) / 2, (ch.y0 + ch.y1) / 2
            key = (round(ch.x0, 2), round(ch.y0, 2), ch.get_text())
            if not (seen_fill or seen_stroke) or abs(self.scale) < _TINY_SCALE or (
                    clip is not None and not (clip[0] - 0.5 <= cx <= clip[2] + 0.5 and clip[1] - 0.5 <= cy <= clip[3] + 0.5)):
                self.unseen.add(key)
            elif not seen_fill:
                self.outlined.add(key)
            return adv

        def render_image(self, name, stream):
            super().render_image(name, stream)
            attrs = getattr(stream, "attrs", None) or {}
            if not any(attrs.get(k) for k in ("SMask", "Mask", "ImageMask")):  # an opaque picture
                self._cover(self.cur_item.bbox)

        def paint_path(self, gstate, stroke, fill, evenodd, path):
            before = len(self.cur_item._objs)
            super().paint_path(gstate, stroke, fill, evenodd, path)
            from pdfminer.layout import LTRect

            new = self.cur_item._objs[before:]
            if fill and len(new) == 1 and isinstance(new[0], LTRect):
                self._cover(new[0].bbox)

        def _cover(self, box):
            """Glyphs painted before an opaque picture or filled rectangle under it are hidden by it."""
            clip, fill_alpha, _ = self.state.extra if self.state is not None else (None, 1.0, 1.0)
            if fill_alpha < 1 or not self.painted:
                return
            x0, y0, x1, y1 = box
            if clip is not None:
                x0, y0, x1, y1 = max(x0, clip[0]), max(y0, clip[1]), min(x1, clip[2]), min(y1, clip[3])
            left = []
            for key, cx, cy in self.painted:
                if x0 <= cx <= x1 and y0 <= cy <= y1:
                    self.unseen.add(key)
                else:
                    left.append((key, cx, cy))
            self.painted = left

    device = Recorder(page.pdf.rsrcmgr, pageno=page.page_number, laparams=page.pdf.laparams)
    device.unseen, device.outlined, device.painted = set(), set(), []
    try:
        State(page.pdf.rsrcmgr, device).process_page(page.page_obj)
    except Exception as exc:  # as pdfplumber's own Page.layout does: one wrapped error
        if PdfminerException is None:
            raise
        raise PdfminerException(exc) from None
    page._layout = device.get_result()
    return device.unseen, device.outlined


def _rgb(colour) -> tuple | None:
    """A fill colour as RGB in 0..1 (gray, RGB or CMYK), None when it is not plain."""
    if isinstance(colour, (int, float)):
        colour = (colour,)
    if not isinstance(colour, (list, tuple)) or not all(isinstance(v, (int, float)) for v in colour):
        return None
    if len(colour) == 1:
        return (colour[0],) * 3
    if len(colour) == 3:
        return tuple(colour)
    if len(colour) == 4:
        c, m, y, k = colour
        return (1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k)
    return None


def _same_as_ground(c, page) -> bool:
    """Is the glyph filled in the colour of what lies under it (the filled rectangle last
    drawn there, else the white page)?  Dark glyphs are taken to stand on a light ground."""
    fill = _rgb(c.get("non_stroking_color"))
    if fill is None or sum(fill) < 1.5:
        return False
    cx, cy = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
    ground = (1.0, 1.0, 1.0)
    for r in reversed(page.rects):
        if r.get("fill") and r["x0"] <= cx <= r["x1"] and r["top"] <= cy <= r["bottom"]:
            ground = _rgb(r.get("non_stroking_color"))
            break
    return ground is not None and all(abs(a - b) < 0.05 for a, b in zip(fill, ground))


def _struck(chars: list, page) -> list:
    """*chars* with each glyph crossed by a horizontal line through its middle band (a line
    or a thin filled rectangle covering most of its width) turned into a STRUCK mark."""
    bars = sorted(((o["top"] + o["bottom"]) / 2, o["x0"], o["x1"]) for o in (*page.lines, *page.rects)
                  if o["bottom"] - o["top"] <= _BAR and o["x1"] - o["x0"] > 0)
    if not bars:
        return chars
    ys = [b[0] for b in bars]
    out = []
    for c in chars:
        high = c["bottom"] - c["top"]
        lo, hi = c["top"] + _STRIKE_BAND * high, c["bottom"] - _STRIKE_BAND * high
        wide = c["x1"] - c["x0"]
        crossed = not c["text"].isspace() and wide > 0 and any(
            min(x1, c["x1"]) - max(x0, c["x0"]) > _OVERPRINT * wide
            for _, x0, x1 in bars[bisect.bisect_left(ys, lo):bisect.bisect_right(ys, hi)])
        out.append({**c, "text": STRUCK} if crossed else c)
    return out


def _overprinted(chars: list) -> list:
    """*chars* with each digit drawn over a different glyph (a 5 over the 2 of 20) replaced,
    with the glyph under it, by one U+FFFD: the number is doubtful, never read as both."""
    by_x0 = sorted(range(len(chars)), key=lambda i: chars[i]["x0"])
    drop: set[int] = set()
    doubtful: set[int] = set()
    for n, i in enumerate(by_x0):
        a = chars[i]
        for m in range(n + 1, len(by_x0)):
            j = by_x0[m]
            b = chars[j]
            if b["x0"] >= a["x1"]:
                break
            if a["text"] == b["text"] or not (a["text"].isdigit() or b["text"].isdigit()) \
                    or a["text"].isspace() or b["text"].isspace():
                continue
            wide = min(a["x1"] - a["x0"], b["x1"] - b["x0"])
            high = min(a["bottom"] - a["top"], b["bottom"] - b["top"])
            over_x = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
            over_y = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
            if wide > 0 and high > 0 and over_x > _OVERPRINT * wide and over_y > _OVERPRINT * high:
                doubtful.add(i)
                drop.add(j)
    if not doubtful:
        return chars
    return [{**c, "text": DOUBTFUL} if i in doubtful else c
            for i, c in enumerate(chars) if i not in drop or i in doubtful]


def _marks(chars: list) -> list:
    """*chars* with each small glyph that sits raised or lowered against the glyph it
    touches (left, else right) turned into a RAISED mark, kept on its neighbour's line."""
    sizes = [c.get("size") or 0 for c in chars]
    if len(chars) < 2 or min(sizes) > _MARK_SIZE * max(sizes):
        return chars  # no glyph is small enough beside another to be a mark
    by_x1 = sorted(chars, key=lambda c: c["x1"])
    ends = [c["x1"] for c in by_x1]
    by_x0 = sorted(chars, key=lambda c: c["x0"])
    starts = [c["x0"] for c in by_x0]
    out = []
    for c in chars:
        size = c.get("size") or 0
        near = None
        if size:
            lo, hi = c["x0"] - _MARK_GAP, c["x0"] + 0.5
            left = by_x1[bisect.bisect_left(ends, lo):bisect.bisect_right(ends, hi)]
            lo, hi = c["x1"] - 0.5, c["x1"] + _MARK_GAP
            right = by_x0[bisect.bisect_left(starts, lo):bisect.bisect_right(starts, hi)]
            for group in (left, right):
                big = [n for n in group if n is not c and n["top"] < c["bottom"] and c["top"] < n["bottom"]
                       and size <= _MARK_SIZE * (n.get("size") or 0) and not n["text"].isspace()]
                shifted = [n for n in big if c["bottom"] <= n["bottom"] - _MARK_SHIFT * n["size"]
                           or c["top"] >= n["top"] + _MARK_SHIFT * n["size"]]
                if shifted:
                    near = max(shifted, key=lambda n: n["size"])
                    break
        if near is None or c["text"].isspace():
            out.append(c)
        else:
            out.append({**c, "text": RAISED, "top": near["top"], "bottom": near["bottom"],
                        "y0": near["y0"], "y1": near["y1"], "doctop": near["doctop"]})
    return out


