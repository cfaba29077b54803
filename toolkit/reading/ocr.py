"""Scanned pages (image files, PDFs without a text layer) into a Document, by offline OCR.

The engine is RapidOCR (PP-OCRv4 Chinese detection and recognition models, shipped
inside the ``rapidocr-onnxruntime`` wheel, run on CPU by onnxruntime): nothing is
fetched at run time.  It is the optional ``[ocr]`` extra; without it a scanned
file is refused with one line naming the extra.

Before recognition each page is cleaned as scans need: red pixels (the seal
stamped over the tables of a 盖章版) are painted out, and the page is turned
straight by the angle of its ruling lines (or of its text, when it has none).
Tables are found by their ruling lines, and no text detector runs inside them: each
cell is cut out between its rules and its lines of ink read by the recognizer
(numbers a table row at a time, with no padding to a full line's width, which is
where the time of a page went).  The cells become a :class:`Grid`, its label
columns joined into one cell, so that the parser reads it by position exactly as
it reads a table of an HTML page.  Text outside the tables is found by the detector
(at half size) and becomes the document's text in reading order.

What OCR reads is never trusted on its own: :mod:`toolkit.parsing.ocr_tables`
lets a number into the data only when the table's arithmetic vouches for it.
A number the recognizer scored low is marked in its cell so that the parser
leaves it missing, and its reading is logged.
"""
from __future__ import annotations

import copy
import functools
import io
from collections import OrderedDict
from dataclasses import dataclass, field

from ..errors import ReportError
from .document import Document, Grid, assemble

__all__ = ["OCR_HINT", "Line", "available", "engine", "prepare", "skew_angle", "remove_red", "recognise",
           "page_document", "read_image", "read_scanned_pdf", "IMAGE_SUFFIXES", "LOW_SCORE", "LOW_MARK",
           "RASTER_DPI"]

#: The one line a scanned file gets when the OCR extra is not installed.
OCR_HINT = "scanned/image report: install the OCR extra to read it (pip install 'xxgk[ocr]')"
#: Suffixes of the image files read by OCR.
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff"})
#: A recognized number scoring below this is not taken as read (left missing, reading logged).
LOW_SCORE = 0.3
#: Appended to a low-scoring number in its grid cell: the parser then refuses the cell.
LOW_MARK = "?"
#: Resolution a PDF page without a text layer is rasterised at.
RASTER_DPI = 200


@dataclass(frozen=True)
class Line:
    """One recognized text line: its text, box (x0, y0, x1, y1) in page pixels, and score (0–1)."""

    text: str
    box: tuple[float, float, float, float]
    score: float

    @property
    def cx(self) -> float:
        return (self.box[0] + self.box[2]) / 2

    @property
    def cy(self) -> float:
        return (self.box[1] + self.box[3]) / 2


def available() -> bool:
    """Whether the OCR extra is installed."""
    try:
        import cv2  # noqa: F401
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


@functools.lru_cache(maxsize=1)
def engine():
    """The OCR engine, loaded once per process (models from the installed wheel, no network)."""
    from rapidocr_onnxruntime import RapidOCR

    # One thread: the recognizer's inputs are small (a row of numbers, a label), where a second
    # thread spins more than it helps: one page took 2.5 s of CPU and 2.5-4 s wall with one
    # thread, 5.1 s of CPU and 7.8 s wall with two, on two shared cores.  Parallel work is
    # pages and files over worker processes (--jobs).
    return RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1, rec_batch_num=16, use_cls=False)


# ------------------------------------------------------------------ cleaning a page


def remove_red(bgr):
    """*bgr* as grey from its red channel: a seal's red ink is as light as the paper there (and
    yellowed paper as white), while black text, under the seal too, stays dark."""
    import cv2
    import numpy as np

    red = np.ascontiguousarray(bgr[..., 2])
    # Stretch so the paper is white: the page's bright mode, not its (yellowed) colour.
    paper = float(np.percentile(red, 90))
    if paper > 0:
        red = cv2.convertScaleAbs(red, alpha=255.0 / paper)
    return cv2.cvtColor(red, cv2.COLOR_GRAY2BGR)


def _binary(gray):
    import cv2

    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)


def skew_angle(gray) -> float:
    """The page's skew in degrees (positive: counter-clockwise), from its long ruling lines,
    else from the rectangle around its ink; 0 when neither says."""
    import cv2
    import numpy as np

    ink = _binary(gray)
    # Half size is enough for a tenth of a degree, and four times faster.
    small = cv2.resize(ink, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    small = (small > 96).astype(np.uint8) * 255
    near = np.radians(5)
    lines = cv2.HoughLines(small, 1, np.pi / 1800, threshold=small.shape[1] // 3,
                           min_theta=np.pi / 2 - near, max_theta=np.pi / 2 + near)
    if lines is not None and len(lines):
        # The strongest lines (a table's rules), as angles from the horizontal.
        thetas = lines.reshape(-1, 2)[:15, 1]
        return -float(np.degrees(np.median(thetas) - np.pi / 2))
    pts = cv2.findNonZero(ink)
    if pts is None:
        return 0.0
    (_, _), (rw, rh), a = cv2.minAreaRect(pts)
    a = a - 90 if a > 45 else a
    return -float(a) if abs(a) < 5 else 0.0


def prepare(bgr):
    """A page ready for recognition: red removed, turned straight.  Returns (image, angle)."""
    import cv2

    clean = remove_red(bgr)
    gray = cv2.cvtColor(clean, cv2.COLOR_BGR2GRAY)
    angle = skew_angle(gray)
    if abs(angle) >= 0.15:
        h, w = gray.shape
        m = cv2.getRotationMatrix2D((w / 2, h / 2), -angle, 1.0)
        clean = cv2.warpAffine(clean, m, (w, h), flags=cv2.INTER_CUBIC, borderValue=(255, 255, 255))
    return clean, angle


def recognise(bgr) -> list[Line]:
    """Text lines of a prepared page (any order)."""
    result, _ = engine()(bgr, use_cls=False, text_score=0.0)
    lines = []
    for box, text, score in result or []:
        xs = [p[0] for p in box]
        ys = [p[1] for p in box]
        text = text.strip()
        if text:
            lines.append(Line(text, (min(xs), min(ys), max(xs), max(ys)), float(score)))
    return lines


# ------------------------------------------------------------------ tables from ruling lines


def _positions(profile, min_len: int, gap: int = 3) -> list[int]:
    """Centres of the runs of *profile* (a line mask summed along one axis) at least *min_len*;
    runs closer than *gap* are one line (a blurred rule is thresholded as its two edges)."""
    import numpy as np

    on = np.flatnonzero(profile >= min_len)
    if on.size == 0:
        return []
    out, start, prev = [], on[0], on[0]
    for p in on[1:]:
        if p > prev + gap:
            out.append((start + prev) // 2)
            start = p
        prev = p
    out.append((start + prev) // 2)
    return [int(p) for p in out]


def _rules(gray):
    """(ink, horizontal rules, vertical rules, segment length) of a page: the rules found by
    morphology, as long runs no stroke of a character makes."""
    import cv2

    ink = _binary(gray)
    w = gray.shape[1]
    seg = max(30, w // 40)  # longer than any stroke of a character
    horiz = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (seg, 1)))
    vert = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, seg)))
    return ink, horiz, vert, seg


def _tables(gray, rules=None) -> list[tuple[list[int], list[int]]]:
    """Ruled tables of a page: (row boundaries, column boundaries) of each, top to bottom."""
    import cv2
    import numpy as np

    ink, horiz, vert, seg = rules if rules is not None else _rules(gray)
    h, w = gray.shape
    grid = cv2.dilate(horiz | vert, np.ones((3, 3), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(grid)
    out = []
    for i in range(1, n):
        x, y, bw, bh, _ = stats[i]
        if bw < w // 5 or bh < 2 * seg:
            continue
        hs = horiz[y:y + bh, x:x + bw]
        vs = vert[y:y + bh, x:x + bw]
        xs = [x + p for p in _positions((vs > 0).sum(axis=0), seg // 2, seg // 4)]
        # A rule crosses a column's rule; a blurred line of text, however long, stays in its cell.
        reach = max(6, seg // 5)
        ys = [y + p for p in _positions((hs > 0).sum(axis=1), seg, seg // 4)
              if len(xs) < 2 or p in (0, bh - 1) or any(
                  hs[max(0, p - 2):p + 3, max(0, xk - x - reach)].any()
                  and hs[max(0, p - 2):p + 3, min(bw - 1, xk - x + reach)].any() for xk in xs)]
        if len(ys) >= 2 and len(xs) >= 2:
            out.append((ys, xs))
    out.sort(key=lambda t: t[0][0])
    return out


def _merged_cells(ink, ys: list[int], xs: list[int]) -> list[tuple[int, int, int, int]]:
    """The table's cells as drawn, (first row, first column, last row, last column): neighbouring
    cells of the grid of rule positions are one cell where no rule runs between them (a header
    spanning columns, a label spanning rows).  A rule is there when ink covers nine tenths of the
    boundary's length; no character's stroke is that long."""
    import numpy as np

    nr, nc = len(ys) - 1, len(xs) - 1
    parent = list(range(nr * nc))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def join(a: int, b: int) -> None:
        parent[find(a)] = find(b)

    t = 3
    for i in range(nr):
        y0, y1 = ys[i] + t + 1, ys[i + 1] - t
        for j in range(nc - 1):
            x = xs[j + 1]
            if y1 <= y0 or ink[y0:y1, max(0, x - t):x + t + 1].any(axis=1).mean() < 0.9:
                join(i * nc + j, i * nc + j + 1)
    for j in range(nc):
        x0, x1 = xs[j] + t + 1, xs[j + 1] - t
        for i in range(nr - 1):
            y = ys[i + 1]
            if x1 <= x0 or ink[max(0, y - t):y + t + 1, x0:x1].any(axis=0).mean() < 0.9:
                join(i * nc + j, (i + 1) * nc + j)
    groups: dict[int, list[tuple[int, int]]] = {}
    for i in range(nr):
        for j in range(nc):
            groups.setdefault(find(i * nc + j), []).append((i, j))
    cells = []
    for members in groups.values():
        rows, cols = [m[0] for m in members], [m[1] for m in members]
        cells.append((min(rows), min(cols), max(rows), max(cols)))
    return sorted(cells)


def _ink_lines(ink) -> list[tuple[int, int, int, int]]:
    """The text lines in one cell's ink (a binary crop inside its rules), as (top, left, bottom,
    right): rows of ink separated by blank rows, a stroke standing apart (the upper bar of 二)
    joined to the nearest line; specks are not lines."""
    import numpy as np

    rows = np.flatnonzero(ink.sum(axis=1) >= 2)
    if rows.size == 0:
        return []
    runs: list[list[int]] = []
    for r in rows:
        if runs and r <= runs[-1][1] + 2:
            runs[-1][1] = r
        else:
            runs.append([r, r])
    tall = max(b - a + 1 for a, b in runs)
    if tall < 5:
        return []
    # Fragments shorter than half the tallest line join the nearer neighbour, if close.
    merged = True
    while merged and len(runs) > 1:
        merged = False
        for k, (a, b) in enumerate(runs):
            if b - a + 1 >= 0.45 * tall:
                continue
            gaps = [(a - runs[k - 1][1], k - 1) if k > 0 else (None, None),
                    (runs[k + 1][0] - b, k + 1) if k + 1 < len(runs) else (None, None)]
            gaps = [g for g in gaps if g[0] is not None and g[0] < 0.5 * tall]
            if gaps:
                _, n = min(gaps)
                lo, hi = min(k, n), max(k, n)
                runs[lo:hi + 1] = [[runs[lo][0], runs[hi][1]]]
                merged = True
                break
    out = []
    for a, b in runs:
        part = ink[a:b + 1]
        cols = np.flatnonzero(part.any(axis=0))
        if part.sum() < 12 or b - a + 1 < 0.3 * tall or cols.size == 0:
            continue
        out.append((a, int(cols[0]), b, int(cols[-1])))
    return out


def _index(bounds: list[int], v: float) -> int | None:
    for i in range(len(bounds) - 1):
        if bounds[i] <= v < bounds[i + 1]:
            return i
    return None


def _is_number(text: str) -> bool:
    t = text.replace(",", "").replace("，", "")
    return t.isdigit() and t.isascii()


def _digit_like(text: str) -> bool:
    """Empty, or what a number misread looks like (digits, or a letter or two: O for 0, l for 1)."""
    return not text or any(ch.isdigit() for ch in text) or \
        (len(text) <= 2 and not any("\u4e00" <= ch <= "\u9fff" for ch in text))


def _run_recognizer(crops, with_width: bool = False, min_ratio: float | None = None):
    """The recognizer's character probabilities for each crop (list of (T, classes) arrays;
    with *with_width*, (probabilities, width of the input they were read from)); each crop
    padded to at least *min_ratio* × the recognizer's height.

    Crops go in batches of similar width, each batch padded only to its widest crop: no crop
    is padded to the 320 pixels the engine pads every line to, so a number of a few digits
    costs a few columns of the network, not a whole line's worth."""
    import numpy as np

    rec = engine().text_rec
    _, height, _ = rec.rec_image_shape
    ratios = [max(c.shape[1] / max(c.shape[0], 1), min_ratio or _MIN_RATIO) for c in crops]
    order = sorted(range(len(crops)), key=lambda k: ratios[k])
    out: list = [None] * len(crops)
    batch = 1
    for k in range(0, len(order), batch):
        part = order[k:k + batch]
        ratio = max(ratios[n] for n in part)
        norm = np.stack([rec.resize_norm_img(crops[n], ratio) for n in part]).astype(np.float32)
        probs = rec.session(norm)[0]
        for n, p in zip(part, probs):
            out[n] = (p, norm.shape[3]) if with_width else p
    return out


#: Narrowest width/height a crop is given to the recognizer: room for a few CTC steps.
_MIN_RATIO = 1.5


@functools.lru_cache(maxsize=1)
def _digit_classes():
    """The recognizer's characters, and the indices of CTC's blank and the digits 0–9 among them."""
    import numpy as np

    chars = list(engine().text_rec.postprocess_op.character)
    digits = [i for i, ch in enumerate(chars) if len(ch) == 1 and ch in "0123456789"]
    return chars, np.array([0, *digits])  # index 0 is CTC's blank


def _decode_digits(probs) -> tuple[str, float]:
    """One crop's probabilities read as digits only (0–9 and CTC's blank), with its score."""
    import numpy as np

    chars, allowed = _digit_classes()
    p = probs[:, allowed]
    p = p / np.maximum(p.sum(axis=1, keepdims=True), 1e-9)
    best, conf = p.argmax(axis=1), p.max(axis=1)
    text, scores, prev = [], [], 0
    for idx, pr in zip(best, conf):
        if idx != 0 and idx != prev:
            text.append(chars[allowed[idx]])
            scores.append(float(pr))
        prev = idx
    return "".join(text), float(np.mean(scores)) if scores else 0.0


def _decode_text(probs) -> tuple[str, float]:
    """One crop's probabilities read as the recognizer reads them (any character)."""
    rec = engine().text_rec
    text, score = rec.postprocess_op(probs[None])[0][:2]
    return text, float(score)


def read_digits(crops) -> list[tuple[str, float]]:
    """Each crop read as digits only: the recognizer's output restricted to 0–9 (and CTC's blank).

    A lone 0 is as much an O or a 。 to a general recognizer; in a column of counts it can only
    be a digit.  The score is the mean, over the kept characters, of the digit's probability
    among the digits and the blank.  Which number it is stays for the arithmetic to vouch for.
    """
    if not crops:
        return []
    _, height, width = engine().text_rec.rec_image_shape
    return [_decode_digits(p) for p in _run_recognizer(list(crops), min_ratio=width / height)]


@dataclass(frozen=True)
class _CellLine:
    """A line of text inside a table cell, read both ways: as text and as digits only."""

    line: Line
    digits: tuple[str, float]
    cell: tuple[int | None, int | None]
    crop: object = field(default=None, repr=False, compare=False)
    #: What the line's ink shows beside its characters: "struck" (a line drawn through them),
    #: "raised" (a small mark above the line at its end: a footnote), or "".
    mark: str = ""


#: A horizontal run of ink across the middle of a line at least this many times the line's
#: height is a line drawn through its characters: no digit has a bar that long (4's, the
#: longest, is about 0.7 of the digit's height).
_STRIKE_RUN = 0.9


def _line_mark(ink) -> str:
    """What a cell line's ink (binary, cut tight around it) shows beside its characters:
    ``"struck"``, ``"raised"`` or ``""`` (see :class:`_CellLine`)."""
    import cv2
    import numpy as np

    h, w = ink.shape
    if h < 6 or w < 2:
        return ""
    reach = max(3, round(0.2 * h))
    for y in range(int(0.25 * h), int(0.75 * h) + 1):
        edges = np.flatnonzero(np.diff(np.concatenate(([0], ink[y].astype(np.int8), [0]))))
        runs = list(zip(edges[::2], edges[1::2]))
        a, b = max(runs, key=lambda r: r[1] - r[0], default=(0, 0))
        if b - a < _STRIKE_RUN * h:
            continue
        # A stroke drawn through reaches past the characters' other ink on at least one side
        # (the bar of 4 ends at its stem; two 4s side by side may touch).
        other = ink[[r for r in range(h) if abs(r - y) > max(2, round(0.15 * h))]].any(axis=0)
        cols = np.flatnonzero(other)
        if cols.size == 0 or cols[0] - a >= reach or b - 1 - cols[-1] >= reach:
            return "struck"
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    parts = [stats[k] for k in range(1, n) if stats[k][cv2.CC_STAT_AREA] >= 3]
    tall = [p for p in parts if p[cv2.CC_STAT_HEIGHT] >= 0.6 * h]
    if not tall:
        return ""
    right = max(p[cv2.CC_STAT_LEFT] + p[cv2.CC_STAT_WIDTH] for p in tall)
    for p in parts:
        left, width = p[cv2.CC_STAT_LEFT], p[cv2.CC_STAT_WIDTH]
        bottom = p[cv2.CC_STAT_TOP] + p[cv2.CC_STAT_HEIGHT]
        # Small, high, just clear of the characters on its left and with nothing under it (a
        # piece of a glyph broken by a seal or blur has the rest of the glyph below or beside
        # it; what a seal leaves stands off at a distance).
        if p[cv2.CC_STAT_HEIGHT] < 0.6 * h and width <= 0.6 * h and bottom <= 0.6 * h \
                and right < left <= right + 0.35 * h \
                and not ink[bottom + 1:, max(0, left - 1):left + width + 1].any():
            return "raised"
    return ""


def _cell_lines(textimg, text_ink, ys: list[int], xs: list[int], ink) -> list[_CellLine]:
    """Every line of text in the table's cells, cut out inside the rules and read.

    No detector runs inside a ruled table: the rules already say where each cell is, and
    rows of ink inside a cell say where its lines are.  Each line is cut tight around its
    ink with a margin of half its height (a lone 1 is then read as 1, not as a comma) and read
    once; the same probabilities give the general reading and the digits-only one."""
    import numpy as np

    m = 7
    found = []
    for r0, c0, r1, c1 in _merged_cells(ink, ys, xs):
        y0, y1, x0, x1 = ys[r0] + m, ys[r1 + 1] - m + 1, xs[c0] + m, xs[c1 + 1] - m + 1
        if y1 - y0 < 5 or x1 - x0 < 5:
            continue
        lines = _ink_lines(text_ink[y0:y1, x0:x1])
        if not lines:
            continue
        # The lines of a cell spanning rows or columns stand in the grid cell holding their middle.
        cy = y0 + (lines[0][0] + lines[-1][2]) / 2
        cx = x0 + (min(ln[1] for ln in lines) + max(ln[3] for ln in lines)) / 2
        at = (_index(ys, cy), _index(xs, cx))
        for t, left, b, right in lines:
            pad = max(4, (b - t) // 2)
            crop = textimg[max(0, y0 + t - pad):y0 + b + pad + 1, max(0, x0 + left - pad):x0 + right + pad + 1]
            mark = _line_mark(text_ink[y0 + t:y0 + b + 1, x0 + left:x0 + right + 1])
            found.append(((x0 + left, y0 + t, x0 + right + 1, y0 + b + 1), at, crop, mark))
    if not found:
        return []
    crops = [np.ascontiguousarray(c) for _, _, c, _ in found]
    # Short lines (numbers, short headings) are read side by side, a table row at a time: a lone
    # 0 alone in a crop is an O or nothing to the recognizer, beside other cells it is a 0.
    short = [n for n, c in enumerate(crops) if c.shape[1] <= _SHORT * c.shape[0]]
    long_ = sorted(set(range(len(crops))) - set(short))
    reads: dict[int, tuple[tuple[str, float], tuple[str, float]]] = {}
    by_row: dict[int | None, list[int]] = {}
    for n in short:
        by_row.setdefault(found[n][1][0], []).append(n)
    strips = [sorted(ns, key=lambda n: found[n][0][0]) for _, ns in sorted(by_row.items(), key=lambda kv: kv[0] or 0)]
    for ns, res in zip(strips, _read_strips([[_narrower(crops[n]) for n in ns] for ns in strips])):
        reads.update(zip(ns, res))
    for n, p in zip(long_, _run_recognizer([crops[n] for n in long_])):
        reads[n] = (_decode_text(p), _decode_digits(p))
    out = []
    for n, (box, at, _, mark) in enumerate(found):
        (text, score), digits = reads[n]
        # A line read as nothing stays: in a number cell it is read again on its own.
        out.append(_CellLine(Line(text.strip(), tuple(float(v) for v in box), score), digits, at, crops[n], mark))
    return out


def _narrower(crop):
    """A short line's crop with half its side margins: in a strip the black bars part the cells,
    and the recognizer's cost goes with the width."""
    k = crop.shape[0] // 8
    return crop[:, k:crop.shape[1] - k] if k and crop.shape[1] > 4 * k else crop


#: A line cut from a cell is short (read beside its row's other short lines) up to this width/height.
_SHORT = 4.0


#: Between two crops of a strip: a black bar of this width.  On white, or on the grey the
#: recognizer pads with, a row of lone zeros reads as 。 or o or nothing; between black bars it
#: reads as zeros.
_GAP = 12


def _separator(height: int):
    import numpy as np

    return np.zeros((height, _GAP, 3), np.uint8)


def _read_strips(strips):
    """Each strip (a list of crops) read as one line: the crops scaled to the recognizer's height
    and set side by side between black bars, and each character given to the crop under its
    CTC step (a step covers a fixed width of the input).
    Per crop: ((text, score), (digits, score))."""
    import cv2
    import numpy as np

    rec = engine().text_rec
    _, height, _ = rec.rec_image_shape
    gap = _GAP
    lines, spans = [], []
    for crops in strips:
        parts, where, x = [], [], 0
        for c in crops:
            w = max(1, round(c.shape[1] * height / c.shape[0]))
            parts.append(cv2.resize(c, (w, height)))
            parts.append(_separator(height))
            where.append((x, x + w))
            x += w + gap
        lines.append(np.concatenate([_separator(height), *parts], axis=1))
        spans.append([(a + gap, b + gap) for a, b in where])
    out = []
    for span, (probs, width) in zip(spans, _run_recognizer(lines, with_width=True)):
        step = width / probs.shape[0] if probs.shape[0] else 1.0
        res = []
        for a, b in span:
            # The CTC steps under this crop and the half bars beside it (neighbours share no step).
            t0 = max(0, round((a - gap / 2) / step))
            t1 = min(probs.shape[0], round((b + gap / 2) / step))
            p = probs[t0:t1]
            res.append((_decode_text(p), _decode_digits(p)))
        out.append(res)
    return out


def _table_grid(found: list[_CellLine], ys: list[int], xs: list[int], log: list[str], where: str) -> Grid:
    """The cells of one ruled table; the columns left of the first number column joined."""
    nr, nc = len(ys) - 1, len(xs) - 1
    cells: list[list[list[_CellLine]]] = [[[] for _ in range(nc)] for _ in range(nr)]
    for cl in found:
        i, j = cl.cell
        if i is not None and j is not None:
            cells[i][j].append(cl)
    order = [[sorted(c, key=lambda cl: (round(cl.line.cy / 12), cl.line.box[0])) for c in row] for row in cells]
    texts = [["".join(cl.line.text for cl in c) for c in row] for row in order]
    scores = [[min((cl.line.score for cl in c), default=1.0) for c in row] for row in order]
    numeric = [j for j in range(nc) if any(_is_number(texts[i][j]) for i in range(nr))]
    first = min(numeric) if numeric else nc
    # A number cell the recognizer was unsure of is read as digits only: a lone 0 is as
    # much an O or a 。 to it, but in a column of counts it can only be a digit.
    for i in range(nr):
        for j in range(first, nc):
            text, score = texts[i][j], scores[i][j]
            if len(order[i][j]) != 1 or not _digit_like(text) or (_is_number(text) and score >= 0.9):
                continue
            dtext, dscore = order[i][j][0].digits
            if _is_number(dtext) and (not _is_number(text) or dscore > score):
                texts[i][j], scores[i][j] = dtext, dscore
    # Still no sure number (blur can make a row of zeros a row of 。): the cell alone, padded as
    # the engine pads a line, read as digits only.  Slower, so only for these cells.
    again = [(i, j) for i in range(nr) for j in range(first, nc)
             if len(order[i][j]) == 1 and _digit_like(texts[i][j])
             and not (_is_number(texts[i][j]) and scores[i][j] >= 0.9)]
    for (i, j), (dtext, dscore) in zip(again, read_digits([order[i][j][0].crop for i, j in again])):
        if _is_number(dtext) and (not _is_number(texts[i][j]) or dscore > scores[i][j]):
            texts[i][j], scores[i][j] = dtext, dscore
    label_cols = list(range(first))
    rows: list[list[str | None]] = []
    for i in range(nr):
        label = "".join(texts[i][j] for j in label_cols)
        vals = []
        for j in range(first, nc):
            text, score = texts[i][j], scores[i][j]
            doubt = _doubt(order[i][j]) if _is_number(text) else ""
            if text and score < LOW_SCORE and _is_number(text):
                log.append(f"OCR: {where}, row {i + 1} ({label or '-'}), column {j - first + 1}: "
                           f"read {text!r} with low score {score:.2f}; not taken")
                text += LOW_MARK
            elif doubt:
                log.append(f"OCR: {where}, row {i + 1} ({label or '-'}), column {j - first + 1}: "
                           f"read {text!r} but {doubt}; not taken")
                text += LOW_MARK
            vals.append(text)
        rows.append(([label] if label_cols else []) + vals)
    # Columns no text stands in (a stray line split one column in two) are dropped.
    keep = [j for j in range(len(rows[0])) if any(r[j] for r in rows)] if rows else []
    return Grid([[r[j] for j in keep] for r in rows])


def _doubt(lines: list[_CellLine]) -> str:
    """Why a number cell's reading is not the number a reader sees, or "": a line drawn through
    its digits (struck, often with the corrected number beside it), a footnote mark raised
    beside them (it would be read as one more digit), or digits on more than one line (a
    correction written above or below the first number)."""
    if any(cl.mark == "struck" for cl in lines):
        return "a line is drawn through its digits"
    if any(cl.mark == "raised" for cl in lines):
        return "a small raised mark stands beside its digits"
    if sum(1 for cl in lines if any(ch.isdigit() for ch in cl.line.text + cl.digits[0])) > 1:
        return "the cell holds digits on more than one line"
    return ""


def _detect(bgr, scale: float):
    """Text boxes the detector finds in *bgr*, run at *scale* of its size (boxes in *bgr*'s pixels)."""
    import cv2
    import numpy as np

    det = engine().text_det
    h, w = bgr.shape[:2]
    rh, rw = (max(32, int(round(v * scale / 32)) * 32) for v in (h, w))
    small = cv2.resize(bgr, (rw, rh), interpolation=cv2.INTER_AREA)
    x = ((small.astype(np.float32) / 255 - 0.5) / 0.5).transpose(2, 0, 1)[None]
    boxes, _ = det.postprocess_op(det.infer(x)[0], (h, w))
    return det.filter_tag_det_res(boxes, (h, w)) if len(boxes) else []


#: Scale the detector runs at outside the tables: text at 150–200 dpi is still many pixels high
#: at half size, and the detector's cost goes with the area.
_DETECT_SCALE = 0.5


def _lines_outside(clean, ink, spans: list[tuple[int, int]]) -> list[Line]:
    """Text lines of the page outside the tables' rows (*spans*: their top and bottom), found
    by the detector on each band of the page between them and read by the recognizer."""
    import numpy as np

    h = clean.shape[0]
    bands, top = [], 0
    for a, b in sorted(spans):
        if a > top:
            bands.append((top, a))
        top = max(top, b)
    if top < h:
        bands.append((top, h))
    lines = []
    for a, b in bands:
        rows = np.flatnonzero(ink[a:b].sum(axis=1) >= 3)
        if rows.size == 0:
            continue
        a, b = max(0, a + int(rows[0]) - 12), min(h, a + int(rows[-1]) + 13)
        band = np.ascontiguousarray(clean[a:b])
        boxes = _detect(band, _DETECT_SCALE)
        if not len(boxes):
            continue
        crops = engine().get_crop_img_list(band, boxes)
        for box, p in zip(boxes, _run_recognizer(crops)):
            text, score = _decode_text(p)
            text = text.strip()
            if text:
                xs, ys = [q[0] for q in box], [q[1] for q in box]
                lines.append(Line(text, (min(xs), a + min(ys), max(xs), a + max(ys)), score))
    return lines


#: Pages read in this process, by their pixels: a scan added and then loaded (``xxgk add``, then
#: ``load_tables()`` in the same session) is recognised once.  Bounded; entries are copied out.
_PAGES: OrderedDict = OrderedDict()
_MAX_PAGES = 32


def page_document(bgr, page: int = 1) -> tuple[list[str | Grid], list[str]]:
    """One page's blocks (text lines and table grids, top to bottom) and the OCR log."""
    import hashlib

    key = (hashlib.sha256(bgr.tobytes()).hexdigest(), bgr.shape, page)
    if key not in _PAGES:
        _PAGES[key] = _page_document(bgr, page)
        while len(_PAGES) > _MAX_PAGES:
            _PAGES.popitem(last=False)
    _PAGES.move_to_end(key)
    return copy.deepcopy(_PAGES[key])


def _without_specks(mask):
    """*mask* without its specks of a few pixels (noise of old paper, dust), which would
    otherwise stand as lines of ink in a cell."""
    import cv2
    import numpy as np

    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    keep = stats[:, cv2.CC_STAT_AREA] > _SPECK
    keep[0] = False
    return keep[labels]


#: Connected ink of at most this many pixels is a speck, not a stroke (a 。 at 150 dpi is more).
_SPECK = 5


def _page_document(bgr, page: int) -> tuple[list[str | Grid], list[str]]:
    import cv2
    import numpy as np

    clean, angle = prepare(bgr)
    log = [f"OCR: page {page} turned {angle:.1f}° straight"] if abs(angle) >= 0.15 else []
    gray = cv2.cvtColor(clean, cv2.COLOR_BGR2GRAY)
    rules = _rules(gray)
    tables = _tables(gray, rules)
    blocks: list[tuple[float, str | Grid]] = []
    if tables:
        ink, horiz, vert, _ = rules
        ruled = cv2.dilate(horiz | vert, np.ones((5, 5), np.uint8)) > 0
        # The rules painted out: a cell's line is cut without the rule beside it.
        textimg = clean.copy()
        textimg[ruled] = 255
        text_ink = _without_specks((ink > 0) & ~ruled)
        for k, (ys, xs) in enumerate(tables):
            found = _cell_lines(textimg, text_ink, ys, xs, ink)
            blocks.append((ys[0], _table_grid(found, ys, xs, log, f"page {page} table {k + 1}")))
        rest = _lines_outside(clean, text_ink, [(ys[0] - 4, ys[-1] + 5) for ys, _ in tables])
    else:
        rest = recognise(clean)
    rest = sorted(rest, key=lambda ln: ln.cy)
    rows: list[list[Line]] = []
    for ln in rest:
        if rows and abs(rows[-1][0].cy - ln.cy) < (ln.box[3] - ln.box[1]) / 2:
            rows[-1].append(ln)
        else:
            rows.append([ln])
    for row in rows:
        blocks.append((row[0].cy, "\t".join(ln.text for ln in sorted(row, key=lambda ln: ln.box[0]))))
    blocks.sort(key=lambda b: b[0])
    return [b for _, b in blocks], log


def _page_in_worker(args):
    bgr, n = args
    return page_document(bgr, n)


def _document(pages, source: str | None, progress: bool | None = None, jobs: int = 1) -> Document:
    from ..progress import progress_bar

    blocks: list[str | Grid] = []
    log: list[str] = []
    with progress_bar(len(pages), "OCR", "page", progress, min_items=1) as bar:
        if jobs > 1 and len(pages) > 1:
            # Pages spread over worker processes, each loading the engine once; results in page order.
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(max_workers=min(jobs, len(pages)), initializer=engine) as pool:
                done = pool.map(_page_in_worker, [(bgr, n) for n, bgr in enumerate(pages, 1)])
                for b, lg in done:
                    blocks.extend(b)
                    log.extend(lg)
                    bar.update(1)
        else:
            for n, bgr in enumerate(pages, 1):
                b, lg = page_document(bgr, n)
                blocks.extend(b)
                log.extend(lg)
                bar.update(1)
    # A table continued on the next page: same width, nothing between → one grid.
    merged: list[str | Grid] = []
    for b in blocks:
        prev = merged[-1] if merged else None
        if isinstance(b, Grid) and isinstance(prev, Grid) and b.rows and prev.rows \
                and len(b.rows[0]) == len(prev.rows[0]):
            prev.rows.extend(b.rows)
        else:
            merged.append(b)
    if not any(isinstance(b, Grid) or b.strip() for b in merged):
        raise ReportError(source, "no text layer, and OCR found no text on the page(s); nothing could be read")
    text, grids = assemble(merged)
    return Document(text, grids, log, ocr=True)


def _decode_image(data: bytes, source: str | None):
    """Every page of an image file as BGR arrays (a multi-page TIFF has several)."""
    import numpy as np
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        img = Image.open(io.BytesIO(data))
        frames = [np.asarray(f.convert("RGB"))[..., ::-1].copy() for f in ImageSequence.Iterator(img)]
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ReportError(source, f"unreadable image ({type(exc).__name__})") from None
    return frames


def read_image(data: bytes, source: str | None = None, progress: bool | None = None, jobs: int = 1) -> Document:
    """An image file (PNG, JPEG, TIFF) read by OCR; the pages of a multi-page TIFF over *jobs*
    worker processes."""
    if not available():
        raise ReportError(source, OCR_HINT)
    return _document(_decode_image(data, source), source, progress, jobs)


def read_scanned_pdf(data: bytes, source: str | None = None, progress: bool | None = None,
                     jobs: int = 1) -> Document:
    """A PDF whose pages are images (no text layer), each page rasterised and read by OCR, the
    pages over *jobs* worker processes (1: in this process).  A build already reads its files
    in worker processes; *jobs* is for one long scan read on its own."""
    if not available():
        raise ReportError(source, OCR_HINT)
    import numpy as np
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        pages = []
        for page in pdf:
            bitmap = page.render(scale=RASTER_DPI / 72)
            pages.append(np.asarray(bitmap.to_pil().convert("RGB"))[..., ::-1].copy())
    finally:
        pdf.close()
    return _document(pages, source, progress, jobs)
