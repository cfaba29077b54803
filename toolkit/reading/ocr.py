"""Scanned pages (image files, PDFs without a text layer) into a Document, by offline OCR.

The engine is RapidOCR (PP-OCRv4 Chinese detection and recognition models, shipped
inside the ``rapidocr-onnxruntime`` wheel, run on CPU by onnxruntime): nothing is
fetched at run time.  It is the optional ``[ocr]`` extra; without it a scanned
file is refused with one line naming the extra.

Before recognition each page is cleaned as scans need: red pixels (the seal
stamped over the tables of a 盖章版) are painted out, and the page is turned
straight by the angle of its ruling lines (or of its text, when it has none).
Tables are found by their ruling lines: the cells between the lines become a
:class:`Grid`, its label columns joined into one cell, so that the parser reads
it by position exactly as it reads a table of an HTML page.  Lines outside the
tables become the document's text in reading order.

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
from dataclasses import dataclass

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

    # Two threads: the build runs pages of several reports side by side on few cores.
    return RapidOCR(intra_op_num_threads=2, inter_op_num_threads=1, rec_batch_num=16, use_cls=False)


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


def _tables(gray) -> list[tuple[list[int], list[int]]]:
    """Ruled tables of a page: (row boundaries, column boundaries) of each, top to bottom."""
    import cv2
    import numpy as np

    ink = _binary(gray)
    h, w = gray.shape
    seg = max(30, w // 40)  # longer than any stroke of a character
    horiz = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (seg, 1)))
    vert = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, seg)))
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


def _reread(image, ys, xs, want: list[tuple[int, int]]) -> dict[tuple[int, int], tuple[str, float]]:
    """Cells recognised again from their own crop (inside the ruling lines), one line each: the
    detector misses a lone digit, and the recognizer is surer of a digit with the cell's margin."""
    import numpy as np

    crops, where = [], []
    m = 7
    for i, j in want:
        y0, x0 = ys[i] + m, xs[j] + m
        crop = image[y0:ys[i + 1] - m + 1, x0:xs[j + 1] - m + 1]
        ink = np.argwhere(crop.min(axis=2) < 170) if crop.size else np.empty((0, 2))
        if len(ink) < 12:
            continue  # no ink: the cell is blank
        # Tight around the ink, with a margin of half its height: a lone 1 is read as 1, not as a comma.
        (t, left), (b, right) = ink.min(axis=0), ink.max(axis=0)
        pad = max(4, (b - t) // 2)
        crop = image[max(0, y0 + t - pad):y0 + b + pad + 1, max(0, x0 + left - pad):x0 + right + pad + 1]
        crops.append(np.ascontiguousarray(crop))
        where.append((i, j))
    if not crops:
        return {}
    return dict(zip(where, read_digits(crops)))


def read_digits(crops) -> list[tuple[str, float]]:
    """Each crop read as digits only: the recognizer's output restricted to 0–9 (and CTC's blank).

    A lone 0 is as much an O or a 。 to a general recognizer; in a column of counts it can only
    be a digit.  The score is the mean, over the kept characters, of the digit's probability
    among the digits and the blank.  Which number it is stays for the arithmetic to vouch for.
    """
    import numpy as np

    rec = engine().text_rec
    chars = list(rec.postprocess_op.character)
    digits = [i for i, ch in enumerate(chars) if len(ch) == 1 and ch in "0123456789"]
    allowed = np.array([0, *digits])  # index 0 is CTC's blank
    _, height, width = rec.rec_image_shape
    out: list[tuple[str, float]] = []
    batch = 16
    for k in range(0, len(crops), batch):
        part = crops[k:k + batch]
        ratio = max(width / height, *(c.shape[1] / c.shape[0] for c in part))
        norm = np.stack([rec.resize_norm_img(c, ratio) for c in part]).astype(np.float32)
        probs = rec.session(norm)[0][:, :, allowed]
        probs = probs / np.maximum(probs.sum(axis=2, keepdims=True), 1e-9)
        best, conf = probs.argmax(axis=2), probs.max(axis=2)
        for seq, p in zip(best, conf):
            text, scores, prev = [], [], 0
            for idx, pr in zip(seq, p):
                if idx != 0 and idx != prev:
                    text.append(chars[allowed[idx]])
                    scores.append(float(pr))
                prev = idx
            out.append(("".join(text), float(np.mean(scores)) if scores else 0.0))
    return out


def _table_grid(lines: list[Line], ys: list[int], xs: list[int], log: list[str], where: str,
                image=None) -> Grid:
    """The cells of one ruled table; the columns left of the first number column joined."""
    nr, nc = len(ys) - 1, len(xs) - 1
    cells: list[list[list[Line]]] = [[[] for _ in range(nc)] for _ in range(nr)]
    for ln in lines:
        i, j = _index(ys, ln.cy), _index(xs, ln.cx)
        if i is not None and j is not None:
            cells[i][j].append(ln)
    texts = [["".join(ln.text for ln in sorted(c, key=lambda ln: (round(ln.cy / 12), ln.box[0])))
              for c in row] for row in cells]
    scores = [[min((ln.score for ln in c), default=1.0) for c in row] for row in cells]
    numeric = [j for j in range(nc) if any(_is_number(texts[i][j]) for i in range(nr))]
    first = min(numeric) if numeric else nc
    if image is not None:
        want = [(i, j) for i in range(nr) for j in range(first, nc)
                if _digit_like(texts[i][j]) and not (_is_number(texts[i][j]) and scores[i][j] >= 0.9)]
        for (i, j), (text, score) in _reread(image, ys, xs, want).items():
            if _is_number(text) and (not _is_number(texts[i][j]) or score > scores[i][j]):
                texts[i][j], scores[i][j] = text, score
    label_cols = list(range(first))
    rows: list[list[str | None]] = []
    for i in range(nr):
        label = "".join(texts[i][j] for j in label_cols)
        vals = []
        for j in range(first, nc):
            text, score = texts[i][j], scores[i][j]
            if text and score < LOW_SCORE and _is_number(text):
                log.append(f"OCR: {where}, row {i + 1} ({label or '-'}), column {j - first + 1}: "
                           f"read {text!r} with low score {score:.2f}; not taken")
                text += LOW_MARK
            vals.append(text)
        rows.append(([label] if label_cols else []) + vals)
    # Columns no text stands in (a stray line split one column in two) are dropped.
    keep = [j for j in range(len(rows[0])) if any(r[j] for r in rows)] if rows else []
    return Grid([[r[j] for j in keep] for r in rows])


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


def _page_document(bgr, page: int) -> tuple[list[str | Grid], list[str]]:
    import cv2

    clean, angle = prepare(bgr)
    log = [f"OCR: page {page} turned {angle:.1f}° straight"] if abs(angle) >= 0.15 else []
    lines = recognise(clean)
    tables = _tables(cv2.cvtColor(clean, cv2.COLOR_BGR2GRAY))
    blocks: list[tuple[float, str | Grid]] = []
    used: set[int] = set()
    for k, (ys, xs) in enumerate(tables):
        inside = [n for n, ln in enumerate(lines) if ys[0] <= ln.cy < ys[-1] and xs[0] <= ln.cx < xs[-1]]
        used.update(inside)
        grid = _table_grid([lines[n] for n in inside], ys, xs, log, f"page {page} table {k + 1}", clean)
        blocks.append((ys[0], grid))
    rest = sorted((ln for n, ln in enumerate(lines) if n not in used), key=lambda ln: ln.cy)
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


def _document(pages, source: str | None, progress: bool | None = None) -> Document:
    from ..progress import progress_bar

    blocks: list[str | Grid] = []
    log: list[str] = []
    with progress_bar(len(pages), "OCR", "page", progress, min_items=1) as bar:
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


def read_image(data: bytes, source: str | None = None, progress: bool | None = None) -> Document:
    """An image file (PNG, JPEG, TIFF) read by OCR."""
    if not available():
        raise ReportError(source, OCR_HINT)
    return _document(_decode_image(data, source), source, progress)


def read_scanned_pdf(data: bytes, source: str | None = None, progress: bool | None = None) -> Document:
    """A PDF whose pages are images (no text layer), each page rasterised and read by OCR."""
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
    return _document(pages, source, progress)
