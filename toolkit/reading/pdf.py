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

from ..errors import ReportError
from .document import RAISED, Document, Grid, assemble, cell_lines, settle_marks, settle_row

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
        raise ReportError(source, f"corrupt PDF ({type(inner).__name__})") from None


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
        raise ReportError(source, "PDF has no text layer (scanned?); nothing could be read")
    text, grids = assemble(blocks)
    return Document(text, grids, notes)


# Fake bold: the same glyph drawn again within this many points.
_DOUBLED = 1.0
# A mark glyph is at most this share of its neighbour's size, and its baseline (or top)
# is moved by at least this share of the neighbour's size.
_MARK_SIZE = 0.8
_MARK_SHIFT = 0.2
_INVISIBLE_MODES = re.compile(rb"(?<![\d.])[37]\s+Tr\b")


def shown_page(page):
    """*page* with only the glyphs a reader sees, as a pdfplumber page (itself when nothing
    changes): doubled glyphs once, invisible ones dropped, raised/lowered small ones as
    :data:`~toolkit.reading.document.RAISED` marks."""
    from pdfplumber.page import FilteredPage
    from pdfplumber.utils import dedupe_chars

    chars = page.chars
    if not chars:
        return page
    invisible = _invisible_by_mode(page)
    once = dedupe_chars(chars, tolerance=_DOUBLED) if _has_doubles(chars) else chars
    kept = [c for c in once if not (invisible and _key(c) in invisible) and not _same_as_ground(c, page)]
    kept = _marks(kept)
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


def _invisible_by_mode(page) -> set:
    """Glyphs drawn in text render mode 3 or 7 (neither filled nor stroked): pdfplumber does
    not say which, so the page's content is run again, only when its streams set such a mode."""
    from pdfminer.pdftypes import resolve1

    try:
        streams = resolve1(page.page_obj.attrs.get("Contents"))
        streams = streams if isinstance(streams, list) else [streams]
        if not any(_INVISIBLE_MODES.search(resolve1(st).get_data()) for st in streams if st is not None):
            return set()
    except (AttributeError, TypeError):
        return set()
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.pdfinterp import PDFPageInterpreter

    class ModeRecorder(PDFPageAggregator):
        mode = 0
        invisible: list = []

        def render_string(self, textstate, seq, ncs, graphicstate):
            self.mode = textstate.render
            return super().render_string(textstate, seq, ncs, graphicstate)

        def render_char(self, *args, **kwargs):
            adv = super().render_char(*args, **kwargs)
            if self.mode in (3, 7):
                self.invisible.append(self.cur_item._objs[-1])
            return adv

    device = ModeRecorder(page.pdf.rsrcmgr, pageno=page.page_number)
    device.invisible = []
    PDFPageInterpreter(page.pdf.rsrcmgr, device).process_page(page.page_obj)
    # pdfplumber's y0 is pdfminer's, measured from the page's bottom edge
    return {(round(ch.x0, 2), round(ch.y0, 2), ch.get_text()) for ch in device.invisible}


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
            lo, hi = c["x0"] - 2, c["x0"] + 0.5
            left = by_x1[bisect.bisect_left(ends, lo):bisect.bisect_right(ends, hi)]
            lo, hi = c["x1"] - 0.5, c["x1"] + 2
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


